//! Article lists: filters, sorts, keyset paging with signed cursors, shape control.

use diesel::prelude::*;
use khabar::db::schema::articles;
use serde_json::Value;

use crate::helpers::{Backend, TestApp};

fn slugs(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["slug"].as_str().unwrap().to_owned())
        .collect()
}

fn headlines_start(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["headline"].as_str().unwrap().chars().take(12).collect())
        .collect()
}

async fn ok(app: &TestApp, path: &str) -> Value {
    let (status, _, body) = app.get_json(path).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

async fn bad(app: &TestApp, path: &str, field: &str) -> Value {
    let (status, content_type, problem) = app.get_json(path).await;
    assert_eq!(status, 400, "{path}: {problem}");
    assert_eq!(content_type, "application/problem+json");
    if !field.is_empty() {
        assert_eq!(problem["errors"][0]["field"], field, "{path}: {problem}");
    }
    problem
}

async fn newest_first_with_summaries(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let page = ok(&app, "/v1/articles").await;
    let data = page["data"].as_array().unwrap();
    assert_eq!(data.len(), 5);
    assert!(page["next_cursor"].is_null());
    let published: Vec<&str> = data.iter().map(|a| a["published_at"].as_str().unwrap()).collect();
    let mut sorted = published.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(published, sorted, "newest first");
    let main = data
        .iter()
        .find(|a| a["language"] == "ar" && a["byline"] == "بقلم: يورونيوز مع أ ف ب")
        .unwrap();
    assert_eq!(main["image"]["credit"], "أ ف ب");
    assert_eq!(main["primary_topic"]["slug"], "libya");
    assert!(main.get("body").is_none(), "lists carry summaries, not bodies");

    let oldest = ok(&app, "/v1/articles?sort=oldest").await;
    assert_eq!(oldest["data"][0]["published_at"], "2020-07-01T11:05:00Z");
    let updated = ok(&app, "/v1/articles?sort=updated&limit=1").await;
    assert_eq!(updated["data"].as_array().unwrap().len(), 1);
}

async fn cursor_pages_cover_everything_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut seen = Vec::new();
    let mut path = "/v1/articles?limit=2&language=ar".to_owned();
    for page_number in 0.. {
        assert!(page_number < 5, "paging must end");
        let response = app.get(&path).await;
        assert_eq!(response.status(), 200);
        let link = response
            .headers()
            .get("link")
            .map(|v| v.to_str().unwrap().to_owned());
        let page: Value = response.json().await.unwrap();
        seen.extend(slugs(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                let link = link.expect("a Link header accompanies next_cursor");
                assert!(link.ends_with("; rel=\"next\""), "{link}");
                assert!(link.contains("language=ar") && link.contains("limit=2"), "{link}");
                assert!(link.contains(&format!("cursor={cursor}")), "{link}");
                path = format!("/v1/articles?limit=2&language=ar&cursor={cursor}");
            }
            None => {
                assert!(link.is_none());
                break;
            }
        }
    }
    assert_eq!(seen.len(), 4, "{seen:?}");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 4, "no article twice");
}

async fn bad_cursors_and_parameters_are_400s(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let page = ok(&app, "/v1/articles?limit=1").await;
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    ok(&app, &format!("/v1/articles?limit=1&cursor={cursor}")).await;
    // The same cursor with other filters, altered, or made up.
    bad(
        &app,
        &format!("/v1/articles?limit=1&language=ar&cursor={cursor}"),
        "cursor",
    )
    .await;
    bad(
        &app,
        &format!("/v1/articles?limit=1&sort=oldest&cursor={cursor}"),
        "cursor",
    )
    .await;
    let mut altered = cursor.clone().into_bytes();
    altered[3] = if altered[3] == b'A' { b'B' } else { b'A' };
    bad(
        &app,
        &format!("/v1/articles?cursor={}", String::from_utf8(altered).unwrap()),
        "cursor",
    )
    .await;
    bad(&app, "/v1/articles?cursor=not-a-cursor", "cursor").await;
    bad(&app, "/v1/articles?cursor=", "cursor").await;

    bad(&app, "/v1/articles?limit=0", "limit").await;
    bad(&app, "/v1/articles?limit=101", "limit").await;
    bad(&app, "/v1/articles?limit=ten", "").await;
    bad(&app, "/v1/articles?language=arabic_", "language").await;
    bad(&app, "/v1/articles?topic=no-such-topic", "topic").await;
    bad(&app, "/v1/articles?section=libya", "section").await;
    bad(&app, "/v1/articles?contributor=nobody", "contributor").await;
    bad(&app, "/v1/articles?sort=sideways", "").await;
    bad(&app, "/v1/articles?role=ghostwriter", "").await;
    bad(&app, "/v1/articles?published_since=yesterday", "").await;
    bad(
        &app,
        "/v1/articles?published_since=2020-07-03T00:00:00Z&published_until=2020-07-01T00:00:00Z",
        "published_until",
    )
    .await;
    bad(&app, "/v1/articles?colour=red", "").await;
    let problem = bad(&app, "/v1/articles?include=bylines,comments", "include").await;
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("bylines, media, topics, related, translations"));
    let problem = bad(&app, "/v1/articles?fields=id,body", "fields").await;
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("headline"));
}

async fn filters_select_the_right_articles(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let count = |page: &Value| page["data"].as_array().unwrap().len();
    assert_eq!(count(&ok(&app, "/v1/articles?language=en").await), 1);
    // Libya includes its descendants (Tripoli, Ras Ajdir, the GNA): four articles.
    assert_eq!(count(&ok(&app, "/v1/articles?topic=libya").await), 4);
    assert_eq!(count(&ok(&app, "/v1/articles?topic=middle-east").await), 4);
    assert_eq!(count(&ok(&app, "/v1/articles?topic=china").await), 1);
    assert_eq!(count(&ok(&app, "/v1/articles?topic=libya&language=en").await), 1);
    assert_eq!(count(&ok(&app, "/v1/articles?section=world").await), 3);
    assert_eq!(
        count(&ok(&app, "/v1/articles?section=world&topic=libya").await),
        2
    );
    assert_eq!(count(&ok(&app, "/v1/articles?contributor=afp").await), 2);
    assert_eq!(
        count(&ok(&app, "/v1/articles?contributor=afp&role=agency").await),
        2
    );
    assert_eq!(
        count(&ok(&app, "/v1/articles?contributor=afp&role=author").await),
        0
    );
    assert_eq!(count(&ok(&app, "/v1/articles?role=agency").await), 2);
    assert_eq!(count(&ok(&app, "/v1/articles?role=author&topic=china").await), 1);
    let window = ok(
        &app,
        "/v1/articles?published_since=2020-07-02T00:00:00Z&published_until=2020-07-03T12:00:00Z",
    )
    .await;
    assert_eq!(
        headlines_start(&window),
        vec!["الصين تعتزم ".to_owned(), "هل سينفذ الس".to_owned()]
    );
}

async fn include_and_fields_shape_entries(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let page = ok(&app, "/v1/articles?language=ar&limit=1&include=bylines,media").await;
    let entry = &page["data"][0];
    assert_eq!(entry["bylines"][1]["contributor"]["slug"], "afp");
    assert_eq!(entry["featured_media"]["copyright_holder"], "AFP");
    assert!(entry.get("related").is_none());
    let page = ok(&app, "/v1/articles?limit=2&fields=id,headline").await;
    for entry in page["data"].as_array().unwrap() {
        let keys: Vec<&String> = entry.as_object().unwrap().keys().collect();
        assert_eq!(keys, vec!["headline", "id"]);
    }
    let page = ok(
        &app,
        "/v1/articles?limit=1&language=ar&fields=slug&include=topics",
    )
    .await;
    let keys: Vec<&String> = page["data"][0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        vec!["id", "slug", "topics"],
        "a sparse fieldset always keeps the id"
    );
    assert_eq!(page["data"][0]["topics"][0]["slug"], "libya");
}

async fn lists_never_show_unpublished_or_embargoed_articles(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let sisi = khabar::domain::slug::slugify("هل سينفذ السيسي تهديده بالتدخل المباشر في ليبيا؟");
    let china = khabar::domain::slug::slugify("الصين تعتزم منع بيع الدواجن حيّة أو ذبحها في الأسواق التجارية");
    let future = khabar::db::utc_now() + chrono::Duration::hours(2);
    diesel::update(articles::table.filter(articles::slug.eq(&sisi)))
        .set(articles::status.eq("draft"))
        .execute(&mut app.conn())
        .unwrap();
    diesel::update(articles::table.filter(articles::slug.eq(&china)))
        .set(articles::embargo_until.eq(Some(future)))
        .execute(&mut app.conn())
        .unwrap();
    app.republish();
    for path in [
        "/v1/articles",
        "/v1/articles?sort=oldest",
        "/v1/articles?sort=updated",
        "/v1/articles?topic=libya",
        "/v1/articles?topic=china",
        "/v1/articles?section=world",
        "/v1/articles?role=author",
        "/v1/topics/egypt/articles",
        "/v1/contributors/euronews/articles",
    ] {
        let page = ok(&app, path).await;
        let found = slugs(&page);
        assert!(
            !found.contains(&sisi) && !found.contains(&china),
            "{path} leaked: {found:?}"
        );
    }
    use khabar::db::schema::change_log;
    let left: i64 = change_log::table
        .filter(change_log::kind.eq("withdrawn"))
        .filter(change_log::slug.eq_any([&sisi, &china]))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(
        left, 2,
        "the log says that the draft and the newly embargoed article left, for sync"
    );
}

async fn entries_match_the_documented_schema(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let document: Value = serde_json::from_str(&khabar::openapi::document_json()).unwrap();
    let schema = &document["components"]["schemas"]["ArticleListEntry"];
    let documented: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
    assert_eq!(schema["required"], serde_json::json!(["id"]));
    let full = ok(
        &app,
        "/v1/articles?include=bylines,media,topics,related,translations",
    )
    .await;
    let sync = ok(&app, "/v1/articles?updated_since=2000-01-01T00:00:00Z").await;
    for entry in full["data"]
        .as_array()
        .unwrap()
        .iter()
        .chain(sync["data"].as_array().unwrap())
    {
        for key in entry.as_object().unwrap().keys() {
            assert!(
                documented.contains(&key),
                "'{key}' is not in the ArticleListEntry schema"
            );
        }
    }
    let documented_page: Vec<&String> = document["components"]["schemas"]["ArticlePage"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        documented_page,
        full.as_object().unwrap().keys().collect::<Vec<_>>()
    );
}

crate::on_both_backends!(
    entries_match_the_documented_schema,
    newest_first_with_summaries,
    cursor_pages_cover_everything_once,
    bad_cursors_and_parameters_are_400s,
    filters_select_the_right_articles,
    include_and_fields_shape_entries,
    lists_never_show_unpublished_or_embargoed_articles,
);
