//! A post's content to Khabar's blocks: Gutenberg's block comments (`<!-- wp:image {…} -->`)
//! mapped block by block, classic HTML through [`super::html`], and WordPress shortcodes
//! (`[caption]`, `[embed]`, `[gallery]`, `[video]`). Whatever cannot be mapped is noted with the
//! line it is on.

use std::collections::BTreeMap;

use scraper::Html;

use super::html::{selector, text_of};
use crate::domain::blocks::Block;

/// Finds the media a post's content shows.
pub trait MediaLookup {
    /// The media public id of an attachment of the export.
    fn by_attachment(&mut self, attachment: i64) -> Option<String>;
    /// The attachment an image URL shows (sized variants included), else the image registered
    /// by its URL; `None` for a URL that is not a web address.
    fn by_url(&mut self, url: &str, alt: Option<&str>) -> Option<String>;
    /// An attachment by its URL only (videos, audio).
    fn by_attachment_url(&mut self, url: &str) -> Option<String>;
    /// The image attachments of the post being converted (a `[gallery]` without `ids`).
    fn post_images(&mut self) -> Vec<String>;
}

/// Something that was not mapped, or mapped with a caveat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub line: u64,
    pub kind: String,
    pub message: String,
}

pub struct Converter<'a> {
    pub media: &'a mut dyn MediaLookup,
    pub blocks: Vec<Block>,
    pub notes: Vec<Note>,
    /// The content being converted and the file line it starts on, to locate notes.
    source: String,
    first_line: u64,
}

/// A shortcode: `[name attrs]inner[/name]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortcode {
    pub name: String,
    pub attributes: BTreeMap<String, String>,
    pub inner: String,
    pub line: u64,
}

/// Shortcodes that become blocks; any other is left as text and noted.
const KNOWN_SHORTCODES: &[&str] = &[
    "caption",
    "wp_caption",
    "embed",
    "gallery",
    "video",
    "audio",
    "playlist",
];

/// Converts `content` (starting on line `line` of the file).
pub fn convert(content: &str, line: u64, media: &mut dyn MediaLookup) -> (Vec<Block>, Vec<Note>) {
    let mut converter = Converter::new(media);
    converter.source = content.to_owned();
    converter.first_line = line;
    match parse_blocks(content) {
        Some(pieces) => converter.pieces(&pieces),
        None => converter.classic(content, line),
    }
    (converter.blocks, converter.notes)
}

impl<'a> Converter<'a> {
    pub fn new(media: &'a mut dyn MediaLookup) -> Self {
        Converter {
            media,
            blocks: Vec::new(),
            notes: Vec::new(),
            source: String::new(),
            first_line: 0,
        }
    }

    /// The file line of byte `offset` of the content.
    fn line_at(&self, offset: usize) -> u64 {
        let end = offset.min(self.source.len());
        let end = (0..=end)
            .rev()
            .find(|i| self.source.is_char_boundary(*i))
            .unwrap_or(0);
        self.first_line + self.source[..end].matches('\n').count() as u64
    }

    fn pieces(&mut self, pieces: &[Piece]) {
        for piece in pieces {
            match piece {
                Piece::Html { html, offset } => {
                    if !html.trim().is_empty() {
                        let line = self.line_at(*offset);
                        self.classic(html, line);
                    }
                }
                Piece::Block(block) => self.block(block),
            }
        }
    }

    fn block(&mut self, block: &GutenbergBlock) {
        let line = self.line_at(block.offset);
        let name = block.name.strip_prefix("core/").unwrap_or(&block.name);
        let html = block.inner_html();
        match name {
            // HTML blocks, their inner blocks (list items, a quote's paragraphs) included.
            "paragraph" | "heading" | "list" | "list-item" | "quote" | "pullquote" | "separator"
            | "table" | "html" | "freeform" | "shortcode" | "preformatted" | "code" | "verse" | "video"
            | "file" => {
                self.classic(&block.full_html(), line);
            }
            "image" => {
                let document = Html::parse_fragment(&html);
                let root = document.root_element();
                let caption = root
                    .select(&selector("figcaption"))
                    .next()
                    .map(text_of)
                    .filter(|c| !c.is_empty());
                let img = root.select(&selector("img")).next();
                let src = img
                    .and_then(|i| i.value().attr("src"))
                    .unwrap_or_default()
                    .to_owned();
                let alt = img.and_then(|i| i.value().attr("alt")).map(str::to_owned);
                let id = block.attributes.get("id").and_then(|v| v.as_i64());
                self.image_of(id, &src, caption, alt, line);
            }
            "gallery" => {
                let before = self.blocks.len();
                if block.children().next().is_some() {
                    let children: Vec<Piece> = block
                        .pieces
                        .iter()
                        .filter(|p| matches!(p, Piece::Block(_)))
                        .cloned()
                        .collect();
                    self.pieces(&children);
                } else if let Some(ids) = block.attributes.get("ids").and_then(|v| v.as_array()) {
                    for id in ids.iter().filter_map(|v| v.as_i64()) {
                        self.image_of(Some(id), "", None, None, line);
                    }
                } else {
                    self.classic(&html, line);
                }
                let shown = self.blocks.len() - before;
                self.note(line, "gallery", &format!("a gallery became {shown} image blocks"));
            }
            "embed" | "core-embed" => self.embed_block(block, line),
            other if other.starts_with("core-embed/") => self.embed_block(block, line),
            // Layout around other blocks: what they hold, in order.
            "group" | "columns" | "column" | "cover" | "media-text" | "buttons" | "button" | "details" => {
                self.pieces(&block.pieces);
            }
            "more" | "nextpage" | "spacer" => {
                if name == "nextpage" {
                    self.note(line, "block", "a page break (<!--nextpage-->) was removed");
                }
            }
            "audio" => self.note(line, "block", "an audio block has no Khabar block; left out"),
            _ => {
                let dynamic = block
                    .pieces
                    .iter()
                    .all(|p| matches!(p, Piece::Html { html, .. } if html.trim().is_empty()));
                if dynamic {
                    self.note(
                        line,
                        "block",
                        &format!(
                            "the block {} is rendered by WordPress itself (it holds no content); left out",
                            block.name
                        ),
                    );
                } else {
                    self.note(
                        line,
                        "block",
                        &format!(
                            "the block {} is not a Khabar block; its content was kept as HTML",
                            block.name
                        ),
                    );
                    self.pieces(&block.pieces);
                }
            }
        }
    }

    fn embed_block(&mut self, block: &GutenbergBlock, line: u64) {
        let url = block
            .attributes
            .get("url")
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .unwrap_or_else(|| super::html::strip_tags(&block.inner_html()).trim().to_owned());
        self.embed_url(&url, line);
    }

    /// Replaces the shortcodes of `html` by markers; unknown ones stay as text and are noted.
    pub fn extract_shortcodes(&mut self, html: &str, line: u64) -> (String, BTreeMap<usize, Shortcode>) {
        let mut out = String::with_capacity(html.len());
        let mut found = BTreeMap::new();
        let mut rest = html;
        let mut consumed = 0;
        while let Some(start) = rest.find('[') {
            out.push_str(&rest[..start]);
            let at = &rest[start..];
            let offset_line = line + html[..consumed + start].matches('\n').count() as u64;
            match parse_shortcode(at) {
                Some((shortcode, length)) if KNOWN_SHORTCODES.contains(&shortcode.name.as_str()) => {
                    let index = found.len();
                    out.push_str(&format!(
                        "<khabar-shortcode data-index=\"{index}\"></khabar-shortcode>"
                    ));
                    found.insert(
                        index,
                        Shortcode {
                            line: offset_line,
                            ..shortcode
                        },
                    );
                    rest = &at[length..];
                    consumed += start + length;
                }
                Some((shortcode, length)) => {
                    self.note(
                        offset_line,
                        "shortcode",
                        &format!("the shortcode [{}] is not known; kept as text", shortcode.name),
                    );
                    out.push_str(&at[..length]);
                    rest = &at[length..];
                    consumed += start + length;
                }
                None => {
                    out.push('[');
                    rest = &at[1..];
                    consumed += start + 1;
                }
            }
        }
        out.push_str(rest);
        (out, found)
    }

    pub fn shortcode(&mut self, shortcode: &Shortcode) {
        let line = shortcode.line;
        match shortcode.name.as_str() {
            "caption" | "wp_caption" => {
                let document = Html::parse_fragment(&shortcode.inner);
                let root = document.root_element();
                let img = root.select(&selector("img")).next();
                let src = img
                    .and_then(|i| i.value().attr("src"))
                    .unwrap_or_default()
                    .to_owned();
                let alt = img.and_then(|i| i.value().attr("alt")).map(str::to_owned);
                let attachment = shortcode
                    .attributes
                    .get("id")
                    .and_then(|id| id.strip_prefix("attachment_"))
                    .and_then(|n| n.parse::<i64>().ok())
                    .or_else(|| {
                        img.and_then(|i| i.value().attr("class")).and_then(|c| {
                            c.split_whitespace()
                                .find_map(|c| c.strip_prefix("wp-image-").and_then(|n| n.parse().ok()))
                        })
                    });
                let caption = shortcode.attributes.get("caption").cloned().or_else(|| {
                    let text = text_of(root);
                    (!text.is_empty()).then_some(text)
                });
                self.image_of(attachment, &src, caption, alt, line);
            }
            "embed" => {
                let url = super::html::strip_tags(&shortcode.inner).trim().to_owned();
                self.embed_url(&url, line);
            }
            "gallery" => {
                let ids: Vec<i64> = shortcode
                    .attributes
                    .get("ids")
                    .or_else(|| shortcode.attributes.get("include"))
                    .map(|ids| ids.split(',').filter_map(|id| id.trim().parse().ok()).collect())
                    .unwrap_or_default();
                let before = self.blocks.len();
                if ids.is_empty() {
                    for media_id in self.media.post_images() {
                        self.blocks.push(Block::Image {
                            media_id,
                            caption: None,
                        });
                    }
                } else {
                    for id in ids {
                        self.image_of(Some(id), "", None, None, line);
                    }
                }
                let shown = self.blocks.len() - before;
                self.note(line, "gallery", &format!("[gallery] became {shown} image blocks"));
            }
            "video" => {
                let src = ["src", "mp4", "m4v", "webm", "ogv"]
                    .iter()
                    .find_map(|k| shortcode.attributes.get(*k))
                    .cloned()
                    .unwrap_or_default();
                self.video(&src, None, line);
            }
            other => self.note(
                line,
                "shortcode",
                &format!("[{other}] has no Khabar block; left out"),
            ),
        }
    }
}

/// `[name attr="v" …]inner[/name]` at the start of `text`: the shortcode and its length.
/// Names are lower-case ASCII (so `[AFP]` or `[1]` in a sentence are text); `[[x]]` is WordPress's
/// escape for literal text.
fn parse_shortcode(text: &str) -> Option<(Shortcode, usize)> {
    if text.starts_with("[[") {
        return None;
    }
    let close = text.find(']')?;
    if close > 4000 {
        return None;
    }
    let opening = &text[1..close];
    let self_closing = opening.trim_end().ends_with('/');
    let opening = opening.trim_end().trim_end_matches('/');
    let name_end = opening.find(|c: char| c.is_whitespace()).unwrap_or(opening.len());
    let name = &opening[..name_end];
    let well_named = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !well_named {
        return None;
    }
    let attributes = parse_attributes(&opening[name_end..]);
    let mut length = close + 1;
    let mut inner = String::new();
    if !self_closing {
        let closing = format!("[/{name}]");
        if let Some(end) = text[length..].find(&closing) {
            inner = text[length..length + end].to_owned();
            length += end + closing.len();
        }
    }
    Some((
        Shortcode {
            name: name.to_owned(),
            attributes,
            inner,
            line: 0,
        },
        length,
    ))
}

fn parse_attributes(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let key_end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let key = rest[..key_end].to_ascii_lowercase();
        rest = rest[key_end..].trim_start();
        let value;
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            match after.chars().next() {
                Some(quote @ ('"' | '\'' | '\u{201d}' | '\u{2033}')) => {
                    let body = &after[quote.len_utf8()..];
                    let end = body
                        .find(|c| c == quote || (quote == '\u{201d}' && c == '\u{201d}'))
                        .unwrap_or(body.len());
                    value = body[..end].to_owned();
                    rest = body.get(end + quote.len_utf8()..).unwrap_or("").trim_start();
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    value = after[..end].to_owned();
                    rest = after[end..].trim_start();
                }
            }
        } else {
            value = String::new();
        }
        if !key.is_empty() {
            out.insert(key, value);
        }
    }
    out
}

/// A piece of Gutenberg content: HTML between block comments, or a block.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Html { html: String, offset: usize },
    Block(GutenbergBlock),
}

#[derive(Debug, Clone, PartialEq)]
pub struct GutenbergBlock {
    /// `core/paragraph` (a name without a namespace is core's).
    pub name: String,
    pub attributes: serde_json::Value,
    pub pieces: Vec<Piece>,
    pub offset: usize,
}

impl GutenbergBlock {
    /// The block's own HTML, without its inner blocks.
    pub fn inner_html(&self) -> String {
        self.pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Html { html, .. } => Some(html.as_str()),
                Piece::Block(_) => None,
            })
            .collect()
    }

    /// The block's HTML with its inner blocks' HTML in place (their comments left out).
    pub fn full_html(&self) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Html { html, .. } => out.push_str(html),
                Piece::Block(inner) => out.push_str(&inner.full_html()),
            }
        }
        out
    }

    pub fn children(&self) -> impl Iterator<Item = &GutenbergBlock> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Block(b) => Some(b),
            Piece::Html { .. } => None,
        })
    }
}

/// How deep blocks may nest (columns in groups in columns…).
const MAX_NESTING: usize = 32;

/// Parses Gutenberg's serialized blocks; `None` when the content has no block comments.
pub fn parse_blocks(content: &str) -> Option<Vec<Piece>> {
    if !content.contains("<!-- wp:") {
        return None;
    }
    let root = GutenbergBlock {
        name: String::new(),
        attributes: serde_json::Value::Null,
        pieces: Vec::new(),
        offset: 0,
    };
    let mut stack = vec![root];
    let mut position = 0;
    while let Some(found) = content[position..].find("<!--") {
        let start = position + found;
        if start > position {
            push_html(&mut stack, &content[position..start], position);
        }
        let Some(length) = content[start..].find("-->") else {
            push_html(&mut stack, &content[start..], start);
            position = content.len();
            break;
        };
        let end = start + length + 3;
        let comment = content[start + 4..start + length].trim();
        if let Some(opening) = comment.strip_prefix("wp:") {
            let void = opening.ends_with('/');
            let opening = opening.trim_end_matches('/').trim();
            let (name, attributes) = match opening.find(char::is_whitespace) {
                Some(space) => (
                    &opening[..space],
                    serde_json::from_str(opening[space..].trim()).unwrap_or(serde_json::Value::Null),
                ),
                None => (opening, serde_json::Value::Null),
            };
            let name = if name.contains('/') {
                name.to_owned()
            } else {
                format!("core/{name}")
            };
            let block = GutenbergBlock {
                name,
                attributes,
                pieces: Vec::new(),
                offset: start,
            };
            if void || stack.len() > MAX_NESTING {
                stack.last_mut()?.pieces.push(Piece::Block(block));
            } else {
                stack.push(block);
            }
        } else if comment.starts_with("/wp:") {
            if stack.len() > 1 {
                let done = stack.pop()?;
                stack.last_mut()?.pieces.push(Piece::Block(done));
            }
        } else {
            // An ordinary HTML comment: nothing a reader sees.
        }
        position = end;
    }
    if position < content.len() {
        push_html(&mut stack, &content[position..], position);
    }
    // Blocks left open at the end are closed where the content ends.
    while stack.len() > 1 {
        let done = stack.pop()?;
        stack.last_mut()?.pieces.push(Piece::Block(done));
    }
    Some(stack.pop()?.pieces)
}

fn push_html(stack: &mut [GutenbergBlock], html: &str, offset: usize) {
    if let Some(top) = stack.last_mut() {
        top.pieces.push(Piece::Html {
            html: html.to_owned(),
            offset,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Attachments 10 and 11 exist; any web URL is accepted as an external image.
    struct Fixture;

    impl MediaLookup for Fixture {
        fn by_attachment(&mut self, attachment: i64) -> Option<String> {
            [10, 11]
                .contains(&attachment)
                .then(|| format!("media-{attachment}"))
        }
        fn by_url(&mut self, url: &str, _alt: Option<&str>) -> Option<String> {
            if url.contains("photo-1024x683.jpg") || url.ends_with("photo.jpg") {
                return Some("media-10".into());
            }
            url.starts_with("http").then(|| format!("external:{url}"))
        }
        fn by_attachment_url(&mut self, url: &str) -> Option<String> {
            url.ends_with("clip.mp4").then(|| "media-video".into())
        }
        fn post_images(&mut self) -> Vec<String> {
            vec!["media-10".into(), "media-11".into()]
        }
    }

    fn convert_text(content: &str) -> (Vec<Block>, Vec<Note>) {
        convert(content, 100, &mut Fixture)
    }

    #[test]
    fn gutenberg_blocks_map_one_to_one() {
        let content = r#"<!-- wp:paragraph -->
<p>وصل <strong>الوزير</strong> إلى طرابلس.</p>
<!-- /wp:paragraph -->

<!-- wp:heading {"level":3} -->
<h3>العنوان</h3>
<!-- /wp:heading -->

<!-- wp:image {"id":10,"sizeSlug":"large"} -->
<figure class="wp-block-image size-large"><img src="https://old.example.com/wp-content/uploads/2020/07/photo-1024x683.jpg" alt="" class="wp-image-10"/><figcaption>السراج وأكار</figcaption></figure>
<!-- /wp:image -->

<!-- wp:embed {"url":"https://www.youtube.com/watch?v=abc","type":"video","providerNameSlug":"youtube"} -->
<figure class="wp-block-embed"><div class="wp-block-embed__wrapper">
https://www.youtube.com/watch?v=abc
</div></figure>
<!-- /wp:embed -->

<!-- wp:list {"ordered":true} -->
<ol><li>أول</li><li>ثان</li></ol>
<!-- /wp:list -->

<!-- wp:quote -->
<blockquote class="wp-block-quote"><p>قول</p><cite>قائل</cite></blockquote>
<!-- /wp:quote -->

<!-- wp:separator /-->
<!-- wp:separator -->
<hr class="wp-block-separator"/>
<!-- /wp:separator -->

<!-- wp:gallery {"ids":[10,11]} -->
<figure class="wp-block-gallery"><ul><li><img src="x" class="wp-image-10"/></li><li><img src="y" class="wp-image-11"/></li></ul></figure>
<!-- /wp:gallery -->

<!-- wp:latest-posts /-->"#;
        let (blocks, notes) = convert_text(content);
        assert_eq!(
            blocks[0],
            Block::Paragraph {
                html: "وصل <strong>الوزير</strong> إلى طرابلس.".into()
            }
        );
        assert_eq!(
            blocks[1],
            Block::Heading {
                level: 3,
                text: "العنوان".into()
            }
        );
        assert_eq!(
            blocks[2],
            Block::Image {
                media_id: "media-10".into(),
                caption: Some("السراج وأكار".into())
            }
        );
        assert_eq!(
            blocks[3],
            Block::Embed {
                provider: "youtube".into(),
                url: "https://www.youtube.com/watch?v=abc".into()
            }
        );
        assert_eq!(
            blocks[4],
            Block::List {
                ordered: true,
                items: vec!["أول".into(), "ثان".into()]
            }
        );
        assert_eq!(
            blocks[5],
            Block::Quote {
                text: "قول".into(),
                cite: Some("قائل".into())
            }
        );
        assert_eq!(
            blocks[6],
            Block::Divider {},
            "the void separator has no HTML: nothing"
        );
        let images: Vec<&Block> = blocks
            .iter()
            .filter(|b| matches!(b, Block::Image { .. }))
            .collect();
        assert_eq!(images.len(), 3, "{blocks:?}");
        assert!(notes.iter().any(|n| n.kind == "gallery"));
        let dynamic = notes.iter().find(|n| n.message.contains("latest-posts")).unwrap();
        assert_eq!(
            dynamic.line,
            100 + content[..content.find("wp:latest").unwrap()]
                .matches('\n')
                .count() as u64
        );
    }

    #[test]
    fn classic_content_and_shortcodes() {
        let content = "First paragraph with <em>emphasis</em>.\n\nSecond line one\nline two\n\n[caption id=\"attachment_11\" align=\"alignnone\" width=\"640\"]<img class=\"size-large\" src=\"https://old.example.com/a.jpg\" alt=\"\" /> The caption[/caption]\n\nhttps://twitter.com/afp/status/1\n\n[embed]https://vimeo.com/123[/embed]\n\n[gallery]\n\n[contact-form-7 id=\"5\"]\n\n<h1>Big</h1>\n<table><tr><td>a</td><td>b</td></tr></table>\n<script>alert(1)</script>\n\n[[escaped]] and [AFP] stay text";
        let (blocks, notes) = convert_text(content);
        assert_eq!(
            blocks[0],
            Block::Paragraph {
                html: "First paragraph with <em>emphasis</em>.".into()
            }
        );
        assert_eq!(
            blocks[1],
            Block::Paragraph {
                html: "Second line one<br>\nline two".into()
            }
        );
        assert_eq!(
            blocks[2],
            Block::Image {
                media_id: "media-11".into(),
                caption: Some("The caption".into())
            }
        );
        assert_eq!(
            blocks[3],
            Block::Embed {
                provider: "twitter".into(),
                url: "https://twitter.com/afp/status/1".into()
            }
        );
        assert_eq!(
            blocks[4],
            Block::Embed {
                provider: "vimeo".into(),
                url: "https://vimeo.com/123".into()
            }
        );
        assert_eq!(
            blocks[5],
            Block::Image {
                media_id: "media-10".into(),
                caption: None
            }
        );
        assert_eq!(
            blocks[6],
            Block::Image {
                media_id: "media-11".into(),
                caption: None
            }
        );
        let unknown = notes
            .iter()
            .find(|n| n.message.contains("contact-form-7"))
            .unwrap();
        assert_eq!(unknown.kind, "shortcode");
        let at = content.find("[contact-form-7").unwrap();
        assert_eq!(unknown.line, 100 + content[..at].matches('\n').count() as u64);
        assert!(blocks
            .iter()
            .any(|b| matches!(b, Block::Paragraph { html } if html.contains("contact-form-7"))));
        assert!(blocks.contains(&Block::Heading {
            level: 2,
            text: "Big".into()
        }));
        assert!(blocks.contains(&Block::Paragraph { html: "a | b".into() }));
        assert!(notes.iter().any(|n| n.message.contains("<script>")));
        assert!(!blocks
            .iter()
            .any(|b| matches!(b, Block::Paragraph { html } if html.contains("alert"))));
        assert!(blocks
            .iter()
            .any(|b| matches!(b, Block::Paragraph { html } if html.contains("[[escaped]] and [AFP]"))));
    }

    #[test]
    fn shortcode_attributes_in_every_quoting() {
        let (code, length) =
            parse_shortcode("[gallery ids=\"1,2\" columns='3' link=file size=large] tail").unwrap();
        assert_eq!(
            length,
            "[gallery ids=\"1,2\" columns='3' link=file size=large]".len()
        );
        assert_eq!(code.attributes["ids"], "1,2");
        assert_eq!(code.attributes["columns"], "3");
        assert_eq!(code.attributes["link"], "file");
        assert!(parse_shortcode("[1]").is_none());
        assert!(parse_shortcode("[AFP]").is_none());
        assert!(parse_shortcode("[[caption]]").is_none());
        assert!(parse_shortcode("[unterminated").is_none());
    }

    #[test]
    fn broken_block_comments_do_not_lose_content() {
        let (blocks, _) =
            convert_text("<!-- wp:paragraph --><p>open</p><!-- wp:paragraph {bad json} --><p>x</p>");
        assert_eq!(blocks.len(), 2, "{blocks:?}");
        let deep = "<!-- wp:group -->".repeat(100) + "<p>deep</p>";
        let (blocks, _) = convert_text(&deep);
        assert_eq!(blocks, vec![Block::Paragraph { html: "deep".into() }]);
    }
}
