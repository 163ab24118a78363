//! The benchmark's ceiling: a bare actix-web handler returning fixed bytes from memory, with
//! the same workers and the same kind of response headers as Khabar's reads. Khabar's reads
//! are measured against it in the same run (`bench/run.sh`).
//!
//! Usage: ceiling <address> <path>=<file with the response body> [<path>=<file> ...]

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(address) = args.next() else {
        eprintln!("usage: ceiling <address> <path>=<file> [<path>=<file> ...]");
        std::process::exit(2);
    };
    let mut bodies = HashMap::new();
    for mapping in args {
        let Some((path, file)) = mapping.split_once('=') else {
            eprintln!("expected <path>=<file>, got {mapping}");
            std::process::exit(2);
        };
        bodies.insert(path.to_owned(), web::Bytes::from(std::fs::read(file)?));
    }
    let bodies = Arc::new(bodies);
    let workers = std::thread::available_parallelism().map_or(2, usize::from);
    HttpServer::new(move || {
        let bodies = bodies.clone();
        App::new().default_service(web::to(move |request: HttpRequest| {
            let body = bodies.get(request.path()).cloned();
            async move {
                match body {
                    Some(body) => HttpResponse::Ok()
                        .content_type("application/json")
                        .insert_header(("ETag", "\"0123456789abcdef0123456789abcdef\""))
                        .insert_header(("Cache-Control", "public, max-age=60, stale-while-revalidate=300"))
                        .body(body),
                    None => HttpResponse::NotFound().finish(),
                }
            }
        }))
    })
    .workers(workers)
    .bind(address)?
    .run()
    .await
}
