//! A real Varnish (with the xkey module) in front of Khabar, configured by the shipped
//! `deploy/varnish/khabar.vcl` and purged by Khabar's worker through the outbox: a correction is
//! visible through the cache at once, an unrelated cached page stays a hit, and a purge that
//! fails while Varnish is down is retried, not lost.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use reqwest::Method;
use serde_json::json;

use crate::helpers::{free_port, published_article, send, settings, Backend, TestApp, TestDb};
use crate::on_both_backends;

fn varnishd() -> Option<PathBuf> {
    ["/usr/sbin/varnishd", "/usr/local/sbin/varnishd"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

struct Varnish {
    dir: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
}

impl Varnish {
    /// Varnish on `port` in front of the app on `backend_port`, with the shipped VCL.
    fn start(port: u16, backend_port: u16) -> Option<Varnish> {
        if varnishd().is_none() {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but varnishd is not installed: .ci/run installs varnish and varnish-modules");
            }
            eprintln!("\nNOTE: varnishd is not installed: the edge purge tests were SKIPPED (apt-get install varnish varnish-modules).\n");
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        // The shipped files, the node's port in place of 8080.
        let shipped = |name: &str| {
            std::fs::read_to_string(format!("{}/deploy/varnish/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
        };
        std::fs::write(dir.path().join("khabar.vcl"), shipped("khabar.vcl")).unwrap();
        let backends = shipped("backends.vcl").replace("\"8080\"", &format!("\"{backend_port}\""));
        std::fs::write(dir.path().join("backends.vcl"), backends).unwrap();
        let mut varnish = Varnish {
            dir,
            port,
            child: None,
        };
        varnish.run();
        Some(varnish)
    }

    fn run(&mut self) {
        let child = Command::new(varnishd().unwrap())
            .arg("-n")
            .arg(self.dir.path().join("state"))
            .args(["-a", &format!("127.0.0.1:{}", self.port)])
            .arg("-f")
            .arg(self.dir.path().join("khabar.vcl"))
            .args(["-s", "malloc,32m", "-j", "none", "-F"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("varnishd starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "varnishd did not listen within 20 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the manager and its cache child (SIGTERM lets the manager take the child along).
    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let _ = child.wait();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
            assert!(Instant::now() < deadline, "varnishd did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Varnish {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let _ = child.wait();
        }
    }
}

/// GETs `path` through Varnish: the `X-Cache` verdict and the body.
async fn through(client: &reqwest::Client, varnish: &Varnish, path: &str) -> (String, String) {
    let response = client.get(varnish.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let verdict = response.headers()["x-cache"].to_str().unwrap().to_owned();
    (verdict, response.text().await.unwrap())
}

/// Where the edge-purge consumer of the change log stands, and the log's newest entry.
fn purged_up_to(app: &TestApp) -> (Option<i64>, i64) {
    let mut conn = app.conn();
    (
        khabar::db::queries::change_log::mark(&mut conn, "edge_purge").unwrap(),
        khabar::db::queries::change_log::newest(&mut conn).unwrap(),
    )
}

/// Waits until the edge has been purged of every change in the log (at most `within`).
async fn all_purges_sent(app: &TestApp, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let (mark, newest) = purged_up_to(app);
        if mark == Some(newest) {
            return;
        }
        assert!(Instant::now() < deadline, "purged up to {mark:?} of {newest}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A node that purges a Varnish in front of it (`None` where Varnish is not installed).
async fn behind_varnish(backend: Backend) -> Option<(TestApp, Varnish)> {
    let db = TestDb::create(backend);
    let varnish_port = free_port();
    let mut settings = settings(db.url.clone());
    settings.worker.purge_targets =
        vec![khabar::purge::PurgeTarget::parse(&format!("varnish+http://127.0.0.1:{varnish_port}")).unwrap()];
    // The worker polls only every 30 s: what makes the purge prompt is the wake-up a write
    // gives its own node's worker.
    settings.worker.interval_ms = 30_000;
    settings.worker.webhook_retry_base_ms = 100;
    let app = TestApp::spawn_owning(db, settings).await;
    let backend_port: u16 = app.address.rsplit(':').next().unwrap().parse().unwrap();
    let varnish = Varnish::start(varnish_port, backend_port)?;
    Some((app, varnish))
}

async fn corrections_are_purged_from_varnish_and_nothing_else(backend: Backend) {
    let Some((app, mut varnish)) = behind_varnish(backend).await else {
        return;
    };
    let client = crate::helpers::http_client();
    let editor = app.token("editor").await;
    let (corrected, _) = published_article(&app, &editor, "خبر سيُصحَّح").await;
    let (unrelated, _) = published_article(&app, &editor, "خبر لا علاقة له").await;
    let corrected_path = format!("/v1/articles/{corrected}");
    let unrelated_path = format!("/v1/articles/{unrelated}");
    let list_path = "/v1/articles?language=ar&limit=5";
    // The two publications' own purges go out first (they are sent after their answers): one
    // arriving after the reads below would empty what they cached.
    all_purges_sent(&app, Duration::from_secs(5)).await;

    // A change stream passes through Varnish as it comes: a publish reaches a stream opened
    // through it.
    let (_, _, page) = app.get_json("/v1/changes?limit=1000").await;
    let mut stream = client
        .get(varnish.url(&format!(
            "/v1/changes/stream?after={}",
            page["next"].as_str().unwrap()
        )))
        .header("Accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let (streamed, _) = published_article(&app, &editor, "خبر يمر عبر Varnish").await;
    let mut received = String::new();
    while !received.contains(&streamed) {
        let chunk = tokio::time::timeout(Duration::from_secs(5), stream.chunk())
            .await
            .expect("the event did not come through Varnish")
            .unwrap()
            .expect("the stream ended");
        received.push_str(&String::from_utf8_lossy(&chunk));
    }
    drop(stream);
    all_purges_sent(&app, Duration::from_secs(5)).await;

    // Read through Varnish until cached.
    for path in [corrected_path.as_str(), unrelated_path.as_str(), list_path] {
        assert_eq!(through(&client, &varnish, path).await.0, "MISS", "{path}");
        assert_eq!(through(&client, &varnish, path).await.0, "HIT", "{path}");
    }

    // Correct the article through Khabar; the corrected version is seen through Varnish.
    let note = "صُحّح اسم الوزير";
    let (_, headers, _) =
        send(app.authed(Method::GET, &format!("{corrected_path}/editorial"), &editor)).await;
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let written = Instant::now();
    let (status, answer, body) = send(
        app.authed(Method::POST, &format!("{corrected_path}/corrections"), &editor)
            .header("If-Match", etag)
            .json(&json!({"note": note})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let request_id = answer["x-request-id"].to_str().unwrap().to_owned();
    let seen = loop {
        let (_, body) = through(&client, &varnish, &corrected_path).await;
        if body.contains(note) {
            break written.elapsed();
        }
        assert!(
            written.elapsed() < Duration::from_secs(5),
            "the correction never reached Varnish"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    eprintln!("edge purge: the correction was served through Varnish {seen:?} after the write");
    assert!(seen < Duration::from_secs(1), "seen after {seen:?}");

    // The unrelated article stays cached; the lists were purged with the article.
    assert_eq!(through(&client, &varnish, &unrelated_path).await.0, "HIT");
    let (verdict, _) = through(&client, &varnish, list_path).await;
    assert_eq!(verdict, "MISS", "lists carry the `lists` key");
    // Varnish may serve the correction before the worker has recorded the purge as sent.
    all_purges_sent(&app, Duration::from_secs(5)).await;
    // The purge was made from the log entry, which names the request that caused it.
    let logged: Option<String> = {
        use khabar::db::schema::change_log;
        change_log::table
            .filter(change_log::public_id.eq(&corrected))
            .order(change_log::seq.desc())
            .select(change_log::request_id)
            .first(&mut app.conn())
            .unwrap()
    };
    assert_eq!(logged, Some(request_id));

    // Varnish down: the purge fails and the log consumer stays where it was, then sends it
    // once Varnish is back, not lost.
    varnish.stop();
    let (_, headers, _) =
        send(app.authed(Method::GET, &format!("{unrelated_path}/editorial"), &editor)).await;
    let (status, _, _) = send(
        app.authed(Method::PATCH, &unrelated_path, &editor)
            .header("If-Match", headers["etag"].to_str().unwrap())
            .header("Content-Type", "application/merge-patch+json")
            .body(r#"{"lead": "مقدمة جديدة"}"#),
    )
    .await;
    assert_eq!(status, 200);
    // The purge fails: the consumer's mark stays before the entry, nothing is lost.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (mark, newest) = purged_up_to(&app);
    assert!(mark < Some(newest), "a purge that failed was counted as sent");
    // Varnish back: the worker tries again on its own (no write needed) and catches up.
    varnish.run();
    all_purges_sent(&app, Duration::from_secs(10)).await;
    assert_eq!(through(&client, &varnish, &unrelated_path).await.0, "MISS");
}

/// A live blog through Varnish: its events stream through as they come, its cached read is
/// purged by each entry (seen within a second), and other articles stay cached.
async fn a_live_blog_streams_and_refreshes_through_varnish(backend: Backend) {
    let Some((app, varnish)) = behind_varnish(backend).await else {
        return;
    };
    let client = crate::helpers::http_client();
    let editor = app.token("editor").await;
    let (blog, _) = published_article(&app, &editor, "تغطية مباشرة عبر Varnish").await;
    let (other, _) = published_article(&app, &editor, "خبر آخر").await;
    let (status, _, _) = send(
        app.authed(Method::PUT, &format!("/v1/articles/{blog}/live"), &editor)
            .json(&json!({"state": "live"})),
    )
    .await;
    assert_eq!(status, 200);
    all_purges_sent(&app, Duration::from_secs(5)).await;
    let live_path = format!("/v1/articles/{blog}/live");
    let other_path = format!("/v1/articles/{other}");
    for path in [live_path.as_str(), other_path.as_str()] {
        assert_eq!(through(&client, &varnish, path).await.0, "MISS", "{path}");
        assert_eq!(through(&client, &varnish, path).await.0, "HIT", "{path}");
    }
    let mut stream = client
        .get(varnish.url(&format!("{live_path}/stream")))
        .header("Accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let written = Instant::now();
    let (status, _, entry) = send(
        app.authed(Method::POST, &format!("{live_path}/entries"), &editor)
            .json(&json!({"body": [{"type": "paragraph", "html": "تحديث عاجل"}]})),
    )
    .await;
    assert_eq!(status, 201, "{entry}");
    let id = entry["id"].as_str().unwrap().to_owned();
    let mut received = String::new();
    while !received.contains(&id) {
        let chunk = tokio::time::timeout(Duration::from_secs(5), stream.chunk())
            .await
            .expect("the event did not come through Varnish")
            .unwrap()
            .expect("the stream ended");
        received.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(received.contains("event: entry_published"), "{received}");
    let seen = loop {
        if through(&client, &varnish, &live_path).await.1.contains(&id) {
            break written.elapsed();
        }
        assert!(
            written.elapsed() < Duration::from_secs(5),
            "the entry never reached Varnish's copy"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    eprintln!("edge purge: a live entry was served through Varnish {seen:?} after the post");
    assert!(seen < Duration::from_secs(1), "seen after {seen:?}");
    all_purges_sent(&app, Duration::from_secs(5)).await;
    assert_eq!(
        through(&client, &varnish, &other_path).await.0,
        "HIT",
        "an unrelated article stays cached"
    );
}

on_both_backends!(
    corrections_are_purged_from_varnish_and_nothing_else,
    a_live_blog_streams_and_refreshes_through_varnish,
);
