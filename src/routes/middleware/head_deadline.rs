//! A deadline for the head of every request on a connection, not only the first.
//!
//! actix-http times the first request's head (`client_request_timeout`) and an idle kept-alive
//! connection (`keep_alive`), but the keep-alive timer stops at the first byte of the next
//! request and no head timer starts again: headers trickled a byte a second on a kept-alive
//! connection held it open for ever, and 200 such connections locked out every other client.
//! A small watchdog per connection closes it when no request has started within keep-alive
//! plus the header deadline after the last answer was sent in full. It sees no bytes, only
//! when requests start and answers end, so it costs a timer tick per connection and nothing
//! per read.

use std::pin::Pin;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use actix_web::body::{BodySize, MessageBody};
use bytes::Bytes;

/// How long an idle kept-alive connection stays open (actix-http's `keep_alive`).
pub const KEEP_ALIVE: Duration = Duration::from_secs(5);

/// What one connection is doing.
pub struct ConnectionWatch {
    /// Requests begun and not yet answered in full.
    busy: AtomicU32,
    /// When the last answer was sent in full, in milliseconds after `opened`; 0 before any.
    idle_since: AtomicU64,
    opened: Instant,
    /// A second handle on the socket, to close it from the watchdog.
    socket: socket2::Socket,
}

impl ConnectionWatch {
    fn now(&self) -> u64 {
        (self.opened.elapsed().as_millis() as u64).max(1)
    }

    /// A request has begun; the answer's end is `finished`.
    pub fn started(&self) {
        self.busy.fetch_add(1, Ordering::AcqRel);
    }

    pub fn finished(&self) {
        self.idle_since.store(self.now(), Ordering::Release);
        self.busy.fetch_sub(1, Ordering::AcqRel);
    }

    /// Between answers for longer than `limit`: a next request's head is late.
    fn stalled(&self, limit: Duration) -> bool {
        let idle_since = self.idle_since.load(Ordering::Acquire);
        self.busy.load(Ordering::Acquire) == 0
            && idle_since != 0
            && self.now().saturating_sub(idle_since) > limit.as_millis() as u64
    }
}

/// Every watched connection of the node, so that when the connection cap is near, idle
/// kept-alive connections are closed first: a client holding idle connections must not lock
/// out one that has a request to make.
pub struct Watches {
    /// The node's connection cap, and how close to it eviction starts (a tenth below).
    cap: usize,
    all: std::sync::Mutex<Vec<std::sync::Weak<ConnectionWatch>>>,
}

impl Watches {
    pub fn new(cap: u32) -> Arc<Self> {
        Arc::new(Watches {
            cap: cap as usize,
            all: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// Registers `watch`; if the node is near its cap, closes idle connections, the longest
    /// idle first, until it is not.
    fn register(&self, watch: &Arc<ConnectionWatch>) {
        let mut all = self.all.lock().unwrap_or_else(|e| e.into_inner());
        all.retain(|w| w.strong_count() > 0);
        all.push(Arc::downgrade(watch));
        let threshold = self.cap.saturating_sub((self.cap / 10).max(1));
        if self.cap == 0 || all.len() < threshold {
            return;
        }
        let mut idle: Vec<(u64, Arc<ConnectionWatch>)> = all
            .iter()
            .filter_map(std::sync::Weak::upgrade)
            .filter(|w| w.busy.load(Ordering::Acquire) == 0)
            .filter_map(|w| {
                let since = w.idle_since.load(Ordering::Acquire);
                (since != 0)
                    .then(|| (w.opened.elapsed().as_millis() as u64).saturating_sub(since))
                    .map(|idle_for| (idle_for, w))
            })
            .collect();
        idle.sort_by_key(|(idle_for, _)| std::cmp::Reverse(*idle_for));
        let excess = all.len() + 1 - threshold;
        for (_, watch) in idle.into_iter().take(excess) {
            tracing::debug!("closing an idle kept-alive connection: the connection cap is near");
            let _ = watch.socket.shutdown(std::net::Shutdown::Both);
        }
    }
}

/// Starts watching a new connection; `None` when the socket cannot be shared (then only
/// actix-http's own timers apply).
pub fn watch(
    tcp: &actix_web::rt::net::TcpStream,
    header_timeout: Duration,
    watches: &Watches,
) -> Option<Arc<ConnectionWatch>> {
    let socket = socket2::SockRef::from(tcp).try_clone().ok()?;
    let watch = Arc::new(ConnectionWatch {
        busy: AtomicU32::new(0),
        idle_since: AtomicU64::new(0),
        opened: Instant::now(),
        socket,
    });
    watches.register(&watch);
    let watched = Arc::downgrade(&watch);
    let limit = KEEP_ALIVE + header_timeout;
    let tick = (header_timeout / 2).clamp(Duration::from_millis(250), Duration::from_secs(2));
    actix_web::rt::spawn(async move {
        loop {
            tokio::time::sleep(tick).await;
            // The connection's extensions (and so the watch) go when it closes.
            let Some(watch) = watched.upgrade() else { break };
            if watch.stalled(limit) {
                tracing::debug!("closing a kept-alive connection whose next request head is late");
                let _ = watch.socket.shutdown(std::net::Shutdown::Both);
                break;
            }
        }
    });
    Some(watch)
}

pin_project_lite::pin_project! {
    /// An answer's body that tells the watch when it has been sent (or dropped).
    pub struct Watched<B> {
        #[pin]
        body: B,
        watch: Finished,
    }
}

/// Says `finished` to the watch once, when dropped.
struct Finished(Option<Arc<ConnectionWatch>>);

impl Drop for Finished {
    fn drop(&mut self) {
        if let Some(watch) = self.0.take() {
            watch.finished();
        }
    }
}

impl<B> Watched<B> {
    pub fn new(body: B, watch: Option<Arc<ConnectionWatch>>) -> Self {
        Watched {
            body,
            watch: Finished(watch),
        }
    }
}

impl<B: MessageBody> MessageBody for Watched<B> {
    type Error = B::Error;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Self::Error>>> {
        self.project().body.poll_next(cx)
    }

    /// A body that is one piece of bytes stays one (actix then writes it with the head, in
    /// one write); the answer counts as sent from here.
    fn try_into_bytes(self) -> Result<Bytes, Self> {
        let Watched { body, watch } = self;
        match body.try_into_bytes() {
            Ok(bytes) => {
                drop(watch);
                Ok(bytes)
            }
            Err(body) => Err(Watched { body, watch }),
        }
    }
}
