//! Khabar's own export format, version 1: JSON Lines, one entity a line, in dependency order
//! (header, contributors, users, topics parents first, files and media, articles, redirects,
//! deletions). `docs/export.schema.json` describes every line; a test checks exports against it.
//!
//! Everything a reader or editor sees is in it, with the times it happened; what can be derived
//! again is not (an upload's URL and renditions, which are signed by the server that serves
//! them, search indexes, delivery forms). Operational rows are left out: sessions, API keys,
//! webhooks, jobs, the audit log.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::blocks::Block;
use crate::domain::catalog::{MediaText, RenditionInput};
use crate::domain::editorial::{BylineInput, FeaturedMediaInput, TopicLinkInput};
use crate::domain::framing::{CropBox, CropRatio, FocalPoint};
use crate::domain::kinds::{ArticleStatus, ContributorKind, MediaKind, RedirectSource, TopicKind, UserRole};
use crate::domain::redirect::RedirectTo;

/// The `format` of the header line.
pub const FORMAT: &str = "khabar.export";
/// The version this build writes and the newest it reads.
pub const VERSION: u32 = 1;

/// One line of an export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    Header(Header),
    Contributor(ContributorRecord),
    User(UserRecord),
    Topic(TopicRecord),
    File(FileRecord),
    Media(Box<MediaRecord>),
    Article(Box<ArticleRecord>),
    Redirect(RedirectRecord),
    Deleted(DeletedRecord),
}

impl Record {
    /// The kind of entity, as reports name it.
    pub fn kind(&self) -> &'static str {
        match self {
            Record::Header(_) => "header",
            Record::Contributor(_) => "contributor",
            Record::User(_) => "user",
            Record::Topic(_) => "topic",
            Record::File(_) => "file",
            Record::Media(_) => "media",
            Record::Article(_) => "article",
            Record::Redirect(_) => "redirect",
            Record::Deleted(_) => "deleted",
        }
    }

    /// The entity's key in its kind: slug, email, public id, file name or path.
    pub fn key(&self) -> String {
        match self {
            Record::Header(h) => h.format.clone(),
            Record::Contributor(c) => c.slug.clone(),
            Record::User(u) => u.email.clone(),
            Record::Topic(t) => t.slug.clone(),
            Record::File(f) => f.name.clone(),
            Record::Media(m) => m.id.clone(),
            Record::Article(a) => a.id.clone(),
            Record::Redirect(r) => r.from.clone(),
            Record::Deleted(d) => d.id.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Always `khabar.export`.
    pub format: String,
    pub version: u32,
    /// An incremental export: only what changed at or after this time (and deletions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContributorRecord {
    pub slug: String,
    pub kind: ContributorKind,
    pub name: String,
    #[serde(default)]
    pub localized_names: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserRecord {
    pub email: String,
    pub role: UserRole,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The contributor (slug) the user writes as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contributor: Option<String>,
    #[serde(default)]
    pub disabled: bool,
    /// The Argon2id hash, only in exports made with `--with-secrets`. Without it an imported
    /// user cannot sign in until an admin sets a password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicRecord {
    pub slug: String,
    pub kind: TopicKind,
    pub name: String,
    #[serde(default)]
    pub localized_names: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The parent topic's slug; it comes earlier in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An uploaded original, before the first media line that shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileRecord {
    /// `<first 32 hex digits of the SHA-256>.<extension>`.
    pub name: String,
    /// The SHA-256 of the bytes, in hex.
    pub sha256: String,
    /// The bytes, base64 (standard alphabet, padded).
    pub data: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MediaRecord {
    /// The asset's public id.
    pub id: String,
    pub kind: MediaKind,
    /// For an upload, the stored file (its URL and renditions are made by the importing
    /// server); absent for an asset registered by URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// For an asset registered by URL: its URL. Absent for uploads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub mime_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copyright_holder: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub localized: BTreeMap<String, MediaText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub focal_point: Option<FocalPoint>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schema(value_type = crate::domain::framing::CropsSchema)]
    pub crops: BTreeMap<CropRatio, CropBox>,
    /// For an asset registered by URL: the renditions registered with it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renditions: Vec<RenditionInput>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRecord {
    pub corrected_at: DateTime<Utc>,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevisionRecord {
    pub version: i32,
    /// What made it: `create`, `update`, `publish`, `restore`, …
    pub action: String,
    /// The email of the user who made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The article's writable fields at that version.
    #[schema(value_type = Object)]
    pub snapshot: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleRecord {
    /// The article's public id.
    pub id: String,
    pub language: String,
    pub slug: String,
    pub headline: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dateline: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical_url: Option<String>,
    #[serde(default)]
    pub body: Vec<Block>,
    #[serde(default)]
    pub bylines: Vec<BylineInput>,
    #[serde(default)]
    pub topics: Vec<TopicLinkInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub featured_media: Option<FeaturedMediaInput>,
    /// Public ids of curated related articles, in order (later in the file is fine).
    #[serde(default)]
    pub related: Vec<String>,
    pub status: ArticleStatus,
    pub version: i32,
    /// The public id of the first article of its translation group in this file (its own id
    /// when it has no translations).
    pub translation_group: String,
    /// The email of the user who created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_published_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embargo_until: Option<DateTime<Utc>>,
    /// When its public form last changed (`Last-Modified`, `sort=updated`); the import
    /// compiles it as of then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corrections: Vec<CorrectionRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<RevisionRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedirectRecord {
    /// The old site path, in normal form.
    pub from: String,
    pub to: RedirectTo,
    pub status: u16,
    pub source: RedirectSource,
    pub created_at: DateTime<Utc>,
}

/// An entity deleted since the `since` of an incremental export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeletedRecord {
    /// Only `article` so far.
    pub kind: String,
    pub id: String,
    pub at: DateTime<Utc>,
}

/// The JSON Schema (2020-12) of one line of an export: `docs/export.schema.json`, made from
/// these types so that the two cannot drift (a test compares them).
pub fn json_schema() -> serde_json::Value {
    use serde_json::{json, Value};
    use utoipa::OpenApi;
    #[derive(OpenApi)]
    #[openapi(components(schemas(
        Header,
        ContributorRecord,
        UserRecord,
        TopicRecord,
        FileRecord,
        MediaRecord,
        ArticleRecord,
        RedirectRecord,
        DeletedRecord
    )))]
    struct Lines;
    let document = serde_json::to_value(Lines::openapi()).expect("a generated document serializes");
    let text = document["components"]["schemas"]
        .to_string()
        .replace("#/components/schemas/", "#/$defs/");
    let mut defs: serde_json::Map<String, Value> = serde_json::from_str(&text).expect("JSON we just wrote");
    let lines = [
        ("header", "Header"),
        ("contributor", "ContributorRecord"),
        ("user", "UserRecord"),
        ("topic", "TopicRecord"),
        ("file", "FileRecord"),
        ("media", "MediaRecord"),
        ("article", "ArticleRecord"),
        ("redirect", "RedirectRecord"),
        ("deleted", "DeletedRecord"),
    ];
    let mut one_of = Vec::new();
    for (kind, name) in lines {
        let mut line = defs[name].clone();
        line["properties"]["type"] = json!({"const": kind});
        let required = line["required"]
            .as_array_mut()
            .expect("records have required fields");
        required.insert(0, json!("type"));
        line["additionalProperties"] = json!(false);
        let line_name = format!("{name}Line");
        defs.insert(line_name.clone(), line);
        one_of.push(json!({"$ref": format!("#/$defs/{line_name}")}));
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": format!("One line of a Khabar export (format {FORMAT}, version {VERSION})"),
        "description": "A Khabar export is JSON Lines: a header line first, then one entity a line in dependency order (contributors, users, topics parents first, files and media, articles, redirects, deletions). Written by `khabar export`, read by `khabar import` and POST /v1/imports.",
        "oneOf": one_of,
        "$defs": defs,
    })
}

/// Why a line cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LineError(pub String);

/// Reads one line: JSON, a known `type`, every field known and of its type; the message names
/// the field (`bylines[0].role: unknown variant …`).
pub fn parse_line(line: &str) -> Result<Record, LineError> {
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| LineError(format!("not JSON: {e}")))?;
    if let Some((pointer, found)) = crate::domain::text::forbidden_in_json(&value) {
        return Err(LineError(format!("{pointer}: {found}")));
    }
    let kind = value
        .get("type")
        .and_then(|t| t.as_str())
        .ok_or_else(|| LineError("no \"type\"".into()))?
        .to_owned();
    const KNOWN: &[&str] = &[
        "header",
        "contributor",
        "user",
        "topic",
        "file",
        "media",
        "article",
        "redirect",
        "deleted",
    ];
    if !KNOWN.contains(&kind.as_str()) {
        return Err(LineError(format!(
            "unknown type '{kind}'; expected one of: {}",
            KNOWN.join(", ")
        )));
    }
    let mut fields = value;
    if let Some(object) = fields.as_object_mut() {
        object.remove("type");
    }
    // Each type on its own, so that an error names the field (a tagged enum would hide it).
    Ok(match kind.as_str() {
        "header" => Record::Header(fields_of(&kind, fields)?),
        "contributor" => Record::Contributor(fields_of(&kind, fields)?),
        "user" => Record::User(fields_of(&kind, fields)?),
        "topic" => Record::Topic(fields_of(&kind, fields)?),
        "file" => Record::File(fields_of(&kind, fields)?),
        "media" => Record::Media(fields_of(&kind, fields)?),
        "article" => Record::Article(Box::new(fields_of(&kind, fields)?)),
        "redirect" => Record::Redirect(fields_of(&kind, fields)?),
        _ => Record::Deleted(fields_of(&kind, fields)?),
    })
}

fn fields_of<T: serde::de::DeserializeOwned>(kind: &str, value: serde_json::Value) -> Result<T, LineError> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." || path.is_empty() {
            LineError(format!("{kind}: {inner}"))
        } else {
            LineError(format!("{kind}.{path}: {inner}"))
        }
    })
}

/// One line, as written (no newline).
pub fn to_line(record: &Record) -> String {
    serde_json::to_string(record).expect("export records are plain data and always serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_name_what_is_wrong_with_them() {
        let error = |line: &str| parse_line(line).unwrap_err().0;
        assert!(error("{").starts_with("not JSON"));
        assert_eq!(error("{}"), "no \"type\"");
        assert!(error(r#"{"type":"comment"}"#).starts_with("unknown type 'comment'"));
        let unknown = error(
            r#"{"type":"contributor","slug":"a","kind":"person","name":"A","created_at":"2020-01-01T00:00:00Z","updated_at":"2020-01-01T00:00:00Z","shoe_size":44}"#,
        );
        assert!(unknown.contains("shoe_size"), "{unknown}");
        let wrong = error(
            r#"{"type":"contributor","slug":"a","kind":"robot","name":"A","created_at":"2020-01-01T00:00:00Z","updated_at":"2020-01-01T00:00:00Z"}"#,
        );
        assert!(wrong.starts_with("contributor.kind"), "{wrong}");
    }

    #[test]
    fn records_round_trip() {
        let record = Record::Header(Header {
            format: FORMAT.into(),
            version: VERSION,
            since: None,
        });
        assert_eq!(
            to_line(&record),
            r#"{"type":"header","format":"khabar.export","version":1}"#
        );
        assert_eq!(parse_line(&to_line(&record)).unwrap(), record);
    }
}
