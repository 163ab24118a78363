//! Request ids: made when none comes from a trusted proxy, kept when one does, returned, in
//! problem documents, and handed on to the webhook deliveries a request causes.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, HttpRequest, HttpResponse};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{receiver, send, settings, Backend, TestApp, TestDb};
use crate::on_both_backends;

fn id_of(headers: &reqwest::header::HeaderMap) -> String {
    headers["x-request-id"].to_str().unwrap().to_owned()
}

#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<(String, Value)>>>);

async fn hook(request: HttpRequest, body: web::Bytes, seen: web::Data<Seen>) -> HttpResponse {
    let header = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    seen.0
        .lock()
        .unwrap()
        .push((header, serde_json::from_slice(&body).unwrap_or_default()));
    HttpResponse::NoContent().finish()
}

async fn requests_are_named_and_the_name_travels_on(backend: Backend) {
    let db = TestDb::create(backend);
    let mut settings = settings(db.url.clone());
    settings.rate_limits.trusted_proxies =
        khabar::domain::client_address::TrustedProxies::parse("127.0.0.1").unwrap();
    let app = TestApp::spawn_owning(db, settings).await;

    // Made when none is sent: returned, and in the problem document.
    let (status, headers, problem) = send(app.client.get(app.url("/v1/articles/no-such-article"))).await;
    assert_eq!(status, 404);
    let made = id_of(&headers);
    assert_eq!(made.len(), 32, "{made}");
    assert!(made.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(problem["request_id"], made.as_str());
    let (_, again, _) = send(app.client.get(app.url("/v1/articles/no-such-article"))).await;
    assert_ne!(id_of(&again), made, "one id a request");
    let (_, ok, _) = send(app.client.get(app.url("/healthz"))).await;
    assert_eq!(id_of(&ok).len(), 32, "every answer, not only problems");

    // A trusted proxy's id is kept; one that is not a plain token is replaced.
    let (_, headers, problem) = send(
        app.client
            .get(app.url("/v1/articles/no-such-article"))
            .header("X-Request-Id", "edge-7f3a.42"),
    )
    .await;
    assert_eq!(id_of(&headers), "edge-7f3a.42");
    assert_eq!(problem["request_id"], "edge-7f3a.42");
    for bad in ["has space", &"x".repeat(201)] {
        let (_, headers, _) = send(app.client.get(app.url("/healthz")).header("X-Request-Id", bad)).await;
        assert_ne!(id_of(&headers), bad);
    }

    // The request that publishes hands its id to the webhook delivery it causes.
    let seen = Seen::default();
    let (port, handle) = receiver(0, 1, seen.clone(), |routes| {
        routes.route("/hook", web::post().to(hook));
    });
    let admin = app.token("admin").await;
    let editor = app.token("editor").await;
    let (status, _, _) = send(app.authed(Method::POST, "/v1/webhooks", &admin).json(&json!({
        "url": format!("http://127.0.0.1:{port}/hook"), "events": ["article.published"]
    })))
    .await;
    assert_eq!(status, 201);
    let (_, _, created) = send(app.authed(Method::POST, "/v1/articles", &editor).json(&json!({
        "language": "ar", "headline": "خبر له رقم طلب", "body": [{"type": "paragraph", "html": "نص"}]
    })))
    .await;
    let id = created["id"].as_str().unwrap();
    let (status, _, _) = send(
        app.authed(Method::POST, &format!("/v1/articles/{id}/transitions"), &editor)
            .header("If-Match", "\"v1\"")
            .header("X-Request-Id", "publish-0042")
            .json(&json!({"to": "published"})),
    )
    .await;
    assert_eq!(status, 200);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some((header, body)) = seen.0.lock().unwrap().first().cloned() {
            assert_eq!(header, "publish-0042");
            assert_eq!(body["request_id"], "publish-0042");
            break;
        }
        assert!(Instant::now() < deadline, "no delivery arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    handle.stop(false).await;
}

on_both_backends!(requests_are_named_and_the_name_travels_on);

/// From anyone but a trusted proxy, a sent id is not believed: logs and problems would
/// otherwise carry whatever a client wrote.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_client_cannot_choose_its_request_id() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (_, headers, problem) = send(
        app.client
            .get(app.url("/v1/articles/no-such-article"))
            .header("X-Request-Id", "chosen-by-client"),
    )
    .await;
    assert_ne!(id_of(&headers), "chosen-by-client");
    assert_eq!(problem["request_id"], id_of(&headers).as_str());
}
