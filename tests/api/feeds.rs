//! Feeds, ninjs and sitemaps, read back with real parsers: feed-rs for RSS, Atom and JSON Feed,
//! a JSON Schema 2020-12 validator with the IPTC ninjs 2.2 schema.

use diesel::prelude::*;
use khabar::db::schema::articles;
use serde_json::Value;

use crate::helpers::{segment, Backend, TestApp};

async fn fetch(app: &TestApp, path: &str) -> (String, String) {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(response.headers().get("etag").is_some(), "{path} has an ETag");
    (content_type, response.text().await.unwrap())
}

fn parse(body: &str) -> feed_rs::model::Feed {
    feed_rs::parser::parse(body.as_bytes()).expect("a feed parser reads it")
}

const CAPTION: &str =
    "رئيس الحكومة الليبية فائز السراج يتحادث مع وزير الدفاع التركي خلوصي أكار في طرابلس - 2020/07/03";

async fn rss_carries_full_text_media_and_credits(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (content_type, body) = fetch(&app, "/feeds/ar/rss.xml").await;
    assert_eq!(content_type, "application/rss+xml; charset=utf-8");
    let feed = parse(&body);
    assert_eq!(feed.language.as_deref(), Some("ar"));
    assert_eq!(feed.entries.len(), 4, "the four Arabic articles");
    let main = feed
        .entries
        .iter()
        .find(|e| e.title.as_ref().unwrap().content.starts_with("محادثات عسكرية"))
        .unwrap();
    assert_eq!(
        main.links[0].href,
        format!(
            "{}ar/{}",
            crate::helpers::SITE_URL,
            segment(&khabar::seed::demo_article_slug())
        )
    );
    assert!(main.id.starts_with("urn:uuid:"));
    assert_eq!(main.published.unwrap().to_rfc3339(), "2020-07-03T18:37:00+00:00");
    let content = main.content.as_ref().unwrap().body.as_ref().unwrap();
    // The narrowest rendition of at least 1200 px (of the configured widths, 1600).
    let src = content
        .split("<img src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("{content}"))
        .replace("&amp;", "&");
    assert!(
        src.starts_with("http://127.0.0.1/images/") && src.contains(".jpg?w=1600&fm=jpeg&s="),
        "{src}"
    );
    let large = src.as_str();
    assert!(content.contains("أجرى رئيس حكومة الوفاق الوطني الليبية فائز السراج"));
    let authors: Vec<&str> = main
        .authors
        .iter()
        .map(|a| a.name.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(authors, vec!["يورونيوز", "أ ف ب"]);
    assert!(main.categories.iter().any(|c| c.term == "ليبيا"));
    let media = &main.media[0];
    assert!(media.content[0].url.as_ref().unwrap().as_str().starts_with(large));
    assert_eq!(media.content[0].width, Some(1600));
    assert_eq!(
        media.content[0].content_type.as_ref().unwrap().to_string(),
        "image/jpeg"
    );
    assert_eq!(media.description.as_ref().unwrap().content, CAPTION);
    assert_eq!(media.credits[0].entity, "أ ف ب");
    assert_eq!(media.thumbnails[0].image.width, Some(320), "the narrowest JPEG");
    assert!(media.thumbnails[0].image.uri.contains("fm=jpeg"));
    // What feed-rs does not model, checked in the document itself.
    assert!(body.contains("<media:copyright>AFP</media:copyright>"));
    assert!(body.contains(&format!("<enclosure url=\"{}", large.replace('&', "&amp;"))));
    assert!(body.contains("<atom:link rel=\"self\" href=\"http://127.0.0.1/feeds/ar/rss.xml\""));
    assert!(body.contains("<atom:link rel=\"hub\" href=\"https://hub.example.com/\"/>"));
    assert!(body.contains("<pubDate>Fri, 3 Jul 2020 18:37:00 +0000</pubDate>"));
}

async fn atom_and_json_feed_parse_with_their_required_fields(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (content_type, body) = fetch(&app, "/feeds/ar/atom.xml").await;
    assert_eq!(content_type, "application/atom+xml; charset=utf-8");
    let feed = parse(&body);
    assert_eq!(feed.id, "http://127.0.0.1/feeds/ar/atom.xml");
    assert!(feed.updated.is_some());
    assert_eq!(feed.authors[0].name.as_deref(), Some("Euronews"));
    let main = feed
        .entries
        .iter()
        .find(|e| e.title.as_ref().unwrap().content.starts_with("محادثات عسكرية"))
        .unwrap();
    assert!(main.updated.is_some());
    assert_eq!(main.authors.len(), 2);
    assert!(main
        .content
        .as_ref()
        .unwrap()
        .body
        .as_ref()
        .unwrap()
        .contains("<figcaption>"));
    assert!(main
        .categories
        .iter()
        .any(|c| c.term == "libya" && c.label.as_deref() == Some("ليبيا")));

    let (content_type, body) = fetch(&app, "/feeds/en/feed.json").await;
    assert_eq!(content_type, "application/feed+json; charset=utf-8");
    let feed = parse(&body);
    assert_eq!(feed.entries.len(), 1);
    let json: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json["language"], "en");
    let item = &json["items"][0];
    assert_eq!(item["authors"][1]["name"], "AFP");
    let image = item["image"].as_str().unwrap();
    assert!(
        image.starts_with("http://127.0.0.1/images/") && image.contains("w=1600&fm=jpeg"),
        "{image}"
    );
    let banner = item["banner_image"].as_str().unwrap();
    assert!(banner.contains("crop=0,125,2400,1350"), "the 16:9 crop: {banner}");
    assert_eq!(item["date_published"], "2020-07-03T18:37:00Z");
    assert!(item["tags"].as_array().unwrap().contains(&Value::from("Libya")));
}

async fn topic_and_contributor_feeds(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // Middle East includes Libya and Egypt below it.
    let (_, body) = fetch(&app, "/feeds/ar/topics/middle-east/rss.xml").await;
    assert_eq!(parse(&body).entries.len(), 3);
    let (_, body) = fetch(&app, "/feeds/ar/contributors/afp/atom.xml").await;
    let feed = parse(&body);
    assert_eq!(feed.entries.len(), 1);
    assert_eq!(feed.title.unwrap().content, "Euronews: أ ف ب");
    let (_, body) = fetch(&app, "/feeds/en/topics/libya/feed.json").await;
    assert_eq!(parse(&body).entries.len(), 1);
    for path in [
        "/feeds/ar/topics/atlantis/rss.xml",
        "/feeds/ar/contributors/nobody/feed.json",
        "/feeds/not_a_language/rss.xml",
    ] {
        let (status, content_type, _) = app.get_json(path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(content_type, "application/problem+json");
    }
    let response = app.get("/feeds/ar/rss.xml").await;
    let link = response.headers()["link"].to_str().unwrap().to_owned();
    assert!(
        link.contains("<https://hub.example.com/>; rel=\"hub\"") && link.contains("rel=\"self\""),
        "{link}"
    );
    let etag = response.headers()["etag"].clone();
    let again = app
        .client
        .get(app.url("/feeds/ar/rss.xml"))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

async fn hostile_text_survives_every_format(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let hostile = "A & B <script>x</script> ]]> \"quoted\" \u{0007}bell «عربي» mixed";
    let body = r#"[{"type":"paragraph","html":"one &amp; two &lt;three&gt; ]]&gt; done"}]"#;
    let slug = khabar::seed::demo_article_slug();
    let id: i64 = articles::table
        .filter(articles::slug.eq(&slug))
        .select(articles::id)
        .first(&mut app.conn())
        .unwrap();
    diesel::update(articles::table.find(id))
        .set(articles::headline.eq(hostile))
        .execute(&mut app.conn())
        .unwrap();
    diesel::update(
        khabar::db::schema::article_blocks::table
            .filter(khabar::db::schema::article_blocks::article_id.eq(id)),
    )
    .set(
        khabar::db::schema::article_blocks::data
            .eq(serde_json::from_str::<Value>(body).unwrap()[0].to_string()),
    )
    .execute(&mut app.conn())
    .unwrap();
    app.republish();
    let expected_title = "A & B <script>x</script> ]]> \"quoted\" bell «عربي» mixed";
    for path in ["/feeds/ar/rss.xml", "/feeds/ar/atom.xml", "/feeds/ar/feed.json"] {
        let (_, text) = fetch(&app, path).await;
        let feed = parse(&text);
        let entry = feed
            .entries
            .iter()
            .find(|e| e.title.as_ref().unwrap().content.contains("quoted"))
            .unwrap_or_else(|| panic!("{path}"));
        let title = &entry.title.as_ref().unwrap().content;
        let title = if path.ends_with(".json") {
            title.replace('\u{0007}', "")
        } else {
            title.clone()
        };
        assert_eq!(title, expected_title, "{path}");
        let content = entry.content.as_ref().unwrap().body.as_ref().unwrap();
        assert!(
            content.contains("one &amp; two &lt;three&gt; ]]&gt; done"),
            "{path}: {content}"
        );
    }
}

pub(crate) fn ninjs_validator() -> jsonschema::Validator {
    struct Offline;
    impl jsonschema::Retrieve for Offline {
        fn retrieve(
            &self,
            uri: &jsonschema::Uri<String>,
        ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
            // The schema refers to GeoJSON for place geometry; Khabar sends none, and tests run offline.
            if uri.as_str().starts_with("https://geojson.org/") {
                Ok(serde_json::json!({}))
            } else {
                Err(format!("no network for {uri}").into())
            }
        }
    }
    let schema: Value = serde_json::from_str(
        // A copy of ../shared/standards/ninjs-schema_2.2.json (IPTC's published schema), kept in the
        // repository so that a clone tests on its own.
        &std::fs::read_to_string(format!(
            "{}/tests/fixtures/standards/ninjs-schema_2.2.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("tests/fixtures/standards/ninjs-schema_2.2.json"),
    )
    .unwrap();
    jsonschema::options()
        .with_retriever(Offline)
        .build(&schema)
        .expect("the ninjs schema compiles")
}

pub(crate) fn assert_valid_ninjs(validator: &jsonschema::Validator, document: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "ninjs errors: {errors:#?}\n{document:#}");
}

async fn ninjs_validates_against_the_iptc_schema(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let validator = ninjs_validator();
    let response = app
        .get(&format!(
            "/v1/articles/{}/ninjs",
            segment(&khabar::seed::demo_article_slug())
        ))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/ninjs+json; charset=utf-8"
    );
    let document: Value = response.json().await.unwrap();
    assert_valid_ninjs(&validator, &document);
    assert_eq!(document["pubstatus"], "usable");
    assert_eq!(document["type"], "text");
    assert_eq!(document["language"], "ar");
    assert_eq!(document["by"], "بقلم: يورونيوز مع أ ف ب");
    assert_eq!(document["infosources"][0]["name"], "أ ف ب");
    assert_eq!(document["organisations"][0]["name"], "يورونيوز");
    assert!(document["places"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "ليبيا"));
    assert!(document["people"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "فائز السراج"));
    assert_eq!(document["bodies"][1]["contenttype"], "text/plain");
    assert!(document["bodies"][1]["wordcount"].as_u64().unwrap() > 200);
    let photo = &document["associations"][0];
    assert_eq!(photo["type"], "picture");
    assert_eq!(photo["by"], "أ ف ب");
    assert_eq!(photo["copyrightholder"], "AFP");
    assert_eq!(photo["descriptions"][0]["value"], CAPTION);
    assert_eq!(photo["renditions"].as_array().unwrap().len(), 19);

    let (_, list) = fetch(&app, "/feeds/ar/ninjs.json").await;
    let list: Vec<Value> = serde_json::from_str(&list).unwrap();
    assert_eq!(list.len(), 4);
    for document in &list {
        assert_valid_ninjs(&validator, document);
    }
    // Generated articles (with several bylines and tags) validate too.
    let mut conn = app.conn();
    let catalog =
        khabar::db::queries::generated::missing_catalog(&mut conn, khabar::seed::generate::catalog())
            .unwrap();
    crate::helpers::load_content(&mut conn, &catalog).unwrap();
    crate::helpers::load_content(
        &mut conn,
        &khabar::seed::generate::articles(3, 100, 20, &crate::helpers::demo_photos(1)),
    )
    .unwrap();
    drop(conn);
    app.cache.invalidate_all();
    for language in ["ar", "en"] {
        let (_, list) = fetch(&app, &format!("/feeds/{language}/ninjs.json")).await;
        let list: Vec<Value> = serde_json::from_str(&list).unwrap();
        assert!(list.len() >= 5);
        for document in &list {
            assert_valid_ninjs(&validator, document);
        }
    }
}

async fn sitemaps_list_recent_news_and_every_article(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (content_type, news) = fetch(&app, "/sitemaps/news.xml").await;
    assert_eq!(content_type, "application/xml; charset=utf-8");
    assert!(
        !news.contains("<url>"),
        "the demo articles are from 2020, outside the 48-hour window"
    );

    // Move one article into the window, one just outside it.
    let recent = khabar::db::utc_now() - chrono::Duration::hours(3);
    let stale = khabar::db::utc_now() - chrono::Duration::hours(49);
    let slug = khabar::seed::demo_article_slug();
    diesel::update(articles::table.filter(articles::slug.eq(&slug)))
        .set(articles::published_at.eq(Some(recent)))
        .execute(&mut app.conn())
        .unwrap();
    diesel::update(articles::table.filter(articles::language.eq("en")))
        .set(articles::published_at.eq(Some(stale)))
        .execute(&mut app.conn())
        .unwrap();
    app.republish();
    let (_, news) = fetch(&app, "/sitemaps/news.xml").await;
    assert_eq!(news.matches("<url>").count(), 1, "{news}");
    assert!(news.contains("<news:name>Euronews</news:name>"));
    assert!(news.contains("<news:language>ar</news:language>"));
    assert!(news.contains(&format!(
        "<news:title>{}</news:title>",
        "محادثات عسكرية وأمنية جديدة بين رئيس حكومة الوفاق ووزير الدفاع التركي"
    )));

    let (_, index) = fetch(&app, "/sitemaps/index.xml").await;
    assert!(
        index.contains("<loc>http://127.0.0.1/sitemaps/articles-0.xml</loc>"),
        "{index}"
    );
    let (_, urls) = fetch(&app, "/sitemaps/articles-0.xml").await;
    assert_eq!(urls.matches("<url>").count(), 5);
    assert!(urls.contains("<lastmod>"));
    let (status, content_type, _) = app.get_json("/sitemaps/articles-7.xml").await;
    assert_eq!(
        (status, content_type.as_str()),
        (404, "application/problem+json"),
        "past the end"
    );
    let (status, content_type, _) = app.get_json("/sitemaps/articles-x.xml").await;
    assert_eq!((status, content_type.as_str()), (400, "application/problem+json"));
}

async fn json_feed_pages_with_next_url(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut conn = app.conn();
    let catalog =
        khabar::db::queries::generated::missing_catalog(&mut conn, khabar::seed::generate::catalog())
            .unwrap();
    crate::helpers::load_content(&mut conn, &catalog).unwrap();
    // Articles 0..50: every fifth is English, so forty are Arabic.
    let set = khabar::seed::generate::articles(9, 0, 50, &crate::helpers::demo_photos(1));
    crate::helpers::load_content(&mut conn, &set).unwrap();
    drop(conn);
    app.cache.invalidate_all();
    let (_, first) = fetch(&app, "/feeds/ar/feed.json").await;
    let first: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(
        first["items"].as_array().unwrap().len(),
        30,
        "KHABAR_FEED_ITEMS is 30 in tests"
    );
    let next = first["next_url"].as_str().expect("a next page").to_owned();
    let next_path = next.strip_prefix("http://127.0.0.1").unwrap();
    let (_, second) = fetch(&app, next_path).await;
    let second: Value = serde_json::from_str(&second).unwrap();
    assert_eq!(
        second["items"].as_array().unwrap().len(),
        14,
        "44 Arabic articles in all"
    );
    assert!(second.get("next_url").is_none());
    let ids = |page: &Value| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert!(
        ids(&first).iter().all(|id| !ids(&second).contains(id)),
        "no item on both pages"
    );
    let (status, _, problem) = app
        .get_json(&format!("{}&x=1", next_path.replace("cursor=", "cursor=A")))
        .await;
    assert_eq!(status, 400, "{problem}");
    let cursor = next.split("cursor=").nth(1).unwrap();
    let (status, _, _) = app
        .get_json(&format!("/feeds/en/feed.json?cursor={cursor}"))
        .await;
    assert_eq!(status, 400, "a cursor from another feed");
}

crate::on_both_backends!(
    json_feed_pages_with_next_url,
    rss_carries_full_text_media_and_credits,
    atom_and_json_feed_parse_with_their_required_fields,
    topic_and_contributor_feeds,
    hostile_text_survives_every_format,
    ninjs_validates_against_the_iptc_schema,
    sitemaps_list_recent_news_and_every_article,
    markup_in_every_text_field_stays_text,
);

/// Markup that would run if a reader took it as HTML, and breaks out of attributes, scripts
/// and comments.
const MARKUP: &str = "<img src=x onerror=alert(1)> & \"q\" '</script><!--";

fn hostile(field: &str) -> String {
    format!("{field} {MARKUP}")
}

/// Parses HTML as a browser would and fails on anything that could run.
fn assert_inert_html(html: &str, context: &str) -> scraper::Html {
    let document = scraper::Html::parse_fragment(html);
    for element in document
        .root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
    {
        let name = element.value().name();
        assert_ne!(name, "script", "{context}: a script element in {html}");
        for (attribute, _) in element.value().attrs() {
            assert!(
                !attribute.starts_with("on"),
                "{context}: <{name} {attribute}> in {html}"
            );
        }
    }
    document
}

/// The text a reader shows for HTML: one layer of HTML decoding, no elements at all.
fn html_text(html: &str, context: &str) -> String {
    let document = assert_inert_html(html, context);
    let elements = document
        .root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
        .filter(|e| e.value().name() != "html")
        .count();
    assert_eq!(elements, 0, "{context}: plain text became markup: {html}");
    document.root_element().text().collect()
}

/// Markup in every text field of an article, its contributor, topic and photo: every format
/// carries it as text where the format says text, and as inert, escaped HTML where it says
/// HTML, read back with real parsers (feed-rs, an HTML5 parser, serde_json).
async fn markup_in_every_text_field_stays_text(backend: Backend) {
    use reqwest::Method;
    use serde_json::json;
    let app = TestApp::spawn(backend).await;
    let editor = app.token("editor").await;
    let post = |path: &str, body: Value| {
        let request = app.authed(Method::POST, path, &editor).json(&body);
        async move {
            let (status, _, created) = crate::helpers::send(request).await;
            assert_eq!(status, 201, "{created}");
            created
        }
    };
    post(
        "/v1/contributors",
        json!({"slug": "hostile-writer", "kind": "person", "name": hostile("name"), "bio": hostile("bio")}),
    )
    .await;
    post("/v1/topics", json!({"slug": "hostile-topic", "kind": "tag", "name": hostile("topic"), "description": hostile("about")})).await;
    let media = post(
        "/v1/media",
        json!({
            "kind": "image", "url": "https://media.example.com/h.jpg", "mime_type": "image/jpeg",
            "width": 1200, "height": 800, "alt_text": hostile("alt"), "caption": hostile("caption"),
            "credit": hostile("credit"), "copyright_holder": hostile("holder")
        }),
    )
    .await;
    let article = post("/v1/articles", json!({
        "language": "en", "slug": "hostile-markup", "headline": hostile("headline"), "lead": hostile("lead"),
        "dateline": hostile("dateline"),
        "body": [{"type": "paragraph", "html": format!("<p>body</p>{MARKUP}<script>alert(2)</script><a href=\"javascript:alert(3)\" onclick=\"x()\">link</a>")}],
        "bylines": [{"contributor": "hostile-writer", "role": "author"}],
        "topics": [{"topic": "hostile-topic"}],
        "featured_media": {"media_id": media["id"]}
    }))
    .await;
    let (status, _, published) = crate::helpers::send(
        app.authed(
            Method::POST,
            &format!("/v1/articles/{}/transitions", article["id"].as_str().unwrap()),
            &editor,
        )
        .header("If-Match", "\"v1\"")
        .json(&json!({"to": "published"})),
    )
    .await;
    assert_eq!(status, 200, "{published}");

    for path in ["/feeds/en/rss.xml", "/feeds/en/atom.xml", "/feeds/en/feed.json"] {
        let (_, text) = fetch(&app, path).await;
        let feed = parse(&text);
        let entry = feed
            .entries
            .iter()
            .find(|e| {
                e.title
                    .as_ref()
                    .is_some_and(|t| t.content.starts_with("headline "))
            })
            .unwrap_or_else(|| panic!("{path}: the article"));
        assert_eq!(
            entry.title.as_ref().unwrap().content,
            hostile("headline"),
            "{path}: title is text"
        );
        let summary = &entry.summary.as_ref().unwrap().content;
        if path.ends_with("rss.xml") {
            // RSS descriptions are HTML: the lead arrives escaped, and reads as the lead.
            assert_eq!(html_text(summary, path), hostile("lead"), "{path}: description");
        } else {
            assert_eq!(summary, &hostile("lead"), "{path}: summary is text");
        }
        assert_eq!(
            entry.authors[0].name.as_deref(),
            Some(hostile("name").as_str()),
            "{path}: author"
        );
        let category = &entry.categories[0];
        assert!(
            category.label.as_deref() == Some(hostile("topic").as_str()) || category.term == hostile("topic"),
            "{path}: category {category:?}"
        );
        let content = entry.content.as_ref().unwrap().body.as_ref().unwrap();
        let document = assert_inert_html(content, path);
        let selector = |s: &str| scraper::Selector::parse(s).unwrap();
        let image = document
            .select(&selector("img"))
            .next()
            .expect("the photo leads the content");
        assert_eq!(
            image.value().attr("alt"),
            Some(hostile("alt").as_str()),
            "{path}: alt"
        );
        let caption: String = document
            .select(&selector("figcaption"))
            .next()
            .unwrap()
            .text()
            .collect();
        assert!(
            caption.contains(&hostile("caption")) && caption.contains(&hostile("credit")),
            "{path}: {caption}"
        );
        assert!(
            document.select(&selector("a")).all(|a| !a
                .value()
                .attr("href")
                .unwrap_or("")
                .starts_with("javascript:")),
            "{path}: {content}"
        );
        if path.ends_with("rss.xml") {
            let photo = &entry.media[0];
            assert_eq!(photo.description.as_ref().unwrap().content, hostile("caption"));
            assert_eq!(photo.credits[0].entity, hostile("credit"));
        }
    }

    let (status, _, ninjs) = app
        .get_json(&format!("/v1/articles/{}/ninjs", article["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, 200);
    assert_eq!(ninjs["headlines"][0]["value"], hostile("headline"));
    assert_eq!(ninjs["descriptions"][0]["value"], hostile("lead"));
    let ninjs_text = ninjs.to_string();
    assert!(ninjs_text.contains(&serde_json::to_string(&hostile("credit")).unwrap()[1..20]));
    for body in ninjs["bodies"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(ninjs.get("body_html"))
    {
        let html = body.get("value").unwrap_or(body).as_str().unwrap_or_default();
        assert_inert_html(html, "ninjs body");
    }

    let (_, news) = fetch(&app, "/sitemaps/news.xml").await;
    assert!(
        news.contains("<news:title>headline &lt;img src=x onerror=alert(1)&gt; &amp;"),
        "{news}"
    );
    assert!(!news.contains("<img"));

    let (status, _, shown) = app
        .get_json("/v1/articles/hostile-markup?language=en&include=head_html")
        .await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["seo"]["json_ld"]["headline"], hostile("headline"));
    let head = shown["seo"]["head_html"].as_str().expect("seo.head_html");
    let document = scraper::Html::parse_document(&format!("<html><head>{head}</head><body></body></html>"));
    let selector = |s: &str| scraper::Selector::parse(s).unwrap();
    let scripts: Vec<_> = document.select(&selector("script")).collect();
    assert_eq!(scripts.len(), 1, "one script, none injected: {head}");
    let json_ld: Value =
        serde_json::from_str(&scripts[0].text().collect::<String>()).expect("the script is the JSON-LD");
    assert_eq!(json_ld["headline"], hostile("headline"));
    assert_eq!(json_ld["image"][0]["caption"], hostile("caption"));
    assert_eq!(json_ld["locationCreated"]["name"], hostile("dateline"));
    let meta = |property: &str| {
        document
            .select(&selector(&format!(
                "meta[property=\"{property}\"], meta[name=\"{property}\"]"
            )))
            .next()
            .and_then(|m| m.value().attr("content").map(str::to_owned))
    };
    assert_eq!(meta("og:title"), Some(hostile("headline")));
    assert_eq!(meta("og:description"), Some(hostile("lead")));
    assert_eq!(meta("og:image:alt"), Some(hostile("alt")));
    assert_eq!(meta("twitter:image:alt"), Some(hostile("alt")));
    assert_eq!(
        document.select(&selector("head > *")).count(),
        document.select(&selector("meta, link, script")).count(),
        "nothing but head elements: {head}"
    );
    assert!(
        document.select(&selector("body *")).next().is_none(),
        "nothing escaped the head: {head}"
    );
}
