//! What an Arabic-first desk needs from the API beyond reading and writing: pickers that find
//! topics and contributors by name in any language, a stories list searched as search reads
//! Arabic, stable codes for every problem and field error (the desk translates them), the
//! actions each user may take on an article, what a role may do, and who made each revision.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{send, Backend, TestApp};
use crate::on_both_backends;

fn slugs(page: &Value) -> Vec<&str> {
    page["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data: {page}"))
        .iter()
        .map(|x| x["slug"].as_str().unwrap())
        .collect()
}

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let (status, _, body) = send(app.authed(Method::GET, path, token)).await;
    (status, body)
}

async fn pickers_find_topics_and_contributors_by_name_in_any_language(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cases = [
        // Typed as an editor types: Arabic without hamza, a word's start, Latin in any case.
        ("/v1/topics?q=راس%20جدير", vec!["ras-ajdir"]),
        ("/v1/topics?q=تركيه", vec!["turkey"]),
        ("/v1/topics?q=ليب", vec!["libya"]),
        ("/v1/topics?q=طرابلس", vec!["tripoli"]),
        ("/v1/topics?q=LIBYA", vec!["libya"]),
        ("/v1/topics?q=خلوصي%20اكار", vec!["hulusi-akar"]),
        ("/v1/topics?q=السراج", vec!["fayez-al-sarraj"]),
        ("/v1/contributors?q=يورونيوز", vec!["euronews"]),
        ("/v1/contributors?q=ا%20ف%20ب", vec!["afp"]),
        ("/v1/contributors?q=afp", vec!["afp"]),
        // Nothing a word, or nothing that matches: an empty page, not every row.
        ("/v1/topics?q=%25%25", vec![]),
        ("/v1/topics?q=زززز", vec![]),
    ];
    for (path, expected) in cases {
        let (status, _, page) = app.get_json(path).await;
        assert_eq!(status, 200, "{path}: {page}");
        let found = slugs(&page);
        for slug in &expected {
            assert!(found.contains(slug), "{path}: {found:?} lacks {slug}");
        }
        if expected.is_empty() {
            assert!(found.is_empty(), "{path}: {found:?}");
        }
    }
    // A cursor belongs to the query it came from.
    let (_, _, page) = app.get_json("/v1/topics?q=ا&limit=1").await;
    let cursor = page["next_cursor"]
        .as_str()
        .expect("more than one topic has an alef word");
    let (status, _, problem) = app
        .get_json(&format!("/v1/topics?q=ب&limit=1&cursor={cursor}"))
        .await;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(problem["errors"][0]["code"], "format");
    // Bounded like every text parameter.
    let (status, _, problem) = app
        .get_json(&format!("/v1/contributors?q={}", "ب".repeat(201)))
        .await;
    assert_eq!(status, 400);
    assert_eq!(problem["errors"][0]["code"], "too-long");
    assert_eq!(problem["errors"][0]["limit"], 200);

    // A staff writer created from an Arabic name alone is found by it, with a usable slug.
    let token = app.token("editor").await;
    let (status, _, created) = send(
        app.authed(Method::POST, "/v1/contributors", &token)
            .json(&json!({"kind": "person", "name": "مُراسِلة الميدان"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let slug = created["slug"].as_str().unwrap();
    assert!(
        !slug.is_empty() && slug.chars().all(|c| c.is_alphanumeric() || c == '-'),
        "{slug}"
    );
    let (_, _, page) = app.get_json("/v1/contributors?q=مراسله").await;
    assert_eq!(slugs(&page), [slug]);
    let (status, _, one) = app
        .get_json(&format!("/v1/contributors/{}", crate::helpers::segment(slug)))
        .await;
    assert_eq!(status, 200, "{one}");
}

async fn the_stories_list_reads_arabic_as_search_does(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    let mut ids = Vec::new();
    for headline in ["وزير الدفاع في أنقرة", "Ankara: the défense minister", "خبر آخر"]
    {
        let (status, _, article) = send(
            app.authed(Method::POST, "/v1/articles", &editor)
                .json(&json!({"language": "ar", "headline": headline})),
        )
        .await;
        assert_eq!(status, 201, "{article}");
        ids.push(article["id"].as_str().unwrap().to_owned());
    }
    let found = |page: &Value| -> Vec<String> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect()
    };
    for (q, expected) in [
        ("انقرة", vec![0]),
        ("والدفاع", vec![0]),
        ("الدفاع%20انقره", vec![0]),
        ("defense", vec![1]),
        ("ANKARA", vec![1]),
        ("خبر", vec![2]),
    ] {
        let (status, page) = get(
            &app,
            &editor,
            &format!("/v1/editorial/articles?status=draft&q={q}"),
        )
        .await;
        assert_eq!(status, 200, "{q}: {page}");
        let want: Vec<String> = expected.iter().map(|i| ids[*i].clone()).collect();
        assert_eq!(found(&page), want, "{q}");
    }
    // An edit changes what the headline is found by.
    let (_, headers, _) = send(app.authed(
        Method::GET,
        &format!("/v1/articles/{}/editorial", ids[2]),
        &editor,
    ))
    .await;
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let (status, _, _) = send(
        app.authed(Method::PATCH, &format!("/v1/articles/{}", ids[2]), &editor)
            .header("If-Match", etag)
            .header("Content-Type", "application/merge-patch+json")
            .body(json!({"headline": "تقرير من طرابلس"}).to_string()),
    )
    .await;
    assert_eq!(status, 200);
    let (_, page) = get(&app, &editor, "/v1/editorial/articles?q=خبر&status=draft").await;
    assert!(found(&page).is_empty(), "{page}");
    let (_, page) = get(&app, &editor, "/v1/editorial/articles?q=طرابلس&status=draft").await;
    assert_eq!(found(&page), [ids[2].clone()]);
}

async fn problems_and_field_errors_carry_stable_codes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    let (status, _, problem) = send(app.authed(Method::POST, "/v1/articles", &editor).json(&json!({
        "language": "ar",
        "headline": "ع".repeat(301),
        "bylines": [{"contributor": "لا-أحد", "role": "author"}],
        "topics": [{"topic": "تركيا"}],
        "surprise": 1
    })))
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "unprocessable");
    assert_eq!(problem["type"], "urn:khabar:problem:unprocessable");
    let errors = problem["errors"].as_array().unwrap();
    assert_eq!(
        errors.len(),
        1,
        "unknown fields are refused before anything else: {problem}"
    );
    assert_eq!(errors[0]["code"], "unknown-field");
    assert_eq!(errors[0]["field"], "/surprise");

    let (status, _, problem) = send(app.authed(Method::POST, "/v1/articles", &editor).json(&json!({
        "language": "ar",
        "headline": "ع".repeat(301),
        "bylines": [{"contributor": "لا-أحد", "role": "author"}],
        "topics": [{"topic": "تركيا"}],
    })))
    .await;
    assert_eq!(status, 422, "{problem}");
    let errors = problem["errors"].as_array().unwrap();
    let by_field = |field: &str| {
        errors
            .iter()
            .find(|e| e["field"] == field)
            .unwrap_or_else(|| panic!("no error for {field}: {problem}"))
    };
    assert_eq!(by_field("/headline")["code"], "too-long");
    assert_eq!(by_field("/headline")["limit"], 300);

    let (status, _, problem) = send(app.authed(Method::POST, "/v1/articles", &editor).json(&json!({
        "language": "ar",
        "headline": "عنوان",
        "bylines": [{"contributor": "لا-أحد", "role": "author"}],
        "topics": [{"topic": "تركيا"}],
    })))
    .await;
    assert_eq!(status, 422, "{problem}");
    let errors = problem["errors"].as_array().unwrap();
    let by_field = |field: &str| errors.iter().find(|e| e["field"] == field).unwrap().clone();
    assert_eq!(by_field("/bylines/0/contributor")["code"], "not-found");
    assert_eq!(by_field("/bylines/0/contributor")["value"], "لا-أحد");
    assert_eq!(by_field("/topics/0/topic")["code"], "not-found");
    assert_eq!(by_field("/topics/0/topic")["value"], "تركيا");
    let (status, _, problem) = send(app.authed(Method::POST, "/v1/articles", &editor).json(&json!({
        "language": "ar", "headline": 7
    })))
    .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["code"], "wrong-type", "{problem}");

    // Publishing a story whose photo has no credit names the photo's place.
    let asset = send(app.authed(Method::POST, "/v1/media", &editor).json(&json!({
        "kind": "image", "url": "https://media.example.com/x.jpg", "mime_type": "image/jpeg"
    })))
    .await
    .2;
    let (status, headers, article) = send(app.authed(Method::POST, "/v1/articles", &editor).json(&json!({
        "language": "ar", "headline": "صورة بلا حقوق",
        "body": [{"type": "paragraph", "html": "نص"}, {"type": "image", "media_id": asset["id"]}]
    })))
    .await;
    assert_eq!(status, 201, "{article}");
    let (status, _, problem) = send(
        app.authed(
            Method::POST,
            &format!("/v1/articles/{}/transitions", article["id"].as_str().unwrap()),
            &editor,
        )
        .header("If-Match", headers["etag"].to_str().unwrap())
        .json(&json!({"to": "published"})),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["code"], "uncredited");
    assert_eq!(problem["errors"][0]["field"], "/body/1/media_id");
    assert_eq!(problem["errors"][0]["value"], asset["id"]);

    // Problems without fields have their code too.
    let (status, _, problem) = app.get_json("/v1/articles/no-such-article").await;
    assert_eq!(status, 404);
    assert_eq!(problem["code"], "not-found");
}

async fn the_editorial_answer_says_what_the_caller_may_do(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let writer = app.token("writer").await;
    let editor = app.token("editor").await;
    let (status, me) = get(&app, &writer, "/v1/auth/me").await;
    assert_eq!(status, 200);
    assert_eq!(
        me["permissions"],
        json!(["create_article", "edit_own_draft", "register_media"])
    );
    let (_, me) = get(&app, &editor, "/v1/auth/me").await;
    assert!(me["permissions"].as_array().unwrap().contains(&json!("publish")));

    let (status, headers, draft) = send(app.authed(Method::POST, "/v1/articles", &writer).json(
        &json!({"language": "ar", "headline": "مسودة", "body": [{"type": "paragraph", "html": "نص"}]}),
    ))
    .await;
    assert_eq!(status, 201);
    assert_eq!(draft["actions"]["transitions"], json!(["in_review"]));
    assert_eq!(draft["actions"]["edit"], true);
    assert_eq!(draft["actions"]["correct"], false);
    let id = draft["id"].as_str().unwrap();
    let (_, as_editor) = get(&app, &editor, &format!("/v1/articles/{id}/editorial")).await;
    assert_eq!(
        as_editor["actions"]["transitions"],
        json!(["in_review", "scheduled", "published"])
    );

    let (status, _, published) = send(
        app.authed(Method::POST, &format!("/v1/articles/{id}/transitions"), &editor)
            .header("If-Match", headers["etag"].to_str().unwrap())
            .json(&json!({"to": "published"})),
    )
    .await;
    assert_eq!(status, 200, "{published}");
    assert_eq!(published["actions"]["transitions"], json!(["unpublished"]));
    assert_eq!(published["actions"]["correct"], true);
    let (_, as_writer) = get(&app, &writer, &format!("/v1/articles/{id}/editorial")).await;
    assert_eq!(as_writer["actions"]["transitions"], json!([]));
    assert_eq!(as_writer["actions"]["edit"], false);

    // Each revision names who made it.
    let (status, revisions) = get(&app, &editor, &format!("/v1/articles/{id}/revisions")).await;
    assert_eq!(status, 200, "{revisions}");
    let list = revisions
        .as_array()
        .or_else(|| revisions["data"].as_array())
        .unwrap();
    let names: Vec<&str> = list.iter().map(|r| r["actor_name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2);
    assert!(names[0].starts_with("editor"), "{names:?}");
    assert!(names[1].starts_with("writer"), "{names:?}");
}

on_both_backends!(
    pickers_find_topics_and_contributors_by_name_in_any_language,
    the_stories_list_reads_arabic_as_search_does,
    problems_and_field_errors_carry_stable_codes,
    the_editorial_answer_says_what_the_caller_may_do,
);
