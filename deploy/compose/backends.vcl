# Three Khabar nodes taken in turn (included by deploy/varnish/khabar.vcl, which compose.yaml
# mounts beside this file). A node failing /readyz (draining, database gone) is skipped.
import directors;

probe ready {
    .url = "/readyz";
    .interval = 2s;
    .timeout = 1s;
    .window = 3;
    .threshold = 2;
    .initial = 2;
}

backend node1 { .host = "node1"; .port = "8080"; .probe = ready; }
backend node2 { .host = "node2"; .port = "8080"; .probe = ready; }
backend node3 { .host = "node3"; .port = "8080"; .probe = ready; }

sub vcl_init {
    new nodes = directors.round_robin();
    nodes.add_backend(node1);
    nodes.add_backend(node2);
    nodes.add_backend(node3);
}

sub vcl_recv {
    set req.backend_hint = nodes.backend();
}

# Who may purge: the nodes, on the compose network (Docker's private ranges).
acl purgers {
    "127.0.0.1";
    "10.0.0.0"/8;
    "172.16.0.0"/12;
    "192.168.0.0"/16;
}
