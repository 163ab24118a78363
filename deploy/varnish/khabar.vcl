vcl 4.1;

# Varnish in front of Khabar, purged by surrogate key. Every public answer names what it
# contains in `Surrogate-Key` (the article, its topics and contributors, `lists` for anything
# that is not one article's own page, `all` for everything); xkey indexes objects by those keys.
# After each write, Khabar's worker sends `PURGE /` with `xkey-purge: <keys>` (KHABAR_PURGE_URL=
# varnish+http://this-varnish:6081), so a correction is visible at once while unrelated pages
# stay cached. Needs Debian's varnish-modules (xkey).

import xkey;
import std;

# The nodes (a backend or a director of them) and the `purgers` ACL, which differ per deployment:
# backends.vcl beside this file is one node on 127.0.0.1:8080; deploy/compose/backends.vcl is
# three nodes taken in turn.
include "./backends.vcl";

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Send the surrogate keys in xkey-purge"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone + " objects"));
    }
    # Editorial calls, sessions and the desk are per user: never from the cache.
    if (req.http.Authorization || req.url ~ "^/v1/auth/" || req.url ~ "^/desk") {
        return (pass);
    }
    # Change streams and live blogs' event streams (Server-Sent Events) never end and are per
    # client: passed through and sent on as they come (below). Khabar's keep-alive comment every
    # 15 s stays under Varnish's between_bytes_timeout (60 s by default).
    if (req.url ~ "^/v1/changes/stream" || req.url ~ "^/v1/articles/[^/]+/live/stream"
        || req.http.Accept ~ "text/event-stream") {
        return (pass);
    }
    # Partner keys are counted by Khabar per request: let them through.
    if (req.http.X-Api-Key) {
        return (pass);
    }
    # Cookies matter to the session paths only (passed above).
    unset req.http.Cookie;
}

sub vcl_backend_response {
    if (beresp.http.Content-Type ~ "^text/event-stream") {
        set beresp.do_stream = true;
        set beresp.do_gzip = false;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # xkey reads the keys from `xkey`; Khabar sends them as `Surrogate-Key`.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    unset resp.http.xkey;
}
