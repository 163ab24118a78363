#!/usr/bin/env bash
# What a shared request budget costs: the same cached article read with rate limiting off, with
# each node counting its own budget (memory, the default), and with every node counting in the
# Redis on this machine (KHABAR_RATE_LIMIT_STORE), beside the bare actix-web handler serving the
# same bytes (the ceiling), in one run. Every request takes one budget (one client address).
#
#   bash bench/budgets.sh            # DURATION=10s per case by default
#
# Results go to stdout and target/bench/results-budgets.txt; figures are in docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH_DIR=target/bench
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-18090}
CEILING_PORT=${CEILING_PORT:-18091}
REDIS=${REDIS:-redis://127.0.0.1:6379/0}
mkdir -p "$BENCH_DIR"
command -v wrk >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet --bin khabar --example ceiling
source bench/lib.sh

export DATABASE_URL="sqlite://$BENCH_DIR/budgets.db" KHABAR_DEMO=always KHABAR_LOG=warn
export KHABAR_MEDIA_DIR="$BENCH_DIR/budgets-media" KHABAR_BIND="127.0.0.1:$PORT"
PID=
cleanup() { kill $PID ${CEILING_PID:-} 2>/dev/null || true; }
trap cleanup EXIT

start() { # env assignments for this case
  if [ -n "$PID" ]; then
    kill "$PID"
    wait "$PID" 2>/dev/null || true
  fi
  env KHABAR_SHUTDOWN_DRAIN_MS=0 "$@" target/release/khabar serve >"$BENCH_DIR/budgets-server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && return; sleep 0.2; done
  echo "the server did not start" >&2; exit 1
}

start KHABAR_RATE_LIMIT=0
ARTICLE=$(curl -fsS "http://127.0.0.1:$PORT/v1/articles?limit=1&language=ar" | python3 -c 'import json,sys,urllib.parse; print("/v1/articles/" + urllib.parse.quote(json.load(sys.stdin)["data"][0]["slug"]))')
curl -fsS "http://127.0.0.1:$PORT$ARTICLE" -o "$BENCH_DIR/budgets-article.json"
target/release/examples/ceiling "127.0.0.1:$CEILING_PORT" "$ARTICLE=$BENCH_DIR/budgets-article.json" &
CEILING_PID=$!
sleep 1

exec > >(tee "$BENCH_DIR/results-budgets.txt")
{
  echo "# $(date -u +%FT%TZ), $(nproc) cores, wrk -t$THREADS -c$CONNECTIONS -d$DURATION, one cached article"
  printf '%-22s %12s %10s %10s %12s\n' case "requests/s" p50 p99 "CPU/request"
  line() { set -- $1; printf '%-22s %12s %10s %10s %9s us\n' "$1" "$2" "$3" "$4" "$5"; }
  line "$(run ceiling "http://127.0.0.1:$CEILING_PORT$ARTICLE" "$CEILING_PID")"
  line "$(run limits-off "http://127.0.0.1:$PORT$ARTICLE" "$PID")"
  # A budget no run can spend (a minute's worth may come at once): every request is counted.
  start KHABAR_RATE_LIMIT=1000000
  line "$(run per-node-memory "http://127.0.0.1:$PORT$ARTICLE" "$PID")"
  start KHABAR_RATE_LIMIT=1000000 KHABAR_RATE_LIMIT_STORE="$REDIS" KHABAR_JWT_ISSUER="bench-$(date +%s%N)"
  redis_pid=$(pgrep -x redis-server | head -1)
  redis_before=$(cpu_ticks "$redis_pid")
  shared=$(run shared-redis "http://127.0.0.1:$PORT$ARTICLE" "$PID")
  redis_after=$(cpu_ticks "$redis_pid")
  line "$shared"
  # Redis's own CPU per request (its ticks over the measured run and its warm-up, so an upper bound).
  requests=$(awk '/requests in/ {print $1}' "$BENCH_DIR/wrk-shared-redis.txt")
  echo "redis-server CPU/request: $(echo "$redis_before $redis_after $requests $(getconf CLK_TCK)" | awk '{printf "%.1f", ($2 - $1) / $4 * 1e6 / $3}') us (warm-up included)"
}
