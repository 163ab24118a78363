//! The change log's vocabulary: what happened to a public article, and the cursor a reader
//! holds. A cursor is opaque to clients (they only hand it back); it names a position in the
//! log, never a time, so that changes made in the same millisecond, or committed out of the
//! order of their clocks, are neither skipped nor read twice.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

pub use super::live::LiveChange;

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

/// What an entry of the change log records: an article's public life, or a change to the
/// catalog around it (lists and catalog pages show topics, contributors, media and follow
/// redirects), or `Everything` (an import or a recompile, too large to name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogKind {
    Article(ChangeKind),
    Topic,
    Contributor,
    Media,
    Redirect,
    Everything,
    /// Something happened on a live blog (the subject is its article, the entry is `item`).
    Live(LiveChange),
}

impl LogKind {
    pub const ALL: [LogKind; 15] = [
        LogKind::Article(ChangeKind::Published),
        LogKind::Article(ChangeKind::Updated),
        LogKind::Article(ChangeKind::Withdrawn),
        LogKind::Article(ChangeKind::Deleted),
        LogKind::Topic,
        LogKind::Contributor,
        LogKind::Media,
        LogKind::Redirect,
        LogKind::Everything,
        LogKind::Live(LiveChange::EntryPublished),
        LogKind::Live(LiveChange::EntryUpdated),
        LogKind::Live(LiveChange::EntryDeleted),
        LogKind::Live(LiveChange::EntryPinned),
        LogKind::Live(LiveChange::EntryUnpinned),
        LogKind::Live(LiveChange::StateChanged),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LogKind::Article(kind) => kind.as_str(),
            LogKind::Topic => "topic",
            LogKind::Contributor => "contributor",
            LogKind::Media => "media",
            LogKind::Redirect => "redirect",
            LogKind::Everything => "everything",
            LogKind::Live(change) => change.log_kind(),
        }
    }

    pub fn parse(text: &str) -> Option<LogKind> {
        LogKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The surrogate keys an edge must purge for an entry of this kind about `subject` (an
    /// article's public id, a topic's or contributor's slug, a media asset's public id): the
    /// subject's own key, which every answer showing it carries, and the lists; everything for
    /// `Everything`.
    pub fn keys(self, subject: &str) -> String {
        match self {
            LogKind::Article(_) => format!("article-{subject} {LISTS_KEY}"),
            LogKind::Topic => format!("topic-{subject} {LISTS_KEY}"),
            LogKind::Contributor => format!("contributor-{subject} {LISTS_KEY}"),
            LogKind::Media => format!("media-{subject} {LISTS_KEY}"),
            LogKind::Redirect => LISTS_KEY.to_owned(),
            LogKind::Everything => ALL_KEY.to_owned(),
            // The live reads are the article's own; what the article shows of its entries
            // (its times, its JSON-LD) changes with a recompile that logs its own entry.
            LogKind::Live(_) => format!("article-{subject}"),
        }
    }
}

/// The surrogate key every answer carries, so that one purge empties an edge cache.
pub const ALL_KEY: &str = "all";
/// The surrogate key of every answer that is not one article's own (lists, feeds, search,
/// sitemaps, catalog pages).
pub const LISTS_KEY: &str = "lists";

/// Who made a change and in answer to which request, for the log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// `user:<id>`, `api-key:<id>`, `scheduler`, `cli`, `demo`.
    pub actor: Option<String>,
    /// The request's `X-Request-Id`.
    pub request_id: Option<String>,
    /// Not news to partners: no webhook is made from the change (an archive imported without
    /// `--webhooks`, an article created with its past). Caches, the edge and the public feed
    /// follow it like any other.
    pub quiet: bool,
}

impl Origin {
    /// A change Khabar makes on its own or on an operator's command (`scheduler`, `import`,
    /// `cli`, `demo`), not in answer to a request.
    pub fn system(name: &str) -> Origin {
        Origin {
            actor: Some(name.to_owned()),
            request_id: None,
            quiet: false,
        }
    }

    /// The same origin, but not news to partners.
    pub fn quietly(&self) -> Origin {
        Origin {
            quiet: true,
            ..self.clone()
        }
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
        for kind in LogKind::ALL {
            assert_eq!(LogKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(LogKind::parse("Published"), None);
        assert_eq!(LogKind::Everything.keys(""), "all");
        assert_eq!(LogKind::Topic.keys("libya"), "topic-libya lists");
    }
}
