-- An article's full form is kept compressed with brotli, as browsers are sent it
-- (src/delivery/codings.rs): the identity and gzip forms are made from it once per response
-- cache fill. Brotli alone, since the three together would be most of the database. The forms
-- are made when the article is compiled; the start after this migration recompiles every
-- published article (the delivery format's version changed).
ALTER TABLE article_deliveries ADD COLUMN full_br BLOB NOT NULL DEFAULT x'';
ALTER TABLE article_deliveries DROP COLUMN full_json;
