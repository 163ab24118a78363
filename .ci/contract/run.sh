#!/usr/bin/env bash
# The contract checks against a server built from this commit: the /docs page in headless
# Chromium, Schemathesis over every operation (protected ones with a real admin token), and a
# client generated from openapi/openapi.json. Artifacts go to target/contract/.
# usage: .ci/contract/run.sh [path to the khabar binary]
set -euo pipefail
cd "$(dirname "$0")/../.."
binary="${1:-target/debug/khabar}"
out="target/contract"
mkdir -p "$out"
examples="${SCHEMATHESIS_EXAMPLES:-100}"

workdir="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
# Rate limits off: thousands of requests from one address would otherwise end in 429s (which
# the contract declares) instead of exercising the operations; tests/api/rate_limits.rs covers them.
KHABAR_BIND="127.0.0.1:$port" KHABAR_PUBLIC_URL="$base" KHABAR_MEDIA_DIR="$workdir/media" \
  KHABAR_LOG=warn KHABAR_WORKER_INTERVAL_MS=200 KHABAR_RATE_LIMIT=0 KHABAR_PARTNER_RATE_LIMIT=0 \
  "$binary" --database-url "sqlite://$workdir/khabar.db" serve > "$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$workdir"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "$base/readyz" > /dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "$base/readyz" > /dev/null
password="$(sed -n 's/^  password: //p' "$out/server.log")"
token="$(curl -fsS -X POST "$base/v1/auth/token" -H 'Content-Type: application/json' \
  -d "{\"email\": \"admin@khabar.local\", \"password\": \"$password\"}" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')"

echo "== Spectral (spectral:oas): no warnings"
bash .ci/contract/spectral/run.sh

echo "== /docs in headless Chromium"
python3 .ci/contract/browser_docs.py "$base" "$out"

echo "== Schemathesis ($examples examples per operation)"
venv="target/contract-venv"
[ -x "$venv/bin/schemathesis" ] && "$venv/bin/python" -c 'import prometheus_client' 2>/dev/null \
  || { python3 -m venv "$venv" && "$venv/bin/pip" install -q "schemathesis==4.32.5" "prometheus-client==0.26.0"; }
# Logging out (either way) would end the token the rest of the run uses; tests/api/auth.rs and
# tests/api/desk.rs cover both.
# Imports take JSON Lines, which Schemathesis cannot generate; tests/api/imports.rs and http.rs
# send them good and bad bodies. The change stream never ends, so Schemathesis would wait on it
# for ever; tests/api/change_stream.rs reads it with a WHATWG event-stream parser and sends it
# bad cursors, and .ci/desk/ reads it with Chromium's EventSource. A live blog's stream likewise
# (tests/api/live.rs, edge.rs and .ci/desk/test_live.py read it).
"$venv/bin/schemathesis" run "$base/openapi.json" --url "$base" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
  --exclude-path /v1/auth/logout --exclude-path /v1/auth/session --exclude-path /v1/imports \
  --exclude-path /v1/changes/stream --exclude-path '/v1/articles/{key}/live/stream' \
  --max-examples "$examples" --generation-deterministic \
  --report junit --report-dir "$out" \
  2>&1 | tee "$out/schemathesis.log"

echo "== Schemathesis as a writer, against a node with the default rate limits"
# A second node: rate limits on (so 429s with Retry-After are part of what is checked) and a
# writer's token (so 403s and hidden articles are). Fewer examples: the limiter cuts in soon.
wport="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
wbase="http://127.0.0.1:$wport"
KHABAR_BIND="127.0.0.1:$wport" KHABAR_PUBLIC_URL="$wbase" KHABAR_MEDIA_DIR="$workdir/media-w" \
  KHABAR_LOG=warn "$binary" --database-url "sqlite://$workdir/writer.db" serve > "$out/server-writer.log" 2>&1 &
writer_server=$!
trap 'kill $server $writer_server 2>/dev/null || true; rm -rf "$workdir"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "$wbase/readyz" > /dev/null 2>&1 && break
  sleep 0.2
done
wpassword="$(sed -n 's/^  password: //p' "$out/server-writer.log")"
wadmin="$(curl -fsS -X POST "$wbase/v1/auth/token" -H 'Content-Type: application/json' \
  -d "{\"email\": \"admin@khabar.local\", \"password\": \"$wpassword\"}" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')"
curl -fsS -X POST "$wbase/v1/users" -H "Authorization: Bearer $wadmin" -H 'Content-Type: application/json' \
  -d '{"email": "writer@khabar.local", "password": "a writer password that is long", "role": "writer"}' > /dev/null
wtoken="$(curl -fsS -X POST "$wbase/v1/auth/token" -H 'Content-Type: application/json' \
  -d '{"email": "writer@khabar.local", "password": "a writer password that is long"}' \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')"
"$venv/bin/schemathesis" run "$wbase/openapi.json" --url "$wbase" \
  --header "Authorization: Bearer $wtoken" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
  --exclude-path /v1/auth/logout --exclude-path /v1/auth/session --exclude-path /v1/imports \
  --exclude-path /v1/changes/stream --exclude-path '/v1/articles/{key}/live/stream' \
  --max-examples "${SCHEMATHESIS_WRITER_EXAMPLES:-25}" --generation-deterministic \
  --report junit --report-dir "$out/writer" \
  2>&1 | tee "$out/schemathesis-writer.log"

echo "== /metrics through the Prometheus parser"
"$venv/bin/python" .ci/contract/check_metrics.py "$base"

echo "== a TypeScript client generated from openapi/openapi.json"
bash .ci/contract/client/run.sh "$base"

echo "== a Python client generated by openapi-python-client"
bash .ci/contract/python-client/run.sh "$base" "$password"
