//! The binary: bad configuration exits non-zero with one clear line.

use std::process::Command;

fn khabar(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_khabar"));
    command.current_dir(dir.path()).args(args);
    for key in [
        "DATABASE_URL",
        "KHABAR_BIND",
        "KHABAR_JWT_SECRET",
        "KHABAR_PUBLIC_URL",
        "KHABAR_SITE_URL",
        "KHABAR_LOG",
    ] {
        command.env_remove(key);
    }
    command.envs(env.iter().copied());
    let output = command.output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn assert_one_line_error(args: &[&str], env: &[(&str, &str)], expected_start: &str) {
    let (code, _, stderr) = khabar(args, env);
    assert_ne!(code, 0, "{args:?} {env:?} should fail");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected, got: {stderr}");
    assert!(
        lines[0].starts_with(expected_start),
        "{:?} does not start with {expected_start:?}",
        lines[0]
    );
}

#[test]
fn bad_configuration_is_one_line_naming_the_setting() {
    assert_one_line_error(
        &["migrate"],
        &[("DATABASE_URL", "mysql://db/khabar")],
        "khabar: error: DATABASE_URL: ",
    );
    assert_one_line_error(
        &["migrate"],
        &[("DATABASE_URL", "pgdb")],
        "khabar: error: DATABASE_URL: ",
    );
    assert_one_line_error(
        &["migrate"],
        &[("DATABASE_URL", "postgres://[bad")],
        "khabar: error: DATABASE_URL: ",
    );
    assert_one_line_error(
        &["serve"],
        &[("KHABAR_BIND", "nowhere")],
        "khabar: error: KHABAR_BIND: ",
    );
    assert_one_line_error(
        &["serve"],
        &[("KHABAR_BIND", "256.0.0.1:80")],
        "khabar: error: KHABAR_BIND: ",
    );
    assert_one_line_error(
        &["serve"],
        &[("KHABAR_JWT_SECRET", "short")],
        "khabar: error: KHABAR_JWT_SECRET: ",
    );
    assert_one_line_error(&["serve"], &[("KHABAR_LOG", "=[")], "khabar: error: KHABAR_LOG: ");
    assert_one_line_error(
        &["serve"],
        &[("DATABASE_URL", "postgres://postgres@127.0.0.1:1/khabar")],
        "khabar: error: KHABAR_JWT_SECRET: is required with PostgreSQL",
    );
    assert_one_line_error(
        &["migrate"],
        &[("DATABASE_URL", "postgres://postgres@127.0.0.1:1/khabar")],
        "khabar: error: cannot connect to the database: postgres://postgres@127.0.0.1:1/khabar: ",
    );
    assert_one_line_error(
        &["user", "create", "--email", "x@y.z", "--role", "boss"],
        &[],
        "khabar: error: --role: unknown user role 'boss'",
    );
}

#[test]
fn a_port_in_use_is_one_line_too() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let bind = taken.local_addr().unwrap().to_string();
    assert_one_line_error(
        &["serve"],
        &[("KHABAR_BIND", &bind)],
        "khabar: error: KHABAR_BIND: cannot listen on",
    );
}

#[test]
fn migrate_demo_and_user_create_work_on_a_fresh_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("k.db").display());
    let env = [("DATABASE_URL", url.as_str())];
    let (code, stdout, stderr) = khabar(&["migrate"], &env);
    assert_eq!(code, 0, "{stderr}");
    let expected = format!("{} migration(s) applied", crate::helpers::migration_count());
    assert!(stdout.starts_with(&expected), "{stdout}");
    let (code, stdout, _) = khabar(&["demo"], &env);
    assert_eq!(code, 0);
    let mut lines = stdout.lines();
    assert_eq!(
        lines.next(),
        Some("demo content loaded: 5 articles, 2 contributors, 17 topics, 1 media")
    );
    assert!(
        lines
            .next()
            .is_some_and(|l| l.starts_with("canonical URLs point at http://127.0.0.1:8080/")),
        "says which site URL: {stdout}"
    );
    let (_, stdout, _) = khabar(&["demo"], &env);
    assert_eq!(
        stdout.trim(),
        "the database already has articles; demo content not loaded"
    );
    let (code, stdout, stderr) = khabar(
        &[
            "user",
            "create",
            "--email",
            "Editor@Example.com",
            "--role",
            "editor",
        ],
        &env,
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with("created editor editor@example.com\npassword (shown once): "),
        "{stdout}"
    );
    assert_one_line_error(
        &[
            "user",
            "create",
            "--email",
            "editor@example.com",
            "--role",
            "writer",
        ],
        &env,
        "khabar: error: --email: a user with the email 'editor@example.com' already exists",
    );
}

#[test]
fn openapi_command_prints_the_document() {
    let (code, stdout, _) = khabar(&["openapi"], &[]);
    assert_eq!(code, 0);
    assert_eq!(stdout, khabar::openapi::document_json());
}

#[test]
fn check_feeds_prints_what_partners_would_reject() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("k.db").display());
    let env = [("DATABASE_URL", url.as_str())];
    assert_eq!(khabar(&["demo"], &env).0, 0);
    let (code, stdout, stderr) = khabar(&["check-feeds"], &env);
    assert_ne!(code, 0, "the demo feeds are too small for Flipboard");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines.contains(&"/feeds/ar/rss.xml [flipboard] 4 items; Flipboard wants at least 20"),
        "{stdout}"
    );
    assert!(
        lines.contains(&"/feeds/en/rss.xml [flipboard] 1 items; Flipboard wants at least 20"),
        "{stdout}"
    );
    assert!(
        lines.contains(
            &"/feeds/ar/rss.xml [flipboard] 'هل سينفذ السيسي تهديده بالتدخل المباشر في ليبيا؟': no image"
        ),
        "{stdout}"
    );
    assert!(
        lines.contains(&"/sitemaps/news.xml [google-news] the news sitemap is empty: nothing published in the last 48 hours"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("محادثات عسكرية وأمنية جديدة بين رئيس حكومة الوفاق ووزير الدفاع التركي': no image"),
        "the demo article has its photo"
    );
    assert!(
        stderr.trim_end().ends_with("finding(s) a partner would reject"),
        "{stderr}"
    );
    assert!(
        !stdout.contains("google-discover"),
        "the demo photo is 2400 px wide: {stdout}"
    );
    let wider = [
        ("DATABASE_URL", url.as_str()),
        ("KHABAR_FEATURED_IMAGE_MIN_WIDTH", "3000"),
    ];
    let (_, stdout, _) = khabar(&["check-feeds"], &wider);
    assert!(
        stdout.contains("[google-discover] 'محادثات عسكرية وأمنية جديدة بين رئيس حكومة الوفاق ووزير الدفاع التركي': the featured image is 2400 px wide; Google Discover wants 3000"),
        "{stdout}"
    );
}

#[test]
fn generated_articles_have_photos_no_partner_objects_to() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("k.db").display());
    let media = dir.path().join("media");
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("KHABAR_MEDIA_DIR", media.to_str().unwrap()),
    ];
    let (code, _, stderr) = khabar(&["generate", "--articles", "100"], &env);
    assert_eq!(code, 0, "{stderr}");
    let stored = std::fs::read_dir(&media)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().is_file())
        .count();
    assert_eq!(
        stored,
        khabar::images::demo_photo::POOL,
        "a small pool of photos, shared"
    );
    let (_, stdout, _) = khabar(&["check-feeds"], &env);
    let about_images: Vec<&str> = stdout.lines().filter(|l| l.contains("image")).collect();
    assert!(about_images.is_empty(), "{about_images:?}");
}

#[test]
fn recompile_applies_a_new_site_url() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("k.db").display());
    let old_site = [
        ("DATABASE_URL", url.as_str()),
        ("KHABAR_SITE_URL", "https://old.example.com"),
    ];
    assert_eq!(khabar(&["demo"], &old_site).0, 0);
    let new_site = [
        ("DATABASE_URL", url.as_str()),
        ("KHABAR_SITE_URL", "https://www.example.org"),
    ];
    let (code, stdout, stderr) = khabar(&["recompile"], &new_site);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with("recompiled 5 published articles\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("canonical URLs point at https://www.example.org/"),
        "{stdout}"
    );
    let (code, stdout, _) = khabar(&["reindex"], &new_site);
    assert_eq!(code, 0);
    assert_eq!(
        stdout.lines().last().unwrap().split(" in ").next().unwrap(),
        "indexed 5 articles"
    );

    use diesel::prelude::*;
    let pool = khabar::db::connect(&khabar::db::DatabaseUrl::parse(&url).unwrap(), 1).unwrap();
    let forms: Vec<String> = khabar::db::schema::article_deliveries::table
        .select(khabar::db::schema::article_deliveries::full_json)
        .load(&mut pool.get().unwrap())
        .unwrap();
    assert_eq!(forms.len(), 5);
    assert!(forms
        .iter()
        .all(|f| f.contains("https://www.example.org/") && !f.contains("old.example.com")));
}
