//! The one-shot commands that open the database, do one thing and print what they did.

use super::{one_line, print_site_url};
use crate::bootstrap;
use crate::config::Settings;
use crate::db::queries::users;
use crate::db::DbError;
use crate::domain::kinds::UserRole;
use crate::editorial::content_sets::Inserted;

/// `khabar demo`: loads the demo content into an empty database.
pub(super) fn demo(settings: &Settings) -> Result<(), String> {
    let (pool, _) = bootstrap::open(settings).map_err(one_line)?;
    let mut conn = pool.get().map_err(|e| DbError::Pool(e).to_string())?;
    let secret = bootstrap::image_secret(&mut conn, settings).map_err(one_line)?;
    let links = settings
        .media
        .links(secret.as_bytes(), settings.public_url.clone());
    match bootstrap::load_demo_if_empty(&mut conn, settings, &links).map_err(one_line)? {
        Some(Inserted {
            articles,
            contributors,
            topics,
            media,
            ..
        }) => {
            bootstrap::record_site_url(&mut conn, &settings.site_url).map_err(|e| e.to_string())?;
            bootstrap::record_search_index(&mut conn).map_err(|e| e.to_string())?;
            println!(
                "demo content loaded: {articles} articles, {contributors} contributors, {topics} topics, {media} media"
            );
            print_site_url(settings);
        }
        None => println!("the database already has articles; demo content not loaded"),
    }
    Ok(())
}

/// `khabar user create`: a user with a generated password, shown once.
pub(super) fn create_user(
    settings: &Settings,
    email: &str,
    role: &str,
    name: Option<&str>,
) -> Result<(), String> {
    let role: UserRole = role
        .parse()
        .map_err(|e: crate::domain::kinds::UnknownValue| format!("--role: {e}"))?;
    let email = email.trim().to_lowercase();
    if !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
        return Err(format!("--email: '{email}' is not an email address"));
    }
    let (pool, _) = bootstrap::open(settings).map_err(one_line)?;
    let mut conn = pool.get().map_err(|e| DbError::Pool(e).to_string())?;
    if users::find_by_email(&mut conn, &email)
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Err(format!("--email: a user with the email '{email}' already exists"));
    }
    let (password, hash) = bootstrap::new_password().map_err(one_line)?;
    users::create(&mut conn, &email, &hash, role, name).map_err(|e| e.to_string())?;
    println!("created {role} {email}");
    println!("password (shown once): {password}");
    Ok(())
}

/// `khabar recompile`: every published article compiled again for this site's URL.
pub(super) fn recompile(settings: &Settings) -> Result<(), String> {
    let (pool, _) = bootstrap::open(settings).map_err(one_line)?;
    let mut conn = pool.get().map_err(|e| DbError::Pool(e).to_string())?;
    let urls = crate::api::article::UrlBuilder::new(settings.site_url.clone());
    let count = crate::delivery::compile_all(&mut conn, &urls, 1000).map_err(|e| e.to_string())?;
    bootstrap::record_site_url(&mut conn, &settings.site_url).map_err(|e| e.to_string())?;
    crate::editorial::events::everything_changed(&mut conn, &crate::domain::changes::Origin::system("cli"))
        .map_err(|e| e.to_string())?;
    println!("recompiled {count} published articles");
    print_site_url(settings);
    Ok(())
}

/// `khabar reindex`: the search index and the pickers' name keys made again.
pub(super) fn reindex(settings: &Settings) -> Result<(), String> {
    let (pool, _) = bootstrap::open(settings).map_err(one_line)?;
    let mut conn = pool.get().map_err(|e| DbError::Pool(e).to_string())?;
    let started = std::time::Instant::now();
    let count = crate::delivery::reindex(&mut conn, 1000, |done| {
        if done % 50_000 == 0 {
            eprintln!(
                "{done} articles indexed ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
    })
    .map_err(|e| e.to_string())?;
    let keys = crate::db::queries::search_keys::fill(&mut conn, true).map_err(|e| e.to_string())?;
    bootstrap::record_search_index(&mut conn).map_err(|e| e.to_string())?;
    println!(
        "indexed {count} articles and the names of {keys} records in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
