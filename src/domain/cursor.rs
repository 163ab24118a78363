//! Opaque, tamper-evident pagination cursors.
//!
//! A cursor holds the keyset position (a timestamp in microseconds and an id) and an HMAC over
//! that position and the query it belongs to. A cursor altered, forged, or reused with other
//! filters or another sort fails verification, and the request is refused rather than
//! silently served from the first page.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Bytes of the MAC kept in the cursor: 128 bits is ample against forgery.
const MAC_BYTES: usize = 16;
const POSITION_BYTES: usize = 24;

/// Where a page ends: the sort key of its last item and that item's id, and for relevance
/// sorts the item's score (as the bits of an `f64`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub micros: i64,
    pub id: i64,
    pub score: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the cursor is malformed, was altered, or belongs to a different query")]
pub struct InvalidCursor;

/// Signs and checks cursors with a server-side key.
#[derive(Debug, Clone)]
pub struct CursorSigner {
    key: super::signing::DerivedKey,
}

impl CursorSigner {
    /// Derives the cursor key from a server secret, so that it differs from the secret itself.
    pub fn new(secret: &[u8]) -> Self {
        CursorSigner {
            key: super::signing::DerivedKey::new(secret, "khabar cursor key v1"),
        }
    }

    fn mac(&self, scope: &str, position: &[u8]) -> Hmac<Sha256> {
        let mut mac = self.key.mac();
        mac.update(&(scope.len() as u64).to_be_bytes());
        mac.update(scope.as_bytes());
        mac.update(position);
        mac
    }

    /// `scope` names the query (sort and filters) the cursor is valid for.
    pub fn encode(&self, scope: &str, position: Position) -> String {
        let mut bytes = Vec::with_capacity(POSITION_BYTES + MAC_BYTES);
        bytes.extend_from_slice(&position.micros.to_be_bytes());
        bytes.extend_from_slice(&position.id.to_be_bytes());
        bytes.extend_from_slice(&position.score.to_be_bytes());
        let tag = self.mac(scope, &bytes).finalize().into_bytes();
        bytes.extend_from_slice(&tag[..MAC_BYTES]);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    pub fn decode(&self, scope: &str, cursor: &str) -> Result<Position, InvalidCursor> {
        let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| InvalidCursor)?;
        if bytes.len() != POSITION_BYTES + MAC_BYTES {
            return Err(InvalidCursor);
        }
        let (position, tag) = bytes.split_at(POSITION_BYTES);
        self.mac(scope, position)
            .verify_truncated_left(tag)
            .map_err(|_| InvalidCursor)?;
        let micros = i64::from_be_bytes(position[..8].try_into().map_err(|_| InvalidCursor)?);
        let id = i64::from_be_bytes(position[8..16].try_into().map_err(|_| InvalidCursor)?);
        let score = i64::from_be_bytes(position[16..].try_into().map_err(|_| InvalidCursor)?);
        Ok(Position { micros, id, score })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_within_its_scope_only() {
        let signer = CursorSigner::new(b"secret");
        let position = Position {
            micros: 1_593_801_420_000_000,
            id: 42,
            score: -7,
        };
        let cursor = signer.encode("sort=newest&language=ar", position);
        assert_eq!(signer.decode("sort=newest&language=ar", &cursor), Ok(position));
        assert_eq!(
            signer.decode("sort=newest&language=en", &cursor),
            Err(InvalidCursor)
        );
        assert_eq!(
            CursorSigner::new(b"other").decode("sort=newest&language=ar", &cursor),
            Err(InvalidCursor)
        );
    }

    #[test]
    fn altered_or_garbage_cursors_fail() {
        let signer = CursorSigner::new(b"secret");
        let cursor = signer.encode(
            "s",
            Position {
                micros: 1,
                id: 2,
                score: 3,
            },
        );
        let mut bytes = URL_SAFE_NO_PAD.decode(&cursor).unwrap();
        bytes[15] ^= 1;
        let altered = URL_SAFE_NO_PAD.encode(bytes);
        assert_eq!(signer.decode("s", &altered), Err(InvalidCursor));
        for garbage in ["", "!!!", "AAAA", &cursor[1..]] {
            assert_eq!(signer.decode("s", garbage), Err(InvalidCursor), "{garbage}");
        }
    }
}
