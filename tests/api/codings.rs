//! Content codings made once: every cached answer in brotli, gzip and identity, each the same
//! content; a write changing all of an answer's codings at once; validators, 304s, ranges and
//! HEAD per coding; and successive compressed reads on one kept-alive connection never waiting
//! on the client's delayed ACK.

use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_RANGE, ETAG, VARY};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{send, Backend, TestApp};
use crate::on_both_backends;

/// What real clients send in `Accept-Encoding`: a browser, OkHttp, URLSession, none.
const BROWSER: &str = "gzip, deflate, br, zstd";
const OKHTTP: &str = "gzip";
const URLSESSION: &str = "gzip, deflate, br";

fn decode(coding: Option<&str>, bytes: &[u8]) -> Vec<u8> {
    match coding {
        Some("br") => khabar::delivery::codings::unbrotli(bytes).unwrap(),
        Some("gzip") => khabar::delivery::codings::gunzip(bytes).unwrap(),
        None => bytes.to_vec(),
        Some(other) => panic!("unexpected coding {other}"),
    }
}

/// GET `path` accepting `accept` (none: no header); returns status, headers and raw bytes.
async fn get(app: &TestApp, path: &str, accept: Option<&str>) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut request = app.client.get(app.url(path));
    if let Some(accept) = accept {
        request = request.header(ACCEPT_ENCODING, accept);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

fn header(headers: &reqwest::header::HeaderMap, name: reqwest::header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn demo_article_path(app: &TestApp) -> (String, String) {
    let (_, _, list) = app.get_json("/v1/articles?language=ar&limit=20").await;
    let demo = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["headline"].as_str().unwrap().contains("محادثات"))
        .unwrap()
        .clone();
    (
        demo["id"].as_str().unwrap().to_owned(),
        format!("/v1/articles/{}", demo["id"].as_str().unwrap()),
    )
}

async fn every_coding_of_every_cached_answer_is_the_same_content(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, article) = demo_article_path(&app).await;
    let paths = [
        article.clone(),
        format!("{article}?fields=headline,byline"),
        format!("{article}?include=head_html,body_text"),
        format!("{article}/related"),
        format!("{article}/translations"),
        format!("{article}/ninjs"),
        "/v1/articles?limit=20".to_owned(),
        "/v1/articles?language=ar&include=bylines,media".to_owned(),
        "/v1/topics/libya/articles".to_owned(),
        "/v1/topics?limit=50".to_owned(),
        "/v1/contributors".to_owned(),
        "/v1/search?q=%D8%B7%D8%B1%D8%A7%D8%A8%D9%84%D8%B3".to_owned(),
        "/feeds/ar/rss.xml".to_owned(),
        "/feeds/ar/atom.xml".to_owned(),
        "/feeds/ar/feed.json".to_owned(),
        "/feeds/ar/ninjs.json".to_owned(),
        "/sitemaps/news.xml".to_owned(),
        "/sitemaps/index.xml".to_owned(),
    ];
    for path in &paths {
        let (status, plain_headers, identity) = get(&app, path, None).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(
            header(&plain_headers, CONTENT_ENCODING),
            None,
            "{path}: no coding asked, none sent"
        );
        let base_etag = header(&plain_headers, ETAG).unwrap().to_owned();
        for (accept, expected) in [(BROWSER, "br"), (URLSESSION, "br"), (OKHTTP, "gzip")] {
            let (status, headers, bytes) = get(&app, path, Some(accept)).await;
            assert_eq!(status, 200, "{path} {accept}");
            let coding = header(&headers, CONTENT_ENCODING);
            if identity.len() >= khabar::delivery::codings::MIN_CODED_BYTES {
                assert_eq!(coding, Some(expected), "{path} {accept}");
                let etag = header(&headers, ETAG).unwrap();
                assert_eq!(
                    etag,
                    format!("{}-{expected}\"", base_etag.trim_end_matches('"')),
                    "{path}"
                );
            } else {
                assert_eq!(coding, None, "{path}: too small to code");
            }
            assert_eq!(header(&headers, VARY), Some("Accept-Encoding"), "{path}");
            assert_eq!(
                header(&headers, CONTENT_LENGTH).map(|l| l.parse::<usize>().unwrap()),
                Some(bytes.len()),
                "{path}: one sized body"
            );
            assert_eq!(decode(coding, &bytes), identity, "{path} in {accept}");
        }
    }
    // The article's own answer is coded when it is compiled: the stored brotli form, sent as it
    // is to browsers.
    let stored: Vec<u8> = {
        use diesel::prelude::*;
        use khabar::db::schema::article_deliveries as d;
        d::table
            .filter(d::public_id.eq(&id))
            .select(d::full_br)
            .first(&mut app.conn())
            .unwrap()
    };
    assert_eq!(get(&app, &article, Some(BROWSER)).await.2, stored);
}

async fn a_write_changes_every_coding_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.token("editor").await;
    let (id, article) = demo_article_path(&app).await;
    for accept in [None, Some(BROWSER), Some(OKHTTP)] {
        let (_, _, bytes) = get(&app, &article, accept).await;
        assert!(String::from_utf8_lossy(&decode(
            accept.map(|a| if a == OKHTTP { "gzip" } else { "br" }),
            &bytes
        ))
        .contains("محادثات"));
    }
    let (_, headers, _) =
        send(app.authed(Method::GET, &format!("/v1/articles/{id}/editorial"), &token)).await;
    let (status, _, _) = send(
        app.authed(Method::PATCH, &format!("/v1/articles/{id}"), &token)
            .header("If-Match", headers["etag"].to_str().unwrap())
            .header("Content-Type", "application/merge-patch+json")
            .body(json!({"headline": "عنوان جديد في كل الترميزات"}).to_string()),
    )
    .await;
    assert_eq!(status, 200);
    let mut etags = Vec::new();
    for (accept, coding) in [
        (None, None),
        (Some(BROWSER), Some("br")),
        (Some(OKHTTP), Some("gzip")),
    ] {
        let (_, headers, bytes) = get(&app, &article, accept).await;
        let article: Value = serde_json::from_slice(&decode(coding, &bytes)).unwrap();
        assert_eq!(article["headline"], "عنوان جديد في كل الترميزات", "{accept:?}");
        etags.push(
            khabar::routes::middleware::encoding::base_tag(header(&headers, ETAG).unwrap()).into_owned(),
        );
    }
    assert!(
        etags.windows(2).all(|w| w[0] == w[1]),
        "one version in every coding: {etags:?}"
    );
}

async fn validators_ranges_and_head_follow_the_coding(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, article) = demo_article_path(&app).await;
    let (_, headers, br) = get(&app, &article, Some(BROWSER)).await;
    let br_etag = header(&headers, ETAG).unwrap().to_owned();
    assert!(br_etag.ends_with("-br\""), "{br_etag}");
    // A CDN revalidating with the coded tag it holds, asking for gzip as Varnish does: 304,
    // naming the tag of the coding it would have got.
    let revalidate = |etag: String, accept: &'static str| {
        app.client
            .get(app.url(&article))
            .header(ACCEPT_ENCODING, accept)
            .header("If-None-Match", etag)
    };
    let response = revalidate(br_etag.clone(), BROWSER).send().await.unwrap();
    assert_eq!(response.status(), 304);
    assert_eq!(header(response.headers(), ETAG), Some(br_etag.as_str()));
    assert!(response.headers().get(CONTENT_ENCODING).is_none());
    let response = revalidate(br_etag.clone(), OKHTTP).send().await.unwrap();
    assert_eq!(
        response.status(),
        304,
        "any coding of the current version is current"
    );
    assert!(header(response.headers(), ETAG).unwrap().ends_with("-gzip\""));
    let response = revalidate("\"stale\"".into(), OKHTTP).send().await.unwrap();
    assert_eq!(response.status(), 200);

    // Ranges are of the coded bytes sent.
    let mut assembled = Vec::new();
    let step = 1000;
    while assembled.len() < br.len() {
        let response = app
            .client
            .get(app.url(&article))
            .header(ACCEPT_ENCODING, BROWSER)
            .header(
                "Range",
                format!("bytes={}-{}", assembled.len(), assembled.len() + step - 1),
            )
            .header("If-Range", &br_etag)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 206);
        assert_eq!(header(response.headers(), CONTENT_ENCODING), Some("br"));
        let range = header(response.headers(), CONTENT_RANGE).unwrap().to_owned();
        assert!(range.ends_with(&format!("/{}", br.len())), "{range}");
        assembled.extend_from_slice(&response.bytes().await.unwrap());
    }
    assert_eq!(assembled, br, "the parts make the brotli form");
    let response = app
        .client
        .get(app.url(&article))
        .header(ACCEPT_ENCODING, OKHTTP)
        .header("Range", "bytes=0-9")
        .header("If-Range", &br_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        200,
        "If-Range names another coding: the whole gzip form"
    );
    let response = app
        .client
        .get(app.url(&article))
        .header("Range", format!("bytes={}-", br.len() * 100))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 416);

    // HEAD: the headers of the GET, no body.
    let response = app
        .client
        .request(Method::HEAD, app.url(&article))
        .header(ACCEPT_ENCODING, BROWSER)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(header(response.headers(), CONTENT_ENCODING), Some("br"));
    assert_eq!(header(response.headers(), ETAG), Some(br_etag.as_str()));
    assert!(response.bytes().await.unwrap().is_empty());
}

async fn compressed_reads_on_one_connection_never_wait_for_an_ack(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, article) = demo_article_path(&app).await;
    let token = app.token("editor").await;
    let editorial = format!("/v1/articles/{id}/editorial");
    // One connection, kept alive.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .http1_only()
        .build()
        .unwrap();
    // Cached answers (one sized body) and one coded as it is sent (the editorial form: a head,
    // then a chunked body, the case Nagle delays).
    for path in [
        article.as_str(),
        "/v1/articles",
        "/feeds/ar/rss.xml",
        editorial.as_str(),
    ] {
        let mut times = Vec::new();
        for (i, accept) in [OKHTTP, BROWSER].iter().cycle().take(24).enumerate() {
            let started = Instant::now();
            let response = client
                .get(app.url(path))
                .header(ACCEPT_ENCODING, *accept)
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            response.bytes().await.unwrap();
            // The first of each coding fills the cache.
            if i > 1 {
                times.push(started.elapsed());
            }
        }
        times.sort();
        let median = times[times.len() / 2];
        // Not a speed figure (bench/ measures those): Nagle's algorithm against a delayed ACK
        // makes such a read take 40 ms on Linux; a read that never waits takes a fraction.
        assert!(
            median < Duration::from_millis(20),
            "{path}: successive compressed reads on one connection wait: median {median:?} of {times:?}"
        );
    }
}

on_both_backends!(
    every_coding_of_every_cached_answer_is_the_same_content,
    a_write_changes_every_coding_at_once,
    validators_ranges_and_head_follow_the_coding,
    compressed_reads_on_one_connection_never_wait_for_an_ack,
);
