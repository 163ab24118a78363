//! What a page's `<head>` needs: schema.org `NewsArticle` JSON-LD, Open Graph and Twitter card
//! tags, and `hreflang` alternates, computed with the article so a front-end only embeds them.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::article::{ArticleMediaView, ArticleView, ImageRef, TopicRef};
use crate::domain::kinds::{ContributorKind, TopicKind};

/// Ready-to-embed search and social metadata.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Seo {
    /// A schema.org `NewsArticle`, for a script element of type `application/ld+json`.
    #[schema(value_type = Object)]
    pub json_ld: Value,
    /// `<meta property=… content=…>` tags (`og:*`, `article:*`).
    pub open_graph: Vec<MetaTag>,
    /// `<meta name=… content=…>` tags (`twitter:*`).
    pub twitter: Vec<MetaTag>,
    /// `<link rel="alternate" hreflang=… href=…>` for this article and its translations.
    pub alternates: Vec<Alternate>,
    /// All of the above as HTML for a page's `<head>`, escaped for where each part goes
    /// (attribute values; the JSON-LD inside its script element, which no text field can end
    /// early). Only with `include=head_html`: it repeats the fields above.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub head_html: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MetaTag {
    pub key: String,
    pub content: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Alternate {
    pub hreflang: String,
    pub href: String,
}

fn tag(key: &str, content: impl Into<String>) -> MetaTag {
    MetaTag {
        key: key.to_owned(),
        content: content.into(),
    }
}

/// Open Graph locales are `ll_CC`; for a bare language use its most common region.
fn og_locale(language: &str) -> String {
    let mut parts = language.split('-');
    let primary = parts.next().unwrap_or(language);
    let region = parts
        .find(|p| p.len() == 2)
        .map(str::to_owned)
        .unwrap_or_else(|| {
            match primary {
                "ar" => "AR",
                "en" => "US",
                "fa" => "IR",
                "he" => "IL",
                "ur" => "PK",
                other => return other.to_uppercase(),
            }
            .to_owned()
        });
    format!("{primary}_{region}")
}

pub fn build(article: &ArticleView) -> Seo {
    let description = article
        .lead
        .clone()
        .unwrap_or_else(|| article.body_text.chars().take(200).collect::<String>());
    let image = article
        .featured_media
        .as_ref()
        .filter(|m| m.kind == crate::domain::kinds::MediaKind::Image);
    let section = article.topics.iter().find(|t| t.kind == TopicKind::Section);
    // Open Graph's card is 1200×630; the same picture serves Twitter's large card.
    let card = image.map(|i| i.named("og-1200").unwrap_or_else(|| i.whole()));
    Seo {
        json_ld: json_ld(article, &description, image, section),
        open_graph: open_graph(article, &description, image.zip(card), section),
        twitter: twitter(image, card.is_some()),
        alternates: alternates(article),
        head_html: String::new(),
    }
}

/// schema.org `NewsArticle`, as Google reads it.
fn json_ld(
    article: &ArticleView,
    description: &str,
    image: Option<&ArticleMediaView>,
    section: Option<&TopicRef>,
) -> Value {
    let authors: Vec<Value> = article
        .bylines
        .iter()
        .map(|b| {
            let kind = match b.contributor.kind {
                ContributorKind::Person => "Person",
                ContributorKind::Organisation | ContributorKind::Agency => "Organization",
            };
            let mut author = json!({"@type": kind, "name": b.contributor.name});
            if let Some(url) = &b.contributor.url {
                author["url"] = json!(url);
            }
            author
        })
        .collect();
    let mut json_ld = json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline,
        "description": description,
        "inLanguage": article.language,
        "mainEntityOfPage": {"@type": "WebPage", "@id": article.canonical_url},
        "url": article.canonical_url,
        "datePublished": article.published_at,
        "dateModified": article.updated_at,
        "author": authors,
        "wordCount": article.word_count,
        "keywords": article.topics.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
    });
    if let Some(image) = image {
        json_ld["image"] = json!(image_objects(image));
    }
    if let Some(section) = section {
        json_ld["articleSection"] = json!(section.name);
    }
    if let Some(dateline) = &article.dateline {
        json_ld["locationCreated"] = json!({"@type": "Place", "name": dateline});
    }
    if let Some(live) = &article.live {
        live_blog_posting(&mut json_ld, live, &authors);
    }
    json_ld
}

/// A live blog is a `NewsArticle` and a `LiveBlogPosting` (schema.org types may be given as a
/// list, and Google reads both): coverage times and its newest entries as `liveBlogUpdate`s.
fn live_blog_posting(json_ld: &mut Value, live: &super::live::ArticleLive, authors: &[Value]) {
    json_ld["@type"] = json!(["NewsArticle", "LiveBlogPosting"]);
    json_ld["coverageStartTime"] = json!(live.blog.coverage_start);
    if let Some(end) = live.blog.coverage_end {
        json_ld["coverageEndTime"] = json!(end);
    }
    let updates: Vec<Value> = live
        .recent
        .iter()
        .map(|entry| {
            let text = crate::domain::blocks::render_text(&entry.body);
            let mut update = json!({
                "@type": "BlogPosting",
                "headline": entry.title.clone().unwrap_or_else(|| crate::domain::text::first_words(&text, 110)),
                "articleBody": text,
                "datePublished": entry.published_at,
                "dateModified": entry.updated_at,
                "url": entry.url,
            });
            update["author"] = if entry.bylines.is_empty() {
                json!(authors)
            } else {
                json!(entry
                    .bylines
                    .iter()
                    .map(|b| json!({"@type": match b.contributor.kind {
                        ContributorKind::Person => "Person",
                        ContributorKind::Organisation | ContributorKind::Agency => "Organization",
                    }, "name": b.contributor.name}))
                    .collect::<Vec<_>>())
            };
            update
        })
        .collect();
    json_ld["liveBlogUpdate"] = json!(updates);
}

/// The featured image as `ImageObject`s: Google asks for 1:1, 4:3 and 16:9 versions of at least
/// 1200 px; an asset registered without those renditions is given as it is.
fn image_objects(image: &ArticleMediaView) -> Vec<Value> {
    let mut files: Vec<ImageRef> = ["1x1", "4x3", "16x9"]
        .iter()
        .filter_map(|r| image.crop(r))
        .collect();
    if files.is_empty() {
        files.push(image.whole());
    }
    files
        .into_iter()
        .map(|file| {
            let mut object = json!({"@type": "ImageObject", "url": file.url});
            for (key, value) in [
                ("caption", &image.caption),
                ("creditText", &image.credit),
                ("copyrightHolder", &image.copyright_holder),
            ] {
                if let Some(value) = value {
                    object[key] = json!(value);
                }
            }
            if let Some(creator) = &image.creator {
                // Google's image metadata reads the photographer from `creator`.
                object["creator"] = json!({"@type": "Person", "name": creator});
            }
            if let (Some(w), Some(h)) = (file.width, file.height) {
                object["width"] = json!(w);
                object["height"] = json!(h);
            }
            object
        })
        .collect()
}

/// Open Graph's article tags (`card`: the picture its card shows).
fn open_graph(
    article: &ArticleView,
    description: &str,
    image: Option<(&ArticleMediaView, ImageRef)>,
    section: Option<&TopicRef>,
) -> Vec<MetaTag> {
    let mut open_graph = vec![
        tag("og:type", "article"),
        tag("og:title", &article.headline),
        tag("og:description", description),
        tag("og:url", &article.canonical_url),
        tag("og:locale", og_locale(&article.language)),
    ];
    open_graph.extend(
        article
            .translations
            .iter()
            .map(|t| tag("og:locale:alternate", og_locale(&t.language))),
    );
    if let Some((image, card)) = image {
        open_graph.push(tag("og:image", card.url));
        open_graph.push(tag("og:image:type", card.mime_type));
        if let Some(alt) = &image.alt_text {
            open_graph.push(tag("og:image:alt", alt));
        }
        if let (Some(w), Some(h)) = (card.width, card.height) {
            open_graph.push(tag("og:image:width", w.to_string()));
            open_graph.push(tag("og:image:height", h.to_string()));
        }
    }
    if let Some(published) = article.published_at {
        open_graph.push(tag("article:published_time", published.to_rfc3339()));
    }
    open_graph.push(tag("article:modified_time", article.updated_at.to_rfc3339()));
    if let Some(section) = section {
        open_graph.push(tag("article:section", &section.name));
    }
    open_graph.extend(
        article
            .topics
            .iter()
            .filter(|t| t.kind != TopicKind::Section)
            .map(|t| tag("article:tag", &t.name)),
    );
    open_graph
}

/// X (Twitter): only the card type, and the image's alt text (which it does not take from
/// `og:image:alt`), are its own; it reads the rest from Open Graph.
fn twitter(image: Option<&ArticleMediaView>, has_card: bool) -> Vec<MetaTag> {
    let mut twitter = vec![tag(
        "twitter:card",
        if image.is_some() {
            "summary_large_image"
        } else {
            "summary"
        },
    )];
    if let (Some(image), true) = (image, has_card) {
        if let Some(alt) = &image.alt_text {
            twitter.push(tag("twitter:image:alt", alt));
        }
    }
    twitter
}

/// The article and its translations, for `hreflang`.
fn alternates(article: &ArticleView) -> Vec<Alternate> {
    let mut alternates = vec![Alternate {
        hreflang: article.language.clone(),
        href: article.canonical_url.clone(),
    }];
    alternates.extend(article.translations.iter().map(|t| Alternate {
        hreflang: t.language.clone(),
        href: t.canonical_url.clone(),
    }));
    alternates
}

impl Seo {
    /// Fills `head_html` from the rest (for `include=head_html`).
    pub fn with_head_html(&mut self, canonical: &str) {
        self.head_html = head_html(
            canonical,
            &self.json_ld,
            &self.open_graph,
            &self.twitter,
            &self.alternates,
        );
    }
}

/// JSON that can sit inside `<script>`: `<`, `>` and `&` as `\u` escapes (so no `</script>`
/// or `<!--` can appear), and the two line separators JavaScript once treated as newlines.
fn script_safe_json(value: &Value) -> String {
    let json = value.to_string();
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            other => out.push(other),
        }
    }
    out
}

fn head_html(
    canonical: &str,
    json_ld: &Value,
    open_graph: &[MetaTag],
    twitter: &[MetaTag],
    alternates: &[Alternate],
) -> String {
    use crate::domain::blocks::escape;
    let mut html = format!("<link rel=\"canonical\" href=\"{}\">\n", escape(canonical));
    for alternate in alternates {
        html.push_str(&format!(
            "<link rel=\"alternate\" hreflang=\"{}\" href=\"{}\">\n",
            escape(&alternate.hreflang),
            escape(&alternate.href)
        ));
    }
    // Open Graph uses `property`, Twitter cards `name`.
    for (attribute, tags) in [("property", open_graph), ("name", twitter)] {
        for tag in tags {
            html.push_str(&format!(
                "<meta {attribute}=\"{}\" content=\"{}\">\n",
                escape(&tag.key),
                escape(&tag.content)
            ));
        }
    }
    html.push_str("<script type=\"application/ld+json\">");
    html.push_str(&script_safe_json(json_ld));
    html.push_str("</script>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::{og_locale, script_safe_json};

    #[test]
    fn json_in_a_script_cannot_close_it() {
        let hostile = serde_json::json!({"headline": "</script><script>alert(1)</script> <!-- & \u{2028}"});
        let safe = script_safe_json(&hostile);
        assert!(
            !safe.contains('<') && !safe.contains('>') && !safe.contains('&'),
            "{safe}"
        );
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, hostile, "still the same JSON");
    }

    #[test]
    fn open_graph_locales() {
        assert_eq!(og_locale("ar"), "ar_AR");
        assert_eq!(og_locale("ar-EG"), "ar_EG");
        assert_eq!(og_locale("en"), "en_US");
        assert_eq!(og_locale("fr"), "fr_FR");
    }
}
