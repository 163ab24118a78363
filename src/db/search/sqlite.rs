//! FTS5 on SQLite.

use chrono::NaiveDateTime;
use diesel::sql_types::{BigInt, Text, Timestamp};
use diesel::sqlite::Sqlite;
use diesel::{RunQueryDsl, SqliteConnection};

use super::{around_match, bind_all, Bind, HeadlineHit, Hit, Plan, SearchDocument};
use crate::db::DbError;
use crate::domain::search::Word;

pub fn index(conn: &mut SqliteConnection, article_id: i64, document: &SearchDocument) -> Result<(), DbError> {
    let phrases = format!("{} {}", document.headline.primaries, document.body.primaries);
    diesel::sql_query(
        "INSERT INTO article_search (rowid, headline, body, phrases, facets) VALUES (?, ?, ?, ?, ?)",
    )
    .bind::<BigInt, _>(article_id)
    .bind::<Text, _>(&document.headline.forms)
    .bind::<Text, _>(&document.body.forms)
    .bind::<Text, _>(phrases)
    .bind::<Text, _>(&document.facets)
    .execute(conn)?;
    Ok(())
}

pub fn remove(conn: &mut SqliteConnection, article_id: i64) -> Result<(), DbError> {
    diesel::sql_query("DELETE FROM article_search WHERE rowid = ?")
        .bind::<BigInt, _>(article_id)
        .execute(conn)?;
    Ok(())
}

/// `("a" OR "b")` for a word's forms. Forms are letters and digits only, so quoting is enough.
fn forms(word: &Word) -> String {
    let alternatives: Vec<String> = word.forms().map(|f| format!("\"{f}\"")).collect();
    format!("({})", alternatives.join(" OR "))
}

/// The FTS5 expression: words in headline or body, phrases in order, the filters' facets, and
/// exclusions after NOT.
fn match_expression(plan: &Plan<'_>) -> String {
    let mut required: Vec<String> = plan
        .words()
        .map(|w| format!("{{headline body}} : {}", forms(w)))
        .collect();
    required.extend(
        plan.phrases()
            .map(|phrase| format!("phrases : \"{}\"", phrase.join(" "))),
    );
    required.extend(
        plan.facets()
            .into_iter()
            .map(|token| format!("facets : \"{token}\"")),
    );
    let mut expression = format!("({})", required.join(" AND "));
    if !plan.query.excluded.is_empty() {
        let excluded: Vec<String> = plan.query.excluded.iter().map(forms).collect();
        expression = format!("{expression} NOT {{headline body}} : ({})", excluded.join(" OR "));
    }
    expression
}

pub(super) fn search(conn: &mut SqliteConnection, plan: &Plan<'_>) -> Result<Vec<Hit>, DbError> {
    let mut binds = vec![Bind::Text(match_expression(plan)), Bind::Int(super::CANDIDATES)];
    // The newest CANDIDATES matches (FTS5 walks its doclists by descending rowid and stops there),
    // each scored once (materialized): bm25 is lower for better matches, the headline weighing
    // five times the body.
    let mut sql = String::from(
        "WITH s AS MATERIALIZED (SELECT rowid AS article_id, bm25(article_search, 5.0, 1.0, 1.0, 0.0) AS score \
               FROM article_search WHERE article_search MATCH ? ORDER BY rowid DESC LIMIT ?) \
         SELECT d.article_id AS article_id, d.published_at AS published_at, s.score AS score, \
         d.summary_json AS summary_json, d.updated_at AS updated_at \
         FROM s JOIN article_deliveries d ON d.article_id = s.article_id WHERE 1 = 1",
    );
    sql.push_str(&around_match(plan, &mut binds, &|_| "?".to_owned()));
    let query = bind_all!(diesel::sql_query(sql).into_boxed::<Sqlite>(), binds);
    Ok(query.load(conn)?)
}

pub fn suggest(
    conn: &mut SqliteConnection,
    prefix: &str,
    language: Option<&str>,
    limit: i64,
    now: NaiveDateTime,
) -> Result<Vec<HeadlineHit>, DbError> {
    let mut sql = String::from(
        "SELECT d.article_id AS article_id, d.summary_json AS summary_json \
         FROM article_search s JOIN article_deliveries d ON d.article_id = s.rowid \
         WHERE article_search MATCH ? AND d.visible_from <= ?",
    );
    if language.is_some() {
        sql.push_str(" AND (d.language = ? OR d.language LIKE ?)");
    }
    sql.push_str(" ORDER BY d.published_at DESC, d.article_id DESC LIMIT ?");
    let mut query = diesel::sql_query(sql)
        .into_boxed::<Sqlite>()
        .bind::<Text, _>(format!("headline : \"{prefix}\" *"))
        .bind::<Timestamp, _>(now);
    if let Some(language) = language {
        query = query
            .bind::<Text, _>(language.to_owned())
            .bind::<Text, _>(crate::domain::language::subtag_pattern(language));
    }
    Ok(query.bind::<BigInt, _>(limit).load(conn)?)
}
