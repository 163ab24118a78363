//! Shapes of the write API: the editable form of an article, revisions, corrections.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::editorial::{ArticleInput, FieldChange};
use crate::domain::kinds::ArticleStatus;
use crate::domain::workflow::ArticleActions;

/// An article as editors see it: its writable fields, plus the state only operations change.
/// `ETag` is its version (`"v3"`); send it back in `If-Match` to change the article.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EditableArticle {
    pub id: String,
    /// Goes up by one with every change; `If-Match` names it.
    pub version: i32,
    pub status: ArticleStatus,
    /// The user who created the article.
    pub author_user_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub first_published_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub scheduled_at: Option<DateTime<Utc>>,
    /// Public ids of the same story in other languages.
    pub translations: Vec<String>,
    pub corrections: Vec<CorrectionView>,
    /// What partners would object to, though publishing is allowed: a featured image
    /// narrower than KHABAR_FEATURED_IMAGE_MIN_WIDTH (Google Discover asks for 1200 px).
    pub warnings: Vec<Warning>,
    /// What the caller may do with the article now (workflow moves, edits, corrections).
    pub actions: ArticleActions,
    #[serde(flatten)]
    pub fields: ArticleInput,
}

/// Something an editor should know before publishing; it blocks nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Warning {
    /// A JSON pointer to the field concerned.
    #[schema(example = "/featured_media")]
    pub field: String,
    /// What it is, stable for clients to translate.
    pub code: WarningCode,
    /// The bound concerned (the width partners want, in pixels).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// The same in English, for a human reading the raw answer.
    pub detail: String,
}

/// The kinds of warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum WarningCode {
    /// The featured image is narrower than partners want (`limit` pixels).
    NarrowFeaturedImage,
    /// The featured image's width is not known.
    UnknownImageWidth,
}

impl EditableArticle {
    pub fn etag(&self) -> String {
        version_etag(self.version)
    }
}

/// The entity tag of an article version.
pub fn version_etag(version: i32) -> String {
    format!("\"v{version}\"")
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CorrectionView {
    pub corrected_at: DateTime<Utc>,
    pub note: String,
}

/// A workflow move.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "published"}))]
pub struct TransitionRequest {
    pub to: ArticleStatus,
    /// Required with `to: scheduled`: when the article publishes itself.
    #[serde(default)]
    pub scheduled_at: Option<DateTime<Utc>>,
}

/// A correction appended to a published article.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "An earlier version misspelled the minister's name."}))]
pub struct CorrectionRequest {
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
    /// When the correction was made; now when absent.
    #[serde(default)]
    pub corrected_at: Option<DateTime<Utc>>,
}

/// One saved version of an article.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevisionSummary {
    pub version: i32,
    /// What made it: create, update, transition:published, correction, restore:3, …
    pub action: String,
    pub actor_user_id: Option<i64>,
    /// Who made it, as people know them: the user's display name, else their email.
    pub actor_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevisionView {
    #[serde(flatten)]
    pub summary: RevisionSummary,
    /// The article's writable fields and status at that version.
    #[schema(value_type = Object)]
    pub snapshot: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevisionDiff {
    pub from: i32,
    pub to: i32,
    pub changes: Vec<FieldChange>,
}

/// A preview link for a front-end.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PreviewLink {
    pub id: String,
    /// Signed token; `GET /v1/preview/{token}` shows the article as it would be published.
    pub token: String,
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewLinkRequest {
    /// Lifetime in seconds, 60 to 604800 (7 days); default 86400.
    #[serde(default)]
    pub expires_in: Option<i64>,
}
