//! The run's delivery forms, compiled from the records in memory (what
//! `article_read::load_record` would read back, built from the record and the references read
//! once), and the articles outside the run that show one of them, compiled again.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::{Accepted, References};
use crate::db::models::article::{Article, ArticleLink, BlockRow, Byline, Correction};
use crate::db::models::media::ArticleMedia;
use crate::db::models::topic::{ArticleTopic, Topic};
use crate::db::queries::article_read::{ArticleRecord as Record, MediaUse, Visibility};
use crate::db::queries::bulk;
use crate::db::{DbConnection, DbError};
use crate::delivery::Compiled;
use crate::domain::kinds::ArticleStatus;
use crate::transfer::apply::{naive, Context};

/// The run's delivery forms, built from the records (each as of when its public form last
/// changed); then the articles outside the run that show one of them, compiled again.
pub(super) fn compile(
    conn: &mut DbConnection,
    ctx: &Context<'_>,
    accepted: &[Accepted<'_>],
    references: &References,
) -> Result<(), DbError> {
    let run_ids: Vec<i64> = accepted.iter().map(|a| a.id).collect();
    let groups: Vec<i64> = {
        let mut groups: Vec<i64> = accepted.iter().map(|a| a.group).collect();
        groups.sort_unstable();
        groups.dedup();
        groups
    };
    let members = bulk::group_members(conn, &groups)?;
    let mut related_ids: Vec<i64> = Vec::new();
    let run_rows: HashMap<&str, i64> = accepted.iter().map(|a| (a.record.id.as_str(), a.id)).collect();
    for article in accepted {
        for public_id in &article.record.related {
            if let Some(row) = references
                .articles
                .get(public_id)
                .map(|(row, _, _)| *row)
                .or_else(|| run_rows.get(public_id.as_str()).copied())
            {
                related_ids.push(row);
            }
        }
    }
    related_ids.sort_unstable();
    related_ids.dedup();
    let links = bulk::links(conn, &related_ids)?;
    let parents = bulk::topic_parents(conn)?;
    // Compiling (HTML, JSON, brotli, the search words) needs no database: on every core.
    let compiled: Vec<Compiled> = crate::transfer::parallel::map(accepted, |article| {
        let record = article.record;
        let (ArticleStatus::Published, Some(published_at)) = (record.status, record.published_at.map(naive))
        else {
            return Ok(None);
        };
        let as_of = naive(record.delivered_at.unwrap_or(record.updated_at));
        let row = article_row(article);
        let visible_from = crate::delivery::visible_from(&row, published_at);
        let in_memory = record_of(article, row, references, &members, &links, &run_rows, as_of);
        let topic_ids = with_ancestors(
            &in_memory
                .topics
                .iter()
                .map(|(t, _)| t.topic_id)
                .collect::<Vec<_>>(),
            &parents,
        );
        crate::delivery::compile_record(in_memory, topic_ids, published_at, visible_from, as_of, ctx.urls)
            .map(Some)
    })
    .into_iter()
    .filter_map(Result::transpose)
    .collect::<Result<_, DbError>>()?;
    let rows: Vec<_> = compiled
        .iter()
        .map(|c| bulk::NewDelivery {
            delivery: &c.delivery,
            topic_ids: &c.topic_ids,
            contributors: &c.contributors,
        })
        .collect();
    bulk::new_deliveries(conn, &rows)?;
    // New articles that are public now enter the change log, as any other publish does.
    let now = crate::db::utc_now();
    let origin = &ctx.origin;
    let entries: Vec<_> = compiled
        .iter()
        .filter(|c| c.delivery.visible_from <= now)
        .map(|c| crate::db::queries::change_log::NewEntry {
            item: "",
            kind: crate::domain::changes::LogKind::Article(crate::domain::changes::ChangeKind::Published),
            origin,
            public_id: &c.delivery.public_id,
            language: &c.delivery.language,
            slug: &c.delivery.slug,
        })
        .collect();
    crate::db::queries::change_log::append_many(conn, &entries)?;
    let documents: Vec<_> = compiled
        .iter()
        .map(|c| (c.delivery.article_id, &c.search))
        .collect();
    crate::db::search::index_new(conn, &documents)?;
    // Articles already here that show one of these (translations, related): again, each as of
    // its own last change.
    let mut outside: Vec<i64> = members
        .iter()
        .map(|(_, id, _, _, _)| *id)
        .filter(|id| !run_ids.contains(id))
        .collect();
    outside.extend(bulk::relating_to(conn, &run_ids)?);
    outside.sort_unstable();
    outside.dedup();
    for id in outside {
        if let Some(delivered) = crate::db::queries::delivery::delivered_at(conn, id)? {
            crate::delivery::compile_article(conn, id, ctx.urls, delivered, &ctx.origin)?;
        }
    }
    Ok(())
}

fn article_row(article: &Accepted<'_>) -> Article {
    let (record, input) = (article.record, &article.input);
    Article {
        id: article.id,
        public_id: record.id.clone(),
        slug: record.slug.clone(),
        language: record.language.clone(),
        translation_group_id: article.group,
        headline: input.headline.clone(),
        lead: input.lead.clone(),
        dateline: input.dateline.clone(),
        status: record.status,
        canonical_url: input.canonical_url.clone(),
        author_user_id: None,
        version: record.version,
        created_at: naive(record.created_at),
        updated_at: naive(record.updated_at),
        first_published_at: record.first_published_at.map(naive),
        published_at: record.published_at.map(naive),
        scheduled_at: record.scheduled_at.map(naive),
        embargo_until: record.embargo_until.map(naive),
        search_key: String::new(),
    }
}

/// What `article_read::load_record` would read back, from the record and the references.
fn record_of(
    article: &Accepted<'_>,
    row: Article,
    references: &References,
    members: &[bulk::GroupMember],
    links: &HashMap<i64, (ArticleLink, Visibility)>,
    run_rows: &HashMap<&str, i64>,
    now: NaiveDateTime,
) -> Record {
    let (id, input, record) = (article.id, &article.input, article.record);
    let blocks = input
        .body
        .iter()
        .enumerate()
        .map(|(position, block)| BlockRow {
            article_id: id,
            position: position as i32,
            kind: block.kind().to_owned(),
            data: serde_json::to_string(block).unwrap_or_default(),
            media_id: block
                .media_id()
                .and_then(|m| references.media.get(m))
                .map(|(asset, _)| asset.id),
        })
        .collect();
    let bylines = input
        .bylines
        .iter()
        .enumerate()
        .map(|(position, byline)| {
            let contributor = references.contributors[&byline.contributor].clone();
            (
                Byline {
                    article_id: id,
                    position: position as i32,
                    contributor_id: contributor.id,
                    role: byline.role,
                },
                contributor,
            )
        })
        .collect();
    let mut topics: Vec<(ArticleTopic, Topic)> = input
        .topics
        .iter()
        .enumerate()
        .map(|(position, link)| {
            let topic = references.topics[&link.topic].clone();
            (
                ArticleTopic {
                    article_id: id,
                    topic_id: topic.id,
                    is_primary: link.primary,
                    position: position as i32,
                },
                topic,
            )
        })
        .collect();
    topics.sort_by_key(|(link, _)| (!link.is_primary, link.position));
    let mut media: Vec<MediaUse> = input
        .media_ids()
        .into_iter()
        .enumerate()
        .map(|(position, public_id)| {
            let (asset, renditions) = references.media[public_id].clone();
            let featured = input.featured_media.as_ref().filter(|f| f.media_id == public_id);
            MediaUse {
                usage: ArticleMedia {
                    article_id: id,
                    media_id: asset.id,
                    is_featured: featured.is_some(),
                    caption_override: featured.and_then(|f| f.caption.clone()),
                    position: position as i32,
                },
                asset,
                renditions,
            }
        })
        .collect();
    media.sort_by_key(|m| (!m.usage.is_featured, m.usage.position));
    // Linked now only when every one is here (as `write_children` decides).
    let related = if let Some(rows) = related_rows(article, references, run_rows) {
        rows.iter()
            .filter_map(|row| links.get(row))
            .filter(|(_, visibility)| visibility.is_public(now))
            .map(|(link, _)| link.clone())
            .collect()
    } else {
        Vec::new()
    };
    let translations = members
        .iter()
        .filter(|(group, member, _, _, visibility)| {
            *group == article.group && *member != id && visibility.is_public(now)
        })
        .map(|(_, _, _, link, _)| link.clone())
        .collect();
    let mut corrections: Vec<Correction> = record
        .corrections
        .iter()
        .map(|c| Correction {
            id: 0,
            article_id: id,
            corrected_at: naive(c.corrected_at),
            note: c.note.clone(),
            created_at: naive(c.created_at),
        })
        .collect();
    corrections.sort_by_key(|c| c.corrected_at);
    Record {
        article: row,
        blocks,
        bylines,
        media,
        topics,
        related,
        translations,
        corrections,
        // The bulk path creates articles, and a new article is no live blog yet.
        live: None,
        breaking_until: None,
    }
}

/// The rows of an article's related articles when every one is already written (in the
/// database, earlier in the run, or itself), as [`super::apply::article`] finds them; `None`
/// when one comes later (linked once the file is read).
pub(super) fn related_rows(
    article: &Accepted<'_>,
    references: &References,
    run: &HashMap<&str, i64>,
) -> Option<Vec<i64>> {
    article
        .record
        .related
        .iter()
        .map(|public_id| {
            references
                .articles
                .get(public_id)
                .map(|(row, _, _)| *row)
                // Rows are numbered in the run's order, so a smaller one was written earlier.
                .or_else(|| {
                    run.get(public_id.as_str())
                        .copied()
                        .filter(|row| *row <= article.id)
                })
        })
        .collect()
}

fn with_ancestors(topic_ids: &[i64], parents: &HashMap<i64, Option<i64>>) -> Vec<i64> {
    let mut out: Vec<i64> = Vec::new();
    for id in topic_ids {
        let mut current = Some(*id);
        let mut steps = 0;
        while let Some(topic) = current {
            if out.contains(&topic) || steps > 64 {
                break;
            }
            out.push(topic);
            current = parents.get(&topic).copied().flatten();
            steps += 1;
        }
    }
    out
}
