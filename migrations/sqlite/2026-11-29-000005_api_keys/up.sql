-- Partner API keys: read-only credentials that raise a partner's rate limit. Stored as SHA-256
-- digests, like refresh tokens: a leaked table grants nothing. `prefix` (the key's first
-- characters) lets an admin tell keys apart without the secret.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id);
