//! Signing in and out, refreshing tokens, and the public keys tokens can be verified with.

use actix_web::{get, post, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::JsonBody;
use super::principal::Signed;
use super::writes::{json_response, no_content, BodyProblems, Protected};
use super::State;
use crate::auth::{self, TokenPair};
use crate::db::{self, utc_now};
use crate::error::{ApiError, Problem};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "admin@khabar.local", "password": "correct horse battery staple"}))]
pub struct TokenRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub role: String,
    /// What the role may do: clients offer these actions and no others.
    pub permissions: Vec<crate::domain::permissions::Permission>,
}

/// Signs in with email and password: a short-lived access token and a refresh token.
#[utoipa::path(
    tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenPair),
        (status = 401, description = "Wrong email or password, or a disabled account (one answer for all)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts for this account or from this address", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        BodyProblems
    )
)]
#[post("/auth/token")]
pub async fn token(state: State, request: HttpRequest, payload: JsonBody) -> Result<HttpResponse, ApiError> {
    let pair = sign_in(&state, &request, payload).await?;
    Ok(json_response(actix_web::http::StatusCode::OK, &pair, None))
}

/// Reads email and password from the body and signs in, throttled per account and per client
/// address: what bearer sign-in and browser sessions share.
pub(super) async fn sign_in(
    state: &State,
    request: &HttpRequest,
    payload: JsonBody,
) -> Result<TokenPair, ApiError> {
    let credentials: TokenRequest = payload.parse().await?;
    let address = state.rate_limits.client(request);
    if let Err(wait) = state.throttle.check(&credentials.email, address).await {
        return Err(ApiError::TooManyRequests {
            retry_after: wait.as_secs().max(1),
        });
    }
    let config = state.auth.clone();
    db::run(&state.pool, move |conn| {
        auth::sign_in(
            conn,
            &config,
            &credentials.email,
            &credentials.password,
            utc_now(),
        )
        .map_err(ApiError::from)
    })
    .await
}

/// Trades a refresh token for a new pair. Each refresh token works once; presenting a spent one
/// revokes the whole sign-in (every token rotated from it).
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair; the presented refresh token is spent", body = TokenPair),
        (status = 401, description = "Unknown, spent, expired or revoked refresh token", body = Problem, content_type = "application/problem+json"),
        BodyProblems
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(state: State, payload: JsonBody) -> Result<HttpResponse, ApiError> {
    let request: RefreshRequest = payload.parse().await?;
    let config = state.auth.clone();
    let pair = db::run(&state.pool, move |conn| {
        auth::refresh(conn, &config, &request.refresh_token, utc_now()).map_err(ApiError::from)
    })
    .await?;
    Ok(json_response(actix_web::http::StatusCode::OK, &pair, None))
}

/// Ends the sign-in the access token belongs to: it and every refresh token of it stop working.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses((status = 204, description = "Signed out"), Protected)
)]
#[post("/auth/logout")]
pub async fn logout(state: State, signed: Signed) -> Result<HttpResponse, ApiError> {
    db::run(&state.pool, move |conn| {
        auth::sign_out(conn, &signed.session_id, utc_now()).map_err(ApiError::from)
    })
    .await?;
    Ok(no_content())
}

/// The signed-in user.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, description = "Who the token stands for", body = Me), Protected)
)]
#[get("/auth/me")]
pub async fn me(signed: Signed) -> HttpResponse {
    json_response(
        actix_web::http::StatusCode::OK,
        &Me {
            id: signed.actor.user_id,
            email: signed.actor.email,
            role: signed.actor.role.to_string(),
            permissions: crate::domain::permissions::held_by(signed.actor.role),
        },
        None,
    )
}

/// The public keys access tokens can be verified with (RFC 7517). Empty with HS256, whose
/// shared secret is never published.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "A JWK set", content_type = "application/jwk-set+json", body = Object))
)]
#[get("/.well-known/jwks.json")]
pub async fn jwks(state: State) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/jwk-set+json")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "public, max-age=300"))
        .json(state.auth.keys.jwks())
}
