//! The second pass over a WordPress export: the records made lazily from it, media first,
//! then each post's, and how a post's images are found among the attachments.

use super::*;

/// The lazily made records: media, then each post's.
pub(super) struct Records<'a> {
    pub(super) scan: &'a Scan,
    pub(super) media: &'a crate::uploads::MediaStore,
    pub(super) wordpress: &'a WordpressOptions,
    pub(super) notes: Rc<RefCell<Vec<Finding>>>,
    pub(super) skipped: Rc<RefCell<Vec<String>>>,
    pub(super) queue: VecDeque<Line>,
    pub(super) attachments: std::slice::Iter<'a, Attachment>,
    pub(super) reader: Option<WxrReader<BufReader<std::fs::File>>>,
    /// (language, slug) given to posts so far: two posts with one slug get told apart.
    pub(super) used_slugs: HashSet<(String, String)>,
    /// Images content shows by a URL that is no attachment: registered once each.
    pub(super) external: HashMap<String, String>,
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
    pub(super) fn left_out(&self, line: u64, kind: &str, key: impl Into<String>, message: impl Into<String>) {
        self.skipped.borrow_mut().push(kind.to_owned());
        self.note(line, kind, key, message);
    }

    pub(super) fn note(&self, line: u64, kind: &str, key: impl Into<String>, message: impl Into<String>) {
        self.notes.borrow_mut().push(Finding {
            line,
            kind: kind.to_owned(),
            key: key.into(),
            message: message.into(),
        });
    }

    /// The bytes of an attachment's file, from the uploads copy or the web.
    pub(super) fn file_of(&self, attachment: &Attachment) -> Option<Vec<u8>> {
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

    pub(super) fn attachment_record(&mut self, attachment: &Attachment) -> Option<Line> {
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

    pub(super) fn item(&mut self, item: Element) {
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
}

/// Blocks Khabar would refuse are left out rather than refusing the post: an empty paragraph
/// after conversion, more blocks than an article holds.
pub(super) fn trim_blocks(mut blocks: Vec<Block>) -> Vec<Block> {
    blocks.truncate(crate::domain::editorial::MAX_BLOCKS);
    blocks
}
