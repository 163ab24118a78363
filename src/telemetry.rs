//! Structured logs through `tracing`; actix's request log (the `log` crate) is bridged in.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

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
    /// The id of the request being answered (see `routes::middleware::request_id`).
    static REQUEST_ID: String;
}

/// The id of the request this code answers, if it runs for one (on the request's task: a
/// blocking database call is handed it through its context instead).
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
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
    REQUEST_ID.scope(id, work.instrument(span)).await
}
