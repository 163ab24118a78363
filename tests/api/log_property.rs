//! The change log under many interleavings (issue 29): writers of articles, topics and
//! contributors and the scheduler work at once, in an order drawn from a seed, while one reader
//! polls the feed by cursor and another follows the stream, disconnecting and resuming with
//! `Last-Event-ID` every few events. For every seed: each reader sees every change exactly
//! once, in the same order, with no gap (a read from the start afterwards gives the same
//! entries), and replaying the whole log gives the public set the database holds.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{send, Backend, TestApp};
use crate::on_both_backends;

/// A small deterministic generator: the same seed, the same choices.
struct Draw(u64);

impl Draw {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }

    async fn pause(&mut self) {
        tokio::time::sleep(Duration::from_millis(self.next(6))).await;
    }
}

/// Reads the feed after `after` to its end: (cursor, article id, kind) each.
async fn read_feed(
    app: &TestApp,
    mut after: Option<String>,
) -> (Vec<(String, String, String)>, Option<String>) {
    let mut entries = Vec::new();
    loop {
        let path = match &after {
            Some(cursor) => format!("/v1/changes?limit=9&after={cursor}"),
            None => "/v1/changes?limit=9".to_owned(),
        };
        let (status, _, page) = app.get_json(&path).await;
        assert_eq!(status, 200, "{page}");
        for entry in page["data"].as_array().unwrap() {
            entries.push(triple(entry));
        }
        after = Some(page["next"].as_str().unwrap().to_owned());
        if page["more"] != true {
            return (entries, after);
        }
    }
}

fn triple(entry: &Value) -> (String, String, String) {
    (
        entry["cursor"].as_str().unwrap().to_owned(),
        entry["article"]["id"].as_str().unwrap().to_owned(),
        entry["kind"].as_str().unwrap().to_owned(),
    )
}

async fn write(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    version: Option<i64>,
    body: Value,
) -> Value {
    let mut request = app.authed(method.clone(), path, token);
    if let Some(version) = version {
        request = request.header("If-Match", format!("\"v{version}\""));
    }
    let request = if method == Method::PATCH {
        request
            .header("Content-Type", "application/merge-patch+json")
            .body(body.to_string())
    } else {
        request.json(&body)
    };
    let (status, _, answer) = send(request).await;
    assert!((200..300).contains(&status), "{method} {path}: {status} {answer}");
    answer
}

/// Creates, publishes, edits, unpublishes, republishes and deletes articles in a drawn order.
async fn article_writer(app: &TestApp, token: &str, seed: u64) {
    let mut draw = Draw(seed);
    let mut live: Vec<(String, i64, bool)> = Vec::new();
    for n in 0..12 {
        draw.pause().await;
        let choice = if live.is_empty() { 0 } else { draw.next(5) };
        match choice {
            0 | 1 => {
                let created = write(
                    app,
                    token,
                    Method::POST,
                    "/v1/articles",
                    None,
                    json!({
                        "language": if n % 3 == 0 { "en" } else { "ar" },
                        "headline": format!("خبر {seed}-{n}"), "body": [{"type": "paragraph", "html": "نص"}]
                    }),
                )
                .await;
                let id = created["id"].as_str().unwrap().to_owned();
                let moved = write(
                    app,
                    token,
                    Method::POST,
                    &format!("/v1/articles/{id}/transitions"),
                    Some(1),
                    json!({"to": "published"}),
                )
                .await;
                live.push((id, moved["version"].as_i64().unwrap(), true));
            }
            2 => {
                let at = draw.next(live.len() as u64) as usize;
                let (id, version, _) = live[at].clone();
                let edited = write(
                    app,
                    token,
                    Method::PATCH,
                    &format!("/v1/articles/{id}"),
                    Some(version),
                    json!({"headline": format!("خبر محدث {seed}-{n}")}),
                )
                .await;
                live[at].1 = edited["version"].as_i64().unwrap();
            }
            3 => {
                let at = draw.next(live.len() as u64) as usize;
                let (id, version, public) = live[at].clone();
                let to = if public { "unpublished" } else { "published" };
                let moved = write(
                    app,
                    token,
                    Method::POST,
                    &format!("/v1/articles/{id}/transitions"),
                    Some(version),
                    json!({"to": to}),
                )
                .await;
                live[at] = (id, moved["version"].as_i64().unwrap(), !public);
            }
            _ => {
                let at = draw.next(live.len() as u64) as usize;
                let (id, version, _) = live.remove(at);
                write(
                    app,
                    token,
                    Method::DELETE,
                    &format!("/v1/articles/{id}"),
                    Some(version),
                    json!({}),
                )
                .await;
            }
        }
    }
}

/// Creates and renames topics and contributors (catalog entries, and recompiles).
async fn catalog_writer(app: &TestApp, token: &str, seed: u64) {
    let mut draw = Draw(seed ^ 0x9e37_79b9);
    for n in 0..6 {
        draw.pause().await;
        let slug = format!("t-{seed}-{n}");
        write(
            app,
            token,
            Method::POST,
            "/v1/topics",
            None,
            json!({"slug": slug, "kind": "tag", "name": format!("موضوع {n}")}),
        )
        .await;
        write(
            app,
            token,
            Method::PATCH,
            &format!("/v1/topics/{slug}"),
            None,
            json!({"name": format!("موضوع معدل {n}")}),
        )
        .await;
        let slug = format!("c-{seed}-{n}");
        write(
            app,
            token,
            Method::POST,
            "/v1/contributors",
            None,
            json!({"slug": slug, "kind": "person", "name": format!("كاتب {n}")}),
        )
        .await;
    }
    // The demo's topic and agency, which the demo article shows: it is recompiled each time.
    write(
        app,
        token,
        Method::PATCH,
        "/v1/topics/libya",
        None,
        json!({"name": format!("ليبيا {seed}")}),
    )
    .await;
}

/// Schedules articles for a moment just ahead: the worker publishes them.
async fn scheduling_writer(app: &TestApp, token: &str, seed: u64) -> Vec<String> {
    let mut draw = Draw(seed ^ 0x85eb_ca6b);
    let mut ids = Vec::new();
    for n in 0..4 {
        draw.pause().await;
        let created = write(app, token, Method::POST, "/v1/articles", None, json!({
            "language": "ar", "headline": format!("مجدول {seed}-{n}"), "body": [{"type": "paragraph", "html": "نص"}]
        }))
        .await;
        let id = created["id"].as_str().unwrap().to_owned();
        let at = chrono::Utc::now() + chrono::Duration::milliseconds(300 + draw.next(400) as i64);
        write(
            app,
            token,
            Method::POST,
            &format!("/v1/articles/{id}/transitions"),
            Some(1),
            json!({"to": "scheduled", "scheduled_at": at}),
        )
        .await;
        ids.push(id);
    }
    ids
}

/// Follows the stream from `after`, reconnecting with `Last-Event-ID` after every `every`
/// events, until `stop` is set and `want` events were read (or a deadline).
async fn stream_reader(
    app: &TestApp,
    after: String,
    every: usize,
    stop: &AtomicBool,
    want: &std::sync::Mutex<Option<usize>>,
) -> Vec<(String, String, String)> {
    let mut seen: Vec<(String, String, String)> = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let last = seen.last().map_or(after.clone(), |(cursor, _, _)| cursor.clone());
        let response = app
            .client
            .get(app.url("/v1/changes/stream"))
            .header("Accept", "text/event-stream")
            .header("Last-Event-ID", last)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let bytes = futures_util::stream::unfold(response, |mut r| async move {
            match r.chunk().await {
                Ok(Some(c)) => Some((Ok::<_, std::io::Error>(c), r)),
                _ => None,
            }
        });
        let mut events = Box::pin(bytes.eventsource());
        let mut this_connection = 0;
        while this_connection < every {
            let done = stop.load(Ordering::SeqCst) && want.lock().unwrap().is_some_and(|n| seen.len() >= n);
            if done {
                return seen;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the stream reader is stuck at {}",
                seen.len()
            );
            let Ok(Some(Ok(event))) = tokio::time::timeout(Duration::from_millis(200), events.next()).await
            else {
                continue;
            };
            if event.data.is_empty() {
                continue;
            }
            seen.push(triple(&serde_json::from_str(&event.data).unwrap()));
            this_connection += 1;
        }
    }
}

async fn every_reader_sees_every_change_once_under_any_interleaving(backend: Backend) {
    for seed in [7_u64, 1_234_567, 987_654_321] {
        let app = TestApp::spawn(backend).await;
        let editor = app.token("editor").await;
        let admin = app.token("admin").await;
        let (_, start) = read_feed(&app, None).await;
        let start = start.unwrap();
        let stop = AtomicBool::new(false);
        let want = std::sync::Mutex::new(None);
        let polling = async {
            let mut seen = Vec::new();
            let mut cursor = Some(start.clone());
            loop {
                let finished = stop.load(Ordering::SeqCst);
                let (entries, next) = read_feed(&app, cursor).await;
                seen.extend(entries);
                cursor = next;
                if finished {
                    return seen;
                }
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        };
        let streaming = stream_reader(&app, start.clone(), 4, &stop, &want);
        let writing = async {
            let (_, _, scheduled) = tokio::join!(
                article_writer(&app, &editor, seed),
                catalog_writer(&app, &admin, seed),
                scheduling_writer(&app, &editor, seed),
            );
            // Until the worker has published every scheduled article.
            for id in &scheduled {
                let deadline = std::time::Instant::now() + Duration::from_secs(10);
                while app.get(&format!("/v1/articles/{id}")).await.status() != 200 {
                    assert!(std::time::Instant::now() < deadline, "{id} was never published");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
            let (all, _) = read_feed(&app, Some(start.clone())).await;
            *want.lock().unwrap() = Some(all.len());
            stop.store(true, Ordering::SeqCst);
        };
        let (polled, streamed, ()) = tokio::join!(polling, streaming, writing);

        let (again, _) = read_feed(&app, Some(start.clone())).await;
        let cursors: BTreeSet<&String> = polled.iter().map(|(c, _, _)| c).collect();
        assert_eq!(
            cursors.len(),
            polled.len(),
            "seed {seed}: an entry was read twice"
        );
        assert_eq!(
            polled, again,
            "seed {seed}: the polling reader missed or reordered an entry"
        );
        assert_eq!(
            streamed, again,
            "seed {seed}: the stream reader missed or repeated an entry"
        );

        // Replaying the whole log gives the public set the database holds.
        let (everything, _) = read_feed(&app, None).await;
        let mut last: BTreeMap<String, String> = BTreeMap::new();
        for (_, id, kind) in everything {
            last.insert(id, kind);
        }
        let replayed: BTreeSet<String> = last
            .into_iter()
            .filter(|(_, kind)| kind == "published" || kind == "updated")
            .map(|(id, _)| id)
            .collect();
        let stored: BTreeSet<String> = {
            use diesel::prelude::*;
            use khabar::db::schema::article_deliveries;
            article_deliveries::table
                .filter(article_deliveries::visible_from.le(khabar::db::utc_now()))
                .select(article_deliveries::public_id)
                .load::<String>(&mut app.conn())
                .unwrap()
                .into_iter()
                .collect()
        };
        assert_eq!(
            replayed, stored,
            "seed {seed}: replaying the log disagrees with the database"
        );
        let kinds: Vec<&str> = again.iter().map(|(_, _, kind)| kind.as_str()).collect();
        eprintln!(
            "seed {seed}: {} changes read once each by both readers: {kinds:?}",
            again.len()
        );
    }
}

on_both_backends!(every_reader_sees_every_change_once_under_any_interleaving);
