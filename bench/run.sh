#!/usr/bin/env bash
# Load benchmark: Khabar's release binary against a bare actix-web handler serving, to each
# client, the same bytes Khabar served it (the ceiling), measured in the same run, on loopback,
# for each kind of client (a browser, an Android app, an iOS app, a CDN revalidating, a bare
# client: bench/clients.py): article by slug, list page 1, a list page 10,000 pages deep (by
# cursor), a topic's list, an RSS feed, a live blog's slices and its idle poll.
#
#   bash bench/run.sh                     # 1,000,000 articles (generated once, ~20 GB, ~12 min)
#   ARTICLES=10000 bash bench/run.sh      # a quick run
#   BACKEND=postgres ARTICLES=10000 bash bench/run.sh   # on the local PostgreSQL
#
# Environment: ARTICLES, BACKEND (sqlite or postgres), BENCH_DB (SQLite file), BENCH_PG
# (PostgreSQL server URL, default postgres://postgres@127.0.0.1:5432), DURATION (per endpoint,
# default 10s), CONNECTIONS (64), THREADS (wrk threads, 2), PROFILES (which clients, default
# all five), ONLY (the endpoints whose names start with it). Results go to stdout and
# target/bench/results-$BACKEND.txt. Each endpoint reports,
# per client, what it answered, requests/s, latency, and the server's CPU time per request
# beside the ceiling's.
set -euo pipefail
cd "$(dirname "$0")/.."

ARTICLES=${ARTICLES:-1000000}
BENCH_DIR=target/bench
DB=${BENCH_DB:-$BENCH_DIR/khabar-$ARTICLES.db}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-18080}
CEILING_PORT=${CEILING_PORT:-18081}
mkdir -p "$BENCH_DIR"

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (Debian package)"
  apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null
fi

cargo build --release --quiet --bin khabar --example ceiling
KHABAR=target/release/khabar
# wrk sends everything from one address: with the per-address limit on, it would measure 429s.
# One site URL for generating and serving, so that no start recompiles the articles.
export KHABAR_DEMO=never KHABAR_LOG=warn KHABAR_RATE_LIMIT=0 KHABAR_SITE_URL=${KHABAR_SITE_URL:-https://news.example.com/}
BACKEND=${BACKEND:-sqlite}
case "$BACKEND" in
  sqlite)
    export DATABASE_URL="sqlite://$DB"
    if [ ! -f "$DB" ]; then
      echo "generating $ARTICLES articles into $DB"
      "$KHABAR" generate --articles "$ARTICLES"
    fi
    ;;
  postgres)
    PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
    PG_DB="khabar_bench_$ARTICLES"
    export DATABASE_URL="$PG/$PG_DB"
    # PostgreSQL is for several nodes, which must share the secret; one fixed for the bench.
    export KHABAR_JWT_SECRET=${KHABAR_JWT_SECRET:-bench-secret-bench-secret-bench-secret}
    if ! psql "$PG/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1; then
      psql -q "$PG/postgres" -c "CREATE DATABASE $PG_DB"
      echo "generating $ARTICLES articles into $DATABASE_URL"
      "$KHABAR" generate --articles "$ARTICLES"
    fi
    ;;
  *) echo "BACKEND is sqlite or postgres" >&2; exit 2 ;;
esac

cleanup() { kill "${KHABAR_PID:-}" "${CEILING_PID:-}" "${SEARCH_PID:-}" 2>/dev/null || true; }
trap cleanup EXIT

KHABAR_BIND="127.0.0.1:$PORT" "$KHABAR" serve >"$BENCH_DIR/server.log" 2>&1 &
KHABAR_PID=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done

BASE="http://127.0.0.1:$PORT"
# The newest article, one topic, and a cursor 10,000 pages (of 20) deep, found by walking.
read -r ARTICLE_PATH TOPIC_PATH DEEP_PATH < <(python3 - "$BASE" <<'PY'
import http.client, json, sys, urllib.parse
base = urllib.parse.urlparse(sys.argv[1])
conn = http.client.HTTPConnection(base.hostname, base.port)
def get(path):
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    assert response.status == 200, (path, response.status, body[:200])
    return json.loads(body)
# The newest Arabic article: its slug is long and percent-encoded, as the newsroom's are.
newest = get("/v1/articles?limit=1&language=ar")["data"][0]
article = "/v1/articles/" + urllib.parse.quote(newest["slug"])
topic = "/v1/topics/egypt/articles"
cursor, seen = None, 0
while seen < 200_000:
    page = get("/v1/articles?limit=100" + (f"&cursor={cursor}" if cursor else ""))
    seen += len(page["data"])
    cursor = page["next_cursor"]
    if cursor is None:
        break
deep = f"/v1/articles?cursor={cursor}" if cursor else "/v1/articles"
print(article, topic, deep)
PY
)

# A live blog (issue 30): the second newest Arabic article made one, with 40 entries posted by an editor made
# for the run; its slices as a page first reads them, and the idle poll a page then repeats
# (`after=` its cursor, nothing new: an ETag revalidation for the clients that send one).
EDITOR_EMAIL="bench-editor-$(date +%s)@khabar.local"
EDITOR_PASSWORD=$("$KHABAR" user create --email "$EDITOR_EMAIL" --role editor | sed -n 's/^password (shown once): //p')
read -r LIVE_PATH POLL_PATH < <(python3 - "$BASE" "$EDITOR_EMAIL" "$EDITOR_PASSWORD" <<'PY'
import json, sys, urllib.request
base, email, password = sys.argv[1:4]
def call(method, path, body=None, token=None):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request) as response:
        return json.load(response)
token = call("POST", "/v1/auth/token", {"email": email, "password": password})["access_token"]
blog = call("GET", "/v1/articles?limit=2&language=ar")["data"][1]["id"]
call("PUT", f"/v1/articles/{blog}/live", {"state": "live"}, token)
for n in range(40):
    entry = {"body": [{"type": "paragraph", "html": f"تحديث رقم {n}: وصول تعزيزات إلى محيط المطار، بحسب مصادر محلية."}],
             "bylines": [], "key_event": n % 10 == 0, "pinned": n == 5, "summary": n == 39}
    call("POST", f"/v1/articles/{blog}/live/entries", entry, token)
page = call("GET", f"/v1/articles/{blog}/live?key_events=5")
print(f"/v1/articles/{blog}/live?key_events=5", f"/v1/articles/{blog}/live?after={page['cursor']}")
PY
)

# What each client gets from each endpoint, and a ceiling that answers each client with those
# very bytes (same coding, same 304), in the same run.
ENDPOINTS=(article="$ARTICLE_PATH" list-1=/v1/articles list-10000="$DEEP_PATH" topic-list="$TOPIC_PATH" rss-feed=/feeds/ar/rss.xml
  live-slices="$LIVE_PATH" live-poll="$POLL_PATH")
python3 bench/clients.py probe "$BASE" "$BENCH_DIR/probe" "${ENDPOINTS[@]}" >"$BENCH_DIR/probe.txt"
target/release/examples/ceiling "127.0.0.1:$CEILING_PORT" "$BENCH_DIR/probe/ceiling.json" &
CEILING_PID=$!
sleep 1
PROFILES=${PROFILES:-browser android ios cdn bare}

# run NAME URL SERVER-PID [wrk args]: a warmed-up wrk run, with the server's CPU per request.
source bench/lib.sh

{
  echo "# $(date -u +%FT%TZ), $(nproc) cores, $BACKEND, $ARTICLES articles, wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
  echo "# each client's request headers: bench/clients.py; the ceiling answers each with the bytes it got from Khabar"
  ratio() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.0f%%", 100 * $1 / $2; else print "-" }'; }
  for profile in $PROFILES; do
    echo "## $profile"
    printf '%-12s %10s %8s %12s %9s %9s %10s %12s %10s\n' endpoint answer bytes "requests/s" p50 p99 "of ceiling" "CPU/request" "of ceiling"
    for mapping in "${ENDPOINTS[@]}"; do
      endpoint=${mapping%%=*}
      path=${mapping#*=}
      # ONLY=live measures the endpoints whose names start with it.
      [[ -n "${ONLY:-}" && "$endpoint" != "$ONLY"* ]] && continue
      wrk_headers=()
      while IFS= read -r line; do wrk_headers+=(-H "$line"); done < <(python3 bench/clients.py headers "$profile" "$BASE" "$path")
      answer=$(python3 -c "import json,sys; e=[x for x in json.load(open(sys.argv[1])) if x['name']==sys.argv[2]][0]; print(str(e['status'])+'/'+(e['content_encoding'] or 'identity'), e['bytes'])" "$BENCH_DIR/probe/ceiling.json" "$endpoint-$profile")
      set -- $(run "$endpoint-$profile" "$BASE$path" "$KHABAR_PID" "${wrk_headers[@]}")
      ours=("$@")
      set -- $(run "$endpoint-$profile-ceiling" "http://127.0.0.1:$CEILING_PORT$path" "$CEILING_PID" "${wrk_headers[@]}")
      ceiling=("$@")
      printf '%-12s %10s %8s %12s %9s %9s %10s %9s us %10s\n' "$endpoint" $answer "${ours[1]}" "${ours[2]}" "${ours[3]}" \
        "$(ratio "${ours[1]}" "${ceiling[1]}")" "${ours[4]}" "$(ratio "${ceiling[4]}" "${ours[4]}")"
      echo "$profile $endpoint ${ours[*]:1} ceiling ${ceiling[*]:1}" >>"$BENCH_DIR/raw-$BACKEND.txt"
    done
    echo "khabar resident memory after the $profile runs: $(( $(ps -o rss= -p "$KHABAR_PID") / 1024 )) MB"
  done

  # Search latency, one request at a time, on a second server whose response cache is off so
  # that every request runs the query.
  # This block runs in a subshell (the pipe into tee): the EXIT trap above cannot see its
  # variables, so the search server gets a trap of its own here.
  KHABAR_BIND="127.0.0.1:$((PORT + 2))" KHABAR_CACHE_MB=0 "$KHABAR" serve >"$BENCH_DIR/search-server.log" 2>&1 &
  SEARCH_PID=$!
  trap 'kill "${SEARCH_PID:-}" 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$((PORT + 2))/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
  wrk -t1 -c1 -d"$DURATION" --latency -s bench/search.lua "http://127.0.0.1:$((PORT + 2))" >"$BENCH_DIR/wrk-search.txt" 2>&1
  printf 'search (12 queries, 1 connection, no cache): %s requests/s, p50 %s, p99 %s\n' \
    "$(awk '/^Requests\/sec/ {print $2}' "$BENCH_DIR/wrk-search.txt")" \
    "$(awk '$1 == "50%" {print $2}' "$BENCH_DIR/wrk-search.txt")" \
    "$(awk '$1 == "99%" {print $2}' "$BENCH_DIR/wrk-search.txt")"
  kill "$SEARCH_PID" 2>/dev/null || true
  wait "$SEARCH_PID" 2>/dev/null || true
  if [ "$BACKEND" = sqlite ]; then echo "database: $(du -h "$DB" | cut -f1)"; fi
} | tee "$BENCH_DIR/results-$BACKEND.txt"
