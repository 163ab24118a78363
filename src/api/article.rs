//! The full public representation of one article.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::seo::{self, Seo};
use super::utc;
use crate::db::models::article::ArticleLink;
use crate::db::models::contributor::Contributor;
use crate::db::models::media::{MediaAsset, Rendition};
use crate::db::queries::article_read::{ArticleRecord, MediaUse};
use crate::domain::blocks::{self, Block, MediaView};
use crate::domain::byline::{display_byline, Credit};
use crate::domain::kinds::{BylineRole, ContributorKind, MediaKind, TopicKind};
use crate::domain::language::{localized, Language, TextDirection};

/// Reading speed used for `reading_time_minutes`.
const WORDS_PER_MINUTE: usize = 200;

/// A published article with everything a page needs to render it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ArticleView {
    /// Public id (UUID).
    pub id: String,
    pub slug: String,
    /// BCP 47 language tag.
    #[schema(example = "ar")]
    pub language: String,
    /// Text direction implied by the language.
    pub dir: TextDirection,
    pub headline: String,
    /// The standfirst.
    pub lead: Option<String>,
    /// Where the story was filed from.
    pub dateline: Option<String>,
    /// The byline as displayed, in the article's language: "بقلم: يورونيوز مع أ ف ب".
    pub byline: Option<String>,
    pub bylines: Vec<BylineView>,
    pub featured_media: Option<ArticleMediaView>,
    /// The body as typed blocks, for front-ends that interleave their own slots.
    pub body: Vec<Block>,
    /// The body rendered as sanitized HTML.
    pub body_html: String,
    /// The body as plain text: only with `include=body_text` (it repeats the body).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body_text: String,
    pub word_count: usize,
    pub reading_time_minutes: usize,
    /// Topics, the primary one first.
    pub topics: Vec<TopicRef>,
    /// Curated related articles, in the editors' order.
    pub related: Vec<ArticleLinkView>,
    /// The same story in other languages (for `hreflang`).
    pub translations: Vec<ArticleLinkView>,
    pub corrections: Vec<CorrectionView>,
    pub canonical_url: String,
    /// Search and social metadata, ready to embed.
    pub seo: Seo,
    pub first_published_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    /// Increments on every change; used for optimistic concurrency on writes.
    pub version: i32,
    /// Present when the article is a live blog: its state, where its event stream starts
    /// for this form, and its newest entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<super::live::ArticleLive>,
    /// Breaking news until this time (editors flag it; show it as breaking while it is in the
    /// future).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breaking_until: Option<DateTime<Utc>>,
}

/// One credited contributor.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BylineView {
    pub role: BylineRole,
    pub contributor: ContributorRef,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ContributorRef {
    pub slug: String,
    pub kind: ContributorKind,
    /// The name in the article's language.
    pub name: String,
    pub url: Option<String>,
}

/// A media asset as this article uses it. Credits are never optional decoration: `credit` and
/// `copyright_holder` travel with every use.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ArticleMediaView {
    pub id: String,
    pub kind: MediaKind,
    pub url: String,
    pub mime_type: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub duration_ms: Option<i64>,
    pub alt_text: Option<String>,
    /// This article's caption: its override if it has one, else the asset's own.
    pub caption: Option<String>,
    /// The credit line: who supplied it.
    pub credit: Option<String>,
    /// The photographer or maker, when known (IPTC By-line).
    pub creator: Option<String>,
    pub copyright_holder: Option<String>,
    pub license: Option<String>,
    pub source: Option<String>,
    pub renditions: Vec<RenditionView>,
    /// Where the subject is, for front-ends that crop themselves (`object-position`).
    #[serde(default)]
    pub focal_point: Option<crate::domain::framing::FocalPoint>,
    /// The boxes editors chose per aspect ratio; the named crop renditions follow them.
    #[serde(default)]
    #[schema(value_type = crate::domain::framing::CropsSchema)]
    pub crops: std::collections::BTreeMap<crate::domain::framing::CropRatio, crate::domain::framing::CropBox>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RenditionView {
    pub name: String,
    pub url: String,
    pub mime_type: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TopicRef {
    pub slug: String,
    pub kind: TopicKind,
    /// The name in the article's language.
    pub name: String,
    /// True for the article's primary topic.
    pub primary: bool,
}

/// A link to another public article.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ArticleLinkView {
    pub id: String,
    pub slug: String,
    pub language: String,
    pub headline: String,
    pub canonical_url: String,
    pub published_at: Option<DateTime<Utc>>,
}

/// A dated correction note.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CorrectionView {
    pub corrected_at: DateTime<Utc>,
    pub note: String,
}

/// Builds canonical URLs for articles that do not store their own.
#[derive(Debug, Clone)]
pub struct UrlBuilder {
    site: url::Url,
}

impl UrlBuilder {
    pub fn new(site: url::Url) -> Self {
        UrlBuilder { site }
    }

    /// `{site}/{language}/{slug}`, the slug percent-encoded.
    pub fn article(&self, language: &str, slug: &str) -> String {
        let mut url = self.site.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().push(language).push(slug);
        }
        url.to_string()
    }

    /// `{site}/{first}/{second}` (topics and contributors), the segments percent-encoded.
    pub fn page(&self, first: &str, second: &str) -> String {
        self.article(first, second)
    }

    /// The site's own base path: `/`, or `/news/` for `https://example.com/news/`.
    pub fn base_path(&self) -> &str {
        self.site.path()
    }

    /// A site path (relative to the site's base path, as redirects store them) as an absolute
    /// URL; segments are percent-encoded, a query kept.
    pub fn absolute(&self, path: &str) -> String {
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let mut url = self.site.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty();
            for segment in path.split('/').filter(|s| !s.is_empty()) {
                segments.push(segment);
            }
        }
        url.set_query((!query.is_empty()).then_some(query));
        url.to_string()
    }

    fn canonical(&self, stored: Option<&str>, language: &str, slug: &str) -> String {
        stored.map_or_else(|| self.article(language, slug), str::to_owned)
    }
}

fn parse_names(json: &str) -> BTreeMap<String, String> {
    serde_json::from_str(json).unwrap_or_default()
}

pub(crate) fn name_in(language: &str, names_json: &str, fallback: &str) -> String {
    localized(&parse_names(names_json), language)
        .unwrap_or(fallback)
        .to_owned()
}

/// The credits in `language`: each contributor with its role, and the display byline made of
/// them ("بقلم: يورونيوز مع أ ف ب").
pub(crate) fn credited<'a>(
    language: &str,
    credits: impl Iterator<Item = (BylineRole, &'a Contributor)>,
) -> (Vec<BylineView>, Option<String>) {
    let bylines: Vec<BylineView> = credits
        .map(|(role, contributor)| BylineView {
            role,
            contributor: ContributorRef {
                slug: contributor.slug.clone(),
                kind: contributor.kind,
                name: name_in(language, &contributor.localized_names, &contributor.name),
                url: contributor.url.clone(),
            },
        })
        .collect();
    let names: Vec<Credit<'_>> = bylines
        .iter()
        .map(|b| Credit {
            name: &b.contributor.name,
            role: b.role,
        })
        .collect();
    let byline = display_byline(language, &names);
    (bylines, byline)
}

impl ArticleView {
    pub fn build(mut record: ArticleRecord, urls: &UrlBuilder) -> Self {
        let article = record.article;
        let language = article.language.clone();
        for media in &mut record.media {
            in_language(&mut media.asset, &language);
        }
        let dir = Language::parse(&language)
            .map(|l| l.direction())
            .unwrap_or(TextDirection::Ltr);

        let (bylines, byline) = credited(&language, record.bylines.iter().map(|(b, c)| (b.role, c)));

        let body: Vec<Block> = record
            .blocks
            .iter()
            .filter_map(|row| serde_json::from_str(&row.data).ok())
            .collect();
        let media_by_id: HashMap<&str, &MediaUse> = record
            .media
            .iter()
            .map(|m| (m.asset.public_id.as_str(), m))
            .collect();
        let body_html = blocks::render_html(&body, |id| {
            media_by_id.get(id).map(|m| MediaView {
                url: &m.asset.url,
                alt: m.asset.alt_text.as_deref(),
                caption: m.usage.caption_override.as_deref().or(m.asset.caption.as_deref()),
                credit: m.asset.credit.as_deref(),
                // The srcset renditions of the whole picture (not the crops or the card).
                sources: m
                    .renditions
                    .iter()
                    .filter(|r| r.name.starts_with("original-"))
                    .filter_map(|r| Some((r.url.as_str(), r.width?, r.mime_type == "image/webp")))
                    .collect(),
                width: m.asset.width,
                height: m.asset.height,
            })
        });
        let body_text = blocks::render_text(&body);
        let word_count = blocks::word_count(&body_text);

        let featured_media = record.media.iter().find(|m| m.usage.is_featured).map(media_view);
        let topics = record
            .topics
            .iter()
            .map(|(link, topic)| TopicRef {
                slug: topic.slug.clone(),
                kind: topic.kind,
                name: name_in(&language, &topic.localized_names, &topic.name),
                primary: link.is_primary,
            })
            .collect();
        let link = |a: &ArticleLink| ArticleLinkView {
            id: a.public_id.clone(),
            slug: a.slug.clone(),
            language: a.language.clone(),
            headline: a.headline.clone(),
            canonical_url: urls.canonical(a.canonical_url.as_deref(), &a.language, &a.slug),
            published_at: a.published_at.map(utc),
        };

        let canonical_url = urls.canonical(article.canonical_url.as_deref(), &language, &article.slug);
        let live = record
            .live
            .map(|live| super::live::ArticleLive::build(&live, &language, &canonical_url));
        let mut view = ArticleView {
            seo: Seo::default(),
            live,
            breaking_until: record.breaking_until.map(utc),
            canonical_url,
            id: article.public_id,
            slug: article.slug,
            dir,
            headline: article.headline,
            lead: article.lead,
            dateline: article.dateline,
            byline,
            bylines,
            featured_media,
            body_html,
            body_text,
            word_count,
            reading_time_minutes: word_count.div_ceil(WORDS_PER_MINUTE).max(1),
            body,
            topics,
            related: record.related.iter().map(link).collect(),
            translations: record.translations.iter().map(link).collect(),
            corrections: record
                .corrections
                .into_iter()
                .map(|c| CorrectionView {
                    corrected_at: utc(c.corrected_at),
                    note: c.note,
                })
                .collect(),
            first_published_at: article.first_published_at.map(utc),
            published_at: article.published_at.map(utc),
            updated_at: utc(article.updated_at),
            version: article.version,
            language,
        };
        view.seo = seo::build(&view);
        view
    }

    /// The form that is stored and sent by default: without what only repeats the rest (the
    /// plain text of the body; `seo.head_html` is never built into it).
    pub fn stored(&self) -> ArticleView {
        let mut lean = self.clone();
        lean.body_text.clear();
        lean.seo.head_html.clear();
        lean
    }

    /// Makes again what the stored form leaves out and readers of it (search, feeds, ninjs)
    /// use: the plain text of the body.
    pub fn restore_derived(&mut self) {
        if self.body_text.is_empty() {
            self.body_text = blocks::render_text(&self.body);
        }
    }
}

/// Puts the asset's alt text, caption and credit in `language` where it has them.
fn in_language(asset: &mut MediaAsset, language: &str) {
    let localized: std::collections::BTreeMap<String, crate::domain::catalog::MediaText> =
        serde_json::from_str(&asset.localized).unwrap_or_default();
    if let Some(text) = crate::domain::catalog::text_for(&localized, language) {
        for (field, value) in [
            (&mut asset.alt_text, &text.alt_text),
            (&mut asset.caption, &text.caption),
            (&mut asset.credit, &text.credit),
        ] {
            if value.is_some() {
                field.clone_from(value);
            }
        }
    }
}

fn media_view(m: &MediaUse) -> ArticleMediaView {
    let caption = m
        .usage
        .caption_override
        .clone()
        .or_else(|| m.asset.caption.clone());
    ArticleMediaView::from_asset(&m.asset, &m.renditions, caption)
}

impl ArticleMediaView {
    /// The asset with `caption`: its own, or the override of the article that shows it.
    pub fn from_asset(asset: &MediaAsset, renditions: &[Rendition], caption: Option<String>) -> Self {
        // Written by `save_media` from checked input; a row that cannot be read shows no framing.
        let framing: crate::domain::framing::Framing =
            serde_json::from_str(&asset.framing).unwrap_or_default();
        ArticleMediaView {
            focal_point: framing.focal_point,
            crops: framing.crops,
            id: asset.public_id.clone(),
            kind: asset.kind,
            url: asset.url.clone(),
            mime_type: asset.mime_type.clone(),
            width: asset.width,
            height: asset.height,
            duration_ms: asset.duration_ms,
            alt_text: asset.alt_text.clone(),
            caption,
            credit: asset.credit.clone(),
            creator: asset.creator.clone(),
            copyright_holder: asset.copyright_holder.clone(),
            license: asset.license.clone(),
            source: asset.source.clone(),
            renditions: renditions
                .iter()
                .map(|r| RenditionView {
                    name: r.name.clone(),
                    url: r.url.clone(),
                    mime_type: r.mime_type.clone(),
                    width: r.width,
                    height: r.height,
                })
                .collect(),
        }
    }

    /// The asset itself, as an image reference.
    pub fn whole(&self) -> ImageRef<'_> {
        ImageRef {
            url: &self.url,
            mime_type: &self.mime_type,
            width: self.width,
            height: self.height,
        }
    }

    /// Renditions every consumer can decode (not WebP), for feeds and cards.
    fn plain_renditions(&self) -> impl Iterator<Item = &RenditionView> {
        self.renditions.iter().filter(|r| r.mime_type != "image/webp")
    }

    /// The rendition called `stem` (`og-1200`, `16x9-1200`, …) in a plain format.
    pub fn named(&self, stem: &str) -> Option<ImageRef<'_>> {
        self.plain_renditions()
            .find(|r| r.name.rsplit_once('.').map_or(r.name.as_str(), |(s, _)| s) == stem)
            .map(RenditionView::as_ref)
    }

    /// The named crop for an aspect ratio (`16x9`), at whatever width it was made.
    pub fn crop(&self, ratio: &str) -> Option<ImageRef<'_>> {
        let prefix = format!("{ratio}-");
        self.plain_renditions()
            .filter(|r| r.name.starts_with(&prefix))
            .max_by_key(|r| r.width.unwrap_or(0))
            .map(RenditionView::as_ref)
    }

    /// The narrowest whole-picture rendition at least `min_width` wide, else the asset itself
    /// (which is also what assets registered without renditions give).
    pub fn at_least(&self, min_width: i32) -> ImageRef<'_> {
        self.plain_renditions()
            .filter(|r| r.name.starts_with("original-") && r.width.is_some_and(|w| w >= min_width))
            .min_by_key(|r| r.width.unwrap_or(i32::MAX))
            .map_or_else(|| self.whole(), RenditionView::as_ref)
    }

    /// The narrowest rendition in a plain format: a thumbnail.
    pub fn thumbnail(&self) -> Option<ImageRef<'_>> {
        self.plain_renditions()
            .filter(|r| r.width.is_some())
            .min_by_key(|r| r.width.unwrap_or(i32::MAX))
            .map(RenditionView::as_ref)
    }
}

/// One image file an answer or a feed points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageRef<'a> {
    pub url: &'a str,
    pub mime_type: &'a str,
    pub width: Option<i32>,
    pub height: Option<i32>,
}

impl RenditionView {
    fn as_ref(&self) -> ImageRef<'_> {
        ImageRef {
            url: &self.url,
            mime_type: &self.mime_type,
            width: self.width,
            height: self.height,
        }
    }
}
