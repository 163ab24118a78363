#!/bin/bash
# The replica: on first start, a copy of the primary made by pg_basebackup -R (which also
# writes the standby settings), with a replication slot so the primary keeps what it has not
# sent; then PostgreSQL as a hot standby.
set -euo pipefail
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_basebackup -h primary -U replicator -D "$PGDATA" -R -X stream -C -S replica1 --checkpoint=fast; do
    echo "waiting for the primary"; rm -rf "${PGDATA:?}"/*; sleep 2
  done
  chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on -c hot_standby_feedback=on
