//! One published article, and what is derived from it: a sparse form (`fields=`), its related
//! articles and translations, and its ninjs document.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::params;
use super::{Address, ReadError, Reader};
use crate::api::article::{ArticleLinkView, ArticleView};
use crate::db::queries::article_read::ArticleKey;
use crate::db::queries::delivery::{self, Found};
use crate::db::queries::related;
use crate::db::{utc_now, DbError};
use crate::delivery::cache::Representation;
use crate::delivery::codings::Bodies;
use crate::domain::slug;
use crate::domain::validation::{FieldCode, FieldError};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ArticleQuery {
    /// Language of the article, when the slug is used in several languages.
    #[param(example = "ar")]
    pub language: Option<String>,
    /// Comma-separated top-level fields to keep (sparse fieldset), e.g. `headline,byline,seo`.
    pub fields: Option<String>,
    /// Comma-separated extras the default form leaves out because they repeat it:
    /// `head_html` (`seo.head_html`, the SEO and social metadata as HTML for a page's head) and
    /// `body_text` (the body as plain text).
    pub include: Option<String>,
}

/// What `include=` may add to an article.
const ARTICLE_INCLUDES: &[&str] = &["head_html", "body_text"];

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LinkQuery {
    /// Language of the article, when the slug is used in several languages.
    #[param(example = "ar")]
    pub language: Option<String>,
}

/// Articles linked from one article.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleLinks {
    pub data: Vec<ArticleLinkView>,
    /// For related articles: true when none were curated and these were computed from shared
    /// topics, contributors and recency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub computed: Option<bool>,
}

/// How many related articles are computed when none are curated, and how many recent articles
/// of each shared topic are considered.
const COMPUTED_RELATED: usize = 5;
const RELATED_CANDIDATES_PER_TOPIC: i64 = 50;

/// Top-level fields of the full article shape, for `fields=`.
const ARTICLE_FIELDS: &[&str] = &[
    "id",
    "slug",
    "language",
    "dir",
    "headline",
    "lead",
    "dateline",
    "byline",
    "bylines",
    "featured_media",
    "body",
    "body_html",
    "body_text",
    "word_count",
    "reading_time_minutes",
    "topics",
    "related",
    "translations",
    "corrections",
    "canonical_url",
    "seo",
    "first_published_at",
    "published_at",
    "updated_at",
    "version",
    "live",
    "breaking_until",
];

pub(super) fn parse_key(key: &str, language: Option<&str>) -> Result<ArticleKey, ReadError> {
    let language = params::language(language)?;
    if let Ok(id) = uuid::Uuid::parse_str(key) {
        return Ok(ArticleKey::PublicId(id.hyphenated().to_string()));
    }
    let slug = slug::parse(key).map_err(|_| not_found(key))?;
    Ok(ArticleKey::Slug { slug, language })
}

/// A slug public in several languages, asked for without `language`: 400 naming them.
pub(super) fn ambiguous(languages: &[String]) -> ReadError {
    ReadError::BadRequest {
        detail: format!(
            "the slug is published in several languages ({}); add ?language=",
            languages.join(", ")
        ),
        errors: vec![FieldError::coded(
            "language",
            FieldCode::Required,
            format!("required here; one of: {}", languages.join(", ")),
        )],
    }
}

fn not_found(key: &str) -> ReadError {
    ReadError::NotFound(format!("no published article has the id or slug '{key}'"))
}

/// For a slug no public article has: the article an old path of that slug leads to now, when
/// exactly one public article does (a renamed article keeps answering at its old slug).
fn moved_or_missing(
    conn: &mut crate::db::DbConnection,
    lookup: &ArticleKey,
    key: &str,
) -> Result<ReadError, DbError> {
    use crate::db::queries::redirects::{self, Current};
    use crate::domain::site_path::{Shows, SitePath};
    let ArticleKey::Slug { slug, language } = lookup else {
        return Ok(not_found(key));
    };
    let mut leads_to: Vec<(String, String)> = Vec::new();
    for row in redirects::to_articles_ending_in(conn, slug)? {
        let Ok(path) = SitePath::parse(&row.from_path) else {
            continue;
        };
        let matches = match path.shows() {
            Shows::Article {
                language: from_language,
                slug: from_slug,
            } => from_slug == *slug && language.as_ref().is_none_or(|l| *l == from_language),
            _ => false,
        };
        if !matches {
            continue;
        }
        let Some(Current::Article {
            public_id,
            language,
            slug,
            ..
        }) = redirects::current(conn, &row.target()?)?
        else {
            continue;
        };
        let public = matches!(
            delivery::find(conn, &ArticleKey::PublicId(public_id), utc_now())?,
            Found::One(_)
        );
        if public && !leads_to.contains(&(slug.clone(), language.clone())) {
            leads_to.push((slug, language));
        }
    }
    Ok(match leads_to.as_slice() {
        [(slug, language)] => ReadError::Moved {
            slug: slug.clone(),
            language: language.clone(),
        },
        _ => not_found(key),
    })
}

/// A public article's compiled form, through the cache.
pub async fn load(
    reader: &Arc<Reader>,
    key: &str,
    language: Option<&str>,
) -> Result<Arc<Representation>, ReadError> {
    let cache_key = format!("article:{key}:{}", language.unwrap_or(""));
    reader
        .cached(cache_key, || {
            let key = key.to_owned();
            let language = language.map(str::to_owned);
            move |conn, _| {
                let lookup = parse_key(&key, language.as_deref())?;
                let delivered = match delivery::find(conn, &lookup, utc_now())? {
                    Found::One(delivered) => delivered,
                    Found::None => return Err(moved_or_missing(conn, &lookup, &key)?),
                    Found::Ambiguous(languages) => return Err(ambiguous(&languages)),
                };
                // The stored brotli form, sent as it is to browsers; the identity and gzip
                // forms are made from it here, once per fill, off the request's worker.
                let bodies = Bodies::from_brotli(delivered.full_br.into()).map_err(DbError::corrupt)?;
                let mut representation = Representation::with_bodies(
                    bodies,
                    delivered.etag,
                    delivered.updated_at.and_utc(),
                    delivered.surrogate_keys,
                );
                representation.is_article = true;
                Ok(representation)
            }
        })
        .await
}

/// A representation derived from an article's: its validators follow the article's, and it is
/// evicted with it (`is_article`, the article's surrogate keys).
fn derived(source: &Representation, body: serde_json::Value) -> Representation {
    let mut representation = super::text(
        body.to_string(),
        source.last_modified,
        source.surrogate_keys.clone(),
    );
    representation.is_article = source.is_article;
    representation
}

fn parse_json(
    representation: &Representation,
) -> Result<serde_json::Map<String, serde_json::Value>, ReadError> {
    serde_json::from_slice(representation.body()).map_err(|e| DbError::Corrupt(e.to_string()).into())
}

/// The cache key of something derived from the article at `key`: `kind` and the request's
/// own parameters.
fn derived_key(kind: &str, key: &str, language: Option<&str>, extra: &str) -> String {
    format!("{kind}:{key}:{}:{extra}", language.unwrap_or(""))
}

/// The article, whole or with only the top-level `fields` named, with the extras `include`
/// names.
pub async fn article(
    reader: &Arc<Reader>,
    key: &str,
    query: &ArticleQuery,
) -> Result<Arc<Representation>, ReadError> {
    let fields = params::comma_list(query.fields.as_deref());
    let includes = params::comma_list(query.include.as_deref());
    let mut unknown = params::unknown_names("fields", &fields, ARTICLE_FIELDS);
    unknown.extend(params::unknown_names("include", &includes, ARTICLE_INCLUDES));
    if !unknown.is_empty() {
        return Err(ReadError::invalid_all(unknown));
    }
    let representation = load(reader, key, query.language.as_deref()).await?;
    if fields.is_empty() && includes.is_empty() {
        return Ok(representation);
    }
    let cache_key = derived_key(
        "article-form",
        key,
        query.language.as_deref(),
        &format!("{}|{}", fields.join(","), includes.join(",")),
    );
    reader
        .derived(cache_key, move || {
            let mut view = crate::delivery::view_of(representation.body())?;
            if includes.iter().any(|i| i == "head_html") {
                view.seo.with_head_html(&view.canonical_url);
            }
            if !includes.iter().any(|i| i == "body_text") {
                view.body_text.clear();
            }
            let mut article = match serde_json::to_value(&view).map_err(DbError::unserializable)? {
                serde_json::Value::Object(map) => map,
                _ => serde_json::Map::new(),
            };
            if !fields.is_empty() {
                article.retain(|key, _| fields.iter().any(|f| f == key));
            }
            Ok(derived(&representation, serde_json::Value::Object(article)))
        })
        .await
}

/// The published translations of the article, for `hreflang` alternates.
pub async fn translations(
    reader: &Arc<Reader>,
    key: &str,
    language: Option<&str>,
) -> Result<Arc<Representation>, ReadError> {
    let representation = load(reader, key, language).await?;
    reader
        .derived(derived_key("translations", key, language, ""), move || {
            let article = parse_json(&representation)?;
            let links = article
                .get("translations")
                .cloned()
                .unwrap_or_else(|| serde_json::json!([]));
            Ok(derived(&representation, serde_json::json!({ "data": links })))
        })
        .await
}

/// The editors' related articles, or when there are none, computed ones (cached apart, since
/// they depend on other articles).
pub async fn related(
    reader: &Arc<Reader>,
    key: &str,
    language: Option<&str>,
    address: Address<'_>,
) -> Result<Arc<Representation>, ReadError> {
    let representation = load(reader, key, language).await?;
    let article = parse_json(&representation)?;
    let curated = article
        .get("related")
        .and_then(|r| r.as_array())
        .filter(|r| !r.is_empty());
    if let Some(curated) = curated {
        let body = serde_json::json!({ "data": curated, "computed": false });
        return reader
            .derived(derived_key("related", key, language, ""), move || {
                Ok(derived(&representation, body))
            })
            .await;
    }
    let public_id = article
        .get("id")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned();
    reader
        .cached(address.key("related"), || {
            move |conn, _| {
                let links = match related::subject(conn, &public_id)? {
                    Some(subject) => {
                        let candidates =
                            related::candidates(conn, &subject, RELATED_CANDIDATES_PER_TOPIC, utc_now())?;
                        let ranked = crate::domain::related::rank(&subject, candidates, COMPUTED_RELATED);
                        related::summaries(conn, &ranked)?
                            .iter()
                            .filter_map(|json| serde_json::from_str::<serde_json::Value>(json).ok())
                            .map(|summary| {
                                serde_json::json!({
                                    "id": summary["id"],
                                    "slug": summary["slug"],
                                    "language": summary["language"],
                                    "headline": summary["headline"],
                                    "canonical_url": summary["canonical_url"],
                                    "published_at": summary["published_at"],
                                })
                            })
                            .collect()
                    }
                    None => Vec::new(),
                };
                Ok(derived(
                    &representation,
                    serde_json::json!({ "data": links, "computed": true }),
                ))
            }
        })
        .await
}

/// The article as an IPTC ninjs 2.2 document.
pub async fn ninjs(
    reader: &Arc<Reader>,
    key: &str,
    language: Option<&str>,
) -> Result<Arc<Representation>, ReadError> {
    let source = load(reader, key, language).await?;
    let rights = crate::feeds::ninjs::Rights {
        holder: reader.feeds.publication.clone(),
    };
    reader
        .derived(derived_key("ninjs", key, language, ""), move || {
            let article: ArticleView = crate::delivery::view_of(source.body())?;
            let body = crate::feeds::ninjs::document(&article, &rights).to_string();
            let mut representation = derived(&source, serde_json::Value::Null);
            representation.bodies = Bodies::plain(body.into());
            representation.etag = crate::delivery::strong_etag(representation.body());
            representation.content_type = super::feeds::NINJS;
            Ok(representation)
        })
        .await
}
