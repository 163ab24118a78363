//! Live blogs (issue 30) as their readers and editors use them: a page that reads the slices
//! with a browser's headers and polls with the cursor it got (an idle poll a 304), an event
//! stream read by a WHATWG parser that reconnects with `Last-Event-ID`, editors posting,
//! pinning, editing and deleting (twice, fast, and at once), and the bad input each door
//! refuses without changing anything.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use eventsource_stream::{Event, Eventsource};
use futures_util::{Stream, StreamExt};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{published_article, send, settings, Backend, TestApp, TestDb};
use crate::on_both_backends;

/// What Chrome sends for a `fetch()` of JSON, and for an `EventSource`.
const BROWSER_FETCH: &[(&str, &str)] = &[
    ("Accept", "*/*"),
    ("Accept-Encoding", "gzip, deflate, br, zstd"),
    ("Accept-Language", "ar,en;q=0.9"),
    (
        "User-Agent",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    ),
];
const BROWSER_STREAM: &[(&str, &str)] = &[
    ("Accept", "text/event-stream"),
    ("Cache-Control", "no-cache"),
    ("Accept-Encoding", "gzip, deflate, br, zstd"),
];

fn paragraph(text: &str) -> Value {
    json!([{"type": "paragraph", "html": text}])
}

/// A published article made a live blog; its id.
async fn live_blog(app: &TestApp, token: &str, headline: &str) -> String {
    let (id, _) = published_article(app, token, headline).await;
    let (status, _, blog) = send(
        app.authed(Method::PUT, &format!("/v1/articles/{id}/live"), token)
            .json(&json!({"state": "live"})),
    )
    .await;
    assert_eq!(status, 200, "{blog}");
    assert_eq!(blog["state"], "live");
    id
}

async fn post(app: &TestApp, token: &str, blog: &str, entry: Value) -> (u16, Value) {
    let (status, _, body) = send(
        app.authed(Method::POST, &format!("/v1/articles/{blog}/live/entries"), token)
            .json(&entry),
    )
    .await;
    (status, body)
}

async fn posted(app: &TestApp, token: &str, blog: &str, entry: Value) -> Value {
    let (status, body) = post(app, token, blog, entry).await;
    assert_eq!(status, 201, "{body}");
    body
}

async fn patch(app: &TestApp, token: &str, blog: &str, entry: &Value, change: Value) -> (u16, Value) {
    let (status, _, body) = send(
        app.authed(
            Method::PATCH,
            &format!(
                "/v1/articles/{blog}/live/entries/{}",
                entry["id"].as_str().unwrap()
            ),
            token,
        )
        .header("If-Match", format!("\"v{}\"", entry["version"]))
        .header("Content-Type", "application/merge-patch+json")
        .body(change.to_string()),
    )
    .await;
    (status, body)
}

/// The live read as a browser's `fetch()` asks for it: status, ETag, body.
async fn read(app: &TestApp, blog: &str, query: &str, etag: Option<&str>) -> (u16, String, Value) {
    let mut request = app
        .client
        .get(app.url(&format!("/v1/articles/{blog}/live{query}")));
    for (name, value) in BROWSER_FETCH {
        request = request.header(*name, *value);
    }
    if let Some(etag) = etag {
        request = request.header("If-None-Match", etag);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let (etag, coding) = (header("etag").unwrap_or_default(), header("content-encoding"));
    let bytes = response.bytes().await.unwrap();
    // What the browser does: undo the coding it asked for.
    let text = match coding.as_deref() {
        Some("br") => khabar::delivery::codings::unbrotli(&bytes).unwrap(),
        Some("gzip") => khabar::delivery::codings::gunzip(&bytes).unwrap(),
        None => bytes.to_vec(),
        Some(other) => panic!("a coding the browser did not ask for: {other}"),
    };
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&text).unwrap()
    };
    (status, etag, body)
}

fn ids(entries: &Value) -> Vec<String> {
    entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The slices, the article's own form, polling with the cursor (idle: 304), and an editor's
/// session: post, pin another, edit, delete, pause, end.
async fn a_live_page_reads_and_polls(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.token("editor").await;
    let blog = live_blog(&app, &token, "طرابلس: تغطية مباشرة").await;
    let first = posted(
        &app,
        &token,
        &blog,
        json!({"title": "بداية", "body": paragraph("أول"), "summary": true}),
    )
    .await;
    let key = posted(
        &app,
        &token,
        &blog,
        json!({"body": paragraph("حدث <b>مهم</b><script>x</script>"), "key_event": true, "pinned": true}),
    )
    .await;
    let third = posted(&app, &token, &blog, json!({"body": paragraph("ثالث")})).await;
    assert_eq!(
        key["body_html"], "<p>حدث <b>مهم</b></p>",
        "sanitized like an article"
    );

    let (status, etag, page) = read(&app, &blog, "?key_events=5", None).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        etag.ends_with("-br\""),
        "a browser gets the stored brotli form: {etag}"
    );
    let newest_first = vec![
        third["id"].as_str().unwrap().to_owned(),
        key["id"].as_str().unwrap().to_owned(),
        first["id"].as_str().unwrap().to_owned(),
    ];
    assert_eq!(ids(&page["latest"]), newest_first);
    assert_eq!(ids(&page["key_events"]), vec![newest_first[1].clone()]);
    assert_eq!(page["pinned"]["id"], key["id"]);
    assert_eq!(page["summary"]["id"], first["id"]);
    assert_eq!(page["blog"]["entries"], 3);
    assert_eq!(page["poll_interval_seconds"], 10);
    let (_, _, around) = read(
        &app,
        &blog,
        &format!("?latest=0&around={}&around_size=1", key["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(
        ids(&around["around"]),
        newest_first,
        "one on each side, newest first"
    );

    // The article carries its blog: the stream's start, the newest entries, the JSON-LD.
    let (_, _, article) = app.get_json(&format!("/v1/articles/{blog}")).await;
    assert_eq!(article["live"]["cursor"], page["cursor"]);
    assert_eq!(ids(&article["live"]["recent"]), newest_first);
    assert_eq!(
        article["updated_at"], third["updated_at"],
        "the article's time follows its newest entry"
    );
    let json_ld = &article["seo"]["json_ld"];
    assert_eq!(json_ld["@type"], json!(["NewsArticle", "LiveBlogPosting"]));
    assert_eq!(json_ld["liveBlogUpdate"].as_array().unwrap().len(), 3);
    assert_eq!(json_ld["dateModified"], third["updated_at"]);
    assert_eq!(json_ld["liveBlogUpdate"][2]["headline"], "بداية");

    // An idle poll repeats its URL and sends the ETag back: 304.
    let cursor = page["cursor"].as_str().unwrap().to_owned();
    let (status, poll_etag, poll) = read(&app, &blog, &format!("?after={cursor}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(poll["cursor"], json!(cursor), "nothing happened: the same cursor");
    assert_eq!(
        poll["changes"],
        json!({"entries": [], "deleted": [], "more": false})
    );
    assert_eq!(poll["latest"], json!([]), "a poll reads no slice unless asked");
    let (status, _, _) = read(&app, &blog, &format!("?after={cursor}"), Some(&poll_etag)).await;
    assert_eq!(status, 304);
    let _ = etag;

    // Pin another: the pin moves; edit one; delete one.
    let (status, repinned) = patch(
        &app,
        &token,
        &blog,
        &third,
        json!({"pinned": true, "title": "ثالث، محدث"}),
    )
    .await;
    assert_eq!(status, 200, "{repinned}");
    let (status, again) = patch(&app, &token, &blog, &third, json!({"title": "مرة ثانية"})).await;
    assert_eq!(
        status, 412,
        "the second save of the same version is stale: {again}"
    );
    let (status, _, _) = send(
        app.authed(
            Method::DELETE,
            &format!(
                "/v1/articles/{blog}/live/entries/{}",
                first["id"].as_str().unwrap()
            ),
            &token,
        )
        .header("If-Match", "\"v1\""),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _, poll) = read(&app, &blog, &format!("?after={cursor}"), Some(&poll_etag)).await;
    assert_eq!(status, 200, "{poll}");
    let changed: Vec<String> = ids(&poll["changes"]["entries"]);
    assert_eq!(
        changed,
        vec![newest_first[1].clone(), newest_first[0].clone()],
        "each once, in the order of its last change"
    );
    assert_eq!(poll["changes"]["deleted"], json!([first["id"]]));
    assert_eq!(poll["pinned"]["id"], third["id"]);
    assert_eq!(
        poll["summary"],
        Value::Null,
        "the summary was deleted with its entry"
    );
    assert_eq!(poll["blog"]["entries"], 2);

    // Paused takes posts; ended refuses them, and says when coverage ended.
    for (state, expected) in [("paused", 201), ("ended", 409)] {
        let (status, _, _) = send(
            app.authed(Method::PUT, &format!("/v1/articles/{blog}/live"), &token)
                .json(&json!({"state": state})),
        )
        .await;
        assert_eq!(status, 200);
        let (status, body) = post(&app, &token, &blog, json!({"body": paragraph(state)})).await;
        assert_eq!(status, expected, "{state}: {body}");
    }
    let (_, _, page) = read(&app, &blog, "", None).await;
    assert_eq!(page["blog"]["state"], "ended");
    assert!(page["blog"]["coverage_end"].is_string());
    assert_eq!(page["poll_interval_seconds"], Value::Null);
    let (_, _, article) = app.get_json(&format!("/v1/articles/{blog}")).await;
    assert_eq!(
        article["seo"]["json_ld"]["coverageEndTime"],
        page["blog"]["coverage_end"]
    );
}

/// Each door refuses bad input with a problem naming the field, and nothing changes.
async fn bad_input_is_refused_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.token("editor").await;
    let blog = live_blog(&app, &token, "تغطية").await;
    let entry = posted(&app, &token, &blog, json!({"body": paragraph("نص")})).await;
    let (_, _, before) = read(&app, &blog, "?key_events=10", None).await;
    for (body, field) in [
        (json!({"body": []}), "/body"),
        (json!({"body": paragraph("x"), "colour": "red"}), "/colour"),
        (json!({"body": [{"type": "paragraph"}]}), "/body/0"),
        (
            json!({"body": paragraph("x"), "bylines": [{"contributor": "nobody", "role": "agency"}]}),
            "/bylines/0/contributor",
        ),
        (
            json!({"body": [{"type": "image", "media_id": "0190f1c2-0000-7000-8000-000000000000"}]}),
            "/body/0/media_id",
        ),
        (
            json!({"body": paragraph("x"), "title": "ع".repeat(301)}),
            "/title",
        ),
        (json!({"body": paragraph("x"), "key_event": "yes"}), "/key_event"),
    ] {
        let (status, problem) = post(&app, &token, &blog, body.clone()).await;
        assert_eq!(status, 422, "{body}: {problem}");
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(fields.iter().any(|f| f.starts_with(field)), "{body}: {fields:?}");
    }
    let (status, problem) = patch(&app, &token, &blog, &entry, json!({"body": []})).await;
    assert_eq!(status, 422, "{problem}");
    let (status, _, _) = send(
        app.authed(
            Method::PATCH,
            &format!(
                "/v1/articles/{blog}/live/entries/{}",
                entry["id"].as_str().unwrap()
            ),
            &token,
        )
        .header("Content-Type", "application/merge-patch+json")
        .body("{}"),
    )
    .await;
    assert_eq!(status, 428, "no If-Match");
    let (status, _, _) = send(
        app.authed(Method::PUT, &format!("/v1/articles/{blog}/live"), &token)
            .json(&json!({"state": "over"})),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _, problem) = send(
        app.authed(Method::PUT, &format!("/v1/articles/{blog}/live"), &token)
            .json(&json!({"state": "ended", "coverage_start": "2020-06-04T00:00:00Z", "coverage_end": "2020-06-03T00:00:00Z"})),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "/coverage_end");
    let (_, _, after) = read(&app, &blog, "?key_events=10", None).await;
    assert_eq!(before, after, "nothing changed");

    // Reads: each bad parameter named; articles that are no public live blog are missing.
    for (query, field) in [
        ("?after=42", "after"),
        ("?latest=101", "latest"),
        ("?around=not-an-id", "around"),
        ("?around_size=3", "around_size"),
        ("?colour=red", ""),
    ] {
        let (status, _, problem) = read(&app, &blog, query, None).await;
        assert_eq!(status, 400, "{query}: {problem}");
        if !field.is_empty() {
            assert_eq!(problem["errors"][0]["field"], field, "{query}");
        }
    }
    // A slug public in two languages needs `language`, as the article itself does.
    let (_, _, ar) = app.get_json(&format!("/v1/articles/{blog}")).await;
    let slug = ar["slug"].as_str().unwrap().to_owned();
    let (status, _, twin) = send(app.authed(Method::POST, "/v1/articles", &token).json(&json!({
        "language": "en", "slug": slug, "headline": "Live", "body": paragraph("x")
    })))
    .await;
    assert_eq!(status, 201, "{twin}");
    let (status, _, moved) = send(
        app.authed(
            Method::POST,
            &format!("/v1/articles/{}/transitions", twin["id"].as_str().unwrap()),
            &token,
        )
        .header("If-Match", "\"v1\"")
        .json(&json!({"to": "published"})),
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    let key = crate::helpers::segment(&slug);
    let (status, _, problem) = read(&app, &key, "", None).await;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "language");
    let (status, _, _) = read(&app, &key, "?language=ar", None).await;
    assert_eq!(status, 200);
    let (plain, _) = published_article(&app, &token, "خبر عادي").await;
    let (status, _, _) = read(&app, &plain, "", None).await;
    assert_eq!(status, 404);
    let (status, body) = post(&app, &token, &plain, json!({"body": paragraph("x")})).await;
    assert_eq!(status, 409, "{body}");
    let (status, _, _) = send(
        app.client
            .get(app.url(&format!("/v1/articles/{plain}/live/stream"))),
    )
    .await;
    assert_eq!(status, 404);

    // Writers change their own entries only; a draft's blog is not public.
    let writer = app.token("writer").await;
    let (status, problem) = patch(&app, &writer, &blog, &entry, json!({"title": "x"})).await;
    assert!(status == 403 || status == 404, "{status} {problem}");
    let (status, _, draft) = send(
        app.authed(Method::POST, "/v1/articles", &token)
            .json(&json!({"language": "ar", "headline": "مسودة", "body": paragraph("x")})),
    )
    .await;
    assert_eq!(status, 201);
    let draft = draft["id"].as_str().unwrap();
    let (status, _, _) = send(
        app.authed(Method::PUT, &format!("/v1/articles/{draft}/live"), &token)
            .json(&json!({"state": "live"})),
    )
    .await;
    assert_eq!(status, 200);
    posted(&app, &token, draft, json!({"body": paragraph("قبل النشر")})).await;
    let (status, _, _) = read(&app, draft, "", None).await;
    assert_eq!(status, 404, "a draft's live blog is not public");

    // A double Ctrl+Enter with the composer's key posts once.
    let twice = json!({"body": paragraph("مرة واحدة")});
    let mut answers = Vec::new();
    for _ in 0..2 {
        let request = app
            .authed(Method::POST, &format!("/v1/articles/{blog}/live/entries"), &token)
            .header("Idempotency-Key", "composer-1")
            .json(&twice);
        answers.push(send(request).await);
    }
    assert_eq!(answers[0].2["id"], answers[1].2["id"]);
    assert_eq!(answers[1].1["idempotent-replayed"], "true");
    let (_, _, page) = read(&app, &blog, "", None).await;
    assert_eq!(page["blog"]["entries"], 2);
}

type Events = std::pin::Pin<Box<dyn Stream<Item = Event> + Send>>;

async fn open(app: &TestApp, blog: &str, query: &str, last_id: Option<&str>) -> Events {
    let mut request = app
        .client
        .get(app.url(&format!("/v1/articles/{blog}/live/stream{query}")));
    for (name, value) in BROWSER_STREAM {
        request = request.header(*name, *value);
    }
    if let Some(id) = last_id {
        request = request.header("Last-Event-ID", id);
    }
    let response = request.send().await.expect("stream opened");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let bytes = futures_util::stream::unfold(response, |mut response| async move {
        match response.chunk().await {
            Ok(Some(chunk)) => Some((Ok::<_, std::io::Error>(chunk), response)),
            _ => None,
        }
    });
    Box::pin(
        bytes
            .eventsource()
            .filter_map(|event| async move { event.ok().filter(|e| !e.data.is_empty()) }),
    )
}

/// What a reader's page shows: entry id → title, built from events or polls.
#[derive(Default, Debug, PartialEq)]
struct Page(BTreeMap<String, Value>);

impl Page {
    fn apply_event(&mut self, event: &Event) {
        let data: Value = serde_json::from_str(&event.data).unwrap();
        assert_eq!(event.id, data["cursor"]);
        assert_eq!(event.event, data["kind"]);
        match data["kind"].as_str().unwrap() {
            "entry_deleted" => {
                self.0.remove(data["entry_id"].as_str().unwrap());
            }
            "state_changed" => {}
            _ => {
                if let Some(entry) = data["entry"].as_object() {
                    self.0
                        .insert(entry["id"].as_str().unwrap().to_owned(), entry["title"].clone());
                }
            }
        }
    }
}

/// Several editors post, edit and delete at once while one reader polls with cursors and
/// another follows the stream, dropping it and reconnecting with `Last-Event-ID`: both end
/// with exactly what the blog shows, and no event reaches the stream twice.
async fn readers_miss_nothing_and_see_nothing_twice(backend: Backend) {
    let app = std::sync::Arc::new(TestApp::spawn(backend).await);
    let token = app.token("editor").await;
    let blog = live_blog(&app, &token, "تغطية متزامنة").await;
    let (_, _, start) = read(&app, &blog, "", None).await;
    let cursor = start["cursor"].as_str().unwrap().to_owned();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));

    let mut writers = Vec::new();
    for writer in 0..3 {
        let (app, token, blog) = (std::sync::Arc::clone(&app), token.clone(), blog.clone());
        writers.push(tokio::spawn(async move {
            for n in 0..12 {
                let entry = posted(
                    &app,
                    &token,
                    &blog,
                    json!({"title": format!("{writer}-{n}"), "body": paragraph("نص"), "pinned": n % 4 == 0}),
                )
                .await;
                match n % 3 {
                    1 => {
                        let (status, _) = patch(
                            &app,
                            &token,
                            &blog,
                            &entry,
                            json!({"title": format!("{writer}-{n}-edited")}),
                        )
                        .await;
                        assert_eq!(status, 200);
                    }
                    2 => {
                        let (status, _, _) = send(
                            app.authed(
                                Method::DELETE,
                                &format!(
                                    "/v1/articles/{blog}/live/entries/{}",
                                    entry["id"].as_str().unwrap()
                                ),
                                &token,
                            )
                            .header("If-Match", "\"v1\""),
                        )
                        .await;
                        assert_eq!(status, 204);
                    }
                    _ => {}
                }
            }
        }));
    }

    let poller = {
        let (app, blog, stop, mut cursor) = (
            std::sync::Arc::clone(&app),
            blog.clone(),
            stop.clone(),
            cursor.clone(),
        );
        tokio::spawn(async move {
            let mut page = Page::default();
            loop {
                let done = stop.load(std::sync::atomic::Ordering::SeqCst);
                let (status, _, poll) = read(&app, &blog, &format!("?after={cursor}"), None).await;
                assert_eq!(status, 200, "{poll}");
                for entry in poll["changes"]["entries"].as_array().unwrap() {
                    page.0
                        .insert(entry["id"].as_str().unwrap().to_owned(), entry["title"].clone());
                }
                for gone in poll["changes"]["deleted"].as_array().unwrap() {
                    page.0.remove(gone.as_str().unwrap());
                }
                cursor = poll["cursor"].as_str().unwrap().to_owned();
                if done && !poll["changes"]["more"].as_bool().unwrap() {
                    return page;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };

    let streamer = {
        let (app, blog, stop) = (std::sync::Arc::clone(&app), blog.clone(), stop.clone());
        tokio::spawn(async move {
            let mut page = Page::default();
            let mut seen = HashSet::new();
            let mut last: Option<String> = None;
            let mut received = 0usize;
            loop {
                let mut events = open(&app, &blog, &format!("?after={cursor}"), last.as_deref()).await;
                // Drop the connection after a few events, as a phone changing networks does.
                let mut this_connection = 0;
                loop {
                    let next = tokio::time::timeout(Duration::from_millis(1500), events.next()).await;
                    let Ok(Some(event)) = next else { break };
                    assert!(seen.insert(event.id.clone()), "event {} twice", event.id);
                    page.apply_event(&event);
                    last = Some(event.id.clone());
                    received += 1;
                    this_connection += 1;
                    if this_connection == 7 {
                        break;
                    }
                }
                if stop.load(std::sync::atomic::Ordering::SeqCst) && this_connection < 7 {
                    return (page, received);
                }
            }
        })
    };

    for writer in writers {
        writer.await.unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let polled = poller.await.unwrap();
    let (streamed, received) = streamer.await.unwrap();

    let (_, _, truth) = read(&app, &blog, "?latest=100", None).await;
    let expected = Page(
        truth["latest"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["id"].as_str().unwrap().to_owned(), e["title"].clone()))
            .collect(),
    );
    assert_eq!(expected.0.len(), 24, "36 posted, 12 deleted");
    assert!(
        expected
            .0
            .values()
            .filter(|t| t.as_str().unwrap().ends_with("-edited"))
            .count()
            == 12
    );
    assert_eq!(polled, expected, "the poller's page");
    assert_eq!(streamed, expected, "the stream's page ({received} events)");
}

/// A new user's first look: the demo's live blog (ended), its slices, its JSON-LD, and its
/// entries as RSS and Atom read by a feed parser.
async fn the_demo_has_a_live_blog_with_feeds(backend: Backend) {
    let db = TestDb::create(backend);
    let mut settings = settings(db.url.clone());
    settings.demo_live_blog = true;
    let app = TestApp::spawn_owning(db, settings).await;
    let slug = khabar::seed::demo_live_blog_slug();
    let key = crate::helpers::segment(&slug);
    let (status, _, page) = read(&app, &key, "?key_events=10", None).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["blog"]["state"], "ended");
    assert_eq!(page["blog"]["entries"], 8);
    assert_eq!(page["blog"]["coverage_start"], "2020-06-03T08:00:00Z");
    assert_eq!(page["key_events"].as_array().unwrap().len(), 4);
    assert_eq!(page["summary"]["title"], "الخلاصة");
    assert!(page["pinned"]["title"]
        .as_str()
        .unwrap()
        .contains("طرابلس الكبرى"));
    let afp = page["latest"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["bylines"][0]["contributor"]["slug"] == "afp")
        .count();
    assert_eq!(afp, 6, "the agency entries credit AFP");
    let (_, _, article) = app.get_json(&format!("/v1/articles/{key}")).await;
    assert_eq!(
        article["seo"]["json_ld"]["@type"],
        json!(["NewsArticle", "LiveBlogPosting"])
    );
    assert_eq!(
        article["updated_at"], "2020-06-06T20:30:00Z",
        "the article's time is its blog's last change"
    );

    for (path, content_type) in [
        ("rss.xml", "application/rss+xml"),
        ("atom.xml", "application/atom+xml"),
    ] {
        let response = app
            .client
            .get(app.url(&format!("/v1/articles/{key}/live/{path}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with(content_type));
        let body = response.text().await.unwrap();
        let feed = feed_rs::parser::parse(body.as_bytes()).expect("a feed parser reads it");
        assert_eq!(feed.entries.len(), 8, "{path}");
        let newest = &feed.entries[0];
        assert_eq!(newest.title.as_ref().unwrap().content, "الخلاصة", "{path}");
        assert!(newest.links[0].href.contains("#entry-"), "{path}");
        let untitled = feed
            .entries
            .iter()
            .find(|e| e.title.as_ref().unwrap().content.starts_with("نتابع"))
            .expect("an untitled entry gets its first words");
        assert!(untitled.title.as_ref().unwrap().content.ends_with('…'), "{path}");
    }
    // Each entry as an IPTC ninjs 2.2 item, valid against IPTC's schema, tied to its blog.
    let (status, _, items) = app.get_json(&format!("/v1/articles/{key}/live/ninjs")).await;
    assert_eq!(status, 200);
    let validator = crate::feeds::ninjs_validator();
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 8);
    for item in items {
        crate::feeds::assert_valid_ninjs(&validator, item);
        assert_eq!(item["associations"][0]["name"], "liveblog");
        assert_eq!(
            item["associations"][0]["uri"],
            json!(format!("urn:uuid:{}", article["id"].as_str().unwrap()))
        );
    }
    assert_eq!(
        items
            .iter()
            .filter(|i| i["infosources"][0]["literal"] == "afp")
            .count(),
        6
    );
}

/// An editor flags a story as breaking: the article, its list card and the feeds say so, and
/// the change feed has it; bad times and writers are refused; the flag comes off.
async fn breaking_news_reaches_the_article_lists_feeds_and_changes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.token("editor").await;
    let (id, _) = published_article(&app, &token, "عاجل: انفجار في الميناء").await;
    let (_, _, changes) = app.get_json("/v1/changes?limit=1000").await;
    let end = changes["next"].as_str().unwrap().to_owned();
    let until =
        (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let path = format!("/v1/articles/{id}/breaking");
    let writer = app.token("writer").await;
    for (who, body, status, field) in [
        (
            &token,
            json!({"until": "2020-06-04T00:00:00Z"}),
            422,
            Some("/until"),
        ),
        (
            &token,
            json!({"until": (chrono::Utc::now() + chrono::Duration::hours(100)).to_rfc3339()}),
            422,
            Some("/until"),
        ),
        (
            &token,
            json!({"until": until, "colour": "red"}),
            422,
            Some("/colour"),
        ),
        (&token, json!({"until": "tomorrow"}), 422, Some("/until")),
        (&writer, json!({"until": until}), 403, None),
    ] {
        let (got, _, problem) = send(app.authed(Method::PUT, &path, who).json(&body)).await;
        assert_eq!(got, status, "{body}: {problem}");
        if let Some(field) = field {
            assert_eq!(problem["errors"][0]["field"], field, "{body}");
        }
    }
    let (_, _, article) = app.get_json(&format!("/v1/articles/{id}")).await;
    assert!(article.get("breaking_until").is_none(), "nothing changed");

    let (status, _, answer) = send(
        app.authed(Method::PUT, &path, &token)
            .json(&json!({"until": until})),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let (_, _, article) = app.get_json(&format!("/v1/articles/{id}")).await;
    assert_eq!(article["breaking_until"], json!(until));
    let (_, _, list) = app.get_json("/v1/articles?language=ar&limit=5").await;
    let card = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == json!(id))
        .unwrap()
        .clone();
    assert_eq!(card["breaking_until"], json!(until), "{card}");
    let rss = app
        .client
        .get(app.url("/feeds/ar/rss.xml"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let feed = feed_rs::parser::parse(rss.as_bytes()).unwrap();
    let item = feed
        .entries
        .iter()
        .find(|e| e.id == format!("urn:uuid:{id}"))
        .expect("the item");
    assert!(
        item.categories.iter().any(|c| c.term == "breaking"),
        "{:?}",
        item.categories
    );
    let (_, _, changes) = app.get_json(&format!("/v1/changes?after={end}")).await;
    let kinds: Vec<(Value, Value)> = changes["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["article"]["id"].clone(), e["kind"].clone()))
        .collect();
    assert_eq!(kinds, vec![(json!(id), json!("updated"))]);

    let (status, _, _) = send(app.authed(Method::DELETE, &path, &token)).await;
    assert_eq!(status, 204);
    let (_, _, article) = app.get_json(&format!("/v1/articles/{id}")).await;
    assert!(
        article.get("breaking_until").is_none(),
        "{}",
        article["breaking_until"]
    );
}

on_both_backends!(
    breaking_news_reaches_the_article_lists_feeds_and_changes,
    the_demo_has_a_live_blog_with_feeds,
    a_live_page_reads_and_polls,
    bad_input_is_refused_and_changes_nothing,
    readers_miss_nothing_and_see_nothing_twice,
);
