//! Topics, contributors and media assets as the public API shows them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::article::ArticleMediaView;
use super::utc;
use crate::db::models::contributor::Contributor;
use crate::db::models::media::{MediaAsset, Rendition};
use crate::db::models::topic::Topic;
use crate::domain::kinds::{ContributorKind, TopicKind};

fn names(json: &str) -> BTreeMap<String, String> {
    serde_json::from_str(json).unwrap_or_default()
}

/// A topic: tag, section, place, person, organisation or event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopicView {
    pub slug: String,
    pub kind: TopicKind,
    pub name: String,
    /// Names by BCP 47 language tag.
    #[schema(example = json!({"ar": "ليبيا", "en": "Libya"}))]
    pub names: BTreeMap<String, String>,
    pub description: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// A topic with its place in the hierarchy.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopicDetail {
    #[serde(flatten)]
    pub topic: TopicView,
    pub parent: Option<TopicView>,
    pub children: Vec<TopicView>,
}

impl TopicView {
    pub fn from_row(topic: &Topic) -> Self {
        TopicView {
            slug: topic.slug.clone(),
            kind: topic.kind,
            name: topic.name.clone(),
            names: names(&topic.localized_names),
            description: topic.description.clone(),
            updated_at: utc(topic.updated_at),
        }
    }
}

/// A person, organisation or news agency credited on articles.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContributorView {
    pub slug: String,
    pub kind: ContributorKind,
    pub name: String,
    /// Names by BCP 47 language tag.
    #[schema(example = json!({"ar": "أ ف ب", "en": "AFP"}))]
    pub names: BTreeMap<String, String>,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub url: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl ContributorView {
    pub fn from_row(contributor: &Contributor) -> Self {
        ContributorView {
            slug: contributor.slug.clone(),
            kind: contributor.kind,
            name: contributor.name.clone(),
            names: names(&contributor.localized_names),
            bio: contributor.bio.clone(),
            avatar_url: contributor.avatar_url.clone(),
            url: contributor.url.clone(),
            updated_at: utc(contributor.updated_at),
        }
    }
}

/// A media asset with its credit, copyright and usage terms.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediaView {
    #[serde(flatten)]
    pub asset: ArticleMediaView,
    pub updated_at: DateTime<Utc>,
}

impl MediaView {
    pub fn from_row(asset: &MediaAsset, renditions: &[Rendition]) -> Self {
        MediaView {
            asset: ArticleMediaView::from_asset(asset, renditions, asset.caption.clone()),
            updated_at: utc(asset.updated_at),
        }
    }
}
