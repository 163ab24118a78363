//! The public form of an article before it is public, and preview links for partners.

use super::*;

/// The article exactly as the public representation would show it, published or not.
pub fn preview(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    public_id: &str,
) -> Result<ArticleView, EditError> {
    let article = load(conn, public_id)?;
    require_view(actor, &article)?;
    render(conn, ctx, article)
}

fn render(conn: &mut DbConnection, ctx: &EditContext, article: Article) -> Result<ArticleView, EditError> {
    let record = article_read::load_record(conn, article, ctx.now)?;
    Ok(ArticleView::build(record, &ctx.urls))
}

/// Starts a preview link; returns the article's public id for the token.
pub fn create_preview_link(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    public_id: &str,
    link_id: &str,
    expires_at: NaiveDateTime,
) -> Result<(), EditError> {
    write_transaction(conn, |conn| {
        let article = load(conn, public_id)?;
        require_view(actor, &article)?;
        preview_links::create(conn, link_id, article.id, actor.user_id, ctx.now, expires_at)?;
        audit::record(
            conn,
            actor.audit_ref(),
            "preview_link.create",
            "article",
            public_id,
            &json!({"link": link_id}),
            ctx.now,
        )?;
        Ok(())
    })
}

pub fn revoke_preview_link(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    link_id: &str,
) -> Result<(), EditError> {
    write_transaction(conn, |conn| {
        let missing = || EditError::NotFound(format!("no preview link has the id '{link_id}'"));
        let article_id = preview_links::article_of(conn, link_id)?.ok_or_else(missing)?;
        let article = reload(conn, article_id)?;
        // Another writer's link is as missing as one that never existed.
        require_view(actor, &article).map_err(|_| missing())?;
        preview_links::revoke(conn, link_id, ctx.now)?;
        audit::record(
            conn,
            actor.audit_ref(),
            "preview_link.revoke",
            "article",
            &article.public_id,
            &json!({"link": link_id}),
            ctx.now,
        )?;
        Ok(())
    })
}

/// What a live preview link shows; `None` when it was revoked or has expired.
pub fn preview_by_link(
    conn: &mut DbConnection,
    ctx: &EditContext,
    link_id: &str,
    public_id: &str,
) -> Result<Option<ArticleView>, EditError> {
    let Some(article_id) = preview_links::live_article(conn, link_id, ctx.now)? else {
        return Ok(None);
    };
    let article = reload(conn, article_id)?;
    if article.public_id != public_id {
        return Ok(None);
    }
    render(conn, ctx, article).map(Some)
}
