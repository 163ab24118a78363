# Shared by the benchmarks: one wrk run against a server, with the server's CPU per request.
# Needs THREADS, CONNECTIONS, DURATION and BENCH_DIR.

# The server's CPU time (user + system, in clock ticks) so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run() { # name url server-pid [wrk arguments, e.g. -H headers]
  local name=$1 url=$2 pid=$3
  shift 3
  wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "$@" "$url" >/dev/null 2>&1 # warm-up
  local before after
  before=$(cpu_ticks "$pid")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" >"$BENCH_DIR/wrk-$name.txt" 2>&1
  after=$(cpu_ticks "$pid")
  # Figures of error answers would be figures of nothing: stop instead. (A 304 is not an
  # error here: it is what a revalidating CDN gets; wrk counts 3xx among "Non-2xx", so the
  # check is on the status codes a revalidation never gets.)
  if grep -q "Non-2xx" "$BENCH_DIR/wrk-$name.txt" && ! grep -qi "if-none-match" <<<"$*"; then
    echo "$name: wrk got error answers ($(grep Non-2xx "$BENCH_DIR/wrk-$name.txt")); see $BENCH_DIR/wrk-$name.txt" >&2
    exit 1
  fi
  local rps p50 p99 requests us
  rps=$(awk '/^Requests\/sec/ {print $2}' "$BENCH_DIR/wrk-$name.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$BENCH_DIR/wrk-$name.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$BENCH_DIR/wrk-$name.txt")
  requests=$(awk '/requests in/ {print $1}' "$BENCH_DIR/wrk-$name.txt")
  # Server CPU per request: steadier than requests/s on two cores shared with the load generator.
  us=$(echo "$before $after $requests $(getconf CLK_TCK)" | awk '{printf "%.1f", ($2 - $1) / $4 * 1e6 / $3}')
  echo "$name $rps $p50 $p99 $us"
}
