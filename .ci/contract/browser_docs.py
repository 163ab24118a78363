"""Loads /docs in headless Chromium (no internet needed: the page's assets come from the binary)
and checks that every operation of the served OpenAPI document is listed on the page; keeps a
screenshot under target/.

usage: browser_docs.py BASE_URL OUT_DIR
"""

import json
import re
import subprocess
import sys
import urllib.request

base, out_dir = sys.argv[1].rstrip("/"), sys.argv[2]
chromium = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]

spec = json.load(urllib.request.urlopen(f"{base}/openapi.json"))
expected = {
    (method.upper(), path)
    for path, item in spec["paths"].items()
    for method in item
    if method in ("get", "post", "put", "patch", "delete")
}

dom = subprocess.run(
    chromium + ["--virtual-time-budget=30000", "--dump-dom", f"{base}/docs/"],
    capture_output=True, text=True, timeout=120, check=True,
).stdout
with open(f"{out_dir}/docs-dom.html", "w") as f:
    f.write(dom)

# Each operation block: <span class="opblock-summary-method">GET</span> … data-path="/v1/…"
listed = set(re.findall(r'opblock-summary-method">([A-Z]+)<.*?data-path="([^"]+)"', dom))
missing = sorted(expected - listed)
extra = sorted(listed - expected)
print(f"/docs lists {len(listed)} operations; the document has {len(expected)}")
if "Failed to load API definition" in dom:
    sys.exit("the page could not load /openapi.json")
if missing or extra or not expected:
    sys.exit(f"missing from the page: {missing}\nnot in the document: {extra}")

subprocess.run(
    chromium + ["--virtual-time-budget=30000", "--window-size=1280,6000",
                f"--screenshot={out_dir}/docs-screenshot.png", f"{base}/docs/"],
    capture_output=True, timeout=120, check=True,
)
print(f"screenshot: {out_dir}/docs-screenshot.png")
