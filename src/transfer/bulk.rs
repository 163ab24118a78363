//! The fast path of an import: a run of articles none of which is in the database yet, checked
//! and written together. Every reference of the run is read with one query a table, the
//! articles' children are written with multi-row inserts, and their delivery forms are built
//! from the records in memory (the database is not read back). What is refused, and why, is
//! what [`super::apply::article`] refuses; the round-trip tests hold the two to one outcome.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::apply::{self, naive, Context, Refusal};
use super::format::ArticleRecord;
use super::report::{Outcome, Report};
use crate::db::models::article::{
    Article, ArticleLink, BlockRow, Byline, Correction, NewArticle, NewCorrection, RelatedArticle,
};
use crate::db::models::contributor::Contributor;
use crate::db::models::media::{ArticleMedia, MediaAsset, Rendition};
use crate::db::models::topic::{ArticleTopic, Topic};
use crate::db::queries::article_read::{ArticleRecord as Record, MediaUse, Visibility};
use crate::db::queries::bulk::{self, NewRevision};
use crate::db::queries::transfer_write as write;
use crate::db::{DbConnection, DbError};
use crate::delivery::Compiled;
use crate::domain::editorial::ArticleInput;
use crate::domain::kinds::ArticleStatus;

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
    compile(conn, ctx, &accepted, &references)?;
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
    let group_ids = bulk::translation_groups(conn, new_groups)?;
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
    let ids = bulk::articles(conn, &rows)?;
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
        if let Some(present) = related_rows(article, references, &run_ids) {
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
    bulk::blocks(conn, &blocks)?;
    bulk::bylines(conn, &bylines)?;
    bulk::article_topics(conn, &topics)?;
    bulk::article_media(conn, &media)?;
    bulk::related(conn, &related)?;
    bulk::corrections(conn, &corrections)?;
    bulk::revisions(conn, &revisions)?;
    Ok(())
}

/// The run's delivery forms, built from the records (each as of when its public form last
/// changed); then the articles outside the run that show one of them, compiled again.
fn compile(
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
    let compiled: Vec<Compiled> = super::parallel::map(accepted, |article| {
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
    }
}

/// The rows of an article's related articles when every one is already written (in the
/// database, earlier in the run, or itself), as [`super::apply::article`] finds them; `None`
/// when one comes later (linked once the file is read).
fn related_rows(
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
