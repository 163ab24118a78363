//! Article bodies as typed blocks, and the HTML and plain text rendered from them.
//!
//! Front-ends interleave their own slots (ads, newsletters) between blocks, so the block list is
//! the primary form; `body_html` and `body_text` are derived from it. Paragraph HTML is limited
//! to a small inline set and sanitized when written, so rendering can trust what is stored.

use std::collections::HashSet;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// One block of an article body. Media are referenced by their public id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Block {
    /// Inline HTML limited to `a[href]`, `strong`, `b`, `em`, `i` and `br`.
    Paragraph {
        html: String,
    },
    Heading {
        level: u8,
        text: String,
    },
    Quote {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cite: Option<String>,
    },
    List {
        #[serde(default)]
        ordered: bool,
        /// Each item is inline HTML with the same rules as a paragraph.
        items: Vec<String>,
    },
    Image {
        media_id: String,
        /// Replaces the asset's own caption in this article only.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caption: Option<String>,
    },
    Video {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        media_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caption: Option<String>,
    },
    Embed {
        provider: String,
        url: String,
    },
    Divider,
}

impl Block {
    /// The `kind` column value, which the schema checks against the same list.
    pub fn kind(&self) -> &'static str {
        match self {
            Block::Paragraph { .. } => "paragraph",
            Block::Heading { .. } => "heading",
            Block::Quote { .. } => "quote",
            Block::List { .. } => "list",
            Block::Image { .. } => "image",
            Block::Video { .. } => "video",
            Block::Embed { .. } => "embed",
            Block::Divider => "divider",
        }
    }

    /// The public id of the media asset this block shows, if any.
    pub fn media_id(&self) -> Option<&str> {
        match self {
            Block::Image { media_id, .. } => Some(media_id),
            Block::Video { media_id, .. } => media_id.as_deref(),
            _ => None,
        }
    }
}

/// A problem with one block, located by its index in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockError {
    pub index: usize,
    pub field: &'static str,
    pub message: String,
}

/// Checks the rules a block's shape alone cannot express and sanitizes its inline HTML.
pub fn validate_and_sanitize(blocks: Vec<Block>) -> Result<Vec<Block>, Vec<BlockError>> {
    let mut errors = Vec::new();
    let mut fail = |index, field, message: &str| {
        errors.push(BlockError {
            index,
            field,
            message: message.to_owned(),
        })
    };
    let mut clean = Vec::with_capacity(blocks.len());
    for (index, block) in blocks.into_iter().enumerate() {
        let block = match block {
            Block::Paragraph { html } => {
                let html = sanitize_inline(&html);
                if html.trim().is_empty() {
                    fail(index, "html", "a paragraph needs text");
                }
                Block::Paragraph { html }
            }
            Block::Heading { level, text } => {
                if !(2..=4).contains(&level) {
                    fail(index, "level", "heading level must be 2, 3 or 4");
                }
                if text.trim().is_empty() {
                    fail(index, "text", "a heading needs text");
                }
                Block::Heading { level, text }
            }
            Block::List { ordered, items } => {
                if items.is_empty() {
                    fail(index, "items", "a list needs at least one item");
                }
                let items = items.iter().map(|item| sanitize_inline(item)).collect();
                Block::List { ordered, items }
            }
            Block::Video {
                media_id,
                url,
                caption,
            } => {
                if media_id.is_none() == url.is_none() {
                    fail(index, "media_id", "a video needs exactly one of media_id or url");
                }
                if url.as_deref().is_some_and(|u| !is_web_url(u)) {
                    fail(index, "url", "must be an http or https URL");
                }
                Block::Video {
                    media_id,
                    url,
                    caption,
                }
            }
            Block::Embed { provider, url } => {
                if provider.trim().is_empty() {
                    fail(index, "provider", "an embed needs a provider");
                }
                if !is_web_url(&url) {
                    fail(index, "url", "must be an http or https URL");
                }
                Block::Embed { provider, url }
            }
            Block::Quote { text, cite } => {
                if text.trim().is_empty() {
                    fail(index, "text", "a quote needs text");
                }
                Block::Quote { text, cite }
            }
            other => other,
        };
        clean.push(block);
    }
    if errors.is_empty() {
        Ok(clean)
    } else {
        Err(errors)
    }
}

fn is_web_url(candidate: &str) -> bool {
    url::Url::parse(candidate).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

static INLINE_SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(HashSet::from(["a", "strong", "b", "em", "i", "br"]))
        .add_tag_attributes("a", ["href"])
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener"));
    builder
});

/// Reduces HTML to the inline set paragraphs allow; everything else is dropped, text kept.
pub fn sanitize_inline(html: &str) -> String {
    INLINE_SANITIZER.clean(html).to_string()
}

/// What rendering needs to know about a referenced media asset.
#[derive(Debug, Clone)]
pub struct MediaView<'a> {
    pub url: &'a str,
    pub alt: Option<&'a str>,
    pub caption: Option<&'a str>,
    pub credit: Option<&'a str>,
    /// Whole-picture renditions for `srcset`: (url, width, is WebP).
    pub sources: Vec<(&'a str, i32, bool)>,
    pub width: Option<i32>,
    pub height: Option<i32>,
}

/// How wide a body image is shown: the full column up to 1200 px.
const BODY_IMAGE_SIZES: &str = "(max-width: 1200px) 100vw, 1200px";

fn srcset(sources: &[(&str, i32, bool)], webp: bool) -> String {
    sources
        .iter()
        .filter(|(_, _, is_webp)| *is_webp == webp)
        .map(|(url, width, _)| format!("{} {width}w", escape(url)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Renders the body as HTML. Paragraph markup was sanitized on write; all other text is escaped.
pub fn render_html<'a>(blocks: &[Block], media: impl Fn(&str) -> Option<MediaView<'a>>) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Paragraph { html } => out.push_str(&format!("<p>{html}</p>")),
            Block::Heading { level, text } => out.push_str(&format!("<h{level}>{}</h{level}>", escape(text))),
            Block::Quote { text, cite } => {
                out.push_str(&format!("<blockquote><p>{}</p>", escape(text)));
                if let Some(cite) = cite {
                    out.push_str(&format!("<cite>{}</cite>", escape(cite)));
                }
                out.push_str("</blockquote>");
            }
            Block::List { ordered, items } => {
                let tag = if *ordered { "ol" } else { "ul" };
                out.push_str(&format!("<{tag}>"));
                for item in items {
                    out.push_str(&format!("<li>{item}</li>"));
                }
                out.push_str(&format!("</{tag}>"));
            }
            Block::Image { media_id, caption } => {
                if let Some(asset) = media(media_id) {
                    out.push_str(&figure("img", &asset, caption.as_deref()));
                }
            }
            Block::Video {
                media_id,
                url,
                caption,
            } => match (media_id, url) {
                (Some(id), _) => {
                    if let Some(asset) = media(id) {
                        out.push_str(&figure("video", &asset, caption.as_deref()));
                    }
                }
                (None, Some(url)) => out.push_str(&format!(
                    "<figure><a href=\"{}\">{}</a></figure>",
                    escape(url),
                    escape(caption.as_deref().unwrap_or(url))
                )),
                (None, None) => {}
            },
            Block::Embed { provider, url } => out.push_str(&format!(
                "<figure class=\"embed\" data-provider=\"{}\"><a href=\"{}\">{}</a></figure>",
                escape(provider),
                escape(url),
                escape(url)
            )),
            Block::Divider => out.push_str("<hr>"),
        }
    }
    out
}

fn figure(element: &str, asset: &MediaView<'_>, caption_override: Option<&str>) -> String {
    let source = if element == "img" && !asset.sources.is_empty() {
        // Renditions Khabar made: WebP where the browser takes it, the plain format otherwise,
        // each at every width, so the reader downloads what the screen needs.
        let mut html = String::from("<picture>");
        let webp = srcset(&asset.sources, true);
        if !webp.is_empty() {
            html.push_str(&format!(
                "<source type=\"image/webp\" srcset=\"{webp}\" sizes=\"{BODY_IMAGE_SIZES}\">"
            ));
        }
        html.push_str(&format!(
            "<img src=\"{}\" srcset=\"{}\" sizes=\"{BODY_IMAGE_SIZES}\"",
            escape(asset.url),
            srcset(&asset.sources, false)
        ));
        if let (Some(w), Some(h)) = (asset.width, asset.height) {
            html.push_str(&format!(" width=\"{w}\" height=\"{h}\""));
        }
        html.push_str(&format!(
            " alt=\"{}\" loading=\"lazy\"></picture>",
            escape(asset.alt.unwrap_or(""))
        ));
        html
    } else if element == "img" {
        format!(
            "<img src=\"{}\" alt=\"{}\">",
            escape(asset.url),
            escape(asset.alt.unwrap_or(""))
        )
    } else {
        format!("<video src=\"{}\" controls></video>", escape(asset.url))
    };
    let caption = caption_override.or(asset.caption);
    let mut figcaption = String::new();
    if let Some(caption) = caption {
        figcaption.push_str(&escape(caption));
    }
    if let Some(credit) = asset.credit {
        figcaption.push_str(&format!(" <small>{}</small>", escape(credit)));
    }
    if figcaption.is_empty() {
        format!("<figure>{source}</figure>")
    } else {
        format!(
            "<figure>{source}<figcaption>{}</figcaption></figure>",
            figcaption.trim()
        )
    }
}

/// Renders the body as plain text: one paragraph per line pair, markup removed.
pub fn render_text(blocks: &[Block]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for block in blocks {
        match block {
            Block::Paragraph { html } => parts.push(inline_to_text(html)),
            Block::Heading { text, .. } => parts.push(text.clone()),
            Block::Quote { text, cite } => parts.push(match cite {
                Some(cite) => format!("«{text}» — {cite}"),
                None => format!("«{text}»"),
            }),
            Block::List { items, .. } => parts.push(
                items
                    .iter()
                    .map(|item| format!("• {}", inline_to_text(item)))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            _ => {}
        }
    }
    parts.join("\n\n")
}

/// Text of sanitized inline HTML: tags dropped (`<br>` becomes a newline), entities decoded.
fn inline_to_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        if rest[open..open + close].starts_with("<br") {
            text.push('\n');
        }
        rest = &rest[open + close + 1..];
    }
    text.push_str(rest);
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Words in the plain text, counting Arabic and Latin runs alike.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paragraph(html: &str) -> Block {
        Block::Paragraph { html: html.into() }
    }

    #[test]
    fn sanitizer_keeps_the_inline_set_and_drops_the_rest() {
        let dirty = r#"<b>قوي</b> <script>alert(1)</script><a href="javascript:x()" onclick="y">x</a> <a href="https://e.com/a">a</a><img src=x onerror=z><em>e</em><br>"#;
        let clean = sanitize_inline(dirty);
        assert_eq!(
            clean,
            r#"<b>قوي</b> <a rel="noopener">x</a> <a href="https://e.com/a" rel="noopener">a</a><em>e</em><br>"#
        );
    }

    #[test]
    fn validation_reports_each_bad_block_by_index() {
        let blocks = vec![
            paragraph("ok"),
            Block::Heading {
                level: 1,
                text: "x".into(),
            },
            paragraph("<script>only()</script>"),
            Block::Video {
                media_id: None,
                url: None,
                caption: None,
            },
            Block::Embed {
                provider: "x".into(),
                url: "ftp://a".into(),
            },
        ];
        let errors = validate_and_sanitize(blocks).unwrap_err();
        let located: Vec<_> = errors.iter().map(|e| (e.index, e.field)).collect();
        assert_eq!(
            located,
            vec![(1, "level"), (2, "html"), (3, "media_id"), (4, "url")]
        );
    }

    #[test]
    fn unknown_block_fields_and_types_are_refused() {
        let unknown_field = serde_json::json!({"type": "paragraph", "html": "x", "style": "y"});
        assert!(serde_json::from_value::<Block>(unknown_field).is_err());
        let unknown_type = serde_json::json!({"type": "marquee", "html": "x"});
        assert!(serde_json::from_value::<Block>(unknown_type).is_err());
    }

    #[test]
    fn renders_html_and_text() {
        let blocks = vec![
            Block::Heading {
                level: 2,
                text: "A & B".into(),
            },
            paragraph("one <strong>two</strong> &amp; three"),
            Block::Image {
                media_id: "m1".into(),
                caption: Some("override".into()),
            },
            Block::Quote {
                text: "q".into(),
                cite: Some("c".into()),
            },
            Block::Divider,
        ];
        let html = render_html(&blocks, |id| {
            (id == "m1").then_some(MediaView {
                url: "https://img/1.jpg",
                alt: Some("alt \"x\""),
                caption: Some("own caption"),
                credit: Some("AFP"),
                sources: Vec::new(),
                width: None,
                height: None,
            })
        });
        assert_eq!(
            html,
            "<h2>A &amp; B</h2><p>one <strong>two</strong> &amp; three</p>\
             <figure><img src=\"https://img/1.jpg\" alt=\"alt &quot;x&quot;\"><figcaption>override <small>AFP</small></figcaption></figure>\
             <blockquote><p>q</p><cite>c</cite></blockquote><hr>"
        );
        assert_eq!(render_text(&blocks), "A & B\n\none two & three\n\n«q» — c");
        let with_renditions = render_html(&blocks[2..3], |_| {
            Some(MediaView {
                url: "https://img/1.jpg?w=1600&s=x",
                alt: None,
                caption: None,
                credit: Some("AFP"),
                sources: vec![
                    ("https://img/1.jpg?w=320&s=a", 320, false),
                    ("https://img/1.jpg?w=320&fm=webp", 320, true),
                ],
                width: Some(2400),
                height: Some(1600),
            })
        });
        assert_eq!(
            with_renditions,
            "<figure><picture><source type=\"image/webp\" srcset=\"https://img/1.jpg?w=320&amp;fm=webp 320w\" sizes=\"(max-width: 1200px) 100vw, 1200px\">\
             <img src=\"https://img/1.jpg?w=1600&amp;s=x\" srcset=\"https://img/1.jpg?w=320&amp;s=a 320w\" sizes=\"(max-width: 1200px) 100vw, 1200px\" width=\"2400\" height=\"1600\" alt=\"\" loading=\"lazy\"></picture>\
             <figcaption>override <small>AFP</small></figcaption></figure>"
        );
        assert_eq!(word_count("تطرقت المحادثات - بين 2020"), 4);
    }
}
