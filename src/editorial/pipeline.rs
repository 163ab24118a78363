//! The one way content changes. Every change (an editor's request, the scheduler's publish, an
//! import over the API or from the command line, the demo and generated sets) runs through a
//! [`Pipeline`]: it builds the edit's context once, opens the write transaction, runs the edit
//! (which checks, writes through the store and appends its change-log entries in that
//! transaction), commits, and then applies this node's own effects: no replica may answer this
//! node's reads from before the change, and this node's reader of the change log follows it at
//! once (its cache drops what the change made stale, its streams are woken). Everything else
//! downstream (other nodes, edge purges, webhooks, WebSub) follows the log by itself.

use std::sync::Arc;

use crate::api::article::UrlBuilder;
use crate::db::claim::write_transaction;
use crate::db::replicas::ReadRouting;
use crate::db::DbConnection;
use crate::domain::changes::Origin;
use crate::reads::log_tail::LogTail;

use super::events::WebSub;
use super::{EditContext, EditError};

/// What every edit's context holds besides who makes it and when.
#[derive(Clone)]
pub struct Template {
    pub urls: UrlBuilder,
    pub websub: Option<WebSub>,
    pub allow_private_webhooks: bool,
    pub featured_image_min_width: u32,
    pub images: Option<crate::images::ImageLinks>,
}

/// This node's followers of its own changes: a serving node has them, a command-line run
/// (whose changes the serving nodes read from the log) has none.
#[derive(Clone)]
pub struct Followers {
    pub routing: Arc<ReadRouting>,
    pub tail: Arc<LogTail>,
}

#[derive(Clone)]
pub struct Pipeline {
    template: Template,
    followers: Option<Followers>,
}

impl Pipeline {
    pub fn new(template: Template, followers: Option<Followers>) -> Pipeline {
        Pipeline { template, followers }
    }

    /// What every edit's context holds (the worker's WebSub hub and URLs are these too).
    pub fn template(&self) -> &Template {
        &self.template
    }

    /// The context of an edit made now by `origin`.
    pub fn context(&self, origin: Origin) -> EditContext {
        let Template {
            urls,
            websub,
            allow_private_webhooks,
            featured_image_min_width,
            images,
        } = self.template.clone();
        EditContext {
            urls,
            now: crate::db::utc_now(),
            websub,
            allow_private_webhooks,
            featured_image_min_width,
            images,
            origin,
        }
    }

    /// Runs one change in one write transaction; once it is committed, this node follows it.
    pub fn run<T>(
        &self,
        conn: &mut DbConnection,
        ctx: &EditContext,
        edit: impl FnOnce(&mut DbConnection, &EditContext) -> Result<T, EditError>,
    ) -> Result<T, EditError> {
        let value = write_transaction(conn, |conn| edit(conn, ctx))?;
        self.after_commit(conn);
        Ok(value)
    }

    /// Runs a change too large for one transaction (an import: a list of batches, each batch
    /// committed as one write transaction by the import itself); once it returns, this node
    /// follows what was committed, whether it succeeded or not.
    pub fn run_batches<T, E>(
        &self,
        conn: &mut DbConnection,
        ctx: &EditContext,
        edit: impl FnOnce(&mut DbConnection, &EditContext) -> Result<T, E>,
    ) -> Result<T, E> {
        let result = edit(conn, ctx);
        self.after_commit(conn);
        result
    }

    /// Read-your-writes on this node: no replica that has not replayed the change answers its
    /// reads, and its cache and streams follow the log past the change before the answer
    /// leaves, so the writer's next read sees it. Should reading the log fail, the worker's
    /// next round (or the next wake-up) reads it.
    fn after_commit(&self, conn: &mut DbConnection) {
        let Some(followers) = &self.followers else {
            return;
        };
        followers.routing.fence_after_commit(conn);
        if let Err(error) = followers.tail.catch_up(conn) {
            tracing::warn!(%error, "could not read the change log after a change; the worker will");
        }
    }
}
