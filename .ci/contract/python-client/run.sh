#!/usr/bin/env bash
# Generates a Python client with openapi-python-client and checks it (check.py).
# usage: run.sh <base url> <admin password>
set -euo pipefail
cd "$(dirname "$0")/../../.."
venv="target/python-client-venv"
out="target/contract/python-client"
[ -x "$venv/bin/openapi-python-client" ] \
  || { python3 -m venv "$venv" && "$venv/bin/pip" install -q "openapi-python-client==0.29.1" "httpx" "attrs" "python-dateutil"; }
rm -rf "$out"
mkdir -p "$(dirname "$out")"
"$venv/bin/openapi-python-client" generate --path openapi/openapi.json --meta none \
  --config .ci/contract/python-client/config.yaml --output-path "$out/khabar_client" > "$out.log" 2>&1 \
  || { cat "$out.log"; exit 1; }
if grep -E "^WARNING|will be omitted|Unable to" "$out.log"; then
  echo "openapi-python-client could not generate everything (above)" >&2
  exit 1
fi
"$venv/bin/python" .ci/contract/python-client/check.py openapi/openapi.json "$out" "$1" "$2"
