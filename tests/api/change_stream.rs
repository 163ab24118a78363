//! The change log as everything downstream reads it (issue 29): the stream of changes read by
//! a WHATWG Server-Sent Events parser, resumed with `Last-Event-ID`; a cursor the log no longer
//! reaches back to answered 410, and starting over giving every article's current state; who
//! made each change and in answer to which request; a node's cache following changes written
//! around it; streams capped per client address.

use std::collections::HashMap;
use std::time::Duration;

use eventsource_stream::{Event, Eventsource};
use futures_util::{Stream, StreamExt};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{published_article, send, settings, Backend, TestApp, TestDb};
use crate::on_both_backends;

/// What Chrome's `EventSource` sends (plus the `Accept-Encoding` every browser request has).
const BROWSER: &[(&str, &str)] = &[
    ("Accept", "text/event-stream"),
    ("Cache-Control", "no-cache"),
    ("Accept-Encoding", "gzip, deflate, br, zstd"),
    (
        "User-Agent",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    ),
];

type Events = std::pin::Pin<Box<dyn Stream<Item = Event> + Send>>;

/// Opens the stream with a browser's headers and `extra`; the status, headers and events.
async fn open(
    app: &TestApp,
    query: &str,
    extra: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Events) {
    let mut request = app.client.get(app.url(&format!("/v1/changes/stream{query}")));
    for (name, value) in BROWSER.iter().chain(extra) {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("stream opened");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = futures_util::stream::unfold(response, |mut response| async move {
        match response.chunk().await {
            Ok(Some(chunk)) => Some((Ok::<_, std::io::Error>(chunk), response)),
            _ => None,
        }
    });
    let events = bytes
        .eventsource()
        .filter_map(|event| async move { event.ok().filter(|e| !e.data.is_empty()) });
    (status, headers, Box::pin(events))
}

/// The next `n` events, or a failure after 10 s.
async fn next(events: &mut Events, n: usize) -> Vec<Event> {
    let mut got = Vec::new();
    while got.len() < n {
        let event = tokio::time::timeout(Duration::from_secs(10), events.next())
            .await
            .unwrap_or_else(|_| panic!("only {} of {n} events arrived: {got:?}", got.len()))
            .expect("the stream ended");
        got.push(event);
    }
    got
}

/// The feed's current end.
async fn end_of_feed(app: &TestApp) -> String {
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(cursor) => format!("/v1/changes?limit=1000&after={cursor}"),
            None => "/v1/changes?limit=1000".to_owned(),
        };
        let (_, _, page) = app.get_json(&path).await;
        after = Some(page["next"].as_str().unwrap().to_owned());
        if !page["more"].as_bool().unwrap() {
            return after.unwrap();
        }
    }
}

/// Edits the headline; the new version and the request's id.
async fn edit(app: &TestApp, token: &str, id: &str, version: i64, headline: &str) -> (i64, String) {
    let (status, headers, edited) = send(
        app.authed(Method::PATCH, &format!("/v1/articles/{id}"), token)
            .header("If-Match", format!("\"v{version}\""))
            .header("Content-Type", "application/merge-patch+json")
            .body(json!({"headline": headline}).to_string()),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    let request_id = headers["x-request-id"].to_str().unwrap().to_owned();
    (edited["version"].as_i64().unwrap(), request_id)
}

async fn edit_headline(app: &TestApp, token: &str, id: &str, version: i64, headline: &str) -> i64 {
    edit(app, token, id, version, headline).await.0
}

fn entry(event: &Event) -> Value {
    let entry: Value = serde_json::from_str(&event.data).expect("data is JSON");
    assert_eq!(event.id, entry["cursor"], "the event id is the entry's cursor");
    assert_eq!(
        event.event, "message",
        "no event type: an EventSource's onmessage gets it"
    );
    entry
}

/// A stream gets each public change once, as it happens; a client that reconnects with the
/// last id it received gets what it missed, and nothing twice.
async fn a_stream_resumes_after_the_last_event(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.token("editor").await;
    let start = end_of_feed(&app).await;
    let (status, headers, mut events) = open(&app, &format!("?after={start}"), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/event-stream");
    assert!(
        headers.get("content-encoding").is_none(),
        "a stream is never buffered by a coder"
    );

    let (first, version) = published_article(&app, &token, "عاجل: خبر يتدفق").await;
    edit_headline(&app, &token, &first, version, "عاجل: خبر يتدفق، محدث").await;
    let got = next(&mut events, 2).await;
    let kinds: Vec<(Value, Value)> = got
        .iter()
        .map(entry)
        .map(|e| (e["article"]["id"].clone(), e["kind"].clone()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (json!(first), json!("published")),
            (json!(first), json!("updated"))
        ]
    );
    let last_id = got[1].id.clone();
    drop(events);

    // Missed while away: another article published and edited.
    let (second, version) = published_article(&app, &token, "خبر ثان").await;
    edit_headline(&app, &token, &second, version, "خبر ثان، محدث").await;
    // The browser reconnects with the last id; the query it was opened with comes along.
    let (status, _, mut events) =
        open(&app, &format!("?after={start}"), &[("Last-Event-ID", &last_id)]).await;
    assert_eq!(status, 200);
    let got = next(&mut events, 2).await;
    for event in &got {
        let entry = entry(event);
        assert_eq!(entry["article"]["id"], json!(second), "{entry}");
    }
    // Nothing else is waiting: the next event is the next change.
    let (third, _) = published_article(&app, &token, "خبر ثالث").await;
    let got = next(&mut events, 1).await;
    assert_eq!(entry(&got[0])["article"]["id"], json!(third));

    for (query, header, field) in [
        ("?after=42", None, "after"),
        ("", Some("not-a-cursor"), "Last-Event-ID"),
    ] {
        let extra: Vec<(&str, &str)> = header.map(|h| ("Last-Event-ID", h)).into_iter().collect();
        let (status, _, _) = open(&app, query, &extra).await;
        assert_eq!(status, 400, "{query} {header:?}");
        let mut request = app.client.get(app.url(&format!("/v1/changes/stream{query}")));
        if let Some(h) = header {
            request = request.header("Last-Event-ID", h);
        }
        let (_, _, problem) = send(request).await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
}

/// After compaction, a cursor from before the horizon is answered 410 (naming where it was
/// sent), in pages and in streams; starting over gives each article once, at its newest.
async fn a_cursor_the_log_no_longer_reaches_is_gone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.token("editor").await;
    let (id, version) = published_article(&app, &token, "خبر يتغير").await;
    let (_, _, page) = app.get_json("/v1/changes?limit=1000").await;
    let old = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["article"]["id"] == json!(id))
        .unwrap()["cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let version = edit_headline(&app, &token, &id, version, "خبر يتغير مرة").await;
    edit_headline(&app, &token, &id, version, "خبر يتغير مرتين").await;
    let tomorrow = khabar::db::utc_now() + chrono::Duration::days(1);
    while khabar::db::queries::change_log::compact(&mut app.conn(), tomorrow, 1000).unwrap() > 0 {}

    let (status, _, problem) = app.get_json(&format!("/v1/changes?after={old}")).await;
    assert_eq!(status, 410, "{problem}");
    assert_eq!(problem["code"], "gone");
    assert_eq!(problem["errors"][0]["field"], "after");
    let (status, _, _) = open(&app, "", &[("Last-Event-ID", &old)]).await;
    assert_eq!(status, 410);

    let (_, _, page) = app.get_json("/v1/changes?limit=1000").await;
    let mut seen: HashMap<String, String> = HashMap::new();
    for entry in page["data"].as_array().unwrap() {
        let article = entry["article"]["id"].as_str().unwrap().to_owned();
        let kind = entry["kind"].as_str().unwrap().to_owned();
        assert!(
            seen.insert(article, kind).is_none(),
            "an article twice after compaction"
        );
    }
    assert_eq!(seen[&id], "updated");
    // The end of the compacted feed is a cursor like any other.
    let end = page["next"].as_str().unwrap();
    let (status, _, _) = app.get_json(&format!("/v1/changes?after={end}")).await;
    assert_eq!(status, 200);
}

/// Every entry says who made the change and in answer to which request; catalog changes are
/// logged (caches and the edge follow them) but stay out of the public feed.
async fn each_change_says_who_and_which_request(backend: Backend) {
    use diesel::prelude::*;
    use khabar::db::schema::change_log;
    let app = TestApp::spawn(backend).await;
    let token = app.token("editor").await;
    let (_, _, me) = send(app.authed(Method::GET, "/v1/auth/me", &token)).await;
    let (id, version) = published_article(&app, &token, "من كتب هذا").await;
    let (_, edit_request) = edit(&app, &token, &id, version, "من كتب هذا؟").await;
    let (status, headers, topic) = send(
        app.authed(Method::POST, "/v1/topics", &token)
            .json(&json!({"name": "ليبيا الجديدة", "slug": "new-libya", "kind": "tag"})),
    )
    .await;
    assert_eq!(status, 201, "{topic}");

    type Row = (String, String, String, Option<String>, Option<String>);
    let rows: Vec<Row> = change_log::table
        .order(change_log::seq.desc())
        .limit(2)
        .select((
            change_log::kind,
            change_log::public_id,
            change_log::keys,
            change_log::actor,
            change_log::request_id,
        ))
        .load(&mut app.conn())
        .unwrap();
    let actor = Some(format!("user:{}", me["id"]));
    assert_eq!(
        rows[0],
        (
            "topic".to_owned(),
            "new-libya".to_owned(),
            "topic-new-libya lists".to_owned(),
            actor.clone(),
            Some(headers["x-request-id"].to_str().unwrap().to_owned())
        )
    );
    assert_eq!(
        rows[1],
        (
            "updated".to_owned(),
            id.clone(),
            format!("article-{id} lists"),
            actor,
            Some(edit_request)
        )
    );
    let (_, _, page) = app.get_json("/v1/changes?limit=1000").await;
    assert!(page["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["kind"] != "topic"));
}

/// A change written around the node (another process on the same database, with no request
/// to this node) reaches its cache through the log: on SQLite at the worker's next round, on
/// PostgreSQL at the wake-up. Nothing empties the cache by hand.
async fn a_change_written_elsewhere_reaches_the_cache(backend: Backend) {
    use diesel::prelude::*;
    use khabar::db::schema::articles;
    let app = TestApp::spawn(backend).await;
    let token = app.token("editor").await;
    let (id, _) = published_article(&app, &token, "قبل").await;
    let path = format!("/v1/articles/{id}");
    let (_, _, before) = app.get_json(&path).await;
    assert_eq!(before["headline"], "قبل");
    let urls = khabar::api::article::UrlBuilder::new(url::Url::parse(crate::helpers::SITE_URL).unwrap());
    khabar::db::claim::write_transaction(&mut app.conn(), |conn| {
        let row: i64 = diesel::update(articles::table.filter(articles::public_id.eq(&id)))
            .set(articles::headline.eq("بعد"))
            .returning(articles::id)
            .get_result(conn)?;
        let origin = khabar::domain::changes::Origin::system("elsewhere");
        khabar::delivery::publish_changes(conn, &[row], &urls, khabar::db::utc_now(), &origin)
    })
    .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (_, _, now) = app.get_json(&path).await;
        if now["headline"] == "بعد" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the cache still serves {now}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

on_both_backends!(
    a_stream_resumes_after_the_last_event,
    a_cursor_the_log_no_longer_reaches_is_gone,
    each_change_says_who_and_which_request,
    a_change_written_elsewhere_reaches_the_cache,
);

/// One address may hold `KHABAR_MAX_STREAMS_PER_ADDRESS` streams: past that 503 with
/// `Retry-After`; a stream that ends gives its place back.
#[tokio::test]
async fn streams_are_capped_per_address() {
    let db = TestDb::create(Backend::Sqlite);
    let mut node = settings(db.url.clone());
    node.streams.per_address = 2;
    node.streams.keep_alive = Duration::from_millis(200);
    let app = TestApp::spawn_owning(db, node).await;
    let (a, _, first) = open(&app, "", &[]).await;
    let (b, _, _second) = open(&app, "", &[]).await;
    assert_eq!((a, b), (200, 200));
    let (status, headers, _) = open(&app, "", &[]).await;
    assert_eq!(status, 503);
    assert!(headers["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    drop(first);
    // The server learns the client went at its next write (a keep-alive at the latest).
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (status, _, _) = open(&app, "", &[]).await;
        if status == 200 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the place was not given back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
