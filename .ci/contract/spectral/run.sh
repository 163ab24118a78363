#!/usr/bin/env bash
# Lints openapi/openapi.json with Spectral's spectral:oas ruleset; any warning fails.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --silent
npx --no-install spectral lint ../../../openapi/openapi.json --ruleset .spectral.yaml --fail-severity=hint
