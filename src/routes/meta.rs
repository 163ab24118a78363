use actix_web::{get, web, HttpResponse};

/// The OpenAPI document, serialized once at start.
#[derive(Debug, Clone)]
pub struct OpenApiJson(pub String);

/// This API's OpenAPI 3.1 document.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object))
)]
#[get("/openapi.json")]
pub async fn openapi_json(spec: web::Data<OpenApiJson>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(spec.0.clone())
}
