//! The fast path of public reads: a GET of an address (path and query) that a public read
//! answered a moment ago is answered again from the same cached representation before routing,
//! extractors and the handler run. Routing a long percent-encoded Arabic slug (requoting it,
//! matching the route patterns, decoding the parameters) costs about as much as the rest of a
//! cached answer. Innermost of the middleware: request ids, guards, CORS, metrics and rate
//! limits apply to these answers as to all others.
//!
//! Only answers made by `conditional::respond` (public reads, which depend on nothing but the
//! address and the headers it looks at) are remembered, under the cache's eviction rules.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::Error;

use crate::delivery::cache::Answered;
use crate::routes::conditional::{answer, Served};
use crate::routes::State;

/// The route pattern an answer came from, for metrics (`routes::metrics`) when no routing ran.
#[derive(Clone)]
pub struct RoutePattern(pub std::sync::Arc<str>);

/// The cache's key of an address: the raw path and query, as the client sent them.
fn address_key(request: &ServiceRequest) -> String {
    let uri = request.uri();
    let path_and_query = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
    let mut key = String::with_capacity(path_and_query.len() + 4);
    key.push_str("url:");
    key.push_str(path_and_query);
    key
}

pub async fn fast_read(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let state = (request.method() == Method::GET)
        .then(|| request.app_data::<State>().cloned())
        .flatten();
    let Some(state) = state else {
        return next.call(request).await.map(ServiceResponse::map_into_left_body);
    };
    let key = address_key(&request);
    let cache = &state.reads.cache;
    if let Some(answered) = cache.answered(&key) {
        let mut response = answer(request.request(), &answered.representation, &state.cache_policy);
        {
            let mut extensions = response.extensions_mut();
            extensions.insert(crate::routes::conditional::Negotiated);
            extensions.insert(RoutePattern(answered.route));
        }
        return Ok(request.into_response(response).map_into_right_body());
    }
    let token = cache.fill_token();
    let response = next.call(request).await?;
    let served = response.response().extensions().get::<Served>().cloned();
    if let Some(Served(representation)) = served {
        let route = response
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned());
        cache.remember_answer(
            key,
            Answered {
                representation,
                route: route.into(),
            },
            token,
        );
    }
    Ok(response.map_into_left_body())
}
