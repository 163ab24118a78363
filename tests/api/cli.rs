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
    // The demo as the tests below count it; the one test of the whole demo says `true`.
    command.env("KHABAR_DEMO_LIVE_BLOG", "false");
    command.envs(env.iter().copied());
    let output = command.output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Every stored article form, decoded.
fn delivered_forms(pool: &khabar::db::DbPool) -> Vec<String> {
    use diesel::prelude::*;
    khabar::db::schema::article_deliveries::table
        .select(khabar::db::schema::article_deliveries::full_br)
        .load::<Vec<u8>>(&mut pool.get().unwrap())
        .unwrap()
        .iter()
        .map(|brotli| String::from_utf8(khabar::delivery::codings::unbrotli(brotli).unwrap()).unwrap())
        .collect()
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
    let env = [("DATABASE_URL", url.as_str()), ("KHABAR_DEMO_LIVE_BLOG", "true")];
    let (code, stdout, stderr) = khabar(&["migrate"], &env);
    assert_eq!(code, 0, "{stderr}");
    let expected = format!("{} migration(s) applied", crate::helpers::migration_count());
    assert!(stdout.starts_with(&expected), "{stdout}");
    let (code, stdout, _) = khabar(&["demo"], &env);
    assert_eq!(code, 0);
    let mut lines = stdout.lines();
    assert_eq!(
        lines.next(),
        Some("demo content loaded: 6 articles, 2 contributors, 17 topics, 1 media"),
        "five articles and the live blog"
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
        ("KHABAR_PURGE_URL", "varnish+http://127.0.0.1:9"),
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
    assert!(
        stdout
            .lines()
            .last()
            .unwrap()
            .starts_with("indexed 5 articles and the names of "),
        "{stdout}"
    );

    use diesel::prelude::*;
    let pool = khabar::db::connect(&khabar::db::DatabaseUrl::parse(&url).unwrap(), 1).unwrap();
    let forms = delivered_forms(&pool);
    assert_eq!(forms.len(), 5);
    assert!(forms
        .iter()
        .all(|f| f.contains("https://www.example.org/") && !f.contains("old.example.com")));
    // The log says everything changed: running nodes empty their caches when they read it,
    // and the edge is purged of `all` by the servers' workers.
    use khabar::db::schema::change_log;
    let newest: (String, String, Option<String>) = change_log::table
        .order(change_log::seq.desc())
        .select((change_log::kind, change_log::keys, change_log::actor))
        .first(&mut pool.get().unwrap())
        .unwrap();
    assert_eq!(newest, ("everything".into(), "all".into(), Some("cli".into())));
}

/// A command run beside a server (with another bind and no site URL) compiles for the site
/// URL the database records, not for its own default `127.0.0.1:8080`.
#[test]
fn commands_compile_for_the_recorded_site_url() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("k.db").display());
    let site = [
        ("DATABASE_URL", url.as_str()),
        ("KHABAR_SITE_URL", "https://news.example.org"),
        ("KHABAR_PUBLIC_URL", "https://api.news.example.org"),
    ];
    assert_eq!(khabar(&["demo"], &site).0, 0);
    // What a server start records (its public URL), without serving.
    {
        let pool = khabar::db::connect(&khabar::db::DatabaseUrl::parse(&url).unwrap(), 1).unwrap();
        let mut settings = crate::helpers::settings(khabar::db::DatabaseUrl::parse(&url).unwrap());
        settings.site_url = url::Url::parse("https://news.example.org").unwrap();
        settings.public_url = url::Url::parse("https://api.news.example.org").unwrap();
        drop(pool);
        khabar::bootstrap::prepare(&settings).unwrap();
    }
    let beside = [("DATABASE_URL", url.as_str()), ("KHABAR_BIND", "127.0.0.1:9999")];
    let (code, stdout, stderr) = khabar(&["generate", "--articles", "3"], &beside);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("https://news.example.org/"), "{stdout}");
    let pool = khabar::db::connect(&khabar::db::DatabaseUrl::parse(&url).unwrap(), 1).unwrap();
    let forms = delivered_forms(&pool);
    assert_eq!(forms.len(), 8);
    assert!(
        forms
            .iter()
            .all(|f| f.contains("https://news.example.org/") && !f.contains("127.0.0.1:9999")),
        "a form was compiled for the command's own bind"
    );
}

/// `export`, `import` (Khabar's format and WordPress's) and `backup`, as an operator runs them.
#[test]
fn export_import_and_backup_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let (a, b, a_media, b_media) = (
        format!("sqlite://{}", path("a.db")),
        format!("sqlite://{}", path("b.db")),
        path("media-a"),
        path("media-b"),
    );
    let secret = ("KHABAR_JWT_SECRET", crate::helpers::TEST_JWT_SECRET);
    let on_a = [
        ("DATABASE_URL", a.as_str()),
        ("KHABAR_MEDIA_DIR", a_media.as_str()),
        secret,
    ];
    let on_b = [
        ("DATABASE_URL", b.as_str()),
        ("KHABAR_MEDIA_DIR", b_media.as_str()),
        secret,
    ];
    let (code, _, stderr) = khabar(&["demo"], &on_a);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = khabar(&["export", "--output", &path("a.jsonl")], &on_a);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("exported 5 article"), "{stderr}");
    let (code, stdout, stderr) = khabar(&["import", &path("a.jsonl")], &on_b);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("article: 5 created, 0 updated, 0 unchanged, 0 refused"),
        "{stdout}"
    );
    let (code, _, _) = khabar(&["export", "--output", &path("b.jsonl")], &on_b);
    assert_eq!(code, 0);
    assert_eq!(
        std::fs::read(path("a.jsonl")).unwrap(),
        std::fs::read(path("b.jsonl")).unwrap(),
        "the export of the import is the export"
    );
    let (code, stdout, _) = khabar(&["import", &path("a.jsonl")], &on_b);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("article: 0 created, 0 updated, 5 unchanged"),
        "{stdout}"
    );
    // Incremental: nothing changed since now.
    let since = chrono::Utc::now().to_rfc3339();
    let (code, stdout, _) = khabar(&["export", "--since", &since], &on_b);
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 1, "only the header: {stdout}");
    assert!(stdout.contains("\"since\""));
    assert_one_line_error(
        &["export", "--since", "yesterday"],
        &on_b,
        "khabar: error: --since: ",
    );

    // A file with a refused line: the rest is imported, the refusal listed, the exit 1.
    let mut broken = std::fs::read_to_string(path("a.jsonl")).unwrap();
    broken.push_str("{\"type\":\"topic\",\"slug\":\"Bad Slug\",\"kind\":\"tag\",\"name\":\"x\",\"created_at\":\"2020-01-01T00:00:00Z\",\"updated_at\":\"2020-01-01T00:00:00Z\"}\n");
    std::fs::write(path("broken.jsonl"), &broken).unwrap();
    let lines = broken.lines().count();
    let (code, stdout, stderr) = khabar(
        &["import", &path("broken.jsonl"), "--report", &path("report.json")],
        &on_b,
    );
    assert_eq!(code, 1);
    // Counts and notes on stdout; each refusal on a line of its own on stderr, then the
    // summary, which says that nothing else needed writing (everything else was unchanged).
    assert!(stdout.contains("topic: 0 created"), "{stdout}");
    let stderr_lines: Vec<&str> = stderr.lines().collect();
    assert!(
        stderr_lines[0].starts_with(&format!("error: line {lines}: topic Bad Slug: slug:")),
        "{stderr}"
    );
    assert!(
        stderr_lines[1].starts_with("khabar: error: 1 record(s) were refused")
            && stderr_lines[1].contains("nothing else needed writing"),
        "{stderr}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path("report.json")).unwrap()).unwrap();
    assert_eq!(report["problems"][0]["line"], lines);
    let (code, _, stderr) = khabar(&["import", &path("broken.jsonl"), "--atomic"], &on_b);
    assert_eq!(code, 1);
    assert!(stderr.contains("--atomic: nothing was imported"), "{stderr}");
    assert_one_line_error(
        &["import", &path("nothing-here.jsonl")],
        &on_b,
        "khabar: error: cannot open ",
    );
    assert_one_line_error(
        &[
            "import",
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/wordpress/newsroom.xml"
            ),
        ],
        &on_b,
        "khabar: error: ",
    );
    let (code, stdout, stderr) = khabar(
        &[
            "import",
            "--from",
            "wordpress",
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/wordpress/newsroom.xml"
            ),
        ],
        &on_b,
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("article: 6 created"), "{stdout}");
    assert!(stdout.contains("note: line "), "{stdout}");

    // Backups: a checked copy; never over a file; PostgreSQL has its own tools.
    let (code, stdout, stderr) = khabar(&["backup", &path("copy.db")], &on_a);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("integrity ok"), "{stdout}");
    let copy = format!("sqlite://{}", path("copy.db"));
    let on_copy = [
        ("DATABASE_URL", copy.as_str()),
        ("KHABAR_MEDIA_DIR", a_media.as_str()),
        secret,
    ];
    let (code, _, _) = khabar(&["export", "--output", &path("copy.jsonl")], &on_copy);
    assert_eq!(code, 0);
    assert_eq!(
        std::fs::read(path("copy.jsonl")).unwrap(),
        std::fs::read(path("a.jsonl")).unwrap()
    );
    assert_one_line_error(&["backup", &path("copy.db")], &on_a, "khabar: error: ");
    assert_one_line_error(
        &["backup", &path("pg.db")],
        &[("DATABASE_URL", "postgres://postgres@127.0.0.1:1/none"), secret],
        "khabar: error: khabar backup copies SQLite databases; on PostgreSQL use pg_dump",
    );
}
