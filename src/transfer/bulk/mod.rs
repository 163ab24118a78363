//! The fast path of an import: a run of articles none of which is in the database yet, checked
//! and written together. Every reference of the run is read with one query a table, the
//! articles' children are written with multi-row inserts, and their delivery forms are built
//! from the records in memory (the database is not read back). What is refused, and why, is
//! what [`super::apply::article`] refuses; the round-trip tests hold the two to one outcome.

mod compile;

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::apply::{self, naive, Context, Refusal};
use super::format::ArticleRecord;
use super::report::{Outcome, Report};
use crate::db::models::article::{BlockRow, Byline, NewArticle, NewCorrection, RelatedArticle};
use crate::db::models::contributor::Contributor;
use crate::db::models::media::{ArticleMedia, MediaAsset, Rendition};
use crate::db::models::topic::{ArticleTopic, Topic};
use crate::db::queries::article_rows::{self, NewRevision};
use crate::db::queries::bulk;
use crate::db::queries::transfer_write as write;
use crate::db::{DbConnection, DbError};
use crate::domain::editorial::ArticleInput;

/// What the run refers to, read once.
struct References {
    slugs: HashMap<(String, String), String>,
    contributors: HashMap<String, Contributor>,
    topics: HashMap<String, Topic>,
    media: HashMap<String, (MediaAsset, Vec<Rendition>)>,
    /// Group keys and related articles already in the database: (row id, group, language).
    articles: HashMap<String, (i64, i64, String)>,
    users: HashMap<String, i64>,
    /// (group, language) → public id, for the groups the run joins.
    taken_languages: HashMap<(i64, String), String>,
}

/// An article of the run, checked, with what it will be written as.
struct Accepted<'a> {
    line: u64,
    record: &'a ArticleRecord,
    input: ArticleInput,
    group: i64,
    id: i64,
}

/// Checks and writes `run` (articles none of which exists), counting each in `report`.
pub fn new_articles(
    conn: &mut DbConnection,
    ctx: &mut Context<'_>,
    run: &[(u64, &ArticleRecord)],
    report: &mut Report,
) -> Result<(), DbError> {
    let mut prepared = Vec::with_capacity(run.len());
    // Checking and sanitizing needs no database: on every core.
    let checked = super::parallel::map(run, |(_, record)| apply::prepare(record));
    for ((line, record), outcome) in run.iter().zip(checked) {
        match outcome {
            Ok(input) => prepared.push((*line, *record, input)),
            Err(Refusal::Invalid(message)) => report.problem(*line, "article", &record.id, message),
            Err(Refusal::Database(error)) => return Err(error),
        }
    }
    let references = read_references(conn, ctx, &prepared)?;
    let mut accepted: Vec<Accepted<'_>> = Vec::with_capacity(prepared.len());
    // What the run's earlier articles hold, as the database would tell a later one.
    let mut used_slugs: HashMap<(String, String), String> = HashMap::new();
    let mut run_groups: HashMap<String, i64> = HashMap::new();
    let mut run_languages: HashMap<(i64, String), String> = HashMap::new();
    let mut new_groups: Vec<NaiveDateTime> = Vec::new();
    let mut ahead_keys: Vec<String> = Vec::new();
    for (line, record, input) in prepared {
        let slug_key = (record.language.clone(), record.slug.clone());
        let refusal = if let Some(holder) = references.slugs.get(&slug_key) {
            Some(format!(
                "slug: '{}' in '{}' is taken by article {holder}",
                record.slug, record.language
            ))
        } else if let Some(holder) = used_slugs.get(&slug_key) {
            Some(format!(
                "slug: '{}' in '{}' is taken by article {holder}",
                record.slug, record.language
            ))
        } else {
            missing_references(&input, &references)
        };
        if let Some(message) = refusal {
            report.problem(line, "article", &record.id, message);
            continue;
        }
        // The group: one another article named, or one made for it (and remembered).
        let key = &record.translation_group;
        let known = ctx
            .groups_ahead
            .get(key)
            .copied()
            .or_else(|| run_groups.get(key).copied())
            .or_else(|| {
                (key != &record.id)
                    .then(|| references.articles.get(key).map(|(_, g, _)| *g))
                    .flatten()
            });
        if let Some(group) = known {
            let language = (group, record.language.clone());
            let clash = references
                .taken_languages
                .get(&language)
                .cloned()
                .or_else(|| run_languages.get(&language).cloned());
            if let Some(other) = clash {
                report.problem(
                    line,
                    "article",
                    &record.id,
                    format!(
                        "translation_group: the story already has a '{}' version: {other}",
                        record.language
                    ),
                );
                continue;
            }
        }
        let group = match known {
            Some(group) => group,
            None => {
                // Made with the run's other new groups below; until then a placeholder.
                new_groups.push(naive(record.created_at));
                let placeholder = -(new_groups.len() as i64);
                if key != &record.id {
                    ctx.groups_ahead.insert(key.clone(), placeholder);
                    ahead_keys.push(key.clone());
                }
                placeholder
            }
        };
        run_groups.insert(record.id.clone(), group);
        run_languages.insert((group, record.language.clone()), record.id.clone());
        used_slugs.insert(slug_key, record.id.clone());
        accepted.push(Accepted {
            line,
            record,
            input,
            group,
            id: 0,
        });
    }
    if accepted.is_empty() {
        return Ok(());
    }
    insert_articles(conn, ctx, &mut accepted, &new_groups, &ahead_keys, &references)?;
    write_children(conn, ctx, &accepted, &references)?;
    for article in &accepted {
        apply::schedule(conn, article.record, article.id, true)?;
    }
    compile::compile(conn, ctx, &accepted, &references)?;
    for _ in &accepted {
        report.count("article", Outcome::Created);
    }
    Ok(())
}

/// Makes the run's new translation groups and writes its articles, two statements a chunk
/// rather than two an article (a round trip each on PostgreSQL): the placeholders the loop gave
/// new groups (-1, -2, …) become their ids, and each article gets its row id.
fn insert_articles(
    conn: &mut DbConnection,
    ctx: &mut Context<'_>,
    accepted: &mut [Accepted<'_>],
    new_groups: &[NaiveDateTime],
    ahead_keys: &[String],
    references: &References,
) -> Result<(), DbError> {
    let group_ids = article_rows::translation_groups(conn, new_groups)?;
    let real = |group: i64| {
        if group < 0 {
            group_ids[(-group - 1) as usize]
        } else {
            group
        }
    };
    for key in ahead_keys {
        if let Some(group) = ctx.groups_ahead.get_mut(key) {
            *group = real(*group);
        }
    }
    for article in accepted.iter_mut() {
        article.group = real(article.group);
    }
    let rows: Vec<(NewArticle<'_>, i32)> = accepted
        .iter()
        .map(|article| {
            let (record, input) = (article.record, &article.input);
            let row = NewArticle {
                public_id: record.id.clone(),
                slug: &record.slug,
                language: &record.language,
                translation_group_id: article.group,
                headline: &input.headline,
                lead: input.lead.as_deref(),
                dateline: input.dateline.as_deref(),
                status: record.status.as_str(),
                canonical_url: input.canonical_url.as_deref(),
                author_user_id: record
                    .author
                    .as_ref()
                    .and_then(|email| references.users.get(email).copied()),
                created_at: naive(record.created_at),
                updated_at: naive(record.updated_at),
                first_published_at: record.first_published_at.map(naive),
                published_at: record.published_at.map(naive),
                scheduled_at: record.scheduled_at.map(naive),
                embargo_until: record.embargo_until.map(naive),
                search_key: crate::domain::match_key::key([input.headline.as_str()]),
            };
            (row, record.version)
        })
        .collect();
    let ids = article_rows::articles(conn, &rows)?;
    for article in accepted.iter_mut() {
        article.id = ids[&article.record.id];
    }
    Ok(())
}

fn read_references(
    conn: &mut DbConnection,
    ctx: &Context<'_>,
    prepared: &[(u64, &ArticleRecord, ArticleInput)],
) -> Result<References, DbError> {
    let mut languages = Vec::new();
    let mut slugs = Vec::new();
    let mut contributors = Vec::new();
    let mut topics = Vec::new();
    let mut media = Vec::new();
    let mut articles = Vec::new();
    let mut emails = Vec::new();
    for (_, record, input) in prepared {
        languages.push(record.language.as_str());
        slugs.push(record.slug.as_str());
        contributors.extend(input.bylines.iter().map(|b| b.contributor.as_str()));
        topics.extend(input.topics.iter().map(|t| t.topic.as_str()));
        media.extend(input.media_ids());
        articles.extend(record.related.iter().map(String::as_str));
        if record.translation_group != record.id {
            articles.push(record.translation_group.as_str());
        }
        emails.extend(record.author.as_deref());
        emails.extend(record.revisions.iter().filter_map(|r| r.actor.as_deref()));
    }
    for list in [
        &mut slugs,
        &mut contributors,
        &mut topics,
        &mut media,
        &mut articles,
        &mut emails,
    ] {
        list.sort_unstable();
        list.dedup();
    }
    let articles = bulk::articles_by_public_id(conn, &articles)?;
    let mut groups: Vec<i64> = articles.values().map(|(_, group, _)| *group).collect();
    groups.extend(ctx.groups_ahead.values().copied());
    groups.sort_unstable();
    groups.dedup();
    let taken_languages = bulk::group_members(conn, &groups)?
        .into_iter()
        .map(|(group, _, public_id, link, _)| ((group, link.language), public_id))
        .collect();
    Ok(References {
        slugs: bulk::slug_holders(conn, &languages, &slugs)?,
        contributors: bulk::contributors_by_slug(conn, &contributors)?,
        topics: bulk::topics_by_slug(conn, &topics)?,
        media: bulk::media_by_public_id(conn, &media)?,
        users: write::user_ids(conn, &emails)?,
        articles,
        taken_languages,
    })
}

/// What `store::resolve` would refuse, as the same words.
fn missing_references(input: &ArticleInput, references: &References) -> Option<String> {
    let mut errors = Vec::new();
    for (index, byline) in input.bylines.iter().enumerate() {
        if !references.contributors.contains_key(&byline.contributor) {
            errors.push(format!(
                "bylines/{index}/contributor: no contributor has the slug '{}'",
                byline.contributor
            ));
        }
    }
    for (index, link) in input.topics.iter().enumerate() {
        if !references.topics.contains_key(&link.topic) {
            errors.push(format!(
                "topics/{index}/topic: no topic has the slug '{}'",
                link.topic
            ));
        }
    }
    if let Some(featured) = &input.featured_media {
        if !references.media.contains_key(&featured.media_id) {
            errors.push(format!(
                "featured_media/media_id: no media asset has the id '{}'",
                featured.media_id
            ));
        }
    }
    for (index, block) in input.body.iter().enumerate() {
        if let Some(id) = block.media_id() {
            if !references.media.contains_key(id) {
                errors.push(format!("body/{index}/media_id: no media asset has the id '{id}'"));
            }
        }
    }
    (!errors.is_empty()).then(|| errors.join("; "))
}

fn write_children(
    conn: &mut DbConnection,
    ctx: &mut Context<'_>,
    accepted: &[Accepted<'_>],
    references: &References,
) -> Result<(), DbError> {
    let mut blocks = Vec::new();
    let mut bylines = Vec::new();
    let mut topics = Vec::new();
    let mut media = Vec::new();
    let mut related = Vec::new();
    let mut corrections = Vec::new();
    let mut revisions = Vec::new();
    let run_ids: HashMap<&str, i64> = accepted.iter().map(|a| (a.record.id.as_str(), a.id)).collect();
    for article in accepted {
        let (id, input, record) = (article.id, &article.input, article.record);
        for (position, block) in input.body.iter().enumerate() {
            blocks.push(BlockRow {
                article_id: id,
                position: position as i32,
                kind: block.kind().to_owned(),
                data: serde_json::to_string(block).map_err(DbError::unserializable)?,
                media_id: block
                    .media_id()
                    .and_then(|m| references.media.get(m))
                    .map(|(asset, _)| asset.id),
            });
        }
        for (position, byline) in input.bylines.iter().enumerate() {
            bylines.push(Byline {
                article_id: id,
                position: position as i32,
                contributor_id: references.contributors[&byline.contributor].id,
                role: byline.role,
            });
        }
        for (position, link) in input.topics.iter().enumerate() {
            topics.push(ArticleTopic {
                article_id: id,
                topic_id: references.topics[&link.topic].id,
                is_primary: link.primary,
                position: position as i32,
            });
        }
        for (position, public_id) in input.media_ids().into_iter().enumerate() {
            let featured = input.featured_media.as_ref().filter(|f| f.media_id == public_id);
            media.push(ArticleMedia {
                article_id: id,
                media_id: references.media[public_id].0.id,
                is_featured: featured.is_some(),
                caption_override: featured.and_then(|f| f.caption.clone()),
                position: position as i32,
            });
        }
        // As one at a time: linked now if every related article is already here (in the
        // database or earlier in this run), else once the file is read.
        if let Some(present) = compile::related_rows(article, references, &run_ids) {
            for (position, related_article_id) in present.into_iter().enumerate() {
                related.push(RelatedArticle {
                    article_id: id,
                    position: position as i32,
                    related_article_id,
                });
            }
        } else {
            ctx.related_ahead
                .push((article.line, id, record.id.clone(), record.related.clone()));
        }
        for correction in &record.corrections {
            corrections.push(NewCorrection {
                article_id: id,
                corrected_at: naive(correction.corrected_at),
                note: &correction.note,
                created_at: naive(correction.created_at),
            });
        }
        for revision in &record.revisions {
            revisions.push(NewRevision {
                article_id: id,
                version: revision.version,
                action: revision.action.clone(),
                actor_user_id: revision
                    .actor
                    .as_ref()
                    .and_then(|a| references.users.get(a).copied()),
                snapshot: revision.snapshot.to_string(),
                created_at: naive(revision.created_at),
            });
        }
    }
    article_rows::blocks(conn, &blocks)?;
    article_rows::bylines(conn, &bylines)?;
    article_rows::article_topics(conn, &topics)?;
    article_rows::article_media(conn, &media)?;
    article_rows::related(conn, &related)?;
    article_rows::corrections(conn, &corrections)?;
    article_rows::revisions(conn, &revisions)?;
    Ok(())
}
