//! WordPress exports written by others (tests/fixtures/wordpress/public, WordPress importer's
//! own test data: a WordPress.com export, WXR 1.0 and 1.1 from self-hosted sites, files it
//! refuses), and the classes they exposed: identity, namespaces and versions, terms named only
//! on posts, authors without records, dates, well-formedness, and blogs in a subfolder.

use diesel::prelude::*;

use crate::helpers::{settings, Backend, TestApp, TestDb, SITE_URL, TEST_JWT_SECRET};
use crate::on_both_backends;
use khabar::api::article::UrlBuilder;
use khabar::config::{DemoMode, Settings};
use khabar::db::schema::{articles, contributors, topics};
use khabar::transfer::import::{ImportError, ImportOptions, Target};
use khabar::transfer::report::Report;
use khabar::transfer::wordpress::WordpressOptions;

fn public(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/wordpress/public")
        .join(name)
}

fn empty_target(backend: Backend) -> (TestDb, khabar::db::DbPool, Settings) {
    let db = TestDb::create(backend);
    let pool = db.migrated_pool();
    let mut target = settings(db.url.clone());
    target.demo = DemoMode::Never;
    (db, pool, target)
}

fn import(
    pool: &khabar::db::DbPool,
    target: &Settings,
    path: &std::path::Path,
) -> Result<Report, ImportError> {
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
        path,
        ImportOptions::default(),
        &WordpressOptions::default(),
        &|_| {},
    )
}

/// Writes `text` to a file and imports it.
fn import_text(pool: &khabar::db::DbPool, target: &Settings, text: &str) -> Result<Report, ImportError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.xml");
    std::fs::write(&path, text).unwrap();
    import(pool, target, &path)
}

fn tally(report: &Report, kind: &str) -> (u64, u64, u64, u64, u64) {
    let t = report.counts.get(kind).copied().unwrap_or_default();
    (t.created, t.updated, t.unchanged, t.skipped, t.failed)
}

fn headlines(pool: &khabar::db::DbPool) -> Vec<String> {
    articles::table
        .select(articles::headline)
        .order(articles::headline)
        .load(&mut pool.get().unwrap())
        .unwrap()
}

/// The WordPress.com export (`https` namespaces) that once collapsed into one draft: every
/// post is its own article, every other item is skipped or stored as what it is, the counts
/// add up to the file's 186 items, and a second run changes nothing.
async fn a_wordpress_com_export_imports_every_post_once(backend: Backend) {
    let (_db, pool, target) = empty_target(backend);
    let file = public("theme-unit-test-data.xml");
    let report = import(&pool, &target, &file).unwrap();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    // 56 published, one scheduled and one draft post; 21 pages; 37 attachments; 70 menu items.
    assert_eq!(tally(&report, "article"), (58, 0, 0, 0, 0));
    assert_eq!(tally(&report, "media"), (37, 0, 0, 0, 0));
    assert_eq!(tally(&report, "page").3, 21);
    assert_eq!(tally(&report, "menu").3, 70);
    let items = std::fs::read_to_string(&file).unwrap().matches("<item>").count() as u64;
    let accounted: u64 = report
        .counts
        .iter()
        .filter(|(kind, _)| !matches!(kind.as_str(), "contributor" | "topic" | "redirect"))
        .map(|(_, t)| t.created + t.updated + t.unchanged + t.skipped + t.failed)
        .sum();
    assert_eq!((items, accounted), (186, 186), "{:?}", report.counts);
    let stored = headlines(&pool);
    assert_eq!(stored.len(), 58);
    assert!(stored.iter().any(|h| h == "Template: Sticky"), "{stored:?}");
    assert!(
        !stored.iter().any(|h| h == "Επίπεδο 3"),
        "a menu item became an article"
    );
    // Every old address leads to its own article, not all to one.
    let targets: std::collections::HashSet<Option<i64>> = khabar::db::schema::redirects::table
        .select(khabar::db::schema::redirects::article_id)
        .load(&mut pool.get().unwrap())
        .unwrap()
        .into_iter()
        .collect();
    assert!(targets.len() >= 50, "{} distinct targets", targets.len());

    let again = import(&pool, &target, &file).unwrap();
    assert_eq!(tally(&again, "article"), (0, 0, 58, 0, 0));
    assert_eq!(tally(&again, "media"), (0, 0, 37, 0, 0));
}

/// WXR 1.0 (no `wp:author` records, tags as `domain="tag"`, categories named without a
/// `nicename`) and WXR 1.1 from a self-hosted site.
async fn older_exports_keep_their_authors_and_terms(backend: Backend) {
    let (_db, pool, target) = empty_target(backend);
    let report = import(&pool, &target, &public("valid-wxr-1.0.xml")).unwrap();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert_eq!(tally(&report, "article").0, 3);
    assert_eq!(tally(&report, "page").3, 3);
    let app = TestApp::spawn_with(target.clone()).await;
    let (status, _, alpha) = app.get_json("/v1/articles/alpha-post").await;
    assert_eq!(status, 200, "{alpha}");
    let bylines: Vec<&str> = alpha["bylines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["contributor"]["slug"].as_str().unwrap())
        .collect();
    assert_eq!(
        bylines,
        ["admin"],
        "dc:creator without a wp:author record is still the author"
    );
    let mut linked: Vec<&str> = alpha["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    linked.sort();
    assert_eq!(linked, ["alpha", "news", "roar"]);

    let (_db2, pool2, target2) = empty_target(backend);
    let report = import(&pool2, &target2, &public("small-export.xml")).unwrap();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    // Five published posts and a private one (a draft here); four pages and a page draft.
    assert_eq!(tally(&report, "article").0, 6);
    assert_eq!(tally(&report, "page").3, 5);
    let report = import(&pool2, &target2, &public("wxr-utf-8-challenges.xml")).unwrap();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
}

/// What WordPress refuses is refused whole, with the place, and nothing is written; CDATA
/// escaped as WordPress escapes it comes through whole.
async fn files_that_are_not_well_formed_exports_write_nothing(backend: Backend) {
    let (_db, pool, target) = empty_target(backend);
    for (name, says) in [
        ("missing-version-tag.xml", "no <wp:wxr_version>"),
        ("invalid-version-tag.xml", "'abc', not a version"),
        ("malformed.xml", "malformed XML"),
        ("crazy-cdata.xml", "']]>' outside a CDATA section"),
    ] {
        match import(&pool, &target, &public(name)) {
            Err(ImportError::NotImportable { line, message }) => {
                assert!(message.contains(says), "{name}: {message}");
                assert!(line >= 1);
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    let count: i64 = articles::table
        .count()
        .get_result(&mut pool.get().unwrap())
        .unwrap();
    assert_eq!(count, 0);
    let undeclared = r#"<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<wp:wxr_version>1.2</wp:wxr_version><item><title>A &nbsp; B</title></item></channel></rss>"#;
    let Err(ImportError::NotImportable { message, .. }) = import_text(&pool, &target, undeclared) else {
        panic!("an undeclared entity was accepted")
    };
    assert!(message.contains("&nbsp;"), "{message}");

    // The XML is read whole (the content is HTML in which a CDATA section is a comment, as
    // a browser reads it, so the text is checked where it is XML).
    use khabar::transfer::wordpress::wxr::{Entry, WxrReader};
    let escaped = std::fs::read(public("crazy-cdata-escaped.xml")).unwrap();
    let mut reader = WxrReader::new(&escaped[..]);
    let item = loop {
        match reader.next_entry().unwrap() {
            Some(Entry::Record(item)) if item.name == "item" => break item,
            Some(_) => continue,
            None => panic!("no item"),
        }
    };
    assert_eq!(
        item.child("content:encoded"),
        Some("Content with nested <![CDATA[ tags ]]> :)")
    );
    let closing = item
        .all("wp:postmeta")
        .find(|m| m.child("wp:meta_key") == Some("Closing CDATA"))
        .unwrap();
    assert_eq!(closing.child("wp:meta_value"), Some("]]>"));
    let report = import(&pool, &target, &public("crazy-cdata-escaped.xml")).unwrap();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert_eq!(headlines(&pool), ["Hello world!"]);
}

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="https://wordpress.org/export/1.2/">
<channel><title>Blog</title><link>https://example.org/path</link><language>en-US</language>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://example.org/path</wp:base_site_url>
<wp:base_blog_url>https://example.org/path</wp:base_blog_url>
"#;

fn item(id: &str, title: &str, extra: &str) -> String {
    format!(
        "<item><title>{title}</title><link>https://example.org/path/?p={id}</link>{id_element}\
         <wp:post_type>post</wp:post_type><wp:status>publish</wp:status>\
         <content:encoded><![CDATA[<p>{title} text</p>]]></content:encoded>{extra}</item>\n",
        id_element = if id.is_empty() {
            String::new()
        } else {
            format!("<wp:post_id>{id}</wp:post_id>")
        }
    )
}

/// Identity: an item without an id, or with another's, is refused and never overwrites; an
/// item of no type is skipped; terms and authors named only on posts are created; a post
/// without a date is dated and says so; a blog in a subfolder keeps its home page.
async fn every_item_is_counted_and_none_overwrites_another(backend: Backend) {
    let (_db, pool, target) = empty_target(backend);
    let date = "<wp:post_date>2020-01-02 10:00:00</wp:post_date>";
    let terms = r#"<category domain="category" nicename="undeclared-section"><![CDATA[Undeclared section]]></category>
<category domain="tag"><![CDATA[WXR one tag]]></category>
<category domain="category" nicename="%c3%bc%cc%b7n"><![CDATA[Ü̷̢̯̭n̶̰̍c̶̰̒ 🎭]]></category>
<category domain="post_format" nicename="post-format-aside"><![CDATA[Aside]]></category>
<dc:creator>reporter</dc:creator>"#;
    let file = format!(
        "{HEAD}{}{}{}{}{}<item><title>Menu</title><wp:post_id>9</wp:post_id></item>\n</channel></rss>",
        item("1", "First", &format!("{date}{terms}")),
        item("1", "Second with the first one's id", date),
        item("", "No id", date),
        item("2", "Undated", ""),
        item("abc", "Bad id", date),
    );
    let report = import_text(&pool, &target, &file).unwrap();
    assert_eq!(tally(&report, "article"), (2, 0, 0, 0, 0));
    assert_eq!(tally(&report, "post").4, 3, "{:#?}", report.problems);
    assert_eq!(tally(&report, "item").3, 1, "no wp:post_type: skipped");
    let duplicate = report
        .problems
        .iter()
        .find(|p| p.key == "1")
        .expect("the second item with id 1 is refused");
    assert!(duplicate.message.contains("same wp:post_id"), "{duplicate:?}");
    assert!(report
        .problems
        .iter()
        .any(|p| p.message.contains("no wp:post_id")));
    assert!(report.problems.iter().any(|p| p.message.contains("'abc'")));
    assert_eq!(headlines(&pool), ["First", "Undated"]);
    assert!(report
        .notes
        .iter()
        .any(|n| n.key == "post_format" && n.message.contains("no counterpart")));
    assert!(report.notes.iter().any(|n| n.message.contains("no wp:post_date")));
    let undated: chrono::NaiveDateTime = articles::table
        .filter(articles::headline.eq("Undated"))
        .select(articles::created_at)
        .first(&mut pool.get().unwrap())
        .unwrap();
    assert!(undated.and_utc() > chrono::Utc::now() - chrono::Duration::minutes(10));

    let slugs: Vec<String> = topics::table
        .select(topics::slug)
        .order(topics::slug)
        .load(&mut pool.get().unwrap())
        .unwrap();
    assert!(slugs.contains(&"undeclared-section".to_owned()), "{slugs:?}");
    assert!(slugs.contains(&"wxr-one-tag".to_owned()), "{slugs:?}");
    assert_eq!(slugs.len(), 3, "{slugs:?}");
    let authors: Vec<String> = contributors::table
        .select(contributors::slug)
        .load(&mut pool.get().unwrap())
        .unwrap();
    assert_eq!(authors, ["reporter"]);

    // `/path/?p=1` leads to its post; `/path/` (the blog's home) leads nowhere.
    let app = TestApp::spawn_with(target.clone()).await;
    let (status, _, first) = app.get_json("/v1/resolve?path=%2Fpath%2F%3Fp%3D1").await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["path"], "/en-US/first");
    let (status, _, home) = app.get_json("/v1/resolve?path=%2Fpath%2F").await;
    assert_eq!(status, 404, "{home}");

    // `en-US` articles are found by `en` (RFC 4647 basic filtering) in lists, search and
    // feeds, and by `en-US` itself; not by `en-GB` or `e`.
    for (range, expected) in [("en", 2), ("en-US", 2), ("EN-us", 2), ("en-GB", 0)] {
        let (status, _, list) = app.get_json(&format!("/v1/articles?language={range}")).await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(
            list["data"].as_array().unwrap().len(),
            expected,
            "{range}: {list}"
        );
        let (status, _, found) = app
            .get_json(&format!("/v1/search?q=first&language={range}"))
            .await;
        assert_eq!(status, 200, "{found}");
        assert_eq!(
            found["data"].as_array().unwrap().len(),
            usize::from(expected > 0),
            "{range}: {found}"
        );
    }
    let (status, _, feed) = app.get_json("/feeds/en/feed.json").await;
    assert_eq!(status, 200, "{feed}");
    assert_eq!(feed["items"].as_array().unwrap().len(), 2, "{feed}");
}

on_both_backends!(
    a_wordpress_com_export_imports_every_post_once,
    older_exports_keep_their_authors_and_terms,
    files_that_are_not_well_formed_exports_write_nothing,
    every_item_is_counted_and_none_overwrites_another,
);
