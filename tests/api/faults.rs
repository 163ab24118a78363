//! Faults outside the request: the database going away (on a PostgreSQL cluster of the test's
//! own, never the shared one) and a disk running out of room.

use std::process::Command;
use std::time::{Duration, Instant};

use khabar::db::DatabaseUrl;

use crate::helpers::{postgres_available, segment, settings, Backend, TestApp, TestDb};
use crate::on_both_backends;

/// A PostgreSQL cluster on its own port, removed when dropped.
struct OwnCluster {
    version: String,
    name: String,
    port: u16,
}

impl OwnCluster {
    fn create() -> Option<OwnCluster> {
        let version = std::fs::read_dir("/etc/postgresql")
            .ok()?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .next()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let name = format!("khabar_fault_{port}");
        let created = Command::new("pg_createcluster")
            .args([
                &version,
                &name,
                "-p",
                &port.to_string(),
                "--",
                "--auth-host=trust",
                "--auth-local=trust",
            ])
            .output()
            .ok()?;
        assert!(
            created.status.success(),
            "pg_createcluster: {}",
            String::from_utf8_lossy(&created.stderr)
        );
        let cluster = OwnCluster { version, name, port };
        cluster.ctl("start");
        Some(cluster)
    }

    fn ctl(&self, action: &str) {
        let mut command = Command::new("pg_ctlcluster");
        command.args([&self.version, &self.name, action]);
        if action == "stop" {
            command.args(["-m", "immediate"]);
        }
        let output = command.output().unwrap();
        assert!(
            output.status.success(),
            "pg_ctlcluster {action}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn url(&self) -> DatabaseUrl {
        DatabaseUrl::Postgres(format!("postgres://postgres@127.0.0.1:{}/postgres", self.port))
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        let _ = Command::new("pg_dropcluster")
            .args(["--stop", &self.version, &self.name])
            .output();
    }
}

/// The database stops: reads already cached are still served, everything that needs the
/// database is a 503 problem within about a second (with `Retry-After`), `/readyz` says the
/// database is unreachable without naming host, port or driver text; when it comes back,
/// the node recovers by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_outage_is_a_fast_503_and_the_warm_cache_serves() {
    if !postgres_available() || Command::new("pg_createcluster").arg("--help").output().is_err() {
        return;
    }
    let Some(cluster) = OwnCluster::create() else {
        return;
    };
    let mut node_settings = settings(cluster.url());
    node_settings.db_timeout = Duration::from_secs(1);
    node_settings.worker.enabled = false;
    let app = TestApp::spawn_with(node_settings).await;
    let article = format!("/v1/articles/{}", segment(&khabar::seed::demo_article_slug()));
    let (status, _, _) = app.get_json(&article).await;
    assert_eq!(status, 200);

    cluster.ctl("stop");
    let (status, _, cached) = app.get_json(&article).await;
    assert_eq!(status, 200, "the warm cache serves through an outage: {cached}");
    for path in [
        "/readyz",
        "/v1/articles/01a23710-0000-7000-8000-000000000000",
        "/v1/search?q=ليبيا",
    ] {
        let started = Instant::now();
        let response = app.get(path).await;
        let took = started.elapsed();
        assert_eq!(response.status(), 503, "{path}");
        assert!(took < Duration::from_millis(2500), "{path} answered in {took:?}");
        assert_eq!(response.headers()["retry-after"], "1", "{path}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        let text = response.text().await.unwrap();
        for secret in [
            cluster.port.to_string().as_str(),
            "127.0.0.1",
            "postgres",
            "connection",
            "server",
        ] {
            assert!(!text.contains(secret), "{path} leaks '{secret}': {text}");
        }
        if path == "/readyz" {
            assert!(text.contains("the database is not reachable"), "{text}");
        }
    }

    cluster.ctl("start");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, _, _) = app.get_json("/readyz").await;
        if status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the node recovers once the database is back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, _, _) = app
        .get_json("/v1/articles/01a23710-0000-7000-8000-000000000000")
        .await;
    assert_eq!(status, 404, "served from the database again");
}

/// A disk with less room than `KHABAR_MIN_FREE_DISK_MB` makes the node unready, and says
/// which disk in words, not paths.
async fn a_nearly_full_disk_makes_the_node_unready(backend: Backend) {
    let db = TestDb::create(backend);
    let mut node_settings = settings(db.url.clone());
    // More than any disk here has free.
    node_settings.min_free_disk_bytes = u64::MAX / 4;
    let media = node_settings
        .media
        .storage
        .local_dir()
        .unwrap()
        .display()
        .to_string();
    let app = TestApp::spawn_owning(db, node_settings).await;
    let (status, content_type, problem) = app.get_json("/readyz").await;
    assert_eq!(status, 503, "{problem}");
    assert_eq!(content_type, "application/problem+json");
    let detail = problem["detail"].as_str().unwrap();
    let expected = match backend {
        Backend::Sqlite => "the disk holding the database is full",
        Backend::Postgres => "the disk holding the media is full",
    };
    assert_eq!(detail, expected);
    assert!(!problem.to_string().contains(&media), "no paths: {problem}");
    let (status, _, _) = app.get_json("/healthz").await;
    assert_eq!(status, 200, "still alive");
}

on_both_backends!(a_nearly_full_disk_makes_the_node_unready);
