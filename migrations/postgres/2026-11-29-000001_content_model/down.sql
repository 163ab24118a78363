DROP TABLE corrections;
DROP TABLE related_articles;
DROP TABLE article_topics;
DROP TABLE article_media;
DROP TABLE bylines;
DROP TABLE article_blocks;
DROP TABLE articles;
DROP TABLE translation_groups;
DROP TABLE media_renditions;
DROP TABLE media_assets;
-- Topics restrict deleting a parent that has children; detach them first.
UPDATE topics SET parent_id = NULL;
DROP TABLE topics;
DROP TABLE users;
DROP TABLE contributors;
DROP TABLE instance_secrets;
