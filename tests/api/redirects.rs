//! Old URLs keep working: a renamed slug answers 308 to the new one, `GET /v1/resolve` says
//! what a site path shows or where it leads, and editors manage redirects by hand.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{published_article, send, Backend, TestApp};
use crate::on_both_backends;

fn no_redirects() -> reqwest::Client {
    crate::helpers::http_client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn renamed_articles_answer_at_their_old_slugs(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    let (id, version) = published_article(&app, &editor, "قصة قديمة").await;
    let rename = |slug: &str, version: i64| {
        send(
            app.authed(Method::PATCH, &format!("/v1/articles/{id}"), &editor)
                .header("If-Match", format!("\"v{version}\""))
                .header("Content-Type", "application/merge-patch+json")
                .json(&json!({"slug": slug})),
        )
    };
    let (status, _, renamed) = rename("قصة-جديدة", version).await;
    assert_eq!(status, 200, "{renamed}");
    let old = "/v1/articles/%D9%82%D8%B5%D8%A9-%D9%82%D8%AF%D9%8A%D9%85%D8%A9";
    for (path, location) in [
        (
            format!("{old}?fields=headline"),
            "/v1/articles/%D9%82%D8%B5%D8%A9-%D8%AC%D8%AF%D9%8A%D8%AF%D8%A9?fields=headline&language=ar",
        ),
        (
            format!("{old}/related"),
            "/v1/articles/%D9%82%D8%B5%D8%A9-%D8%AC%D8%AF%D9%8A%D8%AF%D8%A9/related?language=ar",
        ),
        (
            format!("{old}/ninjs?language=ar"),
            "/v1/articles/%D9%82%D8%B5%D8%A9-%D8%AC%D8%AF%D9%8A%D8%AF%D8%A9/ninjs?language=ar",
        ),
    ] {
        let response = no_redirects().get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), 308, "{path}");
        assert_eq!(response.headers()["location"], location, "{path}");
        assert!(response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("public"));
    }
    let followed = app.get(&format!("{old}?fields=headline")).await;
    assert_eq!(followed.status(), 200);
    // The old path resolves to a redirect for front-ends.
    let (status, _, resolved) = app
        .get_json("/v1/resolve?path=%2Far%2F%D9%82%D8%B5%D8%A9-%D9%82%D8%AF%D9%8A%D9%85%D8%A9")
        .await;
    assert_eq!(status, 200);
    assert_eq!(resolved["type"], "redirect");
    assert_eq!(resolved["status"], 301);
    assert_eq!(resolved["path"], "/ar/قصة-جديدة");
    assert_eq!(
        resolved["location"],
        "https://news.example.com/ar/%D9%82%D8%B5%D8%A9-%D8%AC%D8%AF%D9%8A%D8%AF%D8%A9"
    );
    // Renamed twice: both old paths lead to where it is now.
    let (status, _, again) = rename("قصة-ثالثة", renamed["version"].as_i64().unwrap()).await;
    assert_eq!(status, 200, "{again}");
    for old_path in [
        "%2Far%2F%D9%82%D8%B5%D8%A9-%D9%82%D8%AF%D9%8A%D9%85%D8%A9",
        "%2Far%2F%D9%82%D8%B5%D8%A9-%D8%AC%D8%AF%D9%8A%D8%AF%D8%A9",
    ] {
        let (_, _, resolved) = app.get_json(&format!("/v1/resolve?path={old_path}")).await;
        assert_eq!(resolved["path"], "/ar/قصة-ثالثة", "{old_path}");
    }
    // Back to an old slug: it is the article's path again, not a redirect.
    let (status, _, back) = rename("قصة-قديمة", again["version"].as_i64().unwrap()).await;
    assert_eq!(status, 200, "{back}");
    let (status, _, resolved) = app
        .get_json("/v1/resolve?path=%2Far%2F%D9%82%D8%B5%D8%A9-%D9%82%D8%AF%D9%8A%D9%85%D8%A9")
        .await;
    assert_eq!(status, 200);
    assert_eq!(resolved["type"], "article");
    assert_eq!(resolved["id"], id);
    assert_eq!(resolved["summary"]["headline"], "قصة قديمة");
    // Unpublished, its old paths lead nowhere.
    let (status, _, _) = send(
        app.authed(Method::POST, &format!("/v1/articles/{id}/transitions"), &editor)
            .header("If-Match", format!("\"v{}\"", back["version"]))
            .json(&json!({"to": "unpublished"})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, _) = app
        .get_json("/v1/resolve?path=%2Far%2F%D9%82%D8%B5%D8%A9-%D8%AC%D8%AF%D9%8A%D8%AF%D8%A9")
        .await;
    assert_eq!(status, 404);
}

async fn site_paths_resolve_to_what_they_show(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, _, demo) = app.get_json("/v1/articles?language=ar&limit=1").await;
    let slug = demo["data"][0]["slug"].as_str().unwrap();
    let encoded: String = url::form_urlencoded::byte_serialize(
        format!("https://news.example.com/ar/{slug}/?utm_source=x").as_bytes(),
    )
    .collect();
    let response = app.get(&format!("/v1/resolve?path={encoded}")).await;
    assert!(response.headers().contains_key("etag"));
    let (status, _, article) = app.get_json(&format!("/v1/resolve?path={encoded}")).await;
    assert_eq!(status, 200, "{article}");
    assert_eq!(article["type"], "article");
    assert_eq!(
        article["api_url"],
        format!("/v1/articles/{}", article["id"].as_str().unwrap())
    );
    assert_eq!(article["summary"]["slug"], slug);
    let (_, _, topic) = app.get_json("/v1/resolve?path=/topics/libya").await;
    assert_eq!(
        (topic["type"].as_str(), topic["slug"].as_str()),
        (Some("topic"), Some("libya"))
    );
    let (_, _, contributor) = app.get_json("/v1/resolve?path=/contributors/afp").await;
    assert_eq!(contributor["type"], "contributor");
    for missing in ["/ar/no-such-story", "/topics/nothing", "/2019/01/01/x", "/"] {
        let encoded: String = url::form_urlencoded::byte_serialize(missing.as_bytes()).collect();
        let (status, content_type, problem) = app.get_json(&format!("/v1/resolve?path={encoded}")).await;
        assert_eq!(status, 404, "{missing}: {problem}");
        assert_eq!(content_type, "application/problem+json");
    }
    for bad in ["", "ar/x", "/a/../b", "%2F%25ff%25fe", "//evil.example/x"] {
        let (status, _, problem) = app.get_json(&format!("/v1/resolve?path={bad}")).await;
        assert_eq!(status, 400, "{bad}: {problem}");
    }
    let (status, _, _) = app.get_json("/v1/resolve").await;
    assert_eq!(status, 400, "path is required");
}

async fn editors_manage_redirects_and_bad_ones_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    let (_, _, demo) = app.get_json("/v1/articles?language=ar&limit=1").await;
    let demo_id = demo["data"][0]["id"].as_str().unwrap().to_owned();
    let demo_slug = demo["data"][0]["slug"].as_str().unwrap().to_owned();
    let create =
        |body: serde_json::Value| send(app.authed(Method::POST, "/v1/redirects", &editor).json(&body));
    let (status, headers, made) =
        create(json!({"from": "/2020/07/03/sarraj/", "to": {"article": demo_id}})).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["from"], "/2020/07/03/sarraj");
    assert_eq!(made["status"], 301);
    assert_eq!(made["source"], "manual");
    assert!(headers["location"]
        .to_str()
        .unwrap()
        .starts_with("/v1/redirects/"));
    let (_, _, resolved) = app.get_json("/v1/resolve?path=/2020/07/03/sarraj").await;
    assert_eq!(resolved["type"], "redirect", "cached 404s are gone: {resolved}");
    assert_eq!(resolved["path"], format!("/ar/{demo_slug}"));
    let (status, _, outside) =
        create(json!({"from": "/feed/", "to": {"url": "https://partner.example.com/feed"}, "status": 302}))
            .await;
    assert_eq!(status, 201, "{outside}");
    let (_, _, resolved) = app.get_json("/v1/resolve?path=/feed").await;
    assert_eq!(
        (resolved["status"].as_u64(), resolved["location"].as_str()),
        (Some(302), Some("https://partner.example.com/feed"))
    );

    let refused = [
        (
            json!({"from": "no-slash", "to": {"url": "https://x.example/"}}),
            422,
            "/from",
        ),
        (json!({"from": "/a", "to": {}}), 422, "/to"),
        (
            json!({"from": "/a", "to": {"topic": "libya", "url": "https://x.example/"}}),
            422,
            "/to",
        ),
        (
            json!({"from": "/a", "to": {"article": "0190f3c2-7d1e-7c4a-9b1e-3f0c2a6d8e11"}}),
            422,
            "/to/article",
        ),
        (
            json!({"from": "/a", "to": {"topic": "nowhere"}}),
            422,
            "/to/topic",
        ),
        (
            json!({"from": "/a", "to": {"url": "javascript:alert(1)"}}),
            422,
            "/to/url",
        ),
        (json!({"from": "/a", "to": {"url": "/a/"}}), 422, "/to/url"),
        (
            json!({"from": "/a", "to": {"url": "https://x.example/"}, "status": 200}),
            422,
            "/status",
        ),
        (
            json!({"from": "/a", "to": {"url": "https://x.example/"}, "colour": "red"}),
            422,
            "/colour",
        ),
        (
            json!({"from": "/2020/07/03/sarraj", "to": {"url": "https://x.example/"}}),
            409,
            "/from",
        ),
        (
            json!({"from": format!("/ar/{demo_slug}"), "to": {"url": "https://x.example/"}}),
            409,
            "/from",
        ),
        (
            json!({"from": "/topics/libya", "to": {"url": "https://x.example/"}}),
            409,
            "/from",
        ),
    ];
    for (body, expected, field) in refused {
        let (status, _, problem) = create(body.clone()).await;
        assert_eq!(status, expected, "{body}: {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
    }
    let (status, _, page) = send(app.authed(Method::GET, "/v1/redirects?limit=1", &editor)).await;
    assert_eq!(status, 200);
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    let after = page["next_after"].as_i64().unwrap();
    let (_, _, rest) = send(app.authed(Method::GET, &format!("/v1/redirects?after={after}"), &editor)).await;
    assert_eq!(rest["data"][0]["from"], "/feed");
    assert!(rest["next_after"].is_null());
    let (status, _, _) = send(app.authed(Method::GET, "/v1/redirects?limit=0", &editor)).await;
    assert_eq!(status, 400);
    let id = made["id"].as_i64().unwrap();
    let (status, _, _) = send(app.authed(Method::DELETE, &format!("/v1/redirects/{id}"), &editor)).await;
    assert_eq!(status, 204);
    let (status, _, _) = send(app.authed(Method::DELETE, &format!("/v1/redirects/{id}"), &editor)).await;
    assert_eq!(status, 404);
    let (status, _, _) = app.get_json("/v1/resolve?path=/2020/07/03/sarraj").await;
    assert_eq!(status, 404, "deleted, and the cached answer with it");
}

on_both_backends!(
    renamed_articles_answer_at_their_old_slugs,
    site_paths_resolve_to_what_they_show,
    editors_manage_redirects_and_bad_ones_are_refused,
);
