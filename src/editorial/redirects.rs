//! Redirects editors manage by hand (renames and imports add their own): an old path of the
//! website, and the article, topic, contributor or URL it leads to.

use crate::domain::changes::LogKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::api::utc;
use crate::db::claim::write_transaction;
use crate::db::queries::redirects::{self, Current, NewRedirect, RedirectRow, Target};
use crate::db::queries::{audit, catalog, editorial as articles};
use crate::db::DbConnection;
use crate::domain::kinds::RedirectSource;
use crate::domain::permissions::Permission;
use crate::domain::site_path::{Shows, SitePath};
use crate::domain::validation::{Checks, FieldCode, FieldError};

use super::{Actor, EditContext, EditError};

pub use crate::domain::redirect::RedirectTo;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"from": "/2020/07/03/sarraj-akar/", "to": {"article": "0190f3c2-7d1e-7c4a-9b1e-3f0c2a6d8e11"}, "status": 301}))]
pub struct RedirectRequest {
    /// The old path of the website (percent-encoded or not; a full URL's path is taken).
    #[schema(min_length = 1, max_length = 2000)]
    pub from: String,
    pub to: RedirectTo,
    /// 301 (the default) or 308 for permanent moves, 302 or 307 for temporary ones.
    #[serde(default)]
    pub status: Option<u16>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RedirectView {
    pub id: i64,
    /// The path in normal form: percent-decoded, without a trailing slash.
    pub from: String,
    pub to: RedirectTo,
    pub status: u16,
    pub source: RedirectSource,
    /// Where the redirect leads now (absolute); absent when its target is gone or not public.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A redirect as answered: its target named as a client names it, and where it leads now.
pub fn view(
    conn: &mut DbConnection,
    ctx: &EditContext,
    row: &RedirectRow,
) -> Result<RedirectView, EditError> {
    let current = redirects::current(conn, &row.target()?)?;
    let (to, location) = match current {
        Some(Current::Article {
            public_id,
            language,
            slug,
            ..
        }) => (
            RedirectTo {
                article: Some(public_id),
                ..RedirectTo::default()
            },
            Some(ctx.urls.article(&language, &slug)),
        ),
        Some(Current::Topic(slug)) => (
            RedirectTo {
                topic: Some(slug.clone()),
                ..RedirectTo::default()
            },
            Some(ctx.urls.absolute(SitePath::of_topic(&slug).as_str())),
        ),
        Some(Current::Contributor(slug)) => (
            RedirectTo {
                contributor: Some(slug.clone()),
                ..RedirectTo::default()
            },
            Some(ctx.urls.absolute(SitePath::of_contributor(&slug).as_str())),
        ),
        Some(Current::Url(url)) => {
            let location = if url.starts_with('/') {
                ctx.urls.absolute(&url)
            } else {
                url.clone()
            };
            (
                RedirectTo {
                    url: Some(url),
                    ..RedirectTo::default()
                },
                Some(location),
            )
        }
        None => (RedirectTo::default(), None),
    };
    Ok(RedirectView {
        id: row.id,
        from: row.from_path.clone(),
        to,
        status: u16::try_from(row.status).unwrap_or(301),
        source: row.source,
        location,
        created_at: utc(row.created_at),
    })
}

/// The target a request names, checked against what exists.
fn target(conn: &mut DbConnection, to: &RedirectTo, from: Option<&SitePath>) -> Result<Target, EditError> {
    let invalid = |field: &str, message: String| EditError::invalid(field, FieldCode::Inconsistent, message);
    let named = [&to.article, &to.topic, &to.contributor, &to.url]
        .iter()
        .filter(|t| t.is_some())
        .count();
    if named != 1 {
        return Err(invalid(
            "/to",
            "name exactly one of article, topic, contributor or url".into(),
        ));
    }
    if let Some(id) = &to.article {
        let article = articles::find(conn, id)?
            .ok_or_else(|| invalid("/to/article", format!("no article has the id '{id}'")))?;
        return Ok(Target::Article(article.id));
    }
    if let Some(slug) = &to.topic {
        let topic = catalog::topic_by_slug(conn, slug)?
            .ok_or_else(|| invalid("/to/topic", format!("no topic has the slug '{slug}'")))?;
        return Ok(Target::Topic(topic.id));
    }
    if let Some(slug) = &to.contributor {
        let contributor = catalog::contributor_by_slug(conn, slug)?
            .ok_or_else(|| invalid("/to/contributor", format!("no contributor has the slug '{slug}'")))?;
        return Ok(Target::Contributor(contributor.id));
    }
    let url = to.url.as_deref().unwrap_or_default().trim();
    if url.starts_with('/') {
        let path = SitePath::parse(url).map_err(|e| invalid("/to/url", e.to_string()))?;
        if Some(&path) == from {
            return Err(invalid("/to/url", "leads back to the path it leaves".into()));
        }
        return Ok(Target::Url(path.as_str().to_owned()));
    }
    let mut checks = Checks::default();
    checks.web_url("/to/url", Some(url));
    checks.finish().map_err(EditError::Invalid)?;
    Ok(Target::Url(url.to_owned()))
}

/// Whether the path shows something in Khabar's layout now: a redirect from it would never be
/// followed.
fn shown(conn: &mut DbConnection, path: &SitePath) -> Result<Option<String>, EditError> {
    Ok(match path.shows() {
        Shows::Article { language, slug } => {
            articles::find_by_slug(conn, &language, &slug)?.map(|a| format!("the article '{}'", a.public_id))
        }
        Shows::Topic(slug) => catalog::topic_by_slug(conn, &slug)?.map(|_| format!("the topic '{slug}'")),
        Shows::Contributor(slug) => {
            catalog::contributor_by_slug(conn, &slug)?.map(|_| format!("the contributor '{slug}'"))
        }
        Shows::Other => None,
    })
}

pub fn create(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    request: RedirectRequest,
) -> Result<RedirectView, EditError> {
    actor.require(Permission::ManageCatalog, "manage redirects")?;
    let from = SitePath::parse(&request.from).map_err(|e| {
        EditError::Invalid(vec![FieldError::coded("/from", FieldCode::Format, e.to_string())])
    })?;
    let status = request.status.unwrap_or(301);
    if ![301, 302, 307, 308].contains(&status) {
        return Err(EditError::Invalid(vec![FieldError::coded(
            "/status",
            FieldCode::WrongType,
            "one of 301, 308 (permanent), 302, 307 (temporary)",
        )]));
    }
    write_transaction(conn, |conn| {
        if let Some(what) = shown(conn, &from)? {
            return Err(EditError::Conflict {
                detail: format!("the path {from} shows {what}; a redirect from it would never be followed"),
                errors: vec![FieldError::coded(
                    "/from",
                    FieldCode::Taken,
                    format!("shows {what}"),
                )],
            });
        }
        if redirects::find(conn, from.as_str())?.is_some() {
            return Err(EditError::Conflict {
                detail: format!("a redirect from {from} exists; delete it first"),
                errors: vec![FieldError::coded("/from", FieldCode::Taken, "already redirected")],
            });
        }
        let target = target(conn, &request.to, Some(&from))?;
        let id = redirects::insert(
            conn,
            &NewRedirect {
                from_path: from.as_str(),
                target: &target,
                status: i32::from(status),
                source: RedirectSource::Manual,
                created_at: ctx.now,
            },
        )?;
        audit::record(
            conn,
            actor.audit_ref(),
            "redirect.create",
            "redirect",
            &id.to_string(),
            &json!({"from": from.as_str(), "to": &request.to, "status": status}),
            ctx.now,
        )?;
        // Cached resolutions of the path (a 404 until now, or nothing) must go.
        crate::delivery::log_catalog_change(conn, LogKind::Redirect, from.as_str(), &ctx.origin)?;
        let row = redirects::by_id(conn, id)?
            .ok_or_else(|| crate::db::DbError::Corrupt(format!("redirect {id} vanished")))?;
        view(conn, ctx, &row)
    })
}

/// A page of redirects in id order after `after`.
pub fn list(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    after: i64,
    limit: i64,
) -> Result<Vec<RedirectView>, EditError> {
    actor.require(Permission::ManageCatalog, "manage redirects")?;
    redirects::page(conn, after, limit)?
        .iter()
        .map(|row| view(conn, ctx, row))
        .collect()
}

pub fn delete(conn: &mut DbConnection, ctx: &EditContext, actor: &Actor, id: i64) -> Result<(), EditError> {
    actor.require(Permission::ManageCatalog, "manage redirects")?;
    write_transaction(conn, |conn| {
        let row = redirects::by_id(conn, id)?
            .ok_or_else(|| EditError::NotFound(format!("no redirect has the id {id}")))?;
        redirects::delete(conn, id)?;
        audit::record(
            conn,
            actor.audit_ref(),
            "redirect.delete",
            "redirect",
            &id.to_string(),
            &json!({"from": row.from_path}),
            ctx.now,
        )?;
        crate::delivery::log_catalog_change(conn, LogKind::Redirect, &row.from_path, &ctx.origin)?;
        Ok(())
    })
}
