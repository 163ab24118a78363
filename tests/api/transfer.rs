//! Data in and out: the export, its import on the other backend (the same export again, and
//! byte-identical public answers), the import's report on bad files, and the JSON Schema.

use reqwest::multipart::Form;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{
    postgres_available, send, settings, Backend, TestApp, TestDb, SITE_URL, TEST_JWT_SECRET,
};
use crate::on_both_backends;
use crate::uploads::{file, jpeg, local};
use khabar::api::article::UrlBuilder;
use khabar::config::{DemoMode, Settings};
use khabar::db::DbPool;
use khabar::transfer::export::{self, ExportOptions};
use khabar::transfer::import::{self, ImportOptions, Target};
use khabar::transfer::report::Report;

/// The whole database as an export (files and password hashes included).
pub fn export_of(pool: &DbPool, settings: &Settings) -> Vec<u8> {
    let mut out = Vec::new();
    export::export(
        &mut pool.get().unwrap(),
        &settings.media.storage,
        &ExportOptions {
            since: None,
            files: true,
            secrets: true,
        },
        &mut out,
    )
    .unwrap();
    out
}

/// Imports `bytes` into the database of `settings`.
pub fn import_into(pool: &DbPool, settings: &Settings, bytes: &[u8], options: ImportOptions) -> Report {
    let links = settings
        .media
        .links(TEST_JWT_SECRET.as_bytes(), settings.public_url.clone());
    let urls = UrlBuilder::new(url::Url::parse(SITE_URL).unwrap());
    import::import(
        &mut pool.get().unwrap(),
        &Target {
            media: &settings.media,
            links: &links,
            urls: &urls,
            origin: &khabar::domain::changes::Origin::system("import"),
        },
        import::json_lines(bytes),
        options,
        &|_| {},
    )
    .unwrap()
}

/// The other backend, where there is one to go to.
fn other(backend: Backend) -> Backend {
    match backend {
        Backend::Sqlite if postgres_available() => Backend::Postgres,
        Backend::Sqlite => Backend::Sqlite,
        Backend::Postgres => Backend::Sqlite,
    }
}

/// A newsroom's worth of varied content, written through the API: an upload with a focal
/// point, a published story with every block type, a correction and a renamed slug, its
/// translation (related to it) and a draft one, a draft and its published translation, a
/// scheduled story and an editor's redirect.
async fn write_varied_content(app: &TestApp) {
    let editor = app.token("editor").await;
    let (status, _, photo) = send(
        app.authed(Method::POST, "/v1/media/upload", &editor).multipart(
            Form::new()
                .part("file", file(&jpeg(640, 360), "image/jpeg"))
                .text(
                    "metadata",
                    json!({"credit": "أ ف ب", "caption": "طرابلس"}).to_string(),
                ),
        ),
    )
    .await;
    assert_eq!(status, 201, "{photo}");
    let photo_id = photo["id"].as_str().unwrap().to_owned();
    let (status, _, _) = send(
        app.authed(Method::PATCH, &format!("/v1/media/{photo_id}"), &editor)
            .header("Content-Type", "application/merge-patch+json")
            .json(&json!({"focal_point": {"x": 300, "y": 400}})),
    )
    .await;
    assert_eq!(status, 200);
    let (_, _, list) = app.get_json("/v1/articles?language=ar&limit=1").await;
    let demo_id = list["data"][0]["id"].as_str().unwrap().to_owned();
    let create = |body: Value| send(app.authed(Method::POST, "/v1/articles", &editor).json(&body));
    let (status, _, story) = create(json!({
        "language": "ar", "slug": "قصة-أولى", "headline": "قصة <أولى> & \"مهمة\"",
        "lead": "مقدمة", "dateline": "طرابلس",
        "body": [
            {"type": "paragraph", "html": "نص <strong>عريض</strong> و<a href=\"https://example.com\">رابط</a>"},
            {"type": "heading", "level": 2, "text": "عنوان"},
            {"type": "image", "media_id": photo_id, "caption": "تعليق"},
            {"type": "embed", "provider": "youtube", "url": "https://www.youtube.com/watch?v=x"},
            {"type": "list", "ordered": true, "items": ["أ", "ب"]},
            {"type": "quote", "text": "قول", "cite": "قائل"},
            {"type": "video", "url": "https://www.youtube.com/watch?v=y"},
            {"type": "divider"}
        ],
        "bylines": [{"contributor": "afp", "role": "agency"}],
        "topics": [{"topic": "libya", "primary": true}, {"topic": "turkey"}],
        "featured_media": {"media_id": photo_id, "caption": "صورة"},
        "related": [demo_id]
    }))
    .await;
    assert_eq!(status, 201, "{story}");
    let id = story["id"].as_str().unwrap().to_owned();
    let step = |path: String, version: i64, body: Value| {
        send(
            app.authed(Method::POST, &path, &editor)
                .header("If-Match", format!("\"v{version}\""))
                .json(&body),
        )
    };
    let (status, _, published) = step(
        format!("/v1/articles/{id}/transitions"),
        1,
        json!({"to": "published"}),
    )
    .await;
    assert_eq!(status, 200, "{published}");
    let (status, _, corrected) = step(
        format!("/v1/articles/{id}/corrections"),
        published["version"].as_i64().unwrap(),
        json!({"note": "صُحح الاسم"}),
    )
    .await;
    assert_eq!(status, 200, "{corrected}");
    let (status, _, renamed) = send(
        app.authed(Method::PATCH, &format!("/v1/articles/{id}"), &editor)
            .header("If-Match", format!("\"v{}\"", corrected["version"]))
            .header("Content-Type", "application/merge-patch+json")
            .json(&json!({"slug": "قصة-معدلة"})),
    )
    .await;
    assert_eq!(status, 200, "{renamed}");
    let (status, _, translation) = create(json!({
        "language": "en", "headline": "A first story", "translation_of": id, "related": [id],
        "body": [{"type": "paragraph", "html": "Text"}], "bylines": [{"contributor": "afp", "role": "agency"}]
    }))
    .await;
    assert_eq!(status, 201, "{translation}");
    let translation_id = translation["id"].as_str().unwrap().to_owned();
    let (status, _, _) = step(
        format!("/v1/articles/{translation_id}/transitions"),
        1,
        json!({"to": "published"}),
    )
    .await;
    assert_eq!(status, 200);
    // A draft translation: in the story's group, in no public answer.
    let (status, _, _) =
        create(json!({"language": "fr", "headline": "Brouillon", "translation_of": id})).await;
    assert_eq!(status, 201);
    let (status, _, draft) = create(json!({"language": "ar", "headline": "مسودة"})).await;
    assert_eq!(status, 201);
    // A published translation of a draft: shown without it.
    let (status, _, of_draft) = create(json!({
        "language": "en", "headline": "Out before its original", "translation_of": draft["id"],
        "body": [{"type": "paragraph", "html": "Text"}]
    }))
    .await;
    assert_eq!(status, 201, "{of_draft}");
    let (status, _, _) = step(
        format!("/v1/articles/{}/transitions", of_draft["id"].as_str().unwrap()),
        1,
        json!({"to": "published"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, scheduled) = create(json!({
        "language": "ar", "headline": "موعد لاحق", "body": [{"type": "paragraph", "html": "لاحقا"}]
    }))
    .await;
    assert_eq!(status, 201);
    let at = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    let (status, _, _) = step(
        format!("/v1/articles/{}/transitions", scheduled["id"].as_str().unwrap()),
        1,
        json!({"to": "scheduled", "scheduled_at": at}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, redirect) = send(
        app.authed(Method::POST, "/v1/redirects", &editor)
            .json(&json!({"from": "/category/libya/", "to": {"topic": "libya"}, "status": 308})),
    )
    .await;
    assert_eq!(status, 201, "{redirect}");
}

/// The public answers compared across the two servers: every list, article, feed and page.
async fn public_paths(app: &TestApp) -> Vec<String> {
    let mut paths: Vec<String> = [
        "/v1/articles?language=ar",
        "/v1/articles?language=en",
        "/v1/articles?sort=updated&limit=3",
        "/v1/topics",
        "/v1/topics/libya",
        "/v1/topics/libya/articles",
        "/v1/contributors",
        "/v1/contributors/afp/articles",
        // Relevance is each backend's own (bm25 against ts_rank); newest first is the same.
        "/v1/search?q=%D8%B7%D8%B1%D8%A7%D8%A8%D9%84%D8%B3&sort=newest",
        "/v1/search/suggest?q=%D8%B7%D8%B1%D8%A7",
        "/feeds/ar/rss.xml",
        "/feeds/ar/atom.xml",
        "/feeds/ar/feed.json",
        "/feeds/ar/ninjs.json",
        "/feeds/en/rss.xml",
        "/feeds/ar/topics/libya/rss.xml",
        "/sitemaps/news.xml",
        "/sitemaps/index.xml",
        "/sitemaps/articles-0.xml",
        "/v1/resolve?path=%2Far%2F%D9%82%D8%B5%D8%A9-%D8%A3%D9%88%D9%84%D9%89",
        "/v1/resolve?path=%2Fcategory%2Flibya%2F",
    ]
    .iter()
    .map(|p| (*p).to_owned())
    .collect();
    let (_, _, list) = app.get_json("/v1/articles?limit=100").await;
    for article in list["data"].as_array().unwrap() {
        let id = article["id"].as_str().unwrap();
        for suffix in ["", "/related", "/translations", "/ninjs"] {
            paths.push(format!("/v1/articles/{id}{suffix}"));
        }
        if let Some(media) = article["featured_media"]["id"].as_str() {
            paths.push(format!("/v1/media/{media}"));
            let rendition = article["featured_media"]["renditions"][0]["url"]
                .as_str()
                .unwrap();
            paths.push(local(rendition));
        }
    }
    paths.push("/v1/articles/%D9%82%D8%B5%D8%A9-%D8%A3%D9%88%D9%84%D9%89?language=ar".into());
    paths
}

async fn answer(app: &TestApp, path: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let client = crate::helpers::http_client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = client
        .get(app.url(path))
        .header("Accept-Encoding", "identity")
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = [
        "etag",
        "last-modified",
        "surrogate-key",
        "location",
        "content-type",
    ]
    .iter()
    .filter_map(|name| {
        response
            .headers()
            .get(*name)
            .map(|v| (name.to_string(), v.to_str().unwrap_or_default().to_owned()))
    })
    .collect();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

async fn exports_round_trip_between_backends_byte_for_byte(backend: Backend) {
    let source = TestApp::spawn(backend).await;
    write_varied_content(&source).await;
    let exported = export_of(&source.pool, &source.settings);
    let lines: Vec<&str> = std::str::from_utf8(&exported).unwrap().lines().collect();
    for kind in [
        "header",
        "contributor",
        "user",
        "topic",
        "file",
        "media",
        "article",
        "redirect",
    ] {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("{{\"type\":\"{kind}\""))),
            "an export has {kind} lines"
        );
    }

    let target_db = TestDb::create(other(backend));
    let pool = target_db.migrated_pool();
    let mut target_settings = settings(target_db.url.clone());
    target_settings.demo = DemoMode::Never;
    let report = import_into(&pool, &target_settings, &exported, ImportOptions::default());
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(!report.rolled_back);
    let again = export_of(&pool, &target_settings);
    assert!(
        again == exported,
        "the target's export differs from the source's:\n{}",
        first_difference(&exported, &again)
    );
    // Importing the same file again changes nothing.
    let rerun = import_into(&pool, &target_settings, &exported, ImportOptions::default());
    assert_eq!(rerun.written(), 0, "{:?}", rerun.counts);
    assert_eq!(export_of(&pool, &target_settings), exported);

    let target = TestApp::spawn_owning(target_db, target_settings).await;
    let paths = public_paths(&source).await;
    assert!(paths.len() > 40, "{}", paths.len());
    assert_same_answers(&source, &target, &paths).await;
}

/// Every path answers alike on both apps: status, caching headers and body, byte for byte.
async fn assert_same_answers(one: &TestApp, other: &TestApp, paths: &[String]) {
    for path in paths {
        let (one_status, one_headers, one_body) = answer(one, path).await;
        let (other_status, other_headers, other_body) = answer(other, path).await;
        assert!(one_status == 200 || one_status == 308, "{path}: {one_status}");
        assert_eq!(one_status, other_status, "{path}");
        // Suggestions are dated when they are made; everything else by what it shows.
        let dated = |headers: Vec<(String, String)>| -> Vec<(String, String)> {
            headers
                .into_iter()
                .filter(|(name, _)| !(path.starts_with("/v1/search/suggest") && name == "last-modified"))
                .collect()
        };
        assert_eq!(dated(one_headers), dated(other_headers), "{path}");
        assert!(
            one_body == other_body,
            "{path} differs:\n{}",
            first_difference(&one_body, &other_body)
        );
    }
}

/// Articles come last-first (translations and related articles after the stories that name
/// them), and a file imported in batches answers as the same file imported record by record.
async fn a_batched_import_answers_as_one_record_at_a_time(backend: Backend) {
    let source = TestApp::spawn(backend).await;
    write_varied_content(&source).await;
    let exported = String::from_utf8(export_of(&source.pool, &source.settings)).unwrap();
    let is_article = |line: &&str| line.starts_with("{\"type\":\"article\"");
    let articles: Vec<&str> = exported.lines().filter(is_article).collect();
    let mut reordered: Vec<&str> = Vec::new();
    for line in exported.lines() {
        if !is_article(&line) {
            reordered.push(line);
        } else if reordered.last().is_none_or(|last| !is_article(last)) {
            reordered.extend(articles.iter().rev());
        }
    }
    assert_eq!(reordered.len(), exported.lines().count());
    let file = reordered.join("\n") + "\n";

    let mut apps = Vec::new();
    for one_at_a_time in [false, true] {
        let db = TestDb::create(backend);
        let pool = db.migrated_pool();
        let mut settings = settings(db.url.clone());
        settings.demo = DemoMode::Never;
        let options = ImportOptions {
            one_at_a_time,
            ..ImportOptions::default()
        };
        let report = import_into(&pool, &settings, file.as_bytes(), options);
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert!(report.notes.is_empty(), "{:?}", report.notes);
        apps.push((
            export_of(&pool, &settings),
            TestApp::spawn_owning(db, settings).await,
        ));
    }
    let (batched_export, batched) = &apps[0];
    let (single_export, single) = &apps[1];
    assert!(
        batched_export == single_export,
        "{}",
        first_difference(single_export, batched_export)
    );
    let paths = public_paths(&source).await;
    // (Not as the source did: lists page by row, and the rows came in another order.)
    assert_same_answers(single, batched, &paths).await;
}

fn first_difference(a: &[u8], b: &[u8]) -> String {
    let a = String::from_utf8_lossy(a);
    let b = String::from_utf8_lossy(b);
    for (index, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            let at = x.chars().zip(y.chars()).take_while(|(p, q)| p == q).count();
            let around = |s: &str| {
                s.chars()
                    .skip(at.saturating_sub(80))
                    .take(240)
                    .collect::<String>()
            };
            return format!("line {}:\n  {}\n  {}", index + 1, around(x), around(y));
        }
    }
    format!("{} lines against {}", a.lines().count(), b.lines().count())
}

/// Every line of an export is valid against the committed JSON Schema, which is the one the
/// code makes.
async fn exports_follow_the_committed_schema(backend: Backend) {
    let committed =
        std::fs::read_to_string(format!("{}/docs/export.schema.json", env!("CARGO_MANIFEST_DIR"))).unwrap();
    assert!(
        committed.trim_end() == khabar::cli::export_schema_json(),
        "docs/export.schema.json is out of date: cargo run -- export --schema > docs/export.schema.json"
    );
    let schema: Value = serde_json::from_str(&committed).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let app = TestApp::spawn(backend).await;
    write_varied_content(&app).await;
    let exported = export_of(&app.pool, &app.settings);
    let text = String::from_utf8(exported).unwrap();
    for (number, line) in text.lines().enumerate() {
        let value: Value = serde_json::from_str(line).unwrap();
        let errors: Vec<String> = validator.iter_errors(&value).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "line {}: {errors:?}\n{line}", number + 1);
    }
    let wrong = json!({"type": "contributor", "slug": "a", "kind": "robot", "name": "A",
        "created_at": "2020-01-01T00:00:00Z", "updated_at": "2020-01-01T00:00:00Z"});
    assert!(!validator.is_valid(&wrong));
    let unknown =
        json!({"type": "deleted", "kind": "article", "id": "x", "at": "2020-01-01T00:00:00Z", "why": "?"});
    assert!(!validator.is_valid(&unknown));
}

on_both_backends!(
    exports_round_trip_between_backends_byte_for_byte,
    exports_follow_the_committed_schema,
    a_batched_import_answers_as_one_record_at_a_time
);

/// `khabar backup` on SQLite while the newsroom writes: the copy is whole (integrity checked),
/// and a node started on it answers as the original did for what it holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_write_load_restores_to_the_same_answers() {
    let source = TestApp::spawn(Backend::Sqlite).await;
    let editor = source.token("editor").await;
    let writing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let writer = {
        let writing = writing.clone();
        let (address, client, editor) = (source.address.clone(), source.client.clone(), editor.clone());
        tokio::spawn(async move {
            let mut written = 0;
            while writing.load(std::sync::atomic::Ordering::Relaxed) {
                let response = client
                    .post(format!("{address}/v1/articles"))
                    .bearer_auth(&editor)
                    .json(&json!({"language": "ar", "headline": format!("خبر {written}"),
                        "body": [{"type": "paragraph", "html": "نص"}]}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 201);
                let created: Value = response.json().await.unwrap();
                let published = client
                    .post(format!(
                        "{address}/v1/articles/{}/transitions",
                        created["id"].as_str().unwrap()
                    ))
                    .bearer_auth(&editor)
                    .header("If-Match", "\"v1\"")
                    .json(&json!({"to": "published"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(published.status(), 200);
                written += 1;
            }
            written
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let folder = tempfile::tempdir().unwrap();
    let copy = folder.path().join("backup.db");
    let pool = source.pool.clone();
    let target = copy.clone();
    let pages = tokio::task::spawn_blocking(move || {
        khabar::db::backup::sqlite_copy(&mut pool.get().unwrap(), &target)
    })
    .await
    .unwrap()
    .unwrap();
    assert!(pages > 0);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    writing.store(false, std::sync::atomic::Ordering::Relaxed);
    let written = writer.await.unwrap();
    assert!(written >= 2, "writes went on during the backup: {written}");

    let mut restored_settings = source.settings.clone();
    restored_settings.database_url = khabar::db::DatabaseUrl::Sqlite(copy.display().to_string());
    restored_settings.demo = DemoMode::Never;
    let restored = TestApp::spawn_with(restored_settings).await;
    let (_, _, in_copy) = restored.get_json("/v1/articles?limit=100").await;
    let (_, _, now) = source.get_json("/v1/articles?limit=100").await;
    let copied = in_copy["data"].as_array().unwrap();
    assert!(
        copied.len() >= 5 && copied.len() < now["data"].as_array().unwrap().len(),
        "a point in time, before the last writes"
    );
    for article in copied {
        let path = format!("/v1/articles/{}", article["id"].as_str().unwrap());
        let (source_status, source_headers, source_body) = answer(&source, &path).await;
        let (restored_status, restored_headers, restored_body) = answer(&restored, &path).await;
        assert_eq!(
            (source_status, &source_headers),
            (restored_status, &restored_headers),
            "{path}"
        );
        assert!(source_body == restored_body, "{path}");
    }
}
