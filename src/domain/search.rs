//! Search normalization: the one place that decides what a word is, used both when an article
//! is indexed and when a query is read, so the two always agree.
//!
//! Arabic: tashkeel and tatweel go; alef forms (أ إ آ ٱ) become ا, ى becomes ي, ة becomes ه,
//! ؤ becomes و and ئ becomes ي; Arabic-Indic and Persian digits become ASCII. Latin: lower case,
//! accents folded.
//!
//! Clitics: the article forms (ال، وال، بال، فال، كال، لل) always come off when three letters
//! remain ("الدفاع", "والدفاع", "للدفاع" → "دفاع"). A lone و، ف، ب or ل may be a prefix
//! ("ودفاع", "لليبيا") or the word's own first letter ("وزير", "فيلم"), so a word keeps both readings:
//! its *primary* form and, where one exists, a *secondary* form without that letter. Two words
//! match when their forms meet, so "ودفاع" finds "الدفاع" while "وزير" stays "وزير".

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Article forms, longest first: always removed when enough remains.
const ARTICLE_PREFIXES: &[&str] = &["وال", "بال", "فال", "كال", "لل", "ال"];
/// One-letter conjunctions and prepositions: removed only in the secondary reading.
const LETTER_PREFIXES: &[char] = &['و', 'ف', 'ب', 'ل'];
/// Fewest letters a word keeps after losing a prefix: "بيت" must not become "يت", nor "الله" "له".
const MIN_STEM_CHARS: usize = 3;
/// Word endings that vary for one name: ة (folded to ه) and ا, as in تركيا, تركيه and التركي,
/// or ليبيا and الليبية. Each word is also found by its form without them.
const FINAL_VOWELS: &[char] = &['ا', 'ه'];

/// Changes whenever what `index` produces changes: a node finding an index built by another
/// version rebuilds it at start.
pub const INDEX_VERSION: &str = "3";

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// Most words a query may have.
pub const MAX_QUERY_TERMS: usize = 32;

fn is_arabic_mark(c: char) -> bool {
    matches!(c, '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | '\u{0640}')
}

/// Folds one character; `None` drops it.
fn fold(c: char) -> Option<char> {
    if is_arabic_mark(c) {
        return None;
    }
    Some(match c {
        'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
        'ى' | 'ئ' | 'ی' => 'ي',
        'ة' => 'ه',
        'ؤ' => 'و',
        'ک' => 'ك',
        '٠'..='٩' => char::from(b'0' + (c as u32 - '٠' as u32) as u8),
        '۰'..='۹' => char::from(b'0' + (c as u32 - '۰' as u32) as u8),
        _ => c,
    })
}

fn strip_article(word: &str) -> &str {
    for prefix in ARTICLE_PREFIXES {
        if let Some(stem) = word.strip_prefix(prefix) {
            if stem.chars().count() >= MIN_STEM_CHARS {
                return stem;
            }
        }
    }
    word
}

/// A word's readings: the primary form and, for a possible one-letter prefix, the secondary;
/// and each without a final ا or ه (its stems).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub primary: String,
    pub secondary: Option<String>,
    pub stems: Vec<String>,
}

/// `word` without a final ا or ه, when enough remains to still be a word.
fn without_final_vowel(word: &str) -> Option<String> {
    let stem = word.strip_suffix(FINAL_VOWELS)?;
    (stem.chars().count() >= MIN_STEM_CHARS).then(|| stem.to_owned())
}

impl Word {
    fn read(word: &str) -> Word {
        let primary = strip_article(word);
        // Read from the whole word: "لليبيا" is ل + "ليبيا" as much as لل + "يبيا".
        let secondary = word
            .strip_prefix(LETTER_PREFIXES)
            .map(strip_article)
            .filter(|rest| rest.chars().count() >= MIN_STEM_CHARS && *rest != primary)
            .map(str::to_owned);
        let mut stems = Vec::new();
        for form in std::iter::once(primary).chain(secondary.as_deref()) {
            if let Some(stem) = without_final_vowel(form) {
                if !stems.contains(&stem) {
                    stems.push(stem);
                }
            }
        }
        Word {
            primary: primary.to_owned(),
            secondary,
            stems,
        }
    }

    /// Every form this word may be found by.
    pub fn forms(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.primary.as_str())
            .chain(self.secondary.as_deref())
            .chain(self.stems.iter().map(String::as_str))
    }

    /// True when the two words are the same for search.
    pub fn meets(&self, other: &Word) -> bool {
        self.forms().any(|a| other.forms().any(|b| a == b))
    }
}

/// The words of `text`, in order.
pub fn words(text: &str) -> Vec<Word> {
    let folded: String = text
        .nfkd()
        .filter(|c| !is_combining_mark(*c) || ('\u{0600}'..='\u{06FF}').contains(c))
        .filter_map(fold)
        .flat_map(char::to_lowercase)
        .collect();
    folded
        .split(|c: char| !is_word_char(c))
        .filter(|word| !word.is_empty())
        .map(Word::read)
        .collect()
}

/// Letters and digits. Arabic letters and digits are answered from their blocks: the general
/// Unicode tables are a binary search a character, a tenth of an import's time when it was asked.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if ('\u{0621}'..='\u{064A}').contains(&c) || ('\u{0660}'..='\u{0669}').contains(&c) {
        true
    } else {
        c.is_alphanumeric()
    }
}

/// What the index stores for a text: the primary forms in order (for phrases), and every form
/// (for words).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Indexed {
    pub primaries: String,
    pub forms: String,
}

pub fn index(text: &str) -> Indexed {
    let words = words(text);
    Indexed {
        primaries: words
            .iter()
            .map(|w| w.primary.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        forms: words.iter().flat_map(Word::forms).collect::<Vec<_>>().join(" "),
    }
}

/// A parsed search query: every requirement must match, no excluded word may.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub required: Vec<Requirement>,
    pub excluded: Vec<Word>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// A word, found by any of its forms.
    Word(Word),
    /// Words in a row, matched on their primary forms.
    Phrase(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("the query has no searchable words")]
    Empty,
    #[error("the query is longer than {MAX_QUERY_CHARS} characters")]
    TooLong,
    #[error("the query has more than {MAX_QUERY_TERMS} words")]
    TooManyTerms,
    #[error("the query only excludes; say what to find as well")]
    OnlyExclusions,
}

impl Query {
    /// Reads `"a phrase"`, `-excluded` and plain words. Every other character is just text: no
    /// query syntax of either database ever reaches it.
    pub fn parse(raw: &str) -> Result<Self, QueryError> {
        if raw.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong);
        }
        let mut query = Query::default();
        let mut count = 0;
        for (index, part) in raw.split('"').enumerate() {
            if index % 2 == 1 {
                let mut phrase = words(part);
                count += phrase.len();
                match phrase.len() {
                    0 => {}
                    1 => query.required.push(Requirement::Word(phrase.remove(0))),
                    _ => query.required.push(Requirement::Phrase(
                        phrase.into_iter().map(|w| w.primary).collect(),
                    )),
                }
                continue;
            }
            for token in part.split_whitespace() {
                let (found, excluded) = match token.strip_prefix('-') {
                    Some(rest) if !rest.is_empty() => (words(rest), true),
                    _ => (words(token), false),
                };
                count += found.len();
                if excluded {
                    query.excluded.extend(found);
                } else {
                    query.required.extend(found.into_iter().map(Requirement::Word));
                }
            }
        }
        if count > MAX_QUERY_TERMS {
            return Err(QueryError::TooManyTerms);
        }
        match (query.required.is_empty(), query.excluded.is_empty()) {
            (true, true) => Err(QueryError::Empty),
            (true, false) => Err(QueryError::OnlyExclusions),
            _ => Ok(query),
        }
    }

    /// The words a match contains, for highlighting.
    pub fn highlights(&self) -> Vec<Word> {
        self.required
            .iter()
            .flat_map(|r| match r {
                Requirement::Word(word) => vec![word.clone()],
                Requirement::Phrase(primaries) => primaries
                    .iter()
                    .map(|p| Word {
                        primary: p.clone(),
                        secondary: None,
                        stems: Vec::new(),
                    })
                    .collect(),
            })
            .collect()
    }
}

/// A snippet of `text` around the first highlighted word, matches wrapped in `<mark>`, the rest
/// HTML-escaped. `None` when no word occurs.
pub fn snippet(text: &str, highlight: &[Word], context_words: usize) -> Option<String> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let matches = |token: &str| words(token).iter().any(|w| highlight.iter().any(|h| h.meets(w)));
    let first = tokens.iter().position(|t| matches(t))?;
    let start = first.saturating_sub(context_words);
    let end = (first + context_words + 1).min(tokens.len());
    let mut out = String::new();
    if start > 0 {
        out.push_str("… ");
    }
    for (i, token) in tokens[start..end].iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let escaped = super::blocks::escape(token);
        if matches(token) {
            out.push_str(&format!("<mark>{escaped}</mark>"));
        } else {
            out.push_str(&escaped);
        }
    }
    if end < tokens.len() {
        out.push_str(" …");
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str) -> Word {
        let mut all = words(text);
        assert_eq!(all.len(), 1, "{text} is one word: {all:?}");
        all.remove(0)
    }

    fn same(a: &str, b: &str) -> bool {
        word(a).meets(&word(b))
    }

    #[test]
    fn the_fast_letter_test_agrees_with_unicode() {
        for c in ('\0'..='\u{07FF}').chain(['\u{FB50}', '\u{FEFC}', '\u{1F600}']) {
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "{c:?} (U+{:04X})", c as u32);
        }
    }

    #[test]
    fn clitic_forms_of_one_word_meet() {
        for group in [
            &[
                "الدفاع",
                "والدفاع",
                "دفاع",
                "للدفاع",
                "بالدفاع",
                "فالدفاع",
                "ودفاع",
            ][..],
            &[
                "الحكومة",
                "والحكومة",
                "حكومة",
                "للحكومة",
                "بالحكومة",
                "حكومه",
                "وحكومة",
            ],
            &["الوزير", "وزير", "للوزير", "والوزير", "ووزير"],
            &["المحادثات", "محادثات", "والمحادثات", "بالمحادثات", "ومحادثات"],
            &["طرابلس", "بطرابلس", "وطرابلس", "لطرابلس"],
            &["التركي", "تركي", "والتركي", "للتركي"],
            &["ليبيا", "وليبيا", "لليبيا", "بليبيا"],
            &["الفيلم", "فيلم", "والفيلم", "بالفيلم"],
            &["البلد", "بلد", "والبلد"],
        ] {
            for a in group {
                for b in group {
                    assert!(same(a, b), "{a} should find {b}");
                }
            }
        }
    }

    #[test]
    fn words_that_begin_with_a_prefix_letter_stay_whole() {
        assert_eq!(word("وزير").primary, "وزير");
        assert_eq!(word("فيلم").primary, "فيلم");
        assert_eq!(word("بلد").primary, "بلد");
        assert_eq!(word("لبنان").primary, "لبنان");
        assert!(!same("وزير", "زيارة"));
        assert!(!same("فيلم", "فلم"));
    }

    #[test]
    fn short_words_keep_their_letters() {
        for short in ["بيت", "ولد", "الله", "لها", "في", "من", "بعد", "له", "ال"] {
            assert_eq!(word(short).primary, short, "{short}");
        }
        assert_eq!(word("بيت").secondary, None, "ب+يت leaves too little");
        assert!(!same("الله", "له"));
    }

    #[test]
    fn letters_are_unified() {
        for (a, b) in [
            ("أحمد", "احمد"),
            ("إسلام", "اسلام"),
            ("آمال", "امال"),
            ("ٱلقرآن", "القران"),
            ("مصطفى", "مصطفي"),
            ("مدرسة", "مدرسه"),
            ("مؤتمر", "موتمر"),
            ("رئيس", "رييس"),
            ("مُحَمَّد", "محمد"),
            ("محـــمد", "محمد"),
            ("کتاب", "كتاب"),
            ("خلوصي أكار", "خلوصي اكار"),
        ] {
            assert_eq!(index(a), index(b), "{a} = {b}");
        }
    }

    #[test]
    fn digits_and_latin_fold() {
        assert_eq!(index("٢٠٢٠ ۱۲").primaries, "2020 12");
        assert_eq!(word("Café").primary, "cafe");
        assert_eq!(word("GÜLER").primary, "guler");
        assert_eq!(word("Yaşar").primary, "yasar");
        assert_eq!(
            index("Sarraj's talks, Tripoli-2020!").primaries,
            "sarraj s talks tripoli 2020"
        );
        assert_eq!(index("ÉLYSÉE naïve").primaries, "elysee naive");
    }

    #[test]
    fn names_meet_across_their_endings() {
        for (a, b) in [
            ("تركيه", "تركيا"),
            ("تركيه", "التركي"),
            ("تركيا", "التركية"),
            ("ليبيا", "الليبي"),
            ("الليبية", "ليبيا"),
        ] {
            assert!(same(a, b), "{a} finds {b}");
        }
        assert!(!same("ترك", "تركيا"), "a stem keeps its last consonant");
        assert!(
            !same("وزير", "وزيرة") || same("وزيره", "وزير"),
            "feminine forms meet their masculine"
        );
        assert_eq!(
            word("اب").stems,
            Vec::<String>::new(),
            "too short to lose a letter"
        );
    }

    #[test]
    fn index_keeps_every_form_and_the_primary_order() {
        let indexed = index("ودفاع وزير الدفاع");
        assert_eq!(indexed.primaries, "ودفاع وزير دفاع");
        assert_eq!(indexed.forms, "ودفاع دفاع وزير زير دفاع");
    }

    #[test]
    fn queries_read_phrases_and_exclusions() {
        let query = Query::parse("\"وزير الدفاع\" التركي -أنقرة").unwrap();
        assert_eq!(
            query.required,
            vec![
                Requirement::Phrase(vec!["وزير".into(), "دفاع".into()]),
                Requirement::Word(word("تركي"))
            ]
        );
        assert_eq!(query.excluded, vec![word("انقره")]);
        assert_eq!(
            Query::parse("\"ليبيا\"").unwrap().required,
            vec![Requirement::Word(word("ليبيا"))]
        );
        assert_eq!(Query::parse("   "), Err(QueryError::Empty));
        assert_eq!(Query::parse("... ؟؟ !! \"\""), Err(QueryError::Empty));
        assert_eq!(Query::parse("-libya"), Err(QueryError::OnlyExclusions));
        assert_eq!(Query::parse(&"a".repeat(501)), Err(QueryError::TooLong));
        assert_eq!(Query::parse(&"word ".repeat(40)), Err(QueryError::TooManyTerms));
        // Database query syntax is plain text here.
        let syntax = Query::parse("NEAR(a b) OR c* : ( ' ; DROP TABLE articles; -- \"unclosed").unwrap();
        assert!(syntax
            .highlights()
            .iter()
            .all(|w| w.primary.chars().all(char::is_alphanumeric)));
    }

    #[test]
    fn snippets_mark_matches() {
        let text = "أجرى رئيس حكومة الوفاق الوطني الليبية فائز السراج الجمعة محادثات مع وزير الدفاع التركي";
        let query = Query::parse("والدفاع").unwrap();
        let snippet = snippet(text, &query.highlights(), 3).unwrap();
        assert_eq!(snippet, "… محادثات مع وزير <mark>الدفاع</mark> التركي");
        assert_eq!(super::snippet("a <b> c", &[word("zzz")], 3), None);
    }
}
