//! The committed contract and the code must not drift.

use crate::helpers::{Backend, TestApp};

#[test]
fn committed_openapi_matches_the_code() {
    let path = format!("{}/openapi/openapi.json", env!("CARGO_MANIFEST_DIR"));
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = khabar::openapi::document_json();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date with the code. Regenerate it with:\n    cargo run -- openapi > openapi/openapi.json\nand commit the result."
    );
}

#[test]
fn document_is_openapi_3_1_and_lists_every_route() {
    let document: serde_json::Value = serde_json::from_str(&khabar::openapi::document_json()).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let paths: Vec<&String> = document["paths"].as_object().unwrap().keys().collect();
    assert_eq!(
        paths,
        vec![
            "/feeds/{language}/atom.xml",
            "/feeds/{language}/contributors/{slug}/atom.xml",
            "/feeds/{language}/contributors/{slug}/feed.json",
            "/feeds/{language}/contributors/{slug}/rss.xml",
            "/feeds/{language}/feed.json",
            "/feeds/{language}/ninjs.json",
            "/feeds/{language}/rss.xml",
            "/feeds/{language}/topics/{slug}/atom.xml",
            "/feeds/{language}/topics/{slug}/feed.json",
            "/feeds/{language}/topics/{slug}/rss.xml",
            "/healthz",
            "/openapi.json",
            "/readyz",
            "/sitemaps/articles-{page}.xml",
            "/sitemaps/index.xml",
            "/sitemaps/news.xml",
            "/v1/articles",
            "/v1/articles/{key}",
            "/v1/articles/{key}/ninjs",
            "/v1/articles/{key}/related",
            "/v1/articles/{key}/translations",
            "/v1/contributors",
            "/v1/contributors/{slug}",
            "/v1/contributors/{slug}/articles",
            "/v1/media/{id}",
            "/v1/search",
            "/v1/search/suggest",
            "/v1/topics",
            "/v1/topics/{slug}",
            "/v1/topics/{slug}/articles",
        ]
    );
    for (path, media_type) in [
        ("/feeds/{language}/rss.xml", "application/rss+xml"),
        ("/feeds/{language}/atom.xml", "application/atom+xml"),
        ("/feeds/{language}/feed.json", "application/feed+json"),
        ("/v1/articles/{key}/ninjs", "application/ninjs+json"),
        ("/sitemaps/news.xml", "application/xml"),
    ] {
        assert!(
            document["paths"][path]["get"]["responses"]["200"]["content"][media_type].is_object(),
            "{path} documents {media_type}"
        );
    }
    // Every operation documents its problem responses as problem documents.
    for (path, item) in document["paths"].as_object().unwrap() {
        for (status, response) in item["get"]["responses"].as_object().unwrap() {
            if status.starts_with('4') || status.starts_with('5') {
                assert!(
                    response["content"]["application/problem+json"].is_object(),
                    "{path} {status} must be a problem document"
                );
            }
        }
    }
    let get_article = &document["paths"]["/v1/articles/{key}"]["get"];
    for status in ["200", "400", "404"] {
        assert!(
            get_article["responses"][status].is_object(),
            "GET /v1/articles/{{key}} documents {status}"
        );
    }
    assert!(get_article["responses"]["404"]["content"]["application/problem+json"].is_object());
}

async fn served_document_is_the_committed_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let served = app.get("/openapi.json").await.text().await.unwrap();
    assert_eq!(served, khabar::openapi::document_json());
}

crate::on_both_backends!(served_document_is_the_committed_one);
