//! Publishing compiles: an article's public forms are computed once, when it is published or
//! changed, and stored; reads serve the stored bytes (through [`cache`]).

pub mod cache;
pub mod codings;
pub mod outbox;

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

use crate::api::article::{ArticleView, UrlBuilder};
use crate::api::summary::ArticleSummary;
use crate::db::claim::write_transaction;
use crate::db::models::article::Article;
use crate::db::queries::article_read;
use crate::db::queries::change_log;
use crate::db::queries::delivery::{self, Delivery, Removal};
use crate::db::search::{self, Facet, SearchDocument};
use crate::db::{DbConnection, DbError};
use crate::domain::changes::{ChangeKind, LogKind, Origin};
use crate::domain::kinds::ArticleStatus;

/// The shape of the stored delivery forms. Changes whenever compiling changes what is stored
/// (a field added or left out, a coding): a node finding forms of another format recompiles
/// every published article at start.
pub const FORMAT: &str = "2";

/// A strong entity tag for `bytes`: a truncated SHA-256, quoted as RFC 9110 requires.
pub fn strong_etag(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Recomputes and stores the delivery forms of one article: compiled when it is published,
/// withdrawn (leaving a tombstone) when it no longer is. Call inside the write's transaction.
pub fn compile_article(
    conn: &mut DbConnection,
    article_id: i64,
    urls: &UrlBuilder,
    now: NaiveDateTime,
    origin: &Origin,
) -> Result<(), DbError> {
    let article: Option<Article> = crate::db::queries::editorial::find_by_id(conn, article_id)?;
    let Some(article) = article else {
        // The row is gone; its delivery form still knows the public id it was cached under.
        delivery::withdraw(conn, article_id, Removal::Deleted, now, origin)?;
        return Ok(());
    };
    let published_at = match (article.status, article.published_at) {
        (ArticleStatus::Published, Some(published_at)) => published_at,
        _ => {
            delivery::withdraw(conn, article_id, Removal::Unpublished, now, origin)?;
            return Ok(());
        }
    };
    let visible_from = visible_from(&article, published_at);
    let record = article_read::load_record(conn, article, now)?;
    let topic_ids: Vec<i64> = record.topics.iter().map(|(link, _)| link.topic_id).collect();
    let topic_ids = delivery::with_ancestors(conn, &topic_ids)?;
    let compiled = compile_record(record, topic_ids, published_at, visible_from, now, urls)?;
    let previous = delivery::stored_version(conn, article_id)?;
    let public_now = visible_from <= now;
    if previous
        .as_ref()
        .is_some_and(|old| old.etag == compiled.delivery.etag && old.visible_from == visible_from)
    {
        // Nothing a reader sees changed: keep the stored row, its change time and its cache.
        // An embargo that has just lifted is the one news here: the log learns of it once.
        if public_now && !change_log::announced(conn, &compiled.delivery.public_id)? {
            log_change(conn, &compiled.delivery, ChangeKind::Published, origin)?;
        }
        return Ok(());
    }
    let delivery = &compiled.delivery;
    let was_public = previous.as_ref().filter(|old| old.visible_from <= now);
    if let Some(old) = was_public.filter(|old| old.language != delivery.language) {
        // Moved to another language: readers of the old one (a sync filtered by language)
        // learn that it left, before the entry that says where it is now. Not news to
        // partners: the entry that follows is.
        log_left_language(conn, delivery, old, &origin.quietly())?;
    }
    if was_public.is_some() && visible_from > now {
        // Public until now, embargoed from now on: sync clients must drop their copy.
        delivery::tombstone(
            conn,
            &delivery.public_id,
            &delivery.slug,
            &delivery.language,
            Removal::Unpublished,
            origin,
        )?;
    }
    delivery::replace(conn, delivery, &compiled.topic_ids, &compiled.contributors)?;
    search::index(conn, article_id, &compiled.search)?;
    if public_now {
        let kind = if change_log::announced(conn, &delivery.public_id)? {
            ChangeKind::Updated
        } else {
            ChangeKind::Published
        };
        log_change(conn, delivery, kind, origin)?;
    }
    Ok(())
}

fn log_change(
    conn: &mut DbConnection,
    delivery: &Delivery,
    kind: ChangeKind,
    origin: &Origin,
) -> Result<(), DbError> {
    change_log::append(
        conn,
        &change_log::NewEntry {
            item: "",
            kind: LogKind::Article(kind),
            origin,
            public_id: &delivery.public_id,
            language: &delivery.language,
            slug: &delivery.slug,
        },
    )
}

/// An entry saying that a public article is no longer at its old language's path.
fn log_left_language(
    conn: &mut DbConnection,
    delivery: &Delivery,
    old: &delivery::Stored,
    origin: &Origin,
) -> Result<(), DbError> {
    change_log::append(
        conn,
        &change_log::NewEntry {
            item: "",
            kind: LogKind::Article(ChangeKind::Withdrawn),
            origin,
            public_id: &delivery.public_id,
            language: &old.language,
            slug: &old.slug,
        },
    )
}

/// When a published article becomes public: its publication time, or its embargo's end.
pub fn visible_from(article: &Article, published_at: NaiveDateTime) -> NaiveDateTime {
    article
        .embargo_until
        .map_or(published_at, |embargo| embargo.max(published_at))
}

/// An article's delivery forms, built from its record alone (no database).
#[derive(Debug, Clone)]
pub struct Compiled {
    pub delivery: Delivery,
    /// The topics it is listed under, ancestors included.
    pub topic_ids: Vec<i64>,
    pub contributors: Vec<(i64, crate::domain::kinds::BylineRole)>,
    pub search: SearchDocument,
}

/// Builds the delivery forms of a published article from its record, as of `now`.
/// `topic_ids` are its topics with every ancestor.
pub fn compile_record(
    record: article_read::ArticleRecord,
    topic_ids: Vec<i64>,
    published_at: NaiveDateTime,
    visible_from: NaiveDateTime,
    now: NaiveDateTime,
    urls: &UrlBuilder,
) -> Result<Compiled, DbError> {
    let article_id = record.article.id;
    let contributors: Vec<(i64, crate::domain::kinds::BylineRole)> = record
        .bylines
        .iter()
        .map(|(byline, _)| (byline.contributor_id, byline.role))
        .collect();
    let mut surrogate_keys = vec![format!("article-{}", record.article.public_id)];
    surrogate_keys.extend(
        record
            .bylines
            .iter()
            .map(|(_, c)| format!("contributor-{}", c.slug)),
    );
    surrogate_keys.extend(record.topics.iter().map(|(_, t)| format!("topic-{}", t.slug)));
    surrogate_keys.extend(
        record
            .media
            .iter()
            .map(|m| format!("media-{}", m.asset.public_id)),
    );
    surrogate_keys.extend(
        record
            .related
            .iter()
            .chain(&record.translations)
            .map(|a| format!("article-{}", a.public_id)),
    );
    surrogate_keys.dedup();

    let (public_id, slug, language) = (
        record.article.public_id.clone(),
        record.article.slug.clone(),
        record.article.language.clone(),
    );
    let view = ArticleView::build(record, urls);
    let full_json = serde_json::to_vec(&view.stored()).map_err(crate::db::DbError::unserializable)?;
    let summary_json = serde_json::to_string(&ArticleSummary::from_full(&view))
        .map_err(crate::db::DbError::unserializable)?;
    let etag = strong_etag(&full_json);
    let full_br = codings::brotli(&full_json);
    let contributor_ids: Vec<i64> = contributors.iter().map(|(id, _)| *id).collect();
    let search = search_document(&view, &topic_ids, &contributor_ids);
    Ok(Compiled {
        delivery: Delivery {
            article_id,
            public_id,
            slug,
            language,
            published_at,
            visible_from,
            // When the public representation changed, for `Last-Modified`, `sort=updated` and
            // `updated_since`. An embargoed article changes for readers when the embargo lifts.
            updated_at: now.max(visible_from),
            etag,
            full_br,
            summary_json,
            surrogate_keys: surrogate_keys.join(" "),
        },
        topic_ids,
        contributors,
        search,
    })
}

/// What search indexes for an article: its headline, and what else a reader may search it by
/// (lead, body, dateline, the year it was published, its photo's caption, alt text and credit,
/// topics and contributors), all normalized by `domain::search`; and its language, topics
/// (with their ancestors) and contributors as facets for filtering.
pub fn search_document(article: &ArticleView, topic_ids: &[i64], contributor_ids: &[i64]) -> SearchDocument {
    let mut body = String::new();
    let year = article.published_at.map(|at| at.format("%Y").to_string());
    let photo = article.featured_media.as_ref();
    for part in [
        article.lead.as_deref(),
        Some(article.body_text.as_str()),
        article.dateline.as_deref(),
        year.as_deref(),
        photo.and_then(|m| m.caption.as_deref()),
        photo.and_then(|m| m.alt_text.as_deref()),
        photo.and_then(|m| m.credit.as_deref()),
    ]
    .into_iter()
    .flatten()
    {
        body.push_str(part);
        body.push('\n');
    }
    for name in article
        .topics
        .iter()
        .map(|t| &t.name)
        .chain(article.bylines.iter().map(|b| &b.contributor.name))
    {
        body.push_str(name);
        body.push('\n');
    }
    // A token per prefix of the tag (`en`, `en-US`): a filter by `en` finds `en-US` too
    // (RFC 4647 basic filtering).
    let facets: Vec<String> = crate::domain::language::prefixes(&article.language)
        .map(|prefix| search::facet(Facet::Language(prefix)))
        .chain(topic_ids.iter().map(|id| search::facet(Facet::Topic(*id))))
        .chain(
            contributor_ids
                .iter()
                .map(|id| search::facet(Facet::Contributor(*id))),
        )
        .collect();
    SearchDocument {
        headline: crate::domain::search::index(&article.headline),
        body: crate::domain::search::index(&body),
        facets: facets.join(" "),
    }
}

/// Rebuilds the search index from the stored delivery forms, `batch` articles per transaction;
/// calls `progress` with the count so far.
pub fn reindex(conn: &mut DbConnection, batch: i64, progress: impl Fn(usize)) -> Result<usize, DbError> {
    let mut after = 0;
    let mut done = 0;
    loop {
        let forms = crate::db::queries::delivery_lists::full_forms_after(conn, after, batch)?;
        let Some((last, _)) = forms.last() else {
            return Ok(done);
        };
        after = *last;
        write_transaction(conn, |conn| {
            for (id, brotli) in &forms {
                let article = parse_full(brotli)?;
                let (topic_ids, contributor_ids) = delivery::facets_of(conn, *id)?;
                search::index(
                    conn,
                    *id,
                    &search_document(&article, &topic_ids, &contributor_ids),
                )?;
            }
            Ok::<_, DbError>(())
        })?;
        done += forms.len();
        progress(done);
    }
}

/// Recompiles the given articles; call inside the write's transaction. What became public,
/// changed or stopped being public is appended to the change log, which every node's cache,
/// the edge purges and the public feeds follow.
pub fn publish_changes(
    conn: &mut DbConnection,
    article_ids: &[i64],
    urls: &UrlBuilder,
    now: NaiveDateTime,
    origin: &Origin,
) -> Result<(), DbError> {
    for id in article_ids {
        compile_article(conn, *id, urls, now, origin)?;
    }
    Ok(())
}

/// Records a change to the catalog around the articles (a topic, a contributor, a media
/// asset, a redirect), which lists and catalog pages show: `subject` is its slug, public id or
/// path. The articles it changed are recompiled (and logged) on their own.
pub fn log_catalog_change(
    conn: &mut DbConnection,
    kind: LogKind,
    subject: &str,
    origin: &Origin,
) -> Result<(), DbError> {
    change_log::append(
        conn,
        &change_log::NewEntry {
            item: "",
            kind,
            public_id: subject,
            language: "",
            slug: "",
            origin,
        },
    )
}

/// Records that anything may have changed (an import, a recompile by an operator): every node
/// empties its cache when it reads this, and the edge is purged whole.
pub fn log_everything(conn: &mut DbConnection, origin: &Origin) -> Result<(), DbError> {
    log_catalog_change(conn, LogKind::Everything, "", origin)
}

/// The compiled full forms of `ids`, in that order.
pub fn compiled_articles(conn: &mut DbConnection, ids: &[i64]) -> Result<Vec<ArticleView>, DbError> {
    let mut forms = crate::db::queries::delivery_lists::full_forms(conn, ids)?;
    forms.sort_by_key(|(id, _)| ids.iter().position(|x| x == id));
    forms.iter().map(|(_, brotli)| parse_full(brotli)).collect()
}

/// An article's full form as stored (brotli-coded, lean): decoded and parsed, with what the
/// stored form leaves out made again (its plain text).
pub fn parse_full(brotli: &[u8]) -> Result<ArticleView, DbError> {
    let json = codings::unbrotli(brotli).map_err(DbError::corrupt)?;
    view_of(&json)
}

/// An article's lean full form (identity JSON) as a view, its plain text made again.
pub fn view_of(json: &[u8]) -> Result<ArticleView, DbError> {
    let mut view: ArticleView = serde_json::from_slice(json).map_err(DbError::corrupt)?;
    view.restore_derived();
    Ok(view)
}

/// Recompiles every published article (after a new `KHABAR_SITE_URL`, or an upgrade that
/// changes the delivery forms), `batch` per transaction, each batch announced to other nodes.
pub fn compile_all(conn: &mut DbConnection, urls: &UrlBuilder, batch: usize) -> Result<usize, DbError> {
    let ids = delivery::published_article_ids(conn)?;
    for chunk in ids.chunks(batch.max(1)) {
        write_transaction(conn, |conn| {
            publish_changes(
                conn,
                chunk,
                urls,
                crate::db::utc_now(),
                &Origin::system("recompile"),
            )
            .map(drop)
        })?;
    }
    Ok(ids.len())
}
