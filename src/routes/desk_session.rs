//! Sign-in for browser apps such as the desk: the access token goes to the page, which keeps it
//! in memory; the refresh token goes to an `HttpOnly`, `SameSite=Strict` cookie that no page
//! script can read and that only this path receives. Every call that uses the cookie must
//! come from this API's own origin (`Origin`), so another site cannot sign a user in or
//! refresh on their behalf.

use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{delete, post, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::TokenRequest;
use super::body::JsonBody;
use super::principal::Signed;
use super::writes::{BodyProblems, Protected};
use super::State;
use crate::auth::{self, TokenPair};
use crate::db::{self, utc_now};
use crate::error::{ApiError, Problem, Unauthorized};

/// The cookie holding a browser session's refresh token.
pub const SESSION_COOKIE: &str = "khabar_session";
/// The only path the cookie is sent to.
const SESSION_PATH: &str = "/v1/auth/session";

/// What a page script gets: the access token alone.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionAccess {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires; refresh before then.
    pub expires_in: i64,
    pub role: String,
}

/// Signs in for a browser session: the access token in the answer, the refresh token in the
/// session cookie. Only from this API's own origin.
#[utoipa::path(
    tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "Signed in; `Set-Cookie` carries the session", body = SessionAccess,
            headers(("Set-Cookie" = String, description = "khabar_session: HttpOnly, SameSite=Strict, Path=/v1/auth/session"))),
        (status = 401, description = "Wrong email or password, or a disabled account (one answer for all)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not sent from this API's own origin (`Origin`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts for this account or from this address", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        BodyProblems
    )
)]
#[post("/auth/session")]
pub async fn start_session(
    state: State,
    request: HttpRequest,
    payload: JsonBody,
) -> Result<HttpResponse, ApiError> {
    same_origin(&state, &request)?;
    let pair = super::auth::sign_in(&state, &request, payload).await?;
    Ok(session_response(&state, pair))
}

/// Trades the session cookie for a new access token (and a new cookie: each refresh token
/// works once). Only from this API's own origin.
#[utoipa::path(
    tag = "auth",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "A new access token; `Set-Cookie` carries the rotated session", body = SessionAccess,
            headers(("Set-Cookie" = String))),
        (status = 401, description = "No session cookie, or a spent, expired or revoked one (the cookie is cleared)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not sent from this API's own origin (`Origin`)", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/auth/session/refresh")]
pub async fn refresh_session(state: State, request: HttpRequest) -> Result<HttpResponse, ApiError> {
    same_origin(&state, &request)?;
    let Some(refresh_token) = request.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()) else {
        return Err(ApiError::Unauthorized(Unauthorized::Missing(
            "no session: sign in with POST /v1/auth/session".into(),
        )));
    };
    let config = state.auth.clone();
    let refreshed = db::run(&state.pool, move |conn| {
        auth::refresh(conn, &config, &refresh_token, utc_now()).map_err(ApiError::from)
    })
    .await;
    match refreshed {
        Ok(pair) => Ok(session_response(&state, pair)),
        Err(error) => {
            // A dead cookie is cleared, so the browser stops sending it.
            let mut response = actix_web::ResponseError::error_response(&error);
            let _ = response.add_cookie(&removal(&state));
            Ok(response)
        }
    }
}

/// Ends the browser session of this access token: the token and the session cookie stop
/// working, and the cookie is cleared.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses((status = 204, description = "Signed out; the session cookie is cleared", headers(("Set-Cookie" = String))), Protected)
)]
#[delete("/auth/session")]
pub async fn end_session(state: State, signed: Signed) -> Result<HttpResponse, ApiError> {
    let session_id = signed.session_id;
    db::run(&state.pool, move |conn| {
        auth::sign_out(conn, &session_id, utc_now()).map_err(ApiError::from)
    })
    .await?;
    Ok(HttpResponse::NoContent()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .cookie(removal(&state))
        .finish())
}

fn session_response(state: &State, pair: TokenPair) -> HttpResponse {
    let cookie = Cookie::build(SESSION_COOKIE, pair.refresh_token)
        .path(SESSION_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.reads.public_url.scheme() == "https")
        .max_age(time::Duration::seconds(state.auth.session_ttl.num_seconds()))
        .finish();
    HttpResponse::build(StatusCode::OK)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .cookie(cookie)
        .json(SessionAccess {
            access_token: pair.access_token,
            token_type: pair.token_type,
            expires_in: pair.expires_in,
            role: pair.role,
        })
}

fn removal(state: &State) -> Cookie<'static> {
    let mut cookie = Cookie::build(SESSION_COOKIE, "")
        .path(SESSION_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.reads.public_url.scheme() == "https")
        .finish();
    cookie.make_removal();
    cookie
}

/// Refuses a request whose `Origin` is not this API: the public URL, or the address the
/// request was sent to. Browsers send `Origin` with every POST, and no page can forge it.
fn same_origin(state: &State, request: &HttpRequest) -> Result<(), ApiError> {
    let Some(origin) = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
    else {
        return Err(ApiError::Forbidden(
            "a browser session is started and refreshed from this API's own pages only (no Origin header)"
                .into(),
        ));
    };
    let public = state.reads.public_url.origin().ascii_serialization();
    let info = request.connection_info();
    let here = format!("{}://{}", info.scheme(), info.host());
    if origin == public || origin == here {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "a browser session is started and refreshed from this API's own pages only, not from {origin}"
        )))
    }
}
