//! First run and later runs: demo content and the first admin happen once.

use diesel::prelude::*;
use khabar::config::DemoMode;
use khabar::db::queries::users;
use khabar::db::schema::{articles, instance_secrets};
use khabar::startup::Application;

use crate::helpers::{migration_count, settings, Backend, TestDb};

async fn first_start_seeds_and_second_start_keeps_everything(backend: Backend) {
    let db = TestDb::create(backend);
    let first = Application::build(&settings(db.url.clone())).unwrap();
    assert!(first.prepared.demo_loaded);
    assert_eq!(first.prepared.migrations_applied.len(), migration_count());
    let (email, password) = first
        .prepared
        .admin_created
        .clone()
        .expect("first start creates an admin");
    assert_eq!(email, "admin@khabar.local");
    assert_eq!(password.len(), 20);
    drop(first);

    let second = Application::build(&settings(db.url.clone())).unwrap();
    assert!(!second.prepared.demo_loaded, "demo content is loaded once");
    assert!(
        second.prepared.admin_created.is_none(),
        "no new password on a second start"
    );
    assert!(second.prepared.migrations_applied.is_empty());

    let pool = khabar::db::connect(&db.url, 1).unwrap();
    let conn = &mut pool.get().unwrap();
    let count: i64 = articles::table.count().get_result(conn).unwrap();
    assert_eq!(count, 5);
    let admin = users::find_by_email(conn, &email).unwrap().unwrap();
    assert_eq!(admin.role, "admin");
    assert!(khabar::domain::password::verify(&password, &admin.password_hash));
}

async fn sqlite_generates_and_keeps_a_jwt_secret(backend: Backend) {
    if backend != Backend::Sqlite {
        // PostgreSQL never generates one: see `postgres_requires_a_configured_secret`.
        return;
    }
    let db = TestDb::create(backend);
    let mut without_secret = settings(db.url.clone());
    without_secret.jwt_secret = None;
    without_secret.demo = DemoMode::Never;
    let first = Application::build(&without_secret).unwrap();
    assert!(first.prepared.jwt_secret_generated);
    assert!(!first.prepared.demo_loaded);
    let second = Application::build(&without_secret).unwrap();
    assert!(
        !second.prepared.jwt_secret_generated,
        "the stored secret is reused"
    );
    let pool = khabar::db::connect(&db.url, 1).unwrap();
    let secrets: Vec<String> = instance_secrets::table
        .select(instance_secrets::value)
        .load(&mut pool.get().unwrap())
        .unwrap();
    assert_eq!(secrets.len(), 1);
    assert!(secrets[0].len() >= 32);
}

async fn postgres_requires_a_configured_secret(backend: Backend) {
    let db = TestDb::create(backend);
    let mut without_secret = settings(db.url.clone());
    without_secret.jwt_secret = None;
    let result = Application::build(&without_secret);
    match backend {
        Backend::Postgres => {
            let error = result.err().expect("refused").to_string();
            assert!(
                error.starts_with("KHABAR_JWT_SECRET: is required with PostgreSQL"),
                "{error}"
            );
        }
        Backend::Sqlite => assert!(result.is_ok()),
    }
}

crate::on_both_backends!(
    first_start_seeds_and_second_start_keeps_everything,
    sqlite_generates_and_keeps_a_jwt_secret,
    postgres_requires_a_configured_secret,
);
