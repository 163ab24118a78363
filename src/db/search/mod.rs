//! Full-text search: the only module with backend-specific search SQL (FTS5 on SQLite,
//! tsvector on PostgreSQL). Both receive text already normalized by `domain::search`, so they
//! only split on spaces and can return the same articles for the same query.

mod postgres;
mod sqlite;

use chrono::NaiveDateTime;
use diesel::sql_types::{BigInt, Double, Text, Timestamp};
use diesel::QueryableByName;

use super::{DbConnection, DbError};
use crate::domain::search::{Indexed, Query, Requirement, Word};

/// What the index stores for one article (see `domain::search::index`).
#[derive(Debug, Clone, Default)]
pub struct SearchDocument {
    pub headline: Indexed,
    pub body: Indexed,
    /// Space-separated facet tokens (see [`facet`]).
    pub facets: String,
}

/// A facet an article has, indexed as a token so that filters are part of the full-text match.
#[derive(Debug, Clone, Copy)]
pub enum Facet<'a> {
    Language(&'a str),
    Topic(i64),
    Contributor(i64),
}

/// The token for a facet: letters and digits only, prefixed so that no word can equal it.
pub fn facet(facet: Facet<'_>) -> String {
    match facet {
        Facet::Language(tag) => format!(
            "zzl{}",
            tag.to_lowercase()
                .replace(|c: char| !c.is_ascii_alphanumeric(), "")
        ),
        Facet::Topic(id) => format!("zzt{id}"),
        Facet::Contributor(id) => format!("zzc{id}"),
    }
}

/// How many of the most recent matching articles are ranked. Ranking every match of a common
/// word in a million articles takes seconds; news readers want the recent ones.
pub const CANDIDATES: i64 = 1000;

#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    pub language: Option<String>,
    /// Includes descendants (through `delivery_topics`).
    pub topic_id: Option<i64>,
    pub contributor_id: Option<i64>,
    pub published_since: Option<NaiveDateTime>,
    pub published_until: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchSort {
    /// Best match first, newer first among equals.
    Relevance,
    Newest,
}

/// Where the previous page ended: its last hit's score, publish time and id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct After {
    pub score: f64,
    pub published_at: NaiveDateTime,
    pub article_id: i64,
}

/// One search result. `score` is lower for better matches on both backends.
#[derive(Debug, Clone, QueryableByName)]
pub struct Hit {
    #[diesel(sql_type = BigInt)]
    pub article_id: i64,
    #[diesel(sql_type = Timestamp)]
    pub published_at: NaiveDateTime,
    #[diesel(sql_type = Double)]
    pub score: f64,
    #[diesel(sql_type = Text)]
    pub summary_json: String,
    /// When its public form last changed.
    #[diesel(sql_type = Timestamp)]
    pub updated_at: NaiveDateTime,
}

/// A headline suggested for type-ahead.
#[derive(Debug, Clone, QueryableByName)]
pub struct HeadlineHit {
    #[diesel(sql_type = BigInt)]
    pub article_id: i64,
    #[diesel(sql_type = Text)]
    pub summary_json: String,
}

/// Stores (or replaces) an article's search document, inside the publish transaction.
pub fn index(conn: &mut DbConnection, article_id: i64, document: &SearchDocument) -> Result<(), DbError> {
    remove(conn, article_id)?;
    match conn {
        DbConnection::Sqlite(c) => sqlite::index(c, article_id, document),
        DbConnection::Pg(c) => postgres::index(c, article_id, document),
    }
}

/// Stores the search documents of articles the index does not hold yet (an import's new
/// articles): one statement for all on PostgreSQL, where each would be a round trip.
pub fn index_new(conn: &mut DbConnection, documents: &[(i64, &SearchDocument)]) -> Result<(), DbError> {
    match conn {
        DbConnection::Sqlite(c) => documents
            .iter()
            .try_for_each(|(article_id, document)| sqlite::index(c, *article_id, document)),
        DbConnection::Pg(c) => postgres::index_many(c, documents),
    }
}

/// Removes an article from the index.
pub fn remove(conn: &mut DbConnection, article_id: i64) -> Result<(), DbError> {
    match conn {
        DbConnection::Sqlite(c) => sqlite::remove(c, article_id),
        DbConnection::Pg(c) => postgres::remove(c, article_id),
    }
}

/// Public articles matching `query`, best first (or newest first), after `after`.
pub fn search(
    conn: &mut DbConnection,
    query: &Query,
    filter: &SearchFilter,
    sort: SearchSort,
    after: Option<After>,
    limit: i64,
    now: NaiveDateTime,
) -> Result<Vec<Hit>, DbError> {
    let plan = Plan {
        query,
        filter,
        sort,
        after,
        limit,
        now,
    };
    match conn {
        DbConnection::Sqlite(c) => sqlite::search(c, &plan),
        DbConnection::Pg(c) => postgres::search(c, &plan),
    }
}

/// Public articles whose headline has a word starting with `prefix`, newest first.
pub fn suggest_headlines(
    conn: &mut DbConnection,
    prefix: &str,
    language: Option<&str>,
    limit: i64,
    now: NaiveDateTime,
) -> Result<Vec<HeadlineHit>, DbError> {
    match conn {
        DbConnection::Sqlite(c) => sqlite::suggest(c, prefix, language, limit, now),
        DbConnection::Pg(c) => postgres::suggest(c, prefix, language, limit, now),
    }
}

/// Everything a backend needs to build one search statement.
struct Plan<'a> {
    query: &'a Query,
    filter: &'a SearchFilter,
    sort: SearchSort,
    after: Option<After>,
    limit: i64,
    now: NaiveDateTime,
}

impl Plan<'_> {
    /// The facet tokens every match must have.
    fn facets(&self) -> Vec<String> {
        let filter = self.filter;
        let mut facets = Vec::new();
        if let Some(language) = &filter.language {
            facets.push(facet(Facet::Language(language)));
        }
        if let Some(topic) = filter.topic_id {
            facets.push(facet(Facet::Topic(topic)));
        }
        if let Some(contributor) = filter.contributor_id {
            facets.push(facet(Facet::Contributor(contributor)));
        }
        facets
    }

    fn words(&self) -> impl Iterator<Item = &Word> {
        self.query.required.iter().filter_map(|r| match r {
            Requirement::Word(word) => Some(word),
            Requirement::Phrase(_) => None,
        })
    }

    fn phrases(&self) -> impl Iterator<Item = &Vec<String>> {
        self.query.required.iter().filter_map(|r| match r {
            Requirement::Phrase(phrase) => Some(phrase),
            Requirement::Word(_) => None,
        })
    }
}

/// A value to bind, in statement order.
enum Bind {
    Text(String),
    Stamp(NaiveDateTime),
    Int(i64),
    Float(f64),
}

/// The SQL shared by both backends around their match clause: visibility, filters, keyset and
/// order. `placeholder(n)` writes the n-th bind marker in the backend's syntax.
fn around_match(plan: &Plan<'_>, binds: &mut Vec<Bind>, placeholder: &dyn Fn(usize) -> String) -> String {
    let next = |bind: Bind, binds: &mut Vec<Bind>| {
        binds.push(bind);
        placeholder(binds.len())
    };
    // Language, topic and contributor are facets inside the match; what is left here is
    // visibility and the publish window.
    let mut sql = format!(" AND d.visible_from <= {}", next(Bind::Stamp(plan.now), binds));
    let filter = plan.filter;
    if let Some(since) = filter.published_since {
        sql.push_str(&format!(
            " AND d.published_at >= {}",
            next(Bind::Stamp(since), binds)
        ));
    }
    if let Some(until) = filter.published_until {
        sql.push_str(&format!(
            " AND d.published_at < {}",
            next(Bind::Stamp(until), binds)
        ));
    }
    if let Some(after) = plan.after {
        // Binds are taken in the order their markers appear: SQLite's `?` are positional.
        let score_prefix = match plan.sort {
            SearchSort::Newest => String::new(),
            SearchSort::Relevance => {
                let s1 = next(Bind::Float(after.score), binds);
                let s2 = next(Bind::Float(after.score), binds);
                format!("s.score > {s1} OR (s.score = {s2} AND ")
            }
        };
        let p1 = next(Bind::Stamp(after.published_at), binds);
        let p2 = next(Bind::Stamp(after.published_at), binds);
        let id = next(Bind::Int(after.article_id), binds);
        let newer_tie = format!("(d.published_at < {p1} OR (d.published_at = {p2} AND d.article_id < {id}))");
        match plan.sort {
            SearchSort::Newest => sql.push_str(&format!(" AND {newer_tie}")),
            SearchSort::Relevance => sql.push_str(&format!(" AND ({score_prefix}{newer_tie}))")),
        }
    }
    sql.push_str(match plan.sort {
        SearchSort::Relevance => " ORDER BY s.score ASC, d.published_at DESC, d.article_id DESC",
        SearchSort::Newest => " ORDER BY d.published_at DESC, d.article_id DESC",
    });
    sql.push_str(&format!(" LIMIT {}", next(Bind::Int(plan.limit), binds)));
    sql
}

macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut query = $query;
        for bind in $binds {
            query = match bind {
                Bind::Text(value) => query.bind::<diesel::sql_types::Text, _>(value),
                Bind::Stamp(value) => query.bind::<diesel::sql_types::Timestamp, _>(value),
                Bind::Int(value) => query.bind::<diesel::sql_types::BigInt, _>(value),
                Bind::Float(value) => query.bind::<diesel::sql_types::Double, _>(value),
            };
        }
        query
    }};
}
use bind_all;
