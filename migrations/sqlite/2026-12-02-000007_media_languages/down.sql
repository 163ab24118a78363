ALTER TABLE media_assets DROP COLUMN localized;
