//! Telling other nodes that content changed: PostgreSQL `LISTEN`/`NOTIFY`.
//!
//! SQLite serves one node, so there is nobody to tell. On PostgreSQL a notification sent inside
//! a write's transaction is delivered when, and only if, it commits.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

use super::replicas::{current_position, WalPosition};
use super::{DatabaseUrl, DbConnection, DbError};

const CHANNEL: &str = "khabar_content";
/// How often the listener checks for notifications (libpq only reads them while it talks to
/// the server), and so roughly how stale another node's cache can be after a write.
const POLL: Duration = Duration::from_millis(100);
const RECONNECT_MAX: Duration = Duration::from_secs(5);

/// Wakes every node's log reader when the transaction commits (PostgreSQL; nothing to do on
/// SQLite, whose one node reads the log after its own writes). The notification carries
/// nothing: the log says what changed, so a lost one costs only time, and PostgreSQL folds the
/// same notification sent twice in one transaction into one.
pub fn wake_readers(conn: &mut DbConnection) -> Result<(), DbError> {
    use diesel::RunQueryDsl;
    if let DbConnection::Pg(pg) = conn {
        diesel::sql_query(format!("NOTIFY {CHANNEL}")).execute(pg)?;
    }
    Ok(())
}

/// On PostgreSQL, starts a thread that calls `on_wake` with its own connection after every
/// wake-up, and once after each reconnect (wake-ups may have been missed meanwhile), with the
/// primary's WAL position read after the notification arrived (so at or past the change's
/// commit; `None` if it could not be read): `on_wake` reads the log from where this node
/// stopped. Does nothing on SQLite.
///
/// While the database is unreachable nothing is called: the node keeps serving what it has
/// cached rather than emptying its cache into an outage. The backoff between attempts grows
/// to [`RECONNECT_MAX`] and starts again from [`POLL`] after every successful connection.
pub fn listen(
    url: &DatabaseUrl,
    on_wake: impl Fn(&mut DbConnection, Option<WalPosition>) + Send + 'static,
) -> std::io::Result<Listener> {
    let stop = Arc::new(AtomicBool::new(false));
    let DatabaseUrl::Postgres(url) = url else {
        return Ok(Listener { stop, thread: None });
    };
    let url = super::conn::with_connect_timeout(url).into_owned();
    let stopping = stop.clone();
    let thread = thread::Builder::new()
        .name("khabar-listen".into())
        .spawn(move || {
            let mut backoff = POLL;
            let mut first = true;
            while !stopping.load(Ordering::Acquire) {
                match PgConnection::establish(&url) {
                    Ok(conn) => {
                        backoff = POLL;
                        let reconnected = !first;
                        first = false;
                        let mut conn = DbConnection::Pg(conn);
                        match listen_until_error(&mut conn, reconnected, &on_wake, &stopping) {
                            Ok(()) => return,
                            Err(error) => {
                                tracing::warn!(error = %crate::chain::error_chain(&error), "change listener lost its connection; reconnecting")
                            }
                        }
                    }
                    Err(error) => {
                        tracing::warn!(%error, retry_in_ms = backoff.as_millis() as u64, "change listener cannot connect");
                    }
                }
                pause(backoff, &stopping);
                backoff = (backoff * 2).min(RECONNECT_MAX);
            }
        })?;
    Ok(Listener {
        stop,
        thread: Some(thread),
    })
}

/// The listener's thread, stopped before the process ends: a thread still inside libpq while
/// `exit` runs the TLS library's cleanup can crash the process on its way out.
pub struct Listener {
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Listener {
    /// Asks the thread to stop and waits for it (at most a poll, or a connection attempt's
    /// timeout).
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Sleeps `duration`, waking early when asked to stop.
fn pause(duration: Duration, stop: &AtomicBool) {
    let mut left = duration;
    while !left.is_zero() && !stop.load(Ordering::Acquire) {
        let step = left.min(POLL);
        thread::sleep(step);
        left -= step;
    }
}

/// Listens on an open connection until it fails. After a reconnect, wakes the reader once
/// `LISTEN` is in place: the log holds whatever was written while this node was not listening.
fn listen_until_error(
    conn: &mut DbConnection,
    reconnected: bool,
    on_wake: &impl Fn(&mut DbConnection, Option<WalPosition>),
    stop: &AtomicBool,
) -> Result<(), DbError> {
    conn.batch_execute(&format!("LISTEN {CHANNEL}"))?;
    if reconnected {
        let position = position(conn);
        on_wake(conn, position);
    }
    while !stop.load(Ordering::Acquire) {
        // A round trip makes libpq read whatever notifications have arrived.
        conn.batch_execute("SELECT 1")?;
        let DbConnection::Pg(pg) = conn else {
            return Ok(());
        };
        let mut woken = false;
        for notification in pg.notifications_iter() {
            notification?;
            woken = true;
        }
        if woken {
            let position = position(conn);
            on_wake(conn, position);
        }
        thread::sleep(POLL);
    }
    Ok(())
}

/// The primary's WAL position on the listener's own connection.
fn position(conn: &mut DbConnection) -> Option<WalPosition> {
    match conn {
        DbConnection::Pg(pg) => current_position(pg).ok().flatten(),
        DbConnection::Sqlite(_) => None,
    }
}
