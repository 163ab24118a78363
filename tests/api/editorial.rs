//! Writing articles through the API: create, edit with If-Match, workflow, corrections,
//! revisions, previews, idempotent creates, and the bad inputs that must change nothing.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{send, Backend, TestApp};
use crate::on_both_backends;

const HEADLINE: &str = "وزير الدفاع التركي يزور طرابلس";

fn draft(headline: &str) -> Value {
    json!({
        "language": "ar",
        "headline": headline,
        "lead": "زيارة مفاجئة",
        "dateline": "طرابلس",
        "body": [
            {"type": "paragraph", "html": "وصل الوزير إلى <strong>طرابلس</strong> <script>alert(1)</script>اليوم."},
            {"type": "heading", "level": 2, "text": "التفاصيل"}
        ],
        "bylines": [{"contributor": "euronews", "role": "author"}, {"contributor": "afp", "role": "agency"}],
        "topics": [{"topic": "libya", "primary": true}, {"topic": "turkey"}]
    })
}

async fn create(app: &TestApp, token: &str, body: &Value) -> (u16, reqwest::header::HeaderMap, Value) {
    send(app.authed(Method::POST, "/v1/articles", token).json(body)).await
}

async fn created(app: &TestApp, token: &str, headline: &str) -> Value {
    let (status, _, body) = create(app, token, &draft(headline)).await;
    assert_eq!(status, 201, "{body}");
    body
}

fn version_tag(article: &Value) -> String {
    format!("\"v{}\"", article["version"])
}

async fn patch(
    app: &TestApp,
    token: &str,
    article: &Value,
    if_match: Option<&str>,
    body: Value,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = app
        .authed(
            Method::PATCH,
            &format!("/v1/articles/{}", article["id"].as_str().unwrap()),
            token,
        )
        .header("Content-Type", "application/merge-patch+json")
        .body(body.to_string());
    if let Some(tag) = if_match {
        request = request.header("If-Match", tag);
    }
    send(request).await
}

async fn transition(app: &TestApp, token: &str, article: &Value, to: Value) -> (u16, Value) {
    let (status, _, body) = send(
        app.authed(
            Method::POST,
            &format!("/v1/articles/{}/transitions", article["id"].as_str().unwrap()),
            token,
        )
        .header("If-Match", version_tag(article))
        .json(&to),
    )
    .await;
    (status, body)
}

async fn public(app: &TestApp, article: &Value) -> (u16, Value) {
    app.cache.invalidate_all();
    let (status, _, body) = app
        .get_json(&format!("/v1/articles/{}", article["id"].as_str().unwrap()))
        .await;
    (status, body)
}

fn article_count(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    khabar::db::schema::articles::table
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

async fn write_edit_publish_and_correct(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    let (status, headers, article) = create(&app, &editor, &draft(HEADLINE)).await;
    assert_eq!(status, 201, "{article}");
    assert_eq!(headers["etag"], "\"v1\"");
    assert_eq!(
        headers["location"].to_str().unwrap(),
        format!("/v1/articles/{}/editorial", article["id"].as_str().unwrap())
    );
    assert_eq!(article["status"], "draft");
    assert_eq!(article["slug"], "وزير-الدفاع-التركي-يزور-طرابلس");
    assert_eq!(
        article["body"][0]["html"],
        "وصل الوزير إلى <strong>طرابلس</strong> اليوم."
    );
    assert_eq!(public(&app, &article).await.0, 404, "a draft is not public");

    // The preview is the public representation, before publication.
    let id = article["id"].as_str().unwrap();
    let (status, _, preview) =
        send(app.authed(Method::GET, &format!("/v1/articles/{id}/preview"), &editor)).await;
    assert_eq!(status, 200);
    assert_eq!(preview["headline"], HEADLINE);
    assert_eq!(preview["byline"], "بقلم: يورونيوز مع أ ف ب");

    // No If-Match, a stale one, a foreign one: nothing changes.
    let (status, _, problem) = patch(&app, &editor, &article, None, json!({"headline": "x"})).await;
    assert_eq!(status, 428, "{problem}");
    let (status, headers, problem) =
        patch(&app, &editor, &article, Some("\"v7\""), json!({"headline": "x"})).await;
    assert_eq!(status, 412);
    assert_eq!(problem["current_version"], 1);
    assert_eq!(headers["etag"], "\"v1\"");
    let (status, _, _) = patch(&app, &editor, &article, Some("*"), json!({"headline": "x"})).await;
    assert_eq!(status, 428);

    let (status, headers, edited) = patch(
        &app,
        &editor,
        &article,
        Some("\"v1\""),
        json!({"lead": null, "headline": "عنوان جديد"}),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(headers["etag"], "\"v2\"");
    assert_eq!(edited["headline"], "عنوان جديد");
    assert_eq!(edited["lead"], Value::Null, "null removes a field");
    assert_eq!(
        edited["slug"], article["slug"],
        "the slug stays when the headline changes"
    );
    assert_eq!(
        edited["dateline"], "طرابلس",
        "fields the patch does not name stay"
    );

    let (status, published) = transition(&app, &editor, &edited, json!({"to": "published"})).await;
    assert_eq!(status, 200, "{published}");
    assert_eq!(published["status"], "published");
    let (status, shown) = public(&app, &published).await;
    assert_eq!(status, 200);
    assert_eq!(shown["headline"], "عنوان جديد");

    let (status, _, corrected) = send(
        app.authed(Method::POST, &format!("/v1/articles/{id}/corrections"), &editor)
            .header("If-Match", version_tag(&published))
            .json(&json!({"note": "صُحّح اسم الوزير"})),
    )
    .await;
    assert_eq!(status, 200, "{corrected}");
    let (_, shown) = public(&app, &corrected).await;
    assert_eq!(shown["corrections"][0]["note"], "صُحّح اسم الوزير");

    // Revisions: one per save, newest first; a diff; a restore as a new version.
    let (status, _, revisions) =
        send(app.authed(Method::GET, &format!("/v1/articles/{id}/revisions"), &editor)).await;
    assert_eq!(status, 200);
    let actions: Vec<&str> = revisions
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["correction", "transition:published", "update", "create"]
    );
    let (status, _, diff) = send(app.authed(
        Method::GET,
        &format!("/v1/articles/{id}/diff?from=1&to=2"),
        &editor,
    ))
    .await;
    assert_eq!(status, 200);
    let fields: Vec<&str> = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["headline", "lead"]);
    assert_eq!(diff["changes"][0]["from"], HEADLINE);
    let (status, _, restored) = send(
        app.authed(
            Method::POST,
            &format!("/v1/articles/{id}/revisions/1/restore"),
            &editor,
        )
        .header("If-Match", version_tag(&corrected)),
    )
    .await;
    assert_eq!(status, 200, "{restored}");
    assert_eq!(restored["headline"], HEADLINE);
    assert_eq!(restored["status"], "published", "a restore keeps the status");
    assert_eq!(restored["version"], 5);
    let (_, shown) = public(&app, &restored).await;
    assert_eq!(shown["headline"], HEADLINE);
    let (status, _, _) =
        send(app.authed(Method::GET, &format!("/v1/articles/{id}/revisions/99"), &editor)).await;
    assert_eq!(status, 404);

    // Delete needs the current version too; afterwards the article is gone for the public.
    let (status, _, _) = send(app.authed(Method::DELETE, &format!("/v1/articles/{id}"), &editor)).await;
    assert_eq!(status, 428);
    let (status, _, _) = send(
        app.authed(Method::DELETE, &format!("/v1/articles/{id}"), &editor)
            .header("If-Match", "\"v4\""),
    )
    .await;
    assert_eq!(status, 412);
    let (status, _, _) = send(
        app.authed(Method::DELETE, &format!("/v1/articles/{id}"), &editor)
            .header("If-Match", "\"v5\""),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(public(&app, &restored).await.0, 404);
}

async fn bad_input_is_named_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    let before = article_count(&app);
    let mut cases: Vec<(Value, &str, u16)> = Vec::new();
    let mut with = |field: &str, value: Value, pointer: &'static str| {
        let mut body = draft("عنوان");
        body[field] = value;
        cases.push((body, pointer, 422));
    };
    with("bogus", json!(1), "/bogus");
    with("headline", json!(42), "/headline");
    with("headline", json!("   "), "/headline");
    with("language", json!("arabic!"), "/language");
    with("slug", json!("Not A Slug"), "/slug");
    with("canonical_url", json!("javascript:alert(1)"), "/canonical_url");
    with(
        "body",
        json!([{"type": "heading", "level": 9, "text": "x"}]),
        "/body/0/level",
    );
    with("body", json!([{"type": "marquee"}]), "/body/0");
    with(
        "body",
        json!([{"type": "image", "media_id": "no-such-media"}]),
        "/body/0/media_id",
    );
    with(
        "bylines",
        json!([{"contributor": "nobody", "role": "author"}]),
        "/bylines/0/contributor",
    );
    with(
        "bylines",
        json!([{"contributor": "afp", "role": "boss"}]),
        "/bylines/0/role",
    );
    with("topics", json!([{"topic": "atlantis"}]), "/topics/0/topic");
    with(
        "related",
        json!(["00000000-0000-0000-0000-000000000000"]),
        "/related/0",
    );
    with(
        "featured_media",
        json!({"media_id": "missing"}),
        "/featured_media/media_id",
    );
    with("translation_of", json!("missing"), "/translation_of");
    for (body, pointer, status) in &cases {
        let (got, _, problem) = create(&app, &editor, body).await;
        assert_eq!(got, *status, "{pointer}: {problem}");
        assert_eq!(problem["type"], "urn:khabar:problem:unprocessable", "{pointer}");
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.iter().any(|f| f.starts_with(pointer)),
            "{pointer} not in {fields:?}"
        );
    }
    let raw = |body: &'static str, content_type: &'static str| {
        app.authed(Method::POST, "/v1/articles", &editor)
            .header("Content-Type", content_type)
            .body(body)
    };
    assert_eq!(send(raw("{\"language\": ", "application/json")).await.0, 400);
    assert_eq!(send(raw("<article/>", "application/xml")).await.0, 415);
    assert_eq!(send(raw("[1, 2]", "application/json")).await.0, 422);
    let huge = json!({"language": "ar", "headline": "x".repeat(2 * 1024 * 1024)});
    let (status, _, problem) = create(&app, &editor, &huge).await;
    assert_eq!(status, 413, "{problem}");
    assert_eq!(article_count(&app), before, "no bad request wrote a row");
}

async fn slugs_are_generated_free_or_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    let first = created(&app, &editor, "خبر عاجل").await;
    let second = created(&app, &editor, "خبر عاجل").await;
    assert_eq!(first["slug"], "خبر-عاجل");
    assert_eq!(second["slug"], "خبر-عاجل-2");
    let mut explicit = draft("خبر آخر");
    explicit["slug"] = json!("خبر-عاجل");
    let (status, _, problem) = create(&app, &editor, &explicit).await;
    assert_eq!(status, 409);
    assert_eq!(problem["errors"][0]["field"], "/slug");
    // The same slug in another language is another article.
    explicit["language"] = json!("en");
    assert_eq!(create(&app, &editor, &explicit).await.0, 201);
    let (status, _, problem) = patch(
        &app,
        &editor,
        &second,
        Some("\"v1\""),
        json!({"slug": "خبر-عاجل"}),
    )
    .await;
    assert_eq!(status, 409, "{problem}");
}

async fn the_workflow_refuses_moves_it_does_not_allow(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    let article = created(&app, &editor, "مسودة").await;
    let (status, problem) = transition(&app, &editor, &article, json!({"to": "archived"})).await;
    assert_eq!(status, 409);
    assert_eq!(problem["type"], "urn:khabar:problem:invalid-transition");
    assert_eq!(problem["allowed"], json!(["in_review", "scheduled", "published"]));
    let (status, problem) = transition(&app, &editor, &article, json!({"to": "scheduled"})).await;
    assert_eq!(status, 422, "scheduling needs a time: {problem}");
    let (status, _) = transition(
        &app,
        &editor,
        &article,
        json!({"to": "scheduled", "scheduled_at": "2000-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(status, 422, "in the past");
    let (status, _) = transition(
        &app,
        &editor,
        &article,
        json!({"to": "published", "scheduled_at": "2999-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = transition(&app, &editor, &article, json!({"to": "gone"})).await;
    assert_eq!(status, 422);
    let (status, published) = transition(&app, &editor, &article, json!({"to": "published"})).await;
    assert_eq!(status, 200);
    let (status, problem) = transition(&app, &editor, &published, json!({"to": "published"})).await;
    assert_eq!(status, 409);
    assert_eq!(problem["allowed"], json!(["unpublished"]));
    let (status, unpublished) = transition(&app, &editor, &published, json!({"to": "unpublished"})).await;
    assert_eq!(status, 200);
    assert_eq!(public(&app, &unpublished).await.0, 404);
    let (status, archived) = transition(&app, &editor, &unpublished, json!({"to": "archived"})).await;
    assert_eq!(status, 200);
    let (status, _, problem) = send(
        app.authed(
            Method::POST,
            &format!("/v1/articles/{}/corrections", archived["id"].as_str().unwrap()),
            &editor,
        )
        .header("If-Match", version_tag(&archived))
        .json(&json!({"note": "x"})),
    )
    .await;
    assert_eq!(status, 409, "corrections only on published articles: {problem}");
}

async fn publishing_needs_credited_media(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    let (status, _, media) = send(app.authed(Method::POST, "/v1/media", &editor).json(&json!({
        "kind": "image", "url": "https://media.example.com/x.jpg", "mime_type": "image/jpeg",
        "width": 1200, "height": 800, "caption": "صورة"
    })))
    .await;
    assert_eq!(status, 201, "{media}");
    let media_id = media["id"].as_str().unwrap();
    for (kind, mime) in [
        ("audio", "image/jpeg"),
        ("image", "video/mp4"),
        ("video", "audio/mpeg"),
    ] {
        let (status, _, problem) = send(app.authed(Method::POST, "/v1/media", &editor).json(&json!({
            "kind": kind, "url": "https://media.example.com/x.bin", "mime_type": mime, "credit": "AFP"
        })))
        .await;
        assert_eq!(status, 422, "{kind} as {mime}: {problem}");
        assert_eq!(problem["errors"][0]["field"], "/mime_type");
    }
    let mut body = draft("صورة بلا حقوق");
    body["featured_media"] = json!({"media_id": media_id});
    body["body"] = json!([{"type": "paragraph", "html": "نص"}, {"type": "image", "media_id": media_id, "caption": "تعليق"}]);
    let (status, _, article) = create(&app, &editor, &body).await;
    assert_eq!(status, 201, "{article}");
    let (status, problem) = transition(&app, &editor, &article, json!({"to": "published"})).await;
    assert_eq!(status, 422);
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains(media_id),
        "{problem}"
    );
    let (status, _, _) = send(
        app.authed(Method::PATCH, &format!("/v1/media/{media_id}"), &editor)
            .header("Content-Type", "application/merge-patch+json")
            .body(json!({"credit": "أ ف ب", "copyright_holder": "AFP"}).to_string()),
    )
    .await;
    assert_eq!(status, 200);
    let (status, published) = transition(&app, &editor, &article, json!({"to": "published"})).await;
    assert_eq!(status, 200, "{published}");
    let (_, shown) = public(&app, &published).await;
    assert_eq!(shown["featured_media"]["credit"], "أ ف ب");
    assert!(
        shown["body_html"].as_str().unwrap().contains("تعليق"),
        "{}",
        shown["body_html"]
    );
    // Now the credit cannot be taken away.
    let (status, _, problem) = send(
        app.authed(Method::PATCH, &format!("/v1/media/{media_id}"), &editor)
            .header("Content-Type", "application/merge-patch+json")
            .body(json!({"credit": null}).to_string()),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "/credit");
}

async fn writers_edit_their_own_drafts_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let writer = app.token("writer").await;
    let other_writer = app.token("writer").await;
    let editor = app.token("editor").await;
    let article = created(&app, &writer, "مقال الكاتب").await;
    let id = article["id"].as_str().unwrap();
    let (status, _, _) = patch(
        &app,
        &other_writer,
        &article,
        Some("\"v1\""),
        json!({"lead": "x"}),
    )
    .await;
    assert_eq!(
        status, 404,
        "another writer's draft is as missing as an id that does not exist"
    );
    let (missing_status, _, missing) = patch(
        &app,
        &other_writer,
        &json!({"id": "00000000000000000000000000", "version": 1}),
        Some("\"v1\""),
        json!({"lead": "x"}),
    )
    .await;
    let (_, _, hidden) = patch(
        &app,
        &other_writer,
        &article,
        Some("\"v1\""),
        json!({"lead": "x"}),
    )
    .await;
    assert_eq!(missing_status, 404);
    assert_eq!(
        hidden["detail"].as_str().unwrap().replace(id, "ID"),
        missing["detail"]
            .as_str()
            .unwrap()
            .replace("00000000000000000000000000", "ID"),
        "the same words for both"
    );
    let (status, _, edited) = patch(&app, &writer, &article, Some("\"v1\""), json!({"lead": "مقدمة"})).await;
    assert_eq!(status, 200);
    let (status, _) = transition(&app, &writer, &edited, json!({"to": "published"})).await;
    assert_eq!(status, 403, "writers do not publish");
    let (status, submitted) = transition(&app, &writer, &edited, json!({"to": "in_review"})).await;
    assert_eq!(status, 200);
    let (status, _, _) = patch(&app, &writer, &submitted, Some("\"v3\""), json!({"lead": "y"})).await;
    assert_eq!(status, 403, "in review, the draft is the editors'");
    let (status, _, _) =
        send(app.authed(Method::GET, &format!("/v1/articles/{id}/editorial"), &writer)).await;
    assert_eq!(status, 200, "writers still see their own articles");
    let (status, _, _) = send(app.authed(
        Method::GET,
        &format!("/v1/articles/{id}/editorial"),
        &other_writer,
    ))
    .await;
    assert_eq!(status, 404);
    let (status, published) = transition(&app, &editor, &submitted, json!({"to": "published"})).await;
    assert_eq!(status, 200, "{published}");
}

async fn concurrent_edits_never_overwrite_each_other(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    let article = created(&app, &editor, "سباق").await;
    let attempts = (0..8).map(|n| {
        let (app, editor, article) = (&app, &editor, &article);
        async move {
            let headline = format!("نسخة {n}");
            let (status, _, body) = patch(
                app,
                editor,
                article,
                Some("\"v1\""),
                json!({"headline": headline}),
            )
            .await;
            (status, headline, body)
        }
    });
    let results = futures_util::future::join_all(attempts).await;
    let winners: Vec<&(u16, String, Value)> = results.iter().filter(|(s, _, _)| *s == 200).collect();
    assert_eq!(
        winners.len(),
        1,
        "{:?}",
        results.iter().map(|r| r.0).collect::<Vec<_>>()
    );
    for (status, _, body) in results.iter().filter(|(s, _, _)| *s != 200) {
        assert_eq!(*status, 412, "{body}");
        assert_eq!(body["current_version"], 2);
    }
    let (_, _, now) = send(app.authed(
        Method::GET,
        &format!("/v1/articles/{}/editorial", article["id"].as_str().unwrap()),
        &editor,
    ))
    .await;
    assert_eq!(now["version"], 2);
    assert_eq!(now["headline"], winners[0].1.as_str());
}

async fn idempotent_creates_happen_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    let before = article_count(&app);
    let post = |key: &'static str, body: Value| {
        app.authed(Method::POST, "/v1/articles", &editor)
            .header("Idempotency-Key", key)
            .json(&body)
    };
    let (status, first_headers, first) = send(post("key-1", draft("مرة واحدة"))).await;
    assert_eq!(status, 201);
    assert!(first_headers.get("idempotent-replayed").is_none());
    let (status, headers, again) = send(post("key-1", draft("مرة واحدة"))).await;
    assert_eq!(status, 201);
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(again["id"], first["id"]);
    assert_eq!(headers["location"], first_headers["location"]);
    let (status, _, problem) = send(post("key-1", draft("طلب آخر"))).await;
    assert_eq!(status, 409, "{problem}");
    // Retries racing each other still create one article.
    let racing = (0..6).map(|_| send(post("key-2", draft("سباق المفاتيح"))));
    let results = futures_util::future::join_all(racing).await;
    let ids: std::collections::HashSet<String> = results
        .iter()
        .map(|(status, _, body)| {
            assert_eq!(*status, 201, "{body}");
            body["id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(article_count(&app), before + 2);
}

async fn preview_links_show_one_article_until_revoked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let writer = app.token("writer").await;
    let article = created(&app, &writer, "معاينة").await;
    let id = article["id"].as_str().unwrap();
    let (status, _, link) = send(
        app.authed(Method::POST, &format!("/v1/articles/{id}/preview-links"), &writer)
            .json(&json!({"expires_in": 600})),
    )
    .await;
    assert_eq!(status, 201, "{link}");
    let token = link["token"].as_str().unwrap();
    assert!(link["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/v1/preview/{token}")));
    let (status, _, shown) = send(app.client.get(app.url(&format!("/v1/preview/{token}")))).await;
    assert_eq!(status, 200);
    assert_eq!(shown["headline"], "معاينة");
    let mut tampered = token.to_owned();
    tampered.push('x');
    assert_eq!(
        send(app.client.get(app.url(&format!("/v1/preview/{tampered}"))))
            .await
            .0,
        404
    );
    // A preview token is not an access token.
    let (status, _, _) = send(app.authed(Method::GET, "/v1/auth/me", token)).await;
    assert_eq!(status, 401);
    let (status, _, _) = send(
        app.authed(Method::POST, &format!("/v1/articles/{id}/preview-links"), &writer)
            .json(&json!({"expires_in": 5})),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _, _) = send(app.authed(
        Method::DELETE,
        &format!("/v1/preview-links/{}", link["id"].as_str().unwrap()),
        &writer,
    ))
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        send(app.client.get(app.url(&format!("/v1/preview/{token}"))))
            .await
            .0,
        404
    );
}

async fn scheduled_articles_publish_themselves(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    let article = created(&app, &editor, "موعد النشر").await;
    let at = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    let (status, scheduled) = transition(
        &app,
        &editor,
        &article,
        json!({"to": "scheduled", "scheduled_at": at}),
    )
    .await;
    assert_eq!(status, 200, "{scheduled}");
    assert_eq!(public(&app, &article).await.0, 404);
    let shown = wait_until_public(&app, &article).await;
    assert_eq!(shown["headline"], "موعد النشر");
    let (_, _, revisions) = send(app.authed(
        Method::GET,
        &format!("/v1/articles/{}/revisions", article["id"].as_str().unwrap()),
        &editor,
    ))
    .await;
    assert_eq!(revisions[0]["action"], "transition:published:scheduled");
    assert_eq!(revisions[0]["actor_user_id"], Value::Null);

    // An embargoed article is published but hidden until the embargo lifts.
    let mut body = draft("تحت الحظر");
    body["embargo_until"] = json!(chrono::Utc::now() + chrono::Duration::milliseconds(1500));
    let (_, _, embargoed) = create(&app, &editor, &body).await;
    let (status, _) = transition(&app, &editor, &embargoed, json!({"to": "published"})).await;
    assert_eq!(status, 200);
    assert_eq!(public(&app, &embargoed).await.0, 404);
    wait_until_public(&app, &embargoed).await;
}

pub async fn wait_until_public(app: &TestApp, article: &Value) -> Value {
    for _ in 0..100 {
        let (status, body) = public(app, article).await;
        if status == 200 {
            return body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{} never became public", article["id"]);
}

on_both_backends!(
    write_edit_publish_and_correct,
    bad_input_is_named_and_changes_nothing,
    slugs_are_generated_free_or_refused,
    the_workflow_refuses_moves_it_does_not_allow,
    publishing_needs_credited_media,
    writers_edit_their_own_drafts_only,
    concurrent_edits_never_overwrite_each_other,
    idempotent_creates_happen_once,
    preview_links_show_one_article_until_revoked,
    scheduled_articles_publish_themselves,
);
