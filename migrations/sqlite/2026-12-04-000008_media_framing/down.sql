ALTER TABLE media_assets DROP COLUMN file;
ALTER TABLE media_assets DROP COLUMN framing;
