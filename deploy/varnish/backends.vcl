# One Khabar node on this host (included by khabar.vcl). For several nodes, see
# deploy/compose/backends.vcl: a backend per node and a round-robin director.
backend khabar {
    .host = "127.0.0.1";
    .port = "8080";
    .probe = {
        .url = "/readyz";
        .interval = 2s;
        .timeout = 1s;
        .window = 3;
        .threshold = 2;
        .initial = 2;
    }
}

# Who may purge: the Khabar nodes.
acl purgers {
    "127.0.0.1";
    "::1";
}
