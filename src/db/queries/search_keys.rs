//! The stored keys pickers and the desk's list search by (`domain::match_key`): every write
//! of a name or headline sets its key; this fills the keys of rows written before keys
//! existed, and recomputes all of them when the normalization changes.

use std::collections::BTreeMap;

use diesel::prelude::*;

use crate::db::claim::write_transaction;
use crate::db::schema::{articles, contributors, topics};
use crate::db::{DbConnection, DbError};
use crate::domain::match_key;

/// Rows read and written at a time.
const BATCH: i64 = 500;

/// Fills empty keys (`all`: every key) of topics, contributors and articles; returns how many
/// rows it wrote.
pub fn fill(conn: &mut DbConnection, all: bool) -> Result<usize, DbError> {
    let topics = in_batches(
        conn,
        |conn, after| {
            let mut query = topics::table
                .select((topics::id, topics::slug, topics::name, topics::localized_names))
                .filter(topics::id.gt(after))
                .order(topics::id)
                .limit(BATCH)
                .into_boxed();
            if !all {
                query = query.filter(topics::search_key.eq(""));
            }
            Ok(query.load(conn)?.into_iter().map(catalog_key).collect())
        },
        |conn, id, key| {
            diesel::update(topics::table.find(id))
                .set(topics::search_key.eq(key))
                .execute(conn)
        },
    )?;
    let contributors = in_batches(
        conn,
        |conn, after| {
            let mut query = contributors::table
                .select((
                    contributors::id,
                    contributors::slug,
                    contributors::name,
                    contributors::localized_names,
                ))
                .filter(contributors::id.gt(after))
                .order(contributors::id)
                .limit(BATCH)
                .into_boxed();
            if !all {
                query = query.filter(contributors::search_key.eq(""));
            }
            Ok(query.load(conn)?.into_iter().map(catalog_key).collect())
        },
        |conn, id, key| {
            diesel::update(contributors::table.find(id))
                .set(contributors::search_key.eq(key))
                .execute(conn)
        },
    )?;
    let articles = in_batches(
        conn,
        |conn, after| {
            let mut query = articles::table
                .select((articles::id, articles::headline))
                .filter(articles::id.gt(after))
                .order(articles::id)
                .limit(BATCH)
                .into_boxed();
            if !all {
                query = query.filter(articles::search_key.eq(""));
            }
            let rows: Vec<(i64, String)> = query.load(conn)?;
            Ok(rows
                .into_iter()
                .map(|(id, headline)| (id, match_key::key([headline.as_str()])))
                .collect())
        },
        |conn, id, key| {
            diesel::update(articles::table.find(id))
                .set(articles::search_key.eq(key))
                .execute(conn)
        },
    )?;
    Ok(topics + contributors + articles)
}

/// A topic's or contributor's key from its (id, slug, name, localized names as JSON).
fn catalog_key((id, slug, name, localized): (i64, String, String, String)) -> (i64, String) {
    let others: Vec<String> = serde_json::from_str::<BTreeMap<String, String>>(&localized)
        .map(|names| names.into_values().collect())
        .unwrap_or_default();
    (
        id,
        match_key::catalog_key(&slug, &name, others.iter().map(String::as_str)),
    )
}

/// Reads (id, key) pairs after an id, and stores each, a batch a transaction, until none is
/// left.
fn in_batches(
    conn: &mut DbConnection,
    mut load: impl FnMut(&mut DbConnection, i64) -> Result<Vec<(i64, String)>, DbError>,
    mut store: impl FnMut(&mut DbConnection, i64, String) -> QueryResult<usize>,
) -> Result<usize, DbError> {
    let mut written = 0;
    let mut after = 0_i64;
    loop {
        let rows = load(conn, after)?;
        let Some(last) = rows.last().map(|(id, _)| *id) else {
            return Ok(written);
        };
        written += rows.len();
        write_transaction(conn, |conn| {
            for (id, key) in rows {
                store(conn, id, key)?;
            }
            Ok::<_, DbError>(())
        })?;
        after = last;
    }
}
