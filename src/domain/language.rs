//! Article languages (BCP 47 tags) and the text direction they imply.

use std::fmt;

/// Primary language subtags written right to left.
const RTL_LANGUAGES: &[&str] = &["ar", "fa", "he", "ur", "ps", "ckb", "yi", "dv", "sd", "ug"];

/// A syntactically valid BCP 47 language tag, normalized to the conventional case
/// (`ar`, `ar-EG`, `zh-Hant-TW`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Language(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a BCP 47 language tag (e.g. 'ar', 'en', 'ar-EG')")]
pub struct InvalidLanguage(pub String);

impl Language {
    /// Accepts `language[-script][-region][-variant...]` with the lengths RFC 5646 allows.
    pub fn parse(tag: &str) -> Result<Self, InvalidLanguage> {
        let invalid = || InvalidLanguage(tag.to_owned());
        let mut parts = tag.split('-');
        let primary = parts.next().filter(|p| (2..=8).contains(&p.len()));
        let primary = primary
            .filter(|p| p.bytes().all(|b| b.is_ascii_alphabetic()))
            .ok_or_else(invalid)?;
        let mut normalized = primary.to_ascii_lowercase();
        for part in parts {
            if part.is_empty() || part.len() > 8 || !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(invalid());
            }
            normalized.push('-');
            match part.len() {
                4 if part.bytes().all(|b| b.is_ascii_alphabetic()) => {
                    normalized.push_str(&part[..1].to_ascii_uppercase());
                    normalized.push_str(&part[1..].to_ascii_lowercase());
                }
                2 => normalized.push_str(&part.to_ascii_uppercase()),
                _ => normalized.push_str(&part.to_ascii_lowercase()),
            }
        }
        Ok(Language(normalized))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The primary subtag: `ar` for `ar-EG`.
    pub fn primary(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }

    pub fn direction(&self) -> TextDirection {
        if RTL_LANGUAGES.contains(&self.primary()) {
            TextDirection::Rtl
        } else {
            TextDirection::Ltr
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The HTML `dir` value a front-end needs for the article's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TextDirection {
    Ltr,
    Rtl,
}

/// Picks the name for `language` from a map of language tag to name: the exact tag first, then
/// its primary subtag (`ar` for `ar-EG`).
pub fn localized<'a>(
    names: &'a std::collections::BTreeMap<String, String>,
    language: &str,
) -> Option<&'a str> {
    let primary = language.split('-').next().unwrap_or(language);
    names
        .get(language)
        .or_else(|| names.get(primary))
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_and_its_regions_are_rtl() {
        assert_eq!(Language::parse("ar").unwrap().direction(), TextDirection::Rtl);
        assert_eq!(Language::parse("ar-eg").unwrap().as_str(), "ar-EG");
        assert_eq!(Language::parse("AR-EG").unwrap().direction(), TextDirection::Rtl);
        assert_eq!(Language::parse("fa").unwrap().direction(), TextDirection::Rtl);
        assert_eq!(Language::parse("en").unwrap().direction(), TextDirection::Ltr);
        assert_eq!(Language::parse("zh-hant-tw").unwrap().as_str(), "zh-Hant-TW");
    }

    #[test]
    fn rejects_what_is_not_a_tag() {
        for bad in ["", "a", "abcdefghij", "ar_EG", "ar-", "12", "ar--EG", "عربي"] {
            assert!(Language::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}

/// The tag and each shorter prefix of it at a `-` (`zh-Hant-TW`, `zh-Hant`, `zh`): the ranges
/// of RFC 4647 basic filtering that the tag matches.
pub fn prefixes(tag: &str) -> impl Iterator<Item = &str> {
    std::iter::once(tag).chain(tag.match_indices('-').map(move |(at, _)| &tag[..at]))
}

/// The SQL `LIKE` pattern of the tags a basic-filtering range covers besides itself
/// (`en-%`). A LIKE, not a range of strings: PostgreSQL's collations order `-` and `.` as
/// they please. A parsed tag holds letters, digits and `-` only, so nothing needs escaping.
pub fn subtag_pattern(range: &str) -> String {
    format!("{range}-%")
}

#[cfg(test)]
mod basic_filtering {
    use super::*;

    #[test]
    fn a_tag_matches_each_of_its_prefixes_and_nothing_else() {
        let all: Vec<&str> = prefixes("zh-Hant-TW").collect();
        assert_eq!(all, ["zh-Hant-TW", "zh", "zh-Hant"]);
        assert_eq!(prefixes("ar").collect::<Vec<_>>(), ["ar"]);
        assert_eq!(subtag_pattern("en"), "en-%");
    }
}
