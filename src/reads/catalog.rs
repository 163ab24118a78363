//! Topics, contributors and media: small tables, read directly and cached as responses.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::paging::{self, Keyset};
use super::params::Limit;
use super::{resolve, Address, ReadError, Reader};
use crate::api::catalog::{ContributorView, MediaView, TopicDetail, TopicView};
use crate::api::utc;
use crate::db::queries::catalog;
use crate::db::{utc_now, DbError};
use crate::delivery::cache::Representation;
use crate::domain::kinds::{ContributorKind, TopicKind};
use crate::domain::match_key;
use crate::domain::validation::FieldError;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TopicListParams {
    pub kind: Option<TopicKind>,
    /// Only those with a name (in any language) or slug having these words, each typed as
    /// the start of a word and spelled as search accepts it: "ليب" finds ليبيا, "انقرة"
    /// finds أنقرة, "akar" finds Akar.
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContributorListParams {
    pub kind: Option<ContributorKind>,
    /// Only those with a name (in any language) or slug having these words, each typed as
    /// the start of a word and spelled as search accepts it: "ليب" finds ليبيا, "انقرة"
    /// finds أنقرة, "akar" finds Akar.
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TopicPage {
    pub data: Vec<TopicView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContributorPage {
    pub data: Vec<ContributorView>,
    pub next_cursor: Option<String>,
}

/// `{data, next_cursor}` as the schemas above describe it, for any kind of entry.
#[derive(Serialize)]
struct Paged<V> {
    data: Vec<V>,
    next_cursor: Option<String>,
}

/// One page of an id-ordered catalog list (`name`, e.g. "topics", narrowed by `filter`, which
/// its cursors are bound to):
/// `load(after, n)` fetches rows after an id, `entry` gives each row's id and view.
fn id_ordered<R, V: Serialize>(
    reader: &Reader,
    name: &str,
    filter: &str,
    cursor: Option<&str>,
    limit: Limit,
    load: impl FnOnce(Option<i64>, i64) -> Result<Vec<R>, DbError>,
    entry: impl Fn(&R) -> (i64, DateTime<Utc>, V),
) -> Result<Representation, ReadError> {
    let keyset = Keyset::new(&reader.cursors, format!("{name}|{filter}"), cursor)?;
    let after = keyset.after().map(|p| p.id);
    let page = keyset.fetch(
        limit,
        |n| Ok(load(after, n)?.iter().map(entry).collect()),
        |(id, _, _)| paging::at_id(*id),
    )?;
    // The newest change of what the page shows (the epoch for an empty page).
    let last_modified = page
        .rows
        .iter()
        .map(|(_, changed, _)| *changed)
        .max()
        .unwrap_or(DateTime::UNIX_EPOCH);
    let paged = Paged {
        data: page.rows.into_iter().map(|(_, _, view)| view).collect::<Vec<V>>(),
        next_cursor: page.next_cursor,
    };
    super::json(&paged, last_modified, name.to_owned())
}

/// The patterns of a picker's `q`: none when absent or blank; `None` when something was
/// typed but nothing of it is a word, which no name can match.
fn typed(q: Option<&str>) -> Result<Option<Vec<Vec<String>>>, ReadError> {
    let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) else {
        return Ok(Some(Vec::new()));
    };
    if q.chars().count() > MAX_TYPED_CHARS {
        return Err(FieldError::too_long("q", MAX_TYPED_CHARS).into());
    }
    let patterns = match_key::patterns(q);
    Ok((!patterns.is_empty()).then_some(patterns))
}

/// The longest `q` a catalog list takes.
const MAX_TYPED_CHARS: usize = 200;

/// One page of topics, in creation order, optionally of one kind or matching what was typed.
pub async fn topics(
    reader: &Arc<Reader>,
    params: TopicListParams,
    address: Address<'_>,
) -> Result<Arc<Representation>, ReadError> {
    let limit = Limit::parse(params.limit)?;
    let typed = typed(params.q.as_deref())?;
    reader
        .cached(address.key("catalog"), || {
            move |conn, reader| {
                let kind = params.kind;
                let filter = format!(
                    "{}|{}",
                    kind.map(TopicKind::as_str).unwrap_or(""),
                    params.q.as_deref().unwrap_or("")
                );
                id_ordered(
                    reader,
                    "topics",
                    &filter,
                    params.cursor.as_deref(),
                    limit,
                    |after, n| match &typed {
                        Some(typed) => catalog::topics_page(conn, kind, typed, after, n),
                        None => Ok(Vec::new()),
                    },
                    |topic| (topic.id, utc(topic.updated_at), TopicView::from_row(topic)),
                )
            }
        })
        .await
}

/// One topic with its parent and children.
pub async fn topic(
    reader: &Arc<Reader>,
    slug: String,
    address: Address<'_>,
) -> Result<Arc<Representation>, ReadError> {
    reader
        .cached(address.key("catalog"), || {
            move |conn, _| {
                let topic = resolve::topic(conn, &slug)?;
                let (parent, children) = catalog::topic_tree(conn, &topic)?;
                let detail = TopicDetail {
                    topic: TopicView::from_row(&topic),
                    parent: parent.as_ref().map(TopicView::from_row),
                    children: children.iter().map(TopicView::from_row).collect(),
                };
                let changed = std::iter::once(&topic)
                    .chain(parent.as_ref())
                    .chain(&children)
                    .map(|t| utc(t.updated_at))
                    .max()
                    .unwrap_or(DateTime::UNIX_EPOCH);
                super::json(&detail, changed, format!("topic-{slug}"))
            }
        })
        .await
}

/// One page of contributors, in creation order, optionally of one kind.
pub async fn contributors(
    reader: &Arc<Reader>,
    params: ContributorListParams,
    address: Address<'_>,
) -> Result<Arc<Representation>, ReadError> {
    let limit = Limit::parse(params.limit)?;
    let typed = typed(params.q.as_deref())?;
    reader
        .cached(address.key("catalog"), || {
            move |conn, reader| {
                let kind = params.kind;
                let filter = format!(
                    "{}|{}",
                    kind.map(ContributorKind::as_str).unwrap_or(""),
                    params.q.as_deref().unwrap_or("")
                );
                id_ordered(
                    reader,
                    "contributors",
                    &filter,
                    params.cursor.as_deref(),
                    limit,
                    |after, n| match &typed {
                        Some(typed) => catalog::contributors_page(conn, kind, typed, after, n),
                        None => Ok(Vec::new()),
                    },
                    |contributor| {
                        (
                            contributor.id,
                            utc(contributor.updated_at),
                            ContributorView::from_row(contributor),
                        )
                    },
                )
            }
        })
        .await
}

/// One contributor.
pub async fn contributor(
    reader: &Arc<Reader>,
    slug: String,
    address: Address<'_>,
) -> Result<Arc<Representation>, ReadError> {
    reader
        .cached(address.key("catalog"), || {
            move |conn, _| {
                let contributor = resolve::contributor(conn, &slug)?;
                let view = ContributorView::from_row(&contributor);
                super::json(&view, utc(contributor.updated_at), format!("contributor-{slug}"))
            }
        })
        .await
}

/// One media asset, once a published article shows it.
pub async fn media(
    reader: &Arc<Reader>,
    id: &str,
    address: Address<'_>,
) -> Result<Arc<Representation>, ReadError> {
    let not_found = |id: &str| ReadError::NotFound(format!("no media asset has the id '{id}'"));
    let public_id = uuid::Uuid::parse_str(id)
        .map_err(|_| not_found(id))?
        .hyphenated()
        .to_string();
    reader
        .cached(address.key("catalog"), || {
            move |conn, _| {
                let (asset, renditions) = catalog::public_media(conn, &public_id, utc_now())?
                    .ok_or_else(|| not_found(&public_id))?;
                let view = MediaView::from_row(&asset, &renditions);
                super::json(&view, utc(asset.updated_at), format!("media-{public_id}"))
            }
        })
        .await
}
