-- Edge purges go through the job table, written in the transaction of the change they purge.
-- SQLite cannot change a CHECK constraint: the table is rebuilt with the new list.
CREATE TABLE jobs_new (
    id INTEGER PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('publish_scheduled', 'lift_embargo', 'websub_ping', 'edge_purge')),
    payload TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
    run_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    last_error TEXT,
    done_at TIMESTAMP,
    done_by TEXT,
    created_at TIMESTAMP NOT NULL,
    locked_by TEXT
);
INSERT INTO jobs_new (id, kind, payload, run_at, attempts, locked_until, last_error, done_at, done_by, created_at, locked_by)
    SELECT id, kind, payload, run_at, attempts, locked_until, last_error, done_at, done_by, created_at, locked_by FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;
CREATE INDEX jobs_due_idx ON jobs (run_at, id) WHERE done_at IS NULL;
