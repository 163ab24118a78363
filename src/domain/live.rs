//! Live coverage: what an editor writes to make an article a live blog and to post its entries,
//! the checks that need no database, and what can happen to a live blog (the change log's live
//! kinds, which readers receive as events).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::blocks::Block;
use super::editorial::{checked_body, unique, BylineInput};
use super::kinds::LiveState;
use super::validation::{Checks, FieldCode, FieldError};

pub const MAX_ENTRY_TITLE_CHARS: usize = 300;
/// An entry is a quick update, not an article.
pub const MAX_ENTRY_BLOCKS: usize = 100;
pub const MAX_ENTRY_BYLINES: usize = 10;

/// Makes an article a live blog, or changes its state or coverage times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"state": "live"}))]
pub struct LiveBlogInput {
    pub state: LiveState,
    /// When coverage began; the first time the blog went live unless given.
    #[serde(default)]
    pub coverage_start: Option<DateTime<Utc>>,
    /// When coverage ended; the time it is set `ended` unless given. Not before the start.
    #[serde(default)]
    pub coverage_end: Option<DateTime<Utc>>,
}

/// The writable fields of a live entry. `PATCH` applies a JSON merge patch (RFC 7386) to them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "وصول تعزيزات إلى محيط مطار طرابلس",
    "body": [{"type": "paragraph", "html": "أفاد مراسل <strong>فرانس برس</strong> بوصول تعزيزات."}],
    "bylines": [{"contributor": "afp", "role": "agency"}],
    "key_event": true
}))]
pub struct LiveEntryInput {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 300)]
    pub title: Option<String>,
    /// The article's block types; at least one block.
    #[schema(min_items = 1, max_items = 100)]
    pub body: Vec<Block>,
    /// The entry's own credits (a live blog has several hands); none means the blog's.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub bylines: Vec<BylineInput>,
    /// A turning point: listed apart for readers who arrive late.
    #[serde(default)]
    pub key_event: bool,
    /// Shown first, above the newest; pinning one entry unpins the one pinned before.
    #[serde(default)]
    pub pinned: bool,
    /// The summary of the story so far; one per blog, like the pin.
    #[serde(default)]
    pub summary: bool,
}

impl LiveEntryInput {
    /// Checks what can be checked without the database and sanitizes the body's inline HTML;
    /// an empty title is no title.
    pub fn checked(mut self) -> Result<Self, Vec<FieldError>> {
        let mut checks = Checks::default();
        self.title = self.title.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        checks.length("/title", self.title.as_deref(), MAX_ENTRY_TITLE_CHARS);
        if self.body.is_empty() {
            checks.fail_with("/body", FieldCode::Required, "an entry needs at least one block");
        }
        if self.body.len() > MAX_ENTRY_BLOCKS {
            checks.push(FieldError::too_many("/body", MAX_ENTRY_BLOCKS));
        } else {
            self.body = checked_body(&mut checks, "/body", std::mem::take(&mut self.body));
        }
        if self.bylines.len() > MAX_ENTRY_BYLINES {
            checks.push(FieldError::too_many("/bylines", MAX_ENTRY_BYLINES));
        }
        unique(
            &mut checks,
            "/bylines",
            self.bylines.iter().map(|b| (b.contributor.as_str(), b.role)),
        );
        checks.finish().map(|()| self)
    }

    /// The media public ids the body shows, in order, once each.
    pub fn media_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        for id in self.body.iter().filter_map(Block::media_id) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    }
}

/// A blog's coverage: when it started and, once it ended, when it ended.
pub type Coverage = (DateTime<Utc>, Option<DateTime<Utc>>);

impl LiveBlogInput {
    /// The coverage times once this input applies to a blog that had `before` (start, end),
    /// at `now`: the start stays unless given, the end is set when the blog ends and cleared
    /// when it goes live again.
    pub fn coverage(
        &self,
        before: Option<Coverage>,
        now: DateTime<Utc>,
    ) -> Result<Coverage, Vec<FieldError>> {
        let start = self
            .coverage_start
            .or(before.map(|(start, _)| start))
            .unwrap_or(now);
        let end = match self.state {
            LiveState::Ended => Some(
                self.coverage_end
                    .or(before.and_then(|(_, end)| end))
                    .unwrap_or(now),
            ),
            LiveState::Live | LiveState::Paused => self.coverage_end,
        };
        let mut checks = Checks::default();
        if end.is_some_and(|end| end < start) {
            checks.fail_with(
                "/coverage_end",
                FieldCode::Inconsistent,
                "coverage cannot end before it starts",
            );
        }
        checks.finish().map(|()| (start, end))
    }
}

/// The longest an article stays breaking news in one go.
pub const MAX_BREAKING_HOURS: i64 = 72;

/// Flags an article as breaking news until a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"until": "2020-06-04T14:00:00Z"}))]
pub struct BreakingInput {
    /// In the future, at most 72 hours ahead.
    pub until: DateTime<Utc>,
}

impl BreakingInput {
    pub fn checked(self, now: DateTime<Utc>) -> Result<Self, Vec<FieldError>> {
        let mut checks = Checks::default();
        if self.until <= now {
            checks.fail_with("/until", FieldCode::OutOfRange, "must be in the future");
        } else if self.until > now + chrono::Duration::hours(MAX_BREAKING_HOURS) {
            checks.fail_with(
                "/until",
                FieldCode::OutOfRange,
                format!("at most {MAX_BREAKING_HOURS} hours ahead"),
            );
        }
        checks.finish().map(|()| self)
    }
}

/// What happened on a live blog, as the change log records it and readers receive it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LiveChange {
    /// A new entry.
    EntryPublished,
    /// An entry's text, credits or flags changed (pinning has its own kinds).
    EntryUpdated,
    /// An entry was deleted; a tombstone: remove it from the page.
    EntryDeleted,
    EntryPinned,
    EntryUnpinned,
    /// The blog's state or coverage times changed.
    StateChanged,
}

impl LiveChange {
    pub const ALL: [LiveChange; 6] = [
        LiveChange::EntryPublished,
        LiveChange::EntryUpdated,
        LiveChange::EntryDeleted,
        LiveChange::EntryPinned,
        LiveChange::EntryUnpinned,
        LiveChange::StateChanged,
    ];

    /// The change log's `kind`.
    pub fn log_kind(self) -> &'static str {
        match self {
            LiveChange::EntryPublished => "live_entry_published",
            LiveChange::EntryUpdated => "live_entry_updated",
            LiveChange::EntryDeleted => "live_entry_deleted",
            LiveChange::EntryPinned => "live_entry_pinned",
            LiveChange::EntryUnpinned => "live_entry_unpinned",
            LiveChange::StateChanged => "live_state",
        }
    }

    /// The Server-Sent Events `event:` name (and the JSON `kind`).
    pub fn event_name(self) -> &'static str {
        match self {
            LiveChange::EntryPublished => "entry_published",
            LiveChange::EntryUpdated => "entry_updated",
            LiveChange::EntryDeleted => "entry_deleted",
            LiveChange::EntryPinned => "entry_pinned",
            LiveChange::EntryUnpinned => "entry_unpinned",
            LiveChange::StateChanged => "state_changed",
        }
    }

    pub fn from_log_kind(kind: &str) -> Option<LiveChange> {
        LiveChange::ALL.into_iter().find(|c| c.log_kind() == kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(body: serde_json::Value) -> LiveEntryInput {
        serde_json::from_value(serde_json::json!({"body": body})).unwrap()
    }

    #[test]
    fn an_entry_needs_a_body_and_is_sanitized() {
        let errors = entry(serde_json::json!([])).checked().unwrap_err();
        assert_eq!(errors[0].field, "/body");
        let clean = entry(serde_json::json!([{"type": "paragraph", "html": "a<script>x</script><b>b</b>"}]))
            .checked()
            .unwrap();
        assert_eq!(
            clean.body,
            vec![Block::Paragraph {
                html: "a<b>b</b>".into()
            }]
        );
        let mut titled = clean.clone();
        titled.title = Some("  ".into());
        assert_eq!(titled.checked().unwrap().title, None);
        let mut long = entry(serde_json::json!([{"type": "divider"}]));
        long.title = Some("ع".repeat(MAX_ENTRY_TITLE_CHARS + 1));
        assert_eq!(long.checked().unwrap_err()[0].field, "/title");
    }

    #[test]
    fn coverage_ends_when_the_blog_ends_and_not_before_it_starts() {
        let now: DateTime<Utc> = "2020-06-04T12:00:00Z".parse().unwrap();
        let start: DateTime<Utc> = "2020-06-03T08:00:00Z".parse().unwrap();
        let input = |state, end| LiveBlogInput {
            state,
            coverage_start: None,
            coverage_end: end,
        };
        assert_eq!(
            input(LiveState::Live, None).coverage(None, now).unwrap(),
            (now, None)
        );
        assert_eq!(
            input(LiveState::Ended, None)
                .coverage(Some((start, None)), now)
                .unwrap(),
            (start, Some(now))
        );
        assert_eq!(
            input(LiveState::Live, None)
                .coverage(Some((start, Some(now))), now)
                .unwrap(),
            (start, None)
        );
        let early: DateTime<Utc> = "2020-06-01T00:00:00Z".parse().unwrap();
        let errors = input(LiveState::Ended, Some(early))
            .coverage(Some((start, None)), now)
            .unwrap_err();
        assert_eq!(errors[0].field, "/coverage_end");
        for change in LiveChange::ALL {
            assert_eq!(LiveChange::from_log_kind(change.log_kind()), Some(change));
        }
    }
}
