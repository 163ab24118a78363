//! Media upload: sniffed type, decoded dimensions, size limit, content-addressed storage, and
//! the signed renditions the asset is linked by.

use std::sync::LazyLock;

use image::ImageEncoder;
use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde_json::json;

use crate::helpers::{send, Backend, TestApp};
use crate::on_both_backends;

/// A 3×2 PNG with an alpha channel (so that its renditions stay PNG).
static PNG: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let image = image::RgbaImage::from_fn(3, 2, |x, y| image::Rgba([x as u8 * 80, y as u8 * 120, 50, 200]));
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(image.as_raw(), 3, 2, image::ExtendedColorType::Rgba8)
        .unwrap();
    out
});

/// The PNG with its header claiming another size (decoders would allocate for that).
fn declaring(width: u32, height: u32) -> Vec<u8> {
    let mut png = PNG.to_vec();
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    png
}

/// A JPEG of `width`×`height` stored pixels.
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 70)
        .write_image(image.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// What a source's phone leaves in a photo, which must never reach a reader.
const SECRET_DESCRIPTION: &str = "SOURCE-AT-31.95N-35.93E";

/// `jpeg` with an EXIF segment: the given orientation, an image description and a GPS IFD.
fn jpeg_with_exif(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let description = format!("{SECRET_DESCRIPTION}\0");
    // Big-endian TIFF: IFD0 at 8 with three entries (12 bytes each), then the GPS IFD, then the
    // description's text.
    let ifd0_len = 2 + 3 * 12 + 4;
    let gps_at = 8 + ifd0_len;
    let gps_len = 2 + 12 + 4;
    let text_at = gps_at + gps_len;
    let mut tiff: Vec<u8> = b"MM\0\x2a\0\0\0\x08".to_vec();
    let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        tiff.extend(tag.to_be_bytes());
        tiff.extend(kind.to_be_bytes());
        tiff.extend(count.to_be_bytes());
        tiff.extend(value);
    };
    tiff.extend(3u16.to_be_bytes());
    entry(
        &mut tiff,
        0x010E,
        2,
        description.len() as u32,
        (text_at as u32).to_be_bytes(),
    );
    let o = orientation.to_be_bytes();
    entry(&mut tiff, 0x0112, 3, 1, [o[0], o[1], 0, 0]);
    entry(&mut tiff, 0x8825, 4, 1, (gps_at as u32).to_be_bytes());
    tiff.extend(0u32.to_be_bytes());
    tiff.extend(1u16.to_be_bytes());
    entry(&mut tiff, 0x0001, 2, 2, *b"N\0\0\0");
    tiff.extend(0u32.to_be_bytes());
    tiff.extend(description.as_bytes());
    let mut segment = b"Exif\0\0".to_vec();
    segment.extend(tiff);
    let plain = jpeg(width, height);
    let mut out = plain[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((segment.len() + 2) as u16).to_be_bytes());
    out.extend(segment);
    out.extend(&plain[2..]);
    out
}

/// The path (and query) of an absolute URL the test app gave.
pub fn local(url: &str) -> String {
    url.trim_start_matches("http://127.0.0.1").to_owned()
}

pub fn media_count(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    khabar::db::schema::media_assets::table
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

pub fn file(bytes: &[u8], claimed_type: &str) -> Part {
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
        .part("file", file(&PNG, "image/jpeg"))
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
        url.starts_with("http://127.0.0.1/images/") && url.contains(".png?fm=png&s="),
        "the asset links its re-encoded full-size rendition: {url}"
    );
    assert_eq!(
        headers["location"].to_str().unwrap(),
        format!("/v1/media/{}", media["id"].as_str().unwrap())
    );

    let again = Form::new()
        .part("file", file(&PNG, "image/png"))
        .text("metadata", metadata);
    let (status, headers, replay) = send(upload(again).header("Idempotency-Key", "upload-1")).await;
    assert_eq!(status, 201);
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(replay["id"], media["id"]);

    let path = local(url);
    let served = app.get(&path).await;
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(
        served.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let etag = served.headers()["etag"].clone();
    let decoded = image::load_from_memory(&served.bytes().await.unwrap()).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (3, 2));
    assert!(decoded.color().has_alpha());
    let cached = app
        .client
        .get(app.url(&path))
        .header("If-None-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), 304);
    // The address originals were once served at sends to the re-encoded picture.
    let name = path
        .trim_start_matches("/images/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let no_redirects = crate::helpers::http_client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let old = no_redirects
        .get(app.url(&format!("/media-files/{name}")))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 308);
    assert_eq!(old.headers()["location"].to_str().unwrap(), url);
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
            Form::new()
                .part("file", file(&PNG, "image/png"))
                .text("exif", "x"),
            422,
            "an unknown part",
        ),
        (
            Form::new()
                .part("file", file(&PNG, "image/png"))
                .text("metadata", "{\"credit\": 5}"),
            422,
            "metadata of the wrong type",
        ),
        (
            Form::new()
                .part("file", file(&PNG, "image/png"))
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
        (
            Form::new().part("file", file(&jpeg(64, 48)[..400], "image/jpeg")),
            422,
            "a truncated JPEG",
        ),
        (
            Form::new().part("file", file(&PNG[..PNG.len() - 20], "image/png")),
            422,
            "a truncated PNG",
        ),
        (
            Form::new().part(
                "file",
                file(b"GIF89a<html><script>alert(1)</script></html>", "image/gif"),
            ),
            422,
            "an HTML polyglot behind a GIF signature",
        ),
        (
            Form::new().part(
                "file",
                file(b"\xff\xd8\xff\xe0<svg onload=alert(1)>", "image/jpeg"),
            ),
            422,
            "markup behind a JPEG signature",
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
            .multipart(Form::new().part("file", file(&PNG, "image/png"))),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, _) = send(
        app.client
            .post(app.url("/v1/media/upload"))
            .multipart(Form::new().part("file", file(&PNG, "image/png"))),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(media_count(&app), before, "no refused upload registered an asset");
}

/// RFC 9110 §13–14 on a stored rendition: ranges, `If-Range`, several ranges, and the failures.
async fn renditions_answer_conditional_and_range_requests(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let writer = app.token("writer").await;
    let (status, _, media) = send(
        app.authed(Method::POST, "/v1/media/upload", &writer)
            .multipart(Form::new().part("file", file(&PNG, "image/png"))),
    )
    .await;
    assert_eq!(status, 201, "{media}");
    let path = local(media["url"].as_str().unwrap());
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
    let whole = full.bytes().await.unwrap().to_vec();
    let length = whole.len();

    let one = get(&[("Range", "bytes=0-7")]).await.unwrap();
    assert_eq!(one.status(), 206);
    assert_eq!(one.headers()["content-range"], format!("bytes 0-7/{length}"));
    assert_eq!(one.headers()["content-type"], "image/png");
    assert_eq!(one.bytes().await.unwrap().as_ref(), &whole[..8]);

    let suffix = get(&[("Range", "bytes=-4")]).await.unwrap();
    assert_eq!(suffix.status(), 206);
    assert_eq!(suffix.bytes().await.unwrap().as_ref(), &whole[length - 4..]);

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
    assert_eq!(stale.bytes().await.unwrap().as_ref(), whole);

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
    for (part, (range, bytes)) in parts
        .iter()
        .zip([("0-3", &whole[0..4]), ("10-13", &whole[10..14])])
    {
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
    renditions_answer_conditional_and_range_requests,
    renditions_are_signed_sized_stripped_and_made_once,
    every_image_of_the_demo_article_loads,
    credits_are_read_from_the_photo_and_explicit_fields_win,
    a_narrow_featured_image_is_warned_of_not_refused,
    editors_set_the_focal_point_and_crops_and_renditions_follow,
    a_deleted_assets_renditions_are_gone_unless_another_shows_the_file,
);

/// Every string in a JSON document.
fn strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(text) => out.push(text.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(fields) => fields.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

async fn renditions_are_signed_sized_stripped_and_made_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let writer = app.token("writer").await;
    // Stored 800×600, shown rotated a quarter turn (EXIF orientation 6): 600×800.
    let (status, _, media) = send(
        app.authed(Method::POST, "/v1/media/upload", &writer).multipart(
            Form::new()
                .part("file", file(&jpeg_with_exif(800, 600, 6), "image/jpeg"))
                .text("metadata", json!({"credit": "Reuters"}).to_string()),
        ),
    )
    .await;
    assert_eq!(status, 201, "{media}");
    assert_eq!(
        (media["width"].as_i64(), media["height"].as_i64()),
        (Some(600), Some(800))
    );
    assert_eq!(media["mime_type"], "image/jpeg");
    let renditions = media["renditions"].as_array().unwrap();
    let names: Vec<&str> = renditions.iter().map(|r| r["name"].as_str().unwrap()).collect();
    for expected in [
        "original-320.jpg",
        "original-320.webp",
        "original-600.jpg",
        "original-600.webp",
        "1x1-600.jpg",
        "16x9-600.webp",
        "og-1200.jpg",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    assert!(
        !names.iter().any(|n| n.starts_with("original-640")),
        "never wider than the photo: {names:?}"
    );

    for rendition in renditions {
        let path = local(rendition["url"].as_str().unwrap());
        let served = app.get(&path).await;
        assert_eq!(served.status(), 200, "{path}");
        assert_eq!(
            served.headers()["content-type"],
            rendition["mime_type"].as_str().unwrap(),
            "{path}"
        );
        assert!(
            served.headers().get("vary").is_none(),
            "the format is in the URL: {path}"
        );
        assert!(served.headers()["surrogate-key"]
            .to_str()
            .unwrap()
            .starts_with("image-"));
        let etag = served.headers()["etag"].clone();
        let bytes = served.bytes().await.unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("Exif") && !text.contains(SECRET_DESCRIPTION),
            "EXIF stripped: {path}"
        );
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert_eq!(
            (i64::from(decoded.width()), i64::from(decoded.height())),
            (
                rendition["width"].as_i64().unwrap(),
                rendition["height"].as_i64().unwrap()
            ),
            "{path}"
        );
        let again = app.get(&path).await;
        assert_eq!(again.headers()["etag"], etag, "made once: {path}");
        assert_eq!(again.bytes().await.unwrap(), bytes);
    }
    // The rotation was applied: the 600-wide rendition is portrait.
    let portrait = renditions
        .iter()
        .find(|r| r["name"] == "original-600.jpg")
        .unwrap();
    assert_eq!(portrait["height"], 800);

    // Without a format, `Accept` chooses, and the answer says so.
    let (spec, _) = khabar::images::spec::Spec::parse("w=320").unwrap();
    let links = khabar::images::ImageLinks::new(
        crate::helpers::TEST_JWT_SECRET.as_bytes(),
        url::Url::parse("http://127.0.0.1/").unwrap(),
        vec![320, 640, 1024, 1600, 2400],
    );
    let file_name = local(media["url"].as_str().unwrap())
        .trim_start_matches("/images/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let negotiated = local(&links.url(&file_name, &spec));
    for (accept, expected) in [
        ("image/avif,image/webp,*/*", "image/webp"),
        ("image/*", "image/jpeg"),
    ] {
        let served = app
            .client
            .get(app.url(&negotiated))
            .header("Accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(served.status(), 200, "{negotiated}");
        assert_eq!(served.headers()["content-type"], expected);
        assert_eq!(served.headers()["vary"], "Accept");
    }

    // Refusals: each a problem document, none a render.
    let signed = local(renditions[0]["url"].as_str().unwrap());
    let signature = signed.rsplit("s=").next().unwrap().to_owned();
    let mut altered = signature.clone().into_bytes();
    altered[5] = if altered[5] == b'A' { b'B' } else { b'A' };
    let altered = signed.replace(&signature, std::str::from_utf8(&altered).unwrap());
    let unsigned = signed.split("&s=").next().unwrap().to_owned();
    let other_width = signed.replace("w=320", "w=640");
    let unknown_file = signed.replace(&file_name, "0123456789abcdef0123456789abcdef.jpg");
    let unlisted_width =
        local(&links.url(&file_name, &khabar::images::spec::Spec::parse("w=500").unwrap().0));
    let missing = local(&links.url(
        "0123456789abcdef0123456789abcdef.jpg",
        &khabar::images::spec::Spec::parse("w=320").unwrap().0,
    ));
    let cases: Vec<(String, u16, Option<&str>)> = vec![
        (altered, 403, None),
        (unsigned, 403, None),
        (other_width, 403, None),
        (unknown_file, 403, None),
        (format!("{signed}&zoom=2"), 400, Some("zoom")),
        (signed.replace("w=320", "w=0"), 400, Some("w")),
        (signed.replace("w=320", "w=99999"), 400, Some("w")),
        (signed.replace("w=320", "w=abc"), 400, Some("w")),
        (signed.replace("w=320", "w=320&w=640"), 400, Some("w")),
        (format!("{signed}&q=101"), 400, Some("q")),
        (format!("{signed}&fm=tiff"), 400, Some("fm")),
        (format!("{signed}&crop=1,2,3"), 400, Some("crop")),
        (format!("{signed}&fp=2000,10"), 400, Some("fp")),
        (unlisted_width, 400, Some("w")),
        (missing, 404, None),
        ("/images/..%2F..%2Fetc%2Fpasswd?s=x".to_owned(), 403, None),
    ];
    for (path, expected, field) in cases {
        let answer = app.get(&path).await;
        let status = answer.status().as_u16();
        let content_type = answer.headers()["content-type"].to_str().unwrap().to_owned();
        let problem: serde_json::Value = answer.json().await.unwrap_or_default();
        assert_eq!(status, expected, "{path}: {problem}");
        assert_eq!(content_type, "application/problem+json", "{path}");
        if let Some(field) = field {
            assert!(
                problem.to_string().contains(field),
                "{path} names {field}: {problem}"
            );
        }
    }
}

async fn every_image_of_the_demo_article_loads(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let slug = crate::helpers::segment(&khabar::seed::demo_article_slug());
    let (status, _, article) = app.get_json(&format!("/v1/articles/{slug}")).await;
    assert_eq!(status, 200);
    assert!(article["featured_media"]["width"].as_i64().unwrap() >= 2400);
    let mut texts = Vec::new();
    strings(&article, &mut texts);
    for feed in [
        "/feeds/ar/rss.xml",
        "/feeds/ar/atom.xml",
        "/feeds/ar/feed.json",
        "/feeds/ar/ninjs.json",
    ] {
        let answer = app.get(feed).await;
        assert_eq!(answer.status(), 200, "{feed}");
        texts.push(answer.text().await.unwrap());
    }
    // Image URLs wherever they stand: JSON values, XML, or the HTML head in the article.
    let mut urls = Vec::new();
    for text in texts {
        // HTML inside XML is escaped twice.
        let mut text = text.replace("\\u0026", "&").replace("&quot;", "\"");
        while text.contains("&amp;") {
            text = text.replace("&amp;", "&");
        }
        for (at, _) in text.match_indices("http://127.0.0.1/images/") {
            let end = text[at..]
                .find(|c: char| matches!(c, '"' | '<' | '\'' | '\\') || c.is_whitespace())
                .map_or(text.len(), |n| at + n);
            urls.push(text[at..end].to_owned());
        }
    }
    urls.sort();
    urls.dedup();
    assert!(urls.len() >= 15, "the demo photo's renditions: {urls:?}");
    assert!(
        urls.iter().all(|u| u.starts_with("http://127.0.0.1/images/")),
        "every image is served by Khabar: {urls:?}"
    );
    for url in &urls {
        let answer = app.get(&local(url)).await;
        assert_eq!(answer.status(), 200, "{url}");
        let content_type = answer.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(content_type.starts_with("image/"), "{url}: {content_type}");
        assert!(
            image::load_from_memory(&answer.bytes().await.unwrap()).is_ok(),
            "{url}"
        );
    }
}

/// `bytes` with metadata written by ExifTool, the reference implementation agencies' tools
/// agree with; `None` (and a note) where it is not installed outside CI.
fn with_exiftool(bytes: &[u8], arguments: &[&str]) -> Option<Vec<u8>> {
    let available = std::process::Command::new("exiftool")
        .arg("-ver")
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        assert!(
            std::env::var_os("CI").is_none(),
            "exiftool is missing: .ci/run installs libimage-exiftool-perl"
        );
        eprintln!("exiftool is not installed: the ExifTool-written case is skipped");
        return None;
    }
    let path = std::env::temp_dir().join(format!("khabar-exiftool-{}.jpg", uuid::Uuid::new_v4().simple()));
    std::fs::write(&path, bytes).unwrap();
    let output = std::process::Command::new("exiftool")
        .args([
            "-q",
            "-overwrite_original",
            "-charset",
            "iptc=UTF8",
            "-codedcharacterset=utf8",
        ])
        .args(arguments)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = std::fs::read(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    Some(written)
}

async fn credits_are_read_from_the_photo_and_explicit_fields_win(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let writer = app.token("writer").await;
    let upload = |bytes: Vec<u8>, metadata: serde_json::Value| {
        send(
            app.authed(Method::POST, "/v1/media/upload", &writer).multipart(
                Form::new()
                    .part("file", file(&bytes, "image/jpeg"))
                    .text("metadata", metadata.to_string()),
            ),
        )
    };

    // Written by ExifTool: IPTC, XMP and EXIF, each saying something different.
    if let Some(photo) = with_exiftool(
        &jpeg(320, 240),
        &[
            "-IPTC:Credit=أ ف ب",
            "-IPTC:By-line=Mahmud Hams",
            "-IPTC:CopyrightNotice=© AFP 2020",
            "-IPTC:Caption-Abstract=<b>السراج</b> وأكار في طرابلس",
            "-IPTC:Source=AFP",
            "-IPTC:DateCreated=2020:07:03",
            "-XMP-photoshop:Credit=XMP loses to IPTC",
            "-EXIF:Artist=EXIF loses too",
            "-EXIF:GPSLatitude=31.95",
            "-EXIF:GPSLatitudeRef=N",
        ],
    ) {
        let (status, _, media) = upload(photo, json!({"alt_text": "two men"})).await;
        assert_eq!(status, 201, "{media}");
        assert_eq!(media["credit"], "أ ف ب");
        assert_eq!(media["copyright_holder"], "© AFP 2020");
        assert_eq!(
            media["caption"], "<b>السراج</b> وأكار في طرابلس",
            "kept as text, escaped where shown"
        );
        assert_eq!(media["source"], "AFP");
        assert_eq!(media["embedded"]["by_line"], "Mahmud Hams");
        assert_eq!(
            media["creator"], "Mahmud Hams",
            "the photographer, beside the credit line"
        );
        assert_eq!(media["embedded"]["created"], "2020-07-03");
        assert_eq!(
            media["from_file"],
            json!(["credit", "copyright_holder", "creator", "caption", "source"])
        );
        // The GPS position ExifTool wrote is in the original, never in what is served.
        let served = app
            .get(&local(media["url"].as_str().unwrap()))
            .await
            .bytes()
            .await
            .unwrap();
        assert!(!String::from_utf8_lossy(&served).contains("Exif"));
    }

    // Made here: the uploader's own credit wins; what it left out comes from the file.
    let records =
        khabar::images::embedded::iim_records(&[(110, "Reuters"), (116, "Reuters 2026"), (115, "Pool")]);
    let plain = jpeg(320, 240);
    let mut photo = plain[..2].to_vec();
    photo.extend(khabar::images::embedded::app13_segment(&records));
    photo.extend(&plain[2..]);
    let (status, _, media) = upload(photo.clone(), json!({"credit": "وكالة الأنباء", "source": " "})).await;
    assert_eq!(status, 201, "{media}");
    assert_eq!(media["credit"], "وكالة الأنباء");
    assert_eq!(media["copyright_holder"], "Reuters 2026");
    assert_eq!(media["source"], "Pool", "a blank field is filled");
    assert_eq!(media["from_file"], json!(["copyright_holder", "source"]));
    assert_eq!(media["embedded"]["credit"], "Reuters");

    // Without metadata in the file, nothing is filled and nothing is said to be.
    let (status, _, media) = upload(jpeg(320, 240), json!({})).await;
    assert_eq!(status, 201, "{media}");
    assert_eq!(media["from_file"], json!([]));
    assert!(media["credit"].is_null());
}

/// Uploads `photo` as a JPEG credited to AFP; the asset as answered.
pub async fn credited_upload(app: &TestApp, token: &str, photo: &[u8]) -> serde_json::Value {
    let (status, _, media) = send(
        app.authed(Method::POST, "/v1/media/upload", token).multipart(
            Form::new()
                .part("file", file(photo, "image/jpeg"))
                .text("metadata", json!({"credit": "AFP"}).to_string()),
        ),
    )
    .await;
    assert_eq!(status, 201, "{media}");
    media
}

async fn a_narrow_featured_image_is_warned_of_not_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    let media = credited_upload(&app, &editor, &jpeg(640, 360)).await;
    let (status, _, article) = send(app.authed(Method::POST, "/v1/articles", &editor).json(&json!({
        "language": "ar", "headline": "صورة صغيرة",
        "body": [{"type": "paragraph", "html": "نص"}, {"type": "image", "media_id": media["id"]}],
        "featured_media": {"media_id": media["id"]},
    })))
    .await;
    assert_eq!(status, 201, "{article}");
    assert_eq!(article["warnings"][0]["field"], "/featured_media");
    assert!(
        article["warnings"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("640 px wide"),
        "{article}"
    );
    let id = article["id"].as_str().unwrap();
    let (status, _, shown) =
        send(app.authed(Method::GET, &format!("/v1/articles/{id}/editorial"), &editor)).await;
    assert_eq!(status, 200);
    assert_eq!(shown["warnings"], article["warnings"]);
    // A warning, not a refusal: the article publishes.
    let (status, _, published) = send(
        app.authed(Method::POST, &format!("/v1/articles/{id}/transitions"), &editor)
            .header("If-Match", "\"v1\"")
            .json(&json!({"to": "published"})),
    )
    .await;
    assert_eq!(status, 200, "{published}");
    assert_eq!(published["warnings"].as_array().unwrap().len(), 1);
    // The body's image offers its renditions to the browser, WebP first.
    let (status, _, public) = app.get_json(&format!("/v1/articles/{id}")).await;
    assert_eq!(status, 200, "{public}");
    let html = public["body_html"].as_str().unwrap();
    assert!(
        html.contains("<figure><picture><source type=\"image/webp\" srcset=\"http://127.0.0.1/images/"),
        "{html}"
    );
    assert!(html.contains(" 320w, ") && html.contains(" 640w\""), "{html}");
    // Without a featured image there is nothing to say.
    let (_, _, plain) = send(app.authed(Method::POST, "/v1/articles", &editor).json(&json!({
        "language": "ar", "headline": "بلا صورة", "body": [{"type": "paragraph", "html": "نص"}],
    })))
    .await;
    assert_eq!(plain["warnings"], json!([]));
}

async fn editors_set_the_focal_point_and_crops_and_renditions_follow(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    let media = credited_upload(&app, &editor, &jpeg(800, 600)).await;
    let id = media["id"].as_str().unwrap().to_owned();
    let named = |media: &serde_json::Value, name: &str| {
        media["renditions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {media}"))
            .clone()
    };
    // Unframed, the square is the centre of the picture.
    assert!(named(&media, "1x1-600.jpg")["url"]
        .as_str()
        .unwrap()
        .contains("crop=100,0,600,600"));
    let patch = |body: serde_json::Value| {
        send(
            app.authed(Method::PATCH, &format!("/v1/media/{id}"), &editor)
                .header("Content-Type", "application/merge-patch+json")
                .body(body.to_string()),
        )
    };
    let (status, _, framed) = patch(json!({
        "focal_point": {"x": 900, "y": 300},
        "crops": {"1x1": {"x": 0, "y": 0, "width": 600, "height": 600}},
    }))
    .await;
    assert_eq!(status, 200, "{framed}");
    assert_eq!(framed["focal_point"], json!({"x": 900, "y": 300}));
    let square = named(&framed, "1x1-600.jpg");
    assert!(
        square["url"].as_str().unwrap().contains("crop=0,0,600,600"),
        "the editor's box: {square}"
    );
    // The 3:2 crop was not set: it follows the focal point (an 800×533 box centred on y = 180,
    // clamped to the top edge).
    assert!(named(&framed, "3x2-800.jpg")["url"]
        .as_str()
        .unwrap()
        .contains("crop=0,0,800,533"));
    assert!(named(&framed, "og-1200.jpg")["url"]
        .as_str()
        .unwrap()
        .contains("fp=900,300"));
    // The rendition shows the chosen box: the picture's left edge (its red channel is x).
    let served = app.get(&local(square["url"].as_str().unwrap())).await;
    assert_eq!(served.status(), 200);
    let pixels = image::load_from_memory(&served.bytes().await.unwrap())
        .unwrap()
        .to_rgb8();
    assert_eq!(pixels.dimensions(), (600, 600));
    assert!(
        pixels.get_pixel(2, 300).0[0] < 30,
        "{:?}",
        pixels.get_pixel(2, 300)
    );

    let before = crate::helpers::without_request_id(app.get_json(&format!("/v1/media/{id}")).await.2);
    for (body, field) in [
        (
            json!({"crops": {"16x9": {"x": 0, "y": 0, "width": 600, "height": 600}}}),
            "/crops/16x9",
        ),
        (
            json!({"crops": {"1x1": {"x": 300, "y": 0, "width": 600, "height": 600}}}),
            "/crops/1x1",
        ),
        (
            json!({"crops": {"1x1": {"x": 0, "y": 0, "width": 0, "height": 0}}}),
            "/crops/1x1/width",
        ),
        (
            json!({"crops": {"5x4": {"x": 0, "y": 0, "width": 500, "height": 400}}}),
            "crops",
        ),
        (json!({"focal_point": {"x": 1001, "y": 0}}), "/focal_point/x"),
        (json!({"focal_point": {"x": -1, "y": 0}}), "focal_point"),
        (json!({"focal_point": {"x": 1, "y": 2, "z": 3}}), "focal_point"),
        (json!({"url": "https://elsewhere.example/other.jpg"}), "/url"),
        (json!({"width": 4000}), "/width"),
    ] {
        let (status, _, problem) = patch(body.clone()).await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert!(
            problem.to_string().contains(field),
            "{body} names {field}: {problem}"
        );
    }
    assert_eq!(
        crate::helpers::without_request_id(app.get_json(&format!("/v1/media/{id}")).await.2),
        before,
        "refusals change nothing"
    );

    // Removing the box (merge patch null) goes back to the focal point.
    let (status, _, unset) = patch(json!({"crops": {"1x1": null}})).await;
    assert_eq!(status, 200, "{unset}");
    assert_eq!(unset["crops"], json!({}));
    assert!(named(&unset, "1x1-600.jpg")["url"]
        .as_str()
        .unwrap()
        .contains("crop=200,0,600,600"));
}

async fn a_deleted_assets_renditions_are_gone_unless_another_shows_the_file(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.token("admin").await;
    let upload = || {
        send(
            app.authed(Method::POST, "/v1/media/upload", &admin)
                .multipart(Form::new().part("file", file(&jpeg(400, 300), "image/jpeg"))),
        )
    };
    let (_, _, first) = upload().await;
    let (_, _, second) = upload().await;
    assert_ne!(first["id"], second["id"], "two assets");
    assert_eq!(first["url"], second["url"], "one stored file");
    let rendition = local(first["renditions"][0]["url"].as_str().unwrap());
    assert_eq!(app.get(&rendition).await.status(), 200);
    let delete = |id: &serde_json::Value| {
        send(app.authed(
            Method::DELETE,
            &format!("/v1/media/{}", id.as_str().unwrap()),
            &admin,
        ))
    };
    assert_eq!(delete(&first["id"]).await.0, 204);
    assert_eq!(
        app.get(&rendition).await.status(),
        200,
        "the second asset still shows the file"
    );
    assert_eq!(delete(&second["id"]).await.0, 204);
    let gone = app.get(&rendition).await;
    assert_eq!(gone.status(), 404);
    assert_eq!(gone.headers()["content-type"], "application/problem+json");
}
