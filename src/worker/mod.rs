//! The background worker each node runs: due jobs (scheduled publishing, embargo lifts, WebSub
//! pings) and webhook deliveries, claimed from the database so that any number of nodes can
//! run it and each item is done by one of them; and what follows the change log ([`log`]):
//! this node's cache, the edge purges, the log's compaction.

mod log;

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::api::article::UrlBuilder;
use crate::config::WorkerSettings;
use crate::db::claim;
use crate::db::queries::jobs::{self, Job, JobKind};
use crate::db::queries::webhooks::{self, Delivery, Webhook};
use crate::db::{self, utc_now, DbError, DbPool};
use crate::editorial::events::WebSub;
use crate::editorial::pipeline::Pipeline;
use crate::editorial::{articles, EditError};

/// Beyond the receiver's timeout, for recording an item's result.
const RECORDING_MARGIN: Duration = Duration::from_secs(2);
/// Items claimed per round.
const BATCH: i64 = 20;
/// Longest wait between two attempts of one delivery or job.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);
/// How long a create's `Idempotency-Key` is remembered, and how often old ones are dropped.
const IDEMPOTENCY_WINDOW: Duration = Duration::from_secs(24 * 3600);
const CLEANUP_EVERY: Duration = Duration::from_secs(3600);

pub struct Worker {
    pub pool: DbPool,
    /// The scheduler's changes (scheduled publishes, embargoes lifted) run through it, as an
    /// editor's do.
    pub pipeline: Pipeline,
    pub urls: UrlBuilder,
    pub websub: Option<WebSub>,
    /// This node's reader of the change log (its cache follows it).
    pub tail: std::sync::Arc<crate::reads::log_tail::LogTail>,
    pub settings: WorkerSettings,
    /// Names this node in `jobs.done_by`.
    pub node: String,
    /// For the WebSub hub, which the operator configured.
    http: reqwest::Client,
    /// For webhook receivers, which admins subscribe: public addresses only, unless allowed.
    webhooks: crate::outbound::WebhookClient,
    /// A draining node finishes its round and claims nothing more.
    lifecycle: std::sync::Arc<crate::lifecycle::Lifecycle>,
    /// The edge cache of `KHABAR_PURGE_URL`, if any.
    purger: crate::purge::EdgePurger,
    /// What this node sends from the change log, and its backoff for each.
    consumers: log::Consumers,
    /// Superseded change-log entries older than this are compacted away.
    log_retention: chrono::Duration,
}

/// Signs a webhook body: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. The
/// timestamp is signed with the body, so a receiver can refuse old or replayed deliveries.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={timestamp},v1={hex}")
}

/// The strings of a JSON array in a job's payload (none if it is not one).
fn strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

impl Worker {
    /// Every item of a round is bounded by this (the send, then recording its result), and the
    /// items of a round run at once: a round never outlasts its lease, whatever receivers do.
    fn item_deadline(&self) -> Duration {
        self.settings.webhook_timeout + RECORDING_MARGIN
    }

    /// How long a claimed item stays with its node before another may take it over: four
    /// rounds, so only a node that stopped (or lost the database) loses a lease.
    fn lease(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.item_deadline() * 4).unwrap_or(chrono::Duration::minutes(5))
    }

    pub fn new(
        pool: DbPool,
        pipeline: Pipeline,
        tail: std::sync::Arc<crate::reads::log_tail::LogTail>,
        settings: WorkerSettings,
        lifecycle: std::sync::Arc<crate::lifecycle::Lifecycle>,
    ) -> Self {
        let timeout = settings.webhook_timeout;
        let log_retention = chrono::Duration::days(i64::from(settings.change_log_days));
        let purger = crate::purge::EdgePurger::new(
            settings.purge_targets.clone(),
            settings.purge_token.clone(),
            timeout,
        );
        Worker {
            lifecycle,
            webhooks: crate::outbound::WebhookClient::new(timeout, settings.allow_private_webhooks),
            pool,
            urls: pipeline.template().urls.clone(),
            websub: pipeline.template().websub.clone(),
            pipeline,
            tail,
            settings,
            node: format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()),
            http: crate::outbound::client_builder(timeout)
                .build()
                .expect("an HTTP client with default TLS roots"),
            purger,
            log_retention,
            consumers: Default::default(),
        }
    }

    /// Runs until the node drains (after the round in progress) or the task is dropped.
    pub async fn run(self) {
        let interval = Duration::from_millis(self.settings.interval_ms);
        let mut last_cleanup: Option<std::time::Instant> = None;
        while !self.lifecycle.is_draining() {
            if last_cleanup.is_none_or(|at| at.elapsed() >= CLEANUP_EVERY) {
                last_cleanup = Some(std::time::Instant::now());
                let cutoff = utc_now() - chrono::Duration::from_std(IDEMPOTENCY_WINDOW).unwrap_or_default();
                if let Err(error) = db::run(&self.pool, move |conn| {
                    crate::db::queries::idempotency::expire(conn, cutoff)
                })
                .await
                {
                    tracing::warn!(%error, "could not drop old idempotency keys");
                }
                self.compact_log().await;
            }
            let worked = self.round().await;
            if !worked {
                tokio::select! {
                    _ = tokio::time::sleep(self.next_wait(interval)) => {}
                    _ = self.lifecycle.work_arrived() => {}
                    _ = self.lifecycle.drain_started() => {}
                }
            }
        }
        tracing::info!("worker stopped: the node is draining");
    }

    /// One pass over due jobs and deliveries; `true` when it did something (look again soon).
    async fn round(&self) -> bool {
        let followed = self.follow_log().await;
        let jobs_done = match self.run_jobs().await {
            Ok(n) => n,
            Err(error) => {
                tracing::warn!(%error, "job round failed");
                0
            }
        };
        let delivered = match self.run_deliveries().await {
            Ok(n) => n,
            Err(error) => {
                tracing::warn!(%error, "webhook round failed");
                0
            }
        };
        followed || jobs_done + delivered > 0
    }

    fn backoff(&self, attempts: i32) -> chrono::Duration {
        let exponent = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(20);
        let wait = Duration::from_millis(self.settings.webhook_retry_base_ms.saturating_mul(1 << exponent))
            .min(MAX_BACKOFF);
        chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1))
    }

    async fn run_jobs(&self) -> Result<usize, DbError> {
        let now = utc_now();
        let lease = now + self.lease();
        let node = self.node.clone();
        let claimed: Vec<Job> = db::run(&self.pool, move |conn| {
            claim::due_jobs(conn, &node, now, lease, BATCH)
        })
        .await?;
        let count = claimed.len();
        let runs = claimed.into_iter().map(|job| {
            let id = job.id;
            async move {
                let run = async {
                    match JobKind::parse(&job.kind) {
                        Some(JobKind::PublishScheduled) | Some(JobKind::LiftEmbargo) => {
                            self.content_job(job).await
                        }
                        Some(JobKind::WebSubPing) => self.websub_job(job).await,
                        Some(JobKind::EdgePurge) => self.purge_job(job).await,
                        None => {
                            let node = self.node.clone();
                            let _ = db::run(&self.pool, move |conn| {
                                jobs::complete(conn, job.id, &node, utc_now())
                            })
                            .await;
                        }
                    }
                };
                if tokio::time::timeout(self.item_deadline(), run).await.is_err() {
                    tracing::warn!(
                        job = id,
                        "job overran its deadline; it runs again when its lease ends"
                    );
                }
            }
        });
        futures_util::future::join_all(runs).await;
        Ok(count)
    }

    /// Publishes or announces an article, and marks the job done in the same transaction.
    async fn content_job(&self, job: Job) {
        let ctx = self
            .pipeline
            .context(crate::domain::changes::Origin::system("scheduler"));
        let node = self.node.clone();
        let id = job.id;
        let pipeline = self.pipeline.clone();
        let result = db::run(&self.pool, move |conn| {
            let article_id = serde_json::from_str::<serde_json::Value>(&job.payload)
                .ok()
                .and_then(|p| p["article_id"].as_i64())
                .ok_or_else(|| {
                    EditError::Database(DbError::Corrupt(format!("job {} has no article_id", job.id)))
                })?;
            pipeline.run(conn, &ctx, |conn, ctx| {
                if !jobs::complete(conn, job.id, &node, ctx.now)? {
                    return Ok(false);
                }
                match JobKind::parse(&job.kind) {
                    Some(JobKind::PublishScheduled) => articles::publish_due(conn, ctx, article_id),
                    _ => articles::lift_embargo(conn, ctx, article_id),
                }
            })?;
            Ok::<_, EditError>(())
        })
        .await;
        match result {
            Ok(()) => {}
            Err(error) => {
                tracing::warn!(job = id, %error, "job failed; retrying later");
                let at = utc_now() + self.backoff(1);
                let message = crate::chain::error_chain(&error);
                let node = self.node.clone();
                let _ = db::run(&self.pool, move |conn| {
                    jobs::retry_later(conn, id, &node, &message, at)
                })
                .await;
            }
        }
    }

    async fn websub_job(&self, job: Job) {
        let payload: serde_json::Value = serde_json::from_str(&job.payload).unwrap_or_default();
        let hub = payload["hub"].as_str().unwrap_or_default().to_owned();
        let feeds = strings(&payload["feeds"]);
        let mut form: Vec<(&str, &str)> = vec![("hub.mode", "publish")];
        form.extend(feeds.iter().map(|f| ("hub.url", f.as_str())));
        let outcome = match self.http.post(&hub).form(&form).send().await {
            Ok(response) if response.status().is_success() => Ok(()),
            Ok(response) => Err(format!("the hub answered {}", response.status())),
            Err(error) => Err(error.to_string()),
        };
        self.record(&job, outcome).await;
    }

    /// Purges the keys a change named at the edge, for a purge queued before purges followed
    /// the change log (an upgrade's leftovers); retried like a WebSub ping. A node without
    /// an edge configured completes it (the node that wrote it had one; another may not).
    async fn purge_job(&self, job: Job) {
        let payload: serde_json::Value = serde_json::from_str(&job.payload).unwrap_or_default();
        let keys = strings(&payload["keys"]);
        let outcome = if keys.is_empty() || !self.purger.is_configured() {
            Ok(())
        } else {
            self.purger.purge(&keys, payload["request_id"].as_str()).await
        };
        if let Err(error) = &outcome {
            tracing::warn!(job = job.id, %error, "edge purge failed; it will be retried");
        }
        self.record(&job, outcome).await;
    }

    /// Records how an outbound job went: done, or tried again later with backoff until the
    /// attempts run out.
    async fn record(&self, job: &Job, outcome: Result<(), String>) {
        let (id, attempts, node) = (job.id, job.attempts, self.node.clone());
        let give_up = u32::try_from(attempts).unwrap_or(u32::MAX) >= self.settings.webhook_max_attempts;
        let retry_at = utc_now() + self.backoff(attempts);
        let _ = db::run(&self.pool, move |conn| match outcome {
            Ok(()) => jobs::complete(conn, id, &node, utc_now()).map(drop),
            Err(error) if give_up => jobs::give_up(conn, id, &node, &error, utc_now()),
            Err(error) => jobs::retry_later(conn, id, &node, &error, retry_at),
        })
        .await;
    }

    async fn run_deliveries(&self) -> Result<usize, DbError> {
        let now = utc_now();
        let lease = now + self.lease();
        let node = self.node.clone();
        let claimed: Vec<Delivery> = db::run(&self.pool, move |conn| {
            claim::due_deliveries(conn, &node, now, lease, BATCH)
        })
        .await?;
        let count = claimed.len();
        if count == 0 {
            return Ok(0);
        }
        // The subscriptions once per round, not once per delivery. A delivery whose subscription
        // was deleted meanwhile is gone with it (ON DELETE CASCADE).
        let hooks: std::collections::HashMap<i64, Webhook> = db::run(&self.pool, webhooks::all)
            .await?
            .into_iter()
            .map(|hook| (hook.id, hook))
            .collect();
        let sends = claimed.into_iter().filter_map(|delivery| {
            let hook = hooks.get(&delivery.webhook_id)?;
            let id = delivery.id;
            Some(async move {
                match tokio::time::timeout(self.item_deadline(), self.deliver(hook, delivery)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(error)) => {
                        tracing::warn!(delivery = id, %error, "could not record a delivery attempt")
                    }
                    Err(_) => tracing::warn!(
                        delivery = id,
                        "delivery overran its deadline; it is retried when its lease ends"
                    ),
                }
            })
        });
        futures_util::future::join_all(sends).await;
        Ok(count)
    }

    async fn deliver(&self, hook: &Webhook, delivery: Delivery) -> Result<(), DbError> {
        let mut payload: serde_json::Value = serde_json::from_str(&delivery.payload).unwrap_or_default();
        payload["delivery_id"] = serde_json::json!(delivery.id);
        let body = payload.to_string();
        let timestamp = chrono::Utc::now().timestamp();
        let outcome = match self.webhooks.post(&hook.url) {
            Err(refused) => Err((None, refused)),
            Ok(request) => {
                let result = request
                    .header("Content-Type", "application/json")
                    .header("Khabar-Event", &delivery.event)
                    .header("Khabar-Delivery", delivery.id.to_string())
                    .header("X-Request-Id", payload["request_id"].as_str().unwrap_or_default())
                    .header(
                        "Khabar-Signature",
                        signature(&hook.secret, timestamp, body.as_bytes()),
                    )
                    .body(body)
                    .send()
                    .await;
                match result {
                    Ok(response) if response.status().is_success() => {
                        Ok(i32::from(response.status().as_u16()))
                    }
                    Ok(response) => Err((
                        Some(i32::from(response.status().as_u16())),
                        format!("the receiver answered {}", response.status()),
                    )),
                    Err(error) => Err((None, crate::chain::error_chain(&error))),
                }
            }
        };
        let give_up =
            u32::try_from(delivery.attempts).unwrap_or(u32::MAX) >= self.settings.webhook_max_attempts;
        let retry_at = utc_now() + self.backoff(delivery.attempts);
        let (id, node) = (delivery.id, self.node.clone());
        let recorded = db::run(&self.pool, move |conn| match outcome {
            Ok(status) => webhooks::mark_delivered(conn, id, &node, status, utc_now()),
            Err((status, error)) => {
                webhooks::mark_failed(conn, id, &node, status, &error, (!give_up).then_some(retry_at))
            }
        })
        .await?;
        if !recorded {
            tracing::warn!(
                delivery = id,
                "the lease on this delivery ended before its result was recorded"
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_timestamp_and_body() {
        let a = signature("secret", 1_700_000_000, b"{}");
        assert!(a.starts_with("t=1700000000,v1="));
        assert_eq!(a.len(), "t=1700000000,v1=".len() + 64);
        assert_ne!(a, signature("secret", 1_700_000_001, b"{}"));
        assert_ne!(a, signature("secret", 1_700_000_000, b"{ }"));
        assert_ne!(a, signature("other", 1_700_000_000, b"{}"));
    }
}
