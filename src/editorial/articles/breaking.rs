//! Breaking news on any article: editors flag it until a time, or take the flag away. The
//! article is recompiled, so the change reaches the change log (an `updated` entry), lists,
//! feeds, the edge and every stream like any other change to it.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::load;
use crate::api::utc;
use crate::db::queries::{audit, breaking};
use crate::db::DbConnection;
use crate::domain::live::BreakingInput;
use crate::domain::permissions::Permission;
use crate::editorial::{from_json, Actor, EditContext, EditError};

/// Flags the article as breaking news until the input's time; returns that time.
pub fn set(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    article_id: &str,
    payload: serde_json::Value,
) -> Result<DateTime<Utc>, EditError> {
    actor.require(Permission::EditAnyArticle, "flag breaking news")?;
    let article = load(conn, article_id)?;
    let input = from_json::<BreakingInput>(payload)?
        .checked(utc(ctx.now))
        .map_err(EditError::Invalid)?;
    breaking::set(conn, article.id, input.until.naive_utc(), ctx.now)?;
    audit::record(
        conn,
        actor.audit_ref(),
        "article.breaking",
        "article",
        &article.public_id,
        &json!({"until": input.until}),
        ctx.now,
    )?;
    crate::editorial::events::republish(conn, ctx, &[article.id])?;
    Ok(input.until)
}

/// Takes the breaking flag away (nothing to do when there is none).
pub fn clear(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    article_id: &str,
) -> Result<(), EditError> {
    actor.require(Permission::EditAnyArticle, "flag breaking news")?;
    let article = load(conn, article_id)?;
    if breaking::clear(conn, article.id)? {
        audit::record(
            conn,
            actor.audit_ref(),
            "article.breaking.clear",
            "article",
            &article.public_id,
            &json!({}),
            ctx.now,
        )?;
        crate::editorial::events::republish(conn, ctx, &[article.id])?;
    }
    Ok(())
}
