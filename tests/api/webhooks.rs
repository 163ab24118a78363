//! Webhooks: a receiver that is down when changes happen gets every event later, once, signed,
//! and in order per article.

use std::sync::{Arc, Mutex};

use actix_web::{web, HttpRequest, HttpResponse};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{free_port, receiver, send, Backend, TestApp};
use crate::on_both_backends;

#[derive(Clone, Default)]
struct Received {
    /// (delivery id, event, article id) of each accepted delivery, in arrival order.
    accepted: Arc<Mutex<Vec<(i64, String, String)>>>,
    /// Requests seen, accepted or not.
    seen: Arc<Mutex<usize>>,
    secret: Arc<Mutex<String>>,
}

async fn hook(request: HttpRequest, body: web::Bytes, received: web::Data<Received>) -> HttpResponse {
    let first = {
        let mut seen = received.seen.lock().unwrap();
        *seen += 1;
        *seen == 1
    };
    if first {
        // One failure after coming back: that delivery must be retried, and still in order.
        return HttpResponse::ServiceUnavailable().finish();
    }
    let signature = request
        .headers()
        .get("khabar-signature")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let timestamp: i64 = signature
        .strip_prefix("t=")
        .and_then(|rest| rest.split(',').next())
        .and_then(|t| t.parse().ok())
        .expect("t= in the signature");
    let secret = received.secret.lock().unwrap().clone();
    assert_eq!(
        signature,
        khabar::worker::signature(&secret, timestamp, &body),
        "signature"
    );
    assert!(
        (chrono::Utc::now().timestamp() - timestamp).abs() < 60,
        "fresh timestamp"
    );
    let payload: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        request.headers().get("khabar-event").unwrap().to_str().unwrap(),
        payload["event"].as_str().unwrap()
    );
    received.accepted.lock().unwrap().push((
        payload["delivery_id"].as_i64().unwrap(),
        payload["event"].as_str().unwrap().to_owned(),
        payload["article"]["id"].as_str().unwrap().to_owned(),
    ));
    HttpResponse::NoContent().finish()
}

async fn transition(app: &TestApp, token: &str, article: &Value, to: &str) -> Value {
    let (status, _, body) = send(
        app.authed(
            Method::POST,
            &format!("/v1/articles/{}/transitions", article["id"].as_str().unwrap()),
            token,
        )
        .header("If-Match", format!("\"v{}\"", article["version"]))
        .json(&json!({"to": to})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn deliveries(app: &TestApp, token: &str, hook_id: i64) -> Vec<Value> {
    let (status, _, list) =
        send(app.authed(Method::GET, &format!("/v1/webhooks/{hook_id}/deliveries"), token)).await;
    assert_eq!(status, 200);
    list.as_array().unwrap().clone()
}

async fn a_receiver_that_was_down_gets_every_event_in_order(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.token("admin").await;
    let editor = app.token("editor").await;
    let port = free_port();
    let (status, _, subscription) = send(app.authed(Method::POST, "/v1/webhooks", &admin).json(&json!({
        "url": format!("http://127.0.0.1:{port}/hook"),
        "events": ["article.published", "article.updated", "article.unpublished", "article.deleted"]
    })))
    .await;
    assert_eq!(status, 201, "{subscription}");
    let hook_id = subscription["id"].as_i64().unwrap();
    let (status, _, bad) = send(
        app.authed(Method::POST, "/v1/webhooks", &admin)
            .json(&json!({"url": "ftp://x", "events": ["article.eaten"]})),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(bad["errors"].as_array().unwrap().len(), 2);

    // Nothing listens on the port: every attempt fails while these changes happen.
    let create = |headline: &'static str| {
        app.authed(Method::POST, "/v1/articles", &editor).json(&json!({
            "language": "ar", "headline": headline, "body": [{"type": "paragraph", "html": "نص"}]
        }))
    };
    let (_, _, a) = send(create("المقال الأول")).await;
    let (_, _, b) = send(create("المقال الثاني")).await;
    let a = transition(&app, &editor, &a, "published").await;
    let b = transition(&app, &editor, &b, "published").await;
    let (status, _, a) = send(
        app.authed(
            Method::PATCH,
            &format!("/v1/articles/{}", a["id"].as_str().unwrap()),
            &editor,
        )
        .header("If-Match", "\"v2\"")
        .json(&json!({"lead": "مقدمة"})),
    )
    .await;
    assert_eq!(status, 200);
    let a = transition(&app, &editor, &a, "unpublished").await;
    let b = transition(&app, &editor, &b, "unpublished").await;
    let a = transition(&app, &editor, &a, "published").await;
    let (status, _, _) = send(
        app.authed(
            Method::DELETE,
            &format!("/v1/articles/{}", a["id"].as_str().unwrap()),
            &editor,
        )
        .header("If-Match", format!("\"v{}\"", a["version"])),
    )
    .await;
    assert_eq!(status, 204);

    // Wait until the worker has queued every event from the change log, and tried and failed.
    for _ in 0..100 {
        let log = deliveries(&app, &admin, hook_id).await;
        if log.len() == 7
            && log
                .iter()
                .any(|d| d["attempts"].as_i64() >= Some(2) && !d["last_error"].is_null())
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let log = deliveries(&app, &admin, hook_id).await;
    assert_eq!(log.len(), 7);
    assert!(log.iter().all(|d| d["state"] == "pending"), "{log:?}");

    // The receiver comes up.
    let received = Received::default();
    *received.secret.lock().unwrap() = subscription["secret"].as_str().unwrap().to_owned();
    let (_, handle) = receiver(port, 1, received.clone(), |routes| {
        routes.route("/hook", web::post().to(hook));
    });
    for _ in 0..200 {
        if deliveries(&app, &admin, hook_id)
            .await
            .iter()
            .all(|d| d["state"] == "delivered")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    handle.stop(true).await;
    let log = deliveries(&app, &admin, hook_id).await;
    assert!(log.iter().all(|d| d["state"] == "delivered"), "{log:?}");

    let accepted = received.accepted.lock().unwrap().clone();
    let ids: std::collections::HashSet<i64> = accepted.iter().map(|(id, _, _)| *id).collect();
    assert_eq!(ids.len(), accepted.len(), "no event accepted twice");
    assert_eq!(accepted.len(), 7, "{accepted:?}");
    let events_of = |article: &Value| -> Vec<String> {
        accepted
            .iter()
            .filter(|(_, _, id)| id == article["id"].as_str().unwrap())
            .map(|(_, event, _)| event.clone())
            .collect()
    };
    assert_eq!(
        events_of(&a),
        [
            "article.published",
            "article.updated",
            "article.unpublished",
            "article.published",
            "article.deleted"
        ]
    );
    assert_eq!(events_of(&b), ["article.published", "article.unpublished"]);
    // Per article, deliveries arrived in the order they were written.
    for article in [&a, &b] {
        let order: Vec<i64> = accepted
            .iter()
            .filter(|(_, _, id)| id == article["id"].as_str().unwrap())
            .map(|(delivery, _, _)| *delivery)
            .collect();
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(order, sorted);
    }
    let (status, _, audit) = send(app.authed(Method::GET, "/v1/audit?limit=200", &admin)).await;
    assert_eq!(status, 200);
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for expected in [
        "webhook.create",
        "article.create",
        "article.update",
        "article.transition:published",
        "article.delete",
    ] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    let (status, _, _) = send(app.authed(Method::GET, "/v1/audit?limit=0", &admin)).await;
    assert_eq!(status, 400);
}

#[derive(Clone, Default)]
struct Hub {
    /// Form bodies of the pings, accepted or not.
    pings: Arc<Mutex<Vec<String>>>,
}

async fn hub(body: String, hub: web::Data<Hub>) -> HttpResponse {
    let mut pings = hub.pings.lock().unwrap();
    pings.push(body);
    if pings.len() == 1 {
        HttpResponse::InternalServerError().finish()
    } else {
        HttpResponse::NoContent().finish()
    }
}

async fn the_websub_hub_hears_of_publications_and_is_retried(backend: Backend) {
    let recorded = Hub::default();
    let (port, handle) = receiver(0, 1, recorded.clone(), |routes| {
        routes.route("/hub", web::post().to(hub));
    });

    let db = crate::helpers::TestDb::create(backend);
    let mut config = crate::helpers::settings(db.url.clone());
    config.websub_hub = Some(url::Url::parse(&format!("http://127.0.0.1:{port}/hub")).unwrap());
    let app = TestApp::spawn_with(config).await;
    let editor = app.token("editor").await;
    let (_, _, article) = send(app.authed(Method::POST, "/v1/articles", &editor).json(&json!({
        "language": "ar", "headline": "خبر للمحور", "body": [{"type": "paragraph", "html": "نص"}]
    })))
    .await;
    // A draft is nobody's news: no ping.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(recorded.pings.lock().unwrap().is_empty());
    transition(&app, &editor, &article, "published").await;
    for _ in 0..100 {
        if recorded.pings.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    handle.stop(true).await;
    let pings = recorded.pings.lock().unwrap().clone();
    assert_eq!(pings.len(), 2, "one failure, one retry: {pings:?}");
    assert_eq!(pings[0], pings[1]);
    let form: Vec<(String, String)> = url::form_urlencoded::parse(pings[1].as_bytes())
        .into_owned()
        .collect();
    assert_eq!(form[0], ("hub.mode".into(), "publish".into()));
    let topics: Vec<&str> = form
        .iter()
        .filter(|(k, _)| k == "hub.url")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(
        topics,
        [
            "http://127.0.0.1/feeds/ar/rss.xml",
            "http://127.0.0.1/feeds/ar/atom.xml",
            "http://127.0.0.1/feeds/ar/feed.json"
        ]
    );
    drop(app);
    drop(db);
}

/// With private targets refused (the default), an internal URL is a 422 when subscribed, and a
/// subscription that points inside anyway (made while they were allowed) is never connected to.
async fn webhooks_cannot_reach_the_internal_network(backend: Backend) {
    let db = crate::helpers::TestDb::create(backend);
    let mut config = crate::helpers::settings(db.url.clone());
    config.worker.allow_private_webhooks = false;
    let app = TestApp::spawn_owning(db, config).await;
    let admin = app.token("admin").await;
    let editor = app.token("editor").await;
    let subscribe = |url: &str| {
        app.authed(Method::POST, "/v1/webhooks", &admin)
            .json(&json!({"url": url, "events": ["article.published"]}))
    };
    for url in [
        "http://127.0.0.1:9/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://0x7f000001/hook",
        "http://localhost:8080/hook",
        "http://10.0.0.7/hook",
    ] {
        let (status, _, body) = send(subscribe(url)).await;
        assert_eq!(status, 422, "{url}: {body}");
        assert_eq!(body["errors"][0]["field"], "/url", "{url}");
    }
    let (status, _, hook) = send(subscribe("https://hooks.example.com/khabar")).await;
    assert_eq!(status, 201, "{hook}");
    let hook_id = hook["id"].as_i64().unwrap();
    let (status, ..) = send(
        app.authed(Method::PATCH, &format!("/v1/webhooks/{hook_id}"), &admin)
            .json(&json!({"url": "http://192.168.1.1/", "events": ["article.published"]})),
    )
    .await;
    assert_eq!(status, 422);

    // A receiver on loopback, named by a subscription stored before the rule applied.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(Mutex::new(0usize));
    let counted = connections.clone();
    tokio::spawn(async move {
        while listener.accept().await.is_ok() {
            *counted.lock().unwrap() += 1;
        }
    });
    {
        use diesel::prelude::*;
        use khabar::db::schema::webhooks;
        diesel::update(webhooks::table.find(hook_id))
            .set(webhooks::url.eq(format!("http://127.0.0.1:{port}/hook")))
            .execute(&mut app.conn())
            .unwrap();
    }
    let (status, _, article) = send(app.authed(Method::POST, "/v1/articles", &editor).json(&json!({
        "language": "ar", "headline": "خبر لا يصل", "body": [{"type": "paragraph", "html": "نص"}]
    })))
    .await;
    assert_eq!(status, 201);
    transition(&app, &editor, &article, "published").await;
    let mut refused = None;
    for _ in 0..200 {
        let log = deliveries(&app, &admin, hook_id).await;
        if let Some(error) = log.first().and_then(|d| d["last_error"].as_str()) {
            refused = Some(error.to_owned());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let refused = refused.expect("the delivery was attempted");
    assert!(refused.contains("127.0.0.1 is not a public address"), "{refused}");
    assert_eq!(
        *connections.lock().unwrap(),
        0,
        "nothing connected to the internal receiver"
    );
}

#[derive(Clone, Default)]
struct SlowReceiver {
    /// (delivery id, when the request arrived) of every attempt.
    attempts: Arc<Mutex<Vec<(i64, std::time::Instant)>>>,
}

/// Answers after the sender has given up (its timeout is 1 s).
async fn slow_hook(body: web::Bytes, receiver: web::Data<SlowReceiver>) -> HttpResponse {
    let payload: Value = serde_json::from_slice(&body).unwrap();
    let id = payload["delivery_id"].as_i64().unwrap();
    receiver
        .attempts
        .lock()
        .unwrap()
        .push((id, std::time::Instant::now()));
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    HttpResponse::NoContent().finish()
}

/// Two nodes, a receiver slower than the send timeout and more deliveries than one round
/// claims: a round sends its deliveries at once (so it ends long before its lease), and no
/// delivery is ever being sent by two nodes at the same time.
async fn a_slow_receiver_never_gets_one_delivery_from_two_nodes_at_once(backend: Backend) {
    let db = crate::helpers::TestDb::create(backend);
    let mut settings = crate::helpers::settings(db.url.clone());
    settings.worker.webhook_timeout = std::time::Duration::from_secs(1);
    settings.worker.webhook_retry_base_ms = 10;
    let first = TestApp::spawn_owning(db, settings.clone()).await;
    let receiver = SlowReceiver::default();
    let (port, handle) = crate::helpers::receiver(0, 2, receiver.clone(), |routes| {
        routes.route("/hook", web::post().to(slow_hook));
    });
    let admin = first.token("admin").await;
    let (status, _, _) = send(first.authed(Method::POST, "/v1/webhooks", &admin).json(&json!({
        "url": format!("http://127.0.0.1:{port}/hook"),
        "events": ["article.updated"]
    })))
    .await;
    assert_eq!(status, 201);
    let _second = TestApp::spawn_with(settings).await;
    let now = khabar::db::utc_now();
    khabar::db::claim::write_transaction(&mut first.conn(), |conn| {
        for n in 0..30 {
            khabar::db::queries::webhooks::enqueue(
                conn,
                "article.updated",
                &format!("a{n}"),
                &json!({"n": n}),
                now,
            )?;
        }
        Ok::<_, khabar::db::DbError>(())
    })
    .unwrap();
    let started = std::time::Instant::now();
    tokio::time::sleep(std::time::Duration::from_millis(4000)).await;
    handle.stop(false).await;
    let attempts = receiver.attempts.lock().unwrap().clone();
    let reached: std::collections::HashSet<i64> = attempts.iter().map(|(id, _)| *id).collect();
    // One at a time, two nodes could have tried about 8 within the 4 s.
    assert_eq!(
        reached.len(),
        30,
        "every delivery tried at least once within 4 s: {}",
        reached.len()
    );
    let first_round: Vec<_> = attempts
        .iter()
        .filter(|(_, at)| at.duration_since(started).as_millis() < 1000)
        .collect();
    assert!(
        first_round.len() >= 20,
        "a round sends what it claimed at once: {}",
        first_round.len()
    );
    for (id, at) in &attempts {
        let overlapping = attempts
            .iter()
            .filter(|(other, other_at)| other == id && other_at != at)
            .filter(|(_, other_at)| {
                let gap = if other_at > at {
                    other_at.duration_since(*at)
                } else {
                    at.duration_since(*other_at)
                };
                gap < std::time::Duration::from_millis(900)
            })
            .count();
        assert_eq!(overlapping, 0, "delivery {id} was being sent twice at once");
    }
}

on_both_backends!(
    a_slow_receiver_never_gets_one_delivery_from_two_nodes_at_once,
    webhooks_cannot_reach_the_internal_network,
    a_receiver_that_was_down_gets_every_event_in_order,
    the_websub_hub_hears_of_publications_and_is_retried,
);
