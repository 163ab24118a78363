//! `POST /v1/imports`: a Khabar export over the API, for importers that do not run the CLI.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::body::JsonBody;
use super::principal::Signed;
use super::writes::{json_response, Protected};
use super::State;
use crate::domain::permissions::Permission;
use crate::error::{ApiError, FieldError, Problem};
use crate::transfer::import::ImportOptions;
use crate::transfer::report::Report;

/// A Khabar export, sent as it is written: bytes of JSON Lines.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct ExportFile(Vec<u8>);

/// Largest import body: bigger archives go through `khabar import`, which streams.
const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// All or nothing: any refused record rolls everything back (a 422 listing them).
    pub atomic: Option<bool>,
    /// Send `article.published` webhooks for the imported public articles.
    pub webhooks: Option<bool>,
}

/// Imports a Khabar export (JSON Lines, `docs/export.schema.json`, at most 16 MiB): entities
/// keep their ids, slugs, statuses and times; what is already there and the same is left
/// alone, so sending a file twice changes nothing. Each record is all or nothing; the answer
/// counts what was created, updated, unchanged or refused, and says why for each refusal.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(ImportQuery),
    request_body(content = ExportFile, content_type = "application/x-ndjson", description = "A Khabar export: a header line, then one entity a line"),
    responses(
        (status = 200, description = "Imported: what was done, and every record refused with its line", body = Report),
        (status = 400, description = "The body is empty, or its first line is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than 16 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/x-ndjson", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a Khabar export (no header, another format or a newer version), or `atomic` and a record was refused; nothing was imported", body = Problem, content_type = "application/problem+json"),
        Protected
    )
)]
#[post("/imports")]
pub async fn import_archive(
    state: State,
    signed: Signed,
    query: web::Query<ImportQuery>,
    payload: JsonBody,
) -> Result<HttpResponse, ApiError> {
    signed.require(Permission::ImportArchive)?;
    let body = payload.json_lines(MAX_IMPORT_BYTES).await?;
    // Malformed the way a JSON body can be: 400, as for every other operation.
    let first = body
        .split(|b| *b == b'\n')
        .find(|line| !line.iter().all(u8::is_ascii_whitespace));
    match first {
        None => return Err(ApiError::bad_request("the body is empty; send a Khabar export")),
        Some(line) => {
            serde_json::from_slice::<serde_json::Value>(line)
                .map_err(|e| ApiError::bad_request(format!("line 1 is not JSON: {e}")))?;
        }
    }
    let options = ImportOptions {
        atomic: query.atomic.unwrap_or(false),
        events: query.webhooks.unwrap_or(false),
        one_at_a_time: false,
    };
    let media = state.media.clone();
    let report = state
        .write_batches(move |conn, ctx| {
            crate::editorial::imports::run(conn, ctx, &signed.actor, &media, &body, options)
        })
        .await?;
    if report.rolled_back {
        return Err(ApiError::Unprocessable {
            detail: format!(
                "{} record(s) refused; atomic: nothing was imported",
                report.problems.len()
            ),
            errors: report
                .problems
                .iter()
                .map(|p| {
                    FieldError::new(
                        format!("line {}", p.line),
                        format!("{} {}: {}", p.kind, p.key, p.message),
                    )
                })
                .collect(),
        });
    }
    Ok(json_response(StatusCode::OK, &report, None))
}
