//! Hostile inputs by class (issue 28): characters text may not hold, in every field and every
//! door (bodies, uploads' metadata, query strings); links and redirects that leave the site by
//! a back door; markup built to make the sanitizer quadratic; methods judged before keys; and
//! JSON Feed items that carry content even without a body.

use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{published_article, send, Backend, TestApp};
use crate::on_both_backends;

fn article_count(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    khabar::db::schema::articles::table
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

fn field_error(problem: &Value) -> (String, String) {
    let error = &problem["errors"][0];
    (
        error["field"].as_str().unwrap_or_default().to_owned(),
        error["code"].as_str().unwrap_or_default().to_owned(),
    )
}

/// NUL, ESC, DEL, C1, noncharacters and open bidi controls are refused in every field with
/// a 422 naming it, on both backends (PostgreSQL would otherwise answer a NUL with a 500),
/// and nothing is written; tab, newline and balanced bidi controls are text.
async fn characters_text_may_not_hold_are_refused_everywhere(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    let before = article_count(&app);
    let article = |headline: &str, paragraph: &str| json!({"language": "ar", "headline": headline, "body": [{"type": "paragraph", "html": paragraph}]});
    for (body, field) in [
        (article("a\u{0}b", "نص"), "/headline"),
        (article("\u{1b}[31mred", "نص"), "/headline"),
        (article("ok", "x\u{FFFE}"), "/body/0/html"),
        (article("ok", "\u{7f}"), "/body/0/html"),
        (article("Eve \u{202E}evil", "نص"), "/headline"),
        (
            json!({"language": "ar", "headline": "ok", "lead": "\u{85}", "body": []}),
            "/lead",
        ),
    ] {
        let (status, _, problem) = send(app.authed(Method::POST, "/v1/articles", &editor).json(&body)).await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert_eq!(
            field_error(&problem),
            (field.to_owned(), "forbidden-character".to_owned()),
            "{problem}"
        );
    }
    for (path, body, field) in [
        (
            "/v1/contributors",
            json!({"slug": "eve", "kind": "person", "name": "Eve \u{202E}evil"}),
            "/name",
        ),
        (
            "/v1/topics",
            json!({"slug": "t", "kind": "tag", "name": "a\u{0}"}),
            "/name",
        ),
        (
            "/v1/redirects",
            json!({"from": "/old\u{0}", "to": {"url": "https://example.com/"}}),
            "/from",
        ),
    ] {
        let (status, _, problem) = send(app.authed(Method::POST, path, &editor).json(&body)).await;
        assert_eq!(status, 422, "{path}: {problem}");
        assert_eq!(field_error(&problem).0, field, "{path}: {problem}");
    }
    // An upload's metadata is a body too.
    let form = Form::new()
        .part(
            "file",
            Part::bytes(crate::uploads::jpeg(8, 8))
                .file_name("p.jpg")
                .mime_str("image/jpeg")
                .unwrap(),
        )
        .text("metadata", json!({"credit": "AFP\u{0}"}).to_string());
    let (status, _, problem) = send(
        app.authed(Method::POST, "/v1/media/upload", &editor)
            .multipart(form),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(field_error(&problem).1, "forbidden-character");
    assert_eq!(article_count(&app), before, "nothing was written");

    // Query strings: a NUL reaches no database.
    for path in [
        "/v1/search?q=%00",
        "/v1/articles?topic=%00",
        "/v1/articles/%00",
        "/v1/resolve?path=%2F%00",
        "/v1/contributors/%00",
    ] {
        let status = app.get(path).await.status().as_u16();
        assert!((400..500).contains(&status), "{path}: {status}");
    }

    // Text that only looks unusual is text.
    let (status, _, made) = send(app.authed(Method::POST, "/v1/articles", &editor).json(&article(
        "\u{2067}عاجل\u{2069}: Eve \u{202E}evil\u{202C} with AFP",
        "سطر\tأول<br>\nسطر ثانٍ \u{200F}",
    )))
    .await;
    assert_eq!(status, 201, "{made}");
}

/// `/\evil.example`, `/%5Cevil.example` and `//evil.example` are other sites to a browser: a
/// redirect may not lead there and a paragraph's link loses such a target, like every other
/// URL field.
async fn links_do_not_leave_the_site_by_a_back_door(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    for target in ["/\\evil.example/x", "/%5Cevil.example/x", "//evil.example/x"] {
        let (status, _, problem) = send(
            app.authed(Method::POST, "/v1/redirects", &editor)
                .json(&json!({"from": "/leaving", "to": {"url": target}})),
        )
        .await;
        assert_eq!(status, 422, "{target}: {problem}");
        assert_eq!(field_error(&problem).0, "/to/url", "{problem}");
    }
    let (status, _, problem) = send(
        app.authed(Method::POST, "/v1/redirects", &editor)
            .json(&json!({"from": "/\\evil.example", "to": {"url": "https://example.com/"}})),
    )
    .await;
    assert_eq!(status, 422, "{problem}");

    let html = r#"<a href="//evil.example/a">a</a> <a href="/\evil.example/b">b</a> <a href="/ar/x">c</a>"#;
    let (status, _, made) = send(app.authed(Method::POST, "/v1/articles", &editor).json(
        &json!({"language": "ar", "headline": "روابط", "body": [{"type": "paragraph", "html": html}]}),
    ))
    .await;
    assert_eq!(status, 201, "{made}");
    let stored = made["body"][0]["html"].as_str().unwrap();
    assert!(!stored.contains("evil.example\""), "{stored}");
    assert!(!stored.contains("href=\"//"), "{stored}");
    assert!(stored.contains("href=\"/ar/x\""), "{stored}");
}

/// Markup built to make the HTML parser quadratic is refused by a linear count first.
async fn markup_bombs_are_refused_quickly(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    for html in [
        format!("{}x{}", "<div>".repeat(15_000), "</p>".repeat(5_000)),
        format!("{}x{}", "<b>".repeat(20_000), "</i>".repeat(10_000)),
        format!("{}x", "<b>".repeat(100)),
    ] {
        let started = std::time::Instant::now();
        let (status, _, problem) = send(app.authed(Method::POST, "/v1/articles", &editor).json(
            &json!({"language": "ar", "headline": "قنبلة", "body": [{"type": "paragraph", "html": html}]}),
        ))
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(field_error(&problem).0, "/body/0/html", "{problem}");
        // Not a timing assertion of speed, only that it is nowhere near the old seconds.
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}

/// Methods first, then credentials; nested objects refuse unknown fields like the top level;
/// a bodiless article still has content in JSON Feed.
async fn the_contract_holds_at_its_edges(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    let trace = crate::helpers::http_client()
        .request(Method::TRACE, app.url("/v1/articles"))
        .header("X-Api-Key", "not-a-key")
        .send()
        .await
        .unwrap();
    assert_eq!(trace.status(), 405);

    let (status, _, problem) = send(app.authed(Method::POST, "/v1/articles", &editor).json(
        &json!({"language": "ar", "headline": "فاصل", "body": [{"type": "divider", "x-unknown": 42}]}),
    ))
    .await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem.to_string().contains("unknown field"), "{problem}");

    // A published article without a body (as imports bring them: a WordPress post with an
    // image only, or none).
    let (id, _) = published_article(&app, &editor, "بلا نص").await;
    {
        use diesel::prelude::*;
        use khabar::db::schema::{article_blocks, articles};
        let article: i64 = articles::table
            .filter(articles::public_id.eq(&id))
            .select(articles::id)
            .first(&mut app.conn())
            .unwrap();
        diesel::delete(article_blocks::table.filter(article_blocks::article_id.eq(article)))
            .execute(&mut app.conn())
            .unwrap();
    }
    app.republish();
    let (status, _, feed) = app.get_json("/feeds/ar/feed.json").await;
    assert_eq!(status, 200);
    for item in feed["items"].as_array().unwrap() {
        let html = item["content_html"].as_str().filter(|h| !h.is_empty());
        let text = item["content_text"].as_str().filter(|t| !t.is_empty());
        assert!(html.is_some() || text.is_some(), "{item}");
    }
}

on_both_backends!(
    characters_text_may_not_hold_are_refused_everywhere,
    links_do_not_leave_the_site_by_a_back_door,
    markup_bombs_are_refused_quickly,
    the_contract_holds_at_its_edges,
);

/// Reads one HTTP/1.1 answer (head and a Content-Length body) from `stream`; its status.
async fn read_answer(stream: &mut tokio::net::TcpStream) -> u16 {
    use tokio::io::AsyncReadExt;
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().unwrap());
            while buffer.len() < end + 4 + length {
                let n = stream.read(&mut chunk).await.unwrap();
                assert!(n > 0, "the answer was cut");
                buffer.extend_from_slice(&chunk[..n]);
            }
            return head[9..12].parse().unwrap();
        }
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "closed before an answer");
        buffer.extend_from_slice(&chunk[..n]);
    }
}

/// The head of every request on a kept-alive connection has a deadline, not only the first:
/// headers trickled a byte at a time after a first answer get the connection closed, while a
/// client that sends its next request whole, late but within keep-alive, is served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_second_request_head_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = crate::helpers::TestDb::create(Backend::Sqlite);
    let mut settings = crate::helpers::settings(db.url.clone());
    settings.client_limits.header_timeout = std::time::Duration::from_secs(1);
    let app = TestApp::spawn_owning(db, settings).await;
    let address = app.url("").trim_start_matches("http://").to_owned();
    let request = b"GET /v1/articles?limit=1 HTTP/1.1\r\nHost: x\r\nUser-Agent: test\r\n\r\n";

    let mut patient = tokio::net::TcpStream::connect(&address).await.unwrap();
    patient.write_all(request).await.unwrap();
    assert_eq!(read_answer(&mut patient).await, 200);
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    patient.write_all(request).await.unwrap();
    assert_eq!(
        read_answer(&mut patient).await,
        200,
        "a late but whole request is served"
    );

    let mut trickler = tokio::net::TcpStream::connect(&address).await.unwrap();
    trickler.write_all(request).await.unwrap();
    assert_eq!(read_answer(&mut trickler).await, 200);
    let started = std::time::Instant::now();
    let mut closed = false;
    for byte in request.iter().cycle().take(60) {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        if trickler.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        let mut probe = [0u8; 1];
        match tokio::time::timeout(std::time::Duration::from_millis(1), trickler.read(&mut probe)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                closed = true;
                break;
            }
            _ => {}
        }
    }
    assert!(closed, "still open after {:?}", started.elapsed());
    // Keep-alive (5 s) plus the header deadline (1 s), checked every half second.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(12),
        "{:?}",
        started.elapsed()
    );
}

/// Near the connection cap, idle kept-alive connections are closed first (the longest idle
/// first), so that a client with a request to make is not locked out by idle ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_make_room_near_the_cap() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = crate::helpers::TestDb::create(Backend::Sqlite);
    let mut settings = crate::helpers::settings(db.url.clone());
    settings.client_limits.max_connections = 20;
    let app = TestApp::spawn_owning(db, settings).await;
    let address = app.url("").trim_start_matches("http://").to_owned();
    let request = b"GET /v1/articles?limit=1 HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut idle = Vec::new();
    for _ in 0..17 {
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        stream.write_all(request).await.unwrap();
        assert_eq!(read_answer(&mut stream).await, 200);
        idle.push(stream);
    }
    let mut newcomer = tokio::net::TcpStream::connect(&address).await.unwrap();
    newcomer.write_all(request).await.unwrap();
    assert_eq!(read_answer(&mut newcomer).await, 200);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let mut closed = 0;
    for stream in &mut idle {
        let mut probe = [0u8; 1];
        if let Ok(Ok(0)) =
            tokio::time::timeout(std::time::Duration::from_millis(50), stream.read(&mut probe)).await
        {
            closed += 1;
        }
    }
    assert!(closed >= 1, "no idle connection was closed near the cap");
    assert!(closed <= 2, "{closed} idle connections closed for one newcomer");
}
