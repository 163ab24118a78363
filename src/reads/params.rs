//! Query parameters every read checks the same way: page sizes, languages, comma lists.

use crate::domain::language::Language;
use crate::domain::validation::{FieldCode, FieldError};

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;

/// A page size within the bounds all public lists share (the contract says 1 to 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(u32);

impl Limit {
    pub fn parse(raw: Option<u32>) -> Result<Limit, FieldError> {
        let limit = raw.unwrap_or(DEFAULT_LIMIT);
        if (1..=MAX_LIMIT).contains(&limit) {
            Ok(Limit(limit))
        } else {
            Err(FieldError::coded(
                "limit",
                FieldCode::OutOfRange,
                format!("must be from 1 to {MAX_LIMIT}"),
            )
            .with_limit(u64::from(MAX_LIMIT)))
        }
    }

    /// A size set by configuration rather than by the client (feeds).
    pub fn configured(limit: u32) -> Limit {
        Limit(limit.max(1))
    }

    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// An optional `language` parameter as its canonical BCP 47 tag.
pub fn language(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    raw.map(|raw| {
        Language::parse(raw)
            .map(|l| l.to_string())
            .map_err(|e| FieldError::coded("language", FieldCode::Format, e.to_string()))
    })
    .transpose()
}

/// `a, b,,c` as `["a", "b", "c"]`.
pub fn comma_list(raw: Option<&str>) -> Vec<String> {
    raw.map(|r| {
        r.split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

/// The names in `requested` that `allowed` does not know, each as an error of `field`.
pub fn unknown_names(field: &str, requested: &[String], allowed: &[&str]) -> Vec<FieldError> {
    requested
        .iter()
        .filter(|name| !allowed.contains(&name.as_str()))
        .map(|name| {
            FieldError::coded(
                field,
                FieldCode::WrongType,
                format!("unknown value '{name}'; allowed: {}", allowed.join(", ")),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_outside_the_bounds_name_the_parameter() {
        assert_eq!(Limit::parse(None).unwrap().get(), 20);
        assert_eq!(Limit::parse(Some(100)).unwrap().get(), 100);
        for bad in [0, 101, u32::MAX] {
            let error = Limit::parse(Some(bad)).unwrap_err();
            assert_eq!(error.field, "limit");
            assert_eq!(error.message, "must be from 1 to 100");
        }
    }

    #[test]
    fn languages_are_canonical_or_refused() {
        assert_eq!(language(Some("AR")).unwrap().as_deref(), Some("ar"));
        assert_eq!(language(None).unwrap(), None);
        assert_eq!(language(Some("<b>")).unwrap_err().field, "language");
    }

    #[test]
    fn comma_lists_and_unknown_names() {
        let names = comma_list(Some(" id, slug,,x "));
        assert_eq!(names, ["id", "slug", "x"]);
        let unknown = unknown_names("fields", &names, &["id", "slug"]);
        assert_eq!(unknown.len(), 1);
        assert_eq!(unknown[0].message, "unknown value 'x'; allowed: id, slug");
    }
}
