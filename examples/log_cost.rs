//! What the change log adds to one write (issue 29): N write transactions that each update one
//! row of `log_marks`, then N that do the same and append one change-log entry (the PostgreSQL
//! advisory lock, the insert and the wake-up `NOTIFY` included), on a fresh database; the
//! difference per transaction is the log's cost. Run by `bench/log_cost.sh`.
//!
//! usage: log_cost DATABASE_URL [N]

use std::time::Instant;

use khabar::db::claim::write_transaction;
use khabar::db::queries::change_log::{self, NewEntry};
use khabar::db::{DatabaseUrl, DbError};
use khabar::domain::changes::{ChangeKind, LogKind, Origin};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = DatabaseUrl::parse(&args[1]).expect("a database URL");
    let n: usize = args.get(2).map_or(2000, |n| n.parse().unwrap());
    let pool = khabar::db::connect(&url, 1).expect("connect");
    let mut conn = pool.get().unwrap();
    khabar::db::migrate::run_pending(&mut conn).expect("migrate");
    let origin = Origin {
        actor: Some("user:1".into()),
        request_id: Some("0123456789abcdef0123456789abcdef".into()),
        quiet: false,
    };
    let mut round = |with_log: bool| {
        let started = Instant::now();
        for i in 0..n {
            write_transaction(&mut conn, |conn| {
                change_log::set_mark(conn, "bench", i as i64)?;
                if with_log {
                    let id = format!("0190f3c2-7d1e-7c4a-9b1e-{i:012}");
                    change_log::append(
                        conn,
                        &NewEntry {
                            item: "",
                            kind: LogKind::Article(ChangeKind::Updated),
                            public_id: &id,
                            language: "ar",
                            slug: "خبر-عاجل",
                            origin: &origin,
                        },
                    )?;
                }
                Ok::<_, DbError>(())
            })
            .expect("write");
        }
        started.elapsed().as_secs_f64() * 1e6 / n as f64
    };
    // Warm both paths, then measure each twice, alternating.
    round(false);
    round(true);
    let (a1, b1, a2, b2) = (round(false), round(true), round(false), round(true));
    let (bare, logged) = ((a1 + a2) / 2.0, (b1 + b2) / 2.0);
    println!(
        "{n} write transactions each: {bare:.0} us without the log, {logged:.0} us with one entry: the log adds {:.0} us per write",
        logged - bare
    );
}
