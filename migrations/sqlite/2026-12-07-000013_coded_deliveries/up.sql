-- An article's full form is kept compressed, as it is sent (src/delivery/codings.rs): gzip,
-- from which the identity form is decoded when a client accepts no coding, and brotli. The
-- forms are made when the article is compiled; the start after this migration recompiles
-- every published article (the delivery format's version changed).
ALTER TABLE article_deliveries ADD COLUMN full_gzip BLOB NOT NULL DEFAULT x'';
ALTER TABLE article_deliveries ADD COLUMN full_br BLOB NOT NULL DEFAULT x'';
ALTER TABLE article_deliveries DROP COLUMN full_json;
