//! The first pass over a WordPress export: what posts refer to (the site, authors, terms,
//! attachments, translation groups), and the version and identity checks made before anything
//! is written.

use super::*;

/// A category or tag.
#[derive(Debug, Clone)]
pub(super) struct Term {
    pub(super) line: u64,
    pub(super) kind: TopicKind,
    pub(super) slug: String,
    pub(super) name: String,
    pub(super) description: Option<String>,
    pub(super) parent: Option<String>,
}

/// What the first pass found.
#[derive(Debug, Default)]
pub(super) struct Scan {
    /// The site's address, the namespace of every derived id.
    pub(super) site: String,
    pub(super) base_url: Option<url::Url>,
    pub(super) language: String,
    /// When the file was made: the time of what has no time of its own.
    pub(super) made: DateTime<Utc>,
    pub(super) authors: Vec<(u64, String, String)>,
    pub(super) author_slugs: HashMap<String, String>,
    pub(super) terms: Vec<Term>,
    /// (taxonomy, WordPress slug) → Khabar topic slug.
    pub(super) term_slugs: HashMap<(String, String), String>,
    pub(super) term_ids: HashMap<i64, String>,
    pub(super) attachments: Vec<Attachment>,
    pub(super) attachment_index: HashMap<i64, usize>,
    pub(super) attachment_urls: HashMap<String, usize>,
    pub(super) children: HashMap<i64, Vec<i64>>,
    /// Translation key of each post (Polylang's group, WPML's), and the first post of each key.
    pub(super) translation_keys: HashMap<i64, String>,
    pub(super) first_of_key: HashMap<String, i64>,
    pub(super) notes: Vec<Finding>,
    /// `wp:wxr_version`: WordPress refuses a file without one, or with one that is no version.
    pub(super) wxr_version: Option<String>,
    /// The line of the first item of each WordPress id (posts, pages and attachments share
    /// one id space): a later item with the same id is refused, never written over the first.
    pub(super) first_item: HashMap<i64, u64>,
    /// Terms posts name that the channel does not declare (WordPress creates them on import):
    /// line, taxonomy, slug as written, name.
    pub(super) undeclared: Vec<(u64, String, String, String)>,
    /// Authors posts name (`dc:creator`) with no `wp:author` record: WXR 1.0 has none.
    pub(super) creators: Vec<(u64, String)>,
    /// Taxonomies named on posts that Khabar does not map, with how many posts name them.
    pub(super) unmapped_taxonomies: BTreeMap<String, (u64, u64)>,
}

pub(super) fn scan(path: &Path, options: &WordpressOptions) -> Result<Scan, ImportError> {
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
pub(super) const NEWEST_WXR: (u64, u64) = (1, 2);

/// WordPress refuses a file whose `wp:wxr_version` is missing or not `digits.digits`
/// (`WXR_Parser_SimpleXML`): it is not an export, whatever else it looks like.
pub(super) fn check_version(version: Option<&str>, notes: &mut Vec<Finding>) -> Result<(), ImportError> {
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
    pub(super) fn record(&mut self, record: Element) {
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

    pub(super) fn term(&mut self, record: Element) {
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

    pub(super) fn item(&mut self, item: Element) {
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
    pub(super) fn item_terms(&mut self, item: &Element) {
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
    pub(super) fn declare_undeclared_terms(&mut self) {
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
    pub(super) fn head_records(&self) -> VecDeque<Line> {
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

    pub(super) fn attachment(&self, id: i64) -> Option<&Attachment> {
        self.attachment_index.get(&id).map(|i| &self.attachments[*i])
    }

    pub(super) fn media_id(&self, attachment: &Attachment) -> String {
        derived_id(&self.site, "attachment", attachment.id)
    }
}
