//! The `khabar` command line.

mod commands;
mod transfer;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::bootstrap::{self, BootstrapError};
use crate::config::{Options, Settings};
use crate::db::DbError;
use crate::startup::Application;

#[derive(Debug, Parser)]
#[command(name = "khabar", version, about = "Headless content API for newsrooms")]
pub struct Cli {
    #[command(flatten)]
    pub options: Options,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate, then serve the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo content (from the Euronews Arabic reference page) if there are no articles.
    Demo,
    /// Add N generated articles (deterministic Arabic and English content) for benchmarks.
    Generate {
        #[arg(long)]
        articles: u64,
        /// Same seed, same articles.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Apply Flipboard's and Google News's rules to the feeds and print what they would reject;
    /// exits non-zero when there is anything.
    CheckFeeds,
    /// Rebuild the search index from the compiled articles (after an upgrade that adds search).
    Reindex,
    /// Recompile every published article's delivery forms (after changing KHABAR_SITE_URL).
    Recompile,
    /// Write the whole content as JSON Lines (Khabar's export format, docs/export.schema.json).
    Export {
        /// Where to write it (`-`: standard output).
        #[arg(long, short, default_value = "-")]
        output: PathBuf,
        /// Only what changed at or after this time (RFC 3339), and the articles deleted since.
        #[arg(long)]
        since: Option<String>,
        /// Leave out the bytes of uploaded photos (the importing server shares the bucket).
        #[arg(long)]
        no_files: bool,
        /// Include users' password hashes.
        #[arg(long)]
        with_secrets: bool,
        /// Print the format's JSON Schema (docs/export.schema.json) instead, and exit.
        #[arg(long)]
        schema: bool,
    },
    /// Import a Khabar export, or a WordPress export (WXR) with `--from wordpress`.
    Import {
        file: PathBuf,
        #[arg(long, value_enum, default_value = "khabar")]
        from: transfer::Source,
        /// All or nothing: any refused record rolls the whole import back.
        #[arg(long)]
        atomic: bool,
        /// Send `article.published` webhooks for imported public articles.
        #[arg(long)]
        webhooks: bool,
        /// Also write the report as JSON here.
        #[arg(long)]
        report: Option<PathBuf>,
        /// WordPress: a copy of the site's wp-content/uploads, where attachment files are read.
        #[arg(long)]
        uploads: Option<PathBuf>,
        /// WordPress: download attachment files that are not in --uploads from their URLs.
        #[arg(long)]
        fetch_media: bool,
        /// WordPress: the language of posts that name none (default: the file's <language>).
        #[arg(long)]
        language: Option<String>,
    },
    /// Copy the SQLite database, consistently, while the server runs (then checks the copy).
    Backup { path: PathBuf },
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Print the OpenAPI document (commit it as openapi/openapi.json).
    Openapi,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user with a generated password, printed once.
    Create {
        #[arg(long)]
        email: String,
        /// admin, editor, writer or partner.
        #[arg(long)]
        role: String,
        #[arg(long)]
        name: Option<String>,
    },
}

/// Runs the command; the error is one line for the operator.
/// A startup error on one line, for the terminal.
fn one_line(e: BootstrapError) -> String {
    e.to_string().replace('\n', " ")
}

pub fn run(cli: Cli) -> Result<(), String> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        print!("{}", crate::openapi::document_json());
        return Ok(());
    }
    if let Command::Export { schema: true, .. } = command {
        println!("{}", export_schema_json());
        return Ok(());
    }
    crate::telemetry::init(&cli.options.log, cli.options.log_format)?;
    let mut settings = Settings::from_options(&cli.options).map_err(|e| e.to_string())?;
    // A command run beside a server compiles for the site the database was compiled for,
    // not for its own default bind: else the server's feeds would point at an address that
    // does not answer. KHABAR_SITE_URL (or KHABAR_PUBLIC_URL) says otherwise; `serve` and
    // `recompile` make their own URL the recorded one; the other commands compile nothing.
    let follows_record = matches!(
        command,
        Command::Demo | Command::Generate { .. } | Command::Import { .. }
    );
    if follows_record && cli.options.site_url.is_none() && cli.options.public_url.is_none() {
        let (site_url, public_url) = recorded_urls(&settings).map_err(one_line)?;
        if let Some(site_url) = site_url {
            settings.site_url = site_url;
        }
        if let Some(public_url) = public_url {
            settings.public_url = public_url;
        }
    }
    match command {
        Command::Serve => serve(&settings).map_err(one_line),
        Command::Migrate => {
            let (_, applied) = bootstrap::open(&settings).map_err(one_line)?;
            println!("{} migration(s) applied: {}", applied.len(), applied.join(", "));
            Ok(())
        }
        Command::Demo => commands::demo(&settings),
        Command::User(UserCommand::Create { email, role, name }) => {
            commands::create_user(&settings, &email, &role, name.as_deref())
        }
        Command::Generate { articles, seed } => generate(&settings, articles, seed).map_err(one_line),
        Command::Export {
            output,
            since,
            no_files,
            with_secrets,
            ..
        } => {
            let since = since
                .map(|s| {
                    chrono::DateTime::parse_from_rfc3339(&s)
                        .map(|t| t.with_timezone(&chrono::Utc))
                        .map_err(|e| format!("--since: '{s}' is not an RFC 3339 time: {e}"))
                })
                .transpose()?;
            let options = crate::transfer::export::ExportOptions {
                since,
                files: !no_files,
                secrets: with_secrets,
            };
            transfer::export(&settings, Some(&output), &options).map_err(one_line)
        }
        Command::Import {
            file,
            from,
            atomic,
            webhooks,
            report,
            uploads,
            fetch_media,
            language,
        } => transfer::import(
            &settings,
            &file,
            from,
            crate::transfer::import::ImportOptions {
                atomic,
                events: webhooks,
                one_at_a_time: false,
            },
            &crate::transfer::wordpress::WordpressOptions {
                uploads,
                fetch: fetch_media,
                language,
            },
            report.as_deref(),
        )
        .map_err(one_line),
        Command::Backup { path } => transfer::backup(&settings, &path).map_err(one_line),
        Command::CheckFeeds => check_feeds(&settings).map_err(one_line),
        Command::Recompile => commands::recompile(&settings),
        Command::Reindex => commands::reindex(&settings),
        Command::Openapi => unreachable!("handled above"),
    }
}

fn check_feeds(settings: &Settings) -> Result<(), BootstrapError> {
    use crate::db::queries::delivery_lists::{self, ListFilter, Sort};
    use crate::feeds::check;
    let (pool, _) = bootstrap::open(settings)?;
    let mut conn = pool.get().map_err(DbError::Pool)?;
    let now = crate::db::utc_now();
    let mut findings = Vec::new();
    for language in delivery_lists::languages(&mut conn, now)? {
        let filter = ListFilter {
            language: Some(language.clone()),
            ..ListFilter::default()
        };
        let rows = delivery_lists::list(
            &mut conn,
            &filter,
            Sort::Newest,
            None,
            i64::from(settings.feed_items),
            now,
        )?;
        let ids: Vec<i64> = rows.iter().map(|r| r.article_id).collect();
        let articles = crate::delivery::compiled_articles(&mut conn, &ids)?;
        findings.extend(
            check::flipboard(&articles)
                .into_iter()
                .chain(check::discover(&articles, settings.media.featured_min_width))
                .map(|f| (format!("/feeds/{language}/rss.xml"), f)),
        );
    }
    let recent = crate::db::queries::sitemaps::published_since(
        &mut conn,
        now - chrono::Duration::hours(48),
        now,
        crate::feeds::sitemap::MAX_NEWS_URLS as i64,
    )?;
    let published: Vec<(String, chrono::DateTime<chrono::Utc>)> = recent
        .into_iter()
        .map(|r| (r.headline, r.published_at.and_utc()))
        .collect();
    findings.extend(
        check::google_news(&published, now.and_utc())
            .into_iter()
            .map(|f| ("/sitemaps/news.xml".to_owned(), f)),
    );
    for (feed, finding) in &findings {
        let article = finding
            .article
            .as_ref()
            .map(|a| format!(" '{a}':"))
            .unwrap_or_default();
        println!("{feed} [{}]{article} {}", finding.partner, finding.problem);
    }
    if findings.is_empty() {
        println!("no findings: the feeds meet Flipboard's and Google News's rules");
        Ok(())
    } else {
        Err(BootstrapError::Other(format!(
            "{} finding(s) a partner would reject",
            findings.len()
        )))
    }
}

/// Articles per transaction while generating.
const GENERATE_CHUNK: u64 = 1000;

fn generate(settings: &Settings, count: u64, seed: u64) -> Result<(), BootstrapError> {
    use crate::db::queries::generated;
    let started = std::time::Instant::now();
    let (pool, _) = bootstrap::open(settings)?;
    let mut conn = pool.get().map_err(DbError::Pool)?;
    let catalog = generated::missing_catalog(&mut conn, crate::seed::generate::catalog())?;
    let first = generated::article_count(&mut conn)? as u64;
    // A small pool of real photos that every generated article's photo shares.
    let secret = bootstrap::image_secret(&mut conn, settings)?;
    let links = settings
        .media
        .links(secret.as_bytes(), settings.public_url.clone());
    let pipeline = bootstrap::pipeline(settings, Some(links.clone()));
    bootstrap::load_content(&mut conn, &pipeline, "generator", &catalog)?;
    let photos = crate::seed::store_photos(&settings.media, &links, crate::images::demo_photo::POOL)
        .map_err(|e| BootstrapError::Other(format!("cannot store the generated photos: {e}")))?;
    let mut done = 0;
    while done < count {
        let size = GENERATE_CHUNK.min(count - done);
        let set = crate::seed::generate::articles(seed, first + done, size, &photos);
        bootstrap::load_content(&mut conn, &pipeline, "generator", &set)?;
        done += size;
        if done % 50_000 == 0 || done == count {
            eprintln!(
                "{done} / {count} articles ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
    }
    println!(
        "generated {count} articles in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // Recorded only when every stored article now points at this site URL; otherwise the
    // next server start finds the mismatch and recompiles them all for its own.
    let recorded = bootstrap::compiled_site_url(&mut conn)?;
    if recorded.as_deref() == Some(settings.site_url.as_str()) || (recorded.is_none() && first == 0) {
        bootstrap::record_site_url(&mut conn, &settings.site_url)?;
    }
    if first == 0 {
        // Everything was just indexed by this version.
        bootstrap::record_search_index(&mut conn)?;
    }
    print_site_url(settings);
    Ok(())
}

fn serve(settings: &Settings) -> Result<(), BootstrapError> {
    let system = actix_web::rt::System::new();
    system.block_on(async {
        let application = Application::build(settings)?;
        let summary = &application.prepared;
        if !summary.migrations_applied.is_empty() {
            tracing::info!(applied = ?summary.migrations_applied, "database migrated");
        }
        if summary.jwt_secret_generated {
            tracing::info!("generated a JWT signing secret and stored it in the database (table instance_secrets); set KHABAR_JWT_SECRET to use your own");
        }
        let base = settings.public_url.as_str().trim_end_matches('/').to_owned();
        println!("Khabar {} serving on {} ({})", env!("CARGO_PKG_VERSION"), base, settings.database_url.display());
        if summary.demo_loaded {
            println!("Loaded the demo content.");
        }
        if let Some((old, count)) = &summary.recompiled_from {
            println!(
                "Recompiled {count} articles: they pointed at {old}, this server's site URL is {}.",
                settings.site_url
            );
        }
        if let Some((email, password)) = &summary.admin_created {
            println!("Created the first admin. Shown once, keep it safe:");
            println!("  email:    {email}");
            println!("  password: {password}");
        }
        println!("Worth opening:");
        let demo = crate::api::article::UrlBuilder::new(settings.public_url.clone());
        let demo_article = demo.article("v1", "articles");
        let slug = crate::seed::demo_article_slug();
        println!("  {demo_article}/{}   (demo article)", percent_encode_segment(&slug));
        if settings.demo_live_blog {
            let live = percent_encode_segment(&crate::seed::demo_live_blog_slug());
            println!("  {demo_article}/{live}/live   (a live blog; its events: {demo_article}/{live}/live/stream)");
        }
        let sign_in = if summary.admin_created.is_some() {
            ": sign in with the email and password above"
        } else {
            ""
        };
        println!("  {base}/desk/          (the newsroom desk{sign_in})");
        println!("  {base}/docs/          (API reference)");
        println!("  {base}/openapi.json   (API contract)");
        println!("  {base}/readyz         (readiness)");
        application
            .stop_on_signals()
            .map_err(|e| BootstrapError::Other(format!("cannot listen for signals: {e}")))?;
        application
            .run_until_stopped()
            .await
            .map_err(|e| BootstrapError::Other(format!("server failed: {e}")))
    })
}

/// The export format's JSON Schema as committed (`docs/export.schema.json`).
pub fn export_schema_json() -> String {
    serde_json::to_string_pretty(&crate::transfer::format::json_schema()).expect("a JSON value serializes")
}

/// Says where canonical URLs point, and how to change it: a command run with other settings
/// than the server is recompiled by the server at its next start, but should not surprise.
/// The site URL the database's articles were compiled for, and the public URL its last server
/// served on, if the database exists and says.
fn recorded_urls(settings: &Settings) -> Result<(Option<url::Url>, Option<url::Url>), BootstrapError> {
    if let crate::db::DatabaseUrl::Sqlite(path) = &settings.database_url {
        if !std::path::Path::new(path).exists() {
            return Ok((None, None));
        }
    }
    let (pool, _) = bootstrap::open(settings)?;
    let mut conn = pool.get().map_err(DbError::Pool)?;
    let parse = |u: Option<String>| u.and_then(|u| url::Url::parse(&u).ok());
    Ok((
        parse(bootstrap::compiled_site_url(&mut conn)?),
        parse(bootstrap::served_public_url(&mut conn)?),
    ))
}

fn print_site_url(settings: &Settings) {
    println!(
        "canonical URLs point at {} (KHABAR_SITE_URL, else KHABAR_PUBLIC_URL; a server started with another recompiles them)",
        settings.site_url
    );
}

fn percent_encode_segment(segment: &str) -> String {
    let mut url = url::Url::parse("http://x/").expect("static URL parses");
    url.path_segments_mut()
        .expect("http URLs have paths")
        .push(segment);
    url.path().trim_start_matches('/').to_owned()
}
