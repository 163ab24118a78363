//! Characters text may not hold, checked once at every boundary (JSON bodies, import records,
//! WordPress files) rather than field by field, so that no field is forgotten:
//!
//! - C0 and C1 controls other than tab, line feed and carriage return: JSON keeps them, XML
//!   cannot carry them (feeds and sitemaps would drop or break), and PostgreSQL refuses NUL;
//! - Unicode noncharacters (U+FDD0–U+FDEF and the last two code points of every plane), which
//!   are not for interchange;
//! - bidirectional embeddings, overrides and isolates left open: `Eve <U+202E>evil` would turn
//!   whatever is shown after the name backwards ("with AFP" in a byline). Balanced ones, and
//!   the marks (U+200E, U+200F, U+061C) that Arabic text uses, are fine.

/// Why a text was refused: the character and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forbidden {
    pub character: char,
    pub reason: &'static str,
}

impl std::fmt::Display for Forbidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "U+{:04X} ({}) may not appear in text",
            self.character as u32, self.reason
        )
    }
}

fn is_noncharacter(c: char) -> bool {
    let code = c as u32;
    (0xFDD0..=0xFDEF).contains(&code) || code & 0xFFFE == 0xFFFE
}

/// The first character `text` may not hold, if any.
pub fn forbidden(text: &str) -> Option<Forbidden> {
    // Open embeddings/overrides and isolates, innermost last.
    let mut open: Vec<char> = Vec::new();
    for c in text.chars() {
        let reason = match c {
            '\t' | '\n' | '\r' => None,
            '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}' => Some("a control character"),
            _ if is_noncharacter(c) => Some("a noncharacter"),
            // LRE, RLE, LRO, RLO: closed by PDF. LRI, RLI, FSI: closed by PDI.
            '\u{202A}' | '\u{202B}' | '\u{202D}' | '\u{202E}' | '\u{2066}'..='\u{2068}' => {
                open.push(c);
                None
            }
            _ => None,
        };
        if let Some(reason) = reason {
            return Some(Forbidden { character: c, reason });
        }
        let closes = match c {
            '\u{202C}' => Some(false),
            '\u{2069}' => Some(true),
            _ => None,
        };
        if let Some(isolate) = closes {
            let matches = |o: &char| ('\u{2066}'..='\u{2068}').contains(o) == isolate;
            match open.last() {
                Some(last) if matches(last) => {
                    open.pop();
                }
                _ => {
                    return Some(Forbidden {
                        character: c,
                        reason: "a bidirectional control that closes nothing",
                    })
                }
            }
        }
    }
    open.first().map(|c| Forbidden {
        character: *c,
        reason: "a bidirectional control left open, which would turn the text after it around",
    })
}

/// `text` without what [`forbidden`] refuses, for files whose producers put controls in text
/// (WordPress content pasted from word processors); balanced bidi controls stay.
pub fn cleaned(text: &str) -> std::borrow::Cow<'_, str> {
    if forbidden(text).is_none() {
        return std::borrow::Cow::Borrowed(text);
    }
    let kept: String = text
        .chars()
        .filter(|c| {
            !matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{7F}'..='\u{9F}')
                && !is_noncharacter(*c)
                && !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .collect();
    std::borrow::Cow::Owned(kept)
}

/// The JSON Pointer of the first string (or key) in `value` holding a forbidden character.
pub fn forbidden_in_json(value: &serde_json::Value) -> Option<(String, Forbidden)> {
    fn walk(value: &serde_json::Value, path: &mut String) -> Option<(String, Forbidden)> {
        match value {
            serde_json::Value::String(text) => forbidden(text).map(|f| (path.clone(), f)),
            serde_json::Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
                let before = path.len();
                path.push_str(&format!("/{i}"));
                let found = walk(item, path);
                path.truncate(before);
                found
            }),
            serde_json::Value::Object(fields) => fields.iter().find_map(|(key, item)| {
                let before = path.len();
                path.push('/');
                path.push_str(&key.replace('~', "~0").replace('/', "~1"));
                let found = forbidden(key)
                    .map(|f| (path.clone(), f))
                    .or_else(|| walk(item, path));
                path.truncate(before);
                found
            }),
            _ => None,
        }
    }
    walk(value, &mut String::new())
}

/// The first words of `text` within `max` characters, with `…` when some were left out (a
/// headline for an untitled live entry).
pub fn first_words(text: &str, max: usize) -> String {
    let mut words: String = text.chars().take(max).collect();
    if words.chars().count() < text.chars().count() {
        if let Some(space) = words.rfind(' ') {
            words.truncate(space);
        }
        words.push('…');
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_noncharacters_and_open_bidi_are_refused() {
        for bad in [
            "a\u{0}b",
            "\u{1b}[31m",
            "x\u{7f}",
            "x\u{85}",
            "\u{FFFE}",
            "\u{FDD0}",
            "\u{10FFFF}",
            "Eve \u{202E}evil",
            "\u{2067}open",
            "close\u{202C}",
            "\u{2066}mixed\u{202C}",
        ] {
            assert!(forbidden(bad).is_some(), "{bad:?}");
        }
        for good in [
            "سطر\nسطر\tو\r",
            "Eve \u{202E}evil\u{202C} with AFP",
            "\u{2067}عربي\u{2069} and \u{2066}x\u{2069}",
            "\u{200F}مرحبا\u{200E}",
            "emoji 🎭 and Ü̷̢̯̭n̶̰̍",
        ] {
            assert_eq!(forbidden(good), None, "{good:?}");
        }
        assert_eq!(cleaned("a\u{0}b\u{1b}c\nd\u{202E}e"), "abc\nde");
        assert_eq!(cleaned("plain"), "plain");
    }

    #[test]
    fn json_is_searched_to_the_field() {
        let value = serde_json::json!({"headline": "ok", "bylines": [{"name": "ok"}, {"name": "a\u{0}"}]});
        let (pointer, found) = forbidden_in_json(&value).unwrap();
        assert_eq!(pointer, "/bylines/1/name");
        assert_eq!(found.character, '\u{0}');
        let key = serde_json::json!({"a\u{1}": 1});
        assert_eq!(forbidden_in_json(&key).unwrap().0, "/a\u{1}");
        assert!(forbidden_in_json(&serde_json::json!({"x": [1, true, null, "fine"]})).is_none());
    }
}
