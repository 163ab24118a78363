//! Signing in: passwords for an access token and a refresh token, rotation of refresh tokens
//! (a reused one revokes its whole session), logout, and checking a presented access token.

pub mod api_keys;
pub mod throttle;
pub mod tokens;

use std::sync::LazyLock;

use anyhow::Context;
use chrono::{Duration, NaiveDateTime};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::db::claim::write_transaction;
use crate::db::models::user::User;
use crate::db::queries::{audit, sessions, users};
use crate::db::{DbConnection, DbError};
use crate::domain::password;
use tokens::{AccessClaims, TokenError, TokenKeys, ACCESS_AUDIENCE};

/// Token lifetimes.
#[derive(Clone)]
pub struct AuthConfig {
    pub keys: TokenKeys,
    pub access_ttl: Duration,
    pub session_ttl: Duration,
}

/// What a sign-in or refresh hands out (RFC 6749 §5.1 field names).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Works once: `POST /v1/auth/refresh` returns a new pair and spends this one.
    pub refresh_token: String,
    pub role: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Unknown email, wrong password or disabled account: one answer for all three.
    #[error("the email or password is wrong")]
    BadCredentials,
    #[error("{0}")]
    BadToken(&'static str),
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for AuthError {
    fn from(error: diesel::result::Error) -> Self {
        AuthError::Database(DbError::Query(error))
    }
}

/// A hash to verify against when the email is unknown, so that answering "no such user" takes
/// as long as answering "wrong password".
static DECOY_HASH: LazyLock<String> =
    LazyLock::new(|| password::hash("decoy password for timing").unwrap_or_default());

fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn random_token() -> Result<String, AuthError> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    Ok(password::random_string(ALPHABET, 43).context("cannot make a refresh token")?)
}

fn issue(
    config: &AuthConfig,
    user: &User,
    session_id: &str,
    refresh_token: String,
    now: NaiveDateTime,
) -> Result<TokenPair, AuthError> {
    let issued_at = now.and_utc().timestamp();
    let claims = AccessClaims {
        sub: user.id.to_string(),
        role: user.role.to_string(),
        iat: issued_at,
        nbf: issued_at,
        exp: issued_at + config.access_ttl.num_seconds(),
        iss: config.keys.issuer().to_owned(),
        aud: ACCESS_AUDIENCE.to_owned(),
        jti: uuid::Uuid::now_v7().to_string(),
        sid: session_id.to_owned(),
    };
    let access_token = config
        .keys
        .sign(&claims)
        .context("cannot sign the access token")?;
    Ok(TokenPair {
        access_token,
        token_type: "Bearer".into(),
        expires_in: config.access_ttl.num_seconds(),
        refresh_token,
        role: user.role.to_string(),
    })
}

/// Checks a password (Argon2id); starts a session.
pub fn sign_in(
    conn: &mut DbConnection,
    config: &AuthConfig,
    email: &str,
    password: &str,
    now: NaiveDateTime,
) -> Result<TokenPair, AuthError> {
    let email = email.trim().to_lowercase();
    let user = users::find_by_email(conn, &email)?;
    let matches = match &user {
        Some(user) => password::verify(password, &user.password_hash),
        None => {
            password::verify(password, &DECOY_HASH);
            false
        }
    };
    let user = match user {
        Some(user) if matches && !user.disabled => user,
        _ => return Err(AuthError::BadCredentials),
    };
    let session_id = uuid::Uuid::new_v4().to_string();
    let refresh_token = random_token()?;
    write_transaction(conn, |conn| {
        sessions::start(
            conn,
            &session_id,
            user.id,
            &digest(&refresh_token),
            now,
            now + config.session_ttl,
        )?;
        audit::record(
            conn,
            audit::ActorRef {
                user_id: Some(user.id),
                email: Some(&user.email),
            },
            "auth.sign_in",
            "user",
            &user.id.to_string(),
            &serde_json::json!({"session": session_id}),
            now,
        )?;
        Ok::<_, AuthError>(())
    })?;
    issue(config, &user, &session_id, refresh_token, now)
}

/// Spends a refresh token for a new pair. A token presented twice revokes its session: either
/// the client or a thief holds a copy, and the server cannot tell which.
pub fn refresh(
    conn: &mut DbConnection,
    config: &AuthConfig,
    refresh_token: &str,
    now: NaiveDateTime,
) -> Result<TokenPair, AuthError> {
    let next = random_token()?;
    let outcome = write_transaction(conn, |conn| {
        Ok::<_, AuthError>(match sessions::spend(conn, &digest(refresh_token), now)? {
            sessions::Presented::Fresh { session_id, user } if !user.disabled => {
                sessions::add_token(conn, &session_id, &digest(&next), now)?;
                Some((session_id, user))
            }
            _ => None,
        })
    })?;
    match outcome {
        Some((session_id, user)) => issue(config, &user, &session_id, next, now),
        None => Err(AuthError::BadToken(
            "the refresh token is invalid, spent or revoked",
        )),
    }
}

/// Ends the session an access token belongs to.
pub fn sign_out(conn: &mut DbConnection, session_id: &str, now: NaiveDateTime) -> Result<(), AuthError> {
    sessions::revoke(conn, session_id, "signed out", now)?;
    Ok(())
}

/// The user a bearer token stands for, if the token verifies and its session and user are live.
pub fn authenticate(
    conn: &mut DbConnection,
    config: &AuthConfig,
    token: &str,
    now: NaiveDateTime,
) -> Result<(User, AccessClaims), AuthError> {
    let claims: AccessClaims = config.keys.verify(token, ACCESS_AUDIENCE).map_err(|e| match e {
        TokenError::Expired => AuthError::BadToken("the access token has expired"),
        TokenError::Invalid => AuthError::BadToken("the access token is invalid"),
    })?;
    let user_id: i64 = claims
        .sub
        .parse()
        .map_err(|_| AuthError::BadToken("the access token is invalid"))?;
    let user = sessions::active_user(conn, &claims.sid, user_id, now)?.ok_or(AuthError::BadToken(
        "the access token was revoked, or its user disabled or deleted",
    ))?;
    Ok((user, claims))
}
