//! HTTP caching, CORS and compression on public reads.

use crate::helpers::{segment, Backend, TestApp};

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

async fn conditional_gets_answer_304(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let path = format!("/v1/articles/{}", segment(&khabar::seed::demo_article_slug()));
    let first = app.get(&path).await;
    assert_eq!(first.status(), 200);
    let etag = header(&first, "etag").expect("ETag");
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && !etag.starts_with("W/"),
        "strong: {etag}"
    );
    let last_modified = header(&first, "last-modified").expect("Last-Modified");
    assert_eq!(
        header(&first, "cache-control").unwrap(),
        "public, max-age=60, stale-while-revalidate=300"
    );
    let keys = header(&first, "surrogate-key").unwrap();
    for key in ["topic-libya", "contributor-afp", "contributor-euronews"] {
        assert!(keys.split(' ').any(|k| k == key), "{key} missing from {keys}");
    }
    assert!(keys.starts_with("article-"));
    assert!(header(&first, "vary")
        .unwrap()
        .to_lowercase()
        .contains("accept-encoding"));

    let conditional = |name: &'static str, value: String| {
        let request = app.client.get(app.url(&path)).header(name, value);
        async move { request.send().await.unwrap() }
    };
    let not_modified = conditional("if-none-match", etag.clone()).await;
    assert_eq!(not_modified.status(), 304);
    assert_eq!(header(&not_modified, "etag").unwrap(), etag);
    assert!(not_modified.bytes().await.unwrap().is_empty());
    assert_eq!(
        conditional("if-none-match", format!("\"other\", {etag}"))
            .await
            .status(),
        304
    );
    assert_eq!(conditional("if-none-match", "*".into()).await.status(), 304);
    assert_eq!(
        conditional("if-none-match", "\"stale\"".into()).await.status(),
        200
    );
    assert_eq!(
        conditional("if-modified-since", last_modified.clone())
            .await
            .status(),
        304
    );
    assert_eq!(
        conditional("if-modified-since", "Mon, 01 Jan 2001 00:00:00 GMT".into())
            .await
            .status(),
        200
    );
    assert_eq!(
        conditional("if-modified-since", "garbage".into()).await.status(),
        200
    );

    // Lists and catalog reads are validated the same way.
    for list in [
        "/v1/articles?language=ar",
        "/v1/topics",
        "/v1/topics/libya",
        "/v1/contributors/afp",
    ] {
        let response = app.get(list).await;
        let etag = header(&response, "etag").unwrap_or_else(|| panic!("{list} has no ETag"));
        let again = app
            .client
            .get(app.url(list))
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{list}");
    }
}

async fn etag_changes_when_the_article_does(backend: Backend) {
    use diesel::prelude::*;
    use khabar::db::schema::articles;
    let app = TestApp::spawn(backend).await;
    let slug = khabar::seed::demo_article_slug();
    let path = format!("/v1/articles/{}", segment(&slug));
    let before = header(&app.get(&path).await, "etag").unwrap();
    diesel::update(articles::table.filter(articles::slug.eq(&slug)))
        .set(articles::headline.eq("عنوان مصحح"))
        .execute(&mut app.conn())
        .unwrap();
    app.republish();
    let response = app
        .client
        .get(app.url(&path))
        .header("if-none-match", before.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "a changed article is not 'not modified'");
    assert_ne!(header(&response, "etag").unwrap(), before);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["headline"], "عنوان مصحح");
}

async fn cors_and_compression(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app
        .client
        .get(app.url("/v1/articles"))
        .header("origin", "https://app.example")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&response, "access-control-allow-origin").unwrap(), "*");
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/v1/articles"))
        .header("origin", "https://app.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "if-none-match")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let allowed = header(&preflight, "access-control-allow-headers")
        .unwrap()
        .to_lowercase();
    assert!(allowed.contains("if-none-match"), "{allowed}");

    // HEAD answers like GET, without the body.
    let get = app.get("/v1/articles").await;
    let head = app.client.head(app.url("/v1/articles")).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["etag"], get.headers()["etag"]);
    assert_eq!(head.headers()["content-length"], get.headers()["content-length"]);
    assert!(head.bytes().await.unwrap().is_empty());
    let head_missing = app
        .client
        .head(app.url("/v1/articles/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(head_missing.status(), 404);

    for encoding in ["br", "gzip"] {
        let response = app
            .client
            .get(app.url("/v1/articles"))
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(header(&response, "content-encoding").as_deref(), Some(encoding));
    }
}

async fn seo_metadata_is_ready_to_embed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, _, article) = app
        .get_json(&format!(
            "/v1/articles/{}",
            segment(&khabar::seed::demo_article_slug())
        ))
        .await;
    let seo = &article["seo"];
    let ld = &seo["json_ld"];
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "NewsArticle");
    assert_eq!(ld["headline"], article["headline"]);
    assert_eq!(ld["inLanguage"], "ar");
    assert_eq!(ld["datePublished"], "2020-07-03T18:37:00Z");
    assert_eq!(ld["author"][0]["@type"], "Organization");
    assert_eq!(ld["author"][0]["name"], "يورونيوز");
    assert_eq!(ld["image"][0]["creditText"], "أ ف ب");
    assert_eq!(ld["articleSection"], "العالم");
    assert_eq!(ld["mainEntityOfPage"]["@id"], article["canonical_url"]);
    let og = |key: &str| -> Vec<String> {
        seo["open_graph"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["key"] == key)
            .map(|t| t["content"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(og("og:type"), vec!["article"]);
    assert_eq!(og("og:locale"), vec!["ar_AR"]);
    assert_eq!(og("og:locale:alternate"), vec!["en_US"]);
    assert_eq!(og("og:image").len(), 1);
    assert!(og("article:tag").contains(&"ليبيا".to_owned()));
    let hreflangs: Vec<&str> = seo["alternates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["hreflang"].as_str().unwrap())
        .collect();
    assert_eq!(hreflangs, vec!["ar", "en"]);
    assert_eq!(seo["twitter"][0]["content"], "summary_large_image");

    let (status, _, sparse) = app
        .get_json(&format!(
            "/v1/articles/{}?fields=headline,byline",
            segment(&khabar::seed::demo_article_slug())
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(sparse.as_object().unwrap().len(), 2);
    let (status, _, _) = app
        .get_json(&format!(
            "/v1/articles/{}?fields=nope",
            segment(&khabar::seed::demo_article_slug())
        ))
        .await;
    assert_eq!(status, 400);
}

/// An edit evicts the edited article's entries and every list, and keeps the other articles
/// warm; nothing stale is served after it.
async fn a_write_keeps_other_articles_warm(backend: Backend) {
    use reqwest::Method;
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    let (edited, version) = crate::helpers::published_article(&app, &editor, "المقال الذي يُحرَّر").await;
    let (untouched, _) = crate::helpers::published_article(&app, &editor, "مقال لا يمسه التحرير").await;
    let (edited, untouched) = (&edited, &untouched);
    // On PostgreSQL a node hears its own notifications too (it polls every 100 ms): let those
    // of the two publications arrive before caching, or they evict what the test reads.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    for id in [edited, untouched] {
        let (status, _, _) = app.get_json(&format!("/v1/articles/{id}")).await;
        assert_eq!(status, 200);
        assert!(
            app.cache.get(&format!("article:{id}:")).is_some(),
            "cached after a read"
        );
    }
    app.get_json("/v1/articles?language=ar&limit=3").await;
    let (status, _, _) = crate::helpers::send(
        app.authed(Method::PATCH, &format!("/v1/articles/{edited}"), &editor)
            .header("If-Match", format!("\"v{version}\""))
            .header("Content-Type", "application/merge-patch+json")
            .body(serde_json::json!({"lead": "مقدمة جديدة"}).to_string()),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        app.cache.get(&format!("article:{edited}:")).is_none(),
        "the edited article is evicted"
    );
    assert!(
        app.cache.get(&format!("article:{untouched}:")).is_some(),
        "an article that does not show the edited one stays warm"
    );
    let (_, _, shown) = app.get_json(&format!("/v1/articles/{edited}")).await;
    assert_eq!(shown["lead"], "مقدمة جديدة");
    let (_, _, list_after) = app.get_json("/v1/articles?language=ar&limit=3").await;
    let entry = list_after["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| &a["id"] == edited)
        .unwrap();
    assert_eq!(entry["lead"], "مقدمة جديدة", "lists are evicted with any change");
}

crate::on_both_backends!(
    a_write_keeps_other_articles_warm,
    conditional_gets_answer_304,
    etag_changes_when_the_article_does,
    cors_and_compression,
    seo_metadata_is_ready_to_embed,
    articles_showing_a_changed_contributor_topic_or_photo_are_recompiled,
);

/// Changes a row the way a write would, then recompiles what it affects and empties the cache.
fn write_and_publish(
    app: &TestApp,
    change: impl FnOnce(&mut khabar::db::DbConnection) -> khabar::db::queries::delivery::Changed,
) {
    let urls = khabar::api::article::UrlBuilder::new(url::Url::parse(crate::helpers::SITE_URL).unwrap());
    khabar::db::claim::write_transaction(&mut app.conn(), |conn| {
        let changed = change(conn);
        let ids = khabar::db::queries::delivery::affected_by(conn, changed)?;
        khabar::delivery::publish_changes(
            conn,
            &ids,
            &urls,
            khabar::db::utc_now(),
            &khabar::domain::changes::Origin::system("test"),
        )
    })
    .unwrap();
    app.cache.invalidate_all();
}

async fn articles_showing_a_changed_contributor_topic_or_photo_are_recompiled(backend: Backend) {
    use diesel::prelude::*;
    use khabar::db::queries::delivery::Changed;
    use khabar::db::schema::{contributors, media_assets, topics};
    let app = TestApp::spawn(backend).await;
    let path = format!("/v1/articles/{}", segment(&khabar::seed::demo_article_slug()));
    let (_, _, english_link) = app.get_json(&format!("{path}/translations")).await;
    let english = format!("/v1/articles/{}", english_link["data"][0]["id"].as_str().unwrap());
    let china_before = app.get("/v1/topics/china/articles").await.headers()["etag"].clone();

    write_and_publish(&app, |conn| {
        let id = diesel::update(contributors::table.filter(contributors::slug.eq("afp")))
            .set(contributors::localized_names.eq(r#"{"ar":"فرانس برس","en":"Agence France-Presse"}"#))
            .returning(contributors::id)
            .get_result(conn)
            .unwrap();
        Changed::Contributor(id)
    });
    let (_, _, arabic) = app.get_json(&path).await;
    assert_eq!(arabic["byline"], "بقلم: يورونيوز مع فرانس برس");
    let (_, _, article_en) = app.get_json(&english).await;
    assert_eq!(article_en["byline"], "By Euronews with Agence France-Presse");

    write_and_publish(&app, |conn| {
        let id = diesel::update(topics::table.filter(topics::slug.eq("libya")))
            .set(topics::localized_names.eq(r#"{"ar":"دولة ليبيا","en":"State of Libya"}"#))
            .returning(topics::id)
            .get_result(conn)
            .unwrap();
        Changed::Topic(id)
    });
    let (_, _, arabic) = app.get_json(&path).await;
    assert_eq!(arabic["topics"][0]["name"], "دولة ليبيا");

    write_and_publish(&app, |conn| {
        let id = diesel::update(media_assets::table)
            .set(media_assets::credit.eq("فرانس برس"))
            .returning(media_assets::id)
            .get_result(conn)
            .unwrap();
        Changed::Media(id)
    });
    let (_, _, article_ar) = app.get_json(&path).await;
    assert_eq!(article_ar["featured_media"]["credit"], "فرانس برس");
    let (_, _, article_en) = app.get_json(&english).await;
    assert_eq!(
        article_en["featured_media"]["credit"], "AFP",
        "the English article keeps the photo's English credit"
    );

    let china_after = app.get("/v1/topics/china/articles").await.headers()["etag"].clone();
    assert_eq!(
        china_before, china_after,
        "articles that show none of it are untouched"
    );
}
