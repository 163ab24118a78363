//! Request budgets per client address and per partner API key, and the keys' life cycle.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{send, settings, Backend, TestApp, TestDb};
use crate::on_both_backends;
use khabar::domain::client_address::TrustedProxies;
use khabar::routes::rate_limit::RateLimitSettings;

/// An app with these budgets a minute, trusting `X-Forwarded-For` from `trusted_proxies`.
async fn spawn_limited(
    backend: Backend,
    per_address: u32,
    per_partner: u32,
    trusted_proxies: &str,
) -> TestApp {
    let db = TestDb::create(backend);
    let mut settings = settings(db.url.clone());
    settings.rate_limits = RateLimitSettings {
        per_address,
        per_partner,
        trusted_proxies: TrustedProxies::parse(trusted_proxies).unwrap(),
        ..RateLimitSettings::default()
    };
    TestApp::spawn_owning(db, settings).await
}

fn assert_too_many(status: u16, headers: &reqwest::header::HeaderMap, body: &serde_json::Value) {
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["type"], "urn:khabar:problem:too-many-requests");
    assert_eq!(headers["content-type"], "application/problem+json");
    let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "Retry-After: {wait}");
}

async fn each_client_address_has_its_own_budget(backend: Backend) {
    let app = spawn_limited(backend, 4, 0, "127.0.0.1").await;
    let get = |forwarded_for: Option<&str>| {
        let request = app.client.get(app.url("/v1/articles?limit=1"));
        match forwarded_for {
            Some(address) => request.header("X-Forwarded-For", address),
            None => request,
        }
    };
    for _ in 0..4 {
        assert_eq!(send(get(None)).await.0, 200);
    }
    let (status, headers, body) = send(get(None)).await;
    assert_too_many(status, &headers, &body);
    // Feeds and writes count too; probes never do.
    let (status, headers, body) = send(app.client.get(app.url("/feeds/ar/rss.xml"))).await;
    assert_too_many(status, &headers, &body);
    let (status, ..) = send(app.client.post(app.url("/v1/auth/token")).json(&json!({}))).await;
    assert_eq!(status, 429);
    assert_eq!(send(app.client.get(app.url("/healthz"))).await.0, 200);
    assert_eq!(send(app.client.get(app.url("/readyz"))).await.0, 200);
    assert_eq!(app.get("/metrics").await.status(), 200);

    // Behind the trusted proxy (127.0.0.1 here), each forwarded client is counted apart; a
    // forged entry left of the proxy's own does not buy a fresh budget.
    for _ in 0..4 {
        assert_eq!(send(get(Some("203.0.113.7"))).await.0, 200);
    }
    assert_eq!(send(get(Some("203.0.113.7"))).await.0, 429);
    assert_eq!(send(get(Some("198.51.100.1, 203.0.113.7"))).await.0, 429);
    assert_eq!(send(get(Some("203.0.113.8"))).await.0, 200);
    // IPv6 clients are counted per /64.
    for n in 1..=4 {
        assert_eq!(send(get(Some(&format!("2001:db8:5:6::{n}")))).await.0, 200);
    }
    assert_eq!(send(get(Some("2001:db8:5:6:ffff::1"))).await.0, 429);
}

fn user_id(app: &TestApp, email: &str) -> i64 {
    khabar::db::queries::users::find_by_email(&mut app.conn(), email)
        .unwrap()
        .unwrap()
        .id
}

async fn partner_keys_raise_the_limit_until_revoked(backend: Backend) {
    let app = spawn_limited(backend, 1000, 1000, "").await;
    let admin = app.token("admin").await;
    let (partner_email, _) = app.user("partner");
    let partner = user_id(&app, &partner_email);
    let (editor_email, _) = app.user("editor");
    let editor = user_id(&app, &editor_email);
    let keys_path = format!("/v1/users/{partner}/api-keys");
    let issue = |path: &str, body: serde_json::Value| app.authed(Method::POST, path, &admin).json(&body);

    // Bad requests change nothing.
    let (status, _, body) = send(issue(
        &format!("/v1/users/{editor}/api-keys"),
        json!({"name": "x"}),
    ))
    .await;
    assert_eq!(status, 409, "{body}");
    let (status, _, body) = send(issue(&keys_path, json!({"name": "  "}))).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "/name");
    let (status, _, body) = send(issue(&keys_path, json!({"name": "x", "role": "admin"}))).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "/role");
    let (status, ..) = send(issue("/v1/users/999999/api-keys", json!({"name": "x"}))).await;
    assert_eq!(status, 404);
    let (_, _, listed) = send(app.authed(Method::GET, &keys_path, &admin)).await;
    assert_eq!(listed, json!([]));

    // Issued once, never shown again.
    let (status, headers, issued) = send(issue(&keys_path, json!({"name": "Nabd poller"}))).await;
    assert_eq!(status, 201, "{issued}");
    let key = issued["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("khk_") && key.len() == 44);
    assert!(key.starts_with(issued["prefix"].as_str().unwrap()));
    let key_id = issued["id"].as_i64().unwrap();
    assert_eq!(
        headers["location"],
        format!("/v1/users/{partner}/api-keys/{key_id}").as_str()
    );
    let (_, _, listed) = send(app.authed(Method::GET, &keys_path, &admin)).await;
    assert_eq!(listed[0]["name"], "Nabd poller");
    assert!(listed[0].get("key").is_none(), "{listed}");
    let stored: String = {
        use diesel::prelude::*;
        khabar::db::schema::api_keys::table
            .select(khabar::db::schema::api_keys::key_hash)
            .first(&mut app.conn())
            .unwrap()
    };
    assert_ne!(stored, key, "only the digest is stored");

    // The key reads; it writes nothing (it is no bearer token).
    let with_key = |key: &str, path: &str| app.client.get(app.url(path)).header("X-Api-Key", key);
    assert_eq!(send(with_key(&key, "/feeds/ar/rss.xml")).await.0, 200);
    assert_eq!(send(with_key(&key, "/v1/articles?limit=1")).await.0, 200);
    let (status, ..) = send(
        app.client
            .post(app.url("/v1/topics"))
            .header("X-Api-Key", &key)
            .json(&json!({"kind": "tag", "name": "x"})),
    )
    .await;
    assert_eq!(status, 401);

    // Keys that are not live are refused, never silently downgraded.
    let forged = format!("khk_{}", "A".repeat(40));
    for bad in ["nonsense", forged.as_str(), &key[..43]] {
        let (status, headers, body) = send(with_key(bad, "/v1/articles")).await;
        assert_eq!(status, 401, "{bad}");
        assert_eq!(body["type"], "urn:khabar:problem:invalid-api-key");
        assert!(headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("ApiKey"));
    }

    // Revoked: refused at once; revoking again is harmless; unknown keys are 404s.
    let revoke = |id: i64| app.authed(Method::DELETE, &format!("{keys_path}/{id}"), &admin);
    assert_eq!(send(revoke(key_id)).await.0, 204);
    assert_eq!(send(with_key(&key, "/v1/articles")).await.0, 401);
    assert_eq!(send(revoke(key_id)).await.0, 204);
    assert_eq!(send(revoke(999_999)).await.0, 404);
    let (_, _, listed) = send(app.authed(Method::GET, &keys_path, &admin)).await;
    assert!(listed[0]["revoked_at"].is_string());

    // A disabled partner's keys stop working too.
    let (_, _, second) = send(issue(&keys_path, json!({"name": "Flipboard"}))).await;
    let second = second["key"].as_str().unwrap().to_owned();
    assert_eq!(send(with_key(&second, "/v1/articles")).await.0, 200);
    let (status, ..) = send(
        app.authed(Method::PATCH, &format!("/v1/users/{partner}"), &admin)
            .json(&json!({"disabled": true})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(send(with_key(&second, "/v1/articles")).await.0, 401);

    let (_, _, audit) = send(app.authed(Method::GET, "/v1/audit", &admin)).await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"api_key.create") && actions.contains(&"api_key.revoke"),
        "{actions:?}"
    );
}

async fn partners_read_beyond_the_address_budget(backend: Backend) {
    let app = spawn_limited(backend, 2, 6, "").await;
    // The admin signs in before the address budget is spent.
    let admin = app.token("admin").await;
    let (email, _) = app.user("partner");
    let partner = user_id(&app, &email);
    let (_, _, issued) = send(
        app.authed(Method::POST, &format!("/v1/users/{partner}/api-keys"), &admin)
            .json(&json!({"name": "feeds"})),
    )
    .await;
    let key = issued["key"].as_str().unwrap().to_owned();
    let anonymous = || app.client.get(app.url("/feeds/ar/atom.xml"));
    let partner_read = || anonymous().header("X-Api-Key", &key);
    // The sign-in was the address's first request; the admin's own request counted per user.
    assert_eq!(send(anonymous()).await.0, 200);
    let (status, headers, body) = send(anonymous()).await;
    assert_too_many(status, &headers, &body);
    // Staff count per user, not per (shared) address; a forged token counts as the address.
    assert_eq!(send(app.authed(Method::GET, "/v1/auth/me", &admin)).await.0, 200);
    let forged = format!("{}x", &admin[..admin.len() - 1]);
    assert_eq!(send(app.authed(Method::GET, "/v1/auth/me", &forged)).await.0, 429);
    for _ in 0..6 {
        assert_eq!(send(partner_read()).await.0, 200);
    }
    let (status, headers, body) = send(partner_read()).await;
    assert_too_many(status, &headers, &body);
}

/// The Redis to count in: `KHABAR_TEST_REDIS_URL`, which `.ci/run` sets (starting Redis when it
/// is down), else the machine's own if it answers. Without one the test is skipped, loudly,
/// except under CI.
fn redis_url() -> Option<String> {
    if let Ok(url) = std::env::var("KHABAR_TEST_REDIS_URL") {
        return Some(url);
    }
    if std::net::TcpStream::connect_timeout(
        &"127.0.0.1:6379".parse().unwrap(),
        std::time::Duration::from_secs(1),
    )
    .is_ok()
    {
        return Some("redis://127.0.0.1:6379/0".into());
    }
    assert!(
        std::env::var("CI").map_or(true, |ci| ci != "true"),
        "CI=true but no Redis: .ci/run starts one"
    );
    eprintln!("\nNOTE: no Redis on 127.0.0.1:6379 and KHABAR_TEST_REDIS_URL unset: the shared budget test was SKIPPED.\n");
    None
}

/// Two nodes counting in one Redis allow one budget between them, for requests and for
/// sign-in attempts; a node whose store does not answer counts on its own and keeps serving.
async fn nodes_share_one_budget_in_redis(backend: Backend) {
    let Some(redis) = redis_url() else {
        return;
    };
    let db = TestDb::create(backend);
    let mut shared = settings(db.url.clone());
    shared.rate_limits = RateLimitSettings {
        per_address: 6,
        per_partner: 0,
        trusted_proxies: TrustedProxies::parse("127.0.0.1").unwrap(),
        store: Some(redis),
    };
    // Budgets are kept under the issuer: this test's own, whatever else runs at once.
    shared.jwt_issuer = format!("test-{}", uuid::Uuid::new_v4().simple());
    let node_a = TestApp::spawn_owning(db, shared.clone()).await;
    let node_b = TestApp::spawn_with(shared.clone()).await;
    let get = |node: &TestApp| {
        node.client
            .get(node.url("/v1/articles?limit=1"))
            .header("X-Forwarded-For", "203.0.113.50")
    };
    for node in [&node_a, &node_b, &node_a, &node_b, &node_a, &node_b] {
        assert_eq!(send(get(node)).await.0, 200);
    }
    for node in [&node_a, &node_b] {
        let (status, headers, body) = send(get(node)).await;
        assert_too_many(status, &headers, &body);
    }

    // Five wrong passwords for one account, spread over both nodes: the sixth is refused by either.
    let (email, _) = node_a.user("editor");
    let attempt = |node: &TestApp, n: usize| {
        node.client
            .post(node.url("/v1/auth/token"))
            .header("X-Forwarded-For", format!("198.51.100.{n}"))
            .json(&json!({"email": email, "password": "not the password at all"}))
    };
    for n in 0..5 {
        let node = if n % 2 == 0 { &node_a } else { &node_b };
        assert_eq!(send(attempt(node, n)).await.0, 401);
    }
    let (status, headers, body) = send(attempt(&node_b, 9)).await;
    assert_too_many(status, &headers, &body);

    // A store that is not there: the node counts alone, at once, and still limits.
    let mut alone = shared;
    alone.rate_limits.store = Some("redis://127.0.0.1:9/0".into());
    let node_c = TestApp::spawn_with(alone).await;
    let started = std::time::Instant::now();
    for _ in 0..6 {
        assert_eq!(send(get(&node_c)).await.0, 200);
    }
    assert_eq!(send(get(&node_c)).await.0, 429, "its own budget");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "a dead store costs no waiting: {:?}",
        started.elapsed()
    );
}

on_both_backends!(
    nodes_share_one_budget_in_redis,
    each_client_address_has_its_own_budget,
    partner_keys_raise_the_limit_until_revoked,
    partners_read_beyond_the_address_budget,
);
