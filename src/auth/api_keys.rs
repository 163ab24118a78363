//! Partner API keys: long random secrets shown once, stored as SHA-256 digests, and checked
//! through a small in-process cache so that a partner's feed polling costs no query per request.

use std::time::Duration;

use super::digest;
use crate::db::{DbError, DbPool};
use crate::domain::password;

/// Every key starts with this, so that leaked keys are easy to recognise and grep for.
pub const KEY_PREFIX: &str = "khk_";
const SECRET_CHARS: usize = 40;
/// How much of a key is kept in clear to tell keys apart in listings.
const SHOWN_CHARS: usize = KEY_PREFIX.len() + 8;
/// A revoked key, or the key of a disabled partner, keeps working this long on nodes other than
/// the one that revoked it (that one forgets at once).
pub const CACHE_TTL: Duration = Duration::from_secs(30);
const CACHE_ENTRIES: u64 = 10_000;

/// A new key: (the key, its shown prefix, its digest).
pub fn generate() -> Result<(String, String, String), DbError> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let secret = anyhow::Context::context(
        password::random_string(ALPHABET, SECRET_CHARS),
        "cannot generate an API key",
    )?;
    let key = format!("{KEY_PREFIX}{secret}");
    let shown = key[..SHOWN_CHARS].to_owned();
    let digest = digest(&key);
    Ok((key, shown, digest))
}

/// Whether `key` could be a key at all: anything else is refused without a lookup.
fn well_formed(key: &str) -> bool {
    key.len() == KEY_PREFIX.len() + SECRET_CHARS
        && key.starts_with(KEY_PREFIX)
        && key[KEY_PREFIX.len()..].bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Answers "which live key is this?", remembering answers (unknown ones too) for [`CACHE_TTL`].
#[derive(Clone)]
pub struct ApiKeyVerifier {
    pool: DbPool,
    known: moka::sync::Cache<String, Option<i64>>,
}

impl ApiKeyVerifier {
    pub fn new(pool: DbPool) -> Self {
        ApiKeyVerifier {
            pool,
            known: moka::sync::Cache::builder()
                .max_capacity(CACHE_ENTRIES)
                .time_to_live(CACHE_TTL)
                .build(),
        }
    }

    /// The id of the live key `key` is, or `None` for a malformed, unknown or revoked key or
    /// one whose owner is disabled.
    pub async fn verify(&self, key: &str) -> Result<Option<i64>, DbError> {
        if !well_formed(key) {
            return Ok(None);
        }
        let digest = digest(key);
        if let Some(known) = self.known.get(&digest) {
            return Ok(known);
        }
        let lookup = digest.clone();
        let id = crate::db::run(&self.pool, move |conn| {
            crate::db::queries::api_keys::live_key_id(conn, &lookup)
        })
        .await?;
        self.known.insert(digest, id);
        Ok(id)
    }

    /// Drops every remembered answer: after a key is revoked or a user changed on this node.
    pub fn forget_all(&self) {
        self.known.invalidate_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_well_formed_and_distinct() {
        let (a, shown, digest_a) = generate().unwrap();
        let (b, _, _) = generate().unwrap();
        assert!(well_formed(&a) && well_formed(&b));
        assert_ne!(a, b);
        assert!(a.starts_with(&shown) && shown.len() == 12);
        assert_eq!(digest_a, digest(&a));
        assert_eq!(digest_a.len(), 64);
    }

    #[test]
    fn malformed_keys_are_refused_without_a_lookup() {
        for key in [
            "",
            "khk_",
            "khk_short",
            "xyz_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ] {
            assert!(!well_formed(key), "{key}");
        }
        let (key, _, _) = generate().unwrap();
        let mut bad = key.clone();
        bad.replace_range(10..11, "!");
        assert!(!well_formed(&bad));
    }
}
