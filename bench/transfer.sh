#!/usr/bin/env bash
# Data in and out (issue 14): export and import speed on SQLite and PostgreSQL, resident memory
# while importing, and a WordPress import of a 10,000-post WXR file.
#
#   bash bench/transfer.sh                 # 20,000 articles, 10,000 WordPress posts
#   ARTICLES=100000 WXR_POSTS=10000 bash bench/transfer.sh
#
# PostgreSQL: KHABAR_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres);
# the script makes and drops its own database. Results: stdout and target/bench/transfer.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

ARTICLES=${ARTICLES:-20000}
WXR_POSTS=${WXR_POSTS:-10000}
ADMIN_URL=${KHABAR_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DIR=target/bench/transfer
mkdir -p "$DIR"
export KHABAR_JWT_SECRET=bench-secret-bench-secret-bench-secret KHABAR_LOG=warn
cargo build --release --quiet --bin khabar
K=target/release/khabar

# Seconds and peak resident memory of a command (GNU time).
measure() {
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$DIR/time" "$@" >"$DIR/$label.out" 2>"$DIR/$label.err"
  read -r seconds kilobytes <"$DIR/time"
  echo "$seconds $kilobytes"
}

if [ ! -f "$DIR/source-$ARTICLES.db" ]; then
  rm -f "$DIR"/source-*.db*
  $K --database-url "sqlite://$DIR/source-$ARTICLES.db" --media-dir "$DIR/media-source" generate --articles "$ARTICLES" >/dev/null 2>&1
fi
SOURCE="sqlite://$DIR/source-$ARTICLES.db"

{
  echo "# $(date -u +%FT%TZ), $(nproc) cores, $ARTICLES articles"
  read -r s kb < <(measure export-sqlite $K --database-url "$SOURCE" --media-dir "$DIR/media-source" export --output "$DIR/export.jsonl")
  echo "export from SQLite: $s s, $(python3 -c "print(round($ARTICLES / $s))") articles/s, $(du -h "$DIR/export.jsonl" | cut -f1), $((kb / 1024)) MB resident"

  rm -rf "$DIR/target.db"* "$DIR/media-target"
  read -r s kb < <(measure import-sqlite $K --database-url "sqlite://$DIR/target.db" --media-dir "$DIR/media-target" import "$DIR/export.jsonl")
  echo "import into SQLite: $s s, $(python3 -c "print(round($ARTICLES / $s))") articles/s, $((kb / 1024)) MB resident"
  read -r s kb < <(measure reimport-sqlite $K --database-url "sqlite://$DIR/target.db" --media-dir "$DIR/media-target" import "$DIR/export.jsonl")
  echo "the same import again (all unchanged): $s s"

  DB="khabar_bench_transfer"
  PG_URL="${ADMIN_URL%/*}/$DB"
  psql "$ADMIN_URL" -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
  read -r s kb < <(measure import-postgres $K --database-url "$PG_URL" --media-dir "$DIR/media-pg" import "$DIR/export.jsonl")
  echo "import into PostgreSQL: $s s, $(python3 -c "print(round($ARTICLES / $s))") articles/s, $((kb / 1024)) MB resident"
  read -r s kb < <(measure export-postgres $K --database-url "$PG_URL" --media-dir "$DIR/media-pg" export --output "$DIR/export-pg.jsonl")
  echo "export from PostgreSQL: $s s, $(python3 -c "print(round($ARTICLES / $s))") articles/s"
  cmp -s "$DIR/export.jsonl" "$DIR/export-pg.jsonl" && echo "the PostgreSQL export equals the SQLite one byte for byte" || echo "THE EXPORTS DIFFER"
  psql "$ADMIN_URL" -q -c "DROP DATABASE IF EXISTS $DB" >/dev/null

  python3 bench/wxr.py "$WXR_POSTS" >"$DIR/posts.xml"
  rm -rf "$DIR/wordpress.db"* "$DIR/media-wp"
  read -r s kb < <(measure import-wordpress $K --database-url "sqlite://$DIR/wordpress.db" --media-dir "$DIR/media-wp" import --from wordpress "$DIR/posts.xml")
  echo "WordPress import of $WXR_POSTS posts ($(du -h "$DIR/posts.xml" | cut -f1) of WXR) into SQLite: $s s, $((kb / 1024)) MB resident"
} | tee "$DIR/../transfer.txt"
