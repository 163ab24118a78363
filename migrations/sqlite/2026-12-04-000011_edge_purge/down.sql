CREATE TABLE jobs_old (
    id INTEGER PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('publish_scheduled', 'lift_embargo', 'websub_ping')),
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
INSERT INTO jobs_old (id, kind, payload, run_at, attempts, locked_until, last_error, done_at, done_by, created_at, locked_by)
    SELECT id, kind, payload, run_at, attempts, locked_until, last_error, done_at, done_by, created_at, locked_by
    FROM jobs WHERE kind <> 'edge_purge';
DROP TABLE jobs;
ALTER TABLE jobs_old RENAME TO jobs;
CREATE INDEX jobs_due_idx ON jobs (run_at, id) WHERE done_at IS NULL;
