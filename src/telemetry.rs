//! Structured logs through `tracing`; actix's request log (the `log` crate) is bridged in.

use tracing_subscriber::EnvFilter;

/// How log lines are written (`KHABAR_LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Installs the global subscriber. Fails with a one-line message on a bad filter.
pub fn init(filter: &str, format: LogFormat) -> Result<(), String> {
    let filter =
        EnvFilter::try_new(filter).map_err(|e| format!("KHABAR_LOG: '{filter}' is not a log filter: {e}"))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, never into a collected log.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let result = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    result.map_err(|e| format!("cannot install the logger: {e}"))
}

tokio::task_local! {
    /// The request being answered (see `routes::middleware::request_id`).
    static REQUEST: RequestScope;
}

/// What identifies the request being answered: its id, and who made it once authenticated.
struct RequestScope {
    id: String,
    actor: std::sync::OnceLock<String>,
}

/// The id of the request this code answers, if it runs for one (on the request's task: a
/// blocking database call is handed it through its context instead).
pub fn request_id() -> Option<String> {
    REQUEST.try_with(|request| request.id.clone()).ok()
}

/// Records who makes the request being answered (`user:<id>`), once its credentials are
/// verified, for the change log's record of each change.
pub fn note_actor(actor: String) {
    let _ = REQUEST.try_with(|request| request.actor.set(actor));
}

/// Who makes the request this code answers, once known.
pub fn actor() -> Option<String> {
    REQUEST
        .try_with(|request| request.actor.get().cloned())
        .ok()
        .flatten()
}

/// Runs blocking `work` on the blocking thread pool, logging in the caller's span (the request's,
/// with its id): every blocking hop of a request goes through here, so that none of its log
/// lines loses the id.
pub fn spawn_blocking<T, F>(work: F) -> tokio::task::JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(work))
}

/// Runs `work` as the answer to the request `id`: its log lines and problem documents name it.
pub async fn with_request_id<F: std::future::Future>(id: String, work: F) -> F::Output {
    use tracing::Instrument;
    let span = tracing::info_span!("request", request_id = %id);
    let scope = RequestScope {
        id,
        actor: std::sync::OnceLock::new(),
    };
    REQUEST.scope(scope, work.instrument(span)).await
}
