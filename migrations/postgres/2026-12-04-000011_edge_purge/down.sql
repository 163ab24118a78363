DELETE FROM jobs WHERE kind = 'edge_purge';
ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check
    CHECK (kind IN ('publish_scheduled', 'lift_embargo', 'websub_ping'));
