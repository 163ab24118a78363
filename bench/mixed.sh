#!/usr/bin/env bash
# Mixed load: article reads (wrk, spread over 500 articles) alone, then while a writer edits
# other articles at WRITES per second. Reports both, the ratio, and the server's CPU time per
# read (from /proc) in each phase. Uses bench/run.sh's data set (a copy: the writes change it).
#
#   ARTICLES=10000 bash bench/mixed.sh
#
# Environment: ARTICLES (10000), WRITES (50), DURATION (seconds, 15), CONNECTIONS (64).
set -euo pipefail
cd "$(dirname "$0")/.."

ARTICLES=${ARTICLES:-10000}
WRITES=${WRITES:-50}
DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-18090}
BENCH_DIR=target/bench
SOURCE_DB=${BENCH_DB:-$BENCH_DIR/khabar-$ARTICLES.db}
DB=$BENCH_DIR/mixed.db
mkdir -p "$BENCH_DIR"
command -v wrk >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet --bin khabar
KHABAR=target/release/khabar
if [ ! -f "$SOURCE_DB" ]; then
  DATABASE_URL="sqlite://$SOURCE_DB" KHABAR_LOG=warn "$KHABAR" generate --articles "$ARTICLES"
fi
rm -f "$DB" "$DB-wal" "$DB-shm"
cp "$SOURCE_DB" "$DB"

export DATABASE_URL="sqlite://$DB" KHABAR_DEMO=never KHABAR_LOG=warn KHABAR_RATE_LIMIT=0 KHABAR_PARTNER_RATE_LIMIT=0
# An editor of the bench's own (the copied database may already have its first admin).
password="$("$KHABAR" user create --email "bench-$$@khabar.local" --role editor | sed -n 's/^password (shown once): //p')"
KHABAR_BIND="127.0.0.1:$PORT" "$KHABAR" serve >"$BENCH_DIR/mixed-server.log" 2>&1 &
KHABAR_PID=$!
trap 'kill "$KHABAR_PID" 2>/dev/null || true' EXIT
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
token="$(curl -fsS -X POST "$BASE/v1/auth/token" -H 'Content-Type: application/json' \
  -d "{\"email\": \"bench-$$@khabar.local\", \"password\": \"$password\"}" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')"

# 500 articles to read, 50 others to edit.
python3 - "$BASE" "$BENCH_DIR/mixed-read.txt" "$BENCH_DIR/mixed-write.txt" <<'PY'
import http.client, json, sys, urllib.parse
base = urllib.parse.urlparse(sys.argv[1])
conn = http.client.HTTPConnection(base.hostname, base.port)
ids, cursor = [], None
while len(ids) < 550:
    conn.request("GET", "/v1/articles?limit=100" + (f"&cursor={cursor}" if cursor else ""))
    page = json.loads(conn.getresponse().read())
    ids += [a["id"] for a in page["data"]]
    cursor = page["next_cursor"]
    if cursor is None:
        break
open(sys.argv[2], "w").write("".join(f"/v1/articles/{i}\n" for i in ids[:500]))
open(sys.argv[3], "w").write("".join(f"{i}\n" for i in ids[500:550]))
PY

cpu_ticks() { awk '{print $14 + $15}' "/proc/$KHABAR_PID/stat"; }
read_phase() { # name, then the reads' figures
  local before after
  before=$(cpu_ticks)
  ARTICLES_FILE="$BENCH_DIR/mixed-read.txt" wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency \
    -s bench/articles.lua "$BASE" >"$BENCH_DIR/mixed-$1.txt" 2>&1
  after=$(cpu_ticks)
  local rps requests p99
  rps=$(awk '/^Requests\/sec/ {print $2}' "$BENCH_DIR/mixed-$1.txt")
  requests=$(awk '/requests in/ {print $1}' "$BENCH_DIR/mixed-$1.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$BENCH_DIR/mixed-$1.txt")
  local us_per_read
  us_per_read=$(echo "$before $after $requests $(getconf CLK_TCK)" | awk '{printf "%.0f", ($2 - $1) / $4 * 1e6 / $3}')
  echo "$1 $rps $p99 $us_per_read"
}

ARTICLES_FILE="$BENCH_DIR/mixed-read.txt" wrk -t2 -c"$CONNECTIONS" -d3s -s bench/articles.lua "$BASE" >/dev/null 2>&1
alone=$(read_phase reads-alone)
python3 bench/writer.py "$BASE" "$token" "$BENCH_DIR/mixed-write.txt" "$WRITES" "$DURATION" >"$BENCH_DIR/mixed-writer.txt" &
WRITER=$!
sleep 0.5
mixed=$(read_phase reads-with-writes)
wait "$WRITER"
{
  echo "# $(date -u +%FT%TZ), $(nproc) cores, $ARTICLES articles, wrk -t2 -c$CONNECTIONS -d${DURATION}s over 500 articles"
  printf '%-20s %12s %10s %18s\n' phase "requests/s" p99 "server CPU/read"
  for line in "$alone" "$mixed"; do
    set -- $line
    printf '%-20s %12s %10s %15s us\n' "$1" "$2" "$3" "$4"
  done
  echo "writer: $(cat "$BENCH_DIR/mixed-writer.txt") at $WRITES/s requested"
  echo "reads with writes / reads alone: $(echo "$alone $mixed" | awk '{printf "%.0f%%", 100 * $6 / $2}')"
} | tee "$BENCH_DIR/mixed-results.txt"
