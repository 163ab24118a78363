//! Read replicas against a real streaming replica: a PostgreSQL primary and a `pg_basebackup -R`
//! copy of it, two clusters of their own on free ports in a temporary directory, started and
//! stopped by the test (the machine's own cluster is never touched).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, RunQueryDsl};
use khabar::db::DatabaseUrl;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{free_port, postgres_available, send, TestApp};

/// The newest PostgreSQL server programs installed (Debian keeps them per version).
fn server_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's server programs in /usr/lib/postgresql")
        .filter_map(|entry| Some(entry.ok()?.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort_by_key(|bin| {
        bin.parent()
            .and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok())
            .unwrap_or(0)
    });
    versions.pop().expect("initdb is installed")
}

/// A primary and its streaming replica, removed when dropped.
struct ReplicaPair {
    dir: tempfile::TempDir,
    bin: PathBuf,
    primary_port: u16,
    replica_port: u16,
}

impl ReplicaPair {
    fn start() -> ReplicaPair {
        let dir = tempfile::tempdir().unwrap();
        let pair = ReplicaPair {
            bin: server_bin(),
            primary_port: free_port(),
            replica_port: free_port(),
            dir,
        };
        if rustix::process::geteuid().is_root() {
            // PostgreSQL refuses to run as root: the clusters belong to `postgres`.
            let id = |flag: &str| -> u32 {
                let out = Command::new("id").args([flag, "postgres"]).output().unwrap();
                String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
            };
            std::os::unix::fs::chown(pair.dir.path(), Some(id("-u")), Some(id("-g"))).unwrap();
        }
        let primary = pair.path("primary");
        pair.run(
            "initdb",
            &[
                "-D",
                primary.to_str().unwrap(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
            ],
        );
        pair.start_cluster("primary", pair.primary_port);
        let mut admin = PgConnection::establish(&pair.url(pair.primary_port, "postgres")).unwrap();
        diesel::sql_query("CREATE DATABASE khabar")
            .execute(&mut admin)
            .unwrap();
        let port = pair.primary_port.to_string();
        pair.run(
            "pg_basebackup",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                "postgres",
                "-D",
                pair.path("replica").to_str().unwrap(),
                "-R",
                "-X",
                "stream",
                // An immediate checkpoint: the default spreads it over minutes.
                "--checkpoint=fast",
                "--no-sync",
            ],
        );
        pair.start_cluster("replica", pair.replica_port);
        pair
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn url(&self, port: u16, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{port}/{database}")
    }

    fn primary_url(&self) -> DatabaseUrl {
        DatabaseUrl::Postgres(self.url(self.primary_port, "khabar"))
    }

    fn replica_url(&self) -> DatabaseUrl {
        DatabaseUrl::Postgres(self.url(self.replica_port, "khabar"))
    }

    /// Runs one of PostgreSQL's programs as the clusters' owner; panics with its output if it fails.
    fn run(&self, program: &str, args: &[&str]) {
        let program = self.bin.join(program);
        let mut command = if rustix::process::geteuid().is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&program);
            command
        } else {
            Command::new(&program)
        };
        let out = command.args(args).current_dir(self.dir.path()).output().unwrap();
        assert!(
            out.status.success(),
            "{} {args:?}: {}{}",
            program.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn start_cluster(&self, name: &str, port: u16) {
        let data = self.path(name);
        let options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off \
             -c wal_retrieve_retry_interval=200ms",
            self.dir.path().display()
        );
        self.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-l",
                self.path(&format!("{name}.log")).to_str().unwrap(),
                "-o",
                &options,
                "-w",
                "start",
            ],
        );
    }

    fn stop_cluster(&self, name: &str) {
        self.run(
            "pg_ctl",
            &[
                "-D",
                self.path(name).to_str().unwrap(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
    }

    /// Runs SQL on the replica (pausing and resuming its replay).
    fn on_replica(&self, sql: &str) {
        let mut conn = PgConnection::establish(&self.url(self.replica_port, "postgres")).unwrap();
        diesel::sql_query(sql).execute(&mut conn).unwrap();
    }
}

impl Drop for ReplicaPair {
    fn drop(&mut self) {
        for name in ["replica", "primary"] {
            if Path::new(&self.path(name)).join("postmaster.pid").exists() {
                let _ = Command::new("runuser")
                    .args(["-u", "postgres", "--"])
                    .arg(self.bin.join("pg_ctl"))
                    .args(["-D", self.path(name).to_str().unwrap(), "-m", "immediate", "stop"])
                    .output();
            }
        }
    }
}

/// Public reads that reached a database, by database, from `/metrics`.
async fn reads(app: &TestApp) -> (u64, u64) {
    let text = app.get("/metrics").await.text().await.unwrap();
    let count = |database: &str| {
        let prefix = format!("khabar_database_reads_total{{database=\"{database}\"}} ");
        text.lines()
            .find_map(|line| line.strip_prefix(prefix.as_str()))
            .map_or(0, |n| n.trim().parse().unwrap())
    };
    (count("primary"), count("replica-1"))
}

async fn readiness(app: &TestApp) -> Value {
    app.get_json("/readyz").await.2
}

/// Waits until `/readyz` shows the replica in `state`; returns how long that took.
async fn wait_for_replica(app: &TestApp, state: &str, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let ready = readiness(app).await;
        if ready["replicas"][0]["state"] == state {
            let expected = if state == "streaming" { "ok" } else { "degraded" };
            assert_eq!(ready["status"], expected, "{ready}");
            return started.elapsed();
        }
        assert!(started.elapsed() < within, "the replica is not {state}: {ready}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn rename(app: &TestApp, token: &str, id: &str, headline: &str) {
    let (status, headers, body) =
        send(app.authed(Method::GET, &format!("/v1/articles/{id}/editorial"), token)).await;
    assert_eq!(status, 200, "{body}");
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let (status, _, body) = send(
        app.authed(Method::PATCH, &format!("/v1/articles/{id}"), token)
            .header("If-Match", etag)
            .json(&json!({ "headline": headline })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

async fn headline(app: &TestApp, id: &str) -> String {
    let (status, _, article) = app.get_json(&format!("/v1/articles/{id}")).await;
    assert_eq!(status, 200, "{article}");
    article["headline"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_public_reads_use_a_fresh_replica() {
    if !postgres_available() {
        return;
    }
    let pair = ReplicaPair::start();
    let mut settings = crate::helpers::settings(pair.primary_url());
    settings.read_replicas = khabar::db::replicas::ReplicaSettings {
        urls: vec![pair.replica_url()],
        max_lag: Duration::from_secs(1),
    };
    // Every read reaches a database, so that where it went shows.
    settings.cache_mb = 0;
    let app = TestApp::spawn_with(settings).await;
    wait_for_replica(&app, "streaming", Duration::from_secs(10)).await;

    // Public reads go to the replica; the editorial side stays on the primary.
    let editor = app.token("editor").await;
    let (_, _, list) = app.get_json("/v1/articles?language=ar&limit=1").await;
    let id = list["data"][0]["id"].as_str().unwrap().to_owned();
    let before = reads(&app).await;
    for _ in 0..100 {
        headline(&app, &id).await;
    }
    let after = reads(&app).await;
    let (primary, replica) = (after.0 - before.0, after.1 - before.1);
    eprintln!("replica routing: of 100 reads, {replica} on the replica, {primary} on the primary");
    assert!(
        replica >= 95,
        "reads on the replica: {replica}, on the primary: {primary}"
    );

    // Read-your-writes: each read right after a write through this node shows it.
    let mut returned = Vec::new();
    for n in 0..10 {
        let wanted = format!("عنوان {n}");
        rename(&app, &editor, &id, &wanted).await;
        assert_eq!(
            headline(&app, &id).await,
            wanted,
            "the write is read back at once"
        );
        let written = Instant::now();
        let before = reads(&app).await.1;
        while reads(&app).await.1 == before {
            headline(&app, &id).await;
            assert!(
                written.elapsed() < Duration::from_secs(5),
                "reads never go back to the replica"
            );
        }
        returned.push(written.elapsed());
        assert_eq!(headline(&app, &id).await, wanted, "the replica has it too");
    }
    returned.sort();
    eprintln!(
        "replica routing: back on the replica {:?} (median) / {:?} (max) after a write",
        returned[returned.len() / 2],
        returned[returned.len() - 1]
    );

    // The replica answers alone while the primary is down: the reads really are its.
    pair.stop_cluster("primary");
    assert_eq!(headline(&app, &id).await, "عنوان 9");
    let (status, _, problem) = app.get_json("/readyz").await;
    assert_eq!(status, 503, "{problem}");
    pair.start_cluster("primary", pair.primary_port);
    wait_for_replica(&app, "streaming", Duration::from_secs(15)).await;

    // A replica whose replay stops is used no more once it trails by the bound; reads stay
    // fresh on the primary meanwhile, and it is used again once it catches up.
    pair.on_replica("SELECT pg_wal_replay_pause()");
    rename(&app, &editor, &id, "أثناء التوقف").await;
    let before = reads(&app).await;
    assert_eq!(headline(&app, &id).await, "أثناء التوقف");
    let skipped_after = wait_for_replica(&app, "lagging", Duration::from_secs(5)).await;
    eprintln!("replica routing: a paused replica was marked lagging after {skipped_after:?} (bound 1 s)");
    for _ in 0..20 {
        assert_eq!(headline(&app, &id).await, "أثناء التوقف");
    }
    let after = reads(&app).await;
    assert_eq!(after.1, before.1, "no read went to the paused replica");
    pair.on_replica("SELECT pg_wal_replay_resume()");
    wait_for_replica(&app, "streaming", Duration::from_secs(5)).await;
    headline(&app, &id).await;
    assert!(reads(&app).await.1 > after.1, "the replica is used again");

    // A replica that goes down is skipped; the reads are answered by the primary.
    pair.stop_cluster("replica");
    let down_after = wait_for_replica(&app, "down", Duration::from_secs(5)).await;
    eprintln!("replica routing: a stopped replica was skipped after {down_after:?}");
    for _ in 0..20 {
        assert_eq!(headline(&app, &id).await, "أثناء التوقف");
    }
    pair.start_cluster("replica", pair.replica_port);
    wait_for_replica(&app, "streaming", Duration::from_secs(15)).await;
}
