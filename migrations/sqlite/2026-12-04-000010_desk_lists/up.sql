-- The desk lists articles in one status, or one writer's articles, newest change first.
CREATE INDEX articles_status_updated_idx ON articles (status, updated_at DESC, id DESC);
CREATE INDEX articles_author_updated_idx ON articles (author_user_id, updated_at DESC, id DESC);
