#!/usr/bin/env bash
# What appending to the change log adds to a write, on SQLite and on the local PostgreSQL
# (examples/log_cost.rs: N one-row write transactions with and without one log entry).
#
#   bash bench/log_cost.sh        # N=2000
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-2000}
BENCH_DIR=target/bench
mkdir -p "$BENCH_DIR"
cargo build --release --quiet --example log_cost
rm -f "$BENCH_DIR"/log-cost.db*
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS khabar_log_cost WITH (FORCE)" -c "CREATE DATABASE khabar_log_cost"
exec > >(tee "$BENCH_DIR/results-log-cost.txt")
echo "# $(date -u +%FT%TZ), $(nproc) cores"
printf 'sqlite:   '; target/release/examples/log_cost "sqlite://$BENCH_DIR/log-cost.db" "$N"
printf 'postgres: '; target/release/examples/log_cost "$PG/khabar_log_cost" "$N"
