-- A photo's alt text, caption and credit per language: {"en": {"credit": "AFP", ...}}. Each
-- replaces the asset's own in articles of that language.
ALTER TABLE media_assets ADD COLUMN localized TEXT NOT NULL DEFAULT '{}';
