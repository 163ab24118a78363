//! What the worker does with the change log: follows it into this node's cache (catching up
//! whatever a wake-up did not bring: a SQLite node's CLI import, a lost notification), queues
//! the webhook deliveries it makes, sends what the outside world hears of changes (edge
//! purges, WebSub pings), and compacts it.
//!
//! Each outside consumer has one mark for all nodes (`log_marks`), taken under a lease by one
//! worker at a time: it reads the entries after its mark, sends what they call for, and moves
//! its mark past them only once that was accepted. A failure leaves the mark where it was; the
//! same entries are sent again after a backoff that doubles up to [`MAX_RETRY`].

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::Worker;
use crate::db::claim::write_transaction;
use crate::db::queries::change_log::{self, Entry};
use crate::db::{self, utc_now, DbError};
use crate::domain::changes::{LogKind, ALL_KEY};

/// Entries one send covers.
const BATCH: i64 = 500;
/// The mark of the webhook deliveries queued from the log.
const WEBHOOKS: &str = "webhooks";
/// The longest wait between two tries of a failed send.
const MAX_RETRY: Duration = Duration::from_secs(300);
/// Entries looked at per compaction step.
const COMPACT_BATCH: i64 = 5_000;

/// One consumer of the log that tells the outside world, and this node's backoff for it.
pub(super) struct Consumer {
    name: &'static str,
    failures: Mutex<(u32, Option<Instant>)>,
}

impl Consumer {
    const fn new(name: &'static str) -> Consumer {
        Consumer {
            name,
            failures: Mutex::new((0, None)),
        }
    }

    fn retry_at(&self) -> Option<Instant> {
        self.failures.lock().unwrap_or_else(|p| p.into_inner()).1
    }

    fn waiting(&self) -> bool {
        self.retry_at().is_some_and(|at| Instant::now() < at)
    }

    fn record(&self, outcome: &Result<(), String>, base: Duration) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        *failures = match outcome {
            Ok(()) => (0, None),
            Err(error) => {
                let count = failures.0 + 1;
                let wait = base
                    .saturating_mul(1 << count.saturating_sub(1).min(16))
                    .min(MAX_RETRY);
                tracing::warn!(consumer = self.name, %error, retry_in_ms = wait.as_millis() as u64, "could not send what the change log called for; it will be sent again");
                (count, Some(Instant::now() + wait))
            }
        };
    }
}

/// This node's consumers: the edge's purges and the WebSub hub's pings.
pub(super) struct Consumers {
    edge_purge: Consumer,
    websub: Consumer,
}

impl Default for Consumers {
    fn default() -> Self {
        Consumers {
            edge_purge: Consumer::new("edge_purge"),
            websub: Consumer::new("websub"),
        }
    }
}

impl Worker {
    /// Follows the log into this node's cache, then sends what the outside world hears of it;
    /// `true` when something was sent (look again soon: more may be waiting).
    pub(super) async fn follow_log(&self) -> bool {
        let tail = self.tail.clone();
        if let Err(error) = db::run(&self.pool, move |conn| tail.catch_up(conn)).await {
            tracing::warn!(%error, "could not read the change log");
        }
        let mut sent = self.queue_webhooks().await;
        if self.purger.is_configured() {
            sent |= self
                .consume(&self.consumers.edge_purge, |entries| self.purge(entries))
                .await;
        }
        if self.websub.is_some() {
            sent |= self
                .consume(&self.consumers.websub, |entries| self.ping_hub(entries))
                .await;
        }
        sent
    }

    /// Queues the webhook deliveries the log's new entries make, and moves the `webhooks` mark
    /// past them, in one transaction: each entry's deliveries are queued exactly once, whichever
    /// node gets there first. `true` when there were entries (look again soon).
    async fn queue_webhooks(&self) -> bool {
        let (node, urls) = (self.node.clone(), self.urls.clone());
        let now = utc_now();
        let until = now + self.lease();
        let queued = db::run(&self.pool, move |conn| {
            write_transaction(conn, |conn| {
                // Changes before the first run were queued by the write itself (older nodes).
                let start = change_log::newest(conn)?;
                let Some(at) = change_log::lease(conn, WEBHOOKS, &node, now, until, start)? else {
                    return Ok(false);
                };
                let entries = change_log::after(conn, at, BATCH)?;
                crate::delivery::outbox::queue_events(conn, &entries, &urls, now)?;
                change_log::release(conn, WEBHOOKS, &node, entries.last().map(|e| e.seq))?;
                Ok::<_, DbError>(!entries.is_empty())
            })
        })
        .await;
        queued.unwrap_or_else(|error| {
            tracing::warn!(%error, "could not queue the webhook deliveries of the change log");
            false
        })
    }

    /// How long the worker may wait for its next round: its interval, or less when a failed
    /// send is due to be tried again before that.
    pub(super) fn next_wait(&self, interval: Duration) -> Duration {
        [&self.consumers.edge_purge, &self.consumers.websub]
            .iter()
            .filter_map(|consumer| consumer.retry_at())
            .map(|at| at.saturating_duration_since(Instant::now()))
            .fold(interval, Duration::min)
    }

    /// One round of `consumer`: lease, read after the mark, send, move the mark on success.
    async fn consume<F, Fut>(&self, consumer: &Consumer, send: F) -> bool
    where
        F: FnOnce(Vec<Entry>) -> Fut,
        Fut: std::future::Future<Output = Result<(), String>>,
    {
        if consumer.waiting() {
            return false;
        }
        let (node, name) = (self.node.clone(), consumer.name);
        let now = utc_now();
        let until = now + self.lease();
        let claimed = db::run(&self.pool, move |conn| {
            write_transaction(conn, |conn| {
                // A consumer starts at the log's end: what came before was never to be sent.
                let start = change_log::newest(conn)?;
                let Some(at) = change_log::lease(conn, name, &node, now, until, start)? else {
                    return Ok(None);
                };
                let entries = change_log::after(conn, at, BATCH)?;
                if entries.is_empty() {
                    change_log::release(conn, name, &node, None)?;
                    return Ok(None);
                }
                Ok::<_, DbError>(Some(entries))
            })
        })
        .await;
        let entries = match claimed {
            Ok(Some(entries)) => entries,
            Ok(None) => return false,
            Err(error) => {
                tracing::warn!(consumer = name, %error, "could not read the change log");
                return false;
            }
        };
        let last = entries.last().map(|e| e.seq);
        let outcome = send(entries).await;
        consumer.record(
            &outcome,
            Duration::from_millis(self.settings.webhook_retry_base_ms),
        );
        let node = self.node.clone();
        let moved_to = outcome.is_ok().then_some(last).flatten();
        if let Err(error) = db::run(&self.pool, move |conn| {
            change_log::release(conn, name, &node, moved_to)
        })
        .await
        {
            tracing::warn!(consumer = name, %error, "could not move the consumer's mark; its lease will end");
        }
        outcome.is_ok()
    }

    /// Purges the surrogate keys the entries touched.
    async fn purge(&self, entries: Vec<Entry>) -> Result<(), String> {
        let (keys, request_id) = purge_of(&entries);
        self.purger.purge(&keys, request_id.as_deref()).await
    }

    /// Tells the hub that the feeds of every language whose public set changed have news.
    async fn ping_hub(&self, entries: Vec<Entry>) -> Result<(), String> {
        let Some(websub) = &self.websub else {
            return Ok(());
        };
        let languages: BTreeSet<&str> = entries
            .iter()
            .filter(|e| matches!(e.kind(), Some(LogKind::Article(_))))
            .map(|e| e.language.as_str())
            .collect();
        if languages.is_empty() {
            return Ok(());
        }
        let feeds: Vec<String> = languages.iter().flat_map(|l| websub.feeds_for(l)).collect();
        let mut form: Vec<(&str, &str)> = vec![("hub.mode", "publish")];
        form.extend(feeds.iter().map(|f| ("hub.url", f.as_str())));
        match self.http.post(&websub.hub).form(&form).send().await {
            Ok(response) if response.status().is_success() => Ok(()),
            Ok(response) => Err(format!("the hub answered {}", response.status())),
            Err(error) => Err(error.to_string()),
        }
    }

    /// Compacts the log's superseded entries older than the retention, a step at a time.
    pub(super) async fn compact_log(&self) {
        let before = utc_now() - self.log_retention;
        loop {
            let step = db::run(&self.pool, move |conn| {
                write_transaction(conn, |conn| change_log::compact(conn, before, COMPACT_BATCH))
            })
            .await;
            match step {
                Ok(0) => return,
                Ok(looked_at) => tracing::debug!(looked_at, "change log compacted"),
                Err(error) => {
                    tracing::warn!(%error, "could not compact the change log");
                    return;
                }
            }
            if self.lifecycle.is_draining() {
                return;
            }
        }
    }
}

/// The surrogate keys a run of entries touched (just the one that empties the edge when any
/// touched everything), and the request that made them when one request made them all.
fn purge_of(entries: &[Entry]) -> (Vec<String>, Option<String>) {
    let mut keys = BTreeSet::new();
    for entry in entries {
        keys.extend(entry.keys.split_whitespace().map(str::to_owned));
    }
    let keys = if keys.contains(ALL_KEY) {
        vec![ALL_KEY.to_owned()]
    } else {
        keys.into_iter().collect()
    };
    let requests: BTreeSet<&str> = entries.iter().filter_map(|e| e.request_id.as_deref()).collect();
    let request_id = match requests.len() {
        1 => requests.into_iter().next().map(str::to_owned),
        _ => None,
    };
    (keys, request_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(keys: &str, request_id: Option<&str>) -> Entry {
        Entry {
            seq: 1,
            at: chrono::NaiveDateTime::default(),
            kind: "updated".into(),
            public_id: "a".into(),
            language: "ar".into(),
            slug: "a".into(),
            keys: keys.into(),
            actor: None,
            request_id: request_id.map(str::to_owned),
            quiet: false,
            item: String::new(),
        }
    }

    #[test]
    fn a_purge_names_each_key_once_and_the_one_request_that_made_it() {
        let (keys, request) = purge_of(&[
            entry("article-a lists", Some("r1")),
            entry("topic-t lists", Some("r1")),
        ]);
        assert_eq!(keys, ["article-a", "lists", "topic-t"]);
        assert_eq!(request.as_deref(), Some("r1"));
        let (keys, request) = purge_of(&[entry("article-a lists", Some("r1")), entry("all", Some("r2"))]);
        assert_eq!(keys, ["all"]);
        assert_eq!(request, None, "two requests: none is named");
    }
}
