//! Workflow moves, the jobs that publish on schedule and lift embargoes, and corrections.

use super::*;

pub fn transition(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    public_id: &str,
    expected_version: i32,
    request: &TransitionRequest,
) -> Result<EditableArticle, EditError> {
    write_transaction(conn, |conn| {
        let article = load(conn, public_id)?;
        require_view(actor, &article)?;
        let from = article.status;
        let needed = rules::transition(from, request.to).map_err(EditError::Transition)?;
        match needed {
            Permission::EditOwnDraft => require_view(actor, &article)?,
            other => actor.require(other, &format!("move an article to {}", request.to))?,
        }
        check_version(&article, expected_version)?;
        let scheduled_at = match (request.to, request.scheduled_at) {
            (ArticleStatus::Scheduled, None) => {
                return Err(EditError::invalid(
                    "/scheduled_at",
                    crate::domain::validation::FieldCode::Required,
                    "required to schedule an article",
                ))
            }
            (ArticleStatus::Scheduled, Some(at)) if at.naive_utc() <= ctx.now => {
                return Err(EditError::invalid(
                    "/scheduled_at",
                    crate::domain::validation::FieldCode::OutOfRange,
                    "must be in the future",
                ))
            }
            (ArticleStatus::Scheduled, Some(at)) => Some(crate::db::truncate(at.naive_utc())),
            (_, Some(_)) => {
                return Err(EditError::invalid(
                    "/scheduled_at",
                    crate::domain::validation::FieldCode::Inconsistent,
                    "only for to: scheduled",
                ))
            }
            (_, None) => None,
        };
        if matches!(request.to, ArticleStatus::Published | ArticleStatus::Scheduled) {
            let input = store::document(conn, &article)?;
            let resolved = store::resolve(conn, &input, Some(article.id))?.map_err(EditError::Invalid)?;
            publishable(&input, &resolved)?;
        }
        move_to(
            conn,
            &article,
            &status_change(&article, request.to, scheduled_at, ctx.now),
            ctx.now,
        )?;
        if let Some(at) = scheduled_at {
            jobs::enqueue(
                conn,
                JobKind::PublishScheduled,
                &json!({"article_id": article.id}),
                at,
                ctx.now,
            )?;
        }
        let Saved { article, fields } = saved(
            conn,
            ctx,
            actor.audit_ref(),
            article.id,
            &format!("transition:{}", request.to),
        )?;
        republish(conn, ctx, &article)?;
        editable_with(conn, ctx, actor, &article, fields)
    })
}

fn status_change(
    article: &Article,
    to: ArticleStatus,
    scheduled_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> StatusChange {
    let published_at = match to {
        // Back from unpublished, an article keeps its original publication time.
        ArticleStatus::Published => Some(
            article
                .published_at
                .filter(|_| article.first_published_at.is_some())
                .unwrap_or(now),
        ),
        _ => article.published_at,
    };
    StatusChange {
        status: to,
        first_published_at: article
            .first_published_at
            .or((to == ArticleStatus::Published).then_some(now)),
        published_at,
        scheduled_at,
    }
}

/// Publishes a scheduled article whose time has come (the job's work); `false` when it was
/// unscheduled or rescheduled meanwhile.
pub fn publish_due(conn: &mut DbConnection, ctx: &EditContext, article_id: i64) -> Result<bool, EditError> {
    write_transaction(conn, |conn| {
        let Some(article) = store::find_by_id(conn, article_id)? else {
            return Ok(false);
        };
        let due = article.status == ArticleStatus::Scheduled
            && article.scheduled_at.is_some_and(|at| at <= ctx.now);
        if !due {
            return Ok(false);
        }
        let mut change = status_change(&article, ArticleStatus::Published, None, ctx.now);
        change.published_at = article.scheduled_at.or(change.published_at);
        move_to(conn, &article, &change, ctx.now)?;
        let system = ActorRef {
            user_id: None,
            email: None,
        };
        let article = saved(conn, ctx, system, article.id, "transition:published:scheduled")?.article;
        republish(conn, ctx, &article)?;
        Ok(true)
    })
}

/// Announces an article whose embargo has lifted (the job's work).
pub fn lift_embargo(conn: &mut DbConnection, ctx: &EditContext, article_id: i64) -> Result<bool, EditError> {
    write_transaction(conn, |conn| {
        let Some(article) = store::find_by_id(conn, article_id)? else {
            return Ok(false);
        };
        let lifted = Visibility::from(&article).is_public(ctx.now)
            && article.embargo_until.is_some_and(|e| e <= ctx.now);
        if !lifted {
            return Ok(false);
        }
        let affected = delivery::affected_by(conn, Changed::Article(article.id))?;
        crate::editorial::events::republish(conn, ctx, &affected)?;
        Ok(true)
    })
}

pub fn correct(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    public_id: &str,
    expected_version: i32,
    request: &CorrectionRequest,
) -> Result<EditableArticle, EditError> {
    actor.require(Permission::Publish, "correct articles")?;
    let note = request.note.trim();
    if note.is_empty() {
        return Err(EditError::Invalid(vec![
            crate::domain::validation::FieldError::required("/note"),
        ]));
    }
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(EditError::Invalid(vec![
            crate::domain::validation::FieldError::too_long("/note", MAX_NOTE_CHARS),
        ]));
    }
    let corrected_at = request
        .corrected_at
        .map_or(ctx.now, |t| crate::db::truncate(t.naive_utc()));
    if corrected_at > ctx.now {
        return Err(EditError::invalid(
            "/corrected_at",
            crate::domain::validation::FieldCode::OutOfRange,
            "must not be in the future",
        ));
    }
    write_transaction(conn, |conn| {
        let article = load(conn, public_id)?;
        if article.status != ArticleStatus::Published {
            return Err(EditError::Conflict {
                detail: format!(
                    "corrections are appended to published articles; this one is {}",
                    article.status
                ),
                errors: vec![],
            });
        }
        check_version(&article, expected_version)?;
        bump(conn, &article, ctx.now)?;
        store::add_correction(conn, article.id, corrected_at, note, ctx.now)?;
        let Saved { article, fields } = saved(conn, ctx, actor.audit_ref(), article.id, "correction")?;
        republish(conn, ctx, &article)?;
        editable_with(conn, ctx, actor, &article, fields)
    })
}
