-- Khabar content model, SQLite flavour. Keep in step with migrations/postgres (same tables, same
-- constraints): tests migrate both and compare behaviour. Timestamps are naive UTC, microseconds.

CREATE TABLE instance_secrets (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE contributors (
    id INTEGER PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 200),
    kind TEXT NOT NULL CHECK (kind IN ('person', 'organisation', 'agency')),
    name TEXT NOT NULL CHECK (length(name) >= 1),
    localized_names TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(localized_names) AND json_type(localized_names) = 'object'),
    bio TEXT,
    avatar_url TEXT,
    url TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%'),
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'writer', 'partner')),
    display_name TEXT,
    contributor_id BIGINT REFERENCES contributors (id) ON DELETE SET NULL,
    disabled BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE topics (
    id INTEGER PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 200),
    kind TEXT NOT NULL CHECK (kind IN ('tag', 'section', 'place', 'person', 'organisation', 'event')),
    name TEXT NOT NULL CHECK (length(name) >= 1),
    localized_names TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(localized_names) AND json_type(localized_names) = 'object'),
    description TEXT,
    parent_id BIGINT REFERENCES topics (id) ON DELETE RESTRICT CHECK (parent_id <> id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX topics_parent_idx ON topics (parent_id);

CREATE TABLE media_assets (
    id INTEGER PRIMARY KEY NOT NULL,
    public_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('image', 'video', 'audio')),
    url TEXT NOT NULL CHECK (length(url) >= 1),
    mime_type TEXT NOT NULL CHECK (mime_type LIKE '%/%'),
    width INTEGER CHECK (width > 0),
    height INTEGER CHECK (height > 0),
    duration_ms BIGINT CHECK (duration_ms >= 0),
    alt_text TEXT,
    caption TEXT,
    credit TEXT,
    copyright_holder TEXT,
    license TEXT,
    source TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE media_renditions (
    id INTEGER PRIMARY KEY NOT NULL,
    media_id BIGINT NOT NULL REFERENCES media_assets (id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (length(name) >= 1),
    url TEXT NOT NULL,
    mime_type TEXT NOT NULL CHECK (mime_type LIKE '%/%'),
    width INTEGER CHECK (width > 0),
    height INTEGER CHECK (height > 0),
    UNIQUE (media_id, name)
);

CREATE TABLE translation_groups (
    id INTEGER PRIMARY KEY NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE articles (
    id INTEGER PRIMARY KEY NOT NULL,
    public_id TEXT NOT NULL UNIQUE,
    slug TEXT NOT NULL CHECK (length(slug) BETWEEN 1 AND 200),
    language TEXT NOT NULL CHECK (length(language) BETWEEN 2 AND 35),
    translation_group_id BIGINT NOT NULL REFERENCES translation_groups (id) ON DELETE RESTRICT,
    headline TEXT NOT NULL CHECK (length(headline) >= 1),
    lead TEXT,
    dateline TEXT,
    status TEXT NOT NULL CHECK (status IN ('draft', 'in_review', 'scheduled', 'published', 'unpublished', 'archived')),
    canonical_url TEXT,
    author_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    first_published_at TIMESTAMP,
    published_at TIMESTAMP,
    scheduled_at TIMESTAMP,
    embargo_until TIMESTAMP,
    UNIQUE (language, slug),
    UNIQUE (translation_group_id, language),
    CHECK (status <> 'published' OR published_at IS NOT NULL),
    CHECK (status <> 'scheduled' OR scheduled_at IS NOT NULL)
);
-- Keyset pagination over the public set, newest first, overall and per language.
CREATE INDEX articles_published_keyset_idx ON articles (status, published_at DESC, id DESC);
CREATE INDEX articles_language_keyset_idx ON articles (status, language, published_at DESC, id DESC);
CREATE INDEX articles_updated_idx ON articles (updated_at, id);
CREATE INDEX articles_scheduled_idx ON articles (scheduled_at) WHERE status = 'scheduled';

CREATE TABLE article_blocks (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    kind TEXT NOT NULL CHECK (kind IN ('paragraph', 'heading', 'quote', 'list', 'image', 'video', 'embed', 'divider')),
    data TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data) AND json_type(data) = 'object'),
    media_id BIGINT REFERENCES media_assets (id) ON DELETE RESTRICT,
    PRIMARY KEY (article_id, position),
    CHECK (kind NOT IN ('image') OR media_id IS NOT NULL)
);
CREATE INDEX article_blocks_media_idx ON article_blocks (media_id);

CREATE TABLE bylines (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    contributor_id BIGINT NOT NULL REFERENCES contributors (id) ON DELETE RESTRICT,
    role TEXT NOT NULL CHECK (role IN ('author', 'agency', 'photographer', 'editor', 'translator')),
    PRIMARY KEY (article_id, position),
    UNIQUE (article_id, contributor_id, role)
);
CREATE INDEX bylines_contributor_idx ON bylines (contributor_id, article_id);

CREATE TABLE article_media (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    media_id BIGINT NOT NULL REFERENCES media_assets (id) ON DELETE RESTRICT,
    is_featured BOOLEAN NOT NULL DEFAULT 0,
    caption_override TEXT,
    position INTEGER NOT NULL DEFAULT 0 CHECK (position >= 0),
    PRIMARY KEY (article_id, media_id)
);
CREATE UNIQUE INDEX article_media_one_featured_idx ON article_media (article_id) WHERE is_featured;
CREATE INDEX article_media_media_idx ON article_media (media_id);

CREATE TABLE article_topics (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    topic_id BIGINT NOT NULL REFERENCES topics (id) ON DELETE RESTRICT,
    is_primary BOOLEAN NOT NULL DEFAULT 0,
    position INTEGER NOT NULL DEFAULT 0 CHECK (position >= 0),
    PRIMARY KEY (article_id, topic_id)
);
CREATE UNIQUE INDEX article_topics_one_primary_idx ON article_topics (article_id) WHERE is_primary;
CREATE INDEX article_topics_topic_idx ON article_topics (topic_id, article_id);

CREATE TABLE related_articles (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    related_article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, position),
    UNIQUE (article_id, related_article_id),
    CHECK (article_id <> related_article_id)
);

CREATE TABLE corrections (
    id INTEGER PRIMARY KEY NOT NULL,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    corrected_at TIMESTAMP NOT NULL,
    note TEXT NOT NULL CHECK (length(note) >= 1),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX corrections_article_idx ON corrections (article_id, corrected_at);
