#!/usr/bin/env bash
# Change streams at scale (issue 29): STREAMS (5,000 by default) concurrent
# `GET /v1/changes/stream` clients on one node, with an EventSource's headers, from one client
# process on the same machine (examples/stream_fanout.rs). Reports the server's resident memory
# per idle stream, and for each of ROUNDS publishes how long after the publish request was sent
# each stream had its event (p50, p99, max) and whether any missed it. BACKEND=postgres runs
# the node on the local PostgreSQL (the wake-up then comes through NOTIFY as for another node).
#
#   bash bench/streams.sh                    # SQLite, 5,000 streams, 3 publishes
#   STREAMS=10000 BACKEND=postgres bash bench/streams.sh
#   LIVE=1 STREAMS=10000 bash bench/streams.sh   # one live blog's event stream; each round posts an entry
#
# Results go to stdout and target/bench/results-streams-$BACKEND.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH_DIR=target/bench
STREAMS=${STREAMS:-5000}
ROUNDS=${ROUNDS:-3}
BACKEND=${BACKEND:-sqlite}
PORT=${PORT:-18095}
mkdir -p "$BENCH_DIR"
cargo build --release --quiet --bin khabar --example stream_fanout
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

case "$BACKEND" in
  sqlite)
    rm -f "$BENCH_DIR"/streams.db*
    DATABASE_URL="sqlite://$BENCH_DIR/streams.db" ;;
  postgres)
    PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS khabar_streams WITH (FORCE)" -c "CREATE DATABASE khabar_streams"
    DATABASE_URL="$PG/khabar_streams"
    export KHABAR_JWT_SECRET=bench-streams-a-secret-of-at-least-32-bytes ;;
esac
export DATABASE_URL KHABAR_DEMO=always KHABAR_LOG=warn KHABAR_MEDIA_DIR="$BENCH_DIR/streams-media"
export KHABAR_BIND="127.0.0.1:$PORT" KHABAR_PUBLIC_URL="http://127.0.0.1:$PORT"
# Every stream comes from one address here: the per-address caps are lifted for the run.
export KHABAR_RATE_LIMIT=0 KHABAR_MAX_CONNECTIONS=30000 KHABAR_MAX_CONNECTIONS_PER_ADDRESS=0
export KHABAR_MAX_STREAMS=$((STREAMS + 100)) KHABAR_MAX_STREAMS_PER_ADDRESS=$((STREAMS + 100))
target/release/khabar serve >"$BENCH_DIR/streams-server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
password=$(sed -n 's/^  password: //p' "$BENCH_DIR/streams-server.log")
token=$(curl -fsS -X POST "http://127.0.0.1:$PORT/v1/auth/token" -H 'Content-Type: application/json' \
  -d "{\"email\": \"admin@khabar.local\", \"password\": \"$password\"}" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')

exec > >(tee "$BENCH_DIR/results-streams-$BACKEND${LIVE:+-live}.txt")
echo "# $(date -u +%FT%TZ), $(nproc) cores, $BACKEND, $STREAMS streams, client and server on one machine"
target/release/examples/stream_fanout "http://127.0.0.1:$PORT" "$STREAMS" "$token" "$PID" "$ROUNDS" ${LIVE:+live}
