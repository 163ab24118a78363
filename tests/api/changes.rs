//! The change log and the public change feed (issue 29, first step): every change to what the
//! public sees is read once, in commit order, by a reader that follows cursors while writers
//! publish, edit, unpublish and delete at once; and on PostgreSQL no writer can commit a log
//! entry ahead of another's smaller number.

use std::collections::{HashMap, HashSet};

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{published_article, send, Backend, TestApp};
use crate::on_both_backends;

/// Reads the feed from `after` to its end; the entries and the cursor to continue from.
async fn read_all(app: &TestApp, mut after: Option<String>) -> (Vec<Value>, Option<String>) {
    let mut entries = Vec::new();
    loop {
        let path = match &after {
            Some(cursor) => format!("/v1/changes?limit=7&after={cursor}"),
            None => "/v1/changes?limit=7".to_owned(),
        };
        let (status, _, page) = app.get_json(&path).await;
        assert_eq!(status, 200, "{page}");
        let data = page["data"].as_array().unwrap().clone();
        let next = page["next"].as_str().unwrap().to_owned();
        entries.extend(data);
        let more = page["more"].as_bool().unwrap();
        after = Some(next);
        if !more {
            return (entries, after);
        }
    }
}

async fn edit(app: &TestApp, token: &str, id: &str, version: i64, headline: &str) -> i64 {
    let (status, _, edited) = send(
        app.authed(Method::PATCH, &format!("/v1/articles/{id}"), token)
            .header("If-Match", format!("\"v{version}\""))
            .header("Content-Type", "application/merge-patch+json")
            .body(json!({"headline": headline}).to_string()),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    edited["version"].as_i64().unwrap()
}

/// What each writer does to its articles: publish, edit twice, then unpublish every third,
/// delete every third, keep the rest. The expected kinds per article follow.
async fn writer(app: &TestApp, token: &str, name: usize, count: usize) -> Vec<(String, Vec<&'static str>)> {
    let mut expected = Vec::new();
    for n in 0..count {
        let (id, version) = published_article(app, token, &format!("كاتب {name} خبر {n}")).await;
        let version = edit(app, token, &id, version, &format!("كاتب {name} خبر {n} محدث")).await;
        let version = edit(
            app,
            token,
            &id,
            version,
            &format!("كاتب {name} خبر {n} محدث ثانية"),
        )
        .await;
        let mut kinds = vec!["published", "updated", "updated"];
        match n % 3 {
            0 => {
                let (status, _, moved) = send(
                    app.authed(Method::POST, &format!("/v1/articles/{id}/transitions"), token)
                        .header("If-Match", format!("\"v{version}\""))
                        .json(&json!({"to": "unpublished"})),
                )
                .await;
                assert_eq!(status, 200, "{moved}");
                kinds.push("withdrawn");
            }
            1 => {
                let (status, _, _) = send(
                    app.authed(Method::DELETE, &format!("/v1/articles/{id}"), token)
                        .header("If-Match", format!("\"v{version}\"")),
                )
                .await;
                assert_eq!(status, 204);
                kinds.push("deleted");
            }
            _ => {}
        }
        expected.push((id, kinds));
    }
    expected
}

/// Three writers and a reader polling by cursor at once: the reader sees every change once,
/// in order, and for each article exactly what happened to it; a second reader from the start
/// sees the same log.
async fn every_change_is_read_once_in_order(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.token("editor").await;
    let (before, start) = read_all(&app, None).await;
    let known: HashSet<String> = before
        .iter()
        .map(|e| e["article"]["id"].as_str().unwrap().to_owned())
        .collect();

    let done = std::sync::atomic::AtomicBool::new(false);
    let reading = async {
        let mut seen = Vec::new();
        let mut cursor = start.clone();
        loop {
            let finished = done.load(std::sync::atomic::Ordering::SeqCst);
            let (entries, next) = read_all(&app, cursor).await;
            seen.extend(entries);
            cursor = next;
            if finished {
                return seen;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    };
    let writing = async {
        let results = futures_util::future::join_all((0..3).map(|w| writer(&app, &token, w, 6))).await;
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        results.into_iter().flatten().collect::<Vec<_>>()
    };
    let (seen, expected) = tokio::join!(reading, writing);

    let cursors: Vec<&str> = seen.iter().map(|e| e["cursor"].as_str().unwrap()).collect();
    let distinct: HashSet<&&str> = cursors.iter().collect();
    assert_eq!(distinct.len(), cursors.len(), "an entry was read twice");
    let mut by_article: HashMap<String, Vec<String>> = HashMap::new();
    for entry in &seen {
        let id = entry["article"]["id"].as_str().unwrap().to_owned();
        assert!(!known.contains(&id), "an old article changed");
        by_article
            .entry(id)
            .or_default()
            .push(entry["kind"].as_str().unwrap().to_owned());
    }
    assert_eq!(by_article.len(), expected.len());
    for (id, kinds) in &expected {
        assert_eq!(
            by_article.get(id).map(Vec::as_slice).unwrap_or_default(),
            kinds.as_slice(),
            "{id}"
        );
    }
    // The order read is the log's order, and a reader from the start reads the same.
    let (again, _) = read_all(&app, start).await;
    assert_eq!(again, seen);
    let (everything, _) = read_all(&app, None).await;
    assert_eq!(everything.len(), before.len() + seen.len());
}

/// A cursor that is not one is refused, naming the parameter; a limit out of range too.
async fn bad_cursors_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for path in [
        "/v1/changes?after=42",
        "/v1/changes?after=not-a-cursor",
        "/v1/changes?limit=0",
        "/v1/changes?limit=5000",
    ] {
        let (status, _, problem) = app.get_json(path).await;
        assert_eq!(status, 400, "{path}: {problem}");
        let field = problem["errors"][0]["field"].as_str().unwrap_or_default();
        assert!(path.contains(&format!("{field}=")), "{path}: {problem}");
    }
    // A cursor past the end is a place to wait at, not an error.
    let (status, _, page) = app
        .get_json(&format!(
            "/v1/changes?after={}",
            khabar::domain::changes::cursor(1_000_000)
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(page["data"], json!([]));
    assert_eq!(page["next"], khabar::domain::changes::cursor(1_000_000));
}

on_both_backends!(every_change_is_read_once_in_order, bad_cursors_are_refused);

/// On PostgreSQL a writer holds the append lock from its entry to its commit: a second writer
/// cannot take a number until the first's row is committed, so numbers are committed in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_appends_are_committed_in_number_order() {
    if !crate::helpers::postgres_available() {
        return;
    }
    use diesel::connection::SimpleConnection;
    use khabar::db::queries::change_log::{append, NewEntry};
    let db = crate::helpers::TestDb::create(Backend::Postgres);
    let pool = db.migrated_pool();
    let origin = khabar::domain::changes::Origin::system("test");
    let entry = |id: &'static str| NewEntry {
        item: "",
        kind: khabar::domain::changes::LogKind::Article(khabar::domain::changes::ChangeKind::Published),
        origin: &origin,
        public_id: id,
        language: "ar",
        slug: id,
    };
    let mut first = pool.get().unwrap();
    let mut second = pool.get().unwrap();
    pg(&mut first).batch_execute("BEGIN").unwrap();
    append(&mut first, &entry("a")).unwrap();
    // While the first is open, the second cannot append.
    fn pg(conn: &mut khabar::db::DbConnection) -> &mut diesel::PgConnection {
        match conn {
            khabar::db::DbConnection::Pg(pg) => pg,
            _ => panic!("not PostgreSQL"),
        }
    }
    pg(&mut second)
        .batch_execute("BEGIN; SET LOCAL lock_timeout = '300ms'")
        .unwrap();
    let blocked = append(&mut second, &entry("b"));
    assert!(
        blocked.is_err(),
        "a second writer appended while the first was open"
    );
    pg(&mut second).batch_execute("ROLLBACK").unwrap();
    pg(&mut first).batch_execute("COMMIT").unwrap();
    pg(&mut second).batch_execute("BEGIN").unwrap();
    append(&mut second, &entry("c")).unwrap();
    pg(&mut second).batch_execute("COMMIT").unwrap();
    let log = khabar::db::queries::change_log::after(&mut first, 0, 10).unwrap();
    let ids: Vec<&str> = log.iter().map(|e| e.public_id.as_str()).collect();
    assert_eq!(ids, ["a", "c"]);
    assert!(log[0].seq < log[1].seq);
}
