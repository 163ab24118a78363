DROP TABLE log_marks;
DELETE FROM change_log WHERE kind NOT IN ('published', 'updated', 'withdrawn', 'deleted');
CREATE TABLE change_log_prev (
    seq INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('published', 'updated', 'withdrawn', 'deleted')),
    public_id TEXT NOT NULL,
    language TEXT NOT NULL,
    slug TEXT NOT NULL
);
INSERT INTO change_log_prev SELECT seq, at, kind, public_id, language, slug FROM change_log;
DROP TABLE change_log;
ALTER TABLE change_log_prev RENAME TO change_log;
CREATE INDEX change_log_subject_idx ON change_log (public_id, seq);
