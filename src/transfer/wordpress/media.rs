//! A post's images among the export's attachments: WordPress's sized copies as renditions,
//! files fetched when asked, and the lookups content conversion makes by attachment id or URL.

use super::*;

/// WordPress's sized copies of an image (`_wp_attachment_metadata.sizes`) as renditions.
pub(super) fn sizes(attachment: &Attachment) -> Vec<RenditionInput> {
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
pub(super) fn fetch(url: &str, max_bytes: usize) -> Option<Vec<u8>> {
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
pub(super) struct PostMedia<'r, 'a> {
    pub(super) records: &'r mut Records<'a>,
    pub(super) post: i64,
    pub(super) line: u64,
    /// Images registered by URL for this post, to import before it.
    pub(super) added: Vec<MediaRecord>,
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
