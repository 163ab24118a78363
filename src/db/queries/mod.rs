//! Portable queries taking `&mut DbConnection`: the same code runs on both backends.

/// Rows per multi-row `INSERT`: well under SQLite's 32,766 bound variables for the widest table
/// written so.
const CHUNK: usize = 500;

/// Inserts `$rows` in chunks of [`CHUNK`], one statement each. diesel's `MultiConnection` cannot
/// batch inserts, so each is dispatched to the backend's own connection (the same statement).
macro_rules! insert_rows {
    ($conn:expr, $table:path, $rows:expr) => {{
        let mut written = 0usize;
        for chunk in $rows.chunks(super::CHUNK) {
            written += match $conn {
                DbConnection::Sqlite(c) => diesel::insert_into($table).values(chunk).execute(c)?,
                DbConnection::Pg(c) => diesel::insert_into($table).values(chunk).execute(c)?,
            };
        }
        Ok::<usize, DbError>(written)
    }};
}

pub mod api_keys;
pub mod article_read;
pub mod article_rows;
pub mod audit;
pub mod breaking;
pub mod bulk;
pub mod catalog;
pub mod catalog_write;
pub mod change_log;
pub mod delivery;
pub mod delivery_lists;
pub mod editorial;
pub mod generated;
pub mod idempotency;
pub mod jobs;
pub mod live;
pub mod previews;
pub mod redirects;
pub mod related;
pub mod search_keys;
pub mod secrets;
pub mod sessions;
pub mod sitemaps;
pub mod transfer_read;
pub mod transfer_write;
pub mod users;
pub mod webhooks;

/// Keeps the rows of a boxed `query` whose key `column` matches every group of `patterns`
/// (`domain::match_key::patterns`): within a group any pattern, as `LIKE … ESCAPE '\'`.
macro_rules! filter_by_key {
    ($query:expr, $table:ty, $column:expr, $patterns:expr) => {{
        let mut query = $query;
        for group in $patterns {
            let mut alternatives = group.iter();
            if let Some(first) = alternatives.next() {
                type Condition = Box<
                    dyn diesel::BoxableExpression<
                        $table,
                        crate::db::MultiBackend,
                        SqlType = diesel::sql_types::Bool,
                    >,
                >;
                let mut any: Condition = Box::new($column.like(first.clone()).escape('\\'));
                for pattern in alternatives {
                    any = Box::new(any.or($column.like(pattern.clone()).escape('\\')));
                }
                query = query.filter(any);
            }
        }
        query
    }};
}
pub(crate) use filter_by_key;
