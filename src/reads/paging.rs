//! Keyset paging, once for every list: a signed cursor names where the previous page ended and
//! which query it belongs to; a page is fetched with one row more than asked, so the next
//! cursor is given exactly when there is a next page.

use crate::domain::validation::FieldCode;
use chrono::{DateTime, NaiveDateTime, Utc};

use super::params::Limit;
use super::ReadError;
use crate::db::DbError;
use crate::delivery::cache::Representation;
use crate::domain::cursor::{CursorSigner, Position};

/// One list's position: the query it pages (`scope`, which the cursor's MAC covers) and where
/// the client's cursor says the previous page ended.
pub struct Keyset<'a> {
    signer: &'a CursorSigner,
    scope: String,
    after: Option<Position>,
}

/// The rows of one page and the cursor of the next, if there is one.
#[derive(Debug)]
pub struct Page<R> {
    pub rows: Vec<R>,
    pub next_cursor: Option<String>,
}

impl<'a> Keyset<'a> {
    /// Checks `cursor` against `scope`: a cursor altered, forged or from another query is a
    /// bad `cursor` parameter, never a silent first page.
    pub fn new(signer: &'a CursorSigner, scope: String, cursor: Option<&str>) -> Result<Self, ReadError> {
        let after = cursor
            .map(|cursor| signer.decode(&scope, cursor))
            .transpose()
            .map_err(|e| ReadError::coded("cursor", FieldCode::Format, e.to_string()))?;
        Ok(Keyset { signer, scope, after })
    }

    pub fn after(&self) -> Option<Position> {
        self.after
    }

    /// The position as the time and id of the last row seen, for time-ordered lists.
    pub fn after_time(&self) -> Result<Option<(NaiveDateTime, i64)>, ReadError> {
        self.after
            .map(|position| Ok((time_of(&position)?, position.id)))
            .transpose()
    }

    /// One page: `load(n)` fetches up to `n` rows after the position, `position` says where a
    /// row sits so that the next page can start after the last one shown.
    pub fn fetch<R>(
        &self,
        limit: Limit,
        load: impl FnOnce(i64) -> Result<Vec<R>, DbError>,
        position: impl Fn(&R) -> Position,
    ) -> Result<Page<R>, ReadError> {
        let mut rows = load(limit.get() as i64 + 1)?;
        let more = rows.len() > limit.get();
        rows.truncate(limit.get());
        let next_cursor = match (more, rows.last()) {
            (true, Some(last)) => Some(self.signer.encode(&self.scope, position(last))),
            _ => None,
        };
        Ok(Page { rows, next_cursor })
    }
}

/// The position of a row in a time-ordered list.
pub fn at_time(at: NaiveDateTime, id: i64) -> Position {
    Position {
        micros: at.and_utc().timestamp_micros(),
        id,
        score: 0,
    }
}

/// The position of a row in an id-ordered list.
pub fn at_id(id: i64) -> Position {
    Position {
        id,
        ..Position::default()
    }
}

/// The time a position holds; a signed cursor can still carry one outside chrono's range.
pub fn time_of(position: &Position) -> Result<NaiveDateTime, ReadError> {
    DateTime::from_timestamp_micros(position.micros)
        .map(|t| t.naive_utc())
        .ok_or_else(|| ReadError::coded("cursor", FieldCode::Format, "out of range"))
}

/// `{"data": [...], "next_cursor": ...}` from ready item JSON, with a `Link: rel="next"` to
/// the same URL with the next cursor.
pub fn json_page(
    items: &[String],
    next_cursor: Option<String>,
    last_modified: DateTime<Utc>,
    self_url: &url::Url,
) -> Result<Representation, ReadError> {
    let mut body = String::with_capacity(items.iter().map(|i| i.len() + 1).sum::<usize>() + 128);
    body.push_str("{\"data\":[");
    body.push_str(&items.join(","));
    body.push_str("],\"next_cursor\":");
    body.push_str(&serde_json::to_string(&next_cursor).map_err(DbError::unserializable)?);
    body.push('}');
    let mut representation = super::text(body, last_modified, "articles".into());
    if let Some(cursor) = &next_cursor {
        representation.headers.push((
            "Link",
            format!("<{}>; rel=\"next\"", with_cursor(self_url, cursor)),
        ));
    }
    Ok(representation)
}

/// `url` with its `cursor` parameter replaced by `cursor`, every other parameter kept.
pub fn with_cursor(url: &url::Url, cursor: &str) -> url::Url {
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "cursor")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut next = url.clone();
    next.query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .append_pair("cursor", cursor);
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: i64) -> Vec<i64> {
        (1..=n).collect()
    }

    #[test]
    fn a_cursor_is_given_only_when_there_is_a_next_page() {
        let signer = CursorSigner::new(b"k");
        let first = Keyset::new(&signer, "s".into(), None).unwrap();
        let limit = Limit::parse(Some(2)).unwrap();
        let page = first.fetch(limit, |n| Ok(rows(n.min(5))), |r| at_id(*r)).unwrap();
        assert_eq!(page.rows, [1, 2]);
        let cursor = page.next_cursor.expect("a next page");
        let second = Keyset::new(&signer, "s".into(), Some(&cursor)).unwrap();
        assert_eq!(second.after().map(|p| p.id), Some(2));
        let last = second.fetch(limit, |_| Ok(vec![5]), |r| at_id(*r)).unwrap();
        assert_eq!(last.next_cursor, None);
        let exact = first.fetch(limit, |_| Ok(rows(2)), |r| at_id(*r)).unwrap();
        assert_eq!(exact.next_cursor, None, "no cursor to an empty page");
    }

    #[test]
    fn cursors_of_another_query_or_out_of_range_are_bad_parameters() {
        let signer = CursorSigner::new(b"k");
        let cursor = signer.encode("topics", at_id(3));
        let error = Keyset::new(&signer, "contributors".into(), Some(&cursor))
            .err()
            .unwrap();
        assert!(matches!(error, ReadError::BadRequest { ref errors, .. } if errors[0].field == "cursor"));
        let far = signer.encode(
            "s",
            Position {
                micros: i64::MAX,
                id: 1,
                score: 0,
            },
        );
        let keyset = Keyset::new(&signer, "s".into(), Some(&far)).unwrap();
        assert!(keyset.after_time().is_err());
    }

    #[test]
    fn the_next_link_keeps_every_parameter_but_the_cursor() {
        let url = url::Url::parse("https://x.test/v1/articles?language=ar&cursor=old&limit=2").unwrap();
        assert_eq!(
            with_cursor(&url, "new").as_str(),
            "https://x.test/v1/articles?language=ar&limit=2&cursor=new"
        );
    }
}
