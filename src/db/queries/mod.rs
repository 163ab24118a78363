//! Portable queries taking `&mut DbConnection`: the same code runs on both backends.

pub mod api_keys;
pub mod article_read;
pub mod article_rows;
pub mod audit;
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
