#!/usr/bin/env bash
# Generates the TypeScript client from openapi/openapi.json and runs it against BASE_URL.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --silent
npm run --silent generate
npm run --silent build
node dist/fetch-demo.js "$1"
