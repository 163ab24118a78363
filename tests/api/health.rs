use crate::helpers::{Backend, TestApp};

async fn health_and_readiness(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, _, body) = app.get_json("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    let (status, _, body) = app.get_json("/readyz").await;
    assert_eq!(status, 200, "{body}");
    let expected = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(body["database"], expected);
}

async fn readiness_fails_while_migrations_are_pending(backend: Backend) {
    use diesel_migrations::MigrationHarness;
    use khabar::db::DbConnection;
    let app = TestApp::spawn(backend).await;
    let mut conn = app.conn();
    match &mut *conn {
        DbConnection::Sqlite(c) => c.revert_last_migration(khabar::db::migrate::SQLITE).map(drop),
        DbConnection::Pg(c) => c.revert_last_migration(khabar::db::migrate::POSTGRES).map(drop),
    }
    .unwrap();
    let (status, content_type, problem) = app.get_json("/readyz").await;
    assert_eq!(status, 503, "{problem}");
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(problem["detail"], "database migrations are pending");
    let (status, _, _) = app.get_json("/healthz").await;
    assert_eq!(status, 200, "liveness does not depend on the database");
}

/// The value of one series in OpenMetrics text, e.g. `khabar_database_up` or
/// `khabar_http_requests_total{method="GET",route="/v1/articles",status="200"}`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|value| value.split(' ').next()?.parse().ok())
}

async fn scrape(app: &TestApp, token: Option<&str>) -> (u16, reqwest::header::HeaderMap, String) {
    let mut request = app.client.get(app.url("/metrics"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

async fn metrics_count_requests_per_route(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let article = format!(
        "/v1/articles/{}",
        crate::helpers::segment(&khabar::seed::demo_article_slug())
    );
    for path in [
        article.as_str(),
        article.as_str(),
        "/v1/articles/no-such-article",
        "/nowhere",
    ] {
        app.get(path).await;
    }
    let (status, headers, text) = scrape(&app, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        headers["content-type"],
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    assert!(text.ends_with("# EOF\n"), "OpenMetrics ends with # EOF");
    let requests = |route: &str, status: u16| {
        sample(
            &text,
            &format!(
                "khabar_http_request_duration_seconds_count{{method=\"GET\",route=\"{route}\",status=\"{status}\"}}"
            ),
        )
    };
    assert_eq!(requests("/v1/articles/{key}", 200), Some(2.0), "{text}");
    assert_eq!(requests("/v1/articles/{key}", 404), Some(1.0));
    assert_eq!(requests("unmatched", 404), Some(1.0));
    assert!(!text.contains("no-such-article"), "routes, never raw paths");
    assert!(text.contains(
        "khabar_http_request_duration_seconds_bucket{le=\"0.0001\",method=\"GET\",route=\"/v1/articles/{key}\",status=\"200\"}"
    ));
    assert_eq!(sample(&text, "khabar_database_up"), Some(1.0));
    assert_eq!(sample(&text, "khabar_jobs_overdue"), Some(0.0));
    assert_eq!(
        sample(&text, "khabar_webhook_deliveries{state=\"failed\"}"),
        Some(0.0)
    );
    assert!(sample(&text, "khabar_response_cache_entries").is_some());
    assert!(sample(&text, "khabar_db_pool_connections{state=\"idle\"}").is_some());
    assert!(sample(&text, "khabar_process_resident_memory_bytes").unwrap_or(0.0) > 1_000_000.0);
}

async fn a_metrics_token_guards_the_scrape(backend: Backend) {
    let db = crate::helpers::TestDb::create(backend);
    let mut settings = crate::helpers::settings(db.url.clone());
    settings.metrics_token = Some("scrape-token-0123456789".into());
    let app = TestApp::spawn_owning(db, settings).await;
    for token in [None, Some("wrong"), Some("scrape-token-012345678")] {
        let (status, headers, body) = scrape(&app, token).await;
        assert_eq!(status, 401, "{token:?}: {body}");
        assert!(headers.contains_key("www-authenticate"));
    }
    let (status, _, text) = scrape(&app, Some("scrape-token-0123456789")).await;
    assert_eq!(status, 200);
    assert!(text.contains("khabar_build_info"));
}

crate::on_both_backends!(
    health_and_readiness,
    readiness_fails_while_migrations_are_pending,
    metrics_count_requests_per_route,
    a_metrics_token_guards_the_scrape,
);
