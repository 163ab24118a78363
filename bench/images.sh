#!/usr/bin/env bash
# Image benchmarks (issue 13):
#  1. making a rendition, on one core: examples/image_render.rs (2400×1600 JPEG to 1200 px WebP
#     and JPEG, p50 and p99);
#  2. serving a cached rendition against the bare ceiling serving the same bytes from memory,
#     with wrk, reporting requests/s and the server's CPU time per request for both.
#
#   bash bench/images.sh
#
# Environment: DURATION (per run, default 15s), CONNECTIONS (64), THREADS (wrk threads, 2),
# ITERATIONS (renders per case, 40). Results go to stdout and target/bench/images.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH_DIR=target/bench/images
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
ITERATIONS=${ITERATIONS:-40}
PORT=${PORT:-18090}
CEILING_PORT=${CEILING_PORT:-18091}
rm -rf "$BENCH_DIR"
mkdir -p "$BENCH_DIR"

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (Debian package)"
  apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null
fi
cargo build --release --quiet --bin khabar --example ceiling --example image_render

{
  echo "# $(date -u +%FT%TZ), $(nproc) cores"
  echo "## making renditions (one thread)"
  taskset -c 0 target/release/examples/image_render "$ITERATIONS"
} | tee "$BENCH_DIR/render.txt"

# A fresh demo on SQLite: its photo is a 2400×1600 JPEG stored through the upload path.
DATABASE_URL="sqlite://$BENCH_DIR/khabar.db" KHABAR_MEDIA_DIR="$BENCH_DIR/media" \
  KHABAR_BIND="127.0.0.1:$PORT" KHABAR_PUBLIC_URL="http://127.0.0.1:$PORT/" KHABAR_LOG=warn KHABAR_RATE_LIMIT=0 \
  target/release/khabar serve >"$BENCH_DIR/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID ${CEILING_PID:-} 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

# The demo article's 1024 px JPEG rendition, rendered once by the first request.
RENDITION=$(curl -fsS "http://127.0.0.1:$PORT/v1/articles/libya-turkey-sarraj-akar-military-security-talks" \
  | python3 -c 'import json,sys; a=json.load(sys.stdin); print(next(r["url"] for r in a["featured_media"]["renditions"] if r["name"]=="original-1024.jpg"))')
curl -fsS "$RENDITION" -o "$BENCH_DIR/rendition.jpg"
RENDITION_PATH=${RENDITION#http://127.0.0.1:$PORT}
target/release/examples/ceiling "127.0.0.1:$CEILING_PORT" "/rendition=$BENCH_DIR/rendition.jpg" &
CEILING_PID=$!
sleep 1

source bench/lib.sh

ceiling=$(run ceiling "http://127.0.0.1:$CEILING_PORT/rendition" "$CEILING_PID")
khabar=$(run rendition "http://127.0.0.1:$PORT$RENDITION_PATH" "$SERVER_PID")
{
  echo "## a cached rendition ($(stat -c %s "$BENCH_DIR/rendition.jpg") bytes), wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
  printf '%-12s %12s %10s %10s %12s\n' server "requests/s" p50 p99 "CPU/request"
  for line in "$ceiling" "$khabar"; do
    set -- $line
    printf '%-12s %12s %10s %10s %9s us\n' "$1" "$2" "$3" "$4" "$5"
  done
  echo "$ceiling $khabar" | awk '{printf "rendition / ceiling: %.0f%% of the requests/s, the ceiling'"'"'s CPU per request is %.0f%% of Khabar'"'"'s\n", $7 / $2 * 100, $5 / $10 * 100}'
} | tee "$BENCH_DIR/serve.txt"
cat "$BENCH_DIR/render.txt" "$BENCH_DIR/serve.txt" >target/bench/images.txt
