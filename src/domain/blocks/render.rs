//! `body_html` and `body_text`, rendered from the blocks: rendering trusts what is stored,
//! since paragraph HTML was sanitized when it was written.

use super::Block;

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
            Block::Divider {} => out.push_str("<hr>"),
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

    #[test]
    fn renders_html_and_text() {
        let blocks = vec![
            Block::Heading {
                level: 2,
                text: "A & B".into(),
            },
            Block::Paragraph {
                html: "one <strong>two</strong> &amp; three".into(),
            },
            Block::Image {
                media_id: "m1".into(),
                caption: Some("override".into()),
            },
            Block::Quote {
                text: "q".into(),
                cite: Some("c".into()),
            },
            Block::Divider {},
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
