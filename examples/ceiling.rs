//! The benchmark's ceiling: a bare actix-web handler answering each client with the very bytes
//! Khabar gave that client (the same body in the same coding, or the same 304), from memory,
//! with the same workers and the same kind of response headers. Khabar's reads are measured
//! against it in the same run (`bench/run.sh`).
//!
//! Usage: ceiling <address> <manifest.json>, the manifest written by `bench/clients.py probe`:
//! each entry says the path (with its query), the request's `Accept-Encoding` and whether it is conditional,
//! and the answer (status, type, coding, ETag, body file). A request is matched on the same
//! three things, as Khabar itself must look at them.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

struct Answer {
    status: StatusCode,
    content_type: String,
    content_encoding: Option<String>,
    etag: Option<String>,
    body: web::Bytes,
}

type Key = (String, String, bool);

fn text(entry: &serde_json::Value, name: &str) -> Option<String> {
    entry.get(name).and_then(|v| v.as_str()).map(str::to_owned)
}

fn load(manifest: &str) -> std::io::Result<HashMap<Key, Arc<Answer>>> {
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(manifest)?)?;
    let mut answers = HashMap::new();
    for entry in entries {
        let key = (
            text(&entry, "path").unwrap_or_default(),
            text(&entry, "accept_encoding").unwrap_or_default(),
            entry["conditional"].as_bool().unwrap_or(false),
        );
        let body = std::fs::read(text(&entry, "body").unwrap_or_default())?;
        let answer = Answer {
            status: StatusCode::from_u16(entry["status"].as_u64().unwrap_or(200) as u16)
                .unwrap_or(StatusCode::OK),
            content_type: text(&entry, "content_type").unwrap_or_else(|| "application/json".into()),
            content_encoding: text(&entry, "content_encoding"),
            etag: text(&entry, "etag"),
            body: body.into(),
        };
        answers.insert(key, Arc::new(answer));
    }
    Ok(answers)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [address, manifest] = args.as_slice() else {
        eprintln!("usage: ceiling <address> <manifest.json>");
        std::process::exit(2);
    };
    let answers = Arc::new(load(manifest)?);
    let workers = std::thread::available_parallelism().map_or(2, usize::from);
    HttpServer::new(move || {
        let answers = answers.clone();
        App::new().default_service(web::to(move |request: HttpRequest| {
            let headers = request.headers();
            // The query too: two endpoints may share a path (a list's first page and a page by
            // cursor; a live blog's slices and its poll).
            let key = (
                request
                    .uri()
                    .path_and_query()
                    .map_or_else(|| request.path().to_owned(), |pq| pq.as_str().to_owned()),
                headers
                    .get("accept-encoding")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned(),
                headers.contains_key("if-none-match"),
            );
            let answer = answers.get(&key).cloned();
            async move {
                let Some(answer) = answer else {
                    return HttpResponse::NotFound().finish();
                };
                let mut response = HttpResponse::build(answer.status);
                response
                    .insert_header(("Cache-Control", "public, max-age=60, stale-while-revalidate=300"))
                    .insert_header(("Vary", "Accept-Encoding"));
                if let Some(etag) = &answer.etag {
                    response.insert_header(("ETag", etag.as_str()));
                }
                if answer.status == StatusCode::NOT_MODIFIED {
                    return response.finish();
                }
                response.insert_header(("Content-Type", answer.content_type.as_str()));
                if let Some(coding) = &answer.content_encoding {
                    response.insert_header(("Content-Encoding", coding.as_str()));
                }
                response.body(answer.body.clone())
            }
        }))
    })
    .workers(workers)
    .bind(address.as_str())?
    .run()
    .await
}
