//! Site paths for server-rendered front-ends: `GET /v1/resolve?path=/ar/…` says what a path of
//! the newsroom's website shows (an article, a topic, a contributor), or where an old path
//! leads now (renamed slugs, imported permalinks, editors' redirects), or that it shows nothing.

use crate::domain::validation::FieldCode;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ReadError, Reader};
use crate::api::utc;
use crate::db::queries::article_read::ArticleKey;
use crate::db::queries::delivery::{self, Found};
use crate::db::queries::redirects::{self, Current};
use crate::db::queries::{catalog, related};
use crate::db::{utc_now, DbConnection, DbError};
use crate::delivery::cache::Representation;
use crate::domain::site_path::{Shows, SitePath};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ResolveQuery {
    /// A path of the website (`/ar/محادثات-…`, percent-encoded or not), or a full URL of it.
    /// Khabar's layout is `/{language}/{slug}` for articles, `/topics/{slug}` and
    /// `/contributors/{slug}`; the base path of KHABAR_SITE_URL is taken off first.
    #[param(min_length = 1, max_length = 2000, example = "/ar/libya-turkey-talks")]
    pub path: String,
}

/// What a site path shows, or where it leads.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Resolved {
    /// A published article: its summary, as lists give it.
    Article {
        id: String,
        language: String,
        slug: String,
        /// `/v1/articles/{id}`, to fetch the whole article.
        api_url: String,
        #[schema(value_type = crate::api::summary::ArticleSummary)]
        summary: serde_json::Value,
    },
    Topic {
        slug: String,
        name: String,
        api_url: String,
    },
    Contributor {
        slug: String,
        name: String,
        api_url: String,
    },
    /// An old path: answer the reader with `status` and `Location: location`.
    Redirect {
        /// 301 or 308 (permanent), 302 or 307 (temporary).
        status: u16,
        /// Absolute: the site URL of what the path leads to, or an outside URL.
        location: String,
        /// What it leads to on the site (`/ar/new-slug`), when it stays on the site.
        #[serde(skip_serializing_if = "Option::is_none")]
        path: Option<String>,
    },
}

fn missing(path: &str) -> ReadError {
    ReadError::NotFound(format!("the path '{path}' shows nothing on this site"))
}

/// What `path` shows, through the cache.
pub async fn resolve(reader: &Arc<Reader>, query: &ResolveQuery) -> Result<Arc<Representation>, ReadError> {
    let path = SitePath::parse(&query.path)
        .map_err(|e| ReadError::coded("path", FieldCode::Format, e.to_string()))?;
    let base = reader.urls.base_path().to_owned();
    let path = path.within(&base).unwrap_or(path);
    reader
        .cached(format!("resolve:{path}"), || {
            move |conn, reader| {
                let (resolved, changed) = match shows(conn, &path)? {
                    Some(found) => found,
                    None => leads_to(conn, reader, &path)?.ok_or_else(|| missing(path.as_str()))?,
                };
                super::json(&resolved, changed, String::new())
            }
        })
        .await
}

/// What the path shows in Khabar's layout, if that exists and is public.
fn shows(conn: &mut DbConnection, path: &SitePath) -> Result<Option<(Resolved, DateTime<Utc>)>, ReadError> {
    Ok(match path.shows() {
        Shows::Article { language, slug } => {
            let key = ArticleKey::Slug {
                slug,
                language: Some(language),
            };
            match delivery::find(conn, &key, utc_now())? {
                Found::One(found) => {
                    let summary = related::summaries(conn, &[found.article_id])?
                        .pop()
                        .ok_or_else(|| DbError::Corrupt("a delivered article has no summary".into()))?;
                    let summary: serde_json::Value =
                        serde_json::from_str(&summary).map_err(DbError::corrupt)?;
                    let id = summary["id"].as_str().unwrap_or_default().to_owned();
                    let resolved = Resolved::Article {
                        api_url: format!("/v1/articles/{id}"),
                        language: summary["language"].as_str().unwrap_or_default().to_owned(),
                        slug: summary["slug"].as_str().unwrap_or_default().to_owned(),
                        id,
                        summary,
                    };
                    Some((resolved, utc(found.updated_at)))
                }
                _ => None,
            }
        }
        Shows::Topic(slug) => catalog::topic_by_slug(conn, &slug)?.map(|topic| {
            (
                Resolved::Topic {
                    api_url: format!("/v1/topics/{}", topic.slug),
                    slug: topic.slug,
                    name: topic.name,
                },
                utc(topic.updated_at),
            )
        }),
        Shows::Contributor(slug) => catalog::contributor_by_slug(conn, &slug)?.map(|contributor| {
            (
                Resolved::Contributor {
                    api_url: format!("/v1/contributors/{}", contributor.slug),
                    slug: contributor.slug,
                    name: contributor.name,
                },
                utc(contributor.updated_at),
            )
        }),
        Shows::Other => None,
    })
}

/// Where a redirect from the path leads now, if there is one and its target is public.
fn leads_to(
    conn: &mut DbConnection,
    reader: &Reader,
    path: &SitePath,
) -> Result<Option<(Resolved, DateTime<Utc>)>, ReadError> {
    let Some(row) = redirects::find(conn, path.as_str())? else {
        return Ok(None);
    };
    let destination = match redirects::current(conn, &row.target()?)? {
        Some(Current::Article {
            public_id,
            language,
            slug,
            ..
        }) => {
            let public = matches!(
                delivery::find(conn, &ArticleKey::PublicId(public_id), utc_now())?,
                Found::One(_)
            );
            public.then(|| SitePath::of_article(&language, &slug))
        }
        Some(Current::Topic(slug)) => Some(SitePath::of_topic(&slug)),
        Some(Current::Contributor(slug)) => Some(SitePath::of_contributor(&slug)),
        Some(Current::Url(url)) => {
            let status = u16::try_from(row.status).unwrap_or(301);
            return Ok(Some((
                Resolved::Redirect {
                    status,
                    location: url,
                    path: None,
                },
                utc(row.created_at),
            )));
        }
        None => None,
    };
    Ok(destination.map(|to| {
        (
            Resolved::Redirect {
                status: u16::try_from(row.status).unwrap_or(301),
                location: reader.urls.absolute(to.as_str()),
                path: Some(to.as_str().to_owned()),
            },
            utc(row.created_at),
        )
    }))
}
