//! URL slugs. Arabic slugs are first-class: letters of any script are kept, diacritics and
//! tatweel dropped so that the same headline always yields the same slug.

/// Longest slug generated from a headline, in characters; long enough to stay readable.
const GENERATED_MAX_CHARS: usize = 80;
/// Longest slug accepted (the schema checks the same bound).
pub const MAX_CHARS: usize = 200;

fn is_arabic_mark(c: char) -> bool {
    matches!(c, '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | '\u{0640}')
}

/// Unicode NFC: the same letters typed on different keyboards (or a decomposed `é`, or an
/// Arabic hamza written as alef plus a combining mark) are one slug and one URL.
pub fn normalize(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    if is_nfc(text) {
        return text.to_owned();
    }
    text.nfc().collect()
}

/// The quick check of UAX #15: true for nearly all text, without building a copy.
fn is_nfc(text: &str) -> bool {
    use unicode_normalization::{is_nfc_quick, IsNormalized};
    is_nfc_quick(text.chars()) == IsNormalized::Yes
}

/// For path parameters that name something by slug: looked up in the form it is stored in.
/// Read on every request, so text already in NFC is kept as it came.
pub fn deserialize_normalized<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let raw = <String as serde::Deserialize>::deserialize(deserializer)?;
    Ok(if is_nfc(&raw) { raw } else { normalize(&raw) })
}

/// Builds a slug from a headline: lower case, words joined by `-`, Arabic letters kept.
pub fn slugify(headline: &str) -> String {
    let mut slug = String::new();
    let mut length = 0;
    let mut pending_dash = false;
    for c in normalize(headline).chars().filter(|c| !is_arabic_mark(*c)) {
        if !c.is_alphanumeric() {
            pending_dash = true;
            continue;
        }
        let dash = pending_dash && length > 0;
        let lower: String = c.to_lowercase().collect();
        let added = usize::from(dash) + lower.chars().count();
        if length + added > GENERATED_MAX_CHARS {
            break;
        }
        if dash {
            slug.push('-');
        }
        slug.push_str(&lower);
        length += added;
        pending_dash = false;
    }
    slug.trim_end_matches('-').to_owned()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a slug is 1 to {MAX_CHARS} lower-case letters or digits (any script) joined by single '-'")]
pub struct InvalidSlug;

/// Accepts a slug as a client wrote it, if it is in the form `slugify` produces once
/// normalized (NFC); returns the normalized form.
pub fn parse(candidate: &str) -> Result<String, InvalidSlug> {
    let candidate = normalize(candidate);
    let well_formed = !candidate.is_empty()
        && candidate.chars().count() <= MAX_CHARS
        && !candidate.starts_with('-')
        && !candidate.ends_with('-')
        && !candidate.contains("--")
        && candidate
            .chars()
            .all(|c| c == '-' || (c.is_alphanumeric() && !c.is_uppercase() && !is_arabic_mark(c)));
    if well_formed {
        Ok(candidate)
    } else {
        Err(InvalidSlug)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_arabic_and_drops_punctuation_and_tashkeel() {
        assert_eq!(
            slugify("محادثات عسكرية وأمنية جديدة بين رئيس حكومة الوفاق ووزير الدفاع التركي"),
            "محادثات-عسكرية-وأمنية-جديدة-بين-رئيس-حكومة-الوفاق-ووزير-الدفاع-التركي"
        );
        assert_eq!(slugify("هل سينفذ السيسي تهديده؟"), "هل-سينفذ-السيسي-تهديده");
        assert_eq!(slugify("مُحَمَّد ــ  Hello, World!"), "محمد-hello-world");
        assert!(parse(&slugify("مُحَمَّد ــ  Hello, World!")).is_ok());
    }

    #[test]
    fn slugs_are_nfc() {
        // "café" with a combining acute accent, and "أ" as alef + hamza above.
        assert_eq!(parse("cafe\u{301}").unwrap(), "caf\u{e9}");
        assert_eq!(parse("\u{627}\u{654}خبار").unwrap(), "\u{623}خبار");
        assert_eq!(slugify("Cafe\u{301} News"), "caf\u{e9}-news");
    }

    #[test]
    fn generated_slugs_are_bounded() {
        let long = "كلمة ".repeat(100);
        let slug = slugify(&long);
        assert!(slug.chars().count() <= GENERATED_MAX_CHARS);
        assert!(!slug.ends_with('-'));
    }

    #[test]
    fn parse_rejects_malformed_slugs() {
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "a/b", "مُحمد"] {
            assert!(parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(parse("libya-2020").is_ok());
    }
}
