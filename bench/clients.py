"""The clients the benchmarks speak for, with the request headers each really sends (looked up,
not guessed):

- browser: Chrome 131's fetch() of JSON from a news site (Accept-Encoding with zstd since
  Chrome 123; the client hints and fetch metadata it adds to every request);
- android: OkHttp 4.12's defaults (BridgeInterceptor adds `Accept-Encoding: gzip`,
  `Connection: Keep-Alive` and `User-Agent: okhttp/4.12.0` when the app sets none);
- ios: URLSession on iOS 18 (CFNetwork's `Accept-Encoding: gzip, deflate, br`, `Accept: */*`,
  the app's name with CFNetwork and Darwin versions as its agent, the preferred languages);
- cdn: Varnish revalidating its copy with the origin (it asks for gzip, the one coding it
  stores, and sends the ETag of the gzip form it holds in `If-None-Match`, with `Via`,
  `X-Varnish` and `X-Forwarded-For`);
- bare: curl with its defaults (no coding).

Used by bench/run.sh and bench/mixed.sh:
  clients.py headers PROFILE [BASE PATH]   wrk -H arguments, one a line (cdn needs BASE PATH)
  clients.py probe BASE OUT_DIR NAME=PATH…   what each client gets, and a manifest of it for
                                           the ceiling (OUT_DIR/ceiling.json)
"""

import http.client
import json
import os
import sys
import urllib.parse

PROFILES = {
    "browser": [
        ("Accept", "*/*"),
        ("Accept-Encoding", "gzip, deflate, br, zstd"),
        ("Accept-Language", "ar,en-US;q=0.9,en;q=0.8"),
        ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
        ("sec-ch-ua", '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"'),
        ("sec-ch-ua-mobile", "?0"),
        ("sec-ch-ua-platform", '"Linux"'),
        ("Origin", "https://news.example.com"),
        ("Referer", "https://news.example.com/"),
        ("Sec-Fetch-Site", "same-site"),
        ("Sec-Fetch-Mode", "cors"),
        ("Sec-Fetch-Dest", "empty"),
        ("Connection", "keep-alive"),
    ],
    "android": [
        ("Accept-Encoding", "gzip"),
        ("Connection", "Keep-Alive"),
        ("User-Agent", "okhttp/4.12.0"),
    ],
    "ios": [
        ("Accept", "*/*"),
        ("Accept-Encoding", "gzip, deflate, br"),
        ("Accept-Language", "ar-SA,ar;q=0.9"),
        ("User-Agent", "Khabar/331 CFNetwork/1568.200.51 Darwin/24.1.0"),
        ("Connection", "keep-alive"),
    ],
    "cdn": [
        ("Accept-Encoding", "gzip"),
        ("Via", "1.1 varnish (Varnish/7.1)"),
        ("X-Varnish", "32770"),
        ("X-Forwarded-For", "203.0.113.7"),
    ],
    "bare": [
        ("User-Agent", "curl/8.11.1"),
        ("Accept", "*/*"),
    ],
}


def fetch(base, path, headers):
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port)
    conn.request("GET", path, headers=dict(headers))
    response = conn.getresponse()
    body = response.read()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def headers_for(profile, base=None, path=None):
    """The profile's headers; the CDN's carry the gzip form's current ETag for `path`."""
    headers = list(PROFILES[profile])
    if profile == "cdn":
        _, got, _ = fetch(base, path, [("Accept-Encoding", "gzip")])
        headers.append(("If-None-Match", got["etag"]))
    return headers


def main():
    command = sys.argv[1]
    if command == "headers":
        profile = sys.argv[2]
        for name, value in headers_for(profile, *sys.argv[3:5]):
            print(f"{name}: {value}")
    elif command == "probe":
        base, out = sys.argv[2], sys.argv[3]
        os.makedirs(out, exist_ok=True)
        manifest = []
        for mapping in sys.argv[4:]:
            name, path = mapping.split("=", 1)
            for profile in PROFILES:
                headers = headers_for(profile, base, path)
                status, got, body = fetch(base, path, headers)
                assert status in (200, 304), (name, profile, status, body[:200])
                file = os.path.join(out, f"{name}-{profile}.body")
                with open(file, "wb") as f:
                    f.write(body)
                manifest.append({
                    "name": f"{name}-{profile}",
                    "path": path,
                    "accept_encoding": dict(headers).get("Accept-Encoding", ""),
                    "conditional": "If-None-Match" in dict(headers),
                    "status": status,
                    "content_type": got.get("content-type", "application/json"),
                    "content_encoding": got.get("content-encoding"),
                    "etag": got.get("etag"),
                    "body": file,
                    "bytes": len(body),
                })
        with open(os.path.join(out, "ceiling.json"), "w") as f:
            json.dump(manifest, f, indent=1)
        for entry in manifest:
            print(f"{entry['name']}: {entry['status']} {entry['content_encoding'] or 'identity'} {entry['bytes']} bytes")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
