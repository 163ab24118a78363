//! A node cut off from the database follows the change log when it is back (issue 29): it
//! serves its warm cache through the outage, and afterwards catches up from the position it
//! had applied, evicting what changed meanwhile and nothing else, instead of emptying its
//! cache. The cut is a TCP proxy between that node and the shared PostgreSQL, closed for 10 s;
//! a second node writes through the outage and a third, still connected, serves the change
//! within a second.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use khabar::db::DatabaseUrl;
use reqwest::Method;
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::helpers::{postgres_available, published_article, send, settings, Backend, TestApp, TestDb};

/// A TCP proxy to the database that can be cut (every connection closed, new ones refused)
/// and restored.
struct Proxy {
    port: u16,
    cut: Arc<AtomicBool>,
    cuts: watch::Sender<u64>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let (cuts, _) = watch::channel(0u64);
        let (accepting, cuts_seen) = (cut.clone(), cuts.subscribe());
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                if accepting.load(Ordering::SeqCst) {
                    continue;
                }
                let upstream = upstream.clone();
                let mut cuts = cuts_seen.clone();
                cuts.borrow_and_update();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cuts.changed() => {}
                    }
                });
            }
        });
        Proxy { port, cut, cuts }
    }

    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        self.cuts.send_modify(|n| *n += 1);
    }

    fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

async fn headline(app: &TestApp, id: &str) -> String {
    let (status, _, article) = app.get_json(&format!("/v1/articles/{id}")).await;
    assert_eq!(status, 200, "{article}");
    article["headline"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_node_cut_off_catches_up_from_the_log_and_keeps_its_cache() {
    if !postgres_available() {
        return;
    }
    let db = TestDb::create(Backend::Postgres);
    let DatabaseUrl::Postgres(direct) = db.url.clone() else {
        unreachable!()
    };
    let mut through = url::Url::parse(&direct).unwrap();
    let upstream = format!(
        "{}:{}",
        through.host_str().unwrap(),
        through.port().unwrap_or(5432)
    );
    let proxy = Proxy::start(upstream).await;
    through.set_host(Some("127.0.0.1")).unwrap();
    through.set_port(Some(proxy.port)).unwrap();
    let writer = TestApp::spawn_owning(db, settings(DatabaseUrl::Postgres(direct.clone()))).await;
    // A third node that stays connected throughout.
    let watcher = TestApp::spawn_with(settings(DatabaseUrl::Postgres(direct))).await;
    let mut cut_off = settings(DatabaseUrl::Postgres(through.to_string()));
    cut_off.db_timeout = Duration::from_secs(1);
    let node = TestApp::spawn_with(cut_off).await;

    let token = writer.token("editor").await;
    let (changed, version) = published_article(&writer, &token, "قبل الانقطاع").await;
    // The demo article shows none of the new ones (new articles may be related to each other,
    // and an article showing a changed one is rightly evicted with it).
    let (_, _, demo) = writer
        .get_json(&format!(
            "/v1/articles/{}",
            crate::helpers::segment(&khabar::seed::demo_article_slug())
        ))
        .await;
    let untouched = demo["id"].as_str().unwrap().to_owned();
    let untouched_headline = headline(&writer, &untouched).await;
    // Warm on the node that will be cut off.
    assert_eq!(headline(&node, &changed).await, "قبل الانقطاع");
    assert_eq!(headline(&node, &untouched).await, untouched_headline);
    assert_eq!(headline(&watcher, &changed).await, "قبل الانقطاع");
    let untouched_key = format!("article:{untouched}:");
    assert!(node.cache.get(&untouched_key).is_some());

    proxy.cut();
    let (status, _, edited) = send(
        writer
            .authed(Method::PATCH, &format!("/v1/articles/{changed}"), &token)
            .header("If-Match", format!("\"v{version}\""))
            .header("Content-Type", "application/merge-patch+json")
            .body(json!({"headline": "بعد الانقطاع"}).to_string()),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    let (added, _) = published_article(&writer, &token, "نشر أثناء الانقطاع").await;
    let outage = Instant::now();
    // The connected node hears of the edit at once, through the wake-up and the log.
    while headline(&watcher, &changed).await != "بعد الانقطاع" {
        assert!(
            outage.elapsed() < Duration::from_secs(1),
            "the connected node kept the old answer"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    while outage.elapsed() < Duration::from_secs(10) {
        // The warm cache serves through the outage.
        assert_eq!(headline(&node, &untouched).await, untouched_headline);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    proxy.restore();
    let back = Instant::now();
    while headline(&node, &changed).await != "بعد الانقطاع" {
        assert!(
            back.elapsed() < Duration::from_secs(15),
            "the node never caught up"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!(
        "caught up {} ms after the database came back",
        back.elapsed().as_millis()
    );
    // Caught up, not emptied: the untouched article's answer is still the cached one.
    assert!(
        node.cache.get(&untouched_key).is_some(),
        "the node emptied its cache instead of catching up"
    );
    assert_eq!(headline(&node, &added).await, "نشر أثناء الانقطاع");
    let (_, _, page) = node.get_json("/v1/articles?limit=5").await;
    assert!(
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == json!(added)),
        "the lists were not refreshed: {page}"
    );
}
