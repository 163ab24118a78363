ALTER TABLE change_log DROP COLUMN quiet;
