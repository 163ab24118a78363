//! Previews over HTTP: the public form of an unpublished article, for its editors and for
//! whoever holds a preview link.

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::body::JsonBody;
use super::editorial::ArticleIdPath;
use super::principal::Signed;
use super::writes::{json_response, no_content, BodyProblems, Protected};
use super::State;
use crate::api::article::ArticleView;
use crate::api::editorial::{PreviewLink, PreviewLinkRequest};
use crate::auth::tokens::{PreviewClaims, PREVIEW_AUDIENCE};
use crate::editorial::articles;
use crate::error::{ApiError, Problem};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PreviewTokenPath {
    /// The token of a preview link.
    pub token: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PreviewLinkPath {
    /// The preview link's id.
    pub id: String,
}
/// The article exactly as `GET /v1/articles/{key}` would show it once published.
#[utoipa::path(
    tag = "editorial",
    security(("bearer" = [])),
    params(ArticleIdPath),
    responses(
        (status = 200, description = "The public representation, unpublished", body = ArticleView),
        (status = 404, description = "No article has this id", body = Problem, content_type = "application/problem+json"),
        Protected
    )
)]
#[get("/articles/{id}/preview")]
pub async fn preview_article(
    state: State,
    signed: Signed,
    path: web::Path<ArticleIdPath>,
) -> Result<HttpResponse, ApiError> {
    signed.require_article_access()?;
    let id = path.into_inner().id;
    let view = state
        .read(move |conn, ctx| articles::preview(conn, ctx, &signed.actor, &id))
        .await?;
    Ok(json_response(StatusCode::OK, &view, None))
}

/// Mints a signed, expiring, revocable link that shows one unpublished article to a front-end
/// without a token.
#[utoipa::path(
    tag = "editorial",
    security(("bearer" = [])),
    params(ArticleIdPath),
    request_body = PreviewLinkRequest,
    responses(
        (status = 201, description = "The link", body = PreviewLink),
        (status = 404, description = "No article has this id", body = Problem, content_type = "application/problem+json"),
        Protected, BodyProblems
    )
)]
#[post("/articles/{id}/preview-links")]
pub async fn create_preview_link(
    state: State,
    signed: Signed,
    path: web::Path<ArticleIdPath>,
    payload: JsonBody,
) -> Result<HttpResponse, ApiError> {
    signed.require_article_access()?;
    let id = path.into_inner().id;
    let request: PreviewLinkRequest = payload.parse().await?;
    let lifetime = request.expires_in.unwrap_or(86_400);
    if !(60..=604_800).contains(&lifetime) {
        return Err(ApiError::unprocessable_field(
            "/expires_in",
            "must be from 60 to 604800 seconds",
        ));
    }
    let link_id = uuid::Uuid::new_v4().to_string();
    let ctx = state.edit_context();
    let expires_at = ctx.now + chrono::Duration::seconds(lifetime);
    let (article_id, link) = (id.clone(), link_id.clone());
    state
        .write(move |conn, ctx| {
            articles::create_preview_link(conn, ctx, &signed.actor, &article_id, &link, expires_at)
        })
        .await?;
    let claims = PreviewClaims {
        sub: id,
        iat: ctx.now.and_utc().timestamp(),
        nbf: ctx.now.and_utc().timestamp(),
        exp: expires_at.and_utc().timestamp(),
        iss: state.auth.keys.issuer().to_owned(),
        aud: PREVIEW_AUDIENCE.to_owned(),
        jti: link_id.clone(),
    };
    let token = state
        .auth
        .keys
        .sign(&claims)
        .map_err(|e| anyhow::anyhow!("cannot sign a preview link: {e}"))?;
    let url = state
        .reads
        .public_url
        .join(&format!("v1/preview/{token}"))
        .map(|u| u.to_string())
        .unwrap_or_default();
    let link = PreviewLink {
        id: link_id,
        token,
        url,
        expires_at: expires_at.and_utc(),
    };
    Ok(json_response(StatusCode::CREATED, &link, None))
}

/// Revokes a preview link at once.
#[utoipa::path(
    tag = "editorial",
    security(("bearer" = [])),
    params(PreviewLinkPath),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No preview link has this id", body = Problem, content_type = "application/problem+json"),
        Protected
    )
)]
#[delete("/preview-links/{id}")]
pub async fn revoke_preview_link(
    state: State,
    signed: Signed,
    path: web::Path<PreviewLinkPath>,
) -> Result<HttpResponse, ApiError> {
    signed.require_article_access()?;
    let id = path.into_inner().id;
    state
        .write(move |conn, ctx| articles::revoke_preview_link(conn, ctx, &signed.actor, &id))
        .await?;
    Ok(no_content())
}

/// What a preview link shows: the article as it would be published. Read-only, one article,
/// until the link expires or is revoked; never cached.
#[utoipa::path(
    tag = "editorial",
    params(PreviewTokenPath),
    responses(
        (status = 200, description = "The public representation, unpublished", body = ArticleView),
        (status = 404, description = "The link is invalid, expired or revoked", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/preview/{token}")]
pub async fn preview_by_link(
    state: State,
    path: web::Path<PreviewTokenPath>,
) -> Result<HttpResponse, ApiError> {
    let token = path.into_inner().token;
    let gone = || ApiError::NotFound("this preview link is invalid, has expired or was revoked".into());
    let claims: PreviewClaims = state
        .auth
        .keys
        .verify(&token, PREVIEW_AUDIENCE)
        .map_err(|_| gone())?;
    let view = state
        .read(move |conn, ctx| articles::preview_by_link(conn, ctx, &claims.jti, &claims.sub))
        .await?
        .ok_or_else(gone)?;
    let mut response = json_response(StatusCode::OK, &view, None);
    response.headers_mut().insert(
        actix_web::http::header::HeaderName::from_static("x-robots-tag"),
        actix_web::http::header::HeaderValue::from_static("noindex"),
    );
    Ok(response)
}
