//! What an editor writes: the writable fields of an article, and the checks that need no
//! database. References (contributors, topics, media, articles) are checked by the data layer.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::blocks::{self, Block};
use super::kinds::BylineRole;
use super::language::Language;
use super::slug;
use super::validation::{Checks, FieldCode, FieldError};

pub const MAX_HEADLINE_CHARS: usize = 300;
pub const MAX_LEAD_CHARS: usize = 2_000;
pub const MAX_BLOCKS: usize = 500;
pub const MAX_LINKS: usize = 50;

/// The writable fields of an article. `PATCH` applies a JSON merge patch (RFC 7386) to these;
/// status, version and timestamps change only through their own operations. Unknown fields are
/// refused with a 422 that names them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "language": "ar",
    "headline": "السراج يستقبل وزير الدفاع التركي في طرابلس",
    "lead": "استقبل رئيس حكومة الوفاق الوطني الليبية فايز السراج وزير الدفاع التركي خلوصي أكار",
    "body": [{"type": "paragraph", "html": "وصل وزير الدفاع التركي إلى <strong>طرابلس</strong>."}],
    "bylines": [{"contributor": "euronews", "role": "author"}, {"contributor": "afp", "role": "agency"}],
    "topics": [{"topic": "libya", "primary": true}]
}))]
pub struct ArticleInput {
    /// BCP 47 language tag.
    #[schema(min_length = 2, max_length = 35)]
    pub language: String,
    /// Generated from the headline when absent (Arabic kept); unique per language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, max_length = 200)]
    pub slug: Option<String>,
    #[schema(min_length = 1, max_length = 300)]
    pub headline: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub lead: Option<String>,
    /// The dateline place, e.g. "طرابلس".
    #[serde(default)]
    #[schema(max_length = 200)]
    pub dateline: Option<String>,
    #[serde(default)]
    #[schema(pattern = "^https?://")]
    pub canonical_url: Option<String>,
    #[serde(default)]
    #[schema(max_items = 500)]
    pub body: Vec<Block>,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub bylines: Vec<BylineInput>,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub topics: Vec<TopicLinkInput>,
    #[serde(default)]
    pub featured_media: Option<FeaturedMediaInput>,
    /// Public ids of curated related articles, in order.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub related: Vec<String>,
    /// The public id of an article this one translates; joins its translation group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translation_of: Option<String>,
    /// Not public before this time, even once published.
    #[serde(default)]
    pub embargo_until: Option<DateTime<Utc>>,
}

/// What `POST /v1/articles` takes: the writable fields and, for an archive brought in by an
/// admin, the article's past.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewArticleInput {
    #[serde(flatten)]
    pub fields: ArticleInput,
    /// Admins only: create the article as it was, published (or archived) at its original
    /// times. It is compiled as of then, sends no webhooks, and keeps one revision (`import`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<ArticleHistory>,
}

/// An imported article's past. Every time is in the past and in this order:
/// `first_published_at` ≤ `published_at` ≤ `updated_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleHistory {
    /// `published`, `unpublished` or `archived`.
    pub status: super::kinds::ArticleStatus,
    pub first_published_at: DateTime<Utc>,
    /// When it was last (re)published; defaults to `first_published_at`.
    #[serde(default)]
    pub published_at: Option<DateTime<Utc>>,
    /// When it last changed; defaults to `published_at`.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

/// When an article was first published, last published and last changed.
pub type PublicationTimes = (DateTime<Utc>, DateTime<Utc>, DateTime<Utc>);

impl ArticleHistory {
    /// The times once checked against `now`.
    pub fn times(&self, now: DateTime<Utc>) -> Result<PublicationTimes, Vec<FieldError>> {
        use super::kinds::ArticleStatus;
        let mut checks = Checks::default();
        if !matches!(
            self.status,
            ArticleStatus::Published | ArticleStatus::Unpublished | ArticleStatus::Archived
        ) {
            checks.fail_with(
                "/history/status",
                FieldCode::WrongType,
                "published, unpublished or archived",
            );
        }
        let first = self.first_published_at;
        let published = self.published_at.unwrap_or(first);
        let updated = self.updated_at.unwrap_or(published);
        if published < first {
            checks.fail_with(
                "/history/published_at",
                FieldCode::Inconsistent,
                "before first_published_at",
            );
        }
        if updated < published {
            checks.fail_with(
                "/history/updated_at",
                FieldCode::Inconsistent,
                "before published_at",
            );
        }
        if updated > now {
            checks.fail_with(
                "/history",
                FieldCode::Inconsistent,
                "times are in the past; schedule future publication instead",
            );
        }
        checks.finish().map(|()| (first, published, updated))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BylineInput {
    /// The contributor's slug.
    pub contributor: String,
    pub role: BylineRole,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicLinkInput {
    /// The topic's slug.
    pub topic: String,
    /// At most one topic is primary (the section a page files the article under).
    #[serde(default)]
    pub primary: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeaturedMediaInput {
    /// The media asset's public id.
    pub media_id: String,
    /// Replaces the asset's caption in this article only.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub caption: Option<String>,
}

impl ArticleInput {
    /// Checks what can be checked without the database, normalizes the language tag, and
    /// sanitizes the body's inline HTML.
    pub fn checked(mut self) -> Result<Self, Vec<FieldError>> {
        let mut checks = Checks::default();
        match Language::parse(&self.language) {
            Ok(language) => self.language = language.as_str().to_owned(),
            Err(e) => checks.fail_with("/language", FieldCode::Format, e.to_string()),
        }
        if let Some(candidate) = &self.slug {
            match slug::parse(candidate) {
                Ok(normalized) => self.slug = Some(normalized),
                Err(e) => checks.fail_with("/slug", FieldCode::Format, e.to_string()),
            }
        }
        checks.text("/headline", &self.headline, MAX_HEADLINE_CHARS);
        if self.slug.is_none() && slug::slugify(&self.headline).is_empty() && checks.is_empty() {
            checks.fail_with(
                "/slug",
                FieldCode::Required,
                "the headline has no letters to make a slug from; give one",
            );
        }
        checks.length("/lead", self.lead.as_deref(), MAX_LEAD_CHARS);
        checks.length("/dateline", self.dateline.as_deref(), 200);
        if let Some(featured) = &self.featured_media {
            checks.length(
                "/featured_media/caption",
                featured.caption.as_deref(),
                blocks::MAX_CAPTION_CHARS,
            );
        }
        checks.web_url("/canonical_url", self.canonical_url.as_deref());
        if self.body.len() > MAX_BLOCKS {
            checks.push(FieldError::too_many("/body", MAX_BLOCKS));
        }
        self.body = checked_body(&mut checks, "/body", std::mem::take(&mut self.body));
        unique(
            &mut checks,
            "/bylines",
            self.bylines.iter().map(|b| (b.contributor.as_str(), b.role)),
        );
        unique(
            &mut checks,
            "/topics",
            self.topics.iter().map(|t| t.topic.as_str()),
        );
        unique(&mut checks, "/related", self.related.iter().map(String::as_str));
        if self.topics.iter().filter(|t| t.primary).count() > 1 {
            checks.fail_with(
                "/topics",
                FieldCode::Inconsistent,
                "at most one topic can be primary",
            );
        }
        for (field, count) in [
            ("/bylines", self.bylines.len()),
            ("/topics", self.topics.len()),
            ("/related", self.related.len()),
        ] {
            if count > MAX_LINKS {
                checks.push(FieldError::too_many(field, MAX_LINKS));
            }
        }
        checks.finish().map(|()| self)
    }

    /// Every media public id the article shows (featured first, then the body's, in order).
    pub fn media_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.featured_media.iter().map(|m| m.media_id.as_str()).collect();
        for id in self.body.iter().filter_map(Block::media_id) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    }
}

/// The blocks of a body (an article's, a live entry's) checked and sanitized; what fails is
/// named under `field`.
pub(crate) fn checked_body(checks: &mut Checks, field: &str, body: Vec<Block>) -> Vec<Block> {
    match blocks::validate_and_sanitize(body) {
        Ok(clean) => clean,
        Err(errors) => {
            checks.extend(errors.into_iter().map(|e| {
                let error = FieldError::coded(format!("{field}/{}/{}", e.index, e.field), e.code, e.message);
                match e.limit {
                    Some(limit) => error.with_limit(limit as u64),
                    None => error,
                }
            }));
            Vec::new()
        }
    }
}

pub(crate) fn unique<T: Eq + std::hash::Hash>(
    checks: &mut Checks,
    field: &str,
    items: impl Iterator<Item = T>,
) {
    let mut seen = HashSet::new();
    for (index, item) in items.enumerate() {
        if !seen.insert(item) {
            checks.fail_with(format!("{field}/{index}"), FieldCode::Duplicate, "listed twice");
        }
    }
}

/// Picks a free slug: `base`, then `base-2`, `base-3`… `taken` says whether one is in use, and
/// may fail (it asks the database), which ends the search with its error.
pub fn free_slug<E>(base: &str, mut taken: impl FnMut(&str) -> Result<bool, E>) -> Result<String, E> {
    if !taken(base)? {
        return Ok(base.to_owned());
    }
    for n in 2.. {
        let candidate = format!("{base}-{n}");
        if !taken(&candidate)? {
            return Ok(candidate);
        }
    }
    unreachable!("an unbounded range has a free slug")
}

/// Applies a JSON merge patch (RFC 7386) to `target`.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    use serde_json::Value;
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    let Value::Object(map) = target else {
        unreachable!("made an object above")
    };
    for (key, value) in patch {
        if value.is_null() {
            map.remove(key);
        } else {
            merge_patch(map.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

/// One changed field between two revisions.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldChange {
    /// The top-level field that differs.
    pub field: String,
    #[schema(value_type = Object)]
    pub from: serde_json::Value,
    #[schema(value_type = Object)]
    pub to: serde_json::Value,
}

/// The top-level fields of two JSON objects that differ, in name order.
pub fn diff(from: &serde_json::Value, to: &serde_json::Value) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let from_map = from.as_object().unwrap_or(&empty);
    let to_map = to.as_object().unwrap_or(&empty);
    let mut fields: Vec<&String> = from_map.keys().chain(to_map.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter_map(|field| {
            let (a, b) = (
                from_map.get(field).cloned().unwrap_or_default(),
                to_map.get(field).cloned().unwrap_or_default(),
            );
            (a != b).then(|| FieldChange {
                field: field.clone(),
                from: a,
                to: b,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn input(value: serde_json::Value) -> ArticleInput {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn valid_input_is_normalized_and_sanitized() {
        let checked = input(json!({
            "language": "AR-eg", "headline": "عنوان",
            "body": [{"type": "paragraph", "html": "نص <script>x</script><b>قوي</b>"}]
        }))
        .checked()
        .unwrap();
        assert_eq!(checked.language, "ar-EG");
        assert_eq!(
            checked.body,
            vec![Block::Paragraph {
                html: "نص <b>قوي</b>".into()
            }]
        );
    }

    #[test]
    fn every_problem_is_named_by_pointer() {
        let errors = input(json!({
            "language": "not a tag", "headline": " ", "slug": "Bad Slug",
            "canonical_url": "javascript:alert(1)",
            "body": [{"type": "heading", "level": 7, "text": "x"}],
            "topics": [{"topic": "a", "primary": true}, {"topic": "a", "primary": true}]
        }))
        .checked()
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "/language",
                "/slug",
                "/headline",
                "/canonical_url",
                "/body/0/level",
                "/topics/1",
                "/topics"
            ]
        );
    }

    #[test]
    fn free_slug_counts_up() {
        let taken = ["a", "a-2"];
        let check = |s: &str| Ok::<_, ()>(taken.contains(&s));
        assert_eq!(free_slug("a", check), Ok("a-3".to_owned()));
        assert_eq!(free_slug("b", check), Ok("b".to_owned()));
        assert_eq!(free_slug("c", |_| Err("database down")), Err("database down"));
    }

    #[test]
    fn merge_patch_follows_rfc_7386() {
        let mut doc = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut doc, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(doc, json!({"a": "z", "c": {"d": "e"}}));
        merge_patch(&mut doc, &json!({"c": [1]}));
        assert_eq!(doc, json!({"a": "z", "c": [1]}));
    }

    #[test]
    fn diff_lists_changed_fields() {
        let changes = diff(
            &json!({"headline": "a", "lead": "x"}),
            &json!({"headline": "b", "lead": "x"}),
        );
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "headline");
    }
}
