use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::State;
use crate::api::article::ArticleView;
use crate::db::queries::article_read::{self, ArticleKey, Lookup};
use crate::db::{self, utc_now};
use crate::domain::language::Language;
use crate::domain::slug;
use crate::error::{ApiError, FieldError, Problem};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ArticlePath {
    /// The article's public id (UUID) or its slug (Arabic slugs percent-encoded).
    pub key: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ArticleQuery {
    /// Language of the article, when the slug is used in several languages.
    #[param(example = "ar")]
    pub language: Option<String>,
}

fn parse_key(key: &str, language: Option<&str>) -> Result<ArticleKey, ApiError> {
    let language = language
        .map(|raw| {
            Language::parse(raw)
                .map(|l| l.to_string())
                .map_err(|e| ApiError::invalid_field("language", e.to_string()))
        })
        .transpose()?;
    if let Ok(id) = uuid::Uuid::parse_str(key) {
        return Ok(ArticleKey::PublicId(id.hyphenated().to_string()));
    }
    let slug = slug::parse(key)
        .map_err(|_| ApiError::NotFound(format!("no published article has the slug '{key}'")))?;
    Ok(ArticleKey::Slug {
        slug: slug.to_owned(),
        language,
    })
}

/// One published article, by public id or slug, with bylines, featured media and its credit,
/// topics, related articles and translations.
#[utoipa::path(
    tag = "articles",
    params(ArticlePath, ArticleQuery),
    responses(
        (status = 200, description = "The article", body = ArticleView),
        (status = 400, description = "A bad parameter, or a slug used in several languages without `language`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No published article has this id or slug", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/articles/{key}")]
pub async fn get_article(
    state: State,
    path: web::Path<ArticlePath>,
    query: web::Query<ArticleQuery>,
) -> Result<web::Json<ArticleView>, ApiError> {
    let key = parse_key(&path.key, query.language.as_deref())?;
    let lookup_key = key.clone();
    let lookup = db::run(&state.pool, move |conn| {
        article_read::find_public(conn, &lookup_key, utc_now())
    })
    .await?;
    match lookup {
        Lookup::Found(record) => Ok(web::Json(ArticleView::build(*record, &state.urls))),
        Lookup::NotFound => Err(ApiError::NotFound(match key {
            ArticleKey::PublicId(id) => format!("no published article has the id '{id}'"),
            ArticleKey::Slug { slug, .. } => format!("no published article has the slug '{slug}'"),
        })),
        Lookup::Ambiguous(languages) => Err(ApiError::BadRequest {
            detail: format!(
                "the slug is published in several languages ({}); add ?language=",
                languages.join(", ")
            ),
            errors: vec![FieldError::new(
                "language",
                format!("required here; one of: {}", languages.join(", ")),
            )],
        }),
    }
}
