#!/usr/bin/env bash
# The desk's browser tests (.ci/desk/desk_test.py) against a fresh server built from this
# commit, in Debian's chromium driven by Playwright (from PyPI; its own browser download is not
# used). Screenshots and the server log go to target/desk/.
# usage: .ci/desk/run.sh [path to the khabar binary]
set -euo pipefail
cd "$(dirname "$0")/../.."
binary="${1:-target/debug/khabar}"
out="target/desk"
mkdir -p "$out"
venv="target/desk-venv"
[ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import playwright' 2>/dev/null \
  || { python3 -m venv "$venv" && "$venv/bin/pip" install -q "playwright==1.65.3"; }

workdir="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
# Rate limits off: a browser loads a dozen files and makes as many calls per view, from one address.
KHABAR_BIND="127.0.0.1:$port" KHABAR_PUBLIC_URL="$base" KHABAR_MEDIA_DIR="$workdir/media" \
  KHABAR_LOG=warn KHABAR_RATE_LIMIT=0 KHABAR_TRUSTED_PROXIES=127.0.0.1 \
  "$binary" --database-url "sqlite://$workdir/khabar.db" serve > "$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$workdir"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "$base/readyz" > /dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "$base/readyz" > /dev/null
password="$(sed -n 's/^  password: //p' "$out/server.log")"

# Two photos from the server's own demo picture (a rendition: no metadata), one given an
# agency's IPTC credit with ExifTool, as agency photos arrive.
photo="$(python3 -c '
import json, sys, urllib.request
base = sys.argv[1]
first = json.load(urllib.request.urlopen(base + "/v1/articles?language=ar&limit=1"))["data"][0]
media = json.load(urllib.request.urlopen(base + "/v1/articles/" + first["id"]))["featured_media"]
print(next(r["url"] for r in media["renditions"] if r["name"] == "original-1600.jpg"))' "$base")"
curl -fsS "$photo" -o "$workdir/bare.jpg"
cp "$workdir/bare.jpg" "$workdir/credited.jpg"
printf '\xff' >> "$workdir/bare.jpg"  # a byte after the end marker: other bytes, another asset
exiftool -q -overwrite_original -charset iptc=UTF8 -IPTC:CodedCharacterSet=UTF8 -IPTC:Credit="AFP Test Agency" -IPTC:CopyrightNotice="AFP" \
  -IPTC:Caption-Abstract="صورة من وكالة" -IPTC:By-line="مصور الوكالة" "$workdir/credited.jpg"
# A photo narrower than the named crops' 1200 px, whose crop renditions are smaller.
narrow="$(python3 -c '
import json, sys, urllib.request
base = sys.argv[1]
first = json.load(urllib.request.urlopen(base + "/v1/articles?language=ar&limit=1"))["data"][0]
media = json.load(urllib.request.urlopen(base + "/v1/articles/" + first["id"]))["featured_media"]
print(next(r["url"] for r in media["renditions"] if r["name"] == "original-1024.jpg"))' "$base")"
curl -fsS "$narrow" -o "$workdir/narrow.jpg"
exiftool -q -overwrite_original -IPTC:Credit="Narrow Agency" "$workdir/narrow.jpg"

# axe-core from the npm registry, for the accessibility checks (not part of the desk).
axe="target/desk-node/node_modules/axe-core/axe.min.js"
[ -f "$axe" ] || npm install --silent --no-audit --no-fund --prefix target/desk-node axe-core@4.14.1 >/dev/null
[ -f "$axe" ] || { echo "axe-core did not install" >&2; exit 1; }

PYTHONPATH=.ci/desk "$venv/bin/python" .ci/desk/desk_test.py "$base" "$out" "$password" "$workdir/credited.jpg" "$workdir/bare.jpg" \
  "$workdir/narrow.jpg" "$axe" "${DESK_TEST_FILTER:-}"
