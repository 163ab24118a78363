-- The identity forms are not kept: recompile (khabar recompile) after going back.
ALTER TABLE article_deliveries ADD COLUMN full_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE article_deliveries DROP COLUMN full_br;
