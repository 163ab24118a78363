//! A post's content to Khabar's blocks: Gutenberg's block comments (`<!-- wp:image {…} -->`)
//! mapped block by block, classic HTML through [`super::html`], and WordPress shortcodes
//! (`[caption]`, `[embed]`, `[gallery]`, `[video]`). Whatever cannot be mapped is noted with the
//! line it is on.

mod gutenberg;

use std::collections::BTreeMap;

use scraper::Html;

use super::html::{selector, text_of};
use crate::domain::blocks::Block;
pub use gutenberg::{parse_blocks, GutenbergBlock, Piece};

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

#[cfg(test)]
mod tests;
