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
use crate::delivery::cache::Change;

const CHANNEL: &str = "khabar_content";
/// How often the listener checks for notifications (libpq only reads them while it talks to
/// the server), and so roughly how stale another node's cache can be after a write.
const POLL: Duration = Duration::from_millis(100);
const RECONNECT_MAX: Duration = Duration::from_secs(5);

/// PostgreSQL refuses payloads of 8000 bytes or more: past this, a change is sent as "*".
const MAX_PAYLOAD: usize = 7_000;

/// The payload for a change: the public ids, space-separated, or `*` for everything.
fn payload(change: &Change) -> String {
    match change {
        Change::Articles(ids) => {
            let joined = ids.iter().map(String::as_str).collect::<Vec<_>>().join(" ");
            if joined.len() > MAX_PAYLOAD || joined == "*" {
                "*".to_owned()
            } else {
                joined
            }
        }
        Change::Everything => "*".to_owned(),
    }
}

fn parse(payload: &str) -> Change {
    if payload.trim() == "*" {
        Change::Everything
    } else {
        Change::Articles(payload.split_whitespace().map(str::to_owned).collect())
    }
}

/// Announces a content change to every node (PostgreSQL); nothing to do on SQLite.
pub fn announce_change(conn: &mut DbConnection, change: &Change) -> Result<(), DbError> {
    use diesel::RunQueryDsl;
    if let DbConnection::Pg(pg) = conn {
        diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<diesel::sql_types::Text, _>(CHANNEL)
            .bind::<diesel::sql_types::Text, _>(payload(change))
            .execute(pg)?;
    }
    Ok(())
}

/// On PostgreSQL, starts a thread that calls `on_change` for every announced change, and once
/// after each reconnect (changes may have been missed meanwhile), with the primary's WAL
/// position read after the notification arrived (so at or past the change's commit; `None` if
/// it could not be read). Does nothing on SQLite.
///
/// While the database is unreachable nothing is called: the node keeps serving what it has
/// cached rather than emptying its cache into an outage. The backoff between attempts grows
/// to [`RECONNECT_MAX`] and starts again from [`POLL`] after every successful connection.
pub fn listen(
    url: &DatabaseUrl,
    on_change: impl Fn(&Change, Option<WalPosition>) + Send + 'static,
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
                    Ok(mut conn) => {
                        backoff = POLL;
                        let reconnected = !first;
                        first = false;
                        match listen_until_error(&mut conn, reconnected, &on_change, &stopping) {
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

/// Listens on an open connection until it fails. After a reconnect, reports one change once
/// `LISTEN` is in place: whatever was written while this node was not listening.
fn listen_until_error(
    conn: &mut PgConnection,
    reconnected: bool,
    on_change: &impl Fn(&Change, Option<WalPosition>),
    stop: &AtomicBool,
) -> Result<(), DbError> {
    conn.batch_execute(&format!("LISTEN {CHANNEL}"))?;
    if reconnected {
        on_change(&Change::Everything, position(conn));
    }
    while !stop.load(Ordering::Acquire) {
        // A round trip makes libpq read whatever notifications have arrived.
        conn.batch_execute("SELECT 1")?;
        let mut changed: Option<Change> = None;
        for notification in conn.notifications_iter() {
            let change = parse(&notification?.payload);
            changed = Some(match changed {
                Some(earlier) => earlier.merge(change),
                None => change,
            });
        }
        if let Some(change) = changed {
            on_change(&change, position(conn));
        }
        thread::sleep(POLL);
    }
    Ok(())
}

/// The primary's WAL position on the listener's own connection.
fn position(conn: &mut PgConnection) -> Option<WalPosition> {
    current_position(conn).ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip_and_overflow_to_everything() {
        let change = Change::Articles(["a".to_owned(), "b".to_owned()].into());
        assert_eq!(parse(&payload(&change)), change);
        assert_eq!(parse(&payload(&Change::Everything)), Change::Everything);
        let many = Change::Articles((0..300).map(|n| format!("{n:036}")).collect());
        assert_eq!(payload(&many), "*");
        assert_eq!(parse(""), Change::Articles(Default::default()), "lists only");
    }
}
