//! The benchmark's ceiling: a bare actix-web handler returning fixed bytes from memory, with
//! the same workers and response headers a Khabar article read sends. Khabar's reads are
//! measured against it in the same run (`bench/run.sh`).
//!
//! Usage: ceiling <file with the response body> <address>

use actix_web::{web, App, HttpResponse, HttpServer};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(body_path), Some(address)) = (args.next(), args.next()) else {
        eprintln!("usage: ceiling <body file> <address>");
        std::process::exit(2);
    };
    let body = web::Bytes::from(std::fs::read(&body_path)?);
    let workers = std::thread::available_parallelism().map_or(2, usize::from);
    HttpServer::new(move || {
        let body = body.clone();
        App::new().default_service(web::to(move || {
            let body = body.clone();
            async move {
                HttpResponse::Ok()
                    .content_type("application/json")
                    .insert_header(("ETag", "\"0123456789abcdef0123456789abcdef\""))
                    .insert_header(("Cache-Control", "public, max-age=60, stale-while-revalidate=300"))
                    .body(body)
            }
        }))
    })
    .workers(workers)
    .bind(address)?
    .run()
    .await
}
