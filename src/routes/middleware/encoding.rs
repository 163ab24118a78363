//! Content codings (RFC 9110 §8.4, §12.5.3) for answers that are not cached representations
//! (editorial answers, problems, the desk's files): the body is compressed with brotli or gzip
//! when the client accepts it and compression pays, each coding gets its own strong `ETag`
//! (`"…-br"`, `"…-gzip"`, as RFC 9110 §8.8.3 requires of distinct representations), and `Vary`
//! is one header listing each request header once. Public reads choose among the forms their
//! representation was made with (`conditional::respond`) and pass through untouched.

use actix_web::body::{BodySize, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, ContentEncoding, HeaderMap, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::Error;

use crate::delivery::codings::{self, Coding};
use crate::routes::conditional::Negotiated;

/// Bodies smaller than this are sent as they are: the coding's framing costs about as much as
/// it saves, and the CPU is better spent elsewhere.
const MIN_COMPRESSED_BYTES: u64 = 860;

/// The codings offered, most preferred first.
const CODINGS: &[(ContentEncoding, &str)] =
    &[(ContentEncoding::Brotli, "br"), (ContentEncoding::Gzip, "gzip")];

/// The tag an `ETag` names before any content coding: `"abc-gzip"` → `"abc"`. Conditional
/// requests compare validators through this, so that a client holding the gzip form of a
/// representation is answered 304 like one holding the identity form.
pub fn base_tag(tag: &str) -> std::borrow::Cow<'_, str> {
    let tag = tag.trim();
    for (_, suffix) in CODINGS {
        if let Some(stem) = tag.strip_suffix('"').and_then(|t| t.strip_suffix(suffix)) {
            if let Some(stem) = stem.strip_suffix('-') {
                return format!("{stem}\"").into();
            }
        }
    }
    tag.into()
}

/// The coding to use for a request's `Accept-Encoding`, as actix's encoder names it.
fn negotiate(headers: &HeaderMap) -> Option<(ContentEncoding, &'static str)> {
    let values = headers
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok());
    match codings::negotiate(values) {
        Coding::Identity => None,
        Coding::Gzip => Some(CODINGS[1]),
        Coding::Brotli => Some(CODINGS[0]),
    }
}

/// Whether a response of this type is worth compressing.
fn compressible(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(codings::compressible)
}

/// Merges every `Vary` value into one header, each name once (RFC 9110 §12.5.5), adding
/// `extra` when given; `*` stands alone.
fn merge_vary(headers: &mut HeaderMap, extra: Option<&'static str>) {
    let mut names: Vec<String> = Vec::new();
    for value in headers.get_all(header::VARY) {
        for name in value.to_str().unwrap_or_default().split(',') {
            let name = name.trim();
            if !name.is_empty() && !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                names.push(name.to_owned());
            }
        }
    }
    if let Some(extra) = extra {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(extra)) {
            names.push(extra.to_owned());
        }
    }
    if names.iter().any(|n| n == "*") {
        names = vec!["*".to_owned()];
    }
    headers.remove(header::VARY);
    if let Ok(value) = HeaderValue::from_str(&names.join(", ")) {
        if !names.is_empty() {
            headers.insert(header::VARY, value);
        }
    }
}

/// A strong `ETag` with the coding's suffix: `"abc"` → `"abc-br"`.
fn coded_tag(headers: &HeaderMap, suffix: &str) -> Option<HeaderValue> {
    let tag = headers.get(header::ETAG)?.to_str().ok()?;
    let stem = tag.strip_suffix('"').filter(|_| tag.starts_with('"'))?;
    HeaderValue::from_str(&format!("{stem}-{suffix}\"")).ok()
}

pub async fn encode(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<actix_http::encoding::Encoder<impl MessageBody>>>, Error> {
    let response = next.call(request).await?;
    let negotiated = response.response().extensions().contains::<Negotiated>();
    // Read from the request after the answer, and only for answers coded here.
    let (coding, if_none_match) = if negotiated {
        (None, None)
    } else {
        let headers = response.request().headers();
        let if_none_match = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        (negotiate(headers), if_none_match)
    };
    Ok(response.map_body(move |head, body| {
        if negotiated {
            return EitherBody::left(actix_http::encoding::Encoder::response(
                ContentEncoding::Identity,
                head,
                body,
            ));
        }
        let worth_it = compressible(&head.headers)
            && !head.headers.contains_key(header::CONTENT_ENCODING)
            && matches!(body.size(), BodySize::Sized(n) if n >= MIN_COMPRESSED_BYTES)
            && head.status == StatusCode::OK;
        let varies = compressible(&head.headers);
        merge_vary(&mut head.headers, varies.then_some("Accept-Encoding"));
        match coding {
            Some((encoding, suffix)) if worth_it => {
                if let Some(tag) = coded_tag(&head.headers, suffix) {
                    head.headers.insert(header::ETAG, tag);
                }
                let encoder = actix_http::encoding::Encoder::response(encoding, head, body);
                // The encoder appends its own `Vary: accept-encoding`: merged into the one.
                merge_vary(&mut head.headers, None);
                EitherBody::left(encoder)
            }
            Some((_, suffix)) if head.status == StatusCode::NOT_MODIFIED => {
                // A 304 names the validator the 200 would have had (RFC 9110 §15.4.5): the
                // coded one when that is what the client holds.
                if let (Some(tag), Some(sent)) = (coded_tag(&head.headers, suffix), &if_none_match) {
                    if sent
                        .split(',')
                        .any(|t| t.trim() == tag.to_str().unwrap_or_default())
                    {
                        head.headers.insert(header::ETAG, tag);
                    }
                }
                EitherBody::left(actix_http::encoding::Encoder::response(
                    ContentEncoding::Identity,
                    head,
                    body,
                ))
            }
            _ => EitherBody::left(actix_http::encoding::Encoder::response(
                ContentEncoding::Identity,
                head,
                body,
            )),
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(accept: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(accept).unwrap());
        map
    }

    #[test]
    fn negotiates_by_weight_then_preference() {
        assert_eq!(negotiate(&headers("gzip, br")).map(|c| c.1), Some("br"));
        assert_eq!(
            negotiate(&headers("gzip;q=1, br;q=0.5")).map(|c| c.1),
            Some("gzip")
        );
        assert_eq!(negotiate(&headers("br;q=0, gzip")).map(|c| c.1), Some("gzip"));
        assert_eq!(negotiate(&headers("*")).map(|c| c.1), Some("br"));
        assert_eq!(negotiate(&headers("identity")), None);
        assert_eq!(negotiate(&headers("gzip;q=0, br;q=0")), None);
        assert_eq!(negotiate(&HeaderMap::new()), None);
    }

    #[test]
    fn coded_tags_strip_back_to_the_base() {
        assert_eq!(base_tag("\"abc-gzip\""), "\"abc\"");
        assert_eq!(base_tag(" \"abc-br\""), "\"abc\"");
        assert_eq!(base_tag("\"abc\""), "\"abc\"");
        assert_eq!(base_tag("W/\"abc\""), "W/\"abc\"");
        assert_eq!(base_tag("\"gzip\""), "\"gzip\"");
    }

    #[test]
    fn vary_is_one_header_with_each_name_once() {
        let mut map = HeaderMap::new();
        map.append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        map.append(header::VARY, HeaderValue::from_static("accept-encoding, Accept"));
        merge_vary(&mut map, Some("Accept-Encoding"));
        assert_eq!(map.get_all(header::VARY).count(), 1);
        assert_eq!(map.get(header::VARY).unwrap(), "Accept-Encoding, Accept");
        let mut star = HeaderMap::new();
        star.append(header::VARY, HeaderValue::from_static("*"));
        merge_vary(&mut star, Some("Accept-Encoding"));
        assert_eq!(star.get(header::VARY).unwrap(), "*");
    }
}
