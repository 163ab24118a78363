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

/// The 3×2 PNG with its header claiming another size (decoders would allocate for that).
fn declaring(width: u32, height: u32) -> Vec<u8> {
    let mut png = PNG.to_vec();
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    png
}

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
        (
            Form::new().part("file", file(&declaring(100_000, 100_000), "image/png")),
            422,
            "a PNG header declaring 10 gigapixels",
        ),
        (
            Form::new().part("file", file(&declaring(8_000, 7_000), "image/png")),
            422,
            "56 megapixels, past the 50 megapixel cap",
        ),
        (
            Form::new().part("file", file(b"GIF89a\xff\xff\xff\xff\x00\x00\x00;", "image/gif")),
            422,
            "a 65535 x 65535 GIF",
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

/// RFC 9110 §13–14 on a stored file: ranges, `If-Range`, several ranges, and the failures.
async fn media_files_answer_conditional_and_range_requests(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let writer = app.token("writer").await;
    let (status, _, media) = send(
        app.authed(Method::POST, "/v1/media/upload", &writer)
            .multipart(Form::new().part("file", file(PNG, "image/png"))),
    )
    .await;
    assert_eq!(status, 201, "{media}");
    let path = media["url"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://127.0.0.1")
        .to_owned();
    let get = |headers: &[(&str, &str)]| {
        let mut request = app.client.get(app.url(&path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send()
    };
    let full = get(&[]).await.unwrap();
    assert_eq!(full.headers()["accept-ranges"], "bytes");
    let etag = full.headers()["etag"].to_str().unwrap().to_owned();
    let modified = full.headers()["last-modified"].to_str().unwrap().to_owned();
    let length = PNG.len();

    let one = get(&[("Range", "bytes=0-7")]).await.unwrap();
    assert_eq!(one.status(), 206);
    assert_eq!(one.headers()["content-range"], format!("bytes 0-7/{length}"));
    assert_eq!(one.headers()["content-type"], "image/png");
    assert_eq!(one.bytes().await.unwrap().as_ref(), &PNG[..8]);

    let suffix = get(&[("Range", "bytes=-4")]).await.unwrap();
    assert_eq!(suffix.status(), 206);
    assert_eq!(suffix.bytes().await.unwrap().as_ref(), &PNG[length - 4..]);

    for current in [etag.as_str(), modified.as_str()] {
        let ranged = get(&[("Range", "bytes=0-7"), ("If-Range", current)])
            .await
            .unwrap();
        assert_eq!(ranged.status(), 206, "If-Range {current}");
    }
    let stale = get(&[("Range", "bytes=0-7"), ("If-Range", "\"another-version\"")])
        .await
        .unwrap();
    assert_eq!(stale.status(), 200, "a changed file is sent whole");
    assert_eq!(stale.bytes().await.unwrap().as_ref(), PNG);

    let several = get(&[("Range", "bytes=0-3, 10-13")]).await.unwrap();
    assert_eq!(several.status(), 206);
    let content_type = several.headers()["content-type"].to_str().unwrap().to_owned();
    let boundary = content_type
        .strip_prefix("multipart/byteranges; boundary=")
        .unwrap_or_else(|| panic!("{content_type}"))
        .to_owned();
    let body = several.bytes().await.unwrap();
    // Split at each boundary line; what precedes the first is the (empty) preamble.
    let marker = format!("--{boundary}");
    let mut parts: Vec<&[u8]> = Vec::new();
    let mut rest: &[u8] = &body;
    while let Some(at) = rest.windows(marker.len()).position(|w| w == marker.as_bytes()) {
        parts.push(&rest[..at]);
        rest = &rest[at + marker.len()..];
    }
    assert_eq!(rest, b"--\r\n", "the closing boundary ends the body");
    let parts: Vec<&[u8]> = parts.into_iter().skip(1).collect();
    assert_eq!(parts.len(), 2, "two parts");
    for (part, (range, bytes)) in parts.iter().zip([("0-3", &PNG[0..4]), ("10-13", &PNG[10..14])]) {
        let text = String::from_utf8_lossy(part);
        assert!(
            text.contains(&format!("Content-Range: bytes {range}/{length}")),
            "{text}"
        );
        assert!(text.contains("Content-Type: image/png"), "{text}");
        let start = part.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        assert_eq!(&part[start..part.len() - 2], bytes);
    }

    let outside = get(&[("Range", "bytes=5000-")]).await.unwrap();
    assert_eq!(outside.status(), 416);
    assert_eq!(outside.headers()["content-range"], format!("bytes */{length}"));
    assert_eq!(outside.headers()["content-type"], "application/problem+json");

    let failed = get(&[("If-Match", "\"another-version\"")]).await.unwrap();
    assert_eq!(failed.status(), 412);
    assert_eq!(failed.headers()["content-type"], "application/problem+json");
    let matched = get(&[("If-Match", etag.as_str()), ("Range", "bytes=0-0")])
        .await
        .unwrap();
    assert_eq!(matched.status(), 206);
    let unchanged = get(&[("If-None-Match", etag.as_str()), ("Range", "bytes=0-0")])
        .await
        .unwrap();
    assert_eq!(unchanged.status(), 304, "If-None-Match comes before Range");
    let ignored = get(&[("Range", "bytes=7-3")]).await.unwrap();
    assert_eq!(ignored.status(), 200, "an invalid range is ignored");
}

on_both_backends!(
    uploads_are_sniffed_measured_stored_and_served,
    media_files_answer_conditional_and_range_requests,
);
