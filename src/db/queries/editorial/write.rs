//! An article's rows: the draft, its version, fields, status, children, corrections and revisions.

use super::*;
use crate::db::queries::article_rows::{self, NewRevision};

pub fn new_translation_group(conn: &mut DbConnection, now: NaiveDateTime) -> Result<i64, DbError> {
    article_rows::translation_groups(conn, &[now])?
        .pop()
        .ok_or_else(|| DbError::Corrupt("a translation group was not made".into()))
}

/// Writes an article's own columns, whole: the one writer of `articles` rows. An editor's
/// create (a draft, or an archived story with its past), edits and workflow moves, imports
/// (their own ids, versions and times) and the demo all write through it; an import's fast
/// path writes new rows many at a time (`article_rows::articles`). `version` is written as given:
/// an edit takes it first through [`bump_version`], the guard against lost updates.
pub fn save_article(
    conn: &mut DbConnection,
    existing: Option<i64>,
    row: &NewArticle<'_>,
    version: i32,
) -> Result<i64, DbError> {
    Ok(match existing {
        Some(id) => {
            diesel::update(articles::table.find(id))
                .set((
                    articles::slug.eq(row.slug),
                    articles::language.eq(row.language),
                    articles::translation_group_id.eq(row.translation_group_id),
                    articles::headline.eq(row.headline),
                    articles::search_key.eq(&row.search_key),
                    articles::lead.eq(row.lead),
                    articles::dateline.eq(row.dateline),
                    articles::status.eq(row.status),
                    articles::canonical_url.eq(row.canonical_url),
                    articles::author_user_id.eq(row.author_user_id),
                    articles::version.eq(version),
                    articles::created_at.eq(row.created_at),
                    articles::updated_at.eq(row.updated_at),
                    articles::first_published_at.eq(row.first_published_at),
                    articles::published_at.eq(row.published_at),
                    articles::scheduled_at.eq(row.scheduled_at),
                    articles::embargo_until.eq(row.embargo_until),
                ))
                .execute(conn)?;
            id
        }
        None => *article_rows::articles(conn, &[(row.clone(), version)])?
            .get(&row.public_id)
            .ok_or_else(|| DbError::Corrupt(format!("article {} was not made", row.public_id)))?,
    })
}

/// An article's row with the fields an edit sets from `input` (the rest as in `row`).
pub fn with_fields<'a>(
    row: NewArticle<'a>,
    input: &'a ArticleInput,
    slug: &'a str,
    translation_group_id: i64,
) -> NewArticle<'a> {
    NewArticle {
        slug,
        language: &input.language,
        translation_group_id,
        headline: &input.headline,
        lead: input.lead.as_deref(),
        dateline: input.dateline.as_deref(),
        canonical_url: input.canonical_url.as_deref(),
        embargo_until: input.embargo_until.map(|t| crate::db::truncate(t.naive_utc())),
        search_key: crate::domain::match_key::key([input.headline.as_str()]),
        ..row
    }
}

/// Takes the next version of an article if it is still at `expected`: the guard that makes
/// concurrent edits fail instead of overwriting each other. `false` when another write won.
pub fn bump_version(
    conn: &mut DbConnection,
    id: i64,
    expected: i32,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let updated = diesel::update(articles::table.find(id).filter(articles::version.eq(expected)))
        .set((articles::version.eq(expected + 1), articles::updated_at.eq(now)))
        .execute(conn)?;
    Ok(updated == 1)
}

/// The status columns a workflow move sets.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub status: ArticleStatus,
    pub published_at: Option<NaiveDateTime>,
    pub first_published_at: Option<NaiveDateTime>,
    pub scheduled_at: Option<NaiveDateTime>,
}

impl StatusChange {
    /// `row` with this status and the times it implies.
    pub fn applied<'a>(&self, row: NewArticle<'a>) -> NewArticle<'a> {
        NewArticle {
            status: self.status.as_str(),
            published_at: self.published_at,
            first_published_at: self.first_published_at,
            scheduled_at: self.scheduled_at,
            ..row
        }
    }
}

/// Replaces the article's body, bylines, topics, media uses and related links.
pub fn replace_children(
    conn: &mut DbConnection,
    id: i64,
    input: &ArticleInput,
    resolved: &Resolved,
) -> Result<(), DbError> {
    diesel::delete(article_blocks::table.filter(article_blocks::article_id.eq(id))).execute(conn)?;
    diesel::delete(bylines::table.filter(bylines::article_id.eq(id))).execute(conn)?;
    diesel::delete(article_topics::table.filter(article_topics::article_id.eq(id))).execute(conn)?;
    diesel::delete(article_media::table.filter(article_media::article_id.eq(id))).execute(conn)?;
    diesel::delete(related_articles::table.filter(related_articles::article_id.eq(id))).execute(conn)?;

    let blocks: Vec<BlockRow> = input
        .body
        .iter()
        .enumerate()
        .map(|(position, block)| {
            Ok(BlockRow {
                article_id: id,
                position: position as i32,
                kind: block.kind().to_owned(),
                data: serde_json::to_string(block).map_err(crate::db::DbError::unserializable)?,
                media_id: block
                    .media_id()
                    .and_then(|m| resolved.media.get(m))
                    .map(|(row, _)| *row),
            })
        })
        .collect::<Result<_, DbError>>()?;
    article_rows::blocks(conn, &blocks)?;
    let rows: Vec<Byline> = input
        .bylines
        .iter()
        .zip(&resolved.contributors)
        .enumerate()
        .map(|(position, (byline, contributor_id))| Byline {
            article_id: id,
            position: position as i32,
            contributor_id: *contributor_id,
            role: byline.role,
        })
        .collect();
    article_rows::bylines(conn, &rows)?;
    let rows: Vec<ArticleTopic> = input
        .topics
        .iter()
        .zip(&resolved.topics)
        .enumerate()
        .map(|(position, (link, topic_id))| ArticleTopic {
            article_id: id,
            topic_id: *topic_id,
            is_primary: link.primary,
            position: position as i32,
        })
        .collect();
    article_rows::article_topics(conn, &rows)?;
    // Every asset the article shows is recorded as used, so that its credit and renditions are
    // loaded with the article and the asset counts as public once the article is.
    let rows: Vec<ArticleMedia> = input
        .media_ids()
        .into_iter()
        .enumerate()
        .filter_map(|(position, public_id)| {
            let (media_id, _) = resolved.media.get(public_id)?;
            let featured = input.featured_media.as_ref().filter(|f| f.media_id == public_id);
            Some(ArticleMedia {
                article_id: id,
                media_id: *media_id,
                is_featured: featured.is_some(),
                caption_override: featured.and_then(|f| f.caption.clone()),
                position: position as i32,
            })
        })
        .collect();
    article_rows::article_media(conn, &rows)?;
    let rows: Vec<RelatedArticle> = resolved
        .related
        .iter()
        .enumerate()
        .map(|(position, related_id)| RelatedArticle {
            article_id: id,
            position: position as i32,
            related_article_id: *related_id,
        })
        .collect();
    article_rows::related(conn, &rows)?;
    Ok(())
}

pub fn add_correction(
    conn: &mut DbConnection,
    article_id: i64,
    corrected_at: NaiveDateTime,
    note: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    article_rows::corrections(
        conn,
        &[NewCorrection {
            article_id,
            corrected_at,
            note,
            created_at: now,
        }],
    )?;
    Ok(())
}

pub fn corrections_of(
    conn: &mut DbConnection,
    article_id: i64,
) -> Result<Vec<(NaiveDateTime, String)>, DbError> {
    Ok(corrections::table
        .filter(corrections::article_id.eq(article_id))
        .order((corrections::corrected_at.asc(), corrections::id.asc()))
        .select((corrections::corrected_at, corrections::note))
        .load(conn)?)
}

/// Public ids of the other articles in the same translation group.
pub fn translations_of(conn: &mut DbConnection, article: &Article) -> Result<Vec<String>, DbError> {
    Ok(articles::table
        .filter(articles::translation_group_id.eq(article.translation_group_id))
        .filter(articles::id.ne(article.id))
        .order(articles::language.asc())
        .select(articles::public_id)
        .load(conn)?)
}

pub fn delete(conn: &mut DbConnection, id: i64) -> Result<(), DbError> {
    diesel::delete(articles::table.find(id)).execute(conn)?;
    Ok(())
}

/// One stored revision.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = article_revisions)]
pub struct Revision {
    pub version: i32,
    pub action: String,
    pub actor_user_id: Option<i64>,
    pub snapshot: String,
    pub created_at: NaiveDateTime,
}

pub fn insert_revision(
    conn: &mut DbConnection,
    article_id: i64,
    version: i32,
    action: &str,
    actor_user_id: Option<i64>,
    snapshot: &serde_json::Value,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    article_rows::revisions(
        conn,
        &[NewRevision {
            article_id,
            version,
            action: action.to_owned(),
            actor_user_id,
            snapshot: snapshot.to_string(),
            created_at: now,
        }],
    )?;
    Ok(())
}

pub fn revisions(conn: &mut DbConnection, article_id: i64) -> Result<Vec<Revision>, DbError> {
    Ok(article_revisions::table
        .filter(article_revisions::article_id.eq(article_id))
        .order(article_revisions::version.desc())
        .select(Revision::as_select())
        .load(conn)?)
}

pub fn revision(conn: &mut DbConnection, article_id: i64, version: i32) -> Result<Option<Revision>, DbError> {
    Ok(article_revisions::table
        .filter(article_revisions::article_id.eq(article_id))
        .filter(article_revisions::version.eq(version))
        .select(Revision::as_select())
        .first(conn)
        .optional()?)
}
