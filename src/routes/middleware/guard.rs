//! What keeps one client from holding the node: a cap on connections per client address, a
//! deadline on receiving a request's body and on answering the whole request, and, while the
//! node drains for shutdown, `Connection: close` on every answer so that clients move on.
//!
//! The first request's headers have their own deadline in actix-http
//! (`client_request_timeout`), every later one's in [`super::head_deadline`]; the total number
//! of connections is capped by the server (`max_connections`); all are set from the same
//! settings in `startup`.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Extensions, Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::ConnectionType;
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, ResponseError};
use bytes::Bytes;
use futures_util::Stream;

use super::head_deadline::{ConnectionWatch, Watched};
use crate::domain::client_address::{counting_key, TrustedProxies};
use crate::error::ApiError;

pub use crate::config::limits::ClientLimits;

/// Open connections per client address.
pub struct ConnectionCounter {
    limit: u32,
    trusted: TrustedProxies,
    /// The head deadline of every request after a connection's first (`head_deadline`).
    header_timeout: Duration,
    /// Every connection's watch, for closing idle ones first near the cap.
    watches: Arc<super::head_deadline::Watches>,
    open: Mutex<HashMap<IpAddr, u32>>,
}

/// One connection's place in the count, released when the connection closes (actix drops
/// the connection's extensions then).
pub struct ConnectionSlot {
    counter: Arc<ConnectionCounter>,
    key: Option<IpAddr>,
    over_limit: bool,
}

impl ConnectionCounter {
    pub fn new(
        limit: u32,
        trusted: TrustedProxies,
        header_timeout: Duration,
        max_connections: u32,
    ) -> Arc<Self> {
        Arc::new(ConnectionCounter {
            limit,
            trusted,
            header_timeout,
            watches: super::head_deadline::Watches::new(max_connections),
            open: Mutex::new(HashMap::new()),
        })
    }

    /// Counts a new connection from `peer`. Trusted proxies carry many clients on their
    /// connections and are not capped.
    pub fn admit(self: &Arc<Self>, peer: IpAddr) -> ConnectionSlot {
        if self.limit == 0 || self.trusted.trusts(peer) {
            return ConnectionSlot {
                counter: self.clone(),
                key: None,
                over_limit: false,
            };
        }
        let key = counting_key(peer);
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(key).or_insert(0);
        *count += 1;
        ConnectionSlot {
            counter: self.clone(),
            key: Some(key),
            over_limit: *count > self.limit,
        }
    }

    /// Connections open now from `peer`'s address.
    pub fn open_from(&self, peer: IpAddr) -> u32 {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.get(&counting_key(peer)).copied().unwrap_or(0)
    }

    /// For `HttpServer::on_connect`: counts each plain TCP connection.
    pub fn on_connect(self: &Arc<Self>) -> impl Fn(&dyn Any, &mut Extensions) + Send + Sync + 'static {
        let counter = self.clone();
        move |connection, extensions| {
            let tcp = connection.downcast_ref::<actix_web::rt::net::TcpStream>();
            // An answer leaves at once: without this, a response written in two parts (head,
            // then body) waits for the client's delayed ACK (Nagle), 40 ms on Linux.
            if let Some(tcp) = tcp {
                if let Err(error) = tcp.set_nodelay(true) {
                    tracing::debug!(%error, "TCP_NODELAY could not be set");
                }
            }
            if let Some(watch) =
                tcp.and_then(|tcp| super::head_deadline::watch(tcp, counter.header_timeout, &counter.watches))
            {
                extensions.insert(watch);
            }
            let peer = tcp.and_then(|tcp| tcp.peer_addr().ok());
            if let Some(peer) = peer {
                extensions.insert(counter.admit(peer.ip()));
            }
        }
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let Some(key) = self.key else { return };
        let mut open = self.counter.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&key);
            }
        }
    }
}

/// A request body that fails once its deadline passes, and says so in `expired`.
struct DeadlineBody {
    inner: Payload,
    deadline: Pin<Box<tokio::time::Sleep>>,
    expired: Arc<AtomicBool>,
    done: bool,
}

impl Stream for DeadlineBody {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
            if item.is_none() {
                self.done = true;
            }
            return Poll::Ready(item);
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            self.done = true;
            self.expired.store(true, Ordering::Relaxed);
            return Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the request body did not arrive in time",
            )))));
        }
        Poll::Pending
    }
}

fn refuse<B>(request: ServiceRequest, error: &ApiError) -> ServiceResponse<EitherBody<B>> {
    let mut response: HttpResponse = error.error_response();
    response.head_mut().set_connection_type(ConnectionType::Close);
    request.into_response(response).map_into_right_body()
}

/// A request whose path or query holds what no text may (a `%00`, an escape, a noncharacter,
/// an open bidi control) is refused here, once for every route (404 for the path, 400 naming
/// the parameter for the query): no handler, cache key or database sees it (PostgreSQL would
/// answer a NUL with a 500).
fn forbidden_address(path: &str, query: &str) -> Option<ApiError> {
    // The HTTP parser admits no raw control byte; what text may not hold can only arrive
    // percent-encoded. Most addresses have none of those escapes and are not decoded at all.
    if !may_encode_forbidden(path) && !may_encode_forbidden(query) {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let in_path =
        decoded.chars().any(|c| c.is_control()) || crate::domain::text::forbidden(&decoded).is_some();
    if in_path {
        // No resource is named so: a 404, as for any other path that names nothing (and as
        // every operation documents).
        return Some(ApiError::NotFound(
            "nothing is served at this path: it holds a control character or a character text may not hold"
                .into(),
        ));
    }
    if query.is_empty() {
        return None;
    }
    url::form_urlencoded::parse(query.as_bytes()).find_map(|(name, value)| {
        let bad = |text: &str| {
            text.chars().any(|c| c.is_control()) || crate::domain::text::forbidden(text).is_some()
        };
        (bad(&name) || bad(&value)).then(|| {
            let error = crate::domain::validation::FieldError::coded(
                name.as_ref(),
                crate::domain::validation::FieldCode::ForbiddenCharacter,
                "holds a control character or a character text may not hold",
            );
            ApiError::BadRequest {
                detail: format!("invalid {}: {}", error.field, error.message),
                errors: vec![error],
            }
        })
    })
}

/// Whether `raw` holds a percent-escape that can start a forbidden character: a C0 control or
/// DEL (`%00`-`%1F`, `%7F`), a C1 control (`%C2%80`-`%C2%9F`), a bidi control (`%E2%80%AA`-,
/// `%E2%81%A6`-) or a noncharacter (`%EF%B7`, `%EF%BF`, and four-byte ones, `%F0`-`%F4`); `+` is
/// a space in a query, never a control.
fn may_encode_forbidden(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    bytes.iter().enumerate().any(|(at, b)| {
        if *b != b'%' {
            return false;
        }
        let hex = |i: usize| bytes.get(at + i).map(u8::to_ascii_uppercase);
        matches!(
            (hex(1), hex(2)),
            (Some(b'0' | b'1'), _)
                | (Some(b'7'), Some(b'F'))
                | (Some(b'C'), Some(b'2'))
                | (Some(b'E'), Some(b'2' | b'F'))
                | (Some(b'F'), Some(b'0'..=b'4'))
        )
    })
}

pub async fn guard(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<Watched<EitherBody<impl MessageBody>>>, Error> {
    // The connection's watchdog learns when this request began and when its answer was sent.
    let watch = request.conn_data::<Arc<ConnectionWatch>>().cloned();
    if let Some(watch) = &watch {
        watch.started();
    }
    match limit(request, next).await {
        Ok(response) => Ok(response.map_body(|_, body| Watched::new(body, watch))),
        Err(error) => {
            if let Some(watch) = watch {
                watch.finished();
            }
            Err(error)
        }
    }
}

async fn limit(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let Some((limits, lifecycle)) = request
        .app_data::<super::super::State>()
        .map(|state| (state.client_limits.clone(), state.lifecycle.clone()))
    else {
        return Ok(next.call(request).await?.map_into_left_body());
    };
    if request
        .conn_data::<ConnectionSlot>()
        .is_some_and(|slot| slot.over_limit)
    {
        let error = ApiError::TooManyRequests { retry_after: 1 };
        return Ok(refuse(request, &error));
    }
    if let Some(error) = forbidden_address(request.path(), request.query_string()) {
        let response: HttpResponse = error.error_response();
        return Ok(request.into_response(response).map_into_right_body());
    }
    let expired = Arc::new(AtomicBool::new(false));
    // Only a request with a body gets a body deadline: most (GETs) have none, and a timer
    // and a boxed stream per read would be work for nothing.
    match request.take_payload() {
        Payload::None => {}
        payload => request.set_payload(Payload::Stream {
            payload: Box::pin(DeadlineBody {
                inner: payload,
                deadline: Box::pin(tokio::time::sleep(limits.body_timeout)),
                expired: expired.clone(),
                done: false,
            }),
        }),
    }
    // No clone of the request may live while it is routed (routing needs it unshared), so a
    // request that ran out of time is answered as an error, which actix renders.
    let answered = tokio::time::timeout(limits.request_timeout, next.call(request)).await;
    let mut response = match answered {
        Err(_) => {
            return Err(ApiError::Unavailable(format!(
                "the request was not answered within {} seconds",
                limits.request_timeout.as_secs()
            ))
            .into())
        }
        Ok(result) => result?,
    };
    if expired.load(Ordering::Relaxed) {
        let error = ApiError::RequestTimeout(format!(
            "the request body did not arrive within {} seconds",
            limits.body_timeout.as_secs()
        ));
        let mut replaced = error.error_response();
        replaced.head_mut().set_connection_type(ConnectionType::Close);
        return Ok(response.into_response(replaced).map_into_right_body());
    }
    if lifecycle.is_draining() {
        response
            .response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    Ok(response.map_into_left_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_address_and_releases_on_drop() {
        let counter = ConnectionCounter::new(
            2,
            TrustedProxies::parse("10.0.0.1").unwrap(),
            Duration::from_secs(5),
            100,
        );
        let client: IpAddr = "192.0.2.1".parse().unwrap();
        let a = counter.admit(client);
        let b = counter.admit(client);
        let c = counter.admit(client);
        assert!(!a.over_limit && !b.over_limit && c.over_limit);
        assert_eq!(counter.open_from(client), 3);
        drop(c);
        drop(b);
        assert!(!counter.admit(client).over_limit);
        assert_eq!(counter.open_from(client), 1, "the probe above was released");
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let through_proxy: Vec<_> = (0..5).map(|_| counter.admit(proxy)).collect();
        assert!(through_proxy.iter().all(|slot| !slot.over_limit));
        let v6a: IpAddr = "2001:db8::1".parse().unwrap();
        let v6b: IpAddr = "2001:db8::2".parse().unwrap();
        let _x = counter.admit(v6a);
        let _y = counter.admit(v6b);
        assert!(counter.admit(v6a).over_limit, "one /64 is one client");
    }
}
