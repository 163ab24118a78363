-- Incremental sync reads the change log (000014, 000016): the tombstones table it used to read
-- is written by nothing that reads it, so it goes.
DROP INDEX article_tombstones_removed_idx;
DROP TABLE article_tombstones;
