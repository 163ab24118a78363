//! Media on an S3-compatible bucket, tested against a real S3 server: `s3s-fs` from crates.io
//! (installed by `.ci/run`), which keeps each bucket as a directory, so that the test can look
//! at what Khabar stored. Without the binary the tests are skipped, loudly; under `CI=true` its
//! absence is a failure.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::multipart::Form;
use reqwest::Method;

use crate::helpers::{free_port, send, settings, Backend, TestApp, TestDb};
use crate::on_both_backends;
use crate::uploads::{credited_upload, file, jpeg, local, media_count};
use khabar::storage::{S3Settings, Storage, StorageLocation};

const BUCKET: &str = "khabar-media";
const PREFIX: &str = "newsroom";
const ACCESS_KEY: &str = "khabar-test-access";
const SECRET_KEY: &str = "khabar-test-secret-key-0123456789";

/// The `s3s-fs` binary: `KHABAR_TEST_S3S_FS`, else on `PATH`, else in Cargo's bin directory.
fn s3s_fs_binary() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("KHABAR_TEST_S3S_FS") {
        return Some(PathBuf::from(path));
    }
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .map(|home| home.join("bin"));
    std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(cargo_bin)
        .map(|dir| dir.join("s3s-fs"))
        .find(|candidate| candidate.is_file())
}

/// A real S3 server on a port of its own, serving a temporary directory.
struct S3Server {
    binary: PathBuf,
    root: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
}

impl S3Server {
    fn start() -> Option<S3Server> {
        let Some(binary) = s3s_fs_binary() else {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but s3s-fs is not installed: .ci/run installs it (cargo install --features binary s3s-fs)");
            }
            let _ = writeln!(
                std::io::stderr(),
                "\nNOTE: s3s-fs is not installed: the S3 media store tests were SKIPPED (cargo install --locked --features binary s3s-fs@0.14.1).\n"
            );
            return None;
        };
        let root = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(root.path().join(BUCKET)).expect("bucket directory");
        let mut server = S3Server {
            binary,
            root,
            port: free_port(),
            child: None,
        };
        server.run();
        Some(server)
    }

    fn run(&mut self) {
        let child = Command::new(&self.binary)
            .args(["--host", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(self.root.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("s3s-fs starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "s3s-fs did not listen within 10 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Where the server keeps the object `key` of Khabar's prefix.
    fn object(&self, key: &str) -> PathBuf {
        self.root.path().join(BUCKET).join(PREFIX).join(key)
    }

    /// The files under Khabar's prefix in `folder` ("" for the originals).
    fn files(&self, folder: &str) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.object(folder)) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| !name.starts_with('.'))
            .collect();
        names.sort();
        names
    }

    fn location(&self) -> StorageLocation {
        StorageLocation::S3(S3Settings {
            bucket: BUCKET.into(),
            prefix: PREFIX.into(),
            endpoint: Some(format!("http://127.0.0.1:{}", self.port)),
            region: Some("us-east-1".into()),
            access_key_id: Some(ACCESS_KEY.into()),
            secret_access_key: Some(SECRET_KEY.into()),
            virtual_hosted: false,
        })
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn node_settings(db: &TestDb, s3: &S3Server) -> khabar::config::Settings {
    let mut node = settings(db.url.clone());
    node.media.storage = Storage::open(&s3.location()).expect("an S3 store opens");
    node
}

/// The stored file name in an asset's URL (`/images/<name>?…`).
fn file_name(media: &serde_json::Value) -> String {
    local(media["url"].as_str().unwrap())
        .trim_start_matches("/images/")
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

async fn media_live_in_a_bucket_that_nodes_share(backend: Backend) {
    let Some(s3) = S3Server::start() else { return };
    let db = TestDb::create(backend);
    let shared = node_settings(&db, &s3);
    let app = TestApp::spawn_owning(db, shared.clone()).await;

    // The demo photo went through the same store at startup.
    let originals = s3.files("");
    assert_eq!(originals.len(), 1, "the demo photo: {originals:?}");
    assert!(originals[0].ends_with(".jpg"));

    // An upload is kept in the bucket, byte for byte, under its content hash.
    let editor = app.token("editor").await;
    let photo = jpeg(800, 600);
    let media = credited_upload(&app, &editor, &photo).await;
    let name = file_name(&media);
    assert_eq!(std::fs::read(s3.object(&name)).unwrap(), photo);

    // A rendition is made once and kept in the bucket.
    let rendition = local(media["renditions"][0]["url"].as_str().unwrap());
    let first = app.get(&rendition).await;
    assert_eq!(first.status(), 200);
    let etag = first.headers()["etag"].clone();
    let bytes = first.bytes().await.unwrap();
    image::load_from_memory(&bytes).expect("an image");
    let stem = name.split('.').next().unwrap();
    let folder = format!("renditions/{stem}");
    let stored = s3.files(&folder);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(
        std::fs::read(s3.object(&format!("{folder}/{}", stored[0]))).unwrap(),
        bytes
    );

    // Another node, sharing only the database and the bucket, serves what the bucket holds:
    // swap the stored rendition for other bytes, and that node answers with them.
    let other = TestApp::spawn_with(shared.clone()).await;
    let marker = jpeg(320, 240);
    std::fs::write(s3.object(&format!("{folder}/{}", stored[0])), &marker).unwrap();
    let from_other = other.get(&rendition).await;
    assert_eq!(from_other.status(), 200);
    assert_eq!(
        from_other.headers()["etag"],
        etag,
        "named by content and parameters"
    );
    assert_eq!(
        from_other.bytes().await.unwrap(),
        marker,
        "read from the bucket, not rendered again"
    );

    // Deleting the asset removes its original from the bucket; its renditions answer 404.
    let admin = app.token("admin").await;
    let id = media["id"].as_str().unwrap();
    let (status, _, _) = send(app.authed(Method::DELETE, &format!("/v1/media/{id}"), &admin)).await;
    assert_eq!(status, 204);
    assert!(!s3.object(&name).exists(), "the original is gone from the bucket");
    assert!(s3.files(&folder).is_empty(), "and its renditions");
    let never_served = local(media["renditions"][2]["url"].as_str().unwrap());
    let gone = other.get(&never_served).await;
    assert_eq!(gone.status(), 404, "on the other node too");
    assert_eq!(gone.headers()["content-type"], "application/problem+json");
}

async fn a_bucket_that_goes_away_is_a_503_and_comes_back_by_itself(backend: Backend) {
    let Some(mut s3) = S3Server::start() else { return };
    let db = TestDb::create(backend);
    let shared = node_settings(&db, &s3);
    let app = TestApp::spawn_owning(db, shared).await;
    let editor = app.token("editor").await;
    let media = credited_upload(&app, &editor, &jpeg(640, 480)).await;
    let renditions: Vec<String> = media["renditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| local(r["url"].as_str().unwrap()))
        .collect();

    s3.stop();
    // A new rendition: a 503 problem document within seconds, not a hang or a 500.
    let started = Instant::now();
    let down = app.get(&renditions[0]).await;
    assert_eq!(down.status(), 503);
    assert_eq!(down.headers()["content-type"], "application/problem+json");
    assert!(down.headers().contains_key("retry-after"));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // An upload: a 503 that registers nothing.
    let before = media_count(&app);
    let (status, _, problem) = send(
        app.authed(Method::POST, "/v1/media/upload", &editor).multipart(
            Form::new()
                .part("file", file(&jpeg(300, 200), "image/jpeg"))
                .text("metadata", serde_json::json!({"credit": "AFP"}).to_string()),
        ),
    )
    .await;
    assert_eq!(status, 503, "{problem}");
    assert_eq!(media_count(&app), before, "no asset without its file");

    // The store returns on the same address: the node uses it again without a restart.
    s3.run();
    let back = app.get(&renditions[0]).await;
    assert_eq!(back.status(), 200);
    image::load_from_memory(&back.bytes().await.unwrap()).expect("an image");
    credited_upload(&app, &editor, &jpeg(300, 200)).await;
    assert_eq!(media_count(&app), before + 1);
}

async fn a_bucket_with_forged_credentials_stores_nothing(backend: Backend) {
    let Some(s3) = S3Server::start() else { return };
    let db = TestDb::create(backend);
    let mut node = settings(db.url.clone());
    let StorageLocation::S3(mut forged) = s3.location() else {
        unreachable!()
    };
    forged.secret_access_key = Some("not-the-secret-key-0123456789".into());
    node.media.storage = Storage::open(&StorageLocation::S3(forged)).unwrap();
    // The demo's photo cannot be stored, so the node does not start on that bucket.
    let built = khabar::startup::Application::build(&node);
    assert!(
        built.is_err(),
        "a node must not start serving photos it could not store"
    );
    assert!(s3.files("").is_empty());
    drop(db);
}

on_both_backends!(
    media_live_in_a_bucket_that_nodes_share,
    a_bucket_that_goes_away_is_a_503_and_comes_back_by_itself,
    a_bucket_with_forged_credentials_stores_nothing,
);
