//! `GET /v1/articles/{key}` against the demo content.

use diesel::prelude::*;
use khabar::db::schema::articles;
use serde_json::Value;

use crate::helpers::{segment, Backend, TestApp, SITE_URL};

const DEMO_HEADLINE: &str = "محادثات عسكرية وأمنية جديدة بين رئيس حكومة الوفاق ووزير الدفاع التركي";

fn demo_slug() -> String {
    khabar::seed::demo_article_slug()
}

async fn demo_article(app: &TestApp) -> Value {
    let (status, content_type, body) = app
        .get_json(&format!("/v1/articles/{}", segment(&demo_slug())))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(content_type.starts_with("application/json"), "{content_type}");
    body
}

async fn serves_the_reference_article_with_byline_credit_and_topics(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let article = demo_article(&app).await;

    assert_eq!(article["headline"], DEMO_HEADLINE);
    assert_eq!(article["language"], "ar");
    assert_eq!(article["dir"], "rtl");
    assert_eq!(article["dateline"], "طرابلس");
    assert_eq!(article["published_at"], "2020-07-03T18:37:00Z");
    assert_eq!(article["byline"], "بقلم: يورونيوز مع أ ف ب");
    let bylines: Vec<(&str, &str, &str)> = article["bylines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["contributor"]["slug"].as_str().unwrap(),
                b["contributor"]["kind"].as_str().unwrap(),
                b["role"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        bylines,
        vec![
            ("euronews", "organisation", "author"),
            ("afp", "agency", "agency")
        ]
    );

    let photo = &article["featured_media"];
    assert_eq!(
        photo["caption"],
        "رئيس الحكومة الليبية فائز السراج يتحادث مع وزير الدفاع التركي خلوصي أكار في طرابلس - 2020/07/03"
    );
    assert_eq!(photo["credit"], "أ ف ب");
    assert_eq!(photo["copyright_holder"], "AFP");
    assert_eq!(photo["kind"], "image");
    // Five srcset widths and four crops, each in JPEG and WebP, and Open Graph's card: all
    // made by Khabar from the photo it stores.
    let renditions = photo["renditions"].as_array().unwrap();
    assert_eq!(renditions.len(), 19);
    assert!(renditions
        .iter()
        .all(|r| r["url"].as_str().unwrap().starts_with("http://127.0.0.1/images/")));

    let body = article["body"].as_array().unwrap();
    assert_eq!(body.len(), 6);
    assert!(body.iter().all(|b| b["type"] == "paragraph"));
    assert!(article["body_html"]
        .as_str()
        .unwrap()
        .starts_with("<p>أجرى رئيس حكومة الوفاق"));
    assert!(
        article.get("body_text").is_none(),
        "the body is not repeated by default"
    );
    assert!(article["word_count"].as_u64().unwrap() > 200);

    let topics: Vec<&str> = article["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for expected in ["ليبيا", "تركيا", "طرابلس", "فائز السراج", "خلوصي أكار"]
    {
        assert!(topics.contains(&expected), "{expected} missing from {topics:?}");
    }
    assert_eq!(article["topics"][0]["slug"], "libya");
    assert_eq!(article["topics"][0]["primary"], true);
    assert_eq!(article["topics"][1]["primary"], false);

    let related: Vec<&str> = article["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["headline"].as_str().unwrap())
        .collect();
    assert_eq!(
        related,
        vec![
            "الصين تعتزم منع بيع الدواجن حيّة أو ذبحها في الأسواق التجارية",
            "هل سينفذ السيسي تهديده بالتدخل المباشر في ليبيا؟",
            "ميليشيات مسلحة وصراع للسيطرة على منفذ \"رأس جدير\".. ماذا يحدث على الحدود التونسية الليبية؟",
        ]
    );
    assert_eq!(article["translations"][0]["language"], "en");
    assert_eq!(
        article["canonical_url"],
        format!("{SITE_URL}ar/{}", segment(&demo_slug()))
    );
}

async fn finds_by_public_id_and_renders_english_byline(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let arabic = demo_article(&app).await;
    let english_id = arabic["translations"][0]["id"].as_str().unwrap();
    let (status, _, english) = app.get_json(&format!("/v1/articles/{english_id}")).await;
    assert_eq!(status, 200, "{english}");
    assert_eq!(english["byline"], "By Euronews with AFP");
    assert_eq!(english["dir"], "ltr");
    assert_eq!(english["bylines"][1]["contributor"]["name"], "AFP");
    assert_eq!(english["topics"][0]["name"], "Libya");
    assert_eq!(
        english["featured_media"]["caption"],
        "Libyan Prime Minister Fayez al-Sarraj talks with Turkish Defence Minister Hulusi Akar in Tripoli, 3 July 2020"
    );
    assert_eq!(
        english["featured_media"]["credit"], "AFP",
        "the photo's words in the article's language"
    );
    assert_eq!(
        english["featured_media"]["alt_text"],
        "Fayez al-Sarraj and Hulusi Akar shake hands in Tripoli"
    );
    assert_eq!(
        arabic["featured_media"]["credit"], "أ ف ب",
        "the Arabic article keeps its own"
    );
    assert!(english["body_html"]
        .as_str()
        .unwrap_or_default()
        .find("أ ف ب")
        .is_none());
    let rss = app.get("/feeds/en/rss.xml").await.text().await.unwrap();
    assert!(!rss.contains("أ ف ب"), "the English feed credits AFP: {rss}");
    assert_eq!(english["translations"][0]["id"], arabic["id"]);
}

async fn assert_not_found(app: &TestApp, path: &str) {
    let (status, content_type, problem) = app.get_json(path).await;
    assert_eq!(status, 404, "{path}: {problem}");
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(problem["type"], "urn:khabar:problem:not-found");
    assert_eq!(problem["status"], 404);
    assert!(problem["detail"].is_string());
}

async fn unknown_and_malformed_keys_are_problem_404s(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_not_found(&app, "/v1/articles/no-such-article").await;
    assert_not_found(&app, "/v1/articles/00000000-0000-7000-8000-000000000000").await;
    assert_not_found(&app, &format!("/v1/articles/{}", segment("Not A Slug!"))).await;
    assert_not_found(&app, "/v1/nothing/here").await;
}

async fn unpublished_articles_are_invisible(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let slug = demo_slug();
    let set_state = |status: &str,
                     published_at: Option<chrono::NaiveDateTime>,
                     embargo: Option<chrono::NaiveDateTime>| {
        diesel::update(articles::table.filter(articles::slug.eq(&slug)))
            .set((
                articles::status.eq(status),
                articles::published_at.eq(published_at),
                articles::embargo_until.eq(embargo),
            ))
            .execute(&mut app.conn())
            .unwrap();
        app.republish();
    };
    let path = format!("/v1/articles/{}", segment(&slug));
    let past = chrono::NaiveDate::from_ymd_opt(2020, 7, 3)
        .unwrap()
        .and_hms_opt(18, 37, 0)
        .unwrap();
    let future = khabar::db::utc_now() + chrono::Duration::days(1);

    for status in ["draft", "in_review", "unpublished", "archived"] {
        set_state(status, Some(past), None);
        assert_not_found(&app, &path).await;
    }
    diesel::update(articles::table.filter(articles::slug.eq(&slug)))
        .set((
            articles::status.eq("scheduled"),
            articles::scheduled_at.eq(Some(future)),
        ))
        .execute(&mut app.conn())
        .unwrap();
    assert_not_found(&app, &path).await;
    set_state("published", Some(future), None);
    assert_not_found(&app, &path).await;
    set_state("published", Some(past), Some(future));
    assert_not_found(&app, &path).await;

    set_state("published", Some(past), None);
    let (status, _, _) = app.get_json(&path).await;
    assert_eq!(
        status, 200,
        "visible again once published with the embargo lifted"
    );
}

async fn hides_unpublished_related_articles(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let china = khabar::domain::slug::slugify("الصين تعتزم منع بيع الدواجن حيّة أو ذبحها في الأسواق التجارية");
    diesel::update(articles::table.filter(articles::slug.eq(&china)))
        .set(articles::status.eq("unpublished"))
        .execute(&mut app.conn())
        .unwrap();
    app.republish();
    let article = demo_article(&app).await;
    let related = article["related"].as_array().unwrap();
    assert_eq!(related.len(), 2);
    assert!(related.iter().all(|r| r["slug"] != china.as_str()));
}

async fn language_parameter_is_checked_and_disambiguates(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, content_type, problem) = app.get_json("/v1/articles/x?language=not_a_tag").await;
    assert_eq!(status, 400);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(problem["errors"][0]["field"], "language");

    let (status, _, problem) = app.get_json("/v1/articles/x?langauge=ar").await;
    assert_eq!(status, 400, "unknown query parameters are refused: {problem}");

    // Give the English translation the Arabic slug: the slug alone is then ambiguous.
    let slug = demo_slug();
    diesel::update(articles::table.filter(articles::language.eq("en")))
        .set(articles::slug.eq(&slug))
        .execute(&mut app.conn())
        .unwrap();
    app.republish();
    let path = format!("/v1/articles/{}", segment(&slug));
    let (status, _, problem) = app.get_json(&path).await;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "language");
    let (status, _, english) = app.get_json(&format!("{path}?language=en")).await;
    assert_eq!(status, 200);
    assert_eq!(english["language"], "en");
    let (status, _, arabic) = app.get_json(&format!("{path}?language=AR")).await;
    assert_eq!(status, 200);
    assert_eq!(arabic["language"], "ar");
}

crate::on_both_backends!(
    serves_the_reference_article_with_byline_credit_and_topics,
    finds_by_public_id_and_renders_english_byline,
    unknown_and_malformed_keys_are_problem_404s,
    unpublished_articles_are_invisible,
    hides_unpublished_related_articles,
    language_parameter_is_checked_and_disambiguates,
);
