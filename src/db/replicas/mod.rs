//! Read replicas: public reads go to PostgreSQL streaming replicas when one is as fresh as this
//! node needs, and to the primary otherwise.
//!
//! Freshness is a WAL position, not a guess. The node keeps a *fence*: the primary's position
//! after the newest content change it knows of (its own writes, its worker's, and every other
//! node's through the change notification, read on the listener's connection once the change
//! has committed). A replica serves a read only when it has replayed past the fence, so a page
//! rebuilt after a change is never rebuilt from a replica that has not seen the change, and a
//! writer reads their own write. A monitor samples the primary's position and each replica's
//! replay position a few times a second; a replica that does not answer, is not in recovery, or
//! trails the primary by more than `KHABAR_REPLICA_MAX_LAG_MS` is skipped until it recovers,
//! and `/readyz` says "degraded".
//!
//! Writes, editorial reads, sessions and everything else use the primary pool directly.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::r2d2::{Pool, PooledConnection};
use diesel::sql_types::{Bool, Nullable, Text};
use diesel::RunQueryDsl;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::{ConnectionManager, DatabaseUrl, DbConnection, DbError, DbPool};

/// How often the monitor samples the primary and the replicas.
pub const CHECK_INTERVAL: Duration = Duration::from_millis(200);
/// How long a replica's connection may take before it counts as down for that read.
const REPLICA_CONNECT_TIMEOUT: Duration = Duration::from_millis(500);

/// `DATABASE_READ_URL` and `KHABAR_REPLICA_MAX_LAG_MS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaSettings {
    pub urls: Vec<DatabaseUrl>,
    /// A replica further behind the primary than this is skipped.
    pub max_lag: Duration,
}

impl Default for ReplicaSettings {
    fn default() -> Self {
        ReplicaSettings {
            urls: Vec::new(),
            max_lag: Duration::from_secs(5),
        }
    }
}

/// A WAL position (`pg_lsn`) as a number.
pub type WalPosition = u64;

/// Parses PostgreSQL's `X/Y` form of a WAL position.
pub fn parse_position(text: &str) -> Option<WalPosition> {
    let (high, low) = text.trim().split_once('/')?;
    let high = u64::from_str_radix(high, 16).ok()?;
    let low = u64::from_str_radix(low, 16).ok()?;
    (high <= u64::from(u32::MAX) && low <= u64::from(u32::MAX)).then_some((high << 32) | low)
}

/// The primary's current WAL position, read on a primary connection. After a commit (or after
/// a notification, which is delivered only after its commit) it is at or past that commit.
pub fn primary_position(conn: &mut DbConnection) -> Result<Option<WalPosition>, DbError> {
    match conn {
        DbConnection::Pg(pg) => Ok(current_position(pg)?),
        DbConnection::Sqlite(_) => Ok(None),
    }
}

/// `pg_current_wal_lsn()` on a PostgreSQL connection.
pub fn current_position(pg: &mut diesel::PgConnection) -> diesel::QueryResult<Option<WalPosition>> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        position: String,
    }
    let row: Row = diesel::sql_query("SELECT pg_current_wal_lsn()::text AS position").get_result(pg)?;
    Ok(parse_position(&row.position))
}

/// What the monitor last saw of a replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum ReplicaState {
    /// Not checked yet: not used until it is.
    Starting = 0,
    /// Replaying, within the lag bound.
    Streaming = 1,
    /// Replaying, but further behind than the bound.
    Lagging = 2,
    /// Did not answer.
    Down = 3,
    /// Answers but is not in recovery (promoted, or not a replica at all): it may have diverged.
    #[serde(rename = "not_a_replica")]
    NotReplica = 4,
}

impl ReplicaState {
    fn from_u8(value: u8) -> Self {
        match value {
            1 => ReplicaState::Streaming,
            2 => ReplicaState::Lagging,
            3 => ReplicaState::Down,
            4 => ReplicaState::NotReplica,
            _ => ReplicaState::Starting,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReplicaState::Starting => "starting",
            ReplicaState::Streaming => "streaming",
            ReplicaState::Lagging => "lagging",
            ReplicaState::Down => "down",
            ReplicaState::NotReplica => "not_a_replica",
        }
    }
}

struct Replica {
    /// `replica-1`, … in public answers; the host only in the log.
    name: String,
    location: String,
    pool: DbPool,
    state: AtomicU8,
    replayed: AtomicU64,
    lag_ms: AtomicU64,
}

impl Replica {
    fn state(&self) -> ReplicaState {
        ReplicaState::from_u8(self.state.load(Ordering::Acquire))
    }

    fn set_state(&self, state: ReplicaState, why: &str) {
        let before = ReplicaState::from_u8(self.state.swap(state as u8, Ordering::AcqRel));
        if before != state {
            match state {
                ReplicaState::Streaming => {
                    tracing::info!(replica = %self.name, location = %self.location, "read replica in use")
                }
                _ => {
                    tracing::warn!(replica = %self.name, location = %self.location, state = state.as_str(), why, "read replica skipped")
                }
            }
        }
    }
}

/// One replica as `/readyz` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaStatus {
    pub name: String,
    pub state: ReplicaState,
    /// How far behind the primary it was at the last check, when it answered.
    pub lag: Option<Duration>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DatabaseLabels {
    database: String,
}

/// Where public reads go: the replicas that are fresh enough, else the primary.
pub struct ReadRouting {
    primary: DbPool,
    replicas: Vec<Replica>,
    max_lag: Duration,
    /// The primary's position after the newest content change this node knows of.
    fence: AtomicU64,
    /// While a fence could not be read, reads stay on the primary until this instant
    /// (milliseconds since `started`).
    primary_until_ms: AtomicU64,
    started: Instant,
    next: AtomicUsize,
    /// The primary's positions over the last `max_lag` and a bit, oldest first, to tell how
    /// long ago the primary was where a replica is now.
    history: Mutex<VecDeque<(Instant, WalPosition)>>,
    reads: Family<DatabaseLabels, Counter>,
    lag_seconds: Family<DatabaseLabels, Gauge<f64, AtomicU64>>,
    up: Family<DatabaseLabels, Gauge>,
}

impl ReadRouting {
    /// Every read on the primary: SQLite, or PostgreSQL without `DATABASE_READ_URL`.
    pub fn primary_only(primary: DbPool) -> Self {
        Self::with_replicas(primary, Vec::new(), Duration::from_secs(5))
    }

    /// The primary and a pool per replica. Replica pools open their connections lazily, so that
    /// a replica that is down at start does not keep the node from serving.
    pub fn connect(primary: DbPool, settings: &ReplicaSettings, pool_size: u32) -> Self {
        let replicas = settings
            .urls
            .iter()
            .enumerate()
            .map(|(index, url)| Replica {
                name: format!("replica-{}", index + 1),
                location: url.display(),
                pool: Pool::builder()
                    .max_size(pool_size)
                    .min_idle(Some(0))
                    .connection_timeout(REPLICA_CONNECT_TIMEOUT)
                    .build_unchecked(ConnectionManager::new(url.clone())),
                state: AtomicU8::new(ReplicaState::Starting as u8),
                replayed: AtomicU64::new(0),
                lag_ms: AtomicU64::new(0),
            })
            .collect();
        Self::with_replicas(primary, replicas, settings.max_lag)
    }

    fn with_replicas(primary: DbPool, replicas: Vec<Replica>, max_lag: Duration) -> Self {
        ReadRouting {
            primary,
            replicas,
            max_lag,
            fence: AtomicU64::new(0),
            primary_until_ms: AtomicU64::new(0),
            started: Instant::now(),
            next: AtomicUsize::new(0),
            history: Mutex::new(VecDeque::new()),
            reads: Family::default(),
            lag_seconds: Family::default(),
            up: Family::default(),
        }
    }

    pub fn has_replicas(&self) -> bool {
        !self.replicas.is_empty()
    }

    /// Registers the routing's series: reads by database, and each replica's lag and health.
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "database_reads",
            "Public reads that missed the response cache, by the database that answered them",
            self.reads.clone(),
        );
        if self.has_replicas() {
            registry.register(
                "replica_lag_seconds",
                "How far each read replica trailed the primary at the last check",
                self.lag_seconds.clone(),
            );
            registry.register(
                "replica_up",
                "1 while a read replica is used for reads, 0 while it is skipped",
                self.up.clone(),
            );
        }
    }

    /// Raises the fence to `position`: no replica serves a read until it has replayed that far.
    pub fn fence(&self, position: WalPosition) {
        self.fence.fetch_max(position, Ordering::AcqRel);
    }

    /// After a content change this node committed on `conn` (a primary connection): raises the
    /// fence to the primary's position, or, when that cannot be read, keeps reads on the
    /// primary for the lag bound.
    pub fn fence_after_commit(&self, conn: &mut DbConnection) {
        if !self.has_replicas() {
            return;
        }
        match primary_position(conn) {
            Ok(Some(position)) => self.fence(position),
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, "cannot read the primary's WAL position; reads stay on the primary for a while");
                self.hold_on_primary();
            }
        }
    }

    /// Keeps every read on the primary for the lag bound (a change whose position is unknown).
    pub fn hold_on_primary(&self) {
        let until = self.elapsed_ms().saturating_add(self.max_lag.as_millis() as u64);
        self.primary_until_ms.fetch_max(until, Ordering::AcqRel);
    }

    fn elapsed_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// The replica to read from, in turn, among those fresh enough; `None` for the primary.
    fn pick(&self) -> Option<&Replica> {
        let count = self.replicas.len();
        if count == 0 || self.primary_until_ms.load(Ordering::Acquire) > self.elapsed_ms() {
            return None;
        }
        let fence = self.fence.load(Ordering::Acquire);
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..count)
            .map(|offset| &self.replicas[(start + offset) % count])
            .find(|replica| {
                replica.state() == ReplicaState::Streaming
                    && replica.replayed.load(Ordering::Acquire) >= fence
            })
    }

    fn count_read(&self, database: &str) {
        self.reads
            .get_or_create(&DatabaseLabels {
                database: database.to_owned(),
            })
            .inc();
    }

    /// A connection for a public read: a fresh replica's, else the primary's. A replica that
    /// cannot hand one out is marked down and the read goes to the primary.
    fn connection(&self) -> Result<PooledConnection<ConnectionManager>, DbError> {
        if let Some(replica) = self.pick() {
            match replica.pool.get() {
                Ok(conn) => {
                    self.count_read(&replica.name);
                    return Ok(conn);
                }
                Err(error) => replica.set_state(ReplicaState::Down, &error.to_string()),
            }
        }
        self.count_read("primary");
        self.primary.get().map_err(DbError::Pool)
    }

    /// Runs a public read on the blocking pool, on the database [`Self::connection`] picks.
    pub async fn read<T, E, F>(self: &Arc<Self>, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let routing = Arc::clone(self);
        crate::telemetry::spawn_blocking(move || {
            let mut conn = routing.connection()?;
            work(&mut conn)
        })
        .await
        .map_err(|_| DbError::Cancelled)?
    }

    /// Each replica's state, for `/readyz`.
    pub fn status(&self) -> Vec<ReplicaStatus> {
        self.replicas
            .iter()
            .map(|replica| {
                let state = replica.state();
                ReplicaStatus {
                    name: replica.name.clone(),
                    state,
                    lag: matches!(state, ReplicaState::Streaming | ReplicaState::Lagging)
                        .then(|| Duration::from_millis(replica.lag_ms.load(Ordering::Acquire))),
                }
            })
            .collect()
    }

    /// Checks the primary and the replicas every [`CHECK_INTERVAL`] until `stop` resolves
    /// (the node drains).
    pub async fn monitor(self: Arc<Self>, stop: impl std::future::Future<Output = ()>) {
        if !self.has_replicas() {
            return;
        }
        tokio::pin!(stop);
        loop {
            let routing = Arc::clone(&self);
            if tokio::task::spawn_blocking(move || routing.check())
                .await
                .is_err()
            {
                tracing::error!("the replica check panicked");
            }
            tokio::select! {
                _ = tokio::time::sleep(CHECK_INTERVAL) => {}
                _ = &mut stop => return,
            }
        }
    }

    /// One round of checks: the primary's position, then each replica's.
    pub fn check(&self) {
        let now = Instant::now();
        let sampled = self
            .primary
            .get()
            .map_err(DbError::Pool)
            .and_then(|mut conn| primary_position(&mut conn));
        if let Ok(Some(position)) = sampled {
            let mut history = self.history.lock().unwrap_or_else(|e| e.into_inner());
            if history.is_empty() {
                // The node knows nothing of what changed before it started: replicas must have
                // replayed at least what the primary held then.
                self.fence(position);
            }
            history.push_back((now, position));
            let keep = self.max_lag + CHECK_INTERVAL * 5;
            while history.len() > 1 && history.front().is_some_and(|(at, _)| now - *at > keep) {
                history.pop_front();
            }
        }
        for replica in &self.replicas {
            self.check_replica(replica, now);
        }
    }

    fn check_replica(&self, replica: &Replica, now: Instant) {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = Bool)]
            in_recovery: bool,
            #[diesel(sql_type = Nullable<Text>)]
            replayed: Option<String>,
        }
        let labels = DatabaseLabels {
            database: replica.name.clone(),
        };
        let answered = replica.pool.get().map_err(DbError::Pool).and_then(|mut conn| {
            diesel::sql_query(
                "SELECT pg_is_in_recovery() AS in_recovery, pg_last_wal_replay_lsn()::text AS replayed",
            )
            .get_result::<Row>(&mut *conn)
            .map_err(DbError::Query)
        });
        let row = match answered {
            Ok(row) => row,
            Err(error) => {
                self.up.get_or_create(&labels).set(0);
                replica.set_state(ReplicaState::Down, &crate::chain::error_chain(&error));
                return;
            }
        };
        let replayed = match (row.in_recovery, row.replayed.as_deref().and_then(parse_position)) {
            (true, Some(position)) => position,
            _ => {
                self.up.get_or_create(&labels).set(0);
                replica.set_state(ReplicaState::NotReplica, "pg_is_in_recovery() is false");
                return;
            }
        };
        replica.replayed.fetch_max(replayed, Ordering::AcqRel);
        let lag = self.lag_behind(replayed, now);
        replica.lag_ms.store(lag.as_millis() as u64, Ordering::Release);
        self.lag_seconds.get_or_create(&labels).set(lag.as_secs_f64());
        if lag > self.max_lag {
            self.up.get_or_create(&labels).set(0);
            replica.set_state(
                ReplicaState::Lagging,
                &format!("{} ms behind the primary", lag.as_millis()),
            );
        } else {
            self.up.get_or_create(&labels).set(1);
            replica.set_state(ReplicaState::Streaming, "");
        }
    }

    /// How long ago the primary was first seen past `replayed`: zero when the replica has
    /// replayed everything sampled.
    fn lag_behind(&self, replayed: WalPosition, now: Instant) -> Duration {
        let history = self.history.lock().unwrap_or_else(|e| e.into_inner());
        history
            .iter()
            .find(|(_, position)| *position > replayed)
            .map_or(Duration::ZERO, |(at, _)| now.saturating_duration_since(*at))
    }
}

#[cfg(test)]
mod tests;
