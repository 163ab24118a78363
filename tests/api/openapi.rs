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
            "/.well-known/jwks.json",
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
            "/images/{name}",
            "/media-files/{name}",
            "/metrics",
            "/openapi.json",
            "/readyz",
            "/sitemaps/articles-{page}.xml",
            "/sitemaps/index.xml",
            "/sitemaps/news.xml",
            "/v1/articles",
            "/v1/articles/{id}/corrections",
            "/v1/articles/{id}/diff",
            "/v1/articles/{id}/editorial",
            "/v1/articles/{id}/preview",
            "/v1/articles/{id}/preview-links",
            "/v1/articles/{id}/revisions",
            "/v1/articles/{id}/revisions/{version}",
            "/v1/articles/{id}/revisions/{version}/restore",
            "/v1/articles/{id}/transitions",
            "/v1/articles/{key}",
            "/v1/articles/{key}/breaking",
            "/v1/articles/{key}/live",
            "/v1/articles/{key}/live/atom.xml",
            "/v1/articles/{key}/live/entries",
            "/v1/articles/{key}/live/entries/{entry}",
            "/v1/articles/{key}/live/ninjs",
            "/v1/articles/{key}/live/rss.xml",
            "/v1/articles/{key}/live/stream",
            "/v1/articles/{key}/ninjs",
            "/v1/articles/{key}/related",
            "/v1/articles/{key}/translations",
            "/v1/audit",
            "/v1/auth/logout",
            "/v1/auth/me",
            "/v1/auth/refresh",
            "/v1/auth/session",
            "/v1/auth/session/refresh",
            "/v1/auth/token",
            "/v1/changes",
            "/v1/changes/stream",
            "/v1/contributors",
            "/v1/contributors/{slug}",
            "/v1/contributors/{slug}/articles",
            "/v1/editorial/articles",
            "/v1/imports",
            "/v1/media",
            "/v1/media/upload",
            "/v1/media/{id}",
            "/v1/media/{id}/editorial",
            "/v1/preview-links/{id}",
            "/v1/preview/{token}",
            "/v1/redirects",
            "/v1/redirects/{id}",
            "/v1/resolve",
            "/v1/search",
            "/v1/search/suggest",
            "/v1/topics",
            "/v1/topics/{slug}",
            "/v1/topics/{slug}/articles",
            "/v1/users",
            "/v1/users/{id}",
            "/v1/users/{id}/api-keys",
            "/v1/users/{id}/api-keys/{key_id}",
            "/v1/webhooks",
            "/v1/webhooks/{id}",
            "/v1/webhooks/{id}/deliveries",
        ]
    );
    assert!(document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer");
    assert!(
        document["components"]["securitySchemes"]
            .get("partner_key")
            .is_none(),
        "reading needs no credentials"
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
    // Every operation documents its problem responses as problem documents, and every one that
    // takes a token says so and documents the 401 and 403 it can answer.
    const OPEN: &[&str] = &[
        "/v1/auth/token",
        "/v1/auth/refresh",
        "/v1/auth/session",
        "/v1/auth/session/refresh",
        "/v1/preview/{token}",
        "/.well-known/jwks.json",
    ];
    let mut protected = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().unwrap() {
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{method} {path} {status} must be a problem document"
                    );
                }
            }
            // The rate limiter guards everything but the probes; public reads take a partner key.
            let limited = !matches!(path.as_str(), "/healthz" | "/readyz" | "/metrics");
            assert_eq!(
                operation["responses"]["429"]["headers"]["Retry-After"].is_object(),
                limited,
                "{method} {path} documents 429 with Retry-After"
            );
            let secured = operation["security"][0]["bearer"].is_array();
            // The browser session's refresh: its credential is the session cookie.
            let by_cookie = operation["security"][0]["session_cookie"].is_array();
            if by_cookie {
                for status in ["401", "403"] {
                    assert!(
                        operation["responses"][status].is_object(),
                        "{method} {path} documents {status}"
                    );
                }
            }
            if limited && !secured && !by_cookie {
                assert!(
                    operation.get("security").is_none(),
                    "{method} {path} needs no credentials"
                );
                let key = operation["parameters"]
                    .as_array()
                    .and_then(|ps| ps.iter().find(|p| p["name"] == "X-Api-Key"))
                    .unwrap_or_else(|| panic!("{method} {path} takes an optional partner key"));
                assert_eq!(key["in"], "header");
                assert_eq!(key["required"], false);
                assert!(
                    operation["responses"]["401"].is_object(),
                    "{method} {path} documents 401"
                );
            }
            let tag = operation["tags"][0].as_str().unwrap_or_default();
            let needs_token = !OPEN.contains(&path.as_str())
                && (method != "get" || matches!(tag, "editorial" | "admin" | "auth"));
            if needs_token {
                assert!(secured, "{method} {path} declares the bearer scheme");
            }
            if secured {
                protected += 1;
                for status in ["401", "403"] {
                    assert!(
                        operation["responses"][status].is_object(),
                        "{method} {path} documents {status}"
                    );
                }
            }
        }
    }
    assert!(protected >= 35, "{protected} protected operations");
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
    // The same but for where the server is: this node's public URL.
    let committed = khabar::openapi::document_json().replace(
        "\"default\": \"http://127.0.0.1:8080\"",
        "\"default\": \"http://127.0.0.1\"",
    );
    assert_eq!(served, committed);
    let document: serde_json::Value = serde_json::from_str(&served).unwrap();
    assert_eq!(
        document["servers"][0]["variables"]["origin"]["default"],
        "http://127.0.0.1"
    );
}

crate::on_both_backends!(served_document_is_the_committed_one);

/// The reference page and every asset it loads come from the binary: nothing from a CDN.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docs_page_is_served_from_the_binary() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let client = crate::helpers::http_client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let redirect = client.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(redirect.status(), 308);
    assert_eq!(redirect.headers()["location"], "/docs/");
    let page = app.get("/docs/").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    for line in html.lines().filter(|l| l.contains("src=") || l.contains("href=")) {
        assert!(
            !line.contains("http://") && !line.contains("https://"),
            "an external asset: {line}"
        );
    }
    let initializer = app
        .get("/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(initializer.contains("/openapi.json"), "{initializer}");
    let bundle = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(bundle.status(), 200);
    assert!(bundle.bytes().await.unwrap().len() > 500_000);
}
