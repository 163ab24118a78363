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

crate::on_both_backends!(health_and_readiness, readiness_fails_while_migrations_are_pending);
