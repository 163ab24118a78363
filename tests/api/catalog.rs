//! Topics, contributors, media, related articles and translations.

use diesel::prelude::*;
use khabar::db::schema::articles;
use serde_json::Value;

use crate::helpers::{segment, Backend, TestApp};

async fn ok(app: &TestApp, path: &str) -> Value {
    let (status, _, body) = app.get_json(path).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

async fn not_found(app: &TestApp, path: &str) {
    let (status, content_type, body) = app.get_json(path).await;
    assert_eq!(status, 404, "{path}: {body}");
    assert_eq!(content_type, "application/problem+json");
}

async fn topics_with_hierarchy(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let libya = ok(&app, "/v1/topics/libya").await;
    assert_eq!(libya["kind"], "place");
    assert_eq!(libya["names"]["ar"], "ليبيا");
    assert_eq!(libya["parent"]["slug"], "middle-east");
    let children: Vec<&str> = libya["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["slug"].as_str().unwrap())
        .collect();
    assert_eq!(
        children,
        vec!["government-of-national-accord", "ras-ajdir", "tripoli"]
    );

    let people = ok(&app, "/v1/topics?kind=person&limit=100").await;
    let names: Vec<&str> = people["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["names"]["ar"].as_str().unwrap())
        .collect();
    for expected in [
        "فائز السراج",
        "خلوصي أكار",
        "ياشار غولار",
        "صلاح النمروش",
        "خليفة حفتر",
    ] {
        assert!(names.contains(&expected), "{expected} missing");
    }
    // Id-ordered paging covers all 17 topics once.
    let mut seen = Vec::new();
    let mut path = "/v1/topics?limit=5".to_owned();
    loop {
        let page = ok(&app, &path).await;
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["slug"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/topics?limit=5&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 17);
    let (status, _, problem) = app
        .get_json(&format!("/v1/topics?limit=5&kind=place&cursor={}", {
            let page = ok(&app, "/v1/topics?limit=5").await;
            page["next_cursor"].as_str().unwrap().to_owned()
        }))
        .await;
    assert_eq!(status, 400, "a cursor from another filter: {problem}");
    let (status, _, _) = app.get_json("/v1/topics?kind=mood").await;
    assert_eq!(status, 400);
    let (status, _, _) = app.get_json("/v1/topics?limit=0").await;
    assert_eq!(status, 400);

    let tripoli = ok(&app, "/v1/topics/tripoli/articles").await;
    assert_eq!(tripoli["data"].as_array().unwrap().len(), 2);
    not_found(&app, "/v1/topics/atlantis").await;
    not_found(&app, "/v1/topics/atlantis/articles").await;
}

async fn contributors_and_their_articles(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let list = ok(&app, "/v1/contributors").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    let agencies = ok(&app, "/v1/contributors?kind=agency").await;
    assert_eq!(agencies["data"][0]["slug"], "afp");
    let afp = ok(&app, "/v1/contributors/afp").await;
    assert_eq!(afp["kind"], "agency");
    assert_eq!(afp["names"]["ar"], "أ ف ب");
    let articles = ok(&app, "/v1/contributors/euronews/articles?role=author").await;
    assert_eq!(articles["data"].as_array().unwrap().len(), 5);
    let afp_articles = ok(&app, "/v1/contributors/afp/articles?language=en").await;
    assert_eq!(afp_articles["data"].as_array().unwrap().len(), 1);
    not_found(&app, "/v1/contributors/nobody").await;
    not_found(&app, "/v1/contributors/nobody/articles").await;
}

async fn media_only_once_published(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let article = ok(
        &app,
        &format!("/v1/articles/{}", segment(&khabar::seed::demo_article_slug())),
    )
    .await;
    let media_id = article["featured_media"]["id"].as_str().unwrap().to_owned();
    let media = ok(&app, &format!("/v1/media/{media_id}")).await;
    assert_eq!(media["credit"], "أ ف ب");
    assert_eq!(media["copyright_holder"], "AFP");
    assert_eq!(
        media["caption"],
        "رئيس الحكومة الليبية فائز السراج يتحادث مع وزير الدفاع التركي خلوصي أكار في طرابلس - 2020/07/03"
    );
    let mut widths: Vec<i64> = media["renditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["width"].as_i64().unwrap())
        .collect();
    widths.dedup();
    assert_eq!(
        widths,
        vec![320, 640, 1024, 1200, 1600, 2400],
        "srcset widths and the crops' 1200, by width"
    );
    not_found(&app, "/v1/media/01a2264d-dbd4-74d4-939a-42a171186286").await;
    not_found(&app, "/v1/media/not-a-uuid").await;

    // Both articles that show the photo leave the public set: so does the photo.
    let group: i64 = articles::table
        .filter(articles::language.eq("ar"))
        .filter(articles::slug.eq(khabar::seed::demo_article_slug()))
        .select(articles::translation_group_id)
        .first(&mut app.conn())
        .unwrap();
    diesel::update(articles::table.filter(articles::translation_group_id.eq(group)))
        .set(articles::status.eq("archived"))
        .execute(&mut app.conn())
        .unwrap();
    app.republish();
    not_found(&app, &format!("/v1/media/{media_id}")).await;
}

async fn related_and_translations(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let slug = segment(&khabar::seed::demo_article_slug());
    let related = ok(&app, &format!("/v1/articles/{slug}/related")).await;
    assert_eq!(related["data"].as_array().unwrap().len(), 3);
    assert_eq!(
        related["data"][1]["headline"],
        "هل سينفذ السيسي تهديده بالتدخل المباشر في ليبيا؟"
    );
    let translations = ok(&app, &format!("/v1/articles/{slug}/translations")).await;
    assert_eq!(translations["data"][0]["language"], "en");
    let english_id = translations["data"][0]["id"].as_str().unwrap();
    let back = ok(&app, &format!("/v1/articles/{english_id}/translations")).await;
    assert_eq!(back["data"][0]["language"], "ar");
    assert_eq!(related["computed"], false, "curated");
    // The English version has no curated list: it is computed from shared topics (Libya, its
    // primary topic, weighs most), shared contributors, then recency; never itself.
    let computed = ok(&app, &format!("/v1/articles/{english_id}/related")).await;
    assert_eq!(computed["computed"], true);
    let slugs: Vec<&str> = computed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["slug"].as_str().unwrap())
        .collect();
    let slugify = khabar::domain::slug::slugify;
    assert_eq!(
        slugs,
        vec![
            khabar::seed::demo_article_slug(),
            slugify("هل سينفذ السيسي تهديده بالتدخل المباشر في ليبيا؟"),
            slugify(
                "ميليشيات مسلحة وصراع للسيطرة على منفذ \"رأس جدير\".. ماذا يحدث على الحدود التونسية الليبية؟"
            ),
            slugify("الصين تعتزم منع بيع الدواجن حيّة أو ذبحها في الأسواق التجارية"),
        ]
    );
    // Unpublished articles are never suggested.
    use diesel::prelude::*;
    diesel::update(
        articles::table
            .filter(articles::slug.eq(slugify("هل سينفذ السيسي تهديده بالتدخل المباشر في ليبيا؟"))),
    )
    .set(articles::status.eq("draft"))
    .execute(&mut app.conn())
    .unwrap();
    app.republish();
    let computed = ok(&app, &format!("/v1/articles/{english_id}/related")).await;
    assert_eq!(computed["data"].as_array().unwrap().len(), 3);
    not_found(&app, "/v1/articles/no-such-article/related").await;
    let (status, _, _) = app
        .get_json(&format!("/v1/articles/{slug}/related?fields=x"))
        .await;
    assert_eq!(status, 400, "unknown parameters are refused");
}

crate::on_both_backends!(
    topics_with_hierarchy,
    contributors_and_their_articles,
    media_only_once_published,
    related_and_translations,
);
