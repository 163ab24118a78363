//! Media upload: sniffed type, read dimensions, size limit, content-addressed storage served
//! with long-lived cache headers.

use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde_json::json;

use crate::helpers::{send, Backend, TestApp};
use crate::on_both_backends;

/// A 3×2 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00,
    0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0x12, 0x16, 0xf1, 0x4d, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

fn media_count(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    khabar::db::schema::media_assets::table
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

fn file(bytes: &[u8], claimed_type: &str) -> Part {
    Part::bytes(bytes.to_vec())
        .file_name("photo")
        .mime_str(claimed_type)
        .unwrap()
}

async fn uploads_are_sniffed_measured_stored_and_served(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let writer = app.token("writer").await;
    let upload = |form: Form| {
        app.authed(Method::POST, "/v1/media/upload", &writer)
            .multipart(form)
    };
    let metadata = json!({"caption": "صورة", "credit": "أ ف ب", "copyright_holder": "AFP"}).to_string();
    let form = Form::new()
        .part("file", file(PNG, "image/jpeg"))
        .text("metadata", metadata.clone());
    let (status, headers, media) = send(upload(form).header("Idempotency-Key", "upload-1")).await;
    assert_eq!(status, 201, "{media}");
    assert_eq!(
        media["mime_type"], "image/png",
        "sniffed, not the claimed image/jpeg"
    );
    assert_eq!(
        (media["width"].as_i64(), media["height"].as_i64()),
        (Some(3), Some(2))
    );
    assert_eq!(media["credit"], "أ ف ب");
    let url = media["url"].as_str().unwrap();
    assert!(
        url.starts_with("http://127.0.0.1/media-files/") && url.ends_with(".png"),
        "{url}"
    );
    assert_eq!(
        headers["location"].to_str().unwrap(),
        format!("/v1/media/{}", media["id"].as_str().unwrap())
    );

    let again = Form::new()
        .part("file", file(PNG, "image/png"))
        .text("metadata", metadata);
    let (status, headers, replay) = send(upload(again).header("Idempotency-Key", "upload-1")).await;
    assert_eq!(status, 201);
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(replay["id"], media["id"]);

    let path = url.trim_start_matches("http://127.0.0.1");
    let served = app.get(path).await;
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(
        served.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let etag = served.headers()["etag"].clone();
    assert_eq!(served.bytes().await.unwrap().as_ref(), PNG);
    let cached = app
        .client
        .get(app.url(path))
        .header("If-None-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), 304);
    assert_eq!(app.get("/media-files/..%2F..%2Fetc%2Fpasswd").await.status(), 404);
    assert_eq!(
        app.get("/media-files/00000000000000000000000000000000.png")
            .await
            .status(),
        404
    );

    let before = media_count(&app);
    let cases: Vec<(Form, u16, &str)> = vec![
        (
            Form::new().part("file", file(b"<svg onload=alert(1)/>", "image/svg+xml")),
            415,
            "an SVG",
        ),
        (
            Form::new().part("file", file(b"plain text", "image/png")),
            415,
            "text claimed as PNG",
        ),
        (Form::new().text("metadata", "{}"), 422, "no file"),
        (
            Form::new().part("file", file(PNG, "image/png")).text("exif", "x"),
            422,
            "an unknown part",
        ),
        (
            Form::new()
                .part("file", file(PNG, "image/png"))
                .text("metadata", "{\"credit\": 5}"),
            422,
            "metadata of the wrong type",
        ),
        (
            Form::new()
                .part("file", file(PNG, "image/png"))
                .text("metadata", "{\"owner\": \"x\"}"),
            422,
            "unknown metadata",
        ),
        (
            Form::new().part("file", file(&vec![0u8; 70 * 1024], "image/png")),
            413,
            "over the limit",
        ),
    ];
    for (form, expected, case) in cases {
        let (status, _, problem) = send(upload(form)).await;
        assert_eq!(status, expected, "{case}: {problem}");
        assert!(
            problem["type"]
                .as_str()
                .unwrap()
                .starts_with("urn:khabar:problem:"),
            "{case}"
        );
    }
    let (status, _, _) = send(
        app.authed(Method::POST, "/v1/media/upload", &writer)
            .json(&json!({})),
    )
    .await;
    assert_eq!(status, 400, "not multipart");
    let partner = app.token("partner").await;
    let (status, _, _) = send(
        app.authed(Method::POST, "/v1/media/upload", &partner)
            .multipart(Form::new().part("file", file(PNG, "image/png"))),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, _) = send(
        app.client
            .post(app.url("/v1/media/upload"))
            .multipart(Form::new().part("file", file(PNG, "image/png"))),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(media_count(&app), before, "no refused upload registered an asset");
}

on_both_backends!(uploads_are_sniffed_measured_stored_and_served);
