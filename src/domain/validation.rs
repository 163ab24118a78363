//! Field-level validation errors, shared by every layer that checks input.
//!
//! Each error carries a stable `code` beside its English `message`: clients (the desk among
//! them) switch on the code and show their own words, with `limit` and `value` filled in.

use serde::Serialize;
use utoipa::ToSchema;

/// What is wrong with a field: stable, documented, safe to switch on and translate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FieldCode {
    /// Missing, or empty where text is needed.
    Required,
    /// Longer than `limit` characters (or bytes, for whole bodies).
    TooLong,
    /// Shorter than `limit` characters.
    TooShort,
    /// More than `limit` entries.
    TooMany,
    /// A number outside its range (`limit` is the bound it passed, where there is one).
    OutOfRange,
    /// The same entry listed twice.
    Duplicate,
    /// A value that must be unique is used by another record (`value` names it).
    Taken,
    /// A reference to a record that does not exist (`value` names what was referred to).
    NotFound,
    /// A field the schema does not have.
    UnknownField,
    /// A value of the wrong JSON type, or not one of the allowed values.
    WrongType,
    /// Not in the required form: a URL, e-mail address, language tag, slug, time, cursor…
    Format,
    /// A character that text may not hold: a control character, a noncharacter, or an
    /// unbalanced bidirectional control.
    ForbiddenCharacter,
    /// A photo shown by a public article must name who made it.
    Uncredited,
    /// The value contradicts another field or the record's state.
    Inconsistent,
    /// Anything else; the message says what.
    Invalid,
}

impl FieldCode {
    /// Every code, for documentation and for tests that a client knows them all.
    pub const ALL: [FieldCode; 15] = [
        FieldCode::Required,
        FieldCode::TooLong,
        FieldCode::TooShort,
        FieldCode::TooMany,
        FieldCode::OutOfRange,
        FieldCode::Duplicate,
        FieldCode::Taken,
        FieldCode::NotFound,
        FieldCode::UnknownField,
        FieldCode::WrongType,
        FieldCode::Format,
        FieldCode::ForbiddenCharacter,
        FieldCode::Uncredited,
        FieldCode::Inconsistent,
        FieldCode::Invalid,
    ];
}

/// One invalid field or parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The parameter name, or a JSON Pointer into the request body (`/body/2/level`).
    pub field: String,
    pub code: FieldCode,
    /// What is wrong, in English, for a human reading the raw answer.
    pub message: String,
    /// The bound that was passed, with `too-long`, `too-many` and `out-of-range`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// The value referred to, with `not-found` and `taken` (a slug, an id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl FieldError {
    /// An error whose only description is its message (`code: invalid`).
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError::coded(field, FieldCode::Invalid, message)
    }

    pub fn coded(field: impl Into<String>, code: FieldCode, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            code,
            message: message.into(),
            limit: None,
            value: None,
        }
    }

    pub fn required(field: impl Into<String>) -> Self {
        FieldError::coded(field, FieldCode::Required, "must not be empty")
    }

    pub fn too_long(field: impl Into<String>, max: usize) -> Self {
        FieldError::coded(
            field,
            FieldCode::TooLong,
            format!("must be at most {max} characters"),
        )
        .with_limit(max as u64)
    }

    pub fn too_many(field: impl Into<String>, max: usize) -> Self {
        FieldError::coded(field, FieldCode::TooMany, format!("at most {max} entries")).with_limit(max as u64)
    }

    /// A reference to a missing record: `what` is how the message names it ("contributor has
    /// the slug"), `value` what was referred to.
    pub fn not_found(field: impl Into<String>, what: &str, value: &str) -> Self {
        FieldError::coded(field, FieldCode::NotFound, format!("no {what} '{value}'")).with_value(value)
    }

    pub fn with_limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    pub fn with_value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }

    /// The same error under another name (a prefix added to its pointer, say).
    pub fn renamed(mut self, field: impl Into<String>) -> Self {
        self.field = field.into();
        self
    }
}

/// Collects field errors; `finish` is `Ok` only when none were found.
#[derive(Debug, Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    pub fn fail_with(&mut self, field: impl Into<String>, code: FieldCode, message: impl Into<String>) {
        self.0.push(FieldError::coded(field, code, message));
    }

    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// Text that must be present (not blank) and at most `max` characters long.
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.push(FieldError::required(field));
        } else {
            self.length(field, Some(value), max);
        }
    }

    pub fn length(&mut self, field: &str, value: Option<&str>, max: usize) {
        if value.is_some_and(|v| v.chars().count() > max) {
            self.push(FieldError::too_long(field, max));
        }
    }

    /// An absolute http or https URL, if given.
    pub fn web_url(&mut self, field: &str, value: Option<&str>) {
        if let Some(value) = value {
            if !url::Url::parse(value).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
                self.fail_with(field, FieldCode::Format, "must be an absolute http or https URL");
            }
        }
    }

    pub fn extend(&mut self, errors: impl IntoIterator<Item = FieldError>) {
        self.0.extend(errors);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}
