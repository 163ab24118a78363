//! PHP-serialized values, as WordPress keeps some metadata (`_wp_attachment_metadata`, Polylang's
//! translation groups): read with `phpserz`'s tokenizer into a small tree. Objects and
//! references are not needed and read as nothing.

use phpserz::{PhpParser, PhpToken};

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// Keys in order: integers as their decimal text.
    Array(Vec<(String, Value)>),
}

impl Value {
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Array(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            Value::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[(String, Value)] {
        match self {
            Value::Array(entries) => entries,
            _ => &[],
        }
    }
}

/// How deep arrays may nest: WordPress's own values are two or three levels.
const MAX_DEPTH: usize = 16;

/// Reads `text`; `None` if it is not a PHP-serialized value.
pub fn unserialize(text: &str) -> Option<Value> {
    let mut parser = PhpParser::new(text.as_bytes());
    let value = read(&mut parser, 0)?;
    Some(value)
}

fn read(parser: &mut PhpParser<'_>, depth: usize) -> Option<Value> {
    let token = parser.next_token().ok()??;
    value_of(parser, token, depth)
}

fn value_of(parser: &mut PhpParser<'_>, token: PhpToken<'_>, depth: usize) -> Option<Value> {
    Some(match token {
        PhpToken::Null => Value::Null,
        PhpToken::Boolean(b) => Value::Bool(b),
        PhpToken::Integer(n) => Value::Int(n),
        PhpToken::Float(f) => Value::Float(f),
        PhpToken::String(s) => Value::Str(String::from_utf8_lossy(s.as_bytes()).into_owned()),
        PhpToken::Array { elements } => {
            if depth >= MAX_DEPTH {
                return None;
            }
            let mut entries = Vec::with_capacity((elements as usize).min(1024));
            for _ in 0..elements {
                let key = match parser.next_token().ok()?? {
                    PhpToken::Integer(n) => n.to_string(),
                    PhpToken::String(s) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
                    _ => return None,
                };
                let value = read(parser, depth + 1)?;
                entries.push((key, value));
            }
            match parser.next_token().ok()?? {
                PhpToken::End => Value::Array(entries),
                _ => return None,
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wordpress_attachment_metadata() {
        let meta = r#"a:4:{s:5:"width";i:2400;s:6:"height";i:1600;s:4:"file";s:18:"2020/07/sarraj.jpg";s:10:"image_meta";a:3:{s:6:"credit";s:3:"AFP";s:9:"copyright";s:8:"AFP 2020";s:7:"caption";s:6:"قمة";}}"#;
        let value = unserialize(meta).unwrap();
        assert_eq!(value.get("width").and_then(Value::as_int), Some(2400));
        let image_meta = value.get("image_meta").unwrap();
        assert_eq!(image_meta.get("credit").and_then(Value::as_str), Some("AFP"));
        assert_eq!(image_meta.get("caption").and_then(Value::as_str), Some("قمة"));
    }

    #[test]
    fn reads_polylang_groups_and_refuses_what_is_not_php() {
        let group = unserialize(r#"a:2:{s:2:"ar";i:12;s:2:"en";i:13;}"#).unwrap();
        assert_eq!(group.get("en").and_then(Value::as_int), Some(13));
        assert_eq!(group.entries().len(), 2);
        for bad in ["", "hello", "a:2:{s:2:\"ar\";i:12;", "s:99:\"short\";"] {
            assert_eq!(unserialize(bad), None, "{bad}");
        }
        let deep = "a:1:{i:0;".repeat(40) + "N;" + &"}".repeat(40);
        assert_eq!(unserialize(&deep), None, "bounded depth");
    }
}
