//! Who made an imported photo. WordPress has no credit field, so a credit is looked for, in
//! this order (the first found wins, field by field):
//!
//! 1. the attachment's metadata: `image_meta.credit` and `image_meta.copyright`, which
//!    WordPress copies from the photo's IPTC when it is uploaded;
//! 2. the photo file itself, when it is imported (its IPTC, XMP or EXIF, as for any upload);
//! 3. the caption: a credit it names at its end, `… (AFP)`, `… © Reuters`, `Photo: …`,
//!    `Credit: …`, `Copyright …`, `تصوير: …`, `الصورة: …`, `المصدر: …`, `حقوق الصورة: …`,
//!    or an agency in parentheses, `(أ ف ب)`.
//!
//! A photo with none is imported without one: articles that show it are imported as they were,
//! and cannot be published again until an editor gives it a credit.

/// Words that introduce a credit in a caption, after which the rest is the credit.
const MARKERS: &[&str] = &[
    "photo credit:",
    "photo:",
    "photo by",
    "credit:",
    "copyright",
    "©",
    "(c)",
    "حقوق الصورة:",
    "تصوير:",
    "الصورة:",
    "المصدر:",
    "صورة:",
];

/// The longest credit taken from a caption: past this it is a sentence, not a name.
const MAX_CREDIT_CHARS: usize = 60;

/// A credit the caption names, by the rule above.
pub fn from_caption(caption: &str) -> Option<String> {
    let caption = caption.trim();
    for marker in MARKERS {
        if let Some(at) = rfind_ignoring_ascii_case(caption, marker) {
            let credit = clean(&caption[at + marker.len()..]);
            if !credit.is_empty() && credit.chars().count() <= MAX_CREDIT_CHARS {
                return Some(credit);
            }
        }
    }
    // "(AFP)" or "(أ ف ب)" at the very end.
    let stripped = caption.trim_end_matches(['.', ' ', '،']);
    if let Some(open) = stripped.rfind('(') {
        if stripped.ends_with(')') {
            let inside = clean(&stripped[open + 1..stripped.len() - 1]);
            let words = inside.split_whitespace().count();
            if !inside.is_empty() && words <= 4 && inside.chars().count() <= 30 {
                return Some(inside);
            }
        }
    }
    None
}

/// The last place `needle` occurs in `haystack`, ASCII letters matched in either case.
fn rfind_ignoring_ascii_case(haystack: &str, needle: &str) -> Option<usize> {
    let (hay, pattern) = (haystack.as_bytes(), needle.as_bytes());
    if pattern.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - pattern.len())
        .rev()
        .filter(|i| haystack.is_char_boundary(*i) && haystack.is_char_boundary(i + pattern.len()))
        .find(|i| hay[*i..i + pattern.len()].eq_ignore_ascii_case(pattern))
}

fn clean(text: &str) -> String {
    text.trim()
        .trim_start_matches([':', '-', '–', '—', ' '])
        .trim_end_matches(['.', ')', ' ', '،'])
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credits_named_in_captions() {
        let cases = [
            ("Sarraj meets Akar in Tripoli (AFP)", Some("AFP")),
            (
                "رئيس الحكومة الليبية فائز السراج مع وزير الدفاع التركي (أ ف ب)",
                Some("أ ف ب"),
            ),
            (
                "Protesters in Beirut. Photo: Reuters/Mohamed Azakir",
                Some("Reuters/Mohamed Azakir"),
            ),
            ("Beirut, 2020. © AP", Some("AP")),
            ("Credit: Getty Images", Some("Getty Images")),
            ("الوزير في طرابلس. تصوير: محمد علي", Some("محمد علي")),
            ("حقوق الصورة: رويترز", Some("رويترز")),
            ("A quiet street in Tripoli", None),
            (
                "Talks (which lasted for hours and ended without any agreement at all)",
                None,
            ),
            ("", None),
        ];
        for (caption, credit) in cases {
            assert_eq!(from_caption(caption).as_deref(), credit, "{caption}");
        }
    }
}
