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
mod html;
pub mod php;
pub mod wxr;

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

/// A category or tag.
#[derive(Debug, Clone)]
struct Term {
    line: u64,
    kind: TopicKind,
    slug: String,
    name: String,
    description: Option<String>,
    parent: Option<String>,
}

/// What the first pass found.
#[derive(Debug, Default)]
struct Scan {
    /// The site's address, the namespace of every derived id.
    site: String,
    base_url: Option<url::Url>,
    language: String,
    /// When the file was made: the time of what has no time of its own.
    made: DateTime<Utc>,
    authors: Vec<(u64, String, String)>,
    author_slugs: HashMap<String, String>,
    terms: Vec<Term>,
    /// (taxonomy, WordPress slug) → Khabar topic slug.
    term_slugs: HashMap<(String, String), String>,
    term_ids: HashMap<i64, String>,
    attachments: Vec<Attachment>,
    attachment_index: HashMap<i64, usize>,
    attachment_urls: HashMap<String, usize>,
    children: HashMap<i64, Vec<i64>>,
    /// Translation key of each post (Polylang's group, WPML's), and the first post of each key.
    translation_keys: HashMap<i64, String>,
    first_of_key: HashMap<String, i64>,
    notes: Vec<Finding>,
    /// `wp:wxr_version`: WordPress refuses a file without one, or with one that is no version.
    wxr_version: Option<String>,
    /// The line of the first item of each WordPress id (posts, pages and attachments share
    /// one id space): a later item with the same id is refused, never written over the first.
    first_item: HashMap<i64, u64>,
    /// Terms posts name that the channel does not declare (WordPress creates them on import):
    /// line, taxonomy, slug as written, name.
    undeclared: Vec<(u64, String, String, String)>,
    /// Authors posts name (`dc:creator`) with no `wp:author` record: WXR 1.0 has none.
    creators: Vec<(u64, String)>,
    /// Taxonomies named on posts that Khabar does not map, with how many posts name them.
    unmapped_taxonomies: BTreeMap<String, (u64, u64)>,
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

fn scan(path: &Path, options: &WordpressOptions) -> Result<Scan, ImportError> {
    let mut reader = WxrReader::new(BufReader::with_capacity(1 << 20, open(path)?));
    let mut scan = Scan {
        made: Utc::now(),
        ..Scan::default()
    };
    let mut channel_language = None;
    let mut link = None;
    loop {
        // A file that cannot be read to its end is refused whole, before anything is written:
        // half a file would be an archive with holes no report could list.
        let entry = reader.next_entry().map_err(|e| ImportError::NotImportable {
            line: e.line,
            message: e.message,
        })?;
        let Some(entry) = entry else { break };
        match entry {
            Entry::Channel(field) => match field.name.as_str() {
                "wp:wxr_version" => scan.wxr_version = Some(field.text.trim().to_owned()),
                "wp:base_site_url" if scan.site.is_empty() => scan.site = field.text.trim().to_owned(),
                "wp:base_blog_url" => scan.base_url = url::Url::parse(field.text.trim()).ok(),
                "link" => link = Some(field.text.trim().to_owned()),
                "language" => channel_language = Some(field.text.trim().to_owned()),
                "pubDate" => {
                    if let Ok(made) = DateTime::parse_from_rfc2822(field.text.trim()) {
                        scan.made = made.with_timezone(&Utc);
                    }
                }
                _ => {}
            },
            Entry::Record(record) => scan.record(record),
        }
    }
    check_version(scan.wxr_version.as_deref(), &mut scan.notes)?;
    if reader.removed_characters > 0 {
        scan.notes.push(Finding {
            line: 1,
            kind: "file".into(),
            key: String::new(),
            message: format!(
                "{} control character(s), noncharacter(s) or unbalanced bidirectional control(s) in the text were removed",
                reader.removed_characters
            ),
        });
    }
    if scan.site.is_empty() {
        scan.site = link.clone().unwrap_or_else(|| "wordpress".into());
    }
    if scan.base_url.is_none() {
        scan.base_url = link.as_deref().and_then(|l| url::Url::parse(l).ok());
    }
    scan.declare_undeclared_terms();
    for (taxonomy, (line, posts)) in &scan.unmapped_taxonomies {
        scan.notes.push(Finding {
            line: *line,
            kind: "term".into(),
            key: taxonomy.clone(),
            message: format!(
                "the taxonomy '{taxonomy}' ({posts} post(s) name its terms) has no counterpart in Khabar; not imported"
            ),
        });
    }
    let language = options
        .language
        .clone()
        .or(channel_language)
        .unwrap_or_else(|| "en".into());
    scan.language = Language::parse(&language)
        .map(|l| l.as_str().to_owned())
        .unwrap_or_else(|_| "en".into());
    Ok(scan)
}

/// The newest WXR this importer knows: WordPress's own importer warns past it, and so do we.
const NEWEST_WXR: (u64, u64) = (1, 2);

/// WordPress refuses a file whose `wp:wxr_version` is missing or not `digits.digits`
/// (`WXR_Parser_SimpleXML`): it is not an export, whatever else it looks like.
fn check_version(version: Option<&str>, notes: &mut Vec<Finding>) -> Result<(), ImportError> {
    let refused = |message: String| ImportError::NotImportable { line: 1, message };
    let Some(version) = version else {
        return Err(refused(
            "not a WordPress export: the channel has no <wp:wxr_version>".into(),
        ));
    };
    let parsed = version
        .split_once('.')
        .filter(|(major, minor)| {
            [major, minor]
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        })
        .and_then(|(major, minor)| Some((major.parse::<u64>().ok()?, minor.parse::<u64>().ok()?)));
    let Some(parsed) = parsed else {
        return Err(refused(format!(
            "not a WordPress export: <wp:wxr_version> is '{version}', not a version number"
        )));
    };
    if parsed > NEWEST_WXR {
        notes.push(Finding {
            line: 1,
            kind: "file".into(),
            key: version.to_owned(),
            message: format!(
                "WXR {version} is newer than the {}.{} this importer knows; read as {}.{}",
                NEWEST_WXR.0, NEWEST_WXR.1, NEWEST_WXR.0, NEWEST_WXR.1
            ),
        });
    }
    Ok(())
}

impl Scan {
    fn record(&mut self, record: Element) {
        match record.name.as_str() {
            "wp:author" => {
                let login = record
                    .child("wp:author_login")
                    .unwrap_or_default()
                    .trim()
                    .to_owned();
                let display = plain(record.child("wp:author_display_name").unwrap_or_default());
                let name = if display.is_empty() {
                    login.clone()
                } else {
                    display
                };
                let slug = khabar_slug(&login, &name);
                if slug.is_empty() {
                    return;
                }
                self.author_slugs.insert(login, slug.clone());
                if !self.authors.iter().any(|(_, s, _)| *s == slug) {
                    self.authors.push((record.line, slug, name));
                }
            }
            "wp:category" | "wp:tag" | "wp:term" => self.term(record),
            "item" => self.item(record),
            _ => {}
        }
    }

    fn term(&mut self, record: Element) {
        let (taxonomy, raw_slug, name, description, parent) = match record.name.as_str() {
            "wp:category" => (
                "category".to_owned(),
                record.child("wp:category_nicename"),
                record.child("wp:cat_name"),
                record.child("wp:category_description"),
                record.child("wp:category_parent"),
            ),
            "wp:tag" => (
                "post_tag".to_owned(),
                record.child("wp:tag_slug"),
                record.child("wp:tag_name"),
                record.child("wp:tag_description"),
                None,
            ),
            _ => (
                record.child("wp:term_taxonomy").unwrap_or_default().to_owned(),
                record.child("wp:term_slug"),
                record.child("wp:term_name"),
                record.child("wp:term_description"),
                record.child("wp:term_parent"),
            ),
        };
        let id: i64 = record
            .child("wp:term_id")
            .and_then(|i| i.trim().parse().ok())
            .unwrap_or(0);
        let raw_slug = raw_slug.unwrap_or_default().to_owned();
        let name = plain(name.unwrap_or(&raw_slug));
        let kind = match taxonomy.as_str() {
            "category" => TopicKind::Section,
            "post_tag" => TopicKind::Tag,
            "post_translations" | "language" | "term_language" | "term_translations" | "nav_menu"
            | "post_format" => return,
            other => {
                self.notes.push(Finding {
                    line: record.line,
                    kind: "term".into(),
                    key: raw_slug,
                    message: format!("terms of the taxonomy '{other}' are not imported"),
                });
                return;
            }
        };
        let slug = khabar_slug(&raw_slug, &name);
        if slug.is_empty() || name.is_empty() {
            return;
        }
        let key = (taxonomy.clone(), raw_slug.clone());
        // A tag and a category with one slug are one topic (a section), as a reader sees them.
        if self.terms.iter().any(|t| t.slug == slug) {
            self.term_slugs.insert(key, slug.clone());
            self.term_ids.insert(id, slug);
            return;
        }
        let parent = parent
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| khabar_slug(p, p));
        self.term_slugs.insert(key, slug.clone());
        self.term_ids.insert(id, slug.clone());
        self.terms.push(Term {
            line: record.line,
            kind,
            slug,
            name,
            description: record_description(description),
            parent,
        });
    }

    fn item(&mut self, item: Element) {
        // Items without a type or an identity, or whose identity an earlier item took, are
        // reported by the second pass; nothing here may refer to them.
        let Some(post_type) = item.child("wp:post_type").map(str::trim) else {
            return;
        };
        let Ok(id) = item_id(&item) else { return };
        if self.first_item.contains_key(&id) {
            return;
        }
        self.first_item.insert(id, item.line);
        match post_type {
            "attachment" => {
                let url = item
                    .child("wp:attachment_url")
                    .or(item.child("guid"))
                    .unwrap_or_default()
                    .trim()
                    .to_owned();
                let created = wp_date(item.child("wp:post_date_gmt"))
                    .or(wp_date(item.child("wp:post_date")))
                    .unwrap_or(self.made);
                let attachment = Attachment {
                    id,
                    line: item.line,
                    caption: Some(plain(item.child("excerpt:encoded").unwrap_or_default()))
                        .filter(|c| !c.is_empty()),
                    alt: meta(&item, "_wp_attachment_image_alt")
                        .map(plain)
                        .filter(|a| !a.is_empty()),
                    parent: item
                        .child("wp:post_parent")
                        .and_then(|p| p.trim().parse().ok())
                        .unwrap_or(0),
                    updated: wp_date(item.child("wp:post_modified_gmt"))
                        .unwrap_or(created)
                        .max(created),
                    created,
                    attached_file: meta(&item, "_wp_attached_file").map(str::to_owned),
                    metadata: meta(&item, "_wp_attachment_metadata").and_then(php::unserialize),
                    url,
                };
                let index = self.attachments.len();
                self.attachment_index.insert(id, index);
                self.attachment_urls.insert(normalize_url(&attachment.url), index);
                self.children.entry(attachment.parent).or_default().push(id);
                self.attachments.push(attachment);
            }
            "post" => {
                let key = item
                    .all("category")
                    .find(|c| c.attribute("domain") == Some("post_translations"))
                    .and_then(|c| c.attribute("nicename"))
                    .map(|k| format!("pll:{k}"))
                    .or_else(|| {
                        meta(&item, "_wpml_import_translation_group").map(|k| format!("wpml:{}", k.trim()))
                    });
                if let Some(key) = key {
                    self.first_of_key.entry(key.clone()).or_insert(id);
                    self.translation_keys.insert(id, key);
                }
                self.item_terms(&item);
                if let Some(login) = item.child("dc:creator").map(str::trim).filter(|l| !l.is_empty()) {
                    self.creators.push((item.line, login.to_owned()));
                }
            }
            _ => {}
        }
    }

    /// Terms a post names that the channel did not declare, and taxonomies with no place here.
    fn item_terms(&mut self, item: &Element) {
        let mut unmapped_here = HashSet::new();
        for category in item.all("category") {
            let taxonomy = item_taxonomy(category);
            match taxonomy {
                "category" | "post_tag" => {
                    let raw_slug = item_term_slug(category);
                    if raw_slug.is_empty() {
                        continue;
                    }
                    let name = Some(plain(&category.text)).filter(|n| !n.is_empty());
                    self.undeclared.push((
                        category.line,
                        taxonomy.to_owned(),
                        raw_slug.clone(),
                        name.unwrap_or(raw_slug),
                    ));
                }
                // Mapped to the article's language and translation group.
                "language" | "post_translations" => {}
                other => {
                    if unmapped_here.insert(other.to_owned()) {
                        let entry = self
                            .unmapped_taxonomies
                            .entry(other.to_owned())
                            .or_insert((category.line, 0));
                        entry.1 += 1;
                    }
                }
            }
        }
    }

    /// Topics for the terms posts name without a declaration, and contributors for the
    /// authors they name without a `wp:author` record; once each, after all declarations.
    fn declare_undeclared_terms(&mut self) {
        for (line, taxonomy, raw_slug, name) in std::mem::take(&mut self.undeclared) {
            let key = (taxonomy.clone(), raw_slug.clone());
            if self.term_slugs.contains_key(&key) {
                continue;
            }
            let slug = khabar_slug(&raw_slug, &name);
            if slug.is_empty() {
                continue;
            }
            self.term_slugs.insert(key, slug.clone());
            if self.terms.iter().any(|t| t.slug == slug) {
                continue;
            }
            self.terms.push(Term {
                line,
                kind: if taxonomy == "category" {
                    TopicKind::Section
                } else {
                    TopicKind::Tag
                },
                slug,
                name: plain(&name),
                description: None,
                parent: None,
            });
        }
        for (line, login) in std::mem::take(&mut self.creators) {
            if self.author_slugs.contains_key(&login) {
                continue;
            }
            let slug = khabar_slug(&login, &login);
            if slug.is_empty() {
                continue;
            }
            self.author_slugs.insert(login.clone(), slug.clone());
            if !self.authors.iter().any(|(_, s, _)| *s == slug) {
                self.authors.push((line, slug, plain(&login)));
            }
        }
    }

    /// Contributors and topics, parents first: the records before any media or post.
    fn head_records(&self) -> VecDeque<Line> {
        let mut out = VecDeque::new();
        for (line, slug, name) in &self.authors {
            out.push_back((
                *line,
                Ok(Record::Contributor(ContributorRecord {
                    slug: slug.clone(),
                    kind: ContributorKind::Person,
                    name: bounded(name, 200).0,
                    localized_names: BTreeMap::new(),
                    bio: None,
                    avatar_url: None,
                    url: None,
                    created_at: self.made,
                    updated_at: self.made,
                })),
            ));
        }
        let mut placed: HashSet<&str> = HashSet::new();
        let mut pending: Vec<&Term> = self.terms.iter().collect();
        while !pending.is_empty() {
            let before = pending.len();
            let known: HashSet<&str> = self.terms.iter().map(|t| t.slug.as_str()).collect();
            let (ready, waiting): (Vec<&Term>, Vec<&Term>) = pending.into_iter().partition(|t| {
                t.parent
                    .as_deref()
                    .is_none_or(|p| placed.contains(p) || !known.contains(p) || p == t.slug)
            });
            for term in ready {
                placed.insert(&term.slug);
                let parent = term
                    .parent
                    .clone()
                    .filter(|p| known.contains(p.as_str()) && *p != term.slug);
                out.push_back((
                    term.line,
                    Ok(Record::Topic(TopicRecord {
                        slug: term.slug.clone(),
                        kind: term.kind,
                        name: bounded(&term.name, 200).0,
                        localized_names: BTreeMap::new(),
                        description: term.description.clone(),
                        parent,
                        created_at: self.made,
                        updated_at: self.made,
                    })),
                ));
            }
            pending = waiting;
            if pending.len() == before {
                for term in pending.drain(..) {
                    out.push_back((
                        term.line,
                        Err(Unreadable::new(
                            "topic",
                            term.slug.clone(),
                            "the category is its own ancestor; not imported",
                        )),
                    ));
                }
            }
        }
        out
    }

    fn attachment(&self, id: i64) -> Option<&Attachment> {
        self.attachment_index.get(&id).map(|i| &self.attachments[*i])
    }

    fn media_id(&self, attachment: &Attachment) -> String {
        derived_id(&self.site, "attachment", attachment.id)
    }
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

/// The lazily made records: media, then each post's.
struct Records<'a> {
    scan: &'a Scan,
    media: &'a crate::uploads::MediaStore,
    wordpress: &'a WordpressOptions,
    notes: Rc<RefCell<Vec<Finding>>>,
    skipped: Rc<RefCell<Vec<String>>>,
    queue: VecDeque<Line>,
    attachments: std::slice::Iter<'a, Attachment>,
    reader: Option<WxrReader<BufReader<std::fs::File>>>,
    /// (language, slug) given to posts so far: two posts with one slug get told apart.
    used_slugs: HashSet<(String, String)>,
    /// Images content shows by a URL that is no attachment: registered once each.
    external: HashMap<String, String>,
}

impl Iterator for Records<'_> {
    type Item = Line;

    fn next(&mut self) -> Option<Line> {
        loop {
            if let Some(line) = self.queue.pop_front() {
                return Some(line);
            }
            if let Some(attachment) = self.attachments.next() {
                if let Some(line) = self.attachment_record(attachment) {
                    return Some(line);
                }
                continue;
            }
            let reader = self.reader.as_mut()?;
            match reader.next_entry() {
                Ok(Some(Entry::Record(item))) if item.name == "item" => self.item(item),
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => {
                    // A broken file was reported by the first pass, at the same place.
                    self.reader = None;
                }
            }
        }
    }
}

impl Records<'_> {
    /// An item left out by design: noted, and counted as skipped.
    fn left_out(&self, line: u64, kind: &str, key: impl Into<String>, message: impl Into<String>) {
        self.skipped.borrow_mut().push(kind.to_owned());
        self.note(line, kind, key, message);
    }

    fn note(&self, line: u64, kind: &str, key: impl Into<String>, message: impl Into<String>) {
        self.notes.borrow_mut().push(Finding {
            line,
            kind: kind.to_owned(),
            key: key.into(),
            message: message.into(),
        });
    }

    /// The bytes of an attachment's file, from the uploads copy or the web.
    fn file_of(&self, attachment: &Attachment) -> Option<Vec<u8>> {
        if let Some(dir) = &self.wordpress.uploads {
            let relative = attachment.attached_file.clone().or_else(|| {
                attachment
                    .url
                    .split_once("/wp-content/uploads/")
                    .map(|(_, rest)| rest.to_owned())
            });
            if let Some(relative) = relative {
                let decoded = percent_encoding::percent_decode_str(&relative)
                    .decode_utf8_lossy()
                    .into_owned();
                let safe = !decoded.split('/').any(|s| s == "..") && !decoded.starts_with('/');
                if safe {
                    let path = dir.join(&decoded);
                    if let Ok(metadata) = std::fs::metadata(&path) {
                        if metadata.len() as usize <= self.media.max_bytes {
                            return std::fs::read(&path).ok();
                        }
                    }
                }
            }
        }
        if self.wordpress.fetch {
            return fetch(&attachment.url, self.media.max_bytes);
        }
        None
    }

    fn attachment_record(&mut self, attachment: &Attachment) -> Option<Line> {
        let Some((kind, mime_type)) = attachment.kind() else {
            self.note(
                attachment.line,
                "attachment",
                attachment.id.to_string(),
                format!(
                    "{} is not an image, video or audio file; not imported",
                    attachment.url
                ),
            );
            return None;
        };
        let image_meta = attachment.metadata.as_ref().and_then(|m| m.get("image_meta"));
        let from_meta = |key: &str| {
            image_meta
                .and_then(|m| m.get(key))
                .and_then(php::Value::as_str)
                .map(plain)
                .filter(|v| !v.is_empty())
        };
        let caption = attachment.caption.clone().or_else(|| from_meta("caption"));
        let mut credit = from_meta("credit");
        let mut copyright_holder = from_meta("copyright");
        let mut record = MediaRecord {
            id: self.scan.media_id(attachment),
            kind,
            file: None,
            url: None,
            mime_type: mime_type.to_owned(),
            width: attachment
                .metadata
                .as_ref()
                .and_then(|m| m.get("width"))
                .and_then(php::Value::as_int)
                .and_then(|w| i32::try_from(w).ok())
                .filter(|w| *w > 0),
            height: attachment
                .metadata
                .as_ref()
                .and_then(|m| m.get("height"))
                .and_then(php::Value::as_int)
                .and_then(|h| i32::try_from(h).ok())
                .filter(|h| *h > 0),
            duration_ms: None,
            alt_text: attachment.alt.as_deref().map(|a| bounded(a, MAX_MEDIA_TEXT).0),
            caption: caption.as_deref().map(|c| bounded(c, MAX_MEDIA_TEXT).0),
            credit: None,
            creator: None,
            copyright_holder: None,
            license: None,
            source: None,
            localized: BTreeMap::new(),
            focal_point: None,
            crops: BTreeMap::new(),
            renditions: Vec::new(),
            created_at: attachment.created,
            updated_at: attachment.updated,
        };
        let stored = if kind == MediaKind::Image {
            self.file_of(attachment).and_then(|bytes| {
                let checked = match self.media.check(&bytes) {
                    Ok(checked) => checked,
                    Err(e) => {
                        self.note(
                            attachment.line,
                            "attachment",
                            attachment.id.to_string(),
                            format!(
                                "the file of {} cannot be used ({e}); registered by its URL",
                                attachment.url
                            ),
                        );
                        return None;
                    }
                };
                let store = self.media.clone();
                let kept = checked.clone();
                let saved = self
                    .media
                    .storage
                    .blocking(async move { store.keep(&kept, bytes.into()).await });
                match saved {
                    Ok(()) => Some(checked),
                    Err(e) => {
                        self.note(
                            attachment.line,
                            "attachment",
                            attachment.id.to_string(),
                            format!(
                                "the file of {} cannot be stored ({e}); registered by its URL",
                                attachment.url
                            ),
                        );
                        None
                    }
                }
            })
        } else {
            None
        };
        match stored {
            Some(file) => {
                let original = file.original();
                record.file = Some(file.name.clone());
                record.width = i32::try_from(original.width).ok();
                record.height = i32::try_from(original.height).ok();
                record.mime_type = if original.has_alpha {
                    "image/png"
                } else {
                    "image/jpeg"
                }
                .to_owned();
                let embedded = &file.probe.embedded;
                credit = credit.or(embedded.credit.clone()).or(embedded.by_line.clone());
                record.creator = embedded.by_line.as_deref().map(|c| bounded(c, MAX_MEDIA_TEXT).0);
                copyright_holder = copyright_holder.or(embedded.copyright.clone());
                record.source = embedded.source.clone();
                if record.caption.is_none() {
                    record.caption = embedded.caption.clone();
                }
            }
            None => {
                record.url = Some(attachment.url.clone());
                record.renditions = sizes(attachment);
            }
        }
        credit = credit.or_else(|| record.caption.as_deref().and_then(credit::from_caption));
        if credit.is_none() && kind == MediaKind::Image {
            self.note(
                attachment.line,
                "attachment",
                attachment.id.to_string(),
                "no credit in its metadata, file or caption: articles showing it are imported as they were and cannot be published again until it has one",
            );
        }
        record.credit = credit.map(|c| bounded(&c, MAX_MEDIA_TEXT).0);
        record.copyright_holder = copyright_holder.map(|c| bounded(&c, MAX_MEDIA_TEXT).0);
        Some((attachment.line, Ok(Record::Media(Box::new(record)))))
    }

    fn item(&mut self, item: Element) {
        let line = item.line;
        let Some(post_type) = item.child("wp:post_type").map(|t| t.trim().to_owned()) else {
            self.left_out(
                line,
                "item",
                item.child("wp:post_id").unwrap_or_default().trim(),
                "the item has no wp:post_type, so it is no known kind of content; skipped (WordPress skips it too)",
            );
            return;
        };
        let id = match item_id(&item) {
            Ok(id) => id,
            Err(message) => {
                let key = item.child("title").map(plain).unwrap_or_default();
                self.queue
                    .push_back((line, Err(Unreadable::new(post_type, key, message))));
                return;
            }
        };
        let skipped = match post_type.as_str() {
            "post" | "attachment" => None,
            "revision" | "customize_changeset" | "oembed_cache" | "wp_global_styles" | "user_request" => {
                Some((
                    post_type.clone(),
                    "WordPress's own bookkeeping, not content; skipped".to_owned(),
                ))
            }
            "page" => Some(("page".into(), "pages are not articles; not imported".into())),
            "nav_menu_item" => Some(("menu".into(), "menus are the front-end's; not imported".into())),
            other => Some((
                other.to_owned(),
                format!("posts of the type '{other}' are not imported"),
            )),
        };
        if let Some((kind, message)) = skipped {
            self.left_out(line, &kind, id.to_string(), message);
            return;
        }
        if let Some(first) = self.scan.first_item.get(&id).filter(|first| **first != line) {
            let message = format!(
                "the item on line {first} has the same wp:post_id; not imported, so that neither overwrites the other"
            );
            self.queue
                .push_back((line, Err(Unreadable::new(post_type, id.to_string(), message))));
            return;
        }
        if post_type == "attachment" {
            // Read by the first pass.
            return;
        }
        let status = item.child("wp:status").unwrap_or("draft").trim().to_owned();
        if matches!(status.as_str(), "trash" | "auto-draft" | "inherit") {
            self.left_out(
                line,
                "post",
                id.to_string(),
                format!("a post in '{status}' is not imported"),
            );
            return;
        }
        match self.post(&item, id, &status) {
            Ok(records) => {
                for record in records {
                    self.queue.push_back((line, Ok(record)));
                }
            }
            Err(message) => self
                .queue
                .push_back((line, Err(Unreadable::new("post", id.to_string(), message)))),
        }
    }

    fn post(&mut self, item: &Element, id: i64, status: &str) -> Result<Vec<Record>, String> {
        let line = item.line;
        let key = id.to_string();
        let mut records = Vec::new();
        let created = match wp_date(item.child("wp:post_date_gmt"))
            .or_else(|| wp_date(item.child("wp:post_date")))
        {
            Some(created) => created,
            None => {
                self.note(
                    line,
                    "post",
                    key.clone(),
                    "no wp:post_date; dated when the file was made (its pubDate) or, without one, when it was imported",
                );
                self.scan.made
            }
        };
        let modified = wp_date(item.child("wp:post_modified_gmt"))
            .or_else(|| wp_date(item.child("wp:post_modified")))
            .unwrap_or(created)
            .max(created);
        let language = item
            .all("category")
            .find(|c| c.attribute("domain") == Some("language"))
            .and_then(|c| c.attribute("nicename"))
            .or_else(|| meta(item, "_wpml_import_language_code"))
            .or_else(|| meta(item, "_wpml_language"))
            .and_then(|l| Language::parse(l.trim()).ok())
            .map_or_else(|| self.scan.language.clone(), |l| l.as_str().to_owned());
        let raw_title = plain(item.child("title").unwrap_or_default());
        let title = if raw_title.is_empty() {
            self.note(
                line,
                "post",
                key.clone(),
                format!("no title; imported as 'Untitled {id}'"),
            );
            format!("Untitled {id}")
        } else {
            raw_title
        };
        let (headline, cut) = bounded(&title, MAX_HEADLINE);
        if cut {
            self.note(
                line,
                "post",
                key.clone(),
                format!("the title is longer than {MAX_HEADLINE} characters; shortened"),
            );
        }
        let mut slug = khabar_slug(item.child("wp:post_name").unwrap_or_default(), &title);
        if slug.is_empty() {
            slug = format!("post-{id}");
        }
        if slug.chars().count() > slug::MAX_CHARS {
            slug = slug::slugify(&slug);
        }
        if !self.used_slugs.insert((language.clone(), slug.clone())) {
            slug = format!("{slug}-{id}");
            self.note(
                line,
                "post",
                key.clone(),
                format!("another post has its slug; imported as '{slug}'"),
            );
            self.used_slugs.insert((language.clone(), slug.clone()));
        }
        let excerpt = plain(item.child("excerpt:encoded").unwrap_or_default());
        let lead = (!excerpt.is_empty()).then(|| {
            let (lead, cut) = bounded(&excerpt, MAX_LEAD);
            if cut {
                self.note(
                    line,
                    "post",
                    key.clone(),
                    "the excerpt is longer than a lead may be; shortened",
                );
            }
            lead
        });
        let content_line = item.child_element("content:encoded").map_or(line, |c| c.line);
        let mut lookup = PostMedia {
            records: self,
            post: id,
            line,
            added: Vec::new(),
        };
        let (body, content_notes) = content::convert(
            item.child("content:encoded").unwrap_or_default(),
            content_line,
            &mut lookup,
        );
        let added = std::mem::take(&mut lookup.added);
        for added in added {
            records.push(Record::Media(Box::new(added)));
        }
        for note in content_notes {
            self.note(note.line, &note.kind, key.clone(), note.message);
        }
        let body = trim_blocks(body);
        let bylines: Vec<BylineInput> = item
            .child("dc:creator")
            .and_then(|login| self.scan.author_slugs.get(login.trim()))
            .map(|contributor| {
                vec![BylineInput {
                    contributor: contributor.clone(),
                    role: BylineRole::Author,
                }]
            })
            .unwrap_or_default();
        let primary_category = meta(item, "_yoast_wpseo_primary_category")
            .and_then(|t| t.trim().parse::<i64>().ok())
            .and_then(|t| self.scan.term_ids.get(&t).cloned());
        let mut topics: Vec<TopicLinkInput> = Vec::new();
        for category in item.all("category") {
            let taxonomy = item_taxonomy(category);
            if !matches!(taxonomy, "category" | "post_tag") {
                continue;
            }
            if let Some(topic) = self
                .scan
                .term_slugs
                .get(&(taxonomy.to_owned(), item_term_slug(category)))
            {
                if !topics.iter().any(|t| t.topic == *topic) {
                    topics.push(TopicLinkInput {
                        topic: topic.clone(),
                        primary: false,
                    });
                }
            }
        }
        let primary = primary_category
            .filter(|p| topics.iter().any(|t| t.topic == *p))
            .or_else(|| {
                item.all("category")
                    .filter(|c| item_taxonomy(c) == "category")
                    .find_map(|c| {
                        self.scan
                            .term_slugs
                            .get(&("category".to_owned(), item_term_slug(c)))
                            .cloned()
                    })
            });
        if let Some(primary) = primary {
            if let Some(topic) = topics.iter_mut().find(|t| t.topic == primary) {
                topic.primary = true;
            }
            topics.sort_by_key(|t| !t.primary);
        }
        topics.truncate(crate::domain::editorial::MAX_LINKS);
        let featured_media = meta(item, "_thumbnail_id")
            .and_then(|t| t.trim().parse::<i64>().ok())
            .and_then(|t| {
                let found = self
                    .scan
                    .attachment(t)
                    .filter(|a| a.kind().is_some_and(|(k, _)| k == MediaKind::Image));
                if found.is_none() {
                    self.note(
                        line,
                        "post",
                        key.clone(),
                        format!("its featured image (attachment {t}) is not in the export"),
                    );
                }
                found
            })
            .map(|a| FeaturedMediaInput {
                media_id: self.scan.media_id(a),
                caption: None,
            });
        let password = item
            .child("wp:post_password")
            .is_some_and(|p| !p.trim().is_empty());
        let (status, published, scheduled) = match status {
            _ if password => {
                self.note(
                    line,
                    "post",
                    key.clone(),
                    "a password-protected post is imported as a draft",
                );
                (ArticleStatus::Draft, None, None)
            }
            "publish" => (ArticleStatus::Published, Some(created), None),
            "future" => (ArticleStatus::Scheduled, None, Some(created)),
            "pending" => (ArticleStatus::InReview, None, None),
            "private" => {
                self.note(
                    line,
                    "post",
                    key.clone(),
                    "a private post is imported as a draft (Khabar has no private articles)",
                );
                (ArticleStatus::Draft, None, None)
            }
            "draft" => (ArticleStatus::Draft, None, None),
            other => {
                self.note(
                    line,
                    "post",
                    key.clone(),
                    format!("the status '{other}' is unknown; imported as a draft"),
                );
                (ArticleStatus::Draft, None, None)
            }
        };
        let comments = item.all("wp:comment").count();
        if comments > 0 {
            self.note(
                line,
                "comment",
                key.clone(),
                format!("{comments} comment(s) not imported (Khabar has no comments)"),
            );
        }
        let public_id = derived_id(&self.scan.site, "post", id);
        let translation_group = self
            .scan
            .translation_keys
            .get(&id)
            .and_then(|k| self.scan.first_of_key.get(k))
            .map_or_else(
                || public_id.clone(),
                |first| derived_id(&self.scan.site, "post", first),
            );
        let snapshot = serde_json::json!({
            "language": language, "slug": slug, "headline": headline, "lead": lead,
            "body": body, "bylines": bylines, "topics": topics, "featured_media": featured_media,
            "status": status,
        });
        let updated_at = modified.max(published.unwrap_or(modified));
        records.push(Record::Article(Box::new(ArticleRecord {
            id: public_id.clone(),
            language: language.clone(),
            slug: slug.clone(),
            headline,
            lead,
            dateline: None,
            canonical_url: None,
            body,
            bylines,
            topics,
            featured_media,
            related: Vec::new(),
            status,
            version: 1,
            translation_group,
            author: None,
            created_at: created,
            updated_at,
            first_published_at: published,
            published_at: published,
            scheduled_at: scheduled,
            embargo_until: None,
            delivered_at: published.map(|_| updated_at),
            corrections: Vec::new(),
            revisions: vec![RevisionRecord {
                version: 1,
                action: "import".into(),
                actor: None,
                snapshot,
                created_at: updated_at,
            }],
        })));
        // Every old address of the post leads to the article.
        let own_path = SitePath::of_article(&language, &slug);
        // A blog in a subfolder (`https://example.com/news/`) has its plain permalinks there
        // (`/news/?p=1`), and its home page is no post's old address.
        let home = self
            .scan
            .base_url
            .as_ref()
            .map(|u| u.path().trim_end_matches('/').to_owned())
            .unwrap_or_default();
        let mut paths: Vec<String> = Vec::new();
        if let Some(link) = item.child("link").map(str::trim).filter(|l| !l.is_empty()) {
            if let Ok(path) = SitePath::parse(link) {
                paths.push(path.as_str().to_owned());
            }
        }
        if let Ok(plain_permalink) = SitePath::parse(&format!("{home}/?p={id}")) {
            paths.push(plain_permalink.as_str().to_owned());
        }
        paths.dedup();
        let home_path = SitePath::parse(&format!("{home}/")).ok();
        for path in paths {
            if path == own_path.as_str()
                || path == "/"
                || home_path.as_ref().is_some_and(|h| h.as_str() == path)
            {
                continue;
            }
            records.push(Record::Redirect(RedirectRecord {
                from: path,
                to: RedirectTo {
                    article: Some(public_id.clone()),
                    ..RedirectTo::default()
                },
                status: 301,
                source: RedirectSource::Import,
                created_at: created,
            }));
        }
        Ok(records)
    }
}

/// Blocks Khabar would refuse are left out rather than refusing the post: an empty paragraph
/// after conversion, more blocks than an article holds.
fn trim_blocks(mut blocks: Vec<Block>) -> Vec<Block> {
    blocks.truncate(crate::domain::editorial::MAX_BLOCKS);
    blocks
}

/// WordPress's sized copies of an image (`_wp_attachment_metadata.sizes`) as renditions.
fn sizes(attachment: &Attachment) -> Vec<RenditionInput> {
    let Some(metadata) = &attachment.metadata else {
        return Vec::new();
    };
    let folder = attachment.url.rsplit_once('/').map_or("", |(f, _)| f);
    let mut out: Vec<RenditionInput> = metadata
        .get("sizes")
        .map(php::Value::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|(name, size)| {
            let file = size.get("file")?.as_str()?;
            if file.contains('/') || file.contains("..") {
                return None;
            }
            Some(RenditionInput {
                name: name.clone(),
                url: format!("{folder}/{file}"),
                mime_type: size
                    .get("mime-type")
                    .and_then(php::Value::as_str)
                    .unwrap_or("image/jpeg")
                    .to_owned(),
                width: size
                    .get("width")
                    .and_then(php::Value::as_int)
                    .and_then(|w| i32::try_from(w).ok())
                    .filter(|w| *w > 0),
                height: size
                    .get("height")
                    .and_then(php::Value::as_int)
                    .and_then(|h| i32::try_from(h).ok())
                    .filter(|h| *h > 0),
            })
        })
        .collect();
    out.sort_by(|a, b| a.width.cmp(&b.width).then(a.name.cmp(&b.name)));
    out
}

/// Downloads an attachment, at most `max_bytes`, within 30 s.
fn fetch(url: &str, max_bytes: usize) -> Option<Vec<u8>> {
    let parsed = url::Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let client = crate::outbound::client_builder(std::time::Duration::from_secs(30))
        .build()
        .ok()?;
    crate::storage::run_blocking(async move {
        let mut response = client.get(parsed).send().await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.ok()? {
            if bytes.len() + chunk.len() > max_bytes {
                return None;
            }
            bytes.extend_from_slice(&chunk);
        }
        Some(bytes)
    })
}

/// The media lookups of one post's content.
struct PostMedia<'r, 'a> {
    records: &'r mut Records<'a>,
    post: i64,
    line: u64,
    /// Images registered by URL for this post, to import before it.
    added: Vec<MediaRecord>,
}

impl MediaLookup for PostMedia<'_, '_> {
    fn by_attachment(&mut self, attachment: i64) -> Option<String> {
        let scan = self.records.scan;
        scan.attachment(attachment)
            .filter(|a| a.kind().is_some())
            .map(|a| scan.media_id(a))
    }

    fn by_url(&mut self, url: &str, alt: Option<&str>) -> Option<String> {
        let scan = self.records.scan;
        let absolute = match (url::Url::parse(url), &scan.base_url) {
            (Ok(parsed), _) => parsed,
            (Err(_), Some(base)) => base.join(url).ok()?,
            (Err(_), None) => return None,
        };
        if !matches!(absolute.scheme(), "http" | "https") {
            return None;
        }
        if let Some(index) = scan.attachment_urls.get(&normalize_url(absolute.as_str())) {
            let attachment = &scan.attachments[*index];
            return attachment.kind().map(|_| scan.media_id(attachment));
        }
        let address = absolute.to_string();
        if let Some(id) = self.records.external.get(&address) {
            return Some(id.clone());
        }
        let id = derived_id(&scan.site, "external", &address);
        self.records.external.insert(address.clone(), id.clone());
        let mime_type = match address.rsplit('.').next().map(str::to_ascii_lowercase).as_deref() {
            Some("png") => "image/png",
            Some("gif") => "image/gif",
            Some("webp") => "image/webp",
            _ => "image/jpeg",
        };
        self.added.push(MediaRecord {
            id: id.clone(),
            kind: MediaKind::Image,
            file: None,
            url: Some(address),
            mime_type: mime_type.into(),
            width: None,
            height: None,
            duration_ms: None,
            alt_text: alt
                .map(|a| bounded(a, MAX_MEDIA_TEXT).0)
                .filter(|a| !a.is_empty()),
            caption: None,
            credit: None,
            creator: None,
            copyright_holder: None,
            license: None,
            source: None,
            localized: BTreeMap::new(),
            focal_point: None,
            crops: BTreeMap::new(),
            renditions: Vec::new(),
            created_at: scan.made,
            updated_at: scan.made,
        });
        self.records.note(
            self.line,
            "image",
            self.post.to_string(),
            format!("{url} is no attachment of the export: registered by its URL, without a credit"),
        );
        Some(id)
    }

    fn by_attachment_url(&mut self, url: &str) -> Option<String> {
        let scan = self.records.scan;
        scan.attachment_urls
            .get(&normalize_url(url))
            .map(|i| &scan.attachments[*i])
            .filter(|a| a.kind().is_some())
            .map(|a| scan.media_id(a))
    }

    fn post_images(&mut self) -> Vec<String> {
        let scan = self.records.scan;
        scan.children
            .get(&self.post)
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| scan.attachment(*id))
                    .filter(|a| a.kind().is_some_and(|(k, _)| k == MediaKind::Image))
                    .map(|a| scan.media_id(a))
                    .collect()
            })
            .unwrap_or_default()
    }
}
