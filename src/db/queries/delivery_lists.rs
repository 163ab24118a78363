//! Article lists from the delivery store: keyset pagination only, never OFFSET, so page 10,000
//! costs what page 1 costs.
//!
//! A list filtered by topic is driven from `delivery_topics` and one filtered by contributor
//! from `delivery_contributors`, each through an index that already has the sort order; other
//! filters are checked on the joined `article_deliveries` row.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{article_deliveries, delivery_contributors, delivery_topics};
use crate::db::{DbConnection, DbError};
use crate::domain::kinds::BylineRole;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Newest,
    Oldest,
    Updated,
}

/// Filters, already resolved to ids.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub language: Option<String>,
    /// Includes the topic's descendants.
    pub topic_id: Option<i64>,
    pub section_id: Option<i64>,
    pub contributor_id: Option<i64>,
    pub role: Option<BylineRole>,
    pub published_since: Option<NaiveDateTime>,
    pub published_until: Option<NaiveDateTime>,
}

/// One list entry: the compiled summary and the keys of its position.
#[derive(Debug, Clone, Queryable)]
pub struct ListRow {
    pub article_id: i64,
    pub published_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub summary_json: String,
}

diesel::alias!(delivery_topics as section_topics: SectionTopics);

/// `delivery_topics` again, under another name, for the section filter of topic-driven lists.
const SECTION_TOPICS: diesel::query_source::Alias<SectionTopics> = section_topics;

/// Applies the filters every driver shares, on `article_deliveries` columns.
macro_rules! common_filters {
    ($query:expr, $filter:expr, $now:expr) => {{
        let filter: &ListFilter = $filter;
        let mut query = $query.filter(article_deliveries::visible_from.le($now));
        if let Some(language) = &filter.language {
            // RFC 4647 basic filtering: `en` is `en` and every `en-…`.
            query =
                query.filter(article_deliveries::language.eq(language.clone()).or(
                    article_deliveries::language.like(crate::domain::language::subtag_pattern(language)),
                ));
        }
        if let Some(since) = filter.published_since {
            query = query.filter(article_deliveries::published_at.ge(since));
        }
        if let Some(until) = filter.published_until {
            query = query.filter(article_deliveries::published_at.lt(until));
        }
        if let Some(section) = filter.section_id {
            query = query.filter(
                article_deliveries::article_id.eq_any(
                    SECTION_TOPICS
                        .filter(SECTION_TOPICS.field(delivery_topics::topic_id).eq(section))
                        .select(SECTION_TOPICS.field(delivery_topics::article_id)),
                ),
            );
        }
        query
    }};
}

/// Orders by `$published`/`$id` (the driver's own indexed columns) and starts after `$after`.
macro_rules! keyset {
    ($query:expr, $sort:expr, $after:expr, $published:expr, $id:expr) => {{
        let mut query = $query;
        match $sort {
            Sort::Newest => {
                if let Some((at, id)) = $after {
                    query = query.filter($published.lt(at).or($published.eq(at).and($id.lt(id))));
                }
                query.order(($published.desc(), $id.desc()))
            }
            Sort::Oldest => {
                if let Some((at, id)) = $after {
                    query = query.filter($published.gt(at).or($published.eq(at).and($id.gt(id))));
                }
                query.order(($published.asc(), $id.asc()))
            }
            Sort::Updated => {
                let updated = article_deliveries::updated_at;
                let article = article_deliveries::article_id;
                if let Some((at, id)) = $after {
                    query = query.filter(updated.lt(at).or(updated.eq(at).and(article.lt(id))));
                }
                query.order((updated.desc(), article.desc()))
            }
        }
    }};
}

type Columns = (
    article_deliveries::article_id,
    article_deliveries::published_at,
    article_deliveries::updated_at,
    article_deliveries::summary_json,
);
const COLUMNS: Columns = (
    article_deliveries::article_id,
    article_deliveries::published_at,
    article_deliveries::updated_at,
    article_deliveries::summary_json,
);

/// Up to `limit` entries after `after` (the sort key and id of the previous page's last entry).
pub fn list(
    conn: &mut DbConnection,
    filter: &ListFilter,
    sort: Sort,
    after: Option<(NaiveDateTime, i64)>,
    limit: i64,
    now: NaiveDateTime,
) -> Result<Vec<ListRow>, DbError> {
    let mut rows: Vec<ListRow> = if let Some(topic) = filter.topic_id {
        let query = delivery_topics::table
            .inner_join(article_deliveries::table)
            .filter(delivery_topics::topic_id.eq(topic))
            .select(COLUMNS)
            .into_boxed();
        let query = common_filters!(query, filter, now);
        let credited = delivery_contributors::table.select(delivery_contributors::article_id);
        let id = article_deliveries::article_id;
        let query = match (filter.contributor_id, filter.role.map(BylineRole::as_str)) {
            (None, None) => query,
            (Some(c), None) => {
                query.filter(id.eq_any(credited.filter(delivery_contributors::contributor_id.eq(c))))
            }
            (None, Some(r)) => query.filter(id.eq_any(credited.filter(delivery_contributors::role.eq(r)))),
            (Some(c), Some(r)) => query.filter(
                id.eq_any(
                    credited
                        .filter(delivery_contributors::contributor_id.eq(c))
                        .filter(delivery_contributors::role.eq(r)),
                ),
            ),
        };
        keyset!(
            query,
            sort,
            after,
            delivery_topics::published_at,
            delivery_topics::article_id
        )
        .limit(limit)
        .load(conn)?
    } else if let Some(contributor) = filter.contributor_id {
        let mut query = delivery_contributors::table
            .inner_join(article_deliveries::table)
            .filter(delivery_contributors::contributor_id.eq(contributor))
            .select(COLUMNS)
            .into_boxed();
        if let Some(role) = &filter.role {
            query = query.filter(delivery_contributors::role.eq(role.as_str()));
        }
        let query = common_filters!(query, filter, now);
        keyset!(
            query,
            sort,
            after,
            delivery_contributors::published_at,
            delivery_contributors::article_id
        )
        .limit(limit)
        .load(conn)?
    } else {
        let query = article_deliveries::table.select(COLUMNS).into_boxed();
        let mut query = common_filters!(query, filter, now);
        if let Some(role) = &filter.role {
            let credited = delivery_contributors::table
                .filter(delivery_contributors::role.eq(role.as_str()))
                .select(delivery_contributors::article_id);
            query = query.filter(article_deliveries::article_id.eq_any(credited));
        }
        keyset!(
            query,
            sort,
            after,
            article_deliveries::published_at,
            article_deliveries::article_id
        )
        .limit(limit)
        .load(conn)?
    };
    // A contributor credited in two roles on one article yields two adjacent rows.
    rows.dedup_by_key(|row| row.article_id);
    Ok(rows)
}

/// The full compiled forms of some articles, brotli-coded as stored (`delivery::parse_full`
/// reads them), for lists asked to `include` more than a summary.
pub fn full_forms(conn: &mut DbConnection, article_ids: &[i64]) -> Result<Vec<(i64, Vec<u8>)>, DbError> {
    Ok(article_deliveries::table
        .filter(article_deliveries::article_id.eq_any(article_ids))
        .select((article_deliveries::article_id, article_deliveries::full_br))
        .load(conn)?)
}

/// The compiled summaries of those of `public_ids` that are public at `now`, with the time
/// their public form last changed.
pub fn public_summaries(
    conn: &mut DbConnection,
    public_ids: &[&str],
    now: NaiveDateTime,
) -> Result<Vec<PublicSummary>, DbError> {
    Ok(article_deliveries::table
        .filter(article_deliveries::public_id.eq_any(public_ids))
        .filter(article_deliveries::visible_from.le(now))
        .select((
            article_deliveries::public_id,
            article_deliveries::language,
            article_deliveries::summary_json,
        ))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(public_id, language, json)| PublicSummary {
            public_id,
            language,
            json,
        })
        .collect())
}

/// A public article's summary (its list item), and its language.
#[derive(Debug, Clone)]
pub struct PublicSummary {
    pub public_id: String,
    pub language: String,
    pub json: String,
}

/// The languages that have public articles.
pub fn languages(conn: &mut DbConnection, now: NaiveDateTime) -> Result<Vec<String>, DbError> {
    Ok(article_deliveries::table
        .filter(article_deliveries::visible_from.le(now))
        .select(article_deliveries::language)
        .distinct()
        .order(article_deliveries::language.asc())
        .load(conn)?)
}

/// Up to `limit` compiled full forms (brotli-coded) with ids above `after`, in id order (for
/// reindexing).
pub fn full_forms_after(
    conn: &mut DbConnection,
    after: i64,
    limit: i64,
) -> Result<Vec<(i64, Vec<u8>)>, DbError> {
    Ok(article_deliveries::table
        .filter(article_deliveries::article_id.gt(after))
        .order(article_deliveries::article_id.asc())
        .limit(limit)
        .select((article_deliveries::article_id, article_deliveries::full_br))
        .load(conn)?)
}
