//! The change log's vocabulary: what happened to a public article, and the cursor a reader
//! holds. A cursor is opaque to clients (they only hand it back); it names a position in the
//! log, never a time, so that changes made in the same millisecond, or committed out of the
//! order of their clocks, are neither skipped nor read twice.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// What happened to an article, as the public sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// It became public: published, or its embargo lifted, or published again.
    Published,
    /// It was public and what readers see of it changed.
    Updated,
    /// It stopped being public (unpublished, or embargoed again); a tombstone.
    Withdrawn,
    /// It was deleted while public; a tombstone.
    Deleted,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Published => "published",
            ChangeKind::Updated => "updated",
            ChangeKind::Withdrawn => "withdrawn",
            ChangeKind::Deleted => "deleted",
        }
    }

    pub fn parse(text: &str) -> Option<ChangeKind> {
        [
            ChangeKind::Published,
            ChangeKind::Updated,
            ChangeKind::Withdrawn,
            ChangeKind::Deleted,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

const CURSOR_PREFIX: &str = "log1.";

/// The cursor of the log's position `seq`.
pub fn cursor(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{seq}"))
}

/// The position a cursor names, if it is one of ours.
pub fn position(cursor: &str) -> Option<i64> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim()).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    text.strip_prefix(CURSOR_PREFIX)?
        .parse::<i64>()
        .ok()
        .filter(|seq| *seq >= 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_nothing_else_is_one() {
        for seq in [0, 1, 42, i64::MAX] {
            assert_eq!(position(&cursor(seq)), Some(seq));
        }
        for bad in [
            "",
            "42",
            "bG9nMS4tMQ",
            "not base64!",
            &URL_SAFE_NO_PAD.encode("log2.5"),
        ] {
            assert_eq!(position(bad), None, "{bad}");
        }
        for kind in [
            ChangeKind::Published,
            ChangeKind::Updated,
            ChangeKind::Withdrawn,
            ChangeKind::Deleted,
        ] {
            assert_eq!(ChangeKind::parse(kind.as_str()), Some(kind));
        }
    }
}
