//! `khabar export`: the whole content of a database as JSON Lines (see [`super::format`]),
//! streamed a page at a time from one consistent snapshot.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};

use super::format::*;
use crate::api::utc;
use crate::db::models::contributor::Contributor;
use crate::db::models::media::{MediaAsset, Rendition};
use crate::db::models::topic::Topic;
use crate::db::models::user::User;
use crate::db::queries::redirects::{self, Current};
use crate::db::queries::transfer_read::{self, ArticleRows};
use crate::db::{DbConnection, DbError};
use crate::domain::catalog::{MediaText, RenditionInput};
use crate::domain::framing::Framing;
use crate::domain::redirect::RedirectTo;
use crate::storage::{Storage, StorageError};

/// What to export.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Only what changed at or after this time, and the deletions since.
    pub since: Option<DateTime<Utc>>,
    /// The bytes of uploaded originals (`file` lines); without them the importing server must
    /// already have the files (the same bucket).
    pub files: bool,
    /// Users' password hashes.
    pub secrets: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("cannot write the export: {0}")]
    Write(#[from] std::io::Error),
    #[error("cannot read an uploaded file: {0}")]
    Storage(#[from] StorageError),
    #[error("the uploaded file '{0}' of media asset {1} is missing from the media store")]
    MissingFile(String, String),
}

impl From<diesel::result::Error> for ExportError {
    fn from(error: diesel::result::Error) -> Self {
        ExportError::Database(DbError::Query(error))
    }
}

/// Lines written, by type.
pub type Counts = BTreeMap<&'static str, u64>;

/// Rows read per query.
const PAGE: i64 = 500;

/// Writes the export to `out` and returns how many lines of each type it wrote.
pub fn export(
    conn: &mut DbConnection,
    storage: &Storage,
    options: &ExportOptions,
    out: &mut impl Write,
) -> Result<Counts, ExportError> {
    crate::db::claim::snapshot(conn, |conn| write_all(conn, storage, options, out))
}

fn write_all(
    conn: &mut DbConnection,
    storage: &Storage,
    options: &ExportOptions,
    out: &mut impl Write,
) -> Result<Counts, ExportError> {
    let since = options.since.map(|t| t.naive_utc());
    let mut counts = Counts::new();
    let mut emit = |record: &Record, out: &mut dyn Write| -> Result<(), ExportError> {
        out.write_all(to_line(record).as_bytes())?;
        out.write_all(b"\n")?;
        *counts.entry(record.kind()).or_default() += 1;
        Ok(())
    };
    emit(
        &Record::Header(Header {
            format: FORMAT.into(),
            version: VERSION,
            since: options.since,
        }),
        out,
    )?;
    for contributor in transfer_read::contributors(conn, since)? {
        emit(&Record::Contributor(contributor_record(contributor)?), out)?;
    }
    for (user, contributor) in transfer_read::users(conn, since)? {
        emit(
            &Record::User(user_record(user, contributor, options.secrets)),
            out,
        )?;
    }
    for (topic, parent) in parents_first(transfer_read::topics(conn, since)?) {
        emit(&Record::Topic(topic_record(topic, parent)?), out)?;
    }
    let mut files_written = HashSet::new();
    let mut after = 0;
    loop {
        let page = transfer_read::media_page(conn, after, PAGE, since)?;
        let Some((last, _)) = page.last() else { break };
        after = last.id;
        for (asset, renditions) in page {
            if let (true, Some(file)) = (options.files, &asset.file) {
                if files_written.insert(file.clone()) {
                    let stored = storage
                        .blocking({
                            let storage = storage.clone();
                            let file = file.clone();
                            async move { storage.get(&file).await }
                        })?
                        .ok_or_else(|| ExportError::MissingFile(file.clone(), asset.public_id.clone()))?;
                    emit(&file_record(file, &stored.bytes), out)?;
                }
            }
            emit(&Record::Media(Box::new(media_record(asset, renditions)?)), out)?;
        }
    }
    let mut after = 0;
    loop {
        let page = transfer_read::articles_page(conn, after, PAGE, since)?;
        let Some(last) = page.last() else { break };
        after = last.article.id;
        for rows in page {
            emit(&Record::Article(Box::new(article_record(rows)?)), out)?;
        }
    }
    let mut after = 0;
    loop {
        let page = redirects::page(conn, after, PAGE)?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for row in page {
            if since.is_some_and(|since| row.created_at < since) {
                continue;
            }
            if let Some(to) = redirect_to(conn, &row.target()?)? {
                emit(
                    &Record::Redirect(RedirectRecord {
                        from: row.from_path,
                        to,
                        status: u16::try_from(row.status).unwrap_or(301),
                        source: row.source,
                        created_at: utc(row.created_at),
                    }),
                    out,
                )?;
            }
        }
    }
    if let Some(since) = since {
        for (id, at) in transfer_read::deleted_since(conn, since)? {
            emit(
                &Record::Deleted(DeletedRecord {
                    kind: "article".into(),
                    id,
                    at: utc(at),
                }),
                out,
            )?;
        }
    }
    out.flush()?;
    Ok(counts)
}

pub fn contributor_record(contributor: Contributor) -> Result<ContributorRecord, DbError> {
    Ok(ContributorRecord {
        localized_names: names(&contributor.localized_names)?,
        slug: contributor.slug,
        kind: contributor.kind,
        name: contributor.name,
        bio: contributor.bio,
        avatar_url: contributor.avatar_url,
        url: contributor.url,
        created_at: utc(contributor.created_at),
        updated_at: utc(contributor.updated_at),
    })
}

pub fn user_record(user: User, contributor: Option<String>, secrets: bool) -> UserRecord {
    UserRecord {
        email: user.email,
        role: user.role,
        display_name: user.display_name,
        contributor,
        disabled: user.disabled,
        password_hash: secrets.then_some(user.password_hash),
        created_at: utc(user.created_at),
        updated_at: utc(user.updated_at),
    }
}

pub fn topic_record(topic: Topic, parent: Option<String>) -> Result<TopicRecord, DbError> {
    Ok(TopicRecord {
        localized_names: names(&topic.localized_names)?,
        slug: topic.slug,
        kind: topic.kind,
        name: topic.name,
        description: topic.description,
        parent,
        created_at: utc(topic.created_at),
        updated_at: utc(topic.updated_at),
    })
}

fn names(json: &str) -> Result<BTreeMap<String, String>, DbError> {
    serde_json::from_str(json).map_err(DbError::corrupt)
}

/// Topics in id order, except that a topic whose parent comes later waits for it: already in
/// parents-first order (as the write API makes it), the order is kept, so that an import gives
/// every topic the same place again.
fn parents_first(topics: Vec<(Topic, Option<String>)>) -> Vec<(Topic, Option<String>)> {
    let in_file: HashSet<String> = topics.iter().map(|(t, _)| t.slug.clone()).collect();
    let mut placed: HashSet<String> = HashSet::new();
    let mut waiting: HashMap<String, Vec<(Topic, Option<String>)>> = HashMap::new();
    let mut ordered = Vec::with_capacity(topics.len());
    fn place(
        entry: (Topic, Option<String>),
        placed: &mut HashSet<String>,
        waiting: &mut HashMap<String, Vec<(Topic, Option<String>)>>,
        ordered: &mut Vec<(Topic, Option<String>)>,
    ) {
        let slug = entry.0.slug.clone();
        placed.insert(slug.clone());
        ordered.push(entry);
        for child in waiting.remove(&slug).unwrap_or_default() {
            place(child, placed, waiting, ordered);
        }
    }
    for entry in topics {
        let ready = entry
            .1
            .as_ref()
            .is_none_or(|parent| placed.contains(parent) || !in_file.contains(parent));
        if ready {
            place(entry, &mut placed, &mut waiting, &mut ordered);
        } else {
            let parent = entry.1.clone().unwrap_or_default();
            waiting.entry(parent).or_default().push(entry);
        }
    }
    // A cycle cannot be stored (a parent must exist first); what is left goes last, as it is.
    let mut rest: Vec<_> = waiting.into_values().flatten().collect();
    rest.sort_by_key(|(t, _)| t.id);
    ordered.extend(rest);
    ordered
}

pub fn file_record(name: &str, bytes: &[u8]) -> Record {
    use sha2::{Digest, Sha256};
    let sha256: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    Record::File(FileRecord {
        name: name.to_owned(),
        sha256,
        data: STANDARD.encode(bytes),
    })
}

pub fn media_record(asset: MediaAsset, renditions: Vec<Rendition>) -> Result<MediaRecord, DbError> {
    let framing: Framing = serde_json::from_str(&asset.framing).map_err(DbError::corrupt)?;
    let localized: BTreeMap<String, MediaText> =
        serde_json::from_str(&asset.localized).map_err(DbError::corrupt)?;
    let uploaded = asset.file.is_some();
    Ok(MediaRecord {
        id: asset.public_id,
        kind: asset.kind,
        // An upload's URL and renditions are signed by the server that serves them: the
        // importing one makes its own.
        url: (!uploaded).then_some(asset.url),
        file: asset.file,
        mime_type: asset.mime_type,
        width: asset.width,
        height: asset.height,
        duration_ms: asset.duration_ms,
        alt_text: asset.alt_text,
        caption: asset.caption,
        credit: asset.credit,
        creator: asset.creator,
        copyright_holder: asset.copyright_holder,
        license: asset.license,
        source: asset.source,
        localized,
        focal_point: framing.focal_point,
        crops: framing.crops,
        renditions: if uploaded {
            Vec::new()
        } else {
            renditions
                .into_iter()
                .map(|r| RenditionInput {
                    name: r.name,
                    url: r.url,
                    mime_type: r.mime_type,
                    width: r.width,
                    height: r.height,
                })
                .collect()
        },
        created_at: utc(asset.created_at),
        updated_at: utc(asset.updated_at),
    })
}

pub fn article_record(rows: ArticleRows) -> Result<ArticleRecord, DbError> {
    let a = rows.article;
    Ok(ArticleRecord {
        id: a.public_id,
        language: a.language,
        slug: a.slug,
        headline: a.headline,
        lead: a.lead,
        dateline: a.dateline,
        canonical_url: a.canonical_url,
        body: rows.body,
        bylines: rows.bylines,
        topics: rows.topics,
        featured_media: rows.featured_media,
        related: rows.related,
        status: a.status,
        version: a.version,
        translation_group: rows.group_key,
        author: rows.author,
        created_at: utc(a.created_at),
        updated_at: utc(a.updated_at),
        first_published_at: a.first_published_at.map(utc),
        published_at: a.published_at.map(utc),
        scheduled_at: a.scheduled_at.map(utc),
        embargo_until: a.embargo_until.map(utc),
        delivered_at: rows.delivered_at.map(utc),
        corrections: rows
            .corrections
            .into_iter()
            .map(|c| CorrectionRecord {
                corrected_at: utc(c.corrected_at),
                note: c.note,
                created_at: utc(c.created_at),
            })
            .collect(),
        revisions: rows
            .revisions
            .into_iter()
            .map(|(r, actor)| {
                Ok(RevisionRecord {
                    version: r.version,
                    action: r.action,
                    actor,
                    snapshot: serde_json::from_str(&r.snapshot).map_err(DbError::corrupt)?,
                    created_at: utc(r.created_at),
                })
            })
            .collect::<Result<_, DbError>>()?,
    })
}

/// A redirect's target as the file names it; `None` when the row it named is gone.
pub fn redirect_to(
    conn: &mut DbConnection,
    target: &redirects::Target,
) -> Result<Option<RedirectTo>, DbError> {
    Ok(redirects::current(conn, target)?.map(|current| match current {
        Current::Article { public_id, .. } => RedirectTo {
            article: Some(public_id),
            ..RedirectTo::default()
        },
        Current::Topic(slug) => RedirectTo {
            topic: Some(slug),
            ..RedirectTo::default()
        },
        Current::Contributor(slug) => RedirectTo {
            contributor: Some(slug),
            ..RedirectTo::default()
        },
        Current::Url(url) => RedirectTo {
            url: Some(url),
            ..RedirectTo::default()
        },
    }))
}
