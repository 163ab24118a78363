//! What the worker does with the change log: follows it into this node's cache (catching up
//! whatever a wake-up did not bring: a SQLite node's CLI import, a lost notification), purges
//! the edge from it (one consumer for all nodes, under a lease), and compacts it.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use super::Worker;
use crate::db::claim::write_transaction;
use crate::db::queries::change_log::{self, Entry};
use crate::db::{self, utc_now, DbError};
use crate::domain::changes::ALL_KEY;

/// The log consumer that purges the edge.
const EDGE_PURGE: &str = "edge_purge";
/// Entries one purge covers.
const PURGE_BATCH: i64 = 500;
/// How long a failed purge waits before the next try.
const PURGE_RETRY: Duration = Duration::from_secs(2);
/// Entries looked at per compaction step.
const COMPACT_BATCH: i64 = 5_000;

impl Worker {
    /// Follows the log into this node's cache, then purges the edge from it; `true` when a
    /// purge was sent (look again soon: more may be waiting).
    pub(super) async fn follow_log(&self) -> bool {
        let tail = self.tail.clone();
        if let Err(error) = db::run(&self.pool, move |conn| tail.catch_up(conn)).await {
            tracing::warn!(%error, "could not read the change log");
        }
        if !self.purger.is_configured() {
            return false;
        }
        let waiting = self
            .purge_retry_at
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some_and(|at| Instant::now() < at);
        if waiting {
            return false;
        }
        match self.purge_from_log().await {
            Ok(sent) => sent,
            Err(error) => {
                tracing::warn!(%error, "edge purge round failed");
                false
            }
        }
    }

    /// How long the worker may wait for its next round: its interval, or less when a failed
    /// purge is due to be tried again before that.
    pub(super) fn next_wait(&self, interval: Duration) -> Duration {
        let retry = *self.purge_retry_at.lock().unwrap_or_else(|p| p.into_inner());
        match retry {
            Some(at) => interval.min(at.saturating_duration_since(Instant::now())),
            None => interval,
        }
    }

    /// Takes the edge-purge consumer's lease, purges the keys of the entries after its mark
    /// and moves the mark past them; on failure the mark stays and the same entries are purged
    /// again after [`PURGE_RETRY`]. A node that dies holding the lease loses it when it ends.
    async fn purge_from_log(&self) -> Result<bool, DbError> {
        let node = self.node.clone();
        let now = utc_now();
        let until = now + self.lease();
        let claimed = db::run(&self.pool, move |conn| {
            write_transaction(conn, |conn| {
                // A consumer starts at the log's end: what came before was never to be purged.
                let start = change_log::newest(conn)?;
                let Some(at) = change_log::lease(conn, EDGE_PURGE, &node, now, until, start)? else {
                    return Ok(None);
                };
                let entries = change_log::after(conn, at, PURGE_BATCH)?;
                if entries.is_empty() {
                    change_log::release(conn, EDGE_PURGE, &node, None)?;
                    return Ok(None);
                }
                Ok::<_, DbError>(Some(entries))
            })
        })
        .await?;
        let Some(entries) = claimed else {
            return Ok(false);
        };
        let last = entries.last().map(|e| e.seq);
        let (keys, request_id) = purge_of(&entries);
        let outcome = self.purger.purge(&keys, request_id.as_deref()).await;
        if let Err(error) = &outcome {
            tracing::warn!(%error, "edge purge failed; it will be retried");
            *self.purge_retry_at.lock().unwrap_or_else(|p| p.into_inner()) =
                Some(Instant::now() + PURGE_RETRY);
        }
        let node = self.node.clone();
        let moved_to = outcome.is_ok().then_some(last).flatten();
        db::run(&self.pool, move |conn| {
            change_log::release(conn, EDGE_PURGE, &node, moved_to)
        })
        .await?;
        Ok(outcome.is_ok())
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
