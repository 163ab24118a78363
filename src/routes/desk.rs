//! The desk (`/desk/`): the newsroom's web app, static files compiled into the binary and
//! served under a strict Content-Security-Policy. It talks to the API like any other client.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use super::State;
use crate::delivery::codings::{self, Bodies};

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

macro_rules! assets {
    ($($name:literal => $type:literal),+ $(,)?) => {
        &[$(Asset { name: $name, content_type: $type, bytes: include_bytes!(concat!("../../desk/", $name)) }),+]
    };
}

/// Every file the desk serves; nothing else is reachable under `/desk/`.
const ASSETS: &[Asset] = assets!(
    "index.html" => "text/html; charset=utf-8",
    "desk.css" => "text/css; charset=utf-8",
    "app.js" => "text/javascript; charset=utf-8",
    "api.js" => "text/javascript; charset=utf-8",
    "dom.js" => "text/javascript; charset=utf-8",
    "i18n.js" => "text/javascript; charset=utf-8",
    "editor.js" => "text/javascript; charset=utf-8",
    "blocks.js" => "text/javascript; charset=utf-8",
    "photos.js" => "text/javascript; charset=utf-8",
    "preview.js" => "text/javascript; charset=utf-8",
    "lists.js" => "text/javascript; charset=utf-8",
    "admin.js" => "text/javascript; charset=utf-8",
    "workflow.js" => "text/javascript; charset=utf-8",
    "store.js" => "text/javascript; charset=utf-8",
    "fields.js" => "text/javascript; charset=utf-8",
    "limits.js" => "text/javascript; charset=utf-8",
    "problems.js" => "text/javascript; charset=utf-8",
    "paste.js" => "text/javascript; charset=utf-8",
    "pickers.js" => "text/javascript; charset=utf-8",
    "crops.js" => "text/javascript; charset=utf-8",
    "dialogs.js" => "text/javascript; charset=utf-8",
    "revisions.js" => "text/javascript; charset=utf-8",
    "values.js" => "text/javascript; charset=utf-8",
    "guard.js" => "text/javascript; charset=utf-8",
    "live.js" => "text/javascript; charset=utf-8",
    "icon.svg" => "image/svg+xml",
    "fonts.css" => "text/css; charset=utf-8",
    "fonts/plex-arabic-400.woff2" => "font/woff2",
    "fonts/plex-arabic-700.woff2" => "font/woff2",
    "fonts/plex-latin-400.woff2" => "font/woff2",
    "fonts/plex-latin-700.woff2" => "font/woff2",
    "fonts/OFL.txt" => "text/plain; charset=utf-8",
);

/// Each asset's entity tag, from its bytes.
static ETAGS: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|asset| {
            format!(
                "\"{}\"",
                Sha256::digest(asset.bytes)
                    .iter()
                    .take(10)
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            )
        })
        .collect()
});

/// Each asset's forms: text coded with brotli and gzip once, when first asked for.
static BODIES: LazyLock<Vec<Bodies>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|asset| {
            let bytes = bytes::Bytes::from_static(asset.bytes);
            if codings::compressible(asset.content_type) {
                Bodies::coded(bytes)
            } else {
                Bodies::plain(bytes)
            }
        })
        .collect()
});

pub fn configure(config: &mut web::ServiceConfig) {
    config
        .route("/desk", web::get().to(to_index))
        .route("/desk/{name:.*}", web::get().to(asset));
}

async fn to_index() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/desk/"))
        .finish()
}

async fn asset(state: State, request: HttpRequest, name: web::Path<String>) -> HttpResponse {
    let name = match name.as_str() {
        "" => "index.html",
        other => other,
    };
    let Some(index) = ASSETS.iter().position(|a| a.name == name) else {
        return HttpResponse::NotFound()
            .content_type("application/problem+json")
            .body(r#"{"type":"about:blank","title":"Not Found","status":404,"detail":"the desk has no such file"}"#);
    };
    let asset = &ASSETS[index];
    let wanted = codings::negotiate(
        request
            .headers()
            .get_all(header::ACCEPT_ENCODING)
            .filter_map(|v| v.to_str().ok()),
    );
    let (coding, bytes) = BODIES[index].for_coding(wanted);
    let etag = super::conditional::coded_etag(&ETAGS[index], coding);
    let fresh = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',').any(|t| {
                let t = super::middleware::encoding::base_tag(t);
                t == ETAGS[index].as_str() || t == "*"
            })
        });
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    if let (Some(encoding), false) = (coding.header(), fresh) {
        response.insert_header((header::CONTENT_ENCODING, encoding));
    }
    response
        .insert_header((header::CONTENT_TYPE, asset.content_type))
        .insert_header((header::ETAG, etag.as_str()))
        .insert_header((header::VARY, "Accept-Encoding"))
        // Revalidated on every load, so a new binary's desk is picked up at once.
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, policy(&state.reads.public_url)))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::REFERRER_POLICY, "same-origin"));
    // Coded here, once: the content-coding middleware leaves the answer as it is.
    response.extensions_mut().insert(super::conditional::Negotiated);
    if fresh {
        response.finish()
    } else {
        response.body(bytes.clone())
    }
}

/// No inline script or style, nothing from elsewhere but the API's own images (which may live
/// at `KHABAR_PUBLIC_URL` when the desk is opened by another address), never framed.
fn policy(public_url: &url::Url) -> String {
    let images = public_url.origin().ascii_serialization();
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' {images} blob:; \
         connect-src 'self'; font-src 'self'; manifest-src 'self'; form-action 'none'; \
         base-uri 'none'; frame-ancestors 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::ASSETS;

    #[test]
    fn every_file_of_the_desk_is_served_and_nothing_else() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/desk");
        // Files, and the files of folders (fonts/), by their path under desk/.
        let mut on_disk: Vec<String> = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            if entry.file_type().unwrap().is_dir() {
                for inner in std::fs::read_dir(entry.path()).unwrap() {
                    on_disk.push(format!(
                        "{name}/{}",
                        inner.unwrap().file_name().into_string().unwrap()
                    ));
                }
            } else {
                on_disk.push(name);
            }
        }
        on_disk.sort();
        let mut served: Vec<String> = ASSETS.iter().map(|a| a.name.to_owned()).collect();
        served.sort();
        assert_eq!(
            served, on_disk,
            "desk/ and ASSETS in routes/desk.rs must list the same files"
        );
    }

    #[test]
    fn the_policy_allows_the_public_origin_for_images_only() {
        let policy = super::policy(&url::Url::parse("https://news.example/").unwrap());
        assert!(
            policy.contains("img-src 'self' https://news.example blob:"),
            "{policy}"
        );
        assert!(policy.contains("script-src 'self';"), "{policy}");
        assert!(policy.contains("connect-src 'self';"), "{policy}");
    }
}
