//! Conditional and range requests for stored files, as RFC 9110 orders them (§13.2.2): the
//! preconditions first (412, 304), then `If-Range`, then `Range` (§14): one range is a 206
//! with `Content-Range`, several are a `multipart/byteranges` 206, none satisfiable is a 416.
//! Plain functions over header values, so every rule is tested without a server.

use std::ops::Range;

use chrono::{DateTime, Utc};

/// More ranges than this in one request are served as the whole file: a client asking for
/// hundreds of slices is more likely an attack on the server than a media player.
const MAX_RANGES: usize = 16;

/// What identifies the stored representation.
#[derive(Debug, Clone)]
pub struct Validators<'a> {
    /// A strong tag (the file's name is its content hash).
    pub etag: &'a str,
    pub last_modified: DateTime<Utc>,
}

/// The request headers that matter here.
#[derive(Debug, Default, Clone, Copy)]
pub struct Conditions<'a> {
    pub if_match: Option<&'a str>,
    pub if_unmodified_since: Option<&'a str>,
    pub if_none_match: Option<&'a str>,
    pub if_modified_since: Option<&'a str>,
    pub if_range: Option<&'a str>,
    pub range: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Full,
    NotModified,
    PreconditionFailed,
    /// Byte ranges, sorted and merged, each within the file.
    Partial(Vec<Range<u64>>),
    Unsatisfiable,
}

fn opaque(tag: &str) -> Option<(bool, &str)> {
    let tag = tag.trim();
    let (weak, rest) = match tag.strip_prefix("W/") {
        Some(rest) => (true, rest),
        None => (false, tag),
    };
    (rest.len() >= 2 && rest.starts_with('"') && rest.ends_with('"')).then_some((weak, rest))
}

/// Strong comparison (§8.8.3.2): both tags strong and identical.
fn strong_match(list: &str, etag: &str) -> bool {
    list.split(',').any(|candidate| {
        candidate.trim() == "*" || opaque(candidate).is_some_and(|(weak, tag)| !weak && tag == etag)
    })
}

/// Weak comparison (§8.8.3.2): the opaque parts are identical.
fn weak_match(list: &str, etag: &str) -> bool {
    let etag = opaque(etag).map_or(etag, |(_, tag)| tag);
    list.split(',')
        .any(|candidate| candidate.trim() == "*" || opaque(candidate).is_some_and(|(_, tag)| tag == etag))
}

fn date(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(value.trim())
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// `bytes=…` as ranges within `length`; `None` when the header is not a byte-range set we
/// can read (then it is ignored, §14.2), `Some(empty)` when no range is satisfiable.
fn parse_ranges(header: &str, length: u64) -> Option<Vec<Range<u64>>> {
    let (unit, set) = header.split_once('=')?;
    if !unit.trim().eq_ignore_ascii_case("bytes") {
        return None;
    }
    let mut ranges = Vec::new();
    for spec in set.split(',') {
        let spec = spec.trim();
        if spec.is_empty() {
            continue;
        }
        let (first, last) = spec.split_once('-')?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let range = if first.is_empty() {
            // A suffix: the last N bytes.
            if !digits(last) {
                return None;
            }
            let suffix: u64 = last.parse().ok()?;
            if suffix == 0 || length == 0 {
                continue;
            }
            length.saturating_sub(suffix)..length
        } else {
            if !digits(first) || !(last.is_empty() || digits(last)) {
                return None;
            }
            let start: u64 = first.parse().ok()?;
            let end = if last.is_empty() {
                length
            } else {
                let last: u64 = last.parse().ok()?;
                if last < start {
                    return None;
                }
                last.saturating_add(1).min(length)
            };
            if start >= length {
                continue;
            }
            start..end
        };
        ranges.push(range);
    }
    if ranges.len() > MAX_RANGES {
        return None;
    }
    ranges.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<u64>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    Some(merged)
}

/// Decides the answer to a GET (or HEAD) for a file of `length` bytes.
pub fn evaluate(conditions: &Conditions, validators: &Validators, length: u64) -> Outcome {
    // §13.2.2 steps 1–2.
    if let Some(list) = conditions.if_match {
        if !strong_match(list, validators.etag) {
            return Outcome::PreconditionFailed;
        }
    } else if let Some(since) = conditions.if_unmodified_since.and_then(date) {
        if validators.last_modified.timestamp() > since.timestamp() {
            return Outcome::PreconditionFailed;
        }
    }
    // Steps 3–4.
    if let Some(list) = conditions.if_none_match {
        if weak_match(list, validators.etag) {
            return Outcome::NotModified;
        }
    } else if let Some(since) = conditions.if_modified_since.and_then(date) {
        if validators.last_modified.timestamp() <= since.timestamp() {
            return Outcome::NotModified;
        }
    }
    // Step 5: a range only of the representation the client holds.
    let Some(range) = conditions.range else {
        return Outcome::Full;
    };
    if let Some(if_range) = conditions.if_range {
        let holds_current = if opaque(if_range).is_some() {
            strong_match(if_range, validators.etag) && if_range.trim() != "*"
        } else {
            // A date validator must match exactly (§13.1.5).
            date(if_range).is_some_and(|d| d.timestamp() == validators.last_modified.timestamp())
        };
        if !holds_current {
            return Outcome::Full;
        }
    }
    match parse_ranges(range, length) {
        None => Outcome::Full,
        Some(ranges) if ranges.is_empty() => Outcome::Unsatisfiable,
        Some(ranges) => Outcome::Partial(ranges),
    }
}

/// `bytes a-b/length`.
pub fn content_range(range: &Range<u64>, length: u64) -> String {
    format!("bytes {}-{}/{length}", range.start, range.end - 1)
}

/// A `multipart/byteranges` body (§14.6) and its boundary.
pub fn multipart(bytes: &[u8], ranges: &[Range<u64>], content_type: &str, boundary: &str) -> Vec<u8> {
    let length = bytes.len() as u64;
    let mut body = Vec::new();
    for range in ranges {
        body.extend_from_slice(
            format!(
                "\r\n--{boundary}\r\nContent-Type: {content_type}\r\nContent-Range: {}\r\n\r\n",
                content_range(range, length)
            )
            .as_bytes(),
        );
        body.extend_from_slice(&bytes[range.start as usize..range.end as usize]);
    }
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)] // one range is a list of ranges here
mod tests {
    use super::*;

    fn validators() -> Validators<'static> {
        Validators {
            etag: "\"abc\"",
            last_modified: DateTime::parse_from_rfc2822("Wed, 02 Dec 2026 10:00:00 GMT")
                .unwrap()
                .with_timezone(&Utc),
        }
    }

    fn with(range: &str) -> Outcome {
        evaluate(
            &Conditions {
                range: Some(range),
                ..Default::default()
            },
            &validators(),
            100,
        )
    }

    #[test]
    fn reads_byte_ranges() {
        assert_eq!(with("bytes=0-9"), Outcome::Partial(vec![0..10]));
        assert_eq!(with("bytes=90-"), Outcome::Partial(vec![90..100]));
        assert_eq!(with("bytes=-5"), Outcome::Partial(vec![95..100]));
        assert_eq!(with("bytes=95-500"), Outcome::Partial(vec![95..100]));
        assert_eq!(with("bytes=-500"), Outcome::Partial(vec![0..100]));
        assert_eq!(with("bytes=0-4, 10-14"), Outcome::Partial(vec![0..5, 10..15]));
        assert_eq!(with("bytes=10-14,0-11"), Outcome::Partial(vec![0..15]), "merged");
        assert_eq!(with("bytes=100-"), Outcome::Unsatisfiable);
        assert_eq!(with("bytes=-0"), Outcome::Unsatisfiable);
        for ignored in ["items=0-1", "bytes=5-1", "bytes=a-b", "bytes=1-2-3", "bytes=--1"] {
            assert_eq!(with(ignored), Outcome::Full, "{ignored}");
        }
        let many = format!(
            "bytes={}",
            (0..20)
                .map(|i| format!("{}-{}", i * 4, i * 4))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert_eq!(with(&many), Outcome::Full, "too many ranges");
    }

    #[test]
    fn preconditions_come_before_ranges() {
        let v = validators();
        let check = |c: Conditions| evaluate(&c, &v, 100);
        assert_eq!(
            check(Conditions {
                if_match: Some("\"other\""),
                range: Some("bytes=0-1"),
                ..Default::default()
            }),
            Outcome::PreconditionFailed
        );
        assert_eq!(
            check(Conditions {
                if_match: Some("W/\"abc\""),
                ..Default::default()
            }),
            Outcome::PreconditionFailed,
            "If-Match compares strongly"
        );
        assert_eq!(
            check(Conditions {
                if_match: Some("\"x\", \"abc\""),
                ..Default::default()
            }),
            Outcome::Full
        );
        assert_eq!(
            check(Conditions {
                if_unmodified_since: Some("Tue, 01 Dec 2026 10:00:00 GMT"),
                ..Default::default()
            }),
            Outcome::PreconditionFailed
        );
        assert_eq!(
            check(Conditions {
                if_none_match: Some("W/\"abc\""),
                ..Default::default()
            }),
            Outcome::NotModified
        );
        assert_eq!(
            check(Conditions {
                if_none_match: Some("\"x\""),
                if_modified_since: Some("Thu, 03 Dec 2026 10:00:00 GMT"),
                ..Default::default()
            }),
            Outcome::Full,
            "If-None-Match wins over If-Modified-Since"
        );
        assert_eq!(
            check(Conditions {
                if_modified_since: Some("Wed, 02 Dec 2026 10:00:00 GMT"),
                ..Default::default()
            }),
            Outcome::NotModified
        );
    }

    #[test]
    fn if_range_must_name_the_current_representation() {
        let v = validators();
        let ranged = |if_range: &'static str| {
            evaluate(
                &Conditions {
                    if_range: Some(if_range),
                    range: Some("bytes=0-1"),
                    ..Default::default()
                },
                &v,
                100,
            )
        };
        assert_eq!(ranged("\"abc\""), Outcome::Partial(vec![0..2]));
        assert_eq!(ranged("\"old\""), Outcome::Full);
        assert_eq!(
            ranged("W/\"abc\""),
            Outcome::Full,
            "a weak tag never matches If-Range"
        );
        assert_eq!(
            ranged("Wed, 02 Dec 2026 10:00:00 GMT"),
            Outcome::Partial(vec![0..2])
        );
        assert_eq!(ranged("Wed, 02 Dec 2026 09:00:00 GMT"), Outcome::Full);
    }

    #[test]
    fn multipart_parts_carry_their_ranges() {
        let body = multipart(b"0123456789", &[0..2, 5..7], "image/png", "B");
        let text = String::from_utf8(body).unwrap();
        assert_eq!(
            text,
            "\r\n--B\r\nContent-Type: image/png\r\nContent-Range: bytes 0-1/10\r\n\r\n01\r\n--B\r\nContent-Type: image/png\r\nContent-Range: bytes 5-6/10\r\n\r\n56\r\n--B--\r\n"
        );
    }
}
