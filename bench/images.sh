#!/usr/bin/env bash
# Image benchmarks (issue 13):
#  1. making a rendition, on one core: examples/image_render.rs (2400×1600 JPEG to 1200 px WebP
#     and JPEG, p50 and p99);
#  2. serving a cached rendition against the bare ceiling serving the same bytes from memory,
#     with wrk, reporting requests/s and the server's CPU time per request for both;
#  3. a burst of 200 distinct new renditions requested at once, while wrk reads an article:
#     the server's resident memory before, at its peak and after, and the reads' p99.
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
SECRET=bench-secret-bench-secret-bench-secret
BURST=${BURST:-200}
CEILING_PORT=${CEILING_PORT:-18091}
rm -rf "$BENCH_DIR"
mkdir -p "$BENCH_DIR"

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (Debian package)"
  apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null
fi
cargo build --release --quiet --bin khabar --example ceiling --example image_render --example image_burst

{
  echo "# $(date -u +%FT%TZ), $(nproc) cores"
  echo "## making renditions (one thread)"
  taskset -c 0 target/release/examples/image_render "$ITERATIONS"
} | tee "$BENCH_DIR/render.txt"

# A fresh demo on SQLite: its photo is a 2400×1600 JPEG stored through the upload path.
DATABASE_URL="sqlite://$BENCH_DIR/khabar.db" KHABAR_MEDIA_DIR="$BENCH_DIR/media" \
  KHABAR_BIND="127.0.0.1:$PORT" KHABAR_PUBLIC_URL="http://127.0.0.1:$PORT/" KHABAR_LOG=warn KHABAR_RATE_LIMIT=0 \
  KHABAR_JWT_SECRET="$SECRET" \
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

# 3. The burst.
ARTICLE="http://127.0.0.1:$PORT/v1/articles/libya-turkey-sarraj-akar-military-security-talks"
FILE=${RENDITION_PATH#/images/}
FILE=${FILE%%\?*}
target/release/examples/image_burst "$BURST" "$SECRET" "http://127.0.0.1:$PORT/" "$FILE" >"$BENCH_DIR/burst-urls.txt"
rss() { awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }
wrk -t1 -c8 -d10s --latency "$ARTICLE" >"$BENCH_DIR/wrk-reads-quiet.txt" 2>&1
rss_before=$(rss)
wrk -t1 -c8 -d20s --latency "$ARTICLE" >"$BENCH_DIR/wrk-reads-burst.txt" 2>&1 &
WRK_PID=$!
sleep 1
started=$(date +%s.%N)
xargs -P "$BURST" -n 1 curl -s -o /dev/null -w "%{http_code}\n" <"$BENCH_DIR/burst-urls.txt" >"$BENCH_DIR/burst-codes.txt" &
XARGS_PID=$!
peak=$rss_before
while kill -0 "$XARGS_PID" 2>/dev/null; do
  now=$(rss); [ "$now" -gt "$peak" ] && peak=$now
  sleep 0.05
done
finished=$(date +%s.%N)
wait "$WRK_PID"
rss_after=$(rss)
{
  echo "## $BURST new renditions at once (1200×1200 JPEG crops), while wrk -t1 -c8 reads an article"
  echo "statuses: $(sort "$BENCH_DIR/burst-codes.txt" | uniq -c | awk '{printf "%s×%s ", $1, $2}')"
  echo "$started $finished" | awk '{printf "all answered in %.1f s\n", $2 - $1}'
  echo "$rss_before $peak $rss_after" | awk '{printf "resident memory: %.0f MB before, %.0f MB at the peak (+%.0f MB), %.0f MB after\n", $1/1024, $2/1024, ($2-$1)/1024, $3/1024}'
  echo "article reads, p99: $(awk '$1 == "99%" {print $2}' "$BENCH_DIR/wrk-reads-quiet.txt") quiet, $(awk '$1 == "99%" {print $2}' "$BENCH_DIR/wrk-reads-burst.txt") during the burst ($(awk '/^Requests\/sec/ {print $2}' "$BENCH_DIR/wrk-reads-burst.txt") requests/s over the 20 s)"
} | tee "$BENCH_DIR/burst.txt"
cat "$BENCH_DIR/render.txt" "$BENCH_DIR/serve.txt" "$BENCH_DIR/burst.txt" >target/bench/images.txt
