-- Edge purges go through the job table, written in the transaction of the change they purge.
ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check
    CHECK (kind IN ('publish_scheduled', 'lift_embargo', 'websub_ping', 'edge_purge'));
