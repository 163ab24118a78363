//! Test fixtures: a fresh database per test on either backend, and the app served from it.
//!
//! SQLite databases live in a temporary directory. PostgreSQL databases are created on the
//! server named by `KHABAR_TEST_POSTGRES_URL` and dropped afterwards. Without that variable
//! the PostgreSQL half is skipped, loudly; with `CI=true` its absence is a failure.

use std::io::Write;
use std::sync::Once;

use diesel::{Connection, PgConnection, RunQueryDsl};
use khabar::api::article::UrlBuilder;
use khabar::config::{DemoMode, Settings, WorkerSettings};
use khabar::db::{self, DatabaseUrl, DbPool};
use khabar::delivery::cache::DeliveryCache;
use khabar::startup::Application;

pub use khabar::db::Backend;

pub const TEST_JWT_SECRET: &str = "test-secret-that-is-at-least-32-bytes-long";
pub const SITE_URL: &str = "https://news.example.com/";

/// The PostgreSQL server tests may create databases on, if any.
fn postgres_admin_url() -> Option<String> {
    std::env::var("KHABAR_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())
}

static SKIP_NOTICE: Once = Once::new();

/// Whether PostgreSQL tests can run. Panics under CI when they cannot, since CI must test both.
pub fn postgres_available() -> bool {
    if postgres_admin_url().is_some() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but KHABAR_TEST_POSTGRES_URL is not set: the PostgreSQL half must run in CI");
    }
    SKIP_NOTICE.call_once(|| {
        // Written past the test harness's capture so that it shows in a normal run.
        let _ = writeln!(
            std::io::stderr(),
            "\nNOTE: KHABAR_TEST_POSTGRES_URL is not set: the PostgreSQL half of the suite was SKIPPED (SQLite only).\n"
        );
    });
    false
}

/// A database of its own for one test, removed when dropped.
pub struct TestDb {
    pub url: DatabaseUrl,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    pub fn create(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("khabar.db");
                TestDb {
                    url: DatabaseUrl::Sqlite(path.to_string_lossy().into_owned()),
                    cleanup: Cleanup::Sqlite(dir),
                }
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url().expect("checked by postgres_available()");
                let name = format!("khabar_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::establish(&admin_url)
                    .unwrap_or_else(|e| panic!("KHABAR_TEST_POSTGRES_URL is unreachable: {e}"));
                diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
                    .execute(&mut admin)
                    .expect("create test database");
                let mut url = url::Url::parse(&admin_url).expect("KHABAR_TEST_POSTGRES_URL is a URL");
                url.set_path(&name);
                TestDb {
                    url: DatabaseUrl::Postgres(url.to_string()),
                    cleanup: Cleanup::Postgres { admin_url, name },
                }
            }
        }
    }

    /// A migrated pool on this database (no demo content).
    pub fn migrated_pool(&self) -> DbPool {
        let pool = db::connect(&self.url, 4).expect("connect");
        db::migrate::run_pending(&mut pool.get().expect("connection")).expect("migrate");
        pool
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            if let Ok(mut admin) = PgConnection::establish(admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut admin);
            }
        }
    }
}

pub fn settings(url: DatabaseUrl) -> Settings {
    Settings {
        database_url: url,
        read_replicas: Default::default(),
        bind: "127.0.0.1:0".parse().unwrap(),
        jwt_secret: Some(TEST_JWT_SECRET.into()),
        public_url: url::Url::parse("http://127.0.0.1/").unwrap(),
        site_url: url::Url::parse(SITE_URL).unwrap(),
        pool_size: 4,
        workers: 1,
        demo: DemoMode::Always,
        // The tests read the demo as it was before live blogs; tests/api/live.rs loads it whole.
        demo_live_blog: false,
        cache_max_age: 60,
        cache_stale_while_revalidate: 300,
        cache_mb: 16,
        publication_name: "Euronews".into(),
        feed_items: 30,
        streams: Default::default(),
        websub_hub: Some(url::Url::parse("https://hub.example.com/").unwrap()),
        jwt_key_files: None,
        jwt_issuer: "khabar".into(),
        access_token_ttl: 900,
        session_ttl: 86_400,
        worker: WorkerSettings {
            enabled: true,
            interval_ms: 50,
            webhook_max_attempts: 50,
            webhook_retry_base_ms: 50,
            webhook_timeout: std::time::Duration::from_secs(10),
            // Test receivers listen on 127.0.0.1; tests/api/webhooks.rs checks the refusal.
            allow_private_webhooks: true,
            purge_targets: Vec::new(),
            purge_token: None,
            change_log_days: 30,
        },
        media: khabar::uploads::MediaStore {
            storage: khabar::storage::Storage::local(
                &std::env::temp_dir().join(format!("khabar-media-{}", uuid::Uuid::new_v4().simple())),
            )
            .unwrap(),
            max_bytes: 64 * 1024,
            max_pixels: 50_000_000,
            widths: vec![320, 640, 1024, 1600, 2400],
            featured_min_width: 1200,
        },
        client_limits: khabar::routes::middleware::guard::ClientLimits::default(),
        shutdown: khabar::lifecycle::ShutdownSettings {
            drain_delay: std::time::Duration::from_millis(100),
            grace: std::time::Duration::from_secs(5),
        },
        db_timeout: std::time::Duration::from_secs(2),
        // Disk checks are tested with their own threshold (tests/api/faults.rs).
        min_free_disk_bytes: 0,
        rate_limits: khabar::routes::rate_limit::RateLimitSettings::default(),
        metrics_token: None,
    }
}

/// The application served on a free port from its own database, with the demo content.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub pool: DbPool,
    pub cache: DeliveryCache,
    pub database_url: DatabaseUrl,
    /// What the node was started with (its media store among them).
    pub settings: Settings,
    /// Drains and stops the node when the test is done with it.
    lifecycle: std::sync::Arc<khabar::lifecycle::Lifecycle>,
    /// Dropped last: removes the database once the test is done with it (the node that
    /// created it owns it; other nodes on the same database hold `None`).
    _db: Option<TestDb>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.lifecycle.begin_drain();
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        let db = TestDb::create(backend);
        let mut app = Self::spawn_node(db.url.clone()).await;
        app._db = Some(db);
        app
    }

    /// Another node serving an existing database.
    pub async fn spawn_node(url: DatabaseUrl) -> TestApp {
        Self::spawn_with(settings(url)).await
    }

    /// A node with its own settings on a database it owns (and drops when done).
    pub async fn spawn_owning(db: TestDb, settings: Settings) -> TestApp {
        let mut app = Self::spawn_with(settings).await;
        app._db = Some(db);
        app
    }

    /// A node with its own settings (the database must exist).
    ///
    /// The node runs on a thread of its own, as a process would, and stops when the `TestApp`
    /// is dropped: a node left running after its test would keep its pools reconnecting to a
    /// dropped database (a PostgreSQL backend started and refused each time) for the rest of
    /// the run.
    pub async fn spawn_with(settings: Settings) -> TestApp {
        let url = settings.database_url.clone();
        let (started, ready) = std::sync::mpsc::channel();
        let node_settings = settings.clone();
        std::thread::Builder::new()
            .name("test-node".into())
            .spawn(move || {
                actix_web::rt::System::new().block_on(async move {
                    let application = match Application::build(&node_settings) {
                        Ok(application) => application,
                        Err(error) => {
                            let _ = started.send(Err(error.to_string()));
                            return;
                        }
                    };
                    let _ = started.send(Ok((
                        application.port(),
                        application.cache(),
                        application.lifecycle(),
                    )));
                    let _ = application.run_until_stopped().await;
                })
            })
            .expect("a thread for the node");
        let (port, cache, lifecycle) = tokio::task::spawn_blocking(move || ready.recv())
            .await
            .unwrap()
            .expect("the node starts")
            .unwrap_or_else(|error| panic!("application builds: {error}"));
        let pool = db::connect(&url, 2).expect("test pool");
        end_without_exit_handlers();
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            client: crate::helpers::http_client(),
            pool,
            cache,
            database_url: url,
            settings,
            lifecycle,
            _db: None,
        }
    }

    /// Recompiles every article's delivery forms and empties the response cache: what a write
    /// through the API does, for tests that change rows directly.
    pub fn republish(&self) {
        use diesel::prelude::*;
        let urls = UrlBuilder::new(url::Url::parse(SITE_URL).unwrap());
        // A write transaction, as the write API uses: a deferred one that read first would fail
        // at once with "database is locked" on SQLite if the worker wrote meanwhile.
        khabar::db::claim::write_transaction(&mut self.conn(), |conn| {
            let ids: Vec<i64> = khabar::db::schema::articles::table
                .select(khabar::db::schema::articles::id)
                .load(conn)?;
            khabar::delivery::publish_changes(
                conn,
                &ids,
                &urls,
                khabar::db::utc_now(),
                &khabar::domain::changes::Origin::system("test"),
            )
        })
        .unwrap();
        self.cache.invalidate_all();
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    /// GETs `path` and returns the status, the content type and the body as JSON.
    pub async fn get_json(&self, path: &str) -> (u16, String, serde_json::Value) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = response.json().await.expect("JSON body");
        (status, content_type, body)
    }

    pub fn conn(&self) -> diesel::r2d2::PooledConnection<khabar::db::ConnectionManager> {
        self.pool.get().expect("connection")
    }

    /// Creates a user with `role` directly in the database; returns (email, password).
    pub fn user(&self, role: &str) -> (String, String) {
        let email = format!("{role}-{}@example.com", uuid::Uuid::new_v4().simple());
        let password = "a long enough password".to_owned();
        let hash = khabar::domain::password::hash(&password).unwrap();
        khabar::db::queries::users::create(&mut self.conn(), &email, &hash, role.parse().unwrap(), None)
            .unwrap();
        (email, password)
    }

    /// Signs in; returns the token pair as JSON.
    pub async fn sign_in(&self, email: &str, password: &str) -> serde_json::Value {
        let response = self
            .client
            .post(self.url("/v1/auth/token"))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "sign-in of {email}");
        response.json().await.unwrap()
    }

    /// A new user with `role`, signed in: their access token.
    pub async fn token(&self, role: &str) -> String {
        let (email, password) = self.user(role);
        self.sign_in(&email, &password).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// A request with a bearer token.
    pub fn authed(&self, method: reqwest::Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.client.request(method, self.url(path)).bearer_auth(token)
    }
}

/// Sends a request; returns status, headers and the body as JSON (Null when empty).
pub async fn send(request: reqwest::RequestBuilder) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    let body = if text.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
    };
    (status, headers, body)
}

/// How many migrations each backend has (the folders are checked to match).
pub fn migration_count() -> usize {
    std::fs::read_dir(format!("{}/migrations/sqlite", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
        .count()
}

/// A small HTTP server on `port` (0 for a free one) that receives what a node sends (webhooks,
/// hub pings, purges), with `data` for its handlers and `routes` to register them: its port,
/// and the handle that stops it.
pub fn receiver<D: Send + Sync + 'static>(
    port: u16,
    workers: usize,
    data: D,
    routes: fn(&mut actix_web::web::ServiceConfig),
) -> (u16, actix_web::dev::ServerHandle) {
    let data = actix_web::web::Data::new(data);
    let server =
        actix_web::HttpServer::new(move || actix_web::App::new().app_data(data.clone()).configure(routes))
            .workers(workers)
            .bind(("127.0.0.1", port))
            .expect("the receiver binds");
    let port = server.addrs()[0].port();
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);
    (port, handle)
}

/// Percent-encodes one path segment (for Arabic slugs).
/// Creates and publishes an article with no links to others; returns its id and version.
pub async fn published_article(app: &TestApp, token: &str, headline: &str) -> (String, i64) {
    use reqwest::Method;
    let (status, _, created) = send(app.authed(Method::POST, "/v1/articles", token).json(
        &serde_json::json!({
            "language": "ar", "headline": headline, "body": [{"type": "paragraph", "html": "نص"}]
        }),
    ))
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let (status, _, published) = send(
        app.authed(Method::POST, &format!("/v1/articles/{id}/transitions"), token)
            .header("If-Match", "\"v1\"")
            .json(&serde_json::json!({"to": "published"})),
    )
    .await;
    assert_eq!(status, 200, "{published}");
    (id, published["version"].as_i64().unwrap())
}

/// Loads a content set as the demo and the generator do: through a write pipeline of its own
/// (no node follows it; a test's server reads the change log).
pub fn load_content(
    conn: &mut khabar::db::DbConnection,
    set: &khabar::domain::content_set::ContentSet,
) -> Result<khabar::editorial::content_sets::Inserted, khabar::editorial::EditError> {
    use khabar::editorial::pipeline::{Pipeline, Template};
    let pipeline = Pipeline::new(
        Template {
            urls: khabar::api::article::UrlBuilder::new(url::Url::parse(SITE_URL).unwrap()),
            websub: None,
            allow_private_webhooks: false,
            featured_image_min_width: 1200,
            images: None,
        },
        None,
    );
    let ctx = pipeline.context(khabar::domain::changes::Origin::system("test"));
    pipeline.run(conn, &ctx, |conn, ctx| {
        khabar::editorial::content_sets::load(conn, ctx, set)
    })
}

/// Generated photos stored in a throwaway media directory, for content inserted without a server.
pub fn demo_photos(count: usize) -> Vec<khabar::seed::Photo> {
    let dir = std::env::temp_dir().join(format!("khabar-photos-{}", uuid::Uuid::new_v4().simple()));
    let store = khabar::uploads::MediaStore {
        storage: khabar::storage::Storage::local(&dir).unwrap(),
        max_bytes: 16 * 1024 * 1024,
        max_pixels: 50_000_000,
        widths: vec![320, 640, 1024, 1600, 2400],
        featured_min_width: 1200,
    };
    let links = store.links(TEST_JWT_SECRET.as_bytes(), url::Url::parse(SITE_URL).unwrap());
    let photos = khabar::seed::store_photos(&store, &links, count).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    photos
}

/// An HTTP client for talking to the app (reqwest needs the process's TLS provider first).
pub fn http_client() -> reqwest::Client {
    http_client_builder().build().expect("an HTTP client")
}

pub fn http_client_builder() -> reqwest::ClientBuilder {
    khabar::outbound::install_tls();
    reqwest::Client::builder()
}

/// A port nothing listens on (at the moment of asking).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn segment(text: &str) -> String {
    let mut url = url::Url::parse("http://x/").unwrap();
    url.path_segments_mut().unwrap().push(text);
    url.path().trim_start_matches('/').to_owned()
}

/// Runs each named `async fn(Backend)` as two tests, `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if $crate::helpers::postgres_available() {
                        super::$name($crate::helpers::Backend::Postgres).await
                    }
                }
            )+
        }
    };
}

/// A problem document without its `request_id`, which differs from request to request: for
/// comparing two answers that must say the same.
pub fn without_request_id(mut problem: serde_json::Value) -> serde_json::Value {
    if let Some(fields) = problem.as_object_mut() {
        fields.remove("request_id");
    }
    problem
}

/// libtest ends the process with libc's `exit()`, whose handlers include OpenSSL's cleanup
/// (registered when libpq first connects). It frees locks that a PostgreSQL listener thread
/// (`khabar-listen`) of a finished test may still take while it reconnects to its dropped
/// database: a SIGSEGV in that thread after every test has passed (seen in CI, `dmesg`). The
/// results are printed by then, so the process ends at once with libtest's status instead. It
/// is registered again with every node, after that node's connections, so that it is always the
/// newest handler and runs first.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn end_without_exit_handlers() {
    use std::ffi::{c_int, c_void};
    extern "C" {
        fn on_exit(handler: extern "C" fn(c_int, *mut c_void), argument: *mut c_void) -> c_int;
        fn _exit(status: c_int) -> !;
    }
    extern "C" fn end_now(status: c_int, _: *mut c_void) {
        use std::io::Write;
        let _ = std::io::stdout().flush();
        let _ = std::io::stderr().flush();
        // SAFETY: `_exit` ends the process without running further handlers; nothing after it.
        unsafe { _exit(status) }
    }
    // SAFETY: registers a handler with a static lifetime and no argument.
    unsafe {
        on_exit(end_now, std::ptr::null_mut());
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn end_without_exit_handlers() {}
