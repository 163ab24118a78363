//! Building the HTTP application and the server around it.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{middleware, web, App, HttpRequest, HttpResponse, HttpServer};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

use crate::api::article::UrlBuilder;
use crate::bootstrap::{self, BootstrapError, Prepared};
use crate::config::Settings;
use crate::delivery::cache::DeliveryCache;
use crate::domain::cursor::CursorSigner;
use crate::error::{problem_response, ApiError};
use crate::openapi::ApiDoc;
use crate::routes::conditional::CachePolicy;
use crate::routes::{self, meta::OpenApiJson, AppState};

/// Largest JSON request body accepted (larger ones get 413).
const MAX_JSON_BYTES: usize = 1024 * 1024;

/// A prepared database and a bound listener, ready to run.
pub struct Application {
    port: u16,
    server: Server,
    cache: DeliveryCache,
    worker: Option<crate::worker::Worker>,
    pub prepared: PreparedSummary,
}

/// What startup did, for the operator (the one-time admin password included).
pub struct PreparedSummary {
    pub migrations_applied: Vec<String>,
    pub jwt_secret_generated: bool,
    pub demo_loaded: bool,
    pub admin_created: Option<(String, String)>,
}

impl Application {
    /// Prepares the database and binds `settings.bind` (port 0 picks a free port).
    pub fn build(settings: &Settings) -> Result<Self, BootstrapError> {
        let Prepared {
            pool,
            jwt_secret,
            migrations_applied,
            jwt_secret_generated,
            demo,
            admin_created,
        } = bootstrap::prepare(settings)?;
        let listener = TcpListener::bind(settings.bind).map_err(|e| {
            BootstrapError::Other(format!("KHABAR_BIND: cannot listen on {}: {e}", settings.bind))
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| BootstrapError::Other(e.to_string()))?
            .port();
        let auth = crate::auth::AuthConfig {
            keys: token_keys(settings, &jwt_secret)?,
            access_ttl: chrono::Duration::seconds(i64::from(settings.access_token_ttl)),
            session_ttl: chrono::Duration::seconds(i64::from(settings.session_ttl)),
        };
        let api_keys = crate::auth::api_keys::ApiKeyVerifier::new(pool.clone());
        let state = AppState {
            pool,
            urls: UrlBuilder::new(settings.site_url.clone()),
            public_url: settings.public_url.clone(),
            cache: DeliveryCache::new(
                settings.cache_mb * 1024 * 1024,
                Duration::from_secs(u64::from(settings.cache_max_age.max(1))),
            ),
            cursors: CursorSigner::new(jwt_secret.as_bytes()),
            feeds: crate::routes::feeds::FeedSettings {
                publication: settings.publication_name.clone(),
                items: settings.feed_items,
                websub_hub: settings.websub_hub.as_ref().map(ToString::to_string),
            },
            cache_policy: CachePolicy::new(settings.cache_max_age, settings.cache_stale_while_revalidate),
            auth,
            throttle: std::sync::Arc::new(crate::auth::throttle::LoginThrottle::default()),
            rate_limits: std::sync::Arc::new(crate::routes::rate_limit::RateLimits::new(
                &settings.rate_limits,
            )),
            api_keys,
            allow_private_webhooks: settings.worker.allow_private_webhooks,
            metrics: std::sync::Arc::new(crate::routes::metrics::Metrics::new(
                settings.metrics_token.as_deref(),
            )),
            media: settings.media.clone(),
        };
        let worker = settings.worker.enabled.then(|| {
            crate::worker::Worker::new(
                state.pool.clone(),
                state.urls.clone(),
                state.edit_context().websub,
                state.cache.clone(),
                settings.worker.clone(),
            )
        });
        let cache = state.cache.clone();
        let listener_cache = cache.clone();
        crate::db::notify::listen(&settings.database_url, move || listener_cache.invalidate_all())
            .map_err(|e| BootstrapError::Other(format!("cannot start the change listener: {e}")))?;
        let spec = OpenApiJson(crate::openapi::document_json());
        // The request log costs a few formatted strings per request: skip it when the log
        // filter would discard it anyway (e.g. KHABAR_LOG=warn on a busy node).
        let log_requests = tracing::enabled!(target: "actix_web::middleware::logger", tracing::Level::INFO);
        let server = HttpServer::new(move || {
            let (app, _) = App::new()
                .into_utoipa_app()
                .openapi(ApiDoc::openapi())
                .app_data(web::Data::new(state.clone()))
                .app_data(web::Data::new(spec.clone()))
                .app_data(json_config())
                .app_data(query_config())
                .app_data(path_config())
                .configure(routes::configure)
                .split_for_parts();
            app.service(docs_ui())
                .route("/docs", web::get().to(redirect_to_docs))
                .wrap(middleware::from_fn(routes::rate_limit::limit))
                .wrap(middleware::from_fn(routes::metrics::record))
                .wrap_fn(head_as_get)
                .wrap(cors())
                .wrap(middleware::Compress::default())
                .wrap(middleware::Condition::new(
                    log_requests,
                    middleware::Logger::new("%a \"%r\" %s %b %T"),
                ))
                .default_service(web::to(not_found))
        })
        .workers(settings.workers)
        .listen(listener)
        .map_err(|e| BootstrapError::Other(format!("KHABAR_BIND: {e}")))?
        .run();
        Ok(Application {
            port,
            server,
            cache,
            worker,
            prepared: PreparedSummary {
                migrations_applied,
                jwt_secret_generated,
                demo_loaded: demo.is_some(),
                admin_created,
            },
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The response cache, for in-process callers that change content around the API.
    pub fn cache(&self) -> DeliveryCache {
        self.cache.clone()
    }

    /// Serves, with the background worker running beside the server until it stops.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let worker = self.worker.map(|worker| tokio::spawn(worker.run()));
        let served = self.server.await;
        if let Some(worker) = worker {
            worker.abort();
        }
        served
    }
}

/// The access-token keys the settings ask for: HS256 with the instance secret, or EdDSA with
/// the configured key files.
fn token_keys(settings: &Settings, secret: &str) -> Result<crate::auth::tokens::TokenKeys, BootstrapError> {
    use crate::auth::tokens::TokenKeys;
    let issuer = settings.public_url.as_str();
    match &settings.jwt_key_files {
        None => TokenKeys::hs256(secret.as_bytes(), issuer)
            .map_err(|e| BootstrapError::Other(format!("KHABAR_JWT_SECRET: {e}"))),
        Some((private, public)) => {
            let read = |setting: &str, path: &std::path::Path| {
                std::fs::read(path).map_err(|e| {
                    BootstrapError::Other(format!("{setting}: cannot read {}: {e}", path.display()))
                })
            };
            let private_pem = read("KHABAR_JWT_PRIVATE_KEY_FILE", private)?;
            let public_pem = read("KHABAR_JWT_PUBLIC_KEY_FILE", public)?;
            TokenKeys::eddsa(&private_pem, &public_pem, issuer).map_err(|e| {
                BootstrapError::Other(format!(
                    "KHABAR_JWT_PRIVATE_KEY_FILE / KHABAR_JWT_PUBLIC_KEY_FILE: {e}"
                ))
            })
        }
    }
}

/// The API reference page: Swagger UI, its assets compiled into the binary (no CDN), reading
/// the served `/openapi.json`.
fn docs_ui() -> utoipa_swagger_ui::SwaggerUi {
    let config = utoipa_swagger_ui::Config::new(["/openapi.json"])
        .try_it_out_enabled(true)
        .persist_authorization(true)
        .display_request_duration(true);
    utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}").config(config)
}

async fn redirect_to_docs() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((actix_web::http::header::LOCATION, "/docs/"))
        .finish()
}

/// Answers HEAD like GET (RFC 9110 §9.3.2): the routes are declared for GET, and actix-http
/// already knows from the request line that this was HEAD, so it sends the headers (with the
/// GET's Content-Length) and no body.
fn head_as_get<S>(mut request: actix_web::dev::ServiceRequest, service: &S) -> S::Future
where
    S: actix_web::dev::Service<actix_web::dev::ServiceRequest>,
{
    if request.method() == actix_web::http::Method::HEAD {
        request.head_mut().method = actix_web::http::Method::GET;
    }
    service.call(request)
}

/// Public reads may be fetched from any origin; conditional request headers and the paging
/// and caching response headers are allowed through.
fn cors() -> actix_cors::Cors {
    use actix_web::http::header;
    actix_cors::Cors::default()
        .allow_any_origin()
        .send_wildcard()
        .allowed_methods(["GET", "HEAD", "OPTIONS", "POST", "PATCH", "DELETE"])
        .allowed_headers([
            header::ACCEPT,
            header::IF_NONE_MATCH,
            header::IF_MODIFIED_SINCE,
            header::IF_MATCH,
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static(routes::rate_limit::API_KEY_HEADER),
        ])
        .expose_headers([
            header::ETAG,
            header::LINK,
            header::LAST_MODIFIED,
            header::LOCATION,
            header::RETRY_AFTER,
            header::WWW_AUTHENTICATE,
        ])
        .max_age(86_400)
}

async fn not_found(request: HttpRequest) -> HttpResponse {
    problem_response(&ApiError::NotFound(format!("nothing is served at {}", request.path())).problem())
}

fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_JSON_BYTES)
        // JSON merge patches (RFC 7386) and any `+json` type are JSON too.
        .content_type(|mime| {
            mime.subtype().as_str() == "json" || mime.suffix().is_some_and(|s| s.as_str() == "json")
        })
        .error_handler(|error, _| {
            use actix_web::error::JsonPayloadError;
            let response = match &error {
                JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
                    problem_response(
                        &ApiError::PayloadTooLarge(format!("the body is larger than {MAX_JSON_BYTES} bytes"))
                            .problem(),
                    )
                }
                JsonPayloadError::ContentType => problem_response(
                    &ApiError::UnsupportedMediaType("send the body as application/json".into()).problem(),
                ),
                other => problem_response(
                    &ApiError::bad_request(format!("malformed JSON body: {other}")).problem(),
                ),
            };
            actix_web::error::InternalError::from_response(error, response).into()
        })
}

fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, _| {
        let response =
            problem_response(&ApiError::bad_request(format!("invalid query string: {error}")).problem());
        actix_web::error::InternalError::from_response(error, response).into()
    })
}

fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|error, _| {
        let response = problem_response(&ApiError::bad_request(format!("invalid path: {error}")).problem());
        actix_web::error::InternalError::from_response(error, response).into()
    })
}
