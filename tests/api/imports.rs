//! Imports: a WordPress archive (the fixture in tests/fixtures/wordpress), files that are
//! wrong in every way a file can be, `--atomic`, re-runs, and imports over the API.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{send, settings, Backend, TestApp, TestDb, SITE_URL, TEST_JWT_SECRET};
use crate::on_both_backends;
use crate::transfer::{export_of, import_into};
use crate::uploads::{jpeg, local};
use khabar::api::article::UrlBuilder;
use khabar::config::{DemoMode, Settings};
use khabar::transfer::import::{ImportOptions, Target};
use khabar::transfer::report::Report;
use khabar::transfer::wordpress::WordpressOptions;

const WXR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/wordpress/newsroom.xml"
);

/// A target database without the demo, and its settings.
fn empty_target(backend: Backend) -> (TestDb, khabar::db::DbPool, Settings) {
    let db = TestDb::create(backend);
    let pool = db.migrated_pool();
    let mut target = settings(db.url.clone());
    target.demo = DemoMode::Never;
    target.media.max_bytes = 16 * 1024 * 1024;
    (db, pool, target)
}

fn import_wordpress(pool: &khabar::db::DbPool, target: &Settings, uploads: &std::path::Path) -> Report {
    let links = target
        .media
        .links(TEST_JWT_SECRET.as_bytes(), target.public_url.clone());
    let urls = UrlBuilder::new(url::Url::parse(SITE_URL).unwrap());
    khabar::transfer::wordpress::import(
        &mut pool.get().unwrap(),
        &Target {
            media: &target.media,
            links: &links,
            urls: &urls,
            origin: &khabar::domain::changes::Origin::system("import"),
        },
        std::path::Path::new(WXR),
        ImportOptions::default(),
        &WordpressOptions {
            uploads: Some(uploads.to_owned()),
            fetch: false,
            language: None,
        },
        &|_| {},
    )
    .unwrap()
}

fn note<'a>(report: &'a Report, kind: &str, contains: &str) -> &'a khabar::transfer::report::Finding {
    report
        .notes
        .iter()
        .find(|n| n.kind == kind && n.message.contains(contains))
        .unwrap_or_else(|| panic!("no {kind} note with '{contains}': {:#?}", report.notes))
}

/// The line of the fixture that `needle` is on.
fn line_of(needle: &str) -> u64 {
    let text = std::fs::read_to_string(WXR).unwrap();
    let at = text.find(needle).unwrap();
    1 + text[..at].matches('\n').count() as u64
}

async fn a_wordpress_archive_imports_with_its_dates_authors_sections_photos_and_old_links(backend: Backend) {
    let uploads = tempfile::tempdir().unwrap();
    let folder = uploads.path().join("2020/07");
    std::fs::create_dir_all(&folder).unwrap();
    // Agency photos: the first carries AFP in WordPress's metadata, the second has its credit
    // in the caption; the third attachment's file is not in the copy (registered by URL).
    std::fs::write(folder.join("sarraj-akar.jpg"), jpeg(800, 533)).unwrap();
    std::fs::write(folder.join("tripoli-port.jpg"), jpeg(900, 600)).unwrap();
    let (db, pool, target) = empty_target(backend);
    let report = import_wordpress(&pool, &target, uploads.path());
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let articles = report.counts["article"];
    assert_eq!((articles.created, articles.failed), (6, 0), "{:?}", report.counts);
    assert_eq!(report.counts["contributor"].created, 2);
    assert_eq!(report.counts["topic"].created, 6, "4 categories, 2 tags");
    assert_eq!(
        report.counts["media"].created, 4,
        "3 attachments and one image by URL"
    );

    // What could not be mapped is listed with the line it is on.
    assert_eq!(
        note(&report, "shortcode", "contact-form-7").line,
        line_of("[contact-form-7")
    );
    assert_eq!(
        note(&report, "gallery", "a gallery became 2").line,
        line_of("<!-- wp:gallery")
    );
    assert_eq!(
        note(&report, "page", "pages are not").line,
        line_of("<wp:post_id>301") - 4
    );
    note(&report, "menu", "menus");
    note(&report, "comment", "1 comment(s)");
    note(&report, "post", "private post");
    note(&report, "post", "longer than 300");
    note(&report, "post", "Untitled 105");
    note(&report, "attachment", "no credit");
    note(&report, "image", "harbour.jpg");

    // Running it again changes nothing.
    let again = import_wordpress(&pool, &target, uploads.path());
    assert_eq!(again.written(), 0, "{:?}", again.counts);
    assert!(again.problems.is_empty());

    let app = TestApp::spawn_owning(db, target).await;
    let (status, _, article) = app
        .get_json(
            "/v1/articles/%D9%85%D8%AD%D8%A7%D8%AF%D8%AB%D8%A7%D8%AA-%D8%B9%D8%B3%D9%83%D8%B1%D9%8A%D8%A9",
        )
        .await;
    assert_eq!(status, 200, "{article}");
    assert_eq!(
        article["first_published_at"], "2020-07-03T18:37:00Z",
        "the original date"
    );
    assert_eq!(article["updated_at"], "2020-07-04T08:00:00Z");
    assert_eq!(article["language"], "ar");
    assert_eq!(article["byline"], "بقلم: سلمى الحداد");
    assert_eq!(
        article["lead"],
        "أجرى السراج محادثات مع وزير الدفاع التركي في طرابلس."
    );
    let topics: Vec<(&str, bool)> = article["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["slug"].as_str().unwrap(),
                t["primary"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(topics[0], ("ليبيا", true), "Yoast's primary category: {topics:?}");
    assert!(topics.iter().any(|(slug, _)| *slug == "طرابلس"));
    let photo = &article["featured_media"];
    assert_eq!(photo["credit"], "AFP", "from the attachment's metadata");
    assert_eq!(photo["copyright_holder"], "AFP 2020");
    assert_eq!(photo["alt_text"], "السراج وأكار");
    // The photo is Khabar's own now: its renditions load.
    let rendition = local(photo["renditions"][0]["url"].as_str().unwrap());
    let served = app.get(&rendition).await;
    assert_eq!(served.status(), 200);
    image::load_from_memory(&served.bytes().await.unwrap()).unwrap();
    let kinds: Vec<&str> = article["body"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "paragraph",
            "image",
            "heading",
            "image",
            "image",
            "embed",
            "paragraph",
            "list"
        ],
        "{}",
        article["body"]
    );
    let port_photo = article["body"][1]["media_id"].as_str().unwrap();
    let (_, _, port) = app.get_json(&format!("/v1/media/{port_photo}")).await;
    assert_eq!(port["credit"], "رويترز", "from its caption");
    assert_eq!(
        article["translations"][0]["slug"], "sarraj-akar-talks",
        "Polylang"
    );

    // The English translation, classic content and shortcodes.
    let (status, _, english) = app.get_json("/v1/articles/sarraj-akar-talks").await;
    assert_eq!(status, 200);
    let body = english["body"].as_array().unwrap();
    assert!(body.contains(&json!({"type": "embed", "provider": "twitter", "url": "https://twitter.com/AFP/status/1279128473562001408"})));
    assert!(
        body.contains(&json!({"type": "embed", "provider": "vimeo", "url": "https://vimeo.com/76979871"}))
    );
    assert!(body.contains(&json!({"type": "heading", "level": 2, "text": "Background"})));
    assert!(
        body.contains(&json!({"type": "quote", "text": "A quote from the minister.", "cite": "Hulusi Akar"}))
    );
    let caption = body
        .iter()
        .find(|b| b["caption"] == "A street in Tripoli")
        .unwrap();
    assert_eq!(caption["type"], "image");
    assert!(
        english["featured_media"]["credit"].is_null(),
        "an uncredited photo stays uncredited"
    );

    // Every status, kept apart from the public.
    let stored = |headline: &str| -> (String, String) {
        use diesel::prelude::*;
        use khabar::db::schema::articles;
        let rows: Vec<(String, String)> = articles::table
            .select((articles::headline, articles::status))
            .load(&mut app.conn())
            .unwrap();
        rows.into_iter()
            .find(|(h, _)| h.starts_with(headline))
            .unwrap_or_else(|| panic!("{headline}"))
    };
    assert_eq!(stored("موعد القمة").1, "scheduled");
    assert_eq!(stored("ملاحظات داخلية").1, "draft");
    assert_eq!(stored("Untitled 105").1, "draft");
    let (review, status) = stored("قيد المراجعة");
    assert_eq!(status, "in_review");
    assert!(review.chars().count() <= 300);
    let (_, _, public) = app.get_json("/v1/articles?limit=50").await;
    assert_eq!(
        public["data"].as_array().unwrap().len(),
        2,
        "only the published two"
    );

    // Old permalinks lead to the articles.
    for (old, new) in [
        (
            "/2020/07/03/%d9%85%d8%ad%d8%a7%d8%af%d8%ab%d8%a7%d8%aa-%d8%b9%d8%b3%d9%83%d8%b1%d9%8a%d8%a9/",
            "/ar/محادثات-عسكرية",
        ),
        ("/en/2020/07/03/sarraj-akar-talks/", "/en/sarraj-akar-talks"),
        ("/?p=101", "/ar/محادثات-عسكرية"),
    ] {
        let encoded: String = url::form_urlencoded::byte_serialize(old.as_bytes()).collect();
        let (status, _, resolved) = app.get_json(&format!("/v1/resolve?path={encoded}")).await;
        assert_eq!(status, 200, "{old}: {resolved}");
        assert_eq!(resolved["type"], "redirect");
        assert_eq!(resolved["status"], 301);
        assert_eq!(resolved["path"], new, "{old}");
    }
    // A scheduled post's old link leads nowhere until it is published.
    let (status, _, _) = app.get_json("/v1/resolve?path=%2F%3Fp%3D103").await;
    assert_eq!(status, 404);
}

/// Writes a file of `lines` (each a JSON value, or raw bytes) and imports it.
fn file_of(lines: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in lines {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out
}

fn line(value: Value) -> Vec<u8> {
    value.to_string().into_bytes()
}

const T: &str = "2020-07-03T18:37:00Z";

fn article(id: &str, slug: &str, extra: Value) -> Value {
    let mut base = json!({
        "type": "article", "id": id, "language": "ar", "slug": slug, "headline": format!("خبر {slug}"),
        "body": [{"type": "paragraph", "html": "نص"}], "bylines": [{"contributor": "wire", "role": "agency"}],
        "topics": [], "related": [], "status": "published", "version": 1, "translation_group": id,
        "created_at": T, "updated_at": T, "first_published_at": T, "published_at": T, "delivered_at": T
    });
    for (key, value) in extra.as_object().unwrap() {
        base[key] = value.clone();
    }
    base
}

async fn a_bad_file_is_reported_line_by_line_and_a_fixed_one_finishes_the_job(backend: Backend) {
    const A: &str = "0190f3c2-7d1e-7c4a-9b1e-3f0c2a6d8e11";
    const B: &str = "0190f3c2-7d1e-7c4a-9b1e-3f0c2a6d8e12";
    const C: &str = "0190f3c2-7d1e-7c4a-9b1e-3f0c2a6d8e13";
    let header = line(json!({"type": "header", "format": "khabar.export", "version": 1}));
    let wire = line(
        json!({"type": "contributor", "slug": "wire", "kind": "agency", "name": "Wire", "created_at": T, "updated_at": T}),
    );
    let lines = vec![
        header.clone(), // 1
        wire.clone(),   // 2
        line(
            json!({"type": "contributor", "slug": "x", "kind": "person", "name": "X", "created_at": T, "updated_at": T, "shoe": 44}),
        ), // 3
        line(
            json!({"type": "topic", "slug": "orphan", "kind": "tag", "name": "Orphan", "parent": "nowhere", "created_at": T, "updated_at": T}),
        ), // 4
        line(article(
            C,
            "missing-author",
            json!({"bylines": [{"contributor": "nobody", "role": "author"}]}),
        )), // 5
        line(article(A, "first", json!({"related": [B]}))), // 6
        b"{\"type\":\"topic\",\"slug\":\"\xff\xfe\"}".to_vec(), // 7
        line(article(B, "second", json!({}))), // 8
        line(article(
            "0190f3c2-7d1e-7c4a-9b1e-3f0c2a6d8e14",
            "first",
            json!({}),
        )), // 9
        line(json!({"type": "comment", "text": "?"})), // 10
        b"{\"type\": \"topic\", \"slug\": ".to_vec(), // 11
        line(json!({"type": "article", "id": "not-a-uuid"})), // 12
        line(article(
            "0190f3c2-7d1e-7c4a-9b1e-3f0c2a6d8e15",
            "scheduled-without-time",
            json!({"status": "scheduled"}),
        )), // 13
        // The rules the API applies to contributors and topics apply to their records too.
        line(
            json!({"type": "contributor", "slug": "js", "kind": "person", "name": "JS", "avatar_url": "javascript:alert(1)", "created_at": T, "updated_at": T}),
        ), // 14
        line(
            json!({"type": "topic", "slug": "long", "kind": "tag", "name": "ط".repeat(201), "created_at": T, "updated_at": T}),
        ), // 15
    ];
    let mut file = file_of(&lines);
    // A truncated last line, with no newline.
    file.extend_from_slice(b"{\"type\":\"article\",\"id\":\"0190f3c2");
    let (_db, pool, target) = empty_target(backend);

    // --atomic: the whole file or nothing, and here nothing.
    let atomic = import_into(
        &pool,
        &target,
        &file,
        ImportOptions {
            atomic: true,
            ..ImportOptions::default()
        },
    );
    assert!(atomic.rolled_back);
    assert_eq!(article_count(&pool), 0, "nothing was imported");

    let report = import_into(&pool, &target, &file, ImportOptions::default());
    let refused: Vec<u64> = report.problems.iter().map(|p| p.line).collect();
    assert_eq!(
        refused,
        vec![3, 4, 5, 7, 9, 10, 11, 12, 13, 14, 15, 16],
        "{:#?}",
        report.problems
    );
    let problem = |n: u64| {
        report
            .problems
            .iter()
            .find(|p| p.line == n)
            .unwrap()
            .message
            .clone()
    };
    assert!(problem(3).contains("shoe"), "{}", problem(3));
    assert!(problem(4).contains("nowhere"), "{}", problem(4));
    assert!(problem(5).contains("nobody"), "{}", problem(5));
    assert!(problem(7).contains("UTF-8"), "{}", problem(7));
    assert!(problem(9).contains("taken by article"), "{}", problem(9));
    assert!(problem(10).contains("unknown type"), "{}", problem(10));
    assert!(problem(11).contains("not JSON"), "{}", problem(11));
    assert!(problem(12).contains("article"), "{}", problem(12));
    assert!(problem(13).contains("scheduled_at"), "{}", problem(13));
    assert!(problem(14).contains("avatar_url"), "{}", problem(14));
    assert!(problem(15).contains("name"), "{}", problem(15));
    assert_eq!(report.counts["article"].created, 2);
    assert_eq!(article_count(&pool), 2);
    // The related article came later in the file: linked once it was there.
    let related = related_of(&pool, A);
    assert_eq!(related, vec![B.to_owned()]);

    // Fixed, the file finishes the job: the refused ones come in, the rest stays as it was.
    let fixed = file_of(&[
        header,
        wire,
        line(
            json!({"type": "contributor", "slug": "nobody", "kind": "person", "name": "Nobody", "created_at": T, "updated_at": T}),
        ),
        line(article(
            C,
            "missing-author",
            json!({"bylines": [{"contributor": "nobody", "role": "author"}]}),
        )),
        line(article(A, "first", json!({"related": [B]}))),
        line(article(B, "second", json!({}))),
    ]);
    let finished = import_into(&pool, &target, &fixed, ImportOptions::default());
    assert!(finished.problems.is_empty(), "{:#?}", finished.problems);
    assert_eq!(finished.counts["article"].created, 1);
    assert_eq!(finished.counts["article"].unchanged, 2);
    assert_eq!(article_count(&pool), 3, "no duplicates");
}

fn article_count(pool: &khabar::db::DbPool) -> i64 {
    use diesel::prelude::*;
    khabar::db::schema::articles::table
        .count()
        .get_result(&mut pool.get().unwrap())
        .unwrap()
}

fn related_of(pool: &khabar::db::DbPool, public_id: &str) -> Vec<String> {
    use diesel::prelude::*;
    use khabar::db::schema::{articles, related_articles};
    let id: i64 = articles::table
        .filter(articles::public_id.eq(public_id))
        .select(articles::id)
        .first(&mut pool.get().unwrap())
        .unwrap();
    related_articles::table
        .inner_join(articles::table.on(related_articles::related_article_id.eq(articles::id)))
        .filter(related_articles::article_id.eq(id))
        .select(articles::public_id)
        .load(&mut pool.get().unwrap())
        .unwrap()
}

/// What is not an export at all is refused whole, before anything is written.
async fn what_is_not_an_export_is_refused_whole(backend: Backend) {
    let (_db, pool, target) = empty_target(backend);
    let links = target
        .media
        .links(TEST_JWT_SECRET.as_bytes(), target.public_url.clone());
    let urls = UrlBuilder::new(url::Url::parse(SITE_URL).unwrap());
    let attempt = |bytes: &[u8]| {
        khabar::transfer::import::import(
            &mut pool.get().unwrap(),
            &Target {
                media: &target.media,
                links: &links,
                urls: &urls,
                origin: &khabar::domain::changes::Origin::system("import"),
            },
            khabar::transfer::import::json_lines(bytes),
            ImportOptions::default(),
            &|_| {},
        )
        .map(|_| ())
        .unwrap_err()
        .to_string()
    };
    let wxr = std::fs::read(WXR).unwrap();
    assert!(attempt(&wxr).contains("not a Khabar export"), "{}", attempt(&wxr));
    assert!(attempt(b"").contains("empty"));
    let newer = line(json!({"type": "header", "format": "khabar.export", "version": 2}));
    assert!(attempt(&newer).contains("up to version 1"), "{}", attempt(&newer));
    let other = line(json!({"type": "header", "format": "ghost.export", "version": 1}));
    assert!(attempt(&other).contains("ghost.export"));
    let headless = line(
        json!({"type": "contributor", "slug": "a", "kind": "person", "name": "A", "created_at": T, "updated_at": T}),
    );
    assert!(
        attempt(&headless).contains("not a header"),
        "{}",
        attempt(&headless)
    );
    assert_eq!(article_count(&pool), 0);
}

/// Imports over the API: admins only; the report; atomic refusals as a 422; the same file
/// twice changes nothing. Admins may also create an article with its past.
async fn admins_import_over_the_api_and_create_articles_with_their_past(backend: Backend) {
    let source = TestApp::spawn(backend).await;
    let exported = export_of(&source.pool, &source.settings);
    let app = {
        let (db, _pool, target) = empty_target(backend);
        TestApp::spawn_owning(db, target).await
    };
    let admin = app.token("admin").await;
    let editor = app.token("editor").await;
    let post = |token: &str, body: Vec<u8>, query: &str| {
        app.authed(Method::POST, &format!("/v1/imports{query}"), token)
            .header("Content-Type", "application/x-ndjson")
            .body(body)
    };
    let (status, _, _) = send(post(&editor, exported.clone(), "")).await;
    assert_eq!(status, 403);
    let (status, _, report) = send(post(&admin, exported.clone(), "")).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["counts"]["article"]["created"], 5, "{report}");
    assert_eq!(report["problems"], json!([]));
    let (status, _, list) = app.get_json("/v1/articles?language=ar").await;
    assert_eq!(status, 200);
    assert_eq!(
        list["data"].as_array().unwrap().len(),
        4,
        "imported and public at once"
    );
    let (_, _, again) = send(post(&admin, exported.clone(), "")).await;
    assert_eq!(again["counts"]["article"]["unchanged"], 5, "{again}");
    let mut broken = exported.clone();
    broken.extend_from_slice(b"{\"type\":\"topic\"}\n");
    let (status, _, problem) = send(post(&admin, broken, "?atomic=true")).await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem["errors"][0]["field"]
        .as_str()
        .unwrap()
        .starts_with("line "));
    let (status, _, _) = send(post(&admin, std::fs::read(WXR).unwrap(), "")).await;
    assert_eq!(status, 400, "XML is not JSON Lines");

    // An archived story created as it was, by an admin.
    let story = json!({
        "language": "ar", "headline": "خبر من الأرشيف", "body": [{"type": "paragraph", "html": "نص قديم"}],
        "bylines": [{"contributor": "afp", "role": "agency"}],
        "history": {"status": "published", "first_published_at": "2015-03-01T08:00:00Z", "updated_at": "2015-03-02T09:00:00Z"}
    });
    let (status, _, _) = send(app.authed(Method::POST, "/v1/articles", &editor).json(&story)).await;
    assert_eq!(status, 403, "editors cannot write the past");
    let (status, _, created) = send(app.authed(Method::POST, "/v1/articles", &admin).json(&story)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["status"], "published");
    assert_eq!(created["first_published_at"], "2015-03-01T08:00:00Z");
    let (status, headers, public) = send(
        app.client
            .get(app.url(&format!("/v1/articles/{}", created["id"].as_str().unwrap()))),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(public["published_at"], "2015-03-01T08:00:00Z");
    assert_eq!(headers["last-modified"], "Mon, 02 Mar 2015 09:00:00 GMT");
    let (_, _, oldest) = app.get_json("/v1/articles?language=ar&sort=oldest&limit=1").await;
    assert_eq!(
        oldest["data"][0]["id"], created["id"],
        "filed where it belongs in time"
    );
    // Its translation, created with its past too (public before the story's last change), is
    // listed by the story it translates at once, and that story still says when it last changed.
    let (status, _, translation) = send(app.authed(Method::POST, "/v1/articles", &admin).json(&json!({
        "language": "en", "headline": "A story from the archive", "body": [{"type": "paragraph", "html": "Old text"}],
        "bylines": [{"contributor": "afp", "role": "agency"}],
        "translation_of": created["id"],
        "history": {"status": "published", "first_published_at": "2015-03-02T08:00:00Z"}
    })))
    .await;
    assert_eq!(status, 201, "{translation}");
    let (status, headers, public) = send(
        app.client
            .get(app.url(&format!("/v1/articles/{}", created["id"].as_str().unwrap()))),
    )
    .await;
    assert_eq!(status, 200);
    let translations: Vec<&Value> = public["translations"].as_array().unwrap().iter().collect();
    assert_eq!(translations.len(), 1, "{public}");
    assert_eq!(translations[0]["id"], translation["id"], "{public}");
    assert_eq!(headers["last-modified"], "Mon, 02 Mar 2015 09:00:00 GMT");
    for (history, field) in [
        (
            json!({"status": "published", "first_published_at": "2099-01-01T00:00:00Z"}),
            "/history",
        ),
        (
            json!({"status": "draft", "first_published_at": "2015-01-01T00:00:00Z"}),
            "/history/status",
        ),
        (
            json!({"status": "published", "first_published_at": "2015-01-02T00:00:00Z", "published_at": "2015-01-01T00:00:00Z"}),
            "/history/published_at",
        ),
        (
            json!({"status": "published", "first_published_at": "2015-01-01T00:00:00Z", "colour": 1}),
            "/history/colour",
        ),
    ] {
        let mut body = story.clone();
        body["headline"] = json!(format!("خبر {}", uuid::Uuid::new_v4().simple()));
        body["history"] = history;
        let (status, _, problem) = send(app.authed(Method::POST, "/v1/articles", &admin).json(&body)).await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
}

/// Archives are no news to partners: an import makes no webhook unless it asks for them
/// (`?webhooks=true`), nor does an article created with its past; what is news still does.
/// (Deliveries are queued from the change log, in its order: once a later change's delivery
/// is queued, every earlier entry was looked at.)
async fn only_news_reaches_webhooks(backend: Backend) {
    let source = TestApp::spawn(backend).await;
    let exported = export_of(&source.pool, &source.settings);
    for ask in [false, true] {
        let app = {
            let (db, _pool, target) = empty_target(backend);
            TestApp::spawn_owning(db, target).await
        };
        let admin = app.token("admin").await;
        let (status, _, hook) = send(app.authed(Method::POST, "/v1/webhooks", &admin).json(&json!({
            "url": format!("http://127.0.0.1:{}/hook", crate::helpers::free_port()),
            "events": ["article.published", "article.updated", "article.unpublished", "article.deleted"]
        })))
        .await;
        assert_eq!(status, 201, "{hook}");
        let query = if ask { "?webhooks=true" } else { "" };
        let (status, _, report) = send(
            app.authed(Method::POST, &format!("/v1/imports{query}"), &admin)
                .header("Content-Type", "application/x-ndjson")
                .body(exported.clone()),
        )
        .await;
        assert_eq!(status, 200, "{report}");
        let (status, _, _) = send(app.authed(Method::POST, "/v1/articles", &admin).json(&json!({
            "language": "ar", "headline": "خبر من الأرشيف", "body": [{"type": "paragraph", "html": "نص قديم"}],
            "bylines": [{"contributor": "afp", "role": "agency"}],
            "history": {"status": "published", "first_published_at": "2015-03-01T08:00:00Z"}
        })))
        .await;
        assert_eq!(status, 201);
        let (news, _) = crate::helpers::published_article(&app, &admin, "خبر اليوم").await;
        let mut queued = Vec::new();
        for _ in 0..200 {
            let (_, _, list) = send(app.authed(
                Method::GET,
                &format!("/v1/webhooks/{}/deliveries", hook["id"]),
                &admin,
            ))
            .await;
            queued = list.as_array().unwrap().clone();
            if queued.iter().any(|d| d["ordering_key"] == news) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let mut events: Vec<(String, bool)> = queued
            .iter()
            .map(|d| (d["event"].as_str().unwrap().to_owned(), d["ordering_key"] == news))
            .collect();
        events.sort();
        let mut expected = vec![("article.published".to_owned(), true)];
        if ask {
            // The export's five public articles, announced once each.
            expected.extend(std::iter::repeat_n(("article.published".to_owned(), false), 5));
            expected.sort();
        }
        assert_eq!(events, expected, "webhooks asked for: {ask}: {queued:?}");
    }
}

on_both_backends!(
    only_news_reaches_webhooks,
    a_wordpress_archive_imports_with_its_dates_authors_sections_photos_and_old_links,
    a_bad_file_is_reported_line_by_line_and_a_fixed_one_finishes_the_job,
    what_is_not_an_export_is_refused_whole,
    admins_import_over_the_api_and_create_articles_with_their_past,
);
