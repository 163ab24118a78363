//! Incremental sync: `updated_since` returns every change, oldest first, tombstones included
//! (a view of the change log).

use diesel::prelude::*;
use khabar::db::schema::articles;
use serde_json::Value;

use crate::helpers::{send, Backend, TestApp};

async fn all_changes(app: &TestApp, since: &str, limit: usize) -> Vec<Value> {
    let mut entries = Vec::new();
    let mut path = format!("/v1/articles?updated_since={since}&limit={limit}");
    for _ in 0..50 {
        let (status, _, page) = app.get_json(&path).await;
        assert_eq!(status, 200, "{path}: {page}");
        entries.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!("/v1/articles?updated_since={since}&limit={limit}&cursor={cursor}")
            }
            None => return entries,
        }
    }
    panic!("sync did not end");
}

fn slugify(text: &str) -> String {
    khabar::domain::slug::slugify(text)
}

async fn updated_since_reports_changes_and_tombstones(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let everything = all_changes(&app, "2000-01-01T00:00:00Z", 2).await;
    assert_eq!(everything.len(), 5);
    assert!(everything
        .iter()
        .all(|e| e["change"] == "updated" && e["headline"].is_string()));
    let times: Vec<&str> = everything
        .iter()
        .map(|e| e["changed_at"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "oldest change first");

    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let mark = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let sisi = slugify("هل سينفذ السيسي تهديده بالتدخل المباشر في ليبيا؟");
    let china = slugify("الصين تعتزم منع بيع الدواجن حيّة أو ذبحها في الأسواق التجارية");
    let ras = slugify(
        "ميليشيات مسلحة وصراع للسيطرة على منفذ \"رأس جدير\".. ماذا يحدث على الحدود التونسية الليبية؟",
    );
    let conn = &mut app.conn();
    diesel::update(articles::table.filter(articles::slug.eq(&sisi)))
        .set(articles::status.eq("unpublished"))
        .execute(conn)
        .unwrap();
    diesel::update(articles::table.filter(articles::slug.eq(&china)))
        .set(articles::headline.eq("عنوان آخر"))
        .execute(conn)
        .unwrap();
    let future = khabar::db::utc_now() + chrono::Duration::days(1);
    diesel::update(articles::table.filter(articles::slug.eq(&ras)))
        .set(articles::embargo_until.eq(Some(future)))
        .execute(conn)
        .unwrap();
    app.republish();

    let since_mark = all_changes(&app, &mark.replace('+', "%2B"), 1).await;
    let summary: Vec<(String, String)> = since_mark
        .iter()
        .map(|e| {
            (
                e["change"].as_str().unwrap().to_owned(),
                e["slug"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // The demo article changed too: its related list lost two articles and renamed one.
    assert_eq!(summary.len(), 4, "only what changed, once: {summary:?}");
    assert!(summary.contains(&("updated".into(), khabar::seed::demo_article_slug())));
    assert!(summary.contains(&("unpublished".into(), sisi.clone())));
    assert!(
        summary.contains(&("unpublished".into(), ras.clone())),
        "an embargo on a public article is a removal"
    );
    assert!(summary.contains(&("updated".into(), china.clone())));
    let china_entry = since_mark.iter().find(|e| e["slug"] == china.as_str()).unwrap();
    assert_eq!(china_entry["headline"], "عنوان آخر");
    let tombstone = since_mark.iter().find(|e| e["slug"] == sisi.as_str()).unwrap();
    assert_eq!(tombstone["language"], "ar");
    assert!(tombstone["id"].is_string() && tombstone.get("headline").is_none());

    // Republishing with no change reports nothing new.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let later = chrono::Utc::now()
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        .replace('+', "%2B");
    app.republish();
    assert!(all_changes(&app, &later, 10).await.is_empty());
}

/// A reader of one language's changes learns that an article moved to another language (it
/// left), a reader of the new one that it arrived, and a reader of all that it changed, once.
async fn an_article_that_changes_language_leaves_its_old_readers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let mark = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let (id, version) = crate::helpers::published_article(&app, &editor, "خبر يغيّر لغته").await;
    let in_language = |all: &[Value], id: &str| -> Vec<(String, String)> {
        all.iter()
            .filter(|e| e["id"] == id)
            .map(|e| {
                (
                    e["change"].as_str().unwrap().to_owned(),
                    e["language"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let arabic = all_changes(&app, &format!("{mark}&language=ar"), 50).await;
    assert_eq!(
        in_language(&arabic, &id),
        [("updated".to_owned(), "ar".to_owned())]
    );
    let (status, _, moved) = send(
        app.authed(reqwest::Method::PATCH, &format!("/v1/articles/{id}"), &editor)
            .header("If-Match", format!("\"v{version}\""))
            .header("Content-Type", "application/merge-patch+json")
            .body(r#"{"language": "en", "headline": "A story that changed language"}"#),
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    let arabic = all_changes(&app, &format!("{mark}&language=ar"), 50).await;
    assert_eq!(
        in_language(&arabic, &id),
        [("unpublished".to_owned(), "ar".to_owned())],
        "{arabic:?}"
    );
    let english = all_changes(&app, &format!("{mark}&language=en"), 50).await;
    assert_eq!(
        in_language(&english, &id),
        [("updated".to_owned(), "en".to_owned())]
    );
    let every = all_changes(&app, &mark, 50).await;
    assert_eq!(
        in_language(&every, &id),
        [("updated".to_owned(), "en".to_owned())]
    );
}

async fn sync_parameters_are_checked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for (query, field) in [
        ("updated_since=2020-01-01T00:00:00Z&topic=libya", "topic"),
        ("updated_since=2020-01-01T00:00:00Z&sort=oldest", "sort"),
        ("updated_since=2020-01-01T00:00:00Z&include=bylines", "include"),
        ("updated_since=2020-01-01T00:00:00Z&limit=0", "limit"),
    ] {
        let (status, _, problem) = app.get_json(&format!("/v1/articles?{query}")).await;
        assert_eq!(status, 400, "{query}");
        assert_eq!(problem["errors"][0]["field"], field, "{query}: {problem}");
    }
    let (status, _, _) = app.get_json("/v1/articles?updated_since=last-week").await;
    assert_eq!(status, 400);
    let (_, _, page) = app
        .get_json("/v1/articles?updated_since=2020-01-01T00:00:00Z&limit=1")
        .await;
    let cursor = page["next_cursor"].as_str().unwrap();
    let (status, _, problem) = app
        .get_json(&format!(
            "/v1/articles?updated_since=2021-01-01T00:00:00Z&limit=1&cursor={cursor}"
        ))
        .await;
    assert_eq!(status, 400, "a cursor from another sync: {problem}");
    let (status, _, _) = app
        .get_json(&format!("/v1/articles?limit=1&cursor={cursor}"))
        .await;
    assert_eq!(status, 400, "a sync cursor is not a list cursor");
}

/// An archive story created with its past (compiled as of 2015) reached the public now: a
/// client syncing since a moment ago gets it. (Sync reads the log, which says when the public
/// learned of a change, not the time the article carries.)
async fn an_archive_story_added_now_reaches_sync_clients(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.token("admin").await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let mark = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let (status, _, created) = crate::helpers::send(
        app.authed(reqwest::Method::POST, "/v1/articles", &admin)
            .json(&serde_json::json!({
                "language": "ar", "headline": "خبر من أرشيف ٢٠١٥",
                "body": [{"type": "paragraph", "html": "نص قديم"}],
                "history": {"status": "published", "first_published_at": "2015-03-01T08:00:00Z"}
            })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let since_mark = all_changes(&app, &mark.replace('+', "%2B"), 10).await;
    let ids: Vec<&str> = since_mark.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [created["id"].as_str().unwrap()], "{since_mark:?}");
    assert_eq!(since_mark[0]["published_at"], "2015-03-01T08:00:00Z");
}

/// A database from before the change log: the upgrade enters what was public (and what had
/// left) into the log once, quietly, so that sync and the public change feed from the start
/// agree with the database.
async fn the_upgrade_enters_what_was_public_into_the_log(backend: Backend) {
    use diesel_migrations::MigrationHarness;
    use khabar::db::schema::change_log;
    // The tombstones table of those days (dropped since: sync reads the log).
    diesel::table! {
        article_tombstones (id) {
            id -> BigInt,
            public_id -> Text,
            slug -> Text,
            language -> Text,
            reason -> Text,
            removed_at -> Timestamp,
        }
    }
    let app = TestApp::spawn(backend).await;
    {
        let conn = &mut *app.conn();
        // Back to before 000016 (the log's upgrade), 000017 (the tombstones dropped) and 000018
        // (live blogs).
        for _ in 0..3 {
            let reverted = match &mut *conn {
                khabar::db::DbConnection::Sqlite(c) => {
                    c.revert_last_migration(khabar::db::migrate::SQLITE).map(drop)
                }
                khabar::db::DbConnection::Pg(c) => {
                    c.revert_last_migration(khabar::db::migrate::POSTGRES).map(drop)
                }
            };
            reverted.unwrap();
        }
        diesel::delete(change_log::table).execute(conn).unwrap();
        diesel::insert_into(article_tombstones::table)
            .values((
                article_tombstones::public_id.eq("gone-before-the-log"),
                article_tombstones::slug.eq("gone"),
                article_tombstones::language.eq("ar"),
                article_tombstones::reason.eq("deleted"),
                article_tombstones::removed_at.eq(khabar::db::utc_now()),
            ))
            .execute(conn)
            .unwrap();
        khabar::db::migrate::run_pending(conn).unwrap();
        let logged: Vec<(String, Option<String>, bool)> = change_log::table
            .order(change_log::seq)
            .select((change_log::kind, change_log::actor, change_log::quiet))
            .load(conn)
            .unwrap();
        let mut kinds: Vec<&str> = logged.iter().map(|(k, _, _)| k.as_str()).collect();
        kinds.sort();
        assert_eq!(
            kinds,
            [
                "deleted",
                "published",
                "published",
                "published",
                "published",
                "published"
            ]
        );
        assert!(logged
            .iter()
            .all(|(_, actor, quiet)| actor.as_deref() == Some("upgrade") && *quiet));
    }
    let everything = all_changes(&app, "2000-01-01T00:00:00Z", 2).await;
    let mut changes: Vec<&str> = everything.iter().map(|e| e["change"].as_str().unwrap()).collect();
    changes.sort();
    assert_eq!(
        changes,
        ["deleted", "updated", "updated", "updated", "updated", "updated"],
        "{everything:?}"
    );
}

crate::on_both_backends!(
    an_archive_story_added_now_reaches_sync_clients,
    an_article_that_changes_language_leaves_its_old_readers,
    the_upgrade_enters_what_was_public_into_the_log,
    updated_since_reports_changes_and_tombstones,
    sync_parameters_are_checked
);
