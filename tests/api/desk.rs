//! What the desk needs from the API, for every client: browser sessions (refresh token in an
//! HttpOnly cookie, Origin checked), the list of articles in every status, unpublished media
//! for editors, and the desk's own files under their security headers.

use reqwest::header::{HeaderMap, SET_COOKIE};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{send, Backend, TestApp};
use crate::on_both_backends;
use crate::uploads::{file, jpeg};

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("khabar_session="))
        .map(str::to_owned)
}

fn cookie_value(set_cookie: &str) -> &str {
    set_cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("khabar_session=")
}

async fn start(app: &TestApp, email: &str, password: &str, origin: Option<&str>) -> (u16, HeaderMap, Value) {
    let mut request = app
        .client
        .post(app.url("/v1/auth/session"))
        .json(&json!({"email": email, "password": password}));
    if let Some(origin) = origin {
        request = request.header("Origin", origin);
    }
    send(request).await
}

async fn refresh(app: &TestApp, cookie: Option<&str>, origin: &str) -> (u16, HeaderMap, Value) {
    let mut request = app
        .client
        .post(app.url("/v1/auth/session/refresh"))
        .header("Origin", origin);
    if let Some(cookie) = cookie {
        request = request.header("Cookie", format!("khabar_session={cookie}"));
    }
    send(request).await
}

async fn browser_sessions_keep_the_refresh_token_in_a_cookie(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (email, password) = app.user("editor");
    let origin = app.address.as_str();

    // Another site, or no Origin at all: refused before the password is looked at.
    for bad in [None, Some("https://evil.example"), Some("http://127.0.0.1:1")] {
        let (status, headers, problem) = start(&app, &email, &password, bad).await;
        assert_eq!(status, 403, "{bad:?}: {problem}");
        assert!(session_cookie(&headers).is_none());
    }
    let (status, _, _) = start(&app, &email, "wrong password", Some(origin)).await;
    assert_eq!(status, 401);

    let (status, headers, body) = start(&app, &email, &password, Some(origin)).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.get("refresh_token").is_none(),
        "the refresh token never reaches page scripts"
    );
    let set = session_cookie(&headers).expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/v1/auth/session", "Max-Age="] {
        assert!(set.contains(attribute), "{attribute} in {set}");
    }
    let first = cookie_value(&set).to_owned();
    let access = body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(send(app.authed(Method::GET, "/v1/auth/me", &access)).await.0, 200);

    // Refresh: from another origin refused; with no cookie, 401; with the cookie, a new one.
    assert_eq!(refresh(&app, Some(&first), "https://evil.example").await.0, 403);
    assert_eq!(refresh(&app, None, origin).await.0, 401);
    let (status, headers, body) = refresh(&app, Some(&first), origin).await;
    assert_eq!(status, 200, "{body}");
    let second = cookie_value(&session_cookie(&headers).unwrap()).to_owned();
    assert_ne!(second, first);
    let access = body["access_token"].as_str().unwrap().to_owned();

    // The spent cookie again is a replay: refused, cleared, and the session is over.
    let (status, headers, _) = refresh(&app, Some(&first), origin).await;
    assert_eq!(status, 401);
    assert!(
        session_cookie(&headers).unwrap().contains("Max-Age=0"),
        "the dead cookie is cleared"
    );
    assert_eq!(refresh(&app, Some(&second), origin).await.0, 401);
    assert_eq!(send(app.authed(Method::GET, "/v1/auth/me", &access)).await.0, 401);

    // Signing out ends the session and clears the cookie.
    let (_, headers, body) = start(&app, &email, &password, Some(origin)).await;
    let cookie = cookie_value(&session_cookie(&headers).unwrap()).to_owned();
    let access = body["access_token"].as_str().unwrap().to_owned();
    let (status, headers, _) = send(app.authed(Method::DELETE, "/v1/auth/session", &access)).await;
    assert_eq!(status, 204);
    assert!(session_cookie(&headers).unwrap().contains("Max-Age=0"));
    assert_eq!(refresh(&app, Some(&cookie), origin).await.0, 401);
    assert_eq!(send(app.client.delete(app.url("/v1/auth/session"))).await.0, 401);
}

async fn create(app: &TestApp, token: &str, headline: &str) -> String {
    let (status, _, article) = send(
        app.authed(Method::POST, "/v1/articles", token)
            .json(&json!({"language": "ar", "headline": headline})),
    )
    .await;
    assert_eq!(status, 201, "{article}");
    article["id"].as_str().unwrap().to_owned()
}

async fn list(app: &TestApp, token: &str, query: &str) -> (u16, Value) {
    let (status, _, body) =
        send(app.authed(Method::GET, &format!("/v1/editorial/articles?{query}"), token)).await;
    (status, body)
}

fn ids(page: &Value) -> Vec<&str> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect()
}

async fn the_desk_lists_articles_in_every_status_to_those_who_edit_them(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    let writer = app.token("writer").await;
    let other_writer = app.token("writer").await;
    let mine = create(&app, &writer, "مسودة الكاتب: 50% من الأخبار").await;
    let theirs = create(&app, &other_writer, "Another writer's draft").await;
    let editors = create(&app, &editor, "An editor's draft").await;

    // An editor sees every status (the demo's published stories too), newest change first.
    let (status, page) = list(&app, &editor, "limit=100").await;
    assert_eq!(status, 200, "{page}");
    let all = ids(&page);
    assert_eq!(all[..3], [editors.clone(), theirs.clone(), mine.clone()]);
    assert!(page["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["status"] == "published"));
    let (_, drafts) = list(&app, &editor, "status=draft").await;
    assert_eq!(ids(&drafts), [editors.clone(), theirs.clone(), mine.clone()]);
    let (_, own) = list(&app, &editor, "mine=true").await;
    assert_eq!(ids(&own), [editors.as_str()]);

    // A writer sees their own articles only, whatever they ask for.
    for query in ["", "mine=false", "status=draft", "status=published"] {
        let (status, page) = list(&app, &writer, query).await;
        assert_eq!(status, 200);
        let expected: Vec<String> = if query.contains("published") {
            vec![]
        } else {
            vec![mine.clone()]
        };
        assert_eq!(ids(&page), expected, "{query}");
    }

    // Headline search: letter case ignored, LIKE's wildcards taken literally.
    assert_eq!(ids(&list(&app, &editor, "q=ANOTHER").await.1), [theirs.as_str()]);
    assert_eq!(ids(&list(&app, &editor, "q=50%25").await.1), [mine.as_str()]);
    assert_eq!(
        ids(&list(&app, &editor, "q=%25%25%25&status=draft").await.1),
        Vec::<String>::new()
    );
    assert_eq!(ids(&list(&app, &editor, "q=الكاتب").await.1), [mine.as_str()]);

    // Paging: every article once, in order, and a cursor only for the list it came from.
    let mut paged: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(c) => format!("limit=2&cursor={c}"),
            None => "limit=2".into(),
        };
        let (status, page) = list(&app, &editor, &query).await;
        assert_eq!(status, 200, "{page}");
        paged.extend(ids(&page).into_iter().map(str::to_owned));
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(paged, all);
    let (_, first) = list(&app, &editor, "limit=1").await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let (status, problem) = list(&app, &editor, &format!("status=draft&limit=1&cursor={cursor}")).await;
    assert_eq!(status, 400, "a cursor of another list: {problem}");
    assert_eq!(problem["errors"][0]["field"], "cursor");

    // Bad parameters are named; callers without the right are refused.
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("language=not a language", "language"),
        ("cursor=garbage", "cursor"),
    ] {
        let (status, problem) = list(&app, &editor, query).await;
        assert_eq!(status, 400, "{query}: {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{query}");
    }
    let long = "ب".repeat(201);
    let (status, problem) = list(&app, &editor, &format!("q={long}")).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (400, Some("q")));
    for query in ["status=pending", "mine=perhaps", "unknown=1"] {
        assert_eq!(list(&app, &editor, query).await.0, 400, "{query}");
    }
    let partner = app.token("partner").await;
    assert_eq!(list(&app, &partner, "").await.0, 403);
    assert_eq!(
        send(app.client.get(app.url("/v1/editorial/articles"))).await.0,
        401
    );
}

async fn editors_see_media_before_it_is_public(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let writer = app.token("writer").await;
    let form = reqwest::multipart::Form::new().part("file", file(&jpeg(64, 48), "image/jpeg"));
    let (status, _, uploaded) = send(
        app.authed(Method::POST, "/v1/media/upload", &writer)
            .multipart(form),
    )
    .await;
    assert_eq!(status, 201, "{uploaded}");
    let id = uploaded["id"].as_str().unwrap();

    assert_eq!(
        app.get_json(&format!("/v1/media/{id}")).await.0,
        404,
        "not public yet"
    );
    let (status, _, asset) =
        send(app.authed(Method::GET, &format!("/v1/media/{id}/editorial"), &writer)).await;
    assert_eq!(status, 200, "{asset}");
    assert_eq!(asset["id"], id);
    assert_eq!(asset["width"], 64);
    assert!(asset["credit"].is_null());
    assert!(!asset["renditions"].as_array().unwrap().is_empty());

    let partner = app.token("partner").await;
    assert_eq!(
        send(app.authed(Method::GET, &format!("/v1/media/{id}/editorial"), &partner))
            .await
            .0,
        403
    );
    assert_eq!(
        send(app.client.get(app.url(&format!("/v1/media/{id}/editorial"))))
            .await
            .0,
        401
    );
    let (status, _, problem) =
        send(app.authed(Method::GET, "/v1/media/no-such-asset/editorial", &writer)).await;
    assert_eq!(status, 404, "{problem}");
}

on_both_backends!(
    browser_sessions_keep_the_refresh_token_in_a_cookie,
    the_desk_lists_articles_in_every_status_to_those_who_edit_them,
    editors_see_media_before_it_is_public,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_is_served_under_a_strict_policy() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let no_redirects = crate::helpers::http_client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = no_redirects.get(app.url("/desk")).send().await.unwrap();
    assert_eq!(response.status(), 308);
    assert_eq!(response.headers()["location"], "/desk/");

    let response = app.get("/desk/").await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    let policy = headers["content-security-policy"].to_str().unwrap();
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert!(!policy.contains("unsafe"), "{policy}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    let page = response.text().await.unwrap();
    assert!(page.contains(r#"<script type="module" src="/desk/app.js">"#));
    assert!(!page.contains("<script>"), "no inline script");
    // Nothing from elsewhere: every script, style and icon is the desk's own.
    let elsewhere: Vec<&str> = page
        .split(['"', '\''])
        .filter(|s| s.starts_with("http") || s.starts_with("//"))
        .collect();
    assert!(
        elsewhere.is_empty(),
        "the desk loads from elsewhere: {elsewhere:?}"
    );

    let etag = headers["etag"].to_str().unwrap();
    let again = app
        .client
        .get(app.url("/desk/"))
        .header("If-None-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    let script = app.get("/desk/app.js").await;
    assert_eq!(script.headers()["content-type"], "text/javascript; charset=utf-8");
    for missing in [
        "/desk/nothing.js",
        "/desk/../Cargo.toml",
        "/desk/%2e%2e/Cargo.toml",
        "/desk/app.js/x",
    ] {
        let status = app.get(missing).await.status().as_u16();
        assert!(status == 404 || status == 400, "{missing}: {status}");
    }
}
