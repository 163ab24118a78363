//! Finding records by what people type: a topic by its Arabic or English name, a story by a
//! word of its headline, with the same normalization as search (`domain::search`), so that
//! "انقرة" finds "أنقرة" and "الدفاع" finds "والدفاع".
//!
//! A record stores a *key*: every form of every word of its names, each preceded by a space.
//! What is typed becomes *patterns*, one group a word: a record matches when, for every group,
//! some form in its key starts with one of the group's forms (`LIKE '% form%'`). Matching word
//! starts lets a picker find "ليبيا" from "ليب" while it is being typed.

use super::search::{words, Word};

/// Most words a typed query is read for; the rest are ignored.
pub const MAX_TERMS: usize = 8;

/// The key of a record with these names (slug, name, names in other languages…).
pub fn key<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut key = String::from(" ");
    for name in names {
        for word in words(name) {
            for form in word.forms() {
                key.push_str(form);
                key.push(' ');
            }
        }
    }
    key
}

/// The key of a topic or contributor: its slug (its words), its name and its names in other
/// languages.
pub fn catalog_key<'a>(slug: &'a str, name: &'a str, localized: impl IntoIterator<Item = &'a str>) -> String {
    key([slug, name].into_iter().chain(localized))
}

/// The LIKE patterns of a typed query: one group a word, each a list of alternatives, with
/// LIKE's wildcards escaped (`\`). Empty when nothing typed is a word.
pub fn patterns(query: &str) -> Vec<Vec<String>> {
    words(query)
        .iter()
        .take(MAX_TERMS)
        .map(|word| {
            let mut group: Vec<String> = Vec::new();
            for form in shortest_forms(word) {
                let pattern = format!("% {}%", escape_like(form));
                if !group.contains(&pattern) {
                    group.push(pattern);
                }
            }
            group
        })
        .collect()
}

/// A word's forms without those another form is a prefix of: `% ترك%` already matches
/// whatever `% تركيا%` would.
fn shortest_forms(word: &Word) -> Vec<&str> {
    let forms: Vec<&str> = word.forms().collect();
    forms
        .iter()
        .copied()
        .filter(|form| !forms.iter().any(|other| other != form && form.starts_with(other)))
        .collect()
}

fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Whether a key matches the patterns, as the database will judge it (for tests and for
/// lists filtered in memory).
pub fn matches(key: &str, patterns: &[Vec<String>]) -> bool {
    patterns.iter().all(|group| {
        group.iter().any(|pattern| {
            let form = pattern
                .trim_start_matches('%')
                .trim_end_matches('%')
                .replace("\\%", "%")
                .replace("\\_", "_")
                .replace("\\\\", "\\");
            key.contains(&form)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finds(names: &[&str], typed: &str) -> bool {
        matches(&key(names.iter().copied()), &patterns(typed))
    }

    #[test]
    fn arabic_spellings_meet() {
        assert!(finds(&["أنقرة"], "انقرة"));
        assert!(finds(&["أنقرة"], "انقره"));
        assert!(finds(&["وزير الدفاع التركي"], "والدفاع"));
        assert!(finds(&["والدفاع"], "الدفاع"));
        assert!(finds(&["والدفاع"], "دفاع"));
        assert!(finds(&["تركيا"], "تركيه"));
        assert!(finds(&["ليبيا", "libya"], "ليب"), "a word being typed");
        assert!(finds(&["مُحَمَّد"], "محمد"), "tashkeel");
    }

    #[test]
    fn latin_is_folded_and_every_word_must_match() {
        assert!(finds(&["Hulusi Akar"], "akar"));
        assert!(finds(&["Ankara", "Türkiye"], "turkiye"));
        assert!(finds(&["Hulusi Akar"], "hul ak"));
        assert!(!finds(&["Hulusi Akar"], "hul erdogan"));
        assert!(!finds(&["Hulusi Akar"], "kar"), "words match from their start");
    }

    #[test]
    fn wildcards_typed_are_not_words() {
        assert_eq!(
            patterns("50%_x"),
            vec![vec!["% 50%".to_owned()], vec!["% x%".to_owned()]]
        );
        assert!(patterns("   ...  ").is_empty());
        assert_eq!(escape_like("a%b_c\\"), "a\\%b\\_c\\\\");
    }
}
