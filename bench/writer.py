"""Edits articles at a steady rate for bench/mixed.sh: PATCHes the lead of the articles listed
(one id per line), round-robin, at RATE edits a second, until DURATION seconds pass. Prints the
edits made and how many failed.

usage: writer.py <base url> <token> <ids file> <rate> <duration seconds>
"""
import http.client
import json
import sys
import time
import urllib.parse

base, token, ids_file, rate, duration = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
url = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(url.hostname, url.port)
headers = {"Authorization": f"Bearer {token}"}
ids = [line.strip() for line in open(ids_file) if line.strip()]
versions = {}
for article in ids:
    conn.request("GET", f"/v1/articles/{article}/editorial", headers=headers)
    response = conn.getresponse()
    response.read()
    versions[article] = response.getheader("ETag")

done = failed = 0
start = time.monotonic()
while time.monotonic() - start < duration:
    article = ids[done % len(ids)]
    body = json.dumps({"lead": f"edit {done}"})
    conn.request("PATCH", f"/v1/articles/{article}", body=body, headers={
        **headers, "Content-Type": "application/merge-patch+json", "If-Match": versions[article]})
    response = conn.getresponse()
    response.read()
    if response.status == 200:
        versions[article] = response.getheader("ETag")
    else:
        failed += 1
    done += 1
    # Hold the rate: the next edit is due at start + done / rate.
    delay = start + done / rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
print(f"{done} edits in {time.monotonic() - start:.1f} s ({failed} failed)")
