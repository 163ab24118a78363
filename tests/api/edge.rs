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

fn purges(app: &TestApp) -> Vec<(Option<String>, Option<chrono::NaiveDateTime>)> {
    use khabar::db::schema::jobs;
    jobs::table
        .filter(jobs::kind.eq("edge_purge"))
        .order(jobs::id.asc())
        .select((jobs::last_error, jobs::done_at))
        .load(&mut app.conn())
        .unwrap()
}

/// Waits until every purge job has been sent (at most 5 s).
async fn all_purges_sent(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let jobs = purges(app);
        if !jobs.is_empty() && jobs.iter().all(|(_, done_at)| done_at.is_some()) {
            return;
        }
        assert!(Instant::now() < deadline, "purges not sent: {jobs:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn corrections_are_purged_from_varnish_and_nothing_else(backend: Backend) {
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
    let Some(mut varnish) = Varnish::start(varnish_port, backend_port) else {
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
    all_purges_sent(&app).await;

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
    all_purges_sent(&app).await;
    let payloads: Vec<String> = {
        use khabar::db::schema::jobs;
        jobs::table
            .filter(jobs::kind.eq("edge_purge"))
            .select(jobs::payload)
            .load(&mut app.conn())
            .unwrap()
    };
    assert!(
        payloads.iter().any(|p| p.contains(&request_id)),
        "the purge names the request that caused it: {payloads:?}"
    );

    // Varnish down: the purge fails and stays queued with its error, then is sent once
    // Varnish is back (the next write wakes the worker), not lost.
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
    let deadline = Instant::now() + Duration::from_secs(5);
    while !purges(&app)
        .iter()
        .any(|(error, done_at)| error.is_some() && done_at.is_none())
    {
        assert!(
            Instant::now() < deadline,
            "the failed purge was not recorded: {:?}",
            purges(&app)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    varnish.run();
    tokio::time::sleep(Duration::from_millis(300)).await; // past the first retry's backoff
    let (_, headers, _) =
        send(app.authed(Method::GET, &format!("{corrected_path}/editorial"), &editor)).await;
    let (status, _, _) = send(
        app.authed(Method::PATCH, &corrected_path, &editor)
            .header("If-Match", headers["etag"].to_str().unwrap())
            .header("Content-Type", "application/merge-patch+json")
            .body(r#"{"lead": "مقدمة أخرى"}"#),
    )
    .await;
    assert_eq!(status, 200);
    let deadline = Instant::now() + Duration::from_secs(10);
    while purges(&app).iter().any(|(_, done_at)| done_at.is_none()) {
        assert!(Instant::now() < deadline, "a purge was lost: {:?}", purges(&app));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(through(&client, &varnish, &unrelated_path).await.0, "MISS");
}

on_both_backends!(corrections_are_purged_from_varnish_and_nothing_else);
