//! `khabar import --from wordpress export.xml`: a WordPress eXtended RSS file turned into
//! Khabar's own records ([`crate::transfer::format`]) and imported like an export.
//!
//! The file is read twice, streaming: first for what posts refer to (authors, categories,
//! tags, attachments, translation groups), then post by post. Every id is derived from the
//! WordPress site and id (UUID v5), so running the import again changes nothing, and a fixed
//! file finishes the job. What is mapped:
//!
//! - authors → contributors (people); categories, with their hierarchy → sections; tags → tags;
//! - attachments → media, with the file when it is available (`--uploads`, a copy of
//!   `wp-content/uploads`, or `--fetch-media`), else registered by URL with WordPress's sizes as
//!   renditions; credits by the rule in [`credit`];
//! - posts (published, draft, pending, future, private) → articles with their original dates,
//!   author byline, sections and tags (Yoast's primary category, else the first, is primary),
//!   featured image, excerpt as lead, and content as blocks ([`content`]); Polylang and WPML
//!   languages and translation groups; every permalink (and `/?p=ID`) a redirect.
//!
//! What is not mapped is in the report with its line: pages, menus, comments, custom post
//! types, unknown blocks and shortcodes, images that are nowhere.

pub mod content;
pub mod credit;
mod embeds;
mod html;
mod media;
pub mod php;
mod post;
mod records;
mod scan;
pub mod wxr;

use media::{fetch, sizes, PostMedia};
use records::Records;
use scan::{scan, Scan};

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use chrono::{DateTime, NaiveDateTime, Utc};

use super::format::*;
use super::import::{self, ImportError, ImportOptions, Line, Target, Unreadable};
use super::report::{Finding, Report};
use crate::domain::blocks::Block;
use crate::domain::catalog::RenditionInput;
use crate::domain::editorial::{BylineInput, FeaturedMediaInput, TopicLinkInput};
use crate::domain::kinds::{
    ArticleStatus, BylineRole, ContributorKind, MediaKind, RedirectSource, TopicKind,
};
use crate::domain::language::Language;
use crate::domain::redirect::RedirectTo;
use crate::domain::site_path::SitePath;
use crate::domain::slug;
use content::MediaLookup;
use wxr::{Element, Entry, WxrReader};

/// Where attachment files come from, and the language of posts that name none.
#[derive(Debug, Clone, Default)]
pub struct WordpressOptions {
    /// A copy of the site's `wp-content/uploads` folder.
    pub uploads: Option<PathBuf>,
    /// Download attachment files from their URLs when they are not in `uploads`.
    pub fetch: bool,
    /// The language of posts that say none (else the channel's `<language>`).
    pub language: Option<String>,
}

/// The longest headline and lead Khabar stores (see `domain::editorial`).
const MAX_HEADLINE: usize = crate::domain::editorial::MAX_HEADLINE_CHARS;
const MAX_LEAD: usize = crate::domain::editorial::MAX_LEAD_CHARS;
const MAX_MEDIA_TEXT: usize = 2000;

pub fn import(
    conn: &mut crate::db::DbConnection,
    target: &Target<'_>,
    path: &Path,
    options: ImportOptions,
    wordpress: &WordpressOptions,
    progress: &dyn Fn(&Report),
) -> Result<Report, ImportError> {
    let scan = scan(path, wordpress)?;
    let notes: Rc<RefCell<Vec<Finding>>> = Rc::new(RefCell::new(scan.notes.clone()));
    // The kinds of the items left out by design, one entry per item: the report counts them
    // as skipped, so every item of the file is created, unchanged, updated, skipped or refused.
    let skipped: Rc<RefCell<Vec<String>>> = Rc::default();
    let reader = WxrReader::new(BufReader::with_capacity(1 << 20, open(path)?));
    let records = Records {
        scan: &scan,
        media: target.media,
        wordpress,
        notes: notes.clone(),
        skipped: skipped.clone(),
        queue: scan.head_records(),
        attachments: scan.attachments.iter(),
        reader: Some(reader),
        used_slugs: HashSet::new(),
        external: HashMap::new(),
    };
    let mut report = import::records(conn, target, records.map(Ok), options, progress)?;
    for kind in skipped.borrow().iter() {
        report.skip(kind);
    }
    report.notes.extend(notes.borrow().iter().cloned());
    report.notes.sort_by_key(|n| n.line);
    Ok(report)
}

fn open(path: &Path) -> Result<std::fs::File, ImportError> {
    std::fs::File::open(path).map_err(ImportError::Read)
}

/// An attachment, as posts refer to it.
#[derive(Debug, Clone)]
struct Attachment {
    id: i64,
    line: u64,
    url: String,
    caption: Option<String>,
    alt: Option<String>,
    parent: i64,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
    /// `_wp_attached_file`: the path under `wp-content/uploads`.
    attached_file: Option<String>,
    /// `_wp_attachment_metadata`, read.
    metadata: Option<php::Value>,
}

impl Attachment {
    fn kind(&self) -> Option<(MediaKind, &'static str)> {
        let extension = self
            .url
            .rsplit('/')
            .next()?
            .rsplit_once('.')?
            .1
            .split(['?', '#'])
            .next()?
            .to_ascii_lowercase();
        Some(match extension.as_str() {
            "jpg" | "jpeg" => (MediaKind::Image, "image/jpeg"),
            "png" => (MediaKind::Image, "image/png"),
            "gif" => (MediaKind::Image, "image/gif"),
            "webp" => (MediaKind::Image, "image/webp"),
            "avif" => (MediaKind::Image, "image/avif"),
            "mp4" | "m4v" => (MediaKind::Video, "video/mp4"),
            "webm" => (MediaKind::Video, "video/webm"),
            "mov" => (MediaKind::Video, "video/quicktime"),
            "mp3" => (MediaKind::Audio, "audio/mpeg"),
            "m4a" => (MediaKind::Audio, "audio/mp4"),
            "ogg" | "oga" => (MediaKind::Audio, "audio/ogg"),
            "wav" => (MediaKind::Audio, "audio/wav"),
            _ => return None,
        })
    }
}

/// The WordPress id of an item: `wp:post_id`, a positive integer.
fn item_id(item: &Element) -> Result<i64, String> {
    match item.child("wp:post_id").map(str::trim) {
        None | Some("") => {
            Err("the item has no wp:post_id, so it cannot be told apart from the others; not imported".into())
        }
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| format!("wp:post_id '{text}' is not a positive integer; not imported")),
    }
}

/// Terms on a post in WordPress's taxonomy names: WXR 1.0 wrote `domain="tag"` for tags and
/// plain `<category>` (no domain) for categories.
fn item_taxonomy(category: &Element) -> &str {
    match category.attribute("domain") {
        None | Some("") => "category",
        Some("tag") => "post_tag",
        Some(other) => other,
    }
}

/// The slug of a term named on a post: its `nicename`, else made from its name.
fn item_term_slug(category: &Element) -> String {
    category
        .attribute("nicename")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| plain(&category.text))
}

/// Derived ids: the same site and WordPress id always give the same Khabar id.
fn derived_id(site: &str, what: &str, id: impl std::fmt::Display) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!("{site}#{what}-{id}").as_bytes(),
    )
    .to_string()
}

/// A WordPress date (`2020-07-03 18:37:00`, GMT); WordPress writes zeros for "none".
fn wp_date(text: Option<&str>) -> Option<DateTime<Utc>> {
    let text = text?.trim();
    if text.is_empty() || text.starts_with("0000") {
        return None;
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|t| t.and_utc())
}

/// A slug as WordPress keeps it (percent-encoded UTF-8) in Khabar's form.
fn khabar_slug(raw: &str, fallback: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(raw.trim())
        .decode_utf8_lossy()
        .into_owned();
    slug::parse(&decoded)
        .ok()
        .or_else(|| Some(slug::slugify(&decoded)).filter(|s| !s.is_empty()))
        .or_else(|| Some(slug::slugify(fallback)).filter(|s| !s.is_empty()))
        .unwrap_or_default()
}

/// Plain text of a title, excerpt or name (WordPress allows markup in them).
fn plain(text: &str) -> String {
    let stripped = html::strip_tags(text);
    stripped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` cut to `max` characters at a word, with an ellipsis; `true` when it was cut.
fn bounded(text: &str, max: usize) -> (String, bool) {
    if text.chars().count() <= max {
        return (text.to_owned(), false);
    }
    let cut: String = text.chars().take(max - 1).collect();
    let at_word = cut.rfind(' ').filter(|i| *i > cut.len() / 2).unwrap_or(cut.len());
    (format!("{}…", cut[..at_word].trim_end()), true)
}

fn meta<'a>(item: &'a Element, key: &str) -> Option<&'a str> {
    item.all("wp:postmeta")
        .find(|m| m.child("wp:meta_key") == Some(key))
        .and_then(|m| m.child("wp:meta_value"))
}

fn record_description(description: Option<&str>) -> Option<String> {
    description
        .map(plain)
        .filter(|d| !d.is_empty())
        .map(|d| bounded(&d, 5000).0)
}

/// An image URL without its query and WordPress's size suffix (`-1024x683`), for matching
/// the sized copies content links to with their attachment.
fn normalize_url(url: &str) -> String {
    let url = url.trim().split(['?', '#']).next().unwrap_or(url);
    let url = url.trim_start_matches("https:").trim_start_matches("http:");
    if let Some((stem, extension)) = url.rsplit_once('.') {
        if let Some((base, size)) = stem.rsplit_once('-') {
            let sized = size.split_once('x').is_some_and(|(w, h)| {
                !w.is_empty() && !h.is_empty() && w.bytes().chain(h.bytes()).all(|b| b.is_ascii_digit())
            });
            if sized {
                return format!("{base}.{extension}");
            }
        }
    }
    url.to_owned()
}
