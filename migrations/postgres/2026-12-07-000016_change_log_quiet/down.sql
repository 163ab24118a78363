DELETE FROM change_log WHERE actor = 'upgrade';
DROP INDEX change_log_at_idx;
ALTER TABLE change_log DROP COLUMN quiet;
