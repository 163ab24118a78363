//! The writable fields of contributors, topics and media assets, and their checks.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::framing::{CropBox, CropRatio, CropsSchema, FocalPoint};
use super::kinds::{ContributorKind, MediaKind, TopicKind};
use super::language::Language;
use super::slug;
use super::validation::{Checks, FieldCode, FieldError};

/// Checks a given slug and keeps it in its normalized form.
fn check_slug(checks: &mut Checks, value: &mut Option<String>) {
    if let Some(candidate) = value.as_deref() {
        match slug::parse(candidate) {
            Ok(normalized) => *value = Some(normalized),
            Err(e) => checks.fail_with("/slug", FieldCode::Format, e.to_string()),
        }
    }
}

fn check_names(checks: &mut Checks, names: &BTreeMap<String, String>) {
    for (tag, name) in names {
        if Language::parse(tag).is_err() {
            checks.fail_with(
                format!("/localized_names/{tag}"),
                FieldCode::Format,
                "the key must be a BCP 47 language tag",
            );
        }
        checks.text(&format!("/localized_names/{tag}"), name, 200);
    }
}

/// The slug given, or one made from `name`.
pub fn slug_or_from(slug: &Option<String>, name: &str) -> String {
    slug.clone().unwrap_or_else(|| slug::slugify(name))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "agency", "name": "AFP", "slug": "afp", "localized_names": {"ar": "أ ف ب"}}))]
pub struct ContributorInput {
    /// Made from the name when absent.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200)]
    pub slug: Option<String>,
    pub kind: ContributorKind,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[serde(default)]
    pub localized_names: BTreeMap<String, String>,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub bio: Option<String>,
    #[serde(default)]
    #[schema(pattern = "^https?://")]
    pub avatar_url: Option<String>,
    #[serde(default)]
    #[schema(pattern = "^https?://")]
    pub url: Option<String>,
}

impl ContributorInput {
    pub fn checked(mut self) -> Result<Self, Vec<FieldError>> {
        let mut checks = Checks::default();
        check_slug(&mut checks, &mut self.slug);
        checks.text("/name", &self.name, 200);
        check_names(&mut checks, &self.localized_names);
        checks.length("/bio", self.bio.as_deref(), 5_000);
        checks.web_url("/avatar_url", self.avatar_url.as_deref());
        checks.web_url("/url", self.url.as_deref());
        checks.finish().map(|()| self)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "place", "name": "Libya", "slug": "libya", "localized_names": {"ar": "ليبيا"}}))]
pub struct TopicInput {
    /// Made from the name when absent.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200)]
    pub slug: Option<String>,
    pub kind: TopicKind,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[serde(default)]
    pub localized_names: BTreeMap<String, String>,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    /// The parent topic's slug.
    #[serde(default)]
    pub parent: Option<String>,
}

impl TopicInput {
    pub fn checked(mut self) -> Result<Self, Vec<FieldError>> {
        let mut checks = Checks::default();
        check_slug(&mut checks, &mut self.slug);
        checks.text("/name", &self.name, 200);
        check_names(&mut checks, &self.localized_names);
        checks.length("/description", self.description.as_deref(), 5_000);
        checks.finish().map(|()| self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenditionInput {
    pub name: String,
    pub url: String,
    pub mime_type: String,
    #[serde(default)]
    pub width: Option<i32>,
    #[serde(default)]
    pub height: Option<i32>,
}

/// A media asset registered by URL. A published article may only show assets with a credit.
/// Unknown fields are refused with a 422 that names them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "kind": "image", "url": "https://media.example.com/sarraj-akar.jpg", "mime_type": "image/jpeg",
    "width": 1200, "height": 675, "caption": "فائز السراج وخلوصي أكار في طرابلس",
    "credit": "أ ف ب", "copyright_holder": "AFP"
}))]
pub struct MediaInput {
    pub kind: MediaKind,
    #[schema(pattern = "^https?://")]
    pub url: String,
    pub mime_type: String,
    #[serde(default)]
    #[schema(minimum = 1, maximum = 100000)]
    pub width: Option<i32>,
    #[serde(default)]
    #[schema(minimum = 1, maximum = 100000)]
    pub height: Option<i32>,
    #[serde(default)]
    #[schema(minimum = 0)]
    pub duration_ms: Option<i64>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub alt_text: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub caption: Option<String>,
    /// The credit line: who supplied it (an agency, a photographer). Required before an
    /// article showing it is published.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub credit: Option<String>,
    /// The photographer or maker named on the work (IPTC By-line), when known.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub creator: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub copyright_holder: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub license: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub source: Option<String>,
    /// For uploads, Khabar makes the renditions (srcset widths, the named crops, Open Graph's
    /// card) and replaces any given here whenever the framing changes.
    #[serde(default)]
    pub renditions: Vec<RenditionInput>,
    /// Where the subject is: crops that are not set, and `cover` renditions, centre on it.
    #[serde(default)]
    pub focal_point: Option<FocalPoint>,
    /// A box per aspect ratio chosen by an editor, in pixels of the picture as displayed;
    /// a ratio left out is cropped around the focal point.
    #[serde(default)]
    #[schema(value_type = CropsSchema)]
    pub crops: BTreeMap<CropRatio, CropBox>,
    /// The asset's words in other languages, by BCP 47 tag: an article in that language shows
    /// these instead (an English article credits "AFP" where the Arabic one says "أ ف ب").
    #[serde(default)]
    pub localized: BTreeMap<String, MediaText>,
}

/// A media asset's text in one language; a field left out falls back to the asset's own.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MediaText {
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub alt_text: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub caption: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub credit: Option<String>,
}

/// The entry of `localized` for `language`: its own tag, else its primary language ("ar" for
/// "ar-EG").
pub fn text_for<'a>(localized: &'a BTreeMap<String, MediaText>, language: &str) -> Option<&'a MediaText> {
    let primary = language.split('-').next().unwrap_or(language);
    localized
        .iter()
        .find(|(tag, _)| tag.eq_ignore_ascii_case(language))
        .or_else(|| {
            localized
                .iter()
                .find(|(tag, _)| tag.eq_ignore_ascii_case(primary))
        })
        .map(|(_, text)| text)
}

fn check_mime(checks: &mut Checks, field: &str, mime: &str) {
    let valid = mime
        .split_once('/')
        .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty() && mime.chars().all(|c| c.is_ascii_graphic()));
    if !valid {
        checks.fail_with(
            field,
            FieldCode::Format,
            "must be a media type such as image/jpeg",
        );
    }
}

fn check_dimension(checks: &mut Checks, field: &str, value: Option<i32>) {
    if value.is_some_and(|v| !(1..=100_000).contains(&v)) {
        checks.push(
            FieldError::coded(field, FieldCode::OutOfRange, "must be from 1 to 100000").with_limit(100_000),
        );
    }
}

impl MediaInput {
    pub fn checked(self) -> Result<Self, Vec<FieldError>> {
        let mut checks = Checks::default();
        checks.web_url("/url", Some(&self.url));
        check_mime(&mut checks, "/mime_type", &self.mime_type);
        // An audio asset with an image type would be offered to players that cannot play it.
        let family = self.kind.as_str();
        if self
            .mime_type
            .split_once('/')
            .is_some_and(|(top, _)| !top.eq_ignore_ascii_case(family))
        {
            checks.fail_with(
                "/mime_type",
                FieldCode::Inconsistent,
                format!("a {family} asset has a {family}/… media type"),
            );
        }
        check_dimension(&mut checks, "/width", self.width);
        check_dimension(&mut checks, "/height", self.height);
        super::framing::check(
            &mut checks,
            self.focal_point,
            &self.crops,
            self.width.zip(self.height),
        );
        if self.duration_ms.is_some_and(|d| d < 0) {
            checks.fail_with("/duration_ms", FieldCode::OutOfRange, "must not be negative");
        }
        for (field, value) in [
            ("/alt_text", &self.alt_text),
            ("/caption", &self.caption),
            ("/credit", &self.credit),
            ("/creator", &self.creator),
            ("/copyright_holder", &self.copyright_holder),
            ("/license", &self.license),
            ("/source", &self.source),
        ] {
            checks.length(field, value.as_deref(), 2_000);
        }
        for (tag, text) in &self.localized {
            if Language::parse(tag).is_err() {
                checks.fail_with(
                    format!("/localized/{tag}"),
                    FieldCode::Format,
                    "the key must be a BCP 47 language tag",
                );
            }
            for (field, value) in [
                ("alt_text", &text.alt_text),
                ("caption", &text.caption),
                ("credit", &text.credit),
            ] {
                checks.length(&format!("/localized/{tag}/{field}"), value.as_deref(), 2_000);
            }
        }
        let mut names = std::collections::HashSet::new();
        for (index, rendition) in self.renditions.iter().enumerate() {
            checks.text(&format!("/renditions/{index}/name"), &rendition.name, 100);
            if !names.insert(rendition.name.as_str()) {
                checks.fail_with(
                    format!("/renditions/{index}/name"),
                    FieldCode::Duplicate,
                    "listed twice",
                );
            }
            checks.web_url(&format!("/renditions/{index}/url"), Some(&rendition.url));
            check_mime(
                &mut checks,
                &format!("/renditions/{index}/mime_type"),
                &rendition.mime_type,
            );
            check_dimension(
                &mut checks,
                &format!("/renditions/{index}/width"),
                rendition.width,
            );
            check_dimension(
                &mut checks,
                &format!("/renditions/{index}/height"),
                rendition.height,
            );
        }
        checks.finish().map(|()| self)
    }
}
