DROP TABLE log_marks;
DELETE FROM change_log WHERE kind NOT IN ('published', 'updated', 'withdrawn', 'deleted');
ALTER TABLE change_log DROP COLUMN request_id;
ALTER TABLE change_log DROP COLUMN actor;
ALTER TABLE change_log DROP COLUMN keys;
ALTER TABLE change_log DROP CONSTRAINT change_log_kind_check;
ALTER TABLE change_log ADD CONSTRAINT change_log_kind_check
    CHECK (kind IN ('published', 'updated', 'withdrawn', 'deleted'));
