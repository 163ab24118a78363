# Shared by the benchmarks: one wrk run against a server, with the server's CPU per request.
# Needs THREADS, CONNECTIONS, DURATION and BENCH_DIR.

# The server's CPU time (user + system, in clock ticks) so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run() { # name url server-pid
  wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "$2" >/dev/null 2>&1 # warm-up
  local before after
  before=$(cpu_ticks "$3")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$2" >"$BENCH_DIR/wrk-$1.txt" 2>&1
  after=$(cpu_ticks "$3")
  # Figures of error answers would be figures of nothing: stop instead.
  if grep -q "Non-2xx" "$BENCH_DIR/wrk-$1.txt"; then
    echo "$1: wrk got error answers ($(grep Non-2xx "$BENCH_DIR/wrk-$1.txt")); see $BENCH_DIR/wrk-$1.txt" >&2
    exit 1
  fi
  local rps p50 p99 requests us
  rps=$(awk '/^Requests\/sec/ {print $2}' "$BENCH_DIR/wrk-$1.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$BENCH_DIR/wrk-$1.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$BENCH_DIR/wrk-$1.txt")
  requests=$(awk '/requests in/ {print $1}' "$BENCH_DIR/wrk-$1.txt")
  # Server CPU per request: steadier than requests/s on two cores shared with the load generator.
  us=$(echo "$before $after $requests $(getconf CLK_TCK)" | awk '{printf "%.1f", ($2 - $1) / $4 * 1e6 / $3}')
  echo "$1 $rps $p50 $p99 $us"
}
