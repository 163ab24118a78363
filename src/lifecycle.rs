//! A node's life after start: serving, then draining on SIGTERM. Draining turns `/readyz` to
//! 503 so the load balancer stops sending new clients, answers everything already received
//! with `Connection: close` so keep-alive clients go elsewhere, and then stops the server and
//! the worker within the configured bound.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::Notify;

/// How long a shutdown may take, from the settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownSettings {
    /// Keep accepting (with `/readyz` failing) this long, so the balancer notices first.
    pub drain_delay: Duration,
    /// Then, at most this long for in-flight requests and the worker's current round.
    pub grace: Duration,
}

impl Default for ShutdownSettings {
    fn default() -> Self {
        ShutdownSettings {
            drain_delay: Duration::from_secs(2),
            grace: Duration::from_secs(30),
        }
    }
}

#[derive(Default)]
pub struct Lifecycle {
    draining: AtomicBool,
    changed: Notify,
    /// This node wrote something its worker should send now (an edge purge), rather than at
    /// its next poll.
    work: Notify,
}

impl Lifecycle {
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }

    /// Starts draining (once; later calls change nothing).
    pub fn begin_drain(&self) {
        if !self.draining.swap(true, Ordering::SeqCst) {
            tracing::info!("draining: /readyz answers 503, connections close after their answer");
        }
        self.changed.notify_waiters();
    }

    /// Resolves once draining has begun.
    /// Wakes this node's worker if it is waiting for its next round.
    pub fn wake_worker(&self) {
        self.work.notify_one();
    }

    /// Returns when [`wake_worker`](Self::wake_worker) was called (or had been, since the last
    /// wait: the permit is kept).
    pub async fn work_arrived(&self) {
        self.work.notified().await;
    }

    pub async fn drain_started(&self) {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            // Registered before the check, so a drain that begins in between is not missed.
            notified.as_mut().enable();
            if self.is_draining() {
                return;
            }
            notified.await;
        }
    }
}

/// File descriptors kept back for the database pool, the listener, uploads and logs.
const RESERVED_DESCRIPTORS: u64 = 256;

/// How many connections this process can hold: `wanted`, or fewer when the file limit is
/// lower. The soft limit is raised to the hard one first (the usual soft limit, 1024, is
/// far below what a node serving the internet needs).
pub fn connection_budget(wanted: u32) -> u32 {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut limit = getrlimit(Resource::Nofile);
    if let (Some(current), Some(hard)) = (limit.current, limit.maximum) {
        if current < hard {
            limit.current = Some(hard);
            if setrlimit(Resource::Nofile, limit).is_err() {
                limit.current = Some(current);
            }
        }
    }
    let Some(files) = limit.current else {
        return wanted;
    };
    let fits = u32::try_from(files.saturating_sub(RESERVED_DESCRIPTORS).max(16)).unwrap_or(u32::MAX);
    if fits < wanted {
        tracing::warn!(
            wanted,
            file_limit = files,
            serving = fits,
            "KHABAR_MAX_CONNECTIONS is above what the open-file limit allows; capping it (raise `ulimit -n` to serve more)"
        );
    }
    wanted.min(fits)
}
