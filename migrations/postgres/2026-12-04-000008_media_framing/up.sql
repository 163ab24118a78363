-- How a photo is framed: {"focal_point": {"x": 500, "y": 400}, "crops": {"16x9": {...}}}.
ALTER TABLE media_assets ADD COLUMN framing TEXT NOT NULL DEFAULT '{}';
-- The upload's name in the media store (`<hash>.<ext>`), for assets whose renditions Khabar
-- makes; NULL for assets registered by URL.
ALTER TABLE media_assets ADD COLUMN file TEXT;
