//! Classic WordPress content (HTML written in the old editor, `wpautop`'s blank-line
//! paragraphs, shortcodes) turned into Khabar's typed blocks. What has no block (a table, a
//! script, an unknown shortcode) is kept as text where it has text, and always noted.

use std::collections::BTreeMap;

use scraper::{ElementRef, Html, Node};

use super::content::{Converter, Note};
use super::embeds::{auto_embed, provider_of};
use crate::domain::blocks::{sanitize_inline, Block};

/// Elements that start a block of their own (`wpautop` leaves them out of paragraphs).
const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "div",
    "dl",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "iframe",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
    "video",
    "audio",
    "script",
    "style",
    "embed",
    "object",
];

/// `wpautop`: text separated by blank lines becomes paragraphs, single newlines line breaks;
/// block-level elements are left as they are.
pub fn autop(text: &str) -> String {
    let mut out = String::new();
    for chunk in text.replace("\r\n", "\n").split("\n\n") {
        let trimmed = chunk.trim();
        if trimmed.is_empty() {
            continue;
        }
        let starts_block = trimmed.strip_prefix('<').is_some_and(|rest| {
            let tag: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect::<String>()
                .to_ascii_lowercase();
            BLOCK_TAGS.contains(&tag.as_str()) || tag == "khabar-shortcode"
        });
        if starts_block {
            out.push_str(trimmed);
        } else {
            out.push_str("<p>");
            out.push_str(&trimmed.replace('\n', "<br>\n"));
            out.push_str("</p>");
        }
        out.push('\n');
    }
    out
}

/// Collapsed text of an element.
pub fn text_of(element: ElementRef<'_>) -> String {
    element
        .text()
        .collect::<Vec<_>>()
        .join("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A paragraph's inline HTML, sanitized; `None` when nothing readable is left.
pub fn paragraph(html: &str) -> Option<Block> {
    let clean = sanitize_inline(html);
    let visible = clean
        .replace("<br>", "")
        .replace("&nbsp;", " ")
        .replace('\u{a0}', " ");
    let has_text = Html::parse_fragment(&visible)
        .root_element()
        .text()
        .any(|t| !t.trim().is_empty());
    has_text.then(|| Block::Paragraph {
        html: clean.trim().to_owned(),
    })
}

impl Converter<'_> {
    /// Classic HTML to blocks; its shortcodes first become markers (`<khabar-shortcode>`).
    pub fn classic(&mut self, html: &str, line: u64) {
        let (marked, shortcodes) = self.extract_shortcodes(html, line);
        let document = Html::parse_fragment(&autop(&marked));
        let root = document.root_element();
        self.children(root, &shortcodes, line);
    }

    fn children(
        &mut self,
        parent: ElementRef<'_>,
        shortcodes: &BTreeMap<usize, super::content::Shortcode>,
        line: u64,
    ) {
        let mut loose = String::new();
        for child in parent.children() {
            match child.value() {
                Node::Text(text) => loose.push_str(text),
                Node::Element(_) => {
                    let element = ElementRef::wrap(child).expect("an element node");
                    let name = element.value().name().to_ascii_lowercase();
                    if [
                        "a", "strong", "b", "em", "i", "br", "span", "u", "sup", "sub", "small", "code",
                        "abbr",
                    ]
                    .contains(&name.as_str())
                        && !contains_block(element)
                    {
                        loose.push_str(&element.html());
                        continue;
                    }
                    self.flush(&mut loose);
                    self.element(element, &name, shortcodes, line);
                }
                _ => {}
            }
        }
        self.flush(&mut loose);
    }

    fn flush(&mut self, loose: &mut String) {
        if loose.trim().is_empty() {
            loose.clear();
            return;
        }
        let text = std::mem::take(loose);
        if let Some(embed) = auto_embed(&strip_tags(&text)) {
            self.blocks.push(embed);
        } else if let Some(block) = paragraph(&text) {
            self.blocks.push(block);
        }
    }

    fn element(
        &mut self,
        element: ElementRef<'_>,
        name: &str,
        shortcodes: &BTreeMap<usize, super::content::Shortcode>,
        line: u64,
    ) {
        match name {
            "p" => {
                if contains_block(element)
                    || element
                        .select(&selector("img, khabar-shortcode, iframe"))
                        .next()
                        .is_some()
                {
                    self.children(element, shortcodes, line);
                } else if let Some(embed) = auto_embed(&text_of(element)) {
                    self.blocks.push(embed);
                } else if let Some(block) = paragraph(&element.inner_html()) {
                    self.blocks.push(block);
                }
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level: u8 = name[1..].parse().unwrap_or(2);
                self.heading(level, &text_of(element), line);
            }
            "ul" | "ol" => {
                let items: Vec<String> = element
                    .children()
                    .filter_map(ElementRef::wrap)
                    .filter(|li| li.value().name() == "li")
                    .map(|li| sanitize_inline(&li.inner_html()).trim().to_owned())
                    .filter(|item| !item.is_empty())
                    .collect();
                if !items.is_empty() {
                    self.blocks.push(Block::List {
                        ordered: name == "ol",
                        items,
                    });
                }
            }
            "blockquote" => self.blockquote(element, line),
            "figure" => self.figure(element, line),
            "img" => self.image(element, None, line),
            "iframe" | "embed" => {
                let src = element.value().attr("src").unwrap_or_default();
                self.embed_url(src, line);
            }
            "video" => {
                let src = element
                    .value()
                    .attr("src")
                    .or_else(|| {
                        element
                            .select(&selector("source"))
                            .next()
                            .and_then(|s| s.value().attr("src"))
                    })
                    .unwrap_or_default()
                    .to_owned();
                self.video(&src, None, line);
            }
            "hr" => self.blocks.push(Block::Divider {}),
            "table" => {
                for row in element.select(&selector("tr")) {
                    let cells: Vec<String> = row
                        .children()
                        .filter_map(ElementRef::wrap)
                        .map(text_of)
                        .filter(|c| !c.is_empty())
                        .collect();
                    if let Some(block) = paragraph(&escape(&cells.join(" | "))) {
                        self.blocks.push(block);
                    }
                }
                self.note(
                    line,
                    "html",
                    "a table has no block: its rows were kept as paragraphs of text",
                );
            }
            "script" | "style" | "object" | "form" => {
                self.note(line, "html", &format!("a <{name}> element was removed"));
            }
            "pre" => {
                if let Some(block) =
                    paragraph(&escape(&element.text().collect::<String>()).replace('\n', "<br>"))
                {
                    self.blocks.push(block);
                }
            }
            "khabar-shortcode" => {
                let index: usize = element
                    .value()
                    .attr("data-index")
                    .and_then(|i| i.parse().ok())
                    .unwrap_or(usize::MAX);
                if let Some(shortcode) = shortcodes.get(&index) {
                    self.shortcode(shortcode);
                }
            }
            "audio" => self.note(line, "html", "an audio player has no block; left out"),
            _ => self.children(element, shortcodes, line),
        }
    }

    pub fn heading(&mut self, level: u8, text: &str, line: u64) {
        if text.trim().is_empty() {
            return;
        }
        let clamped = level.clamp(2, 4);
        if clamped != level {
            self.note(
                line,
                "heading",
                &format!("an h{level} became an h{clamped} (headings are 2 to 4)"),
            );
        }
        self.blocks.push(Block::Heading {
            level: clamped,
            text: text.trim().to_owned(),
        });
    }

    pub fn blockquote(&mut self, element: ElementRef<'_>, line: u64) {
        let class = element.value().attr("class").unwrap_or_default();
        if class.contains("twitter-tweet") || class.contains("instagram-media") {
            let link = element
                .select(&selector("a[href]"))
                .filter_map(|a| a.value().attr("href"))
                .last()
                .unwrap_or_default()
                .to_owned();
            self.embed_url(&link, line);
            return;
        }
        let cite = element
            .select(&selector("cite"))
            .next()
            .map(text_of)
            .filter(|c| !c.is_empty());
        let mut parts = Vec::new();
        for child in element.children() {
            match child.value() {
                Node::Text(text) if !text.trim().is_empty() => parts.push(text.trim().to_owned()),
                Node::Element(e) if e.name() != "cite" && e.name() != "footer" => {
                    let text = text_of(ElementRef::wrap(child).expect("an element node"));
                    if !text.is_empty() {
                        parts.push(text);
                    }
                }
                _ => {}
            }
        }
        let text = parts.join("\n");
        if !text.trim().is_empty() {
            self.blocks.push(Block::Quote { text, cite });
        }
    }

    fn figure(&mut self, element: ElementRef<'_>, line: u64) {
        let caption = element
            .select(&selector("figcaption"))
            .next()
            .map(text_of)
            .filter(|c| !c.is_empty());
        if let Some(img) = element.select(&selector("img")).next() {
            self.image(img, caption, line);
        } else if let Some(iframe) = element.select(&selector("iframe")).next() {
            self.embed_url(iframe.value().attr("src").unwrap_or_default(), line);
        } else if let Some(video) = element.select(&selector("video")).next() {
            let src = video.value().attr("src").unwrap_or_default().to_owned();
            self.video(&src, caption, line);
        } else {
            let inner = element.inner_html();
            self.classic(&inner, line);
        }
    }

    /// An `<img>`: the attachment it shows (its `wp-image-N` class, else its URL).
    pub fn image(&mut self, img: ElementRef<'_>, caption: Option<String>, line: u64) {
        let attachment = img
            .value()
            .attr("class")
            .unwrap_or_default()
            .split_whitespace()
            .find_map(|c| c.strip_prefix("wp-image-").and_then(|n| n.parse::<i64>().ok()));
        let src = img.value().attr("src").unwrap_or_default();
        let alt = img.value().attr("alt").map(str::to_owned);
        self.image_of(attachment, src, caption, alt, line);
    }

    pub fn image_of(
        &mut self,
        attachment: Option<i64>,
        src: &str,
        caption: Option<String>,
        alt: Option<String>,
        line: u64,
    ) {
        let found = attachment
            .and_then(|id| self.media.by_attachment(id))
            .or_else(|| {
                (!src.is_empty())
                    .then(|| self.media.by_url(src, alt.as_deref()))
                    .flatten()
            });
        match found {
            Some(media_id) => self.blocks.push(Block::Image { media_id, caption }),
            None => self.note(
                line,
                "image",
                &format!("the image {src} is neither an attachment of the export nor a web URL; left out"),
            ),
        }
    }

    pub fn embed_url(&mut self, url: &str, line: u64) {
        match provider_of(url) {
            Some(provider) => self.blocks.push(Block::Embed {
                provider,
                url: url.to_owned(),
            }),
            None => self.note(
                line,
                "embed",
                &format!("an embed of '{url}' is not a web URL; left out"),
            ),
        }
    }

    pub fn video(&mut self, src: &str, caption: Option<String>, line: u64) {
        if let Some(media_id) = self.media.by_attachment_url(src) {
            self.blocks.push(Block::Video {
                media_id: Some(media_id),
                url: None,
                caption,
            });
        } else if provider_of(src).is_some() {
            self.blocks.push(Block::Video {
                media_id: None,
                url: Some(src.to_owned()),
                caption,
            });
        } else {
            self.note(
                line,
                "video",
                &format!("the video '{src}' is not a web URL; left out"),
            );
        }
    }

    pub fn note(&mut self, line: u64, kind: &str, message: &str) {
        self.notes.push(Note {
            line,
            kind: kind.to_owned(),
            message: message.to_owned(),
        });
    }
}

fn contains_block(element: ElementRef<'_>) -> bool {
    element
        .descendants()
        .skip(1)
        .filter_map(ElementRef::wrap)
        .any(|e| {
            let name = e.value().name();
            BLOCK_TAGS.contains(&name) && name != "p"
        })
}

pub fn selector(css: &str) -> scraper::Selector {
    scraper::Selector::parse(css).expect("a static selector")
}

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn strip_tags(html: &str) -> String {
    Html::parse_fragment(html)
        .root_element()
        .text()
        .collect::<String>()
}
