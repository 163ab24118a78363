//! What `serve` does before it listens: connect, migrate, settle the signing secret, and on a
//! fresh database load the demo content and create the first admin.

use diesel::result::DatabaseErrorKind;

use crate::api::article::UrlBuilder;
use crate::config::{ConfigError, Settings};
use crate::db::queries::{secrets, users};
use crate::db::{self, claim, migrate, Backend, DbConnection, DbError, DbPool};
use crate::domain::kinds::UserRole;
use crate::domain::password;
use crate::editorial::content_sets::{self, Inserted};
use crate::editorial::pipeline::{Pipeline, Template};

/// Where the generated JWT secret of a SQLite instance is kept.
const JWT_SECRET_NAME: &str = "jwt_hs256_secret";
/// The site URL the stored articles' canonical URLs were compiled with.
const COMPILED_SITE_URL: &str = "compiled_site_url";
/// The public URL (of images, of the API) the last server started with: what commands run
/// beside it link images on, unless told otherwise.
const SERVED_PUBLIC_URL: &str = "served_public_url";
/// The `domain::search::INDEX_VERSION` the search index was built with.
const SEARCH_INDEX_VERSION: &str = "search_index_version";
/// The delivery format the stored articles were compiled in (`delivery::FORMAT`).
const DELIVERY_FORMAT: &str = "delivery_format";
/// The bootstrap admin created on a database without users.
pub const BOOTSTRAP_ADMIN_EMAIL: &str = "admin@khabar.local";

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("{0}")]
    Other(String),
}

/// A database ready to serve, and what was done to make it so.
pub struct Prepared {
    pub pool: DbPool,
    pub jwt_secret: String,
    pub migrations_applied: Vec<String>,
    pub jwt_secret_generated: bool,
    pub demo: Option<Inserted>,
    /// Email and one-time password of an admin created just now.
    pub admin_created: Option<(String, String)>,
    /// The site URL the articles had been compiled for, when it was another and they were
    /// recompiled for this one (with how many).
    pub recompiled_from: Option<(String, usize)>,
}

/// Connects and migrates; used by every subcommand that needs the database.
pub fn open(settings: &Settings) -> Result<(DbPool, Vec<String>), BootstrapError> {
    let pool = db::connect_with(&settings.database_url, settings.pool_size, settings.db_timeout)?;
    let mut conn = pool.get().map_err(DbError::Pool)?;
    let applied = claim::exclusively(&mut conn, |conn| {
        migrate::run_pending(conn).map_err(BootstrapError::from)
    })?;
    Ok((pool, applied))
}

pub fn prepare(settings: &Settings) -> Result<Prepared, BootstrapError> {
    settings.require_jwt_secret()?;
    let pool = db::connect_with(&settings.database_url, settings.pool_size, settings.db_timeout)?;
    let mut conn = pool.get().map_err(DbError::Pool)?;
    // Nodes started together take turns: the first migrates and loads the demo, the others
    // find it done.
    let (migrations_applied, (jwt_secret, jwt_secret_generated), demo, admin_created, recompiled_from) =
        claim::exclusively(&mut conn, |conn| {
            let applied = migrate::run_pending(conn)?;
            let secret = match &settings.jwt_secret {
                Some(secret) => (secret.clone(), false),
                None => stored_jwt_secret(conn)?,
            };
            let demo = if settings.loads_demo() {
                let links = settings
                    .media
                    .links(secret.0.as_bytes(), settings.public_url.clone());
                load_demo_if_empty(conn, settings, &links)?
            } else {
                None
            };
            if demo.is_some() {
                // Compiled and indexed just now, by this version, for this site URL.
                record_site_url(conn, &settings.site_url)?;
                record_search_index(conn)?;
            }
            let admin = create_first_admin(conn)?;
            let recompiled = compile_for_site_url(conn, &settings.site_url)?;
            secrets::put(conn, SERVED_PUBLIC_URL, settings.public_url.as_str())?;
            rebuild_outdated_search_index(conn)?;
            Ok::<_, BootstrapError>((applied, secret, demo, admin, recompiled))
        })?;
    drop(conn);
    Ok(Prepared {
        pool,
        jwt_secret,
        migrations_applied,
        jwt_secret_generated,
        demo,
        admin_created,
        recompiled_from,
    })
}

/// Rebuilds the search index when it was built by another version of the normalization (a
/// node that reads words differently would otherwise miss what the index holds).
fn rebuild_outdated_search_index(conn: &mut DbConnection) -> Result<(), BootstrapError> {
    let current = crate::domain::search::INDEX_VERSION;
    if secrets::get(conn, SEARCH_INDEX_VERSION)?.as_deref() == Some(current) {
        // Rows written before their tables had keys (or by an older version that did not
        // fill them) get theirs.
        crate::db::queries::search_keys::fill(conn, false)?;
        return Ok(());
    }
    crate::db::queries::search_keys::fill(conn, true)?;
    let count = crate::delivery::reindex(conn, 1000, |_| {})?;
    secrets::put(conn, SEARCH_INDEX_VERSION, current)?;
    if count > 0 {
        tracing::info!(
            articles = count,
            version = current,
            "rebuilt the search index for this version"
        );
    }
    Ok(())
}

/// Records that the search index matches this version (after `khabar reindex`).
pub fn record_search_index(conn: &mut DbConnection) -> Result<(), DbError> {
    secrets::put(conn, SEARCH_INDEX_VERSION, crate::domain::search::INDEX_VERSION)
}

/// The site URL the stored articles were last compiled for, if recorded.
pub fn compiled_site_url(conn: &mut DbConnection) -> Result<Option<String>, DbError> {
    secrets::get(conn, COMPILED_SITE_URL)
}

/// The public URL the last server started with, if one has.
pub fn served_public_url(conn: &mut DbConnection) -> Result<Option<String>, DbError> {
    secrets::get(conn, SERVED_PUBLIC_URL)
}

/// Records that the stored articles were compiled for `site_url` (by the server or a command),
/// in this version's delivery format.
pub fn record_site_url(conn: &mut DbConnection, site_url: &url::Url) -> Result<(), DbError> {
    secrets::put(conn, COMPILED_SITE_URL, site_url.as_str())?;
    secrets::put(conn, DELIVERY_FORMAT, crate::delivery::FORMAT)
}

/// Recompiles every published article when the stored forms were compiled for another site
/// URL (a `khabar generate` run with other settings, a moved site), so that canonical URLs,
/// feeds and JSON-LD point where this node says the site is.
fn compile_for_site_url(
    conn: &mut DbConnection,
    site_url: &url::Url,
) -> Result<Option<(String, usize)>, BootstrapError> {
    let compiled_for = compiled_site_url(conn)?;
    let format = secrets::get(conn, DELIVERY_FORMAT)?;
    let current_format = format.as_deref() == Some(crate::delivery::FORMAT);
    if compiled_for.as_deref() == Some(site_url.as_str()) && current_format {
        return Ok(None);
    }
    // Also when nothing was recorded (articles compiled before this was kept): they may be
    // for another URL, and recompiling what is right already changes nothing.
    let count = crate::delivery::compile_all(conn, &UrlBuilder::new(site_url.clone()), 1000)?;
    record_site_url(conn, site_url)?;
    if !current_format && count > 0 {
        tracing::info!(
            articles = count,
            format = crate::delivery::FORMAT,
            "recompiled every published article into this version's delivery format"
        );
    }
    Ok(compiled_for
        .filter(|old| old != site_url.as_str())
        .map(|old| (old, count)))
}

/// The server secret image URLs are signed with: the configured one, else the one stored (SQLite).
pub fn image_secret(conn: &mut DbConnection, settings: &Settings) -> Result<String, BootstrapError> {
    settings.require_jwt_secret()?;
    match &settings.jwt_secret {
        Some(secret) => Ok(secret.clone()),
        None => Ok(stored_jwt_secret(conn)?.0),
    }
}

fn stored_jwt_secret(conn: &mut DbConnection) -> Result<(String, bool), BootstrapError> {
    debug_assert_eq!(
        conn.backend(),
        Backend::Sqlite,
        "PostgreSQL requires a configured secret"
    );
    let mut failure = None;
    let (secret, created) = secrets::get_or_create(conn, JWT_SECRET_NAME, || {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        password::random_string(ALPHABET, 64).unwrap_or_else(|e| {
            failure = Some(e.to_string());
            String::new()
        })
    })?;
    if let Some(failure) = failure {
        return Err(BootstrapError::Other(format!(
            "cannot generate a JWT secret: {failure}"
        )));
    }
    Ok((secret, created))
}

/// What every change's context holds on this installation (`links`: where this process can
/// sign image URLs).
pub fn edit_template(settings: &Settings, links: Option<crate::images::ImageLinks>) -> Template {
    Template {
        urls: UrlBuilder::new(settings.site_url.clone()),
        websub: settings
            .websub_hub
            .as_ref()
            .map(|hub| crate::editorial::events::WebSub {
                hub: hub.to_string(),
                public_url: settings.public_url.clone(),
            }),
        allow_private_webhooks: settings.worker.allow_private_webhooks,
        featured_image_min_width: settings.media.featured_min_width,
        images: links,
    }
}

/// The write pipeline of a command-line run (and of the setup before serving): no node of this
/// process follows its changes; the serving nodes read them from the change log.
pub fn pipeline(settings: &Settings, links: Option<crate::images::ImageLinks>) -> Pipeline {
    Pipeline::new(edit_template(settings, links), None)
}

/// Loads a content set (the demo, a chunk of generated articles) through the write pipeline.
pub fn load_content(
    conn: &mut DbConnection,
    pipeline: &Pipeline,
    actor: &str,
    set: &crate::domain::content_set::ContentSet,
) -> Result<Inserted, BootstrapError> {
    let ctx = pipeline.context(crate::domain::changes::Origin::system(actor));
    pipeline
        .run(conn, &ctx, |conn, ctx| content_sets::load(conn, ctx, set))
        .map_err(|e| match e {
            crate::editorial::EditError::Database(e) => BootstrapError::Database(e),
            other => BootstrapError::Other(format!(
                "the {actor} content cannot be loaded: {}",
                crate::chain::error_chain(&other)
            )),
        })
}

/// Loads and compiles the demo content when there are no articles yet; `None` when there were.
pub fn load_demo_if_empty(
    conn: &mut DbConnection,
    settings: &Settings,
    links: &crate::images::ImageLinks,
) -> Result<Option<Inserted>, BootstrapError> {
    if crate::db::queries::editorial::any(conn)? {
        return Ok(None);
    }
    // The demo's photo is a real file, stored as an upload is, so that every image URL of the
    // demo's answers and feeds loads.
    let media = &settings.media;
    let photos = crate::seed::store_photos(media, links, 1).map_err(|e| {
        BootstrapError::Other(format!("cannot store the demo photo in {:?}: {e}", media.storage))
    })?;
    let mut demo = crate::seed::demo_content(&photos[0]);
    if settings.demo_live_blog {
        crate::seed::with_demo_live_blog(&mut demo);
    }
    let pipeline = pipeline(settings, Some(links.clone()));
    Ok(Some(load_content(conn, &pipeline, "demo", &demo)?))
}

/// Creates `admin@khabar.local` with a random password when no user exists yet.
fn create_first_admin(conn: &mut DbConnection) -> Result<Option<(String, String)>, BootstrapError> {
    if users::count(conn)? > 0 {
        return Ok(None);
    }
    let (password, hash) = new_password()?;
    let created = users::create(
        conn,
        BOOTSTRAP_ADMIN_EMAIL,
        &hash,
        UserRole::Admin,
        Some("Administrator"),
    );
    match created {
        Ok(_) => Ok(Some((BOOTSTRAP_ADMIN_EMAIL.to_owned(), password))),
        // Another node starting at the same moment created it first; its output has the password.
        Err(DbError::Query(ref e)) if db::violation_kind(e) == Some(DatabaseErrorKind::UniqueViolation) => {
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// A generated password and its Argon2id hash.
pub fn new_password() -> Result<(String, String), BootstrapError> {
    let password = password::generate().map_err(|e| BootstrapError::Other(e.to_string()))?;
    let hash = password::hash(&password).map_err(|e| BootstrapError::Other(e.to_string()))?;
    Ok((password, hash))
}
