#!/usr/bin/env bash
# Three Khabar nodes on one PostgreSQL database on this machine.
#
#   deploy/local/three-nodes.sh check   the three-node test (tests/api/three_nodes.rs) with its
#                                       figures: simultaneous start (migrated and demo loaded
#                                       once), a write fresh on the other nodes within 1 s, 30
#                                       scheduled publishes once each, webhooks (one slow
#                                       receiver) and edge purges once per event, SIGKILL of a
#                                       node mid-write losing no acknowledged write and its
#                                       leased deliveries sent by the others
#   deploy/local/three-nodes.sh up      three release nodes on :8081-:8083 (and Varnish on :6081
#                                       in front, purged by them, when varnishd is installed)
#                                       until Ctrl-C; database `khabar_three`, recreated
#
# PG_URL (default postgres://postgres@127.0.0.1:5432) names the server.
set -euo pipefail
cd "$(dirname "$0")/../.."
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"

case "${1:-}" in
check)
  KHABAR_TEST_POSTGRES_URL="$PG_URL/postgres" cargo test --test api -- three_nodes --nocapture
  ;;
up)
  cargo build --release --quiet
  psql "$PG_URL/postgres" -qc 'DROP DATABASE IF EXISTS khabar_three WITH (FORCE)' -c 'CREATE DATABASE khabar_three'
  run=$(mktemp -d)
  pids=()
  stop() { kill "${pids[@]}" 2>/dev/null; wait; rm -rf "$run"; }
  trap stop EXIT
  trap 'exit 130' INT TERM
  export DATABASE_URL="$PG_URL/khabar_three" KHABAR_DEMO=always
  export KHABAR_JWT_SECRET="${KHABAR_JWT_SECRET:-$(head -c 32 /dev/urandom | base64)}"
  export KHABAR_PUBLIC_URL=http://127.0.0.1:6081 KHABAR_MEDIA_DIR="$run/media"
  if command -v varnishd >/dev/null; then
    export KHABAR_PURGE_URL=varnish+http://127.0.0.1:6081
    cp deploy/varnish/khabar.vcl "$run/khabar.vcl"
    # The three nodes in turn, as deploy/compose/backends.vcl has them.
    sed -e 's/"node\([123]\)"; .port = "8080"/"127.0.0.1"; .port = "808\1"/' \
      deploy/compose/backends.vcl >"$run/backends.vcl"
    # -j none: stay this user, who can read the files (Varnish otherwise drops to its own user).
    varnishd -F -j none -n "$run/varnish" -a 127.0.0.1:6081 -f "$run/khabar.vcl" -s malloc,64m &
    pids+=($!)
  fi
  for port in 8081 8082 8083; do
    KHABAR_BIND=127.0.0.1:$port target/release/khabar serve >"$run/node-$port.log" 2>&1 &
    pids+=($!)
  done
  # The three logs as they grow, each headed by its file's name.
  tail -n +1 -F "$run"/node-*.log &
  pids+=($!)
  echo "nodes: http://127.0.0.1:8081 http://127.0.0.1:8082 http://127.0.0.1:8083; Varnish in front of all three: http://127.0.0.1:6081"
  echo "the admin password is printed once by the node that created the admin; Ctrl-C stops everything"
  wait
  ;;
*)
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
  ;;
esac
