//! Who is asking: the bearer token of a request, checked, as an [`Actor`].

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::State;
use crate::auth;
use crate::db::{self, utc_now};
use crate::domain::permissions::Permission;
use crate::editorial::Actor;
use crate::error::{ApiError, Unauthorized};

/// A request with a valid access token. Declaring it as a handler argument makes the route
/// answer 401 (with `WWW-Authenticate`) to requests without one.
pub struct Signed {
    pub actor: Actor,
    /// The sign-in session the token belongs to.
    pub session_id: String,
}

/// The token of an `Authorization: Bearer …` header (the scheme is case-insensitive).
pub(super) fn bearer_token(request: &HttpRequest) -> Result<String, ApiError> {
    let Some(value) = request.headers().get(header::AUTHORIZATION) else {
        return Err(ApiError::Unauthorized(Unauthorized::Missing(
            "send an access token: Authorization: Bearer <token> (from POST /v1/auth/token)".into(),
        )));
    };
    let value = value.to_str().map_err(|_| {
        ApiError::Unauthorized(Unauthorized::Refused(
            "the Authorization header is not ASCII".into(),
        ))
    })?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Ok(token.trim().to_owned())
        }
        _ => Err(ApiError::Unauthorized(Unauthorized::Refused(
            "the Authorization header must be 'Bearer <token>'".into(),
        ))),
    }
}

impl Signed {
    /// Refuses, before anything else about the request is looked at, a caller whose role holds
    /// none of `permissions`.
    pub fn require_any(&self, permissions: &[Permission]) -> Result<(), ApiError> {
        if permissions.iter().any(|p| self.actor.may(*p)) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "a {} may not do this",
                self.actor.role
            )))
        }
    }

    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        self.require_any(&[permission])
    }

    /// For operations on one article: writers act on their own drafts, editors on any.
    pub fn require_article_access(&self) -> Result<(), ApiError> {
        self.require_any(&[Permission::EditOwnDraft, Permission::EditAnyArticle])
    }
}

impl FromRequest for Signed {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer_token(request);
        let state = request.app_data::<State>().cloned();
        Box::pin(async move {
            let token = token?;
            let state =
                state.ok_or_else(|| ApiError::Unavailable("the application state is missing".into()))?;
            let config = state.auth.clone();
            let (user, claims) = db::run(&state.pool, move |conn| {
                auth::authenticate(conn, &config, &token, utc_now()).map_err(ApiError::from)
            })
            .await?;
            let role = user.role;
            crate::telemetry::note_actor(format!("user:{}", user.id));
            Ok(Signed {
                actor: Actor {
                    user_id: user.id,
                    email: user.email,
                    role,
                },
                session_id: claims.sid,
            })
        })
    }
}
