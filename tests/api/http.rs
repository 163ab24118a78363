//! HTTP semantics every operation shares: methods (405 and `Allow`), request bodies judged the
//! same way everywhere (driven by the OpenAPI document, so a new operation is covered), one
//! ETag per representation, one `Vary`, CORS that varies on nothing, NFC slugs.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{segment, send, Backend, TestApp};
use crate::on_both_backends;

async fn wrong_methods_get_405_with_allow(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.client.delete(app.url("/v1/search?q=x")).send().await.unwrap();
    assert_eq!(response.status(), 405);
    let allow = response.headers()["allow"].to_str().unwrap().to_owned();
    assert!(allow.contains("GET") && allow.contains("HEAD"), "{allow}");
    assert!(!allow.contains("DELETE"), "{allow}");
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["status"], 405);

    // A path with a parameter; POST and GET are both served at /v1/articles.
    let response = app
        .client
        .put(app.url("/v1/articles/some-slug"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let response = app
        .client
        .request(Method::OPTIONS, app.url("/v1/articles"))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let allow = response.headers()["allow"].to_str().unwrap();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    // A preflight is CORS's, not the resource's.
    let response = app
        .client
        .request(Method::OPTIONS, app.url("/v1/articles"))
        .header("Origin", "https://front.example.com")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    // Nothing at all is served here: that stays a 404.
    let (status, _, _) = app.get_json("/v1/nothing-here").await;
    assert_eq!(status, 404);
}

/// Fills an OpenAPI path template with values that parse (the resources need not exist:
/// bodies are judged before anything is looked up).
fn concrete(path: &str, article_id: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').unwrap() + start;
        let name = &rest[start + 1..end];
        out.push_str(match name {
            "id" if path.starts_with("/v1/articles") => article_id,
            "id" | "key_id" | "version" => "1",
            _ => "some-slug",
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Every operation that takes a JSON body, as an admin (who may call them all): a malformed
/// body is 400, another media type 415, an empty body 400, a body over 1 MiB 413, and every
/// answer is a problem document. Nothing is created by any of them.
async fn every_json_operation_judges_its_body_alike(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.token("admin").await;
    let (_, _, list) = app.get_json("/v1/articles?language=ar&limit=1").await;
    let article_id = list["data"][0]["id"].as_str().unwrap().to_owned();
    let spec: Value = serde_json::from_str(&khabar::openapi::document_json()).unwrap();
    let count_articles = || async {
        let (_, _, all) = app.get_json("/v1/articles?language=ar&limit=100").await;
        all["data"].as_array().unwrap().len()
    };
    let before = count_articles().await;
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(content) = operation["requestBody"]["content"].as_object() else {
                continue;
            };
            let Some(media_type) = content.keys().find(|t| t.contains("json")) else {
                continue;
            };
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let url = concrete(path, &article_id);
            let request = |content_type: &str, body: Vec<u8>| {
                app.authed(method.clone(), &url, &admin)
                    .header("If-Match", "\"v1\"")
                    // As a browser sends it: browser sessions refuse other origins first.
                    .header("Origin", &app.address)
                    .header("Content-Type", content_type)
                    .body(body)
            };
            // Imports take JSON Lines up to 16 MiB; every other operation JSON up to 1 MiB.
            let limit = if media_type.contains("ndjson") {
                16 * 1024 * 1024
            } else {
                1024 * 1024
            };
            let cases: [(&str, Vec<u8>, u16); 5] = [
                (media_type, b"{\"broken\": ".to_vec(), 400),
                (media_type, b"[1, 2".to_vec(), 400),
                (media_type, Vec::new(), 400),
                ("text/plain", b"{}".to_vec(), 415),
                (media_type, vec![b' '; limit + 1], 413),
            ];
            for (content_type, body, expected) in cases {
                let size = body.len();
                let (status, headers, problem) = send(request(content_type, body)).await;
                assert_eq!(
                    status, expected,
                    "{method} {path} with {content_type} ({size} bytes): {problem}"
                );
                assert_eq!(
                    headers["content-type"], "application/problem+json",
                    "{method} {path}"
                );
                assert!(problem["detail"].is_string(), "{method} {path}: {problem}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 15, "every JSON operation: {checked}");
    assert_eq!(count_articles().await, before, "nothing was created");

    // Unknown fields are named, on creates and on merge patches alike.
    for (method, path, body) in [
        (
            Method::POST,
            "/v1/articles".to_owned(),
            json!({"language": "ar", "headline": "x", "colour": "red"}),
        ),
        (
            Method::POST,
            "/v1/contributors".to_owned(),
            json!({"kind": "person", "name": "x", "colour": "red"}),
        ),
        (
            Method::POST,
            "/v1/topics".to_owned(),
            json!({"kind": "tag", "name": "x", "colour": "red"}),
        ),
        (
            Method::POST,
            "/v1/webhooks".to_owned(),
            json!({"url": "https://example.com/", "events": ["article.published"], "colour": "red"}),
        ),
        (
            Method::POST,
            "/v1/auth/token".to_owned(),
            json!({"email": "a@b.c", "password": "x", "colour": "red"}),
        ),
        (
            Method::POST,
            format!("/v1/articles/{article_id}/preview-links"),
            json!({"colour": "red"}),
        ),
        (
            Method::PATCH,
            format!("/v1/articles/{article_id}"),
            json!({"colour": "red"}),
        ),
    ] {
        let content_type = if method == Method::PATCH {
            "application/merge-patch+json"
        } else {
            "application/json"
        };
        let (_, _, current) = send(app.authed(
            Method::GET,
            &format!("/v1/articles/{article_id}/editorial"),
            &admin,
        ))
        .await;
        let (status, _, problem) = send(
            app.authed(method.clone(), &path, &admin)
                .header("If-Match", format!("\"v{}\"", current["version"]))
                .header("Content-Type", content_type)
                .body(body.to_string()),
        )
        .await;
        assert_eq!(status, 422, "{method} {path}: {problem}");
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["field"].as_str())
            .collect();
        assert!(
            fields.iter().any(|f| f.contains("colour")),
            "{method} {path}: {problem}"
        );
    }
}

async fn each_representation_has_its_own_etag_and_one_vary(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let path = "/v1/articles?language=ar&limit=5";
    let get = |encoding: &'static str| {
        app.client
            .get(app.url(path))
            .header("Accept-Encoding", encoding)
            .header("Origin", "https://a.example.com")
            .send()
    };
    let identity = get("identity").await.unwrap();
    let gzip = get("gzip").await.unwrap();
    let brotli = get("br").await.unwrap();
    let tag = |r: &reqwest::Response| r.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    assert_eq!(brotli.headers()["content-encoding"], "br");
    assert!(identity.headers().get("content-encoding").is_none());
    let tags = [tag(&identity), tag(&gzip), tag(&brotli)];
    assert_ne!(tags[0], tags[1]);
    assert_ne!(tags[0], tags[2]);
    assert_ne!(tags[1], tags[2]);
    for response in [&identity, &gzip, &brotli] {
        let vary: Vec<_> = response.headers().get_all("vary").iter().collect();
        assert_eq!(vary.len(), 1, "one Vary: {vary:?}");
        let vary = vary[0].to_str().unwrap().to_lowercase();
        assert!(vary.contains("accept-encoding"), "{vary}");
        assert!(
            !vary.contains("origin"),
            "any origin is allowed, so nothing varies on it: {vary}"
        );
        assert_eq!(response.headers()["access-control-allow-origin"], "*");
    }
    // Each tag revalidates its own representation, and the others' too (same content).
    for (encoding, tag) in [("gzip", &tags[1]), ("br", &tags[2]), ("identity", &tags[0])] {
        let response = app
            .client
            .get(app.url(path))
            .header("Accept-Encoding", encoding)
            .header("If-None-Match", tag.as_str())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 304, "{encoding}");
        assert_eq!(response.headers()["etag"].to_str().unwrap(), tag, "{encoding}");
    }
    let response = app
        .client
        .get(app.url(path))
        .header("Accept-Encoding", "gzip")
        .header("If-None-Match", tags[0].as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 304, "the identity tag names the same content");
}

async fn slugs_are_one_in_nfc_and_nfd(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    // Written decomposed ("e" + combining acute; alef + combining hamza), as some keyboards do.
    let decomposed = "cafe\u{301}-\u{627}\u{654}خبار";
    let composed = "caf\u{e9}-\u{623}خبار";
    let (status, _, article) = send(app.authed(Method::POST, "/v1/articles", &editor).json(&json!({
        "language": "ar", "slug": decomposed, "headline": "مقهى", "body": [{"type": "paragraph", "html": "نص"}]
    })))
    .await;
    assert_eq!(status, 201, "{article}");
    assert_eq!(article["slug"], composed, "stored in NFC");
    let (status, _, _) = send(
        app.authed(
            Method::POST,
            &format!("/v1/articles/{}/transitions", article["id"].as_str().unwrap()),
            &editor,
        )
        .header("If-Match", "\"v1\"")
        .json(&json!({"to": "published"})),
    )
    .await;
    assert_eq!(status, 200);
    for form in [composed, decomposed] {
        let (status, _, shown) = app.get_json(&format!("/v1/articles/{}", segment(form))).await;
        assert_eq!(status, 200, "{form:?}: {shown}");
        assert_eq!(shown["slug"], composed);
    }
    // Contributors and topics too.
    let (status, _, contributor) = send(
        app.authed(Method::POST, "/v1/contributors", &editor)
            .json(&json!({
                "kind": "person", "name": "Zoë", "slug": "zoe\u{308}"
            })),
    )
    .await;
    assert_eq!(status, 201, "{contributor}");
    assert_eq!(contributor["slug"], "zo\u{eb}");
    let (status, _, _) = app
        .get_json(&format!("/v1/contributors/{}", segment("zoe\u{308}")))
        .await;
    assert_eq!(status, 200);
}

on_both_backends!(
    wrong_methods_get_405_with_allow,
    every_json_operation_judges_its_body_alike,
    each_representation_has_its_own_etag_and_one_vary,
    slugs_are_one_in_nfc_and_nfd,
);
