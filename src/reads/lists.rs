//! Article lists: `/v1/articles` and the topic and contributor lists, with filters, keyset
//! paging, and shape control (`include`, `fields`); `q=` hands over to search and
//! `updated_since=` to incremental sync.

use crate::domain::validation::FieldCode;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};

use super::list_params::{check, Checked, ListParams, SortParam};
use super::paging::{self, Keyset};
use super::params::Limit;
use super::{resolve, Address, ReadError, Reader};
use crate::db::queries::delivery_lists::{self, ListFilter, ListRow, Sort};
use crate::db::{utc_now, DbConnection, DbError};
use crate::delivery::cache::Representation;
use crate::domain::kinds::BylineRole;

/// Whose articles a list shows: all, or those of the topic or contributor the path names.
#[derive(Debug, Clone)]
pub enum ListSubject {
    All,
    Topic(String),
    Contributor(String),
}

/// A validated list request.
#[derive(Debug, Clone)]
struct ListRequest {
    filter: ListFilter,
    sort: Sort,
    limit: Limit,
    includes: Vec<&'static str>,
    fields: Vec<String>,
}

fn naive(at: Option<DateTime<Utc>>) -> Option<NaiveDateTime> {
    at.map(|t| t.naive_utc())
}

/// Resolves the filter slugs to ids.
fn resolve_request(conn: &mut DbConnection, params: &ListParams) -> Result<ListRequest, ReadError> {
    let Checked {
        sort,
        limit,
        includes,
        fields,
        language,
    } = check(params)?;
    let mut filter = ListFilter {
        language,
        published_since: naive(params.published_since),
        published_until: naive(params.published_until),
        role: params.role,
        ..ListFilter::default()
    };
    if let Some(slug) = &params.topic {
        filter.topic_id = Some(resolve::topic_filter(conn, "topic", slug)?.id);
    }
    if let Some(slug) = &params.section {
        filter.section_id = Some(resolve::section_filter(conn, "section", slug)?.id);
    }
    if let Some(slug) = &params.contributor {
        filter.contributor_id = Some(resolve::contributor_filter(conn, "contributor", slug)?.id);
    }
    Ok(ListRequest {
        filter,
        sort,
        limit,
        includes,
        fields,
    })
}

/// What a cursor of this list is valid for: the same sort and filters.
fn cursor_scope(request: &ListRequest) -> String {
    let filter = &request.filter;
    format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        request.sort,
        filter.language,
        filter.topic_id,
        filter.section_id,
        filter.contributor_id,
        filter.role.map(BylineRole::as_str),
        filter.published_since,
        filter.published_until
    )
}

/// Fetches the page and renders it, `Link` header included.
fn page(
    conn: &mut DbConnection,
    reader: &Reader,
    params: &ListParams,
    self_url: &url::Url,
) -> Result<Representation, ReadError> {
    let request = resolve_request(conn, params)?;
    let keyset = Keyset::new(&reader.cursors, cursor_scope(&request), params.cursor.as_deref())?;
    let after = keyset.after_time()?;
    let now = utc_now();
    let sort = request.sort;
    let page = keyset.fetch(
        request.limit,
        |n| delivery_lists::list(conn, &request.filter, sort, after, n, now),
        |last| match sort {
            Sort::Updated => paging::at_time(last.updated_at, last.article_id),
            Sort::Newest | Sort::Oldest => paging::at_time(last.published_at, last.article_id),
        },
    )?;
    let items = render_items(conn, &page.rows, &request)?;
    let last_modified = page
        .rows
        .iter()
        .map(|r| r.updated_at)
        .max()
        .unwrap_or(now)
        .and_utc();
    paging::json_page(&items, page.next_cursor, last_modified, self_url)
}

/// The JSON of each entry: the stored summary as is, or reshaped for `include` and `fields`.
fn render_items(
    conn: &mut DbConnection,
    rows: &[ListRow],
    request: &ListRequest,
) -> Result<Vec<String>, ReadError> {
    if request.includes.is_empty() && request.fields.is_empty() {
        return Ok(rows.iter().map(|r| r.summary_json.clone()).collect());
    }
    let full: HashMap<i64, serde_json::Value> = if request.includes.is_empty() {
        HashMap::new()
    } else {
        let ids: Vec<i64> = rows.iter().map(|r| r.article_id).collect();
        delivery_lists::full_forms(conn, &ids)?
            .into_iter()
            .filter_map(|(id, brotli)| {
                let view = crate::delivery::parse_full(&brotli).ok()?;
                Some((id, serde_json::to_value(view).ok()?))
            })
            .collect()
    };
    rows.iter()
        .map(|row| {
            let mut summary: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&row.summary_json).map_err(DbError::corrupt)?;
            if !request.fields.is_empty() {
                summary.retain(|key, _| key == "id" || request.fields.iter().any(|f| f == key));
            }
            if let Some(full) = full.get(&row.article_id) {
                for key in &request.includes {
                    summary.insert((*key).to_owned(), full[*key].clone());
                }
            }
            Ok(serde_json::Value::Object(summary).to_string())
        })
        .collect()
}

/// `q=` on an article list: the same search as `GET /v1/search`, with the list's filters.
fn search_in_list(
    conn: &mut DbConnection,
    reader: &Reader,
    params: ListParams,
    q: String,
    self_url: &url::Url,
) -> Result<Representation, ReadError> {
    let unsupported = [
        ("section", params.section.is_some()),
        ("role", params.role.is_some()),
        ("include", params.include.is_some()),
        ("fields", params.fields.is_some()),
        ("updated_since", params.updated_since.is_some()),
    ];
    if let Some((name, _)) = unsupported.iter().find(|(_, given)| *given) {
        return Err(ReadError::coded(
            *name,
            FieldCode::Inconsistent,
            "cannot be combined with q",
        ));
    }
    let sort = match params.sort {
        None | Some(SortParam::Relevance) => super::search::SearchSortParam::Relevance,
        Some(SortParam::Newest) => super::search::SearchSortParam::Newest,
        Some(_) => {
            return Err(ReadError::coded(
                "sort",
                FieldCode::Inconsistent,
                "with q, sort is relevance or newest",
            ))
        }
    };
    let search = super::search::SearchParams {
        q,
        language: params.language,
        topic: params.topic,
        contributor: params.contributor,
        published_since: params.published_since,
        published_until: params.published_until,
        sort: Some(sort),
        limit: params.limit,
        cursor: params.cursor,
    };
    super::search::page(conn, reader, &search, self_url)
}

/// One page of an article list, through the cache.
pub async fn articles(
    reader: &Arc<Reader>,
    subject: ListSubject,
    params: ListParams,
    address: Address<'_>,
) -> Result<Arc<Representation>, ReadError> {
    reader
        .cached(address.key("list"), || {
            let self_url = address.url(&reader.public_url);
            move |conn, reader| {
                let mut params = params;
                match subject {
                    ListSubject::All => {}
                    ListSubject::Topic(slug) => {
                        resolve::topic(conn, &slug)?;
                        params.topic = Some(slug);
                    }
                    ListSubject::Contributor(slug) => {
                        resolve::contributor(conn, &slug)?;
                        params.contributor = Some(slug);
                    }
                }
                if let Some(q) = params.q.clone() {
                    return search_in_list(conn, reader, params, q, &self_url);
                }
                if let Some(since) = params.updated_since {
                    return super::sync::page(conn, reader, &params, since, &self_url);
                }
                page(conn, reader, &params, &self_url)
            }
        })
        .await
}
