//! What a body may hold: the bounds of each block's text, the rules a block's shape alone
//! cannot express, and the inline HTML paragraphs keep.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::Block;
use crate::domain::validation::FieldCode;

/// The longest a paragraph's (or a list item's) inline HTML may be, in characters.
pub const MAX_PARAGRAPH_CHARS: usize = 100_000;
/// Most tags one paragraph or list item may hold, and how deep they may nest. HTML parsers
/// spend time quadratic in the depth of what is left open (40,000 `<div>` then 40,000 `</p>`
/// took 16 CPU-seconds), and readers' parsers downstream have recursion limits; a counted
/// scan, linear in the input, refuses such markup before any parser sees it.
pub const MAX_INLINE_TAGS: usize = 2_000;
pub const MAX_INLINE_DEPTH: usize = 32;
/// Most items a list may have.
pub const MAX_LIST_ITEMS: usize = 500;
/// Longest heading, in characters.
pub const MAX_HEADING_CHARS: usize = 300;
/// Longest quote, and longest source of a quote.
pub const MAX_QUOTE_CHARS: usize = 5_000;
pub const MAX_CITE_CHARS: usize = 300;
/// Longest caption, and longest URL.
pub const MAX_CAPTION_CHARS: usize = 2_000;
pub const MAX_URL_CHARS: usize = 2_000;
/// Longest embed provider name.
pub const MAX_PROVIDER_CHARS: usize = 50;

/// A problem with one block, located by its index in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockError {
    pub index: usize,
    pub field: &'static str,
    pub code: FieldCode,
    pub message: String,
    /// The bound passed, for `too-long` and `too-many`.
    pub limit: Option<usize>,
}

/// The length in characters of each bounded text of a block, with its bound.
fn text_lengths(block: &Block) -> Vec<(&'static str, usize, usize)> {
    let chars = |text: &str| text.chars().count();
    let optional = |text: &Option<String>| text.as_deref().map_or(0, chars);
    match block {
        Block::Paragraph { html } => vec![("html", chars(html), MAX_PARAGRAPH_CHARS)],
        Block::Heading { text, .. } => vec![("text", chars(text), MAX_HEADING_CHARS)],
        Block::Quote { text, cite } => vec![
            ("text", chars(text), MAX_QUOTE_CHARS),
            ("cite", optional(cite), MAX_CITE_CHARS),
        ],
        Block::List { items, .. } => vec![(
            "items",
            items.iter().map(|i| chars(i)).max().unwrap_or(0),
            MAX_PARAGRAPH_CHARS,
        )],
        Block::Image { caption, .. } => vec![("caption", optional(caption), MAX_CAPTION_CHARS)],
        Block::Video { url, caption, .. } => vec![
            ("url", optional(url), MAX_URL_CHARS),
            ("caption", optional(caption), MAX_CAPTION_CHARS),
        ],
        Block::Embed { provider, url } => vec![
            ("provider", chars(provider), MAX_PROVIDER_CHARS),
            ("url", chars(url), MAX_URL_CHARS),
        ],
        Block::Divider {} => vec![],
    }
}

/// Why inline markup is refused before it is parsed: too many tags, or nested too deep.
fn markup_bounds(html: &str) -> Option<(FieldCode, String, Option<usize>)> {
    let bytes = html.as_bytes();
    let (mut tags, mut depth, mut deepest) = (0usize, 0usize, 0usize);
    let mut at = 0;
    while let Some(offset) = memchr_lt(&bytes[at..]) {
        let start = at + offset;
        at = start + 1;
        let Some(&next) = bytes.get(at) else { break };
        let closing = next == b'/';
        let name_at = if closing { at + 1 } else { at };
        if !bytes.get(name_at).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        tags += 1;
        let end = bytes[name_at..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(bytes.len(), |p| name_at + p);
        let name = &html[name_at..end];
        let void = name.eq_ignore_ascii_case("br") || name.eq_ignore_ascii_case("img");
        if closing {
            depth = depth.saturating_sub(1);
        } else if !void {
            depth += 1;
            deepest = deepest.max(depth);
        }
        if tags > MAX_INLINE_TAGS {
            return Some((
                FieldCode::TooMany,
                format!("at most {MAX_INLINE_TAGS} tags"),
                Some(MAX_INLINE_TAGS),
            ));
        }
    }
    (deepest > MAX_INLINE_DEPTH).then(|| {
        (
            FieldCode::OutOfRange,
            format!("tags may nest at most {MAX_INLINE_DEPTH} deep"),
            Some(MAX_INLINE_DEPTH),
        )
    })
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|b| *b == b'<')
}

/// Checks the rules a block's shape alone cannot express and sanitizes its inline HTML.
pub fn validate_and_sanitize(blocks: Vec<Block>) -> Result<Vec<Block>, Vec<BlockError>> {
    let mut errors = Vec::new();
    let mut clean = Vec::with_capacity(blocks.len());
    for (index, block) in blocks.into_iter().enumerate() {
        let out_of_bounds = bounds(index, &block);
        if !out_of_bounds.is_empty() {
            // Too long or too deep to sanitize: refused as it is.
            errors.extend(out_of_bounds);
            clean.push(block);
            continue;
        }
        clean.push(checked(index, block, &mut errors));
    }
    if errors.is_empty() {
        Ok(clean)
    } else {
        Err(errors)
    }
}

fn fail(errors: &mut Vec<BlockError>, index: usize, field: &'static str, code: FieldCode, message: &str) {
    errors.push(BlockError {
        index,
        field,
        code,
        message: message.to_owned(),
        limit: None,
    })
}

/// What makes a block too large to look into: text over its length, too many list items,
/// markup nested too deep or too many elements.
fn bounds(index: usize, block: &Block) -> Vec<BlockError> {
    let mut errors = Vec::new();
    for (field, length, max) in text_lengths(block) {
        if length > max {
            errors.push(BlockError {
                index,
                field,
                code: FieldCode::TooLong,
                message: format!("must be at most {max} characters"),
                limit: Some(max),
            });
        }
    }
    if let Block::List { items, .. } = block {
        if items.len() > MAX_LIST_ITEMS {
            errors.push(BlockError {
                index,
                field: "items",
                code: FieldCode::TooMany,
                message: format!("at most {MAX_LIST_ITEMS} entries"),
                limit: Some(MAX_LIST_ITEMS),
            });
        }
    }
    let inline: Vec<(&'static str, &str)> = match block {
        Block::Paragraph { html } => vec![("html", html.as_str())],
        Block::List { items, .. } => items.iter().map(|i| ("items", i.as_str())).collect(),
        _ => Vec::new(),
    };
    let bounded = !errors.is_empty();
    let markup = (!bounded)
        .then(|| {
            inline
                .iter()
                .find_map(|(field, html)| markup_bounds(html).map(|b| (*field, b)))
        })
        .flatten();
    if let Some((field, (code, message, limit))) = markup {
        errors.push(BlockError {
            index,
            field,
            code,
            message,
            limit,
        });
    }
    errors
}

/// The block with its HTML sanitized, and what is wrong with it in `errors`.
fn checked(index: usize, block: Block, errors: &mut Vec<BlockError>) -> Block {
    match block {
        Block::Video { .. } | Block::Embed { .. } => checked_link(index, block, errors),
        other => checked_text(index, other, errors),
    }
}

/// A block of text: sanitized, and not empty.
fn checked_text(index: usize, block: Block, errors: &mut Vec<BlockError>) -> Block {
    match block {
        Block::Paragraph { html } => {
            let html = sanitize_inline(&html);
            if html.trim().is_empty() {
                fail(
                    errors,
                    index,
                    "html",
                    FieldCode::Required,
                    "a paragraph needs text",
                );
            }
            Block::Paragraph { html }
        }
        Block::Heading { level, text } => {
            if !(2..=4).contains(&level) {
                fail(
                    errors,
                    index,
                    "level",
                    FieldCode::OutOfRange,
                    "heading level must be 2, 3 or 4",
                );
            }
            if text.trim().is_empty() {
                fail(errors, index, "text", FieldCode::Required, "a heading needs text");
            }
            Block::Heading { level, text }
        }
        Block::List { ordered, items } => {
            if items.is_empty() {
                fail(
                    errors,
                    index,
                    "items",
                    FieldCode::Required,
                    "a list needs at least one item",
                );
            }
            let items = items.iter().map(|item| sanitize_inline(item)).collect();
            Block::List { ordered, items }
        }
        Block::Quote { text, cite } => {
            if text.trim().is_empty() {
                fail(errors, index, "text", FieldCode::Required, "a quote needs text");
            }
            Block::Quote { text, cite }
        }
        other => other,
    }
}

/// A block that points elsewhere: at exactly one thing, by a web URL.
fn checked_link(index: usize, block: Block, errors: &mut Vec<BlockError>) -> Block {
    match block {
        Block::Video {
            media_id,
            url,
            caption,
        } => {
            if media_id.is_none() == url.is_none() {
                fail(
                    errors,
                    index,
                    "media_id",
                    FieldCode::Inconsistent,
                    "a video needs exactly one of media_id or url",
                );
            }
            if url.as_deref().is_some_and(|u| !is_web_url(u)) {
                fail(
                    errors,
                    index,
                    "url",
                    FieldCode::Format,
                    "must be an http or https URL",
                );
            }
            Block::Video {
                media_id,
                url,
                caption,
            }
        }
        Block::Embed { provider, url } => {
            if provider.trim().is_empty() {
                fail(
                    errors,
                    index,
                    "provider",
                    FieldCode::Required,
                    "an embed needs a provider",
                );
            }
            if !is_web_url(&url) {
                fail(
                    errors,
                    index,
                    "url",
                    FieldCode::Format,
                    "must be an http or https URL",
                );
            }
            Block::Embed { provider, url }
        }
        other => other,
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
        // Relative links only where they stay on the site: `//evil.example` and
        // `/\evil.example` are other sites to a browser (see `site_path::stays_on_site`).
        .url_relative(ammonia::UrlRelative::Custom(Box::new(OnSiteOnly)))
        .link_rel(Some("noopener"));
    builder
});

/// Keeps a relative link only where it stays on the site.
struct OnSiteOnly;

impl<'a> ammonia::UrlRelativeEvaluate<'a> for OnSiteOnly {
    fn evaluate<'url>(&self, url: &'url str) -> Option<std::borrow::Cow<'url, str>> {
        crate::domain::site_path::stays_on_site(url).then_some(std::borrow::Cow::Borrowed(url))
    }
}

/// Reduces HTML to the inline set paragraphs allow; everything else is dropped, text kept.
pub fn sanitize_inline(html: &str) -> String {
    INLINE_SANITIZER.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paragraph(html: &str) -> Block {
        Block::Paragraph { html: html.into() }
    }

    #[test]
    fn links_that_leave_the_site_by_the_back_door_lose_their_target() {
        for sneaky in [
            "//evil.example/x",
            "/\\evil.example/x",
            "/%5Cevil.example/x",
            "/%2Fevil.example",
            "/\t/evil.example",
        ] {
            let clean = sanitize_inline(&format!(r#"<a href="{sneaky}">x</a>"#));
            assert!(!clean.contains("href"), "{sneaky}: {clean}");
        }
        for fine in ["/ar/slug", "/topics/libya?page=2", "#note", "https://e.com/a"] {
            let clean = sanitize_inline(&format!(r#"<a href="{fine}">x</a>"#));
            assert!(clean.contains("href"), "{fine}: {clean}");
        }
    }

    #[test]
    fn deep_or_tag_heavy_markup_is_refused_before_it_is_parsed() {
        let deep = format!("{}x{}", "<div>".repeat(40_000), "</p>".repeat(40_000));
        let started = std::time::Instant::now();
        let errors = validate_and_sanitize(vec![paragraph(&deep[..99_000])]).unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        assert_eq!(errors[0].code, FieldCode::TooMany, "{errors:?}");
        let nested = format!("{}x{}", "<b>".repeat(40), "</b>".repeat(40));
        let errors = validate_and_sanitize(vec![paragraph(&nested)]).unwrap_err();
        assert_eq!(
            (errors[0].code, errors[0].limit),
            (FieldCode::OutOfRange, Some(MAX_INLINE_DEPTH))
        );
        let fine = format!("{}x{}<br><br>", "<b>".repeat(3), "</b>".repeat(3));
        assert!(validate_and_sanitize(vec![paragraph(&fine)]).is_ok());
        let list = Block::List {
            ordered: false,
            items: vec!["ok".into(), "<i>".repeat(3000)],
        };
        assert_eq!(validate_and_sanitize(vec![list]).unwrap_err()[0].field, "items");
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
    fn bounded_texts_are_refused_with_their_limit_not_cut() {
        let blocks = vec![
            Block::Heading {
                level: 2,
                text: "ع".repeat(MAX_HEADING_CHARS + 1),
            },
            Block::List {
                ordered: false,
                items: vec!["x".into(); MAX_LIST_ITEMS + 1],
            },
            paragraph(&"<b>".repeat(MAX_PARAGRAPH_CHARS)),
        ];
        let errors = validate_and_sanitize(blocks).unwrap_err();
        let seen: Vec<_> = errors
            .iter()
            .map(|e| (e.index, e.field, e.code, e.limit))
            .collect();
        assert_eq!(
            seen,
            vec![
                (0, "text", FieldCode::TooLong, Some(MAX_HEADING_CHARS)),
                (1, "items", FieldCode::TooMany, Some(MAX_LIST_ITEMS)),
                (2, "html", FieldCode::TooLong, Some(MAX_PARAGRAPH_CHARS)),
            ]
        );
    }

    #[test]
    fn unknown_block_fields_and_types_are_refused() {
        let unknown_field = serde_json::json!({"type": "paragraph", "html": "x", "style": "y"});
        assert!(serde_json::from_value::<Block>(unknown_field).is_err());
        let unknown_type = serde_json::json!({"type": "marquee", "html": "x"});
        assert!(serde_json::from_value::<Block>(unknown_type).is_err());
    }
}
