-- The ordered record of every change to what the public sees (issue 29): appended in the
-- transaction of the change, read by `GET /v1/changes` after a cursor. SQLite has one writer at
-- a time, so numbers are handed out in commit order; AUTOINCREMENT never reuses one.
CREATE TABLE change_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('published', 'updated', 'withdrawn', 'deleted')),
    public_id TEXT NOT NULL,
    language TEXT NOT NULL,
    slug TEXT NOT NULL
);
-- Whether the log has an article public now: its newest entry.
CREATE INDEX change_log_subject_idx ON change_log (public_id, seq);
