ALTER TABLE media_assets DROP COLUMN creator;
ALTER TABLE articles DROP COLUMN search_key;
ALTER TABLE contributors DROP COLUMN search_key;
ALTER TABLE topics DROP COLUMN search_key;
