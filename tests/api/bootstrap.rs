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
    assert_eq!(admin.role, khabar::domain::kinds::UserRole::Admin);
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
        .filter(instance_secrets::name.eq("jwt_hs256_secret"))
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

/// A node started with another site URL than the articles were compiled for recompiles them,
/// so canonical URLs, feeds and JSON-LD never point at a URL some earlier command used; and a
/// search index made by another version of the normalization is rebuilt.
async fn a_new_site_url_or_index_version_is_applied_at_start(backend: Backend) {
    let db = TestDb::create(backend);
    let first = Application::build(&settings(db.url.clone())).unwrap();
    assert!(first.prepared.demo_loaded);
    assert_eq!(
        first.prepared.recompiled_from, None,
        "the demo was compiled for this URL"
    );
    drop(first);
    let mut moved = settings(db.url.clone());
    moved.site_url = url::Url::parse("https://www.example.org/").unwrap();
    let pool = khabar::db::connect(&db.url, 1).unwrap();
    // As if an older version had built the index.
    diesel::update(instance_secrets::table.filter(instance_secrets::name.eq("search_index_version")))
        .set(instance_secrets::value.eq("1"))
        .execute(&mut pool.get().unwrap())
        .unwrap();
    let second = Application::build(&moved).unwrap();
    assert_eq!(
        second.prepared.recompiled_from,
        Some((crate::helpers::SITE_URL.to_owned(), 5))
    );
    let stored: Vec<u8> = khabar::db::schema::article_deliveries::table
        .select(khabar::db::schema::article_deliveries::full_br)
        .first(&mut pool.get().unwrap())
        .unwrap();
    let stored = String::from_utf8(khabar::delivery::codings::unbrotli(&stored).unwrap()).unwrap();
    assert!(
        stored.contains("https://www.example.org/"),
        "recompiled for the new site"
    );
    assert!(
        !stored.contains(crate::helpers::SITE_URL),
        "nothing points at the old one"
    );
    let version: String = instance_secrets::table
        .filter(instance_secrets::name.eq("search_index_version"))
        .select(instance_secrets::value)
        .first(&mut pool.get().unwrap())
        .unwrap();
    assert_eq!(
        version,
        khabar::domain::search::INDEX_VERSION,
        "the index was rebuilt"
    );
    drop(second);
    let third = Application::build(&moved).unwrap();
    assert_eq!(third.prepared.recompiled_from, None, "once");
}

crate::on_both_backends!(
    a_new_site_url_or_index_version_is_applied_at_start,
    first_start_seeds_and_second_start_keeps_everything,
    sqlite_generates_and_keeps_a_jwt_secret,
    postgres_requires_a_configured_secret,
);
