//! Loading a content set (the demo, generated benchmark sets) as editors' changes are made:
//! every contributor, topic and media asset checked by its kind's rules and written through
//! its table's one store function, every article created as an admin creates an archived
//! story through the API ([`articles::create_unattended`]: the same checks, the same rows, a
//! first revision, compiled as of its publication), and each change in the log.

use std::collections::HashMap;

use crate::db::claim::write_transaction;
use crate::db::queries::catalog;
use crate::db::queries::catalog_write::{self, Stamp};
use crate::db::DbConnection;
use crate::domain::blocks::Block;
use crate::domain::catalog::{ContributorInput, MediaInput, TopicInput};
use crate::domain::changes::LogKind;
use crate::domain::content_set::{ArticleSpec, ContentSet, MediaSpec};
use crate::domain::editorial::{
    ArticleHistory, ArticleInput, BylineInput, FeaturedMediaInput, NewArticleInput, TopicLinkInput,
};
use crate::domain::kinds::ArticleStatus;

use super::{articles, EditContext, EditError};

/// What a load created, for the caller to report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inserted {
    pub articles: usize,
    /// Row ids of the created articles, in the order they were created.
    pub article_ids: Vec<i64>,
    pub contributors: usize,
    pub topics: usize,
    pub media: usize,
}

fn unknown(what: &str, key: &str) -> EditError {
    EditError::from(anyhow::anyhow!(
        "the content set refers to an unknown {what} '{key}'"
    ))
}

/// Loads `set`, all or nothing. Contributors and topics its articles name that it does not
/// define are looked up among those stored (so that large sets load in chunks).
pub fn load(conn: &mut DbConnection, ctx: &EditContext, set: &ContentSet) -> Result<Inserted, EditError> {
    write_transaction(conn, |conn| {
        catalog_of(conn, ctx, set)?;
        let media = media_of(conn, ctx, &set.media)?;
        let mut public_ids: HashMap<(&str, &str), String> = HashMap::new();
        let mut article_ids = Vec::with_capacity(set.articles.len());
        for spec in creation_order(&set.articles)? {
            let request = NewArticleInput {
                fields: article_input(spec, &media, &public_ids)?,
                history: Some(ArticleHistory {
                    status: ArticleStatus::Published,
                    first_published_at: spec.published_at.and_utc(),
                    published_at: None,
                    updated_at: None,
                }),
            };
            let article = articles::create_unattended(conn, ctx, request)?;
            public_ids.insert((&spec.language, &spec.slug), article.public_id);
            article_ids.push(article.id);
        }
        for live in &set.live_blogs {
            let public_id = public_ids
                .get(&(live.language.as_str(), live.slug.as_str()))
                .ok_or_else(|| {
                    EditError::invalid(
                        "/live_blogs",
                        crate::domain::validation::FieldCode::NotFound,
                        format!("no article {}/{}", live.language, live.slug),
                    )
                })?;
            articles::live::load_unattended(conn, ctx, public_id, &live.blog, live.entries.clone())?;
        }
        Ok(Inserted {
            articles: set.articles.len(),
            article_ids,
            contributors: set.contributors.len(),
            topics: set.topics.len(),
            media: set.media.len(),
        })
    })
}

/// The set's contributors and topics (parents first), as the API checks them.
fn catalog_of(conn: &mut DbConnection, ctx: &EditContext, set: &ContentSet) -> Result<(), EditError> {
    let stamp = Stamp::now(ctx.now);
    for c in &set.contributors {
        let input = ContributorInput {
            slug: Some(c.slug.clone()),
            kind: c.kind,
            name: c.name.clone(),
            localized_names: c.localized_names.iter().cloned().collect(),
            bio: c.bio.clone(),
            avatar_url: None,
            url: c.url.clone(),
        }
        .checked()
        .map_err(EditError::Invalid)?;
        catalog_write::save_contributor(conn, None, &input, &c.slug, stamp)?;
        crate::delivery::log_catalog_change(conn, LogKind::Contributor, &c.slug, &ctx.origin)?;
    }
    for t in &set.topics {
        let parent_id = match &t.parent {
            Some(parent) => Some(
                catalog::topic_by_slug(conn, parent)?
                    .ok_or_else(|| unknown("topic", parent))?
                    .id,
            ),
            None => None,
        };
        let input = TopicInput {
            slug: Some(t.slug.clone()),
            kind: t.kind,
            name: t.name.clone(),
            localized_names: t.localized_names.iter().cloned().collect(),
            description: None,
            parent: t.parent.clone(),
        }
        .checked()
        .map_err(EditError::Invalid)?;
        catalog_write::save_topic(conn, None, &input, &t.slug, parent_id, stamp)?;
        crate::delivery::log_catalog_change(conn, LogKind::Topic, &t.slug, &ctx.origin)?;
    }
    Ok(())
}

/// The set's media assets, as the API checks them: their public ids by key.
fn media_of(
    conn: &mut DbConnection,
    ctx: &EditContext,
    media: &[MediaSpec],
) -> Result<HashMap<String, String>, EditError> {
    let mut public_ids = HashMap::new();
    for m in media {
        let input = MediaInput {
            kind: m.kind,
            url: m.url.clone(),
            mime_type: m.mime_type.clone(),
            width: m.width,
            height: m.height,
            duration_ms: None,
            alt_text: m.alt_text.clone(),
            caption: m.caption.clone(),
            credit: m.credit.clone(),
            creator: None,
            copyright_holder: m.copyright_holder.clone(),
            license: m.license.clone(),
            source: m.source.clone(),
            renditions: m.renditions.clone(),
            focal_point: None,
            crops: Default::default(),
            localized: m.localized.clone(),
        }
        .checked()
        .map_err(EditError::Invalid)?;
        let public_id = uuid::Uuid::now_v7().to_string();
        catalog_write::save_media(conn, None, &public_id, &input, m.file.as_deref(), ctx.now)?;
        crate::delivery::log_catalog_change(conn, LogKind::Media, &public_id, &ctx.origin)?;
        public_ids.insert(m.key.clone(), public_id);
    }
    Ok(public_ids)
}

/// The set's articles in an order in which each comes after the articles it translates and
/// lists as related (as an editor can only name articles that exist); the set's own order
/// otherwise. A circle of references cannot be created that way and is refused.
fn creation_order(specs: &[ArticleSpec]) -> Result<Vec<&ArticleSpec>, EditError> {
    let key = |s: &ArticleSpec| (s.language.clone(), s.slug.clone());
    let in_set: std::collections::HashSet<(String, String)> = specs.iter().map(key).collect();
    let mut done: std::collections::HashSet<(String, String)> = Default::default();
    let mut order = Vec::with_capacity(specs.len());
    while order.len() < specs.len() {
        let before = order.len();
        for spec in specs {
            if done.contains(&key(spec)) {
                continue;
            }
            let ready = spec
                .translation_of
                .iter()
                .chain(&spec.related)
                .all(|r| done.contains(r) || !in_set.contains(r));
            if ready {
                done.insert(key(spec));
                order.push(spec);
            }
        }
        if order.len() == before {
            return Err(EditError::from(anyhow::anyhow!(
                "the content set's articles refer to each other in a circle"
            )));
        }
    }
    Ok(order)
}

/// An article of the set as the API's create takes it: media and the set's other articles by
/// the public ids they were created with.
fn article_input(
    spec: &ArticleSpec,
    media: &HashMap<String, String>,
    created: &HashMap<(&str, &str), String>,
) -> Result<ArticleInput, EditError> {
    let media_id = |key: &str| media.get(key).cloned().ok_or_else(|| unknown("media", key));
    let article_id = |(language, slug): &(String, String)| {
        created
            .get(&(language.as_str(), slug.as_str()))
            .cloned()
            .ok_or_else(|| unknown("article", slug))
    };
    let body = spec
        .body
        .iter()
        .map(|block| {
            let mut block = block.clone();
            if let Block::Image { media_id: key, .. } = &mut block {
                *key = media_id(key)?;
            }
            Ok(block)
        })
        .collect::<Result<Vec<_>, EditError>>()?;
    Ok(ArticleInput {
        language: spec.language.clone(),
        slug: Some(spec.slug.clone()),
        headline: spec.headline.clone(),
        lead: spec.lead.clone(),
        dateline: spec.dateline.clone(),
        canonical_url: None,
        body,
        bylines: spec
            .bylines
            .iter()
            .map(|(contributor, role)| BylineInput {
                contributor: contributor.clone(),
                role: *role,
            })
            .collect(),
        topics: spec
            .topics
            .iter()
            .enumerate()
            .map(|(position, topic)| TopicLinkInput {
                topic: topic.clone(),
                primary: position == 0,
            })
            .collect(),
        featured_media: match &spec.featured_media {
            Some((key, caption)) => Some(FeaturedMediaInput {
                media_id: media_id(key)?,
                caption: caption.clone(),
            }),
            None => None,
        },
        related: spec.related.iter().map(article_id).collect::<Result<_, _>>()?,
        translation_of: spec.translation_of.as_ref().map(article_id).transpose()?,
        embargo_until: None,
    })
}
