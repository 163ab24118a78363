//! Building the HTTP application and the server around it.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{middleware, web, App, HttpRequest, HttpResponse, HttpServer};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

use crate::api::article::UrlBuilder;
use crate::bootstrap::{self, BootstrapError, Prepared};
use crate::config::Settings;
use crate::db::replicas::ReadRouting;
use crate::delivery::cache::DeliveryCache;
use crate::domain::cursor::CursorSigner;
use crate::error::{problem_response, ApiError};
use crate::lifecycle::{Lifecycle, ShutdownSettings};
use crate::openapi::ApiDoc;
use crate::routes::conditional::CachePolicy;
use crate::routes::middleware::guard::{self, ConnectionCounter};
use crate::routes::middleware::methods::MethodTable;
use crate::routes::middleware::{cors, encoding};
use crate::routes::{self, meta::OpenApiJson, AppState};

/// A prepared database and a bound listener, ready to run.
pub struct Application {
    port: u16,
    server: Server,
    cache: DeliveryCache,
    routing: Arc<ReadRouting>,
    change_listener: crate::db::notify::Listener,
    worker: Option<crate::worker::Worker>,
    lifecycle: Arc<Lifecycle>,
    shutdown: ShutdownSettings,
    pub prepared: PreparedSummary,
}

/// What startup did, for the operator (the one-time admin password included).
pub struct PreparedSummary {
    pub migrations_applied: Vec<String>,
    pub jwt_secret_generated: bool,
    pub demo_loaded: bool,
    pub admin_created: Option<(String, String)>,
    /// (the site URL the articles pointed at, how many were recompiled for this one).
    pub recompiled_from: Option<(String, usize)>,
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
            recompiled_from,
        } = bootstrap::prepare(settings)?;
        let listener = TcpListener::bind(settings.bind).map_err(|e| {
            BootstrapError::Other(format!("KHABAR_BIND: cannot listen on {}: {e}", settings.bind))
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| BootstrapError::Other(e.to_string()))?
            .port();
        let (state, tail) = app_state(settings, pool, &jwt_secret)?;
        let routing = state.reads.routing.clone();
        let lifecycle = state.lifecycle.clone();
        let worker = settings.worker.enabled.then(|| {
            crate::worker::Worker::new(
                state.pool.clone(),
                state.pipeline.clone(),
                tail.clone(),
                settings.worker.clone(),
                lifecycle.clone(),
            )
        });
        let cache = state.reads.cache.clone();
        let listener_routing = routing.clone();
        let change_listener = crate::db::notify::listen(&settings.database_url, move |conn, position| {
            // Fence first: a read that misses the emptied cache must not go to a replica that
            // has not replayed the change.
            match position {
                Some(position) => listener_routing.fence(position),
                None => listener_routing.hold_on_primary(),
            }
            if let Err(error) = tail.catch_up(conn) {
                tracing::warn!(%error, "could not read the change log after a wake-up");
            }
        })
        .map_err(|e| BootstrapError::Other(format!("cannot start the change listener: {e}")))?;
        let server = http_server(settings, state, listener)?;
        Ok(Application {
            port,
            server,
            cache,
            routing,
            change_listener,
            worker,
            lifecycle,
            shutdown: settings.shutdown,
            prepared: PreparedSummary {
                migrations_applied,
                jwt_secret_generated,
                demo_loaded: demo.is_some(),
                admin_created,
                recompiled_from,
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

    /// What drains and stops this node: `begin_drain` on it starts the shutdown.
    pub fn lifecycle(&self) -> Arc<Lifecycle> {
        self.lifecycle.clone()
    }

    /// Drains on the first SIGTERM or SIGINT; a second one stops at once, dropping what is
    /// in flight (an operator's "I mean it").
    pub fn stop_on_signals(&self) -> std::io::Result<()> {
        use tokio::signal::unix::{signal, SignalKind};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        let (lifecycle, handle) = (self.lifecycle.clone(), self.server.handle());
        actix_web::rt::spawn(async move {
            let mut received = 0;
            loop {
                let name = tokio::select! {
                    _ = terminate.recv() => "SIGTERM",
                    _ = interrupt.recv() => "SIGINT",
                };
                received += 1;
                if received == 1 {
                    tracing::info!(
                        signal = name,
                        "shutting down gracefully (send it again to stop at once)"
                    );
                    lifecycle.begin_drain();
                } else {
                    tracing::warn!(signal = name, "stopping at once");
                    handle.stop(false).await;
                    return;
                }
            }
        });
        Ok(())
    }

    /// Serves, with the background worker running beside the server, until a drain that began
    /// (see [`Lifecycle`]) has run its course: the drain delay, then at most the grace period
    /// for requests in flight and the worker's current round.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let Application {
            server,
            routing,
            change_listener,
            worker,
            lifecycle,
            shutdown,
            ..
        } = self;
        let worker = worker.map(|worker| tokio::spawn(worker.run()));
        let draining = lifecycle.clone();
        let monitor = tokio::spawn(routing.monitor(async move { draining.drain_started().await }));
        let handle = server.handle();
        let stopper = {
            let lifecycle = lifecycle.clone();
            tokio::spawn(async move {
                lifecycle.drain_started().await;
                tokio::time::sleep(shutdown.drain_delay).await;
                tracing::info!("stopping: no new connections; answering those in flight");
                handle.stop(true).await;
            })
        };
        let served = server.await;
        stopper.abort();
        monitor.abort();
        // The server may also have ended on its own (an error): the worker stops with it.
        lifecycle.begin_drain();
        if let Some(worker) = worker {
            match tokio::time::timeout(shutdown.grace, worker).await {
                Ok(_) => tracing::info!("the worker finished its round"),
                Err(_) => tracing::warn!("the worker did not finish within the shutdown timeout"),
            }
        }
        let _ = tokio::task::spawn_blocking(move || change_listener.stop()).await;
        served
    }
}

/// Request budgets shared by every node in Redis, when a store is configured.
fn shared_budgets(settings: &Settings) -> Result<Option<Arc<crate::budgets::SharedBudgets>>, BootstrapError> {
    settings
        .rate_limits
        .store
        .as_deref()
        // Several installations may count in one Redis: each under its own issuer.
        .map(|url| {
            crate::budgets::SharedBudgets::new(url, &format!("khabar:{}:", settings.jwt_issuer)).map(Arc::new)
        })
        .transpose()
        .map_err(|e| BootstrapError::Other(format!("KHABAR_RATE_LIMIT_STORE: {e}")))
}

/// This node's reader of the change log, from the log's newest entry: the cache is empty, so
/// older entries have nothing to drop from it.
fn log_tail(
    settings: &Settings,
    pool: &crate::db::DbPool,
    cache: &DeliveryCache,
) -> Result<Arc<crate::reads::log_tail::LogTail>, BootstrapError> {
    let log_start = pool
        .get()
        .map_err(|e| BootstrapError::Other(format!("cannot read the change log: {e}")))
        .and_then(|mut conn| {
            crate::db::queries::change_log::newest(&mut conn)
                .map_err(|e| BootstrapError::Other(format!("cannot read the change log: {e}")))
        })?;
    Ok(Arc::new(crate::reads::log_tail::LogTail::new(
        cache.clone(),
        UrlBuilder::new(settings.site_url.clone()),
        log_start,
    )))
}

/// The application's shared state: its read path (replica routing, the response cache and the
/// reader of the change log that evicts from it), authentication and limits.
fn app_state(
    settings: &Settings,
    pool: crate::db::DbPool,
    jwt_secret: &str,
) -> Result<(AppState, Arc<crate::reads::log_tail::LogTail>), BootstrapError> {
    let auth = crate::auth::AuthConfig {
        keys: token_keys(settings, jwt_secret)?,
        access_ttl: chrono::Duration::seconds(i64::from(settings.access_token_ttl)),
        session_ttl: chrono::Duration::seconds(i64::from(settings.session_ttl)),
    };
    let api_keys = crate::auth::api_keys::ApiKeyVerifier::new(pool.clone());
    let shared_budgets = shared_budgets(settings)?;
    let routing = Arc::new(ReadRouting::connect(
        pool.clone(),
        &settings.read_replicas,
        settings.pool_size,
    ));
    let cache = DeliveryCache::new(
        settings.cache_mb * 1024 * 1024,
        Duration::from_secs(u64::from(settings.cache_max_age.max(1))),
    );
    let tail = log_tail(settings, &pool, &cache)?;
    let reads = Arc::new(crate::reads::Reader {
        routing: routing.clone(),
        filling: Default::default(),
        tail: tail.clone(),
        cache,
        cursors: CursorSigner::new(jwt_secret.as_bytes()),
        urls: UrlBuilder::new(settings.site_url.clone()),
        public_url: settings.public_url.clone(),
        feeds: crate::reads::feeds::FeedSettings {
            publication: settings.publication_name.clone(),
            items: settings.feed_items,
            websub_hub: settings.websub_hub.as_ref().map(ToString::to_string),
        },
    });
    let images = Arc::new(
        settings
            .media
            .images(jwt_secret.as_bytes(), settings.public_url.clone())
            .map_err(|e| BootstrapError::Other(format!("cannot start the image render threads: {e}")))?,
    );
    // Every change on this node runs through it; this node follows its own changes at once.
    let pipeline = crate::editorial::pipeline::Pipeline::new(
        bootstrap::edit_template(settings, Some(images.links.clone())),
        Some(crate::editorial::pipeline::Followers {
            routing: routing.clone(),
            tail: tail.clone(),
        }),
    );
    let state = AppState {
        pool,
        reads,
        cache_policy: CachePolicy::new(settings.cache_max_age, settings.cache_stale_while_revalidate),
        auth,
        throttle: std::sync::Arc::new(crate::auth::throttle::LoginThrottle::new(shared_budgets.clone())),
        rate_limits: std::sync::Arc::new(crate::routes::rate_limit::RateLimits::new(
            &settings.rate_limits,
            shared_budgets,
        )),
        api_keys,
        pipeline,
        edge_purge: settings.worker.purges_edge(),
        metrics: std::sync::Arc::new(crate::routes::metrics::Metrics::new(
            settings.metrics_token.as_deref(),
            &routing,
        )),
        media: settings.media.clone(),
        images,
        client_limits: settings.client_limits.clone(),
        lifecycle: Arc::new(Lifecycle::default()),
        methods: Arc::new(MethodTable::from_document(&crate::openapi::document())),
        health: Arc::new(crate::routes::health::HealthChecks::new(settings)),
        streams: crate::reads::change_stream::Streams::new(settings.streams.clone()),
    };
    Ok((state, tail))
}

/// The HTTP server around `state`, its middleware in order, listening on `listener`.
fn http_server(
    settings: &Settings,
    state: AppState,
    listener: TcpListener,
) -> Result<Server, BootstrapError> {
    let spec = OpenApiJson(crate::openapi::document_json_served_at(&settings.public_url));
    // The request log costs a few formatted strings per request: skip it when the log
    // filter would discard it anyway (e.g. KHABAR_LOG=warn on a busy node).
    let log_requests = tracing::enabled!(target: "actix_web::middleware::logger", tracing::Level::INFO);
    let max_connections = crate::lifecycle::connection_budget(settings.client_limits.max_connections);
    let connections = ConnectionCounter::new(
        settings.client_limits.connections_per_address,
        settings.rate_limits.trusted_proxies.clone(),
        settings.client_limits.header_timeout,
        max_connections,
    );
    Ok(HttpServer::new(move || {
        let (app, _) = App::new()
            .into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .app_data(web::Data::new(state.clone()))
            .app_data(web::Data::new(spec.clone()))
            .app_data(query_config())
            .app_data(path_config())
            .configure(routes::configure)
            .split_for_parts();
        app.configure(routes::desk::configure)
            .service(docs_ui())
            .route("/docs", web::get().to(redirect_to_docs))
            // Innermost: a repeated public GET is answered before routing.
            .wrap(middleware::from_fn(routes::middleware::fast_read::fast_read))
            .wrap(middleware::from_fn(routes::rate_limit::limit))
            .wrap(middleware::from_fn(routes::metrics::record))
            .wrap_fn(head_as_get)
            .wrap(middleware::from_fn(guard::guard))
            .wrap(middleware::from_fn(cors::cors))
            .wrap(middleware::from_fn(encoding::encode))
            .wrap(middleware::Condition::new(
                log_requests,
                middleware::Logger::new("%a \"%r\" %s %b %T %{x-request-id}i"),
            ))
            // Outermost: every answer, the guard's and the router's own included, names its
            // request, and everything inside runs in the request's span.
            .wrap(middleware::from_fn(routes::middleware::request_id::request_id))
            .default_service(web::to(not_found))
    })
    .workers(settings.workers)
    // Blocking work is database work (and small file reads): more threads than
    // connections only wait, and each idle one keeps its own allocator arena and stack.
    .worker_max_blocking_threads((settings.pool_size as usize * 2).max(4))
    .on_connect(connections.on_connect())
    .max_connections((max_connections as usize).div_ceil(settings.workers).max(1))
    .client_request_timeout(settings.client_limits.header_timeout)
    .keep_alive(routes::middleware::head_deadline::KEEP_ALIVE)
    .shutdown_timeout(settings.shutdown.grace.as_secs())
    // SIGTERM and SIGINT drain the node first (`Lifecycle`); `cli::serve` listens for them.
    .disable_signals()
    .listen(listener)
    .map_err(|e| BootstrapError::Other(format!("KHABAR_BIND: {e}")))?
    .run())
}

/// The access-token keys the settings ask for: HS256 with the instance secret, or EdDSA with
/// the configured key files.
fn token_keys(settings: &Settings, secret: &str) -> Result<crate::auth::tokens::TokenKeys, BootstrapError> {
    use crate::auth::tokens::TokenKeys;
    let issuer = settings.jwt_issuer.as_str();
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

/// What no route answers: a path that exists for other methods gets 405 with `Allow` (and a
/// bare `OPTIONS` the `Allow` list); anything else is a 404.
async fn not_found(state: routes::State, request: HttpRequest) -> HttpResponse {
    use actix_web::http::{header, Method};
    use actix_web::ResponseError;
    if let Some(allow) = state.methods.allowed(request.path()) {
        if request.method() == Method::OPTIONS {
            return HttpResponse::NoContent()
                .insert_header((header::ALLOW, allow.join(", ")))
                .finish();
        }
        return ApiError::MethodNotAllowed {
            method: request.method().to_string(),
            allow,
        }
        .error_response();
    }
    problem_response(&ApiError::NotFound(format!("nothing is served at {}", request.path())).problem())
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
