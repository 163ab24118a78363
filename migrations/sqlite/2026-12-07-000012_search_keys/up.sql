-- Keys for finding records by what people type (src/domain/match_key.rs): every normalized
-- word form of a topic's or contributor's names, and of an article's headline. Filled by the
-- writes that change those texts; rows left empty here are filled at the next start.
ALTER TABLE topics ADD COLUMN search_key TEXT NOT NULL DEFAULT '';
ALTER TABLE contributors ADD COLUMN search_key TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN search_key TEXT NOT NULL DEFAULT '';
-- The photographer or maker named on a medium (IPTC By-line), beside its credit line.
ALTER TABLE media_assets ADD COLUMN creator TEXT;
