//! Search on both backends: one shared table of queries and the articles each must return.

use chrono::NaiveDate;
use khabar::domain::blocks::Block;
use khabar::domain::kinds::BylineRole;
use khabar::seed::{ArticleSpec, ContentSet};
use serde_json::Value;

use crate::helpers::{Backend, TestApp};

fn article(
    slug: &str,
    language: &str,
    headline: &str,
    lead: &str,
    body: &str,
    topic: &str,
    byline: (&str, BylineRole),
) -> ArticleSpec {
    ArticleSpec {
        slug: slug.into(),
        language: language.into(),
        translation_of: None,
        headline: headline.into(),
        lead: Some(lead.into()),
        dateline: None,
        published_at: NaiveDate::from_ymd_opt(2021, 3, 1)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap(),
        body: vec![Block::Paragraph { html: body.into() }],
        bylines: vec![(byline.0.into(), byline.1)],
        featured_media: None,
        topics: vec![topic.into()],
        related: Vec::new(),
    }
}

/// Six articles beside the demo set, each with words no other article has.
async fn app_with_corpus(backend: Backend) -> TestApp {
    let app = TestApp::spawn(backend).await;
    let agency = ("afp", BylineRole::Agency);
    let euronews = ("euronews", BylineRole::Author);
    let set = ContentSet {
        articles: vec![
            article(
                "s-defence-ar",
                "ar",
                "وزير الدفاع يزور قاعدة جوية قرب أنقرة",
                "زار وزير الدفاع قاعدة إنجرليك الجوية والتقى بالطيارين",
                "قال الوزير إن القوات الجوية مستعدة. وأكد أن التدريبات ستستمر.",
                "turkey",
                agency,
            ),
            article(
                "s-film",
                "ar",
                "فيلم ليبي جديد في مهرجان القاهرة السينمائي",
                "عُرض الفيلمُ للمرة الأولى أمام جمهورٍ كبير",
                "قال المخرج إن الفيلم يروي قصة عائلة من بنغازي.",
                "egypt",
                euronews,
            ),
            article(
                "s-budget",
                "ar",
                "الحكومة تعلن ميزانية ٢٠٢١ للدفاع والتعليم",
                "أعلنت الحكومة ميزانية جديدة",
                "خصصت الحكومة مبالغ للمدارس والمستشفيات.",
                "libya",
                euronews,
            ),
            article(
                "s-cafe",
                "en",
                "Café culture returns to Tripoli",
                "Residents reopened their favourite cafés after the war.",
                "Coffee houses in the old city are busy again. The Café Naïve was first.",
                "tripoli",
                euronews,
            ),
            article(
                "s-airbase",
                "en",
                "Defence minister inspects airbase",
                "The minister met pilots at Incirlik.",
                "Training will continue, officials said.",
                "turkey",
                agency,
            ),
            article(
                "s-meeting",
                "ar",
                "لقاء بين الرئيس ووزير الخارجية",
                "التقى الرئيس بوزير الخارجية في طرابلس",
                "ناقش الجانبان العلاقات الثنائية.",
                "tripoli",
                euronews,
            ),
        ],
        ..ContentSet::default()
    };
    crate::helpers::load_content(&mut app.conn(), &set).unwrap();
    app.cache.invalidate_all();
    app
}

fn slug_of(name: &str) -> String {
    let slugify = khabar::domain::slug::slugify;
    match name {
        "demo-ar" => khabar::seed::demo_article_slug(),
        "demo-en" => slugify("libya turkey sarraj akar military security talks"),
        "china" => slugify("الصين تعتزم منع بيع الدواجن حيّة أو ذبحها في الأسواق التجارية"),
        "sisi" => slugify("هل سينفذ السيسي تهديده بالتدخل المباشر في ليبيا؟"),
        "ras" => slugify(
            "ميليشيات مسلحة وصراع للسيطرة على منفذ \"رأس جدير\".. ماذا يحدث على الحدود التونسية الليبية؟",
        ),
        other => other.to_owned(),
    }
}

/// (query string after `?`, the articles it must return in any order)
const CASES: &[(&str, &[&str])] = &[
    ("q=إنجرليك", &["s-defence-ar"]),
    ("q=انجرليك", &["s-defence-ar"]),
    ("q=الجوية", &["s-defence-ar"]),
    ("q=جوية", &["s-defence-ar"]),
    ("q=والجوية", &["s-defence-ar"]),
    ("q=فيلم", &["s-film"]),
    ("q=الفيلم", &["s-film"]),
    ("q=بالفيلم", &["s-film"]),
    ("q=السينمائي", &["s-film"]),
    ("q=ميزانية", &["s-budget"]),
    ("q=ميزانيه", &["s-budget"]),
    // The year an article was published is searchable, as is a year in its text.
    (
        "q=2021",
        &[
            "s-airbase",
            "s-budget",
            "s-cafe",
            "s-defence-ar",
            "s-film",
            "s-meeting",
        ],
    ),
    (
        "q=٢٠٢١",
        &[
            "s-airbase",
            "s-budget",
            "s-cafe",
            "s-defence-ar",
            "s-film",
            "s-meeting",
        ],
    ),
    ("q=2020", &["demo-ar", "demo-en", "china", "sisi", "ras"]),
    // A name's endings vary (ة/ه, a final ا): تركيه finds تركيا and التركي.
    ("q=تركيه", &["s-defence-ar", "demo-ar"]),
    ("q=تركيا", &["s-defence-ar", "demo-ar"]),
    ("q=cafe", &["s-cafe"]),
    ("q=Café", &["s-cafe"]),
    ("q=CAFÉS", &["s-cafe"]),
    ("q=naive", &["s-cafe"]),
    ("q=airbase", &["s-airbase"]),
    ("q=incirlik", &["s-airbase"]),
    ("q=pilots", &["s-airbase"]),
    ("q=%22defence%20minister%22", &["s-airbase", "demo-en"]),
    ("q=%22minister%20defence%22", &[]),
    ("q=%22وزير%20الدفاع%22", &["s-defence-ar", "demo-ar"]),
    ("q=وزير", &["s-defence-ar", "s-meeting", "demo-ar"]),
    ("q=الوزير", &["s-defence-ar", "s-meeting", "demo-ar"]),
    ("q=طرابلس", &["demo-ar", "s-meeting"]),
    ("q=Tripoli", &["demo-en", "s-cafe"]),
    ("q=tripoli%20-cafe", &["demo-en"]),
    ("q=الحكومة", &["s-budget", "demo-ar"]),
    ("q=حكومه", &["s-budget", "demo-ar"]),
    ("q=الحكومة%20-ميزانية", &["demo-ar"]),
    (
        "q=يورونيوز",
        &[
            "demo-ar",
            "china",
            "sisi",
            "ras",
            "s-film",
            "s-budget",
            "s-meeting",
        ],
    ),
    ("q=Euronews", &["demo-en", "s-cafe"]),
    ("q=AFP", &["demo-en", "s-airbase"]),
    ("q=قاعدة%20جوية", &["s-defence-ar"]),
    ("q=ليبي", &["s-film", "demo-ar", "s-budget", "sisi", "ras"]),
    ("q=مهرجان%20القاهرة", &["s-film"]),
    ("q=السيسي", &["sisi"]),
    ("q=الدواجن", &["china"]),
    ("q=جدير", &["ras"]),
    ("q=xyzzy", &[]),
    ("q=NEAR(a%20b)%20OR%20c*", &[]),
    ("q=%27;%20DROP%20TABLE%20articles;%20--", &[]),
    ("q=الدفاع&language=ar", &["s-defence-ar", "s-budget", "demo-ar"]),
    ("q=الدفاع&language=en", &[]),
    ("q=وزير&topic=turkey", &["s-defence-ar", "demo-ar"]),
    ("q=defence&contributor=afp", &["demo-en", "s-airbase"]),
    ("q=ودفاع", &["s-defence-ar", "s-budget", "demo-ar"]),
    ("q=للدفاع", &["s-defence-ar", "s-budget", "demo-ar"]),
];

async fn the_query_table_returns_the_same_articles_on_both_backends(backend: Backend) {
    let app = app_with_corpus(backend).await;
    let mut failures = Vec::new();
    for (query, expected) in CASES {
        let (status, _, page) = app.get_json(&format!("/v1/search?{query}&limit=100")).await;
        assert_eq!(status, 200, "{query}: {page}");
        let mut found: Vec<String> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["slug"].as_str().unwrap().to_owned())
            .collect();
        let mut wanted: Vec<String> = expected.iter().map(|name| slug_of(name)).collect();
        found.sort();
        wanted.sort();
        if found != wanted {
            failures.push(format!("{query}: expected {wanted:?}, found {found:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

async fn results_rank_snippet_and_page(backend: Backend) {
    let app = app_with_corpus(backend).await;
    let (_, _, page) = app.get_json("/v1/search?q=الدفاع").await;
    let data = page["data"].as_array().unwrap();
    let mut short: Vec<&str> = data[..2].iter().map(|a| a["slug"].as_str().unwrap()).collect();
    short.sort();
    assert_eq!(
        short,
        vec!["s-budget", "s-defence-ar"],
        "short articles with the word in the headline rank first"
    );
    assert_eq!(
        data[2]["slug"],
        khabar::seed::demo_article_slug().as_str(),
        "the long article ranks last"
    );
    let defence = data.iter().find(|a| a["slug"] == "s-defence-ar").unwrap();
    let snippet = defence["snippet"].as_str().unwrap();
    assert!(snippet.contains("<mark>الدفاع</mark>"), "{snippet}");
    assert!(data
        .iter()
        .all(|a| a["headline"].is_string() && a["id"].is_string()));

    // Paging covers every result once, in both sorts.
    for sort in ["relevance", "newest"] {
        let mut seen = Vec::new();
        let mut path = format!("/v1/search?q=يورونيوز&limit=2&sort={sort}");
        for _ in 0..10 {
            let (status, _, page) = app.get_json(&path).await;
            assert_eq!(status, 200, "{page}");
            seen.extend(
                page["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a["slug"].as_str().unwrap().to_owned()),
            );
            match page["next_cursor"].as_str() {
                Some(cursor) => path = format!("/v1/search?q=يورونيوز&limit=2&sort={sort}&cursor={cursor}"),
                None => break,
            }
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!((seen.len(), unique.len()), (7, 7), "{sort}: {seen:?}");
    }
    let (_, _, newest) = app.get_json("/v1/search?q=يورونيوز&sort=newest").await;
    let dates: Vec<&str> = newest["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["published_at"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);

    // q= on the article list is the same search.
    let (status, _, listed) = app.get_json("/v1/articles?q=الدفاع&language=ar").await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["data"].as_array().unwrap().len(), 3);
    let (status, _, _) = app.get_json("/v1/articles?q=الدفاع&sort=oldest").await;
    assert_eq!(status, 400);
    let (status, _, _) = app.get_json("/v1/articles?sort=relevance").await;
    assert_eq!(status, 400);
}

async fn bad_queries_are_400s_never_500s(backend: Backend) {
    let app = app_with_corpus(backend).await;
    let long = "ب".repeat(1000);
    for (query, expected) in [
        ("q=".to_owned(), 400),
        ("q=%20%20%20".to_owned(), 400),
        ("q=...%20%D8%9F%D8%9F".to_owned(), 400),
        ("q=-libya".to_owned(), 400),
        (format!("q={long}"), 400),
        ("q=%22".to_owned(), 400),
        ("q=%22%22%22".to_owned(), 400),
        ("q=*".to_owned(), 400),
        ("q=NEAR".to_owned(), 200),
        ("q=a:b".to_owned(), 200),
        ("q=(((".to_owned(), 400),
        ("q=%27%20OR%201=1%20--".to_owned(), 200),
        ("q=%FF%FE".to_owned(), 400),
        ("q=libya&limit=0".to_owned(), 400),
        ("q=libya&cursor=forged".to_owned(), 400),
        ("q=libya&topic=atlantis".to_owned(), 400),
        ("q=libya&sort=oldest".to_owned(), 400),
        ("q=libya&colour=red".to_owned(), 400),
        ("language=ar".to_owned(), 400),
    ] {
        let (status, content_type, body) = app.get_json(&format!("/v1/search?{query}")).await;
        assert_eq!(status, expected, "{query}: {body}");
        if status == 400 {
            assert_eq!(content_type, "application/problem+json", "{query}");
        }
    }
    let (_, _, page) = app.get_json("/v1/search?q=يورونيوز&limit=1").await;
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let (status, _, _) = app
        .get_json(&format!("/v1/search?q=طرابلس&limit=1&cursor={cursor}"))
        .await;
    assert_eq!(status, 400, "a cursor from another query");
}

async fn suggestions_complete_the_last_word(backend: Backend) {
    let app = app_with_corpus(backend).await;
    let (status, _, suggestions) = app.get_json("/v1/search/suggest?q=مهرج").await;
    assert_eq!(status, 200, "{suggestions}");
    assert_eq!(suggestions["headlines"][0]["slug"], "s-film");
    let (_, _, suggestions) = app.get_json("/v1/search/suggest?q=طراب&language=ar").await;
    assert!(suggestions["topics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["slug"] == "tripoli" && t["name"] == "طرابلس"));
    let (_, _, suggestions) = app.get_json("/v1/search/suggest?q=eur").await;
    assert_eq!(suggestions["contributors"][0]["slug"], "euronews");
    let (status, _, _) = app.get_json("/v1/search/suggest?q=%20").await;
    assert_eq!(status, 400);
    let value: Value = app.get_json("/v1/search/suggest?q=zzzz").await.2;
    assert_eq!(value["headlines"], serde_json::json!([]));
}

async fn unpublished_articles_leave_the_index(backend: Backend) {
    use diesel::prelude::*;
    use khabar::db::schema::articles;
    let app = app_with_corpus(backend).await;
    diesel::update(articles::table.filter(articles::slug.eq("s-film")))
        .set(articles::status.eq("unpublished"))
        .execute(&mut app.conn())
        .unwrap();
    app.republish();
    let (_, _, page) = app.get_json("/v1/search?q=فيلم").await;
    assert_eq!(page["data"], serde_json::json!([]));
    let (_, _, page) = app.get_json("/v1/search/suggest?q=مهرج").await;
    assert_eq!(page["headlines"], serde_json::json!([]));
}

crate::on_both_backends!(
    the_query_table_returns_the_same_articles_on_both_backends,
    results_rank_snippet_and_page,
    bad_queries_are_400s_never_500s,
    suggestions_complete_the_last_word,
    unpublished_articles_leave_the_index,
);
