//! The change log: appended in the transaction of each change to what the public sees, read
//! in order after a position.
//!
//! Order is commit order on both backends. SQLite has one writer at a time. On PostgreSQL a
//! sequence hands numbers out before commit, and transactions commit in any order: a reader
//! that saw 8 committed while 7 was not would pass 7 for ever. So a writer first takes one
//! transaction-scoped advisory lock, held until it commits or rolls back: the next writer's
//! number is handed out only after this one's row is visible (or gone), and no number below a
//! committed one can still appear. Every append also wakes the other nodes (`NOTIFY`, sent
//! at commit): they read the log from where they stopped, so a lost wake-up loses nothing.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{change_log, log_marks};
use crate::db::{DbConnection, DbError};
use crate::domain::changes::{ChangeKind, LogKind, Origin};

/// The advisory lock that orders appends on PostgreSQL ("khabar" in ASCII).
const APPEND_LOCK: i64 = 0x6b68_6162_6172;

/// The kinds the public feed shows: an article's public life.
const PUBLIC_KINDS: [&str; 4] = ["published", "updated", "withdrawn", "deleted"];

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = change_log)]
pub struct Entry {
    pub seq: i64,
    pub at: NaiveDateTime,
    pub kind: String,
    /// The subject: an article's or media asset's public id, a topic's or contributor's slug,
    /// a redirect's path; empty for `everything`.
    pub public_id: String,
    pub language: String,
    pub slug: String,
    /// The surrogate keys it touches, space-separated.
    pub keys: String,
    pub actor: Option<String>,
    pub request_id: Option<String>,
    /// Not news to partners: no webhook is made from it.
    pub quiet: bool,
    /// For a live change, the entry it is about (empty for the blog's state).
    pub item: String,
}

impl Entry {
    pub fn kind(&self) -> Option<LogKind> {
        LogKind::parse(&self.kind)
    }
}

/// What changed, for [`append`].
pub struct NewEntry<'a> {
    pub kind: LogKind,
    pub public_id: &'a str,
    pub language: &'a str,
    pub slug: &'a str,
    /// The live entry a live change is about; empty otherwise.
    pub item: &'a str,
    pub origin: &'a Origin,
}

/// Appends `entry`; must run inside the change's transaction.
pub fn append(conn: &mut DbConnection, entry: &NewEntry<'_>) -> Result<(), DbError> {
    append_many(conn, std::slice::from_ref(entry))
}

/// Appends `entries` in their order (an import's batch); inside the change's transaction.
pub fn append_many(conn: &mut DbConnection, entries: &[NewEntry<'_>]) -> Result<(), DbError> {
    if entries.is_empty() {
        return Ok(());
    }
    if let DbConnection::Pg(pg) = conn {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({APPEND_LOCK})")).execute(pg)?;
    }
    // The time it reached the log, read under the lock: times rise with positions (as far as
    // the nodes' clocks agree), so a reader's `since` names a position. (An import compiles
    // an article as of its past; the log says when the public learned of it.)
    let at = crate::db::utc_now();
    // Well under either backend's limit of bound parameters per statement.
    for chunk in entries.chunks(1000) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|entry| {
                (
                    change_log::at.eq(at),
                    change_log::kind.eq(entry.kind.as_str()),
                    change_log::public_id.eq(entry.public_id),
                    change_log::language.eq(entry.language),
                    change_log::slug.eq(entry.slug),
                    change_log::keys.eq(entry.kind.keys(entry.public_id)),
                    change_log::actor.eq(entry.origin.actor.as_deref()),
                    change_log::request_id.eq(entry.origin.request_id.as_deref()),
                    change_log::quiet.eq(entry.origin.quiet),
                    change_log::item.eq(entry.item),
                )
            })
            .collect();
        match conn {
            DbConnection::Sqlite(c) => diesel::insert_into(change_log::table).values(rows).execute(c)?,
            DbConnection::Pg(c) => diesel::insert_into(change_log::table).values(rows).execute(c)?,
        };
    }
    crate::db::notify::wake_readers(conn)
}

/// The kind of the newest article entry about `public_id`: whether the log has it public now.
pub fn last_kind(conn: &mut DbConnection, public_id: &str) -> Result<Option<ChangeKind>, DbError> {
    let kind: Option<String> = change_log::table
        .filter(change_log::public_id.eq(public_id))
        .filter(change_log::kind.eq_any(PUBLIC_KINDS))
        .order(change_log::seq.desc())
        .select(change_log::kind)
        .first(conn)
        .optional()?;
    Ok(kind.as_deref().and_then(ChangeKind::parse))
}

/// Whether the log has `public_id` public now (its newest entry published or updated).
pub fn announced(conn: &mut DbConnection, public_id: &str) -> Result<bool, DbError> {
    Ok(matches!(
        last_kind(conn, public_id)?,
        Some(ChangeKind::Published | ChangeKind::Updated)
    ))
}

/// Up to `limit` article entries (what the public feed shows) after position `after`, oldest
/// first.
pub fn public_after(conn: &mut DbConnection, after: i64, limit: i64) -> Result<Vec<Entry>, DbError> {
    Ok(change_log::table
        .filter(change_log::seq.gt(after))
        .filter(change_log::kind.eq_any(PUBLIC_KINDS))
        .order(change_log::seq.asc())
        .limit(limit)
        .select(Entry::as_select())
        .load(conn)?)
}

/// The position just before the first entry logged at or after `since` (the log's end when
/// there is none): where a reader of what changed since a time starts.
pub fn position_at(conn: &mut DbConnection, since: NaiveDateTime) -> Result<i64, DbError> {
    let first: Option<i64> = change_log::table
        .filter(change_log::at.ge(since))
        .select(diesel::dsl::min(change_log::seq))
        .first(conn)?;
    match first {
        Some(seq) => Ok(seq - 1),
        None => newest(conn),
    }
}

/// The newest position of an article entry about each of `public_ids` (those with none are
/// left out): an entry below it is superseded.
pub fn newest_about(
    conn: &mut DbConnection,
    public_ids: &[&str],
) -> Result<std::collections::HashMap<String, i64>, DbError> {
    let rows: Vec<(String, Option<i64>)> = change_log::table
        .filter(change_log::public_id.eq_any(public_ids))
        .filter(change_log::kind.eq_any(PUBLIC_KINDS))
        .group_by(change_log::public_id)
        .select((change_log::public_id, diesel::dsl::max(change_log::seq)))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, seq)| seq.map(|seq| (id, seq)))
        .collect())
}

/// The newest public entry about each of these articles whose language `keep` accepts: its
/// position, by public id (a reader of one language's changes looks no further).
pub fn newest_about_where(
    conn: &mut DbConnection,
    public_ids: &[&str],
    keep: impl Fn(&str) -> bool,
) -> Result<std::collections::HashMap<String, i64>, DbError> {
    let rows: Vec<(String, i64, String)> = change_log::table
        .filter(change_log::public_id.eq_any(public_ids))
        .filter(change_log::kind.eq_any(PUBLIC_KINDS))
        .select((change_log::public_id, change_log::seq, change_log::language))
        .load(conn)?;
    let mut newest = std::collections::HashMap::new();
    for (id, seq, language) in rows {
        if keep(&language) {
            let at = newest.entry(id).or_insert(seq);
            *at = (*at).max(seq);
        }
    }
    Ok(newest)
}

/// Up to `limit` entries of every kind after position `after`, oldest first.
pub fn after(conn: &mut DbConnection, after: i64, limit: i64) -> Result<Vec<Entry>, DbError> {
    Ok(change_log::table
        .filter(change_log::seq.gt(after))
        .order(change_log::seq.asc())
        .limit(limit)
        .select(Entry::as_select())
        .load(conn)?)
}

/// The kinds of a live blog's events.
fn live_kinds() -> Vec<&'static str> {
    crate::domain::live::LiveChange::ALL
        .into_iter()
        .map(|c| c.log_kind())
        .collect()
}

/// Up to `limit` live entries about the blog of article `public_id` after position `after`,
/// oldest first.
pub fn live_after(
    conn: &mut DbConnection,
    public_id: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<Entry>, DbError> {
    Ok(change_log::table
        .filter(change_log::public_id.eq(public_id))
        .filter(change_log::seq.gt(after))
        .filter(change_log::kind.eq_any(live_kinds()))
        .order(change_log::seq.asc())
        .limit(limit)
        .select(Entry::as_select())
        .load(conn)?)
}

/// The newest position of a live entry about the blog of article `public_id`, 0 for none.
pub fn newest_live(conn: &mut DbConnection, public_id: &str) -> Result<i64, DbError> {
    Ok(change_log::table
        .filter(change_log::public_id.eq(public_id))
        .filter(change_log::kind.eq_any(live_kinds()))
        .select(diesel::dsl::max(change_log::seq))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}

/// The newest position, 0 for an empty log.
pub fn newest(conn: &mut DbConnection) -> Result<i64, DbError> {
    Ok(change_log::table
        .select(diesel::dsl::max(change_log::seq))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}

/// The mark named `horizon`: entries at or below it may have been compacted away.
pub const HORIZON: &str = "horizon";

/// Where the mark `name` stands, if it was ever set.
pub fn mark(conn: &mut DbConnection, name: &str) -> Result<Option<i64>, DbError> {
    Ok(log_marks::table
        .find(name)
        .select(log_marks::seq)
        .first(conn)
        .optional()?)
}

/// The compaction horizon: 0 while nothing was ever compacted.
pub fn horizon(conn: &mut DbConnection) -> Result<i64, DbError> {
    Ok(mark(conn, HORIZON)?.unwrap_or(0))
}

/// Sets `name` to `seq`, creating it.
pub fn set_mark(conn: &mut DbConnection, name: &str, seq: i64) -> Result<(), DbError> {
    let updated = diesel::update(log_marks::table.find(name))
        .set(log_marks::seq.eq(seq))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(log_marks::table)
            .values((log_marks::name.eq(name), log_marks::seq.eq(seq)))
            .execute(conn)?;
    }
    Ok(())
}

/// Takes the lease of the consumer `name` for `node` until `until`, when no other node holds
/// one that is still running; creates the consumer at `start` if it is new. Returns where it
/// stands, or `None` when another node holds it.
pub fn lease(
    conn: &mut DbConnection,
    name: &str,
    node: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
    start: i64,
) -> Result<Option<i64>, DbError> {
    if mark(conn, name)?.is_none() {
        // Two nodes starting the consumer at once: one insert fails, its node tries next time.
        set_mark(conn, name, start)?;
    }
    let taken = diesel::update(
        log_marks::table.find(name).filter(
            log_marks::lease_until
                .is_null()
                .or(log_marks::lease_until.lt(now))
                .or(log_marks::leased_by.eq(node)),
        ),
    )
    .set((log_marks::leased_by.eq(node), log_marks::lease_until.eq(until)))
    .execute(conn)?;
    if taken == 0 {
        return Ok(None);
    }
    mark(conn, name)
}

/// Moves the consumer `name` to `seq` and gives its lease back, if `node` still holds it.
pub fn release(conn: &mut DbConnection, name: &str, node: &str, seq: Option<i64>) -> Result<(), DbError> {
    let target = log_marks::table.find(name).filter(log_marks::leased_by.eq(node));
    match seq {
        Some(seq) => diesel::update(target)
            .set((
                log_marks::seq.eq(seq),
                log_marks::leased_by.eq(None::<String>),
                log_marks::lease_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?,
        None => diesel::update(target)
            .set((
                log_marks::leased_by.eq(None::<String>),
                log_marks::lease_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?,
    };
    Ok(())
}

/// Compacts the log: deletes the entries older than `before` that a newer entry about the same
/// subject supersedes (an article's newer entry of any kind; a catalog subject's newer entry
/// of its kind; a newer `everything`), looking at the oldest `limit` entries per call, and
/// moves the horizon past them. What stays keeps the newest state of every subject, so a
/// reader starting from the beginning still learns every article's current public state and
/// every tombstone. Returns how many entries it looked at (0: nothing left to compact).
pub fn compact(conn: &mut DbConnection, before: NaiveDateTime, limit: i64) -> Result<usize, DbError> {
    let candidates: Vec<(i64, String, String)> = change_log::table
        .filter(change_log::at.lt(before))
        .filter(change_log::seq.gt(horizon(conn)?))
        .order(change_log::seq.asc())
        .limit(limit)
        .select((change_log::seq, change_log::public_id, change_log::kind))
        .load(conn)?;
    if candidates.is_empty() {
        return Ok(0);
    }
    let subjects: std::collections::BTreeSet<&str> = candidates.iter().map(|(_, s, _)| s.as_str()).collect();
    let newest: Vec<(String, String, Option<i64>)> = change_log::table
        .filter(change_log::public_id.eq_any(&subjects))
        .group_by((change_log::public_id, change_log::kind))
        .select((
            change_log::public_id,
            change_log::kind,
            diesel::dsl::max(change_log::seq),
        ))
        .load(conn)?;
    fn class(kind: &str) -> &str {
        if PUBLIC_KINDS.contains(&kind) {
            "article"
        } else {
            kind
        }
    }
    let mut newest_of: std::collections::HashMap<(&str, &str), i64> = Default::default();
    for (subject, kind, seq) in &newest {
        let slot = newest_of.entry((subject.as_str(), class(kind))).or_insert(0);
        *slot = (*slot).max(seq.unwrap_or(0));
    }
    let superseded: Vec<i64> = candidates
        .iter()
        .filter(|(seq, subject, kind)| {
            newest_of
                .get(&(subject.as_str(), class(kind)))
                .is_some_and(|n| n > seq)
        })
        .map(|(seq, _, _)| *seq)
        .collect();
    diesel::delete(change_log::table.filter(change_log::seq.eq_any(&superseded))).execute(conn)?;
    // Everything up to the last candidate looked at is compacted: what stays below it is the
    // newest of its subject.
    let (last, _, _) = candidates.last().expect("not empty");
    set_mark(conn, HORIZON, *last)?;
    Ok(candidates.len())
}
