//! `khabar import`: records read from a file (Khabar's JSON Lines, or WordPress WXR turned into
//! the same records) applied in order. Each record is all or nothing (a savepoint); records
//! are committed in batches, so a million articles do not mean a million commits. With
//! `atomic`, the whole file is one transaction that any problem rolls back.

use std::collections::HashSet;
use std::io::BufRead;

use diesel::Connection;

use super::apply::{self, Context, Refusal};
use super::format::{self, ArticleRecord, Record};
use super::report::Report;
use crate::api::article::UrlBuilder;
use crate::db::claim::write_transaction;
use crate::db::{DbConnection, DbError};
use crate::images::ImageLinks;
use crate::uploads::MediaStore;

/// How to import.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// All or nothing: one transaction, rolled back if any record is refused.
    pub atomic: bool,
    /// Send `article.published` webhooks (and nothing else) for imported public articles. Off,
    /// an archive import does not flood subscribers.
    pub events: bool,
    /// Apply every record on its own, in a savepoint of its own: slower, and the reference the
    /// batched path is tested against.
    pub one_at_a_time: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read the file: {0}")]
    Read(#[from] std::io::Error),
    /// The file is not one this build can import; nothing was written.
    #[error("line {line}: {message}")]
    NotImportable { line: u64, message: String },
    #[error(transparent)]
    Database(#[from] DbError),
    /// `atomic` and a record was refused: everything was rolled back (the report says why).
    #[error("rolled back")]
    RolledBack,
}

impl From<diesel::result::Error> for ImportError {
    fn from(error: diesel::result::Error) -> Self {
        ImportError::Database(DbError::Query(error))
    }
}

/// A record read from line `.0`, or why the line could not be read.
pub type Line = (u64, Result<Record, Unreadable>);

/// Why a line (or a WordPress item) gave no record: what it was, its key in the file, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub kind: String,
    pub key: String,
    pub message: String,
}

impl Unreadable {
    pub fn new(kind: impl Into<String>, key: impl Into<String>, message: impl Into<String>) -> Self {
        Unreadable {
            kind: kind.into(),
            key: key.into(),
            message: message.into(),
        }
    }
}

/// A line of a Khabar export that is not a record.
impl From<String> for Unreadable {
    fn from(message: String) -> Self {
        Unreadable::new("line", "", message)
    }
}

/// Records per commit, and the most bytes of file data held for one.
const BATCH_RECORDS: usize = 2000;
const BATCH_BYTES: usize = 64 * 1024 * 1024;
/// The longest line read (a 20 MiB upload is 27 MiB of base64).
pub const MAX_LINE_BYTES: usize = 48 * 1024 * 1024;

/// Where the records go, and what they need.
pub struct Target<'a> {
    pub media: &'a MediaStore,
    pub links: &'a ImageLinks,
    pub urls: &'a UrlBuilder,
    /// Who imports, and in answer to which request: the change log's origin of every change
    /// the import makes (quiet unless webhooks were asked for).
    pub origin: &'a crate::domain::changes::Origin,
}

/// Reads a JSON Lines export: blank lines are skipped; a line too long, not UTF-8 or not a
/// record is reported by its number, and reading goes on with the next.
pub fn json_lines<R: BufRead>(reader: R) -> JsonLines<R> {
    JsonLines { reader, number: 0 }
}

pub struct JsonLines<R> {
    reader: R,
    number: u64,
}

impl<R: BufRead> Iterator for JsonLines<R> {
    type Item = std::io::Result<Line>;

    fn next(&mut self) -> Option<Self::Item> {
        use std::io::Read;
        loop {
            self.number += 1;
            let number = self.number;
            let mut buffer = Vec::new();
            match Read::take(&mut self.reader, MAX_LINE_BYTES as u64 + 1).read_until(b'\n', &mut buffer) {
                Err(e) => return Some(Err(e)),
                Ok(0) => return None,
                Ok(_) => {}
            }
            if buffer.len() > MAX_LINE_BYTES && !buffer.ends_with(b"\n") {
                // Skip the rest of the line without holding it.
                loop {
                    buffer.clear();
                    match Read::take(&mut self.reader, 1 << 20).read_until(b'\n', &mut buffer) {
                        Ok(0) => break,
                        Ok(_) if buffer.ends_with(b"\n") => break,
                        Ok(_) => continue,
                        Err(e) => return Some(Err(e)),
                    }
                }
                return Some(Ok((
                    number,
                    Err(format!("the line is longer than {} MiB", MAX_LINE_BYTES >> 20).into()),
                )));
            }
            let Ok(text) = std::str::from_utf8(&buffer) else {
                return Some(Ok((
                    number,
                    Err(String::from("the line is not valid UTF-8").into()),
                )));
            };
            let text = text.trim_end_matches(['\n', '\r']);
            if text.trim().is_empty() {
                continue;
            }
            return Some(Ok((number, format::parse_line(text).map_err(|e| e.0.into()))));
        }
    }
}

/// Imports `lines` (the first must be a header) into the database; returns what was done.
pub fn import(
    conn: &mut DbConnection,
    target: &Target<'_>,
    lines: impl Iterator<Item = std::io::Result<Line>>,
    options: ImportOptions,
    progress: &dyn Fn(&Report),
) -> Result<Report, ImportError> {
    let mut lines = lines.peekable();
    match lines.next().transpose()? {
        Some((_, Ok(Record::Header(header)))) => {
            if header.format != format::FORMAT {
                return Err(ImportError::NotImportable {
                    line: 1,
                    message: format!("the format is '{}', not '{}'", header.format, format::FORMAT),
                });
            }
            if header.version > format::VERSION {
                return Err(ImportError::NotImportable {
                    line: 1,
                    message: format!(
                        "the file is version {}; this Khabar reads up to version {}",
                        header.version,
                        format::VERSION
                    ),
                });
            }
        }
        Some((line, Ok(other))) => {
            return Err(ImportError::NotImportable {
                line,
                message: format!("the file starts with a {} line, not a header", other.kind()),
            })
        }
        Some((line, Err(message))) => {
            return Err(ImportError::NotImportable {
                line,
                message: format!("not a Khabar export: {}", message.message),
            })
        }
        None => {
            return Err(ImportError::NotImportable {
                line: 1,
                message: "the file is empty".into(),
            })
        }
    }
    records(conn, target, lines, options, progress)
}

/// Applies records in order (no header expected): the body of every import.
pub fn records(
    conn: &mut DbConnection,
    target: &Target<'_>,
    lines: impl Iterator<Item = std::io::Result<Line>>,
    options: ImportOptions,
    progress: &dyn Fn(&Report),
) -> Result<Report, ImportError> {
    let mut report = Report::default();
    let mut ctx = Context {
        media: target.media,
        links: target.links,
        urls: target.urls,
        origin: crate::domain::changes::Origin {
            quiet: !options.events,
            ..target.origin.clone()
        },
        locked_hash: locked_hash()?,
        line: 0,
        groups_ahead: Default::default(),
        related_ahead: Vec::new(),
        one_at_a_time: options.one_at_a_time,
    };
    let mut lines = lines;
    // An import can be run again to the same end, so it commits without waiting for the disk
    // (WAL with synchronous=NORMAL: a crash loses at most the last batches, never consistency);
    // the connection's own setting comes back afterwards.
    let relaxed = crate::db::relax_durability(conn);
    if options.atomic {
        let outcome = write_transaction(conn, |conn| {
            run(conn, &mut ctx, &mut lines, &mut report, progress)?;
            if report.problems.is_empty() {
                Ok(())
            } else {
                Err(ImportError::RolledBack)
            }
        });
        match outcome {
            Ok(()) => {}
            Err(ImportError::RolledBack) => {
                report.rolled_back = true;
                for tally in report.counts.values_mut() {
                    tally.created = 0;
                    tally.updated = 0;
                    tally.unchanged = 0;
                }
            }
            Err(other) => return Err(other),
        }
    } else {
        run(conn, &mut ctx, &mut lines, &mut report, progress)?;
    }
    if relaxed {
        crate::db::restore_durability(conn);
    }
    Ok(report)
}

fn run(
    conn: &mut DbConnection,
    ctx: &mut Context<'_>,
    lines: &mut dyn Iterator<Item = std::io::Result<Line>>,
    report: &mut Report,
    progress: &dyn Fn(&Report),
) -> Result<(), ImportError> {
    loop {
        let mut batch = Vec::new();
        let mut bytes = 0;
        while batch.len() < BATCH_RECORDS && bytes < BATCH_BYTES {
            let Some(line) = lines.next().transpose()? else {
                break;
            };
            if let (_, Ok(Record::File(file))) = &line {
                bytes += file.data.len();
            }
            batch.push(line);
        }
        if batch.is_empty() {
            break;
        }
        // Every record is checked before it is written, so a batch is first applied as is; a
        // database error in it (a constraint the checks did not foresee) rolls the batch back,
        // and it is applied again record by record, each in a savepoint, to refuse only that one.
        if ctx.one_at_a_time {
            write_transaction(conn, |conn| apply_batch(conn, ctx, &batch, report, true))?;
            progress(report);
            continue;
        }
        let before = (report.clone(), ctx.groups_ahead.clone(), ctx.related_ahead.len());
        let fast = write_transaction(conn, |conn| apply_batch(conn, ctx, &batch, report, false));
        match fast {
            Ok(()) => {}
            Err(ImportError::Database(error)) if error.fault().is_none() => {
                tracing::debug!(error = %error, "a batch failed as a whole; applying it record by record");
                *report = before.0;
                ctx.groups_ahead = before.1;
                ctx.related_ahead.truncate(before.2);
                write_transaction(conn, |conn| apply_batch(conn, ctx, &batch, report, true))?;
            }
            Err(other) => return Err(other),
        }
        progress(report);
    }
    write_transaction(conn, |conn| {
        for (line, id, missing) in apply::link_related_ahead(conn, ctx)? {
            report.note(
                line,
                "article",
                &id,
                format!("related article {missing} is not in the file or the database; left out"),
            );
        }
        crate::delivery::log_everything(conn, &ctx.origin)?;
        Ok::<_, ImportError>(())
    })?;
    Ok(())
}

/// Applies a batch of records; with `savepoints`, each in its own, so that one that fails in
/// the database is refused alone.
fn apply_batch(
    conn: &mut DbConnection,
    ctx: &mut Context<'_>,
    batch: &[Line],
    report: &mut Report,
    savepoints: bool,
) -> Result<(), ImportError> {
    let new_articles = if savepoints {
        HashSet::new()
    } else {
        articles_to_create(conn, batch)?
    };
    let mut index = 0;
    while index < batch.len() {
        // A run of articles the database does not hold yet is checked and written together.
        let run: Vec<(u64, &ArticleRecord)> = batch[index..]
            .iter()
            .map_while(|(number, parsed)| match parsed {
                Ok(Record::Article(article)) if new_articles.contains(&(*number, article.id.as_str())) => {
                    Some((*number, &**article))
                }
                _ => None,
            })
            .collect();
        if !run.is_empty() {
            super::bulk::new_articles(conn, ctx, &run, report)?;
            index += run.len();
            continue;
        }
        let (number, parsed) = &batch[index];
        index += 1;
        let record = match parsed {
            Ok(record) => record,
            Err(unreadable) => {
                report.problem(
                    *number,
                    &unreadable.kind,
                    &unreadable.key,
                    unreadable.message.clone(),
                );
                continue;
            }
        };
        let (kind, key) = (record.kind(), record.key());
        ctx.line = *number;
        let applied = if savepoints {
            conn.transaction(|conn| apply_one(conn, ctx, record))
        } else {
            apply_one(conn, ctx, record)
        };
        match applied {
            Ok(outcome) => report.count(kind, outcome),
            Err(Refusal::Invalid(message)) => report.problem(*number, kind, &key, message),
            Err(Refusal::Database(error)) if savepoints && error.fault().is_none() => {
                report.problem(*number, kind, &key, format!("the database refused it: {error}"))
            }
            Err(Refusal::Database(error)) => return Err(ImportError::Database(error)),
        }
    }
    crate::delivery::log_everything(conn, &ctx.origin)?;
    Ok(())
}

/// The article lines of `batch` that create their article: its id is in neither the database
/// nor an earlier line of the batch (a repeated id is applied as an update, one at a time).
fn articles_to_create<'a>(
    conn: &mut DbConnection,
    batch: &'a [Line],
) -> Result<HashSet<(u64, &'a str)>, DbError> {
    let articles: Vec<(u64, &str)> = batch
        .iter()
        .filter_map(|(number, parsed)| match parsed {
            Ok(Record::Article(article)) => Some((*number, article.id.as_str())),
            _ => None,
        })
        .collect();
    let ids: Vec<&str> = articles.iter().map(|(_, id)| *id).collect();
    let existing = crate::db::queries::bulk::existing_articles(conn, &ids)?;
    let mut seen = HashSet::new();
    Ok(articles
        .into_iter()
        .filter(|(_, id)| !existing.contains(*id) && seen.insert(*id))
        .collect())
}

fn apply_one(
    conn: &mut DbConnection,
    ctx: &mut Context<'_>,
    record: &Record,
) -> Result<super::report::Outcome, Refusal> {
    match record {
        Record::Header(_) => Err(Refusal::Invalid(
            "a header is only allowed on the first line".into(),
        )),
        Record::Contributor(r) => apply::contributor(conn, r),
        Record::User(r) => apply::user(conn, ctx, r),
        Record::Topic(r) => apply::topic(conn, r),
        Record::File(r) => apply::file(ctx, r),
        Record::Media(r) => apply::media(conn, ctx, r),
        Record::Article(r) => apply::article(conn, ctx, r).map(|(outcome, _)| outcome),
        Record::Redirect(r) => apply::redirect(conn, r),
        Record::Deleted(r) => apply::deleted(conn, ctx, r),
    }
}

/// The password hash of users imported without one: of a random password nobody knows, so
/// that signing in as them fails the same way, in the same time, as a wrong password.
fn locked_hash() -> Result<String, ImportError> {
    let password = crate::domain::password::generate()
        .map_err(|e| DbError::Unexpected(anyhow::anyhow!("cannot generate a password: {e}")))?;
    crate::domain::password::hash(&password)
        .map_err(|e| DbError::Unexpected(anyhow::anyhow!("cannot hash a password: {e}")).into())
}
