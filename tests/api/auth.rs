//! Signing in, token rotation, logout, throttling, and the JWT attacks every protected route
//! must refuse.

use base64::Engine;
use khabar::auth::tokens::{AccessClaims, TokenKeys, ACCESS_AUDIENCE};
use reqwest::Method;
use serde_json::json;

use crate::helpers::{send, settings, Backend, TestApp, TestDb, TEST_JWT_SECRET};
use crate::on_both_backends;

const ISSUER: &str = "khabar";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

async fn me(app: &TestApp, token: &str) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
    send(app.authed(Method::GET, "/v1/auth/me", token)).await
}

async fn refresh(app: &TestApp, refresh_token: &str) -> (u16, serde_json::Value) {
    let (status, _, body) = send(
        app.client
            .post(app.url("/v1/auth/refresh"))
            .json(&json!({"refresh_token": refresh_token})),
    )
    .await;
    (status, body)
}

fn assert_refused(status: u16, headers: &reqwest::header::HeaderMap, case: &str) {
    assert_eq!(status, 401, "{case}");
    let challenge = headers
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer realm=\"khabar\""),
        "{case}: {challenge}"
    );
}

async fn refresh_rotates_and_reuse_revokes_the_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (email, password) = app.user("editor");
    let first = app.sign_in(&email, &password).await;
    let access = first["access_token"].as_str().unwrap();
    let (status, _, who) = me(&app, access).await;
    assert_eq!(status, 200);
    assert_eq!(who["email"], email.as_str());
    assert_eq!(who["role"], "editor");

    let (status, second) = refresh(&app, first["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_eq!(me(&app, second["access_token"].as_str().unwrap()).await.0, 200);

    // The spent token again: a replay. The whole session dies, the fresh tokens with it.
    let (status, body) = refresh(&app, first["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(
        refresh(&app, second["refresh_token"].as_str().unwrap()).await.0,
        401
    );
    let (status, headers, _) = me(&app, second["access_token"].as_str().unwrap()).await;
    assert_refused(status, &headers, "access token of a revoked session");
    assert_eq!(refresh(&app, "never-issued").await.0, 401);
}

async fn logout_ends_the_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (email, password) = app.user("writer");
    let pair = app.sign_in(&email, &password).await;
    let other = app.sign_in(&email, &password).await;
    let access = pair["access_token"].as_str().unwrap();
    let (status, _, _) = send(app.authed(Method::POST, "/v1/auth/logout", access)).await;
    assert_eq!(status, 204);
    let (status, headers, _) = me(&app, access).await;
    assert_refused(status, &headers, "after logout");
    assert_eq!(
        refresh(&app, pair["refresh_token"].as_str().unwrap()).await.0,
        401
    );
    // Another sign-in of the same user is a session of its own.
    assert_eq!(me(&app, other["access_token"].as_str().unwrap()).await.0, 200);
}

async fn wrong_password_and_unknown_user_get_the_same_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (email, _) = app.user("editor");
    let attempt = |email: String, password: &'static str| {
        app.client
            .post(app.url("/v1/auth/token"))
            .json(&json!({"email": email, "password": password}))
    };
    let (wrong_status, _, wrong) = send(attempt(email.clone(), "not the password")).await;
    let (unknown_status, _, unknown) = send(attempt("nobody@example.com".into(), "not the password")).await;
    assert_eq!((wrong_status, unknown_status), (401, 401));
    assert_eq!(
        crate::helpers::without_request_id(wrong),
        crate::helpers::without_request_id(unknown)
    );
    // Bad bodies are refused before any password work, naming the field.
    let (status, _, body) = send(
        app.client
            .post(app.url("/v1/auth/token"))
            .json(&json!({"email": email})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let (status, _, body) = send(
        app.client
            .post(app.url("/v1/auth/token"))
            .json(&json!({"email": email, "password": "x", "remember": true})),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "/remember", "{body}");
}

async fn sign_in_is_throttled_per_account(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (email, password) = app.user("editor");
    for _ in 0..5 {
        let (status, _, _) = send(
            app.client
                .post(app.url("/v1/auth/token"))
                .json(&json!({"email": email, "password": "guess"})),
        )
        .await;
        assert_eq!(status, 401);
    }
    // Now even the right password waits: the budget counts attempts, not failures.
    let (status, headers, body) = send(
        app.client
            .post(app.url("/v1/auth/token"))
            .json(&json!({"email": email, "password": password})),
    )
    .await;
    assert_eq!(status, 429, "{body}");
    let retry_after: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=12).contains(&retry_after));
    assert_eq!(body["type"], "urn:khabar:problem:too-many-requests");
}

fn claims(user_id: i64, session: &str) -> AccessClaims {
    AccessClaims {
        sub: user_id.to_string(),
        role: "admin".into(),
        iat: now(),
        nbf: now(),
        exp: now() + 600,
        iss: ISSUER.into(),
        aud: ACCESS_AUDIENCE.into(),
        jti: "forged".into(),
        sid: session.into(),
    }
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

async fn forged_and_stale_tokens_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (email, password) = app.user("writer");
    let pair = app.sign_in(&email, &password).await;
    let real = pair["access_token"].as_str().unwrap().to_owned();
    let keys = TokenKeys::hs256(TEST_JWT_SECRET.as_bytes(), ISSUER).unwrap();
    let genuine: AccessClaims = keys.verify(&real, ACCESS_AUDIENCE).unwrap();
    let user_id: i64 = genuine.sub.parse().unwrap();
    let session = genuine.sid.clone();
    let sign = |c: &AccessClaims| keys.sign(c).unwrap();

    let mut cases: Vec<(&str, String)> = Vec::new();
    cases.push(("garbage", "not.a.token".into()));
    let payload = serde_json::to_string(&claims(user_id, &session)).unwrap();
    cases.push((
        "alg none",
        format!("{}.{}.", b64(r#"{"alg":"none","typ":"JWT"}"#), b64(&payload)),
    ));
    let parts: Vec<&str> = real.split('.').collect();
    cases.push((
        "tampered payload (role admin)",
        format!("{}.{}.{}", parts[0], b64(&payload), parts[2]),
    ));
    cases.push((
        "tampered signature",
        format!("{}.{}.{}x", parts[0], parts[1], parts[2]),
    ));
    let other_keys = TokenKeys::hs256(b"another-secret-that-is-32-bytes-long!!", ISSUER).unwrap();
    cases.push((
        "another secret",
        other_keys.sign(&claims(user_id, &session)).unwrap(),
    ));
    let mut expired = claims(user_id, &session);
    expired.iat = now() - 7200;
    expired.nbf = now() - 7200;
    expired.exp = now() - 3600;
    cases.push(("expired", sign(&expired)));
    let mut early = claims(user_id, &session);
    early.nbf = now() + 3600;
    cases.push(("not yet valid", sign(&early)));
    let mut foreign = claims(user_id, &session);
    foreign.iss = "https://evil.example.com/".into();
    cases.push(("wrong issuer", sign(&foreign)));
    let mut audience = claims(user_id, &session);
    audience.aud = "khabar-preview".into();
    cases.push(("wrong audience", sign(&audience)));
    cases.push(("unknown session", sign(&claims(user_id, "no-such-session"))));
    cases.push(("someone else's session", sign(&claims(user_id + 1000, &session))));
    for (case, token) in &cases {
        let (status, headers, body) = me(&app, token).await;
        assert_refused(status, &headers, case);
        assert_eq!(body["type"], "urn:khabar:problem:unauthorized", "{case}");
    }
    let (status, headers, _) = send(app.client.get(app.url("/v1/auth/me"))).await;
    assert_refused(status, &headers, "no token");
    let (status, headers, _) = send(
        app.client
            .get(app.url("/v1/auth/me"))
            .header("Authorization", format!("Basic {real}")),
    )
    .await;
    assert_refused(status, &headers, "wrong scheme");
    // The genuine token works until its user is disabled, then never again.
    assert_eq!(me(&app, &real).await.0, 200);
    {
        use diesel::prelude::*;
        use khabar::db::schema::users;
        diesel::update(users::table.find(user_id))
            .set(users::disabled.eq(true))
            .execute(&mut app.conn())
            .unwrap();
    }
    let (status, headers, _) = me(&app, &real).await;
    assert_refused(status, &headers, "disabled user");
    let (status, _, _) = send(
        app.client
            .post(app.url("/v1/auth/token"))
            .json(&json!({"email": email, "password": password})),
    )
    .await;
    assert_eq!(status, 401, "a disabled user cannot sign in");
}

async fn deleted_users_tokens_stop_working(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.token("admin").await;
    let (email, password) = app.user("editor");
    let editor = app.sign_in(&email, &password).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, _, who) = me(&app, &editor).await;
    let id = who["id"].as_i64().unwrap();
    let (status, _, _) = send(app.authed(Method::DELETE, &format!("/v1/users/{id}"), &admin)).await;
    assert_eq!(status, 204);
    let (status, headers, _) = me(&app, &editor).await;
    assert_refused(status, &headers, "deleted user");
}

on_both_backends!(
    refresh_rotates_and_reuse_revokes_the_session,
    logout_ends_the_session,
    wrong_password_and_unknown_user_get_the_same_answer,
    sign_in_is_throttled_per_account,
    forged_and_stale_tokens_are_refused,
    deleted_users_tokens_stop_working,
);

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// EdDSA: tokens verify with the published key, and an HS256 token signed with the public key
/// (key confusion) or a token from another key pair is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eddsa_publishes_its_key_and_refuses_key_confusion() {
    let db = TestDb::create(Backend::Sqlite);
    let mut config = settings(db.url.clone());
    config.jwt_key_files = Some((
        fixture("jwt-ed25519-private.pem"),
        fixture("jwt-ed25519-public.pem"),
    ));
    let app = TestApp::spawn_with(config).await;
    let (status, headers, jwks) = send(app.client.get(app.url("/.well-known/jwks.json"))).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/jwk-set+json");
    let key = &jwks["keys"][0];
    assert_eq!(
        (key["kty"].as_str(), key["crv"].as_str(), key["alg"].as_str()),
        (Some("OKP"), Some("Ed25519"), Some("EdDSA"))
    );
    assert!(key.get("d").is_none(), "the private key is never published");

    let (email, password) = app.user("editor");
    let pair = app.sign_in(&email, &password).await;
    let token = pair["access_token"].as_str().unwrap();
    let header: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(header["kid"], key["kid"]);
    assert_eq!(me(&app, token).await.0, 200);

    let verified: AccessClaims = TokenKeys::eddsa(
        &std::fs::read(fixture("jwt-ed25519-private.pem")).unwrap(),
        &std::fs::read(fixture("jwt-ed25519-public.pem")).unwrap(),
        ISSUER,
    )
    .unwrap()
    .verify(token, ACCESS_AUDIENCE)
    .unwrap();
    let public_pem = std::fs::read(fixture("jwt-ed25519-public.pem")).unwrap();
    let confused = TokenKeys::hs256(&public_pem, ISSUER)
        .unwrap()
        .sign(&verified)
        .unwrap();
    let (status, headers, _) = me(&app, &confused).await;
    assert_refused(status, &headers, "HS256 signed with the public key");
    // A private key that does not match the public one is refused at start.
    assert!(TokenKeys::eddsa(
        &std::fs::read(fixture("other-ed25519-private.pem")).unwrap(),
        &public_pem,
        ISSUER
    )
    .is_err());
    let foreign = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA),
        &verified,
        &jsonwebtoken::EncodingKey::from_ed_pem(
            &std::fs::read(fixture("other-ed25519-private.pem")).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    let (status, headers, _) = me(&app, &foreign).await;
    assert_refused(status, &headers, "signed by another Ed25519 key");
}
