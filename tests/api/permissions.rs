//! The permission matrix, cell by cell: every protected operation without a token (401), and
//! with a token of each role (403 for the roles that lack the right, anything else for those
//! that hold it). The README's matrix is the same table.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{send, Backend, TestApp};
use crate::on_both_backends;

const ROLES: [&str; 4] = ["admin", "editor", "writer", "partner"];

struct Operation {
    method: Method,
    path: String,
    body: Option<Value>,
    /// Roles holding the right.
    allowed: &'static [&'static str],
}

fn op(
    method: Method,
    path: impl Into<String>,
    body: Option<Value>,
    allowed: &'static [&'static str],
) -> Operation {
    Operation {
        method,
        path: path.into(),
        body,
        allowed,
    }
}

async fn every_cell_of_the_permission_matrix(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut tokens = std::collections::HashMap::new();
    for role in ROLES {
        tokens.insert(role, app.token(role).await);
    }
    // An article owned by an editor: writers may not touch it.
    let (status, _, article) = send(app.authed(Method::POST, "/v1/articles", &tokens["editor"]).json(
        &json!({"language": "ar", "headline": "مقال المحرر", "body": [{"type": "paragraph", "html": "نص"}]}),
    ))
    .await;
    assert_eq!(status, 201);
    let id = article["id"].as_str().unwrap().to_owned();
    let unique = || uuid::Uuid::new_v4().simple().to_string();
    let article_body = || json!({"language": "ar", "headline": format!("مقال {}", unique())});
    let media = json!({"kind": "image", "url": "https://media.example.com/a.jpg", "mime_type": "image/jpeg", "credit": "AFP"});
    const ANY: &[&str] = &["admin", "editor", "writer", "partner"];
    const WRITERS: &[&str] = &["admin", "editor", "writer"];
    const EDITORS: &[&str] = &["admin", "editor"];
    const ADMINS: &[&str] = &["admin"];
    let operations = vec![
        op(Method::GET, "/v1/auth/me", None, ANY),
        op(Method::POST, "/v1/articles", Some(article_body()), WRITERS),
        op(Method::GET, format!("/v1/articles/{id}/editorial"), None, EDITORS),
        op(
            Method::PATCH,
            format!("/v1/articles/{id}"),
            Some(json!({"lead": "x"})),
            EDITORS,
        ),
        op(Method::DELETE, format!("/v1/articles/{id}"), None, EDITORS),
        op(
            Method::POST,
            format!("/v1/articles/{id}/transitions"),
            Some(json!({"to": "published"})),
            EDITORS,
        ),
        op(
            Method::POST,
            format!("/v1/articles/{id}/corrections"),
            Some(json!({"note": "x"})),
            EDITORS,
        ),
        op(Method::GET, format!("/v1/articles/{id}/revisions"), None, EDITORS),
        op(
            Method::GET,
            format!("/v1/articles/{id}/revisions/1"),
            None,
            EDITORS,
        ),
        op(
            Method::GET,
            format!("/v1/articles/{id}/diff?from=1&to=1"),
            None,
            EDITORS,
        ),
        op(
            Method::POST,
            format!("/v1/articles/{id}/revisions/1/restore"),
            None,
            EDITORS,
        ),
        op(Method::GET, format!("/v1/articles/{id}/preview"), None, EDITORS),
        op(
            Method::POST,
            format!("/v1/articles/{id}/preview-links"),
            Some(json!({})),
            EDITORS,
        ),
        op(Method::DELETE, "/v1/preview-links/no-such-link", None, WRITERS),
        op(
            Method::POST,
            "/v1/contributors",
            Some(json!({"kind": "person", "name": "Someone"})),
            EDITORS,
        ),
        op(
            Method::PATCH,
            "/v1/contributors/afp",
            Some(json!({"bio": "Agence France-Presse"})),
            EDITORS,
        ),
        op(
            Method::DELETE,
            "/v1/contributors/no-such-contributor",
            None,
            EDITORS,
        ),
        op(
            Method::POST,
            "/v1/topics",
            Some(json!({"kind": "tag", "name": "Something"})),
            EDITORS,
        ),
        op(
            Method::PATCH,
            "/v1/topics/libya",
            Some(json!({"description": "Libya"})),
            EDITORS,
        ),
        op(Method::DELETE, "/v1/topics/no-such-topic", None, EDITORS),
        op(Method::POST, "/v1/media", Some(media), WRITERS),
        op(Method::POST, "/v1/media/upload", Some(json!({})), WRITERS),
        op(
            Method::PATCH,
            "/v1/media/no-such-media",
            Some(json!({"caption": "x"})),
            WRITERS,
        ),
        op(Method::DELETE, "/v1/media/no-such-media", None, EDITORS),
        op(Method::GET, "/v1/users", None, ADMINS),
        op(
            Method::POST,
            "/v1/users",
            Some(json!({"email": "new@example.com", "role": "writer"})),
            ADMINS,
        ),
        op(Method::GET, "/v1/users/999999", None, ADMINS),
        op(
            Method::PATCH,
            "/v1/users/999999",
            Some(json!({"display_name": "x"})),
            ADMINS,
        ),
        op(Method::DELETE, "/v1/users/999999", None, ADMINS),
        op(Method::GET, "/v1/users/999999/api-keys", None, ADMINS),
        op(
            Method::POST,
            "/v1/users/999999/api-keys",
            Some(json!({"name": "feeds"})),
            ADMINS,
        ),
        op(Method::DELETE, "/v1/users/999999/api-keys/1", None, ADMINS),
        op(Method::GET, "/v1/webhooks", None, ADMINS),
        op(
            Method::POST,
            "/v1/webhooks",
            Some(json!({"url": "https://hooks.example.com/", "events": ["article.published"]})),
            ADMINS,
        ),
        op(
            Method::PATCH,
            "/v1/webhooks/999999",
            Some(json!({"url": "https://hooks.example.com/", "events": ["article.updated"]})),
            ADMINS,
        ),
        op(Method::DELETE, "/v1/webhooks/999999", None, ADMINS),
        op(Method::GET, "/v1/webhooks/999999/deliveries", None, ADMINS),
        op(Method::GET, "/v1/audit", None, ADMINS),
        op(Method::GET, "/v1/redirects", None, EDITORS),
        op(
            Method::POST,
            "/v1/redirects",
            Some(json!({"from": format!("/old/{}", unique()), "to": {"url": "https://www.example.com/"}})),
            EDITORS,
        ),
        op(Method::DELETE, "/v1/redirects/999999", None, EDITORS),
        op(Method::POST, "/v1/imports", Some(json!({})), ADMINS),
        op(Method::POST, "/v1/auth/logout", None, ANY),
    ];
    let mut cells = 0;
    for operation in &operations {
        let request = |token: Option<&str>| {
            let mut request = app
                .client
                .request(operation.method.clone(), app.url(&operation.path));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            // A stale version: holders of the right get 412 and change nothing.
            request = request.header("If-Match", "\"v999\"");
            match &operation.body {
                Some(body) => request.json(body),
                None => request,
            }
        };
        let (status, headers, _) = send(request(None)).await;
        assert_eq!(
            status, 401,
            "{} {} without a token",
            operation.method, operation.path
        );
        assert!(headers.contains_key("www-authenticate"));
        cells += 1;
        for role in ROLES {
            if operation.path == "/v1/auth/logout" && role != "partner" {
                continue; // signing out would end the token the other rows need
            }
            let (status, _, body) = send(request(Some(&tokens[role]))).await;
            if operation.allowed.contains(&role) {
                assert!(
                    status != 401 && status != 403,
                    "{role} may {} {}: got {status} {body}",
                    operation.method,
                    operation.path
                );
            } else {
                // A writer may not even see an editor's article: whatever it is told must be
                // what it is told about an article that does not exist.
                let hidden = role == "writer" && operation.path.starts_with(&format!("/v1/articles/{id}"));
                let expected = if hidden {
                    let elsewhere = operation.path.replace(&id, &uuid::Uuid::now_v7().to_string());
                    let mut probe = app
                        .client
                        .request(operation.method.clone(), app.url(&elsewhere))
                        .bearer_auth(&tokens[role])
                        .header("If-Match", "\"v999\"");
                    if let Some(body) = &operation.body {
                        probe = probe.json(body);
                    }
                    let (missing, _, missing_body) = send(probe).await;
                    assert!(missing == 403 || missing == 404, "{missing_body}");
                    assert_eq!(
                        body["type"], missing_body["type"],
                        "{} {}",
                        operation.method, operation.path
                    );
                    missing
                } else {
                    assert_eq!(body["type"], "urn:khabar:problem:forbidden");
                    403
                };
                assert_eq!(
                    status, expected,
                    "{role} may not {} {}: {body}",
                    operation.method, operation.path
                );
                if operation.body.is_some() {
                    // The right is checked before the body is read: a malformed body or one of
                    // the wrong type says nothing about the operation to who may not use it.
                    for (content_type, raw) in [("application/json", "{\"broken"), ("text/plain", "x")] {
                        let refused = |path: &str| {
                            app.client
                                .request(operation.method.clone(), app.url(path))
                                .bearer_auth(&tokens[role])
                                .header("If-Match", "\"v999\"")
                                .header("Content-Type", content_type)
                                .body(raw)
                        };
                        let (status, _, body) = send(refused(&operation.path)).await;
                        if hidden {
                            // Judged as for an article that does not exist.
                            let elsewhere = operation.path.replace(&id, &uuid::Uuid::now_v7().to_string());
                            let (missing, _, _) = send(refused(&elsewhere)).await;
                            assert_eq!(
                                status, missing,
                                "{role} sending {content_type} to {}: {body}",
                                operation.path
                            );
                        } else {
                            assert_eq!(
                                status, expected,
                                "{role} sending {content_type} to {} {}: {body}",
                                operation.method, operation.path
                            );
                        }
                    }
                }
            }
            cells += 1;
        }
    }
    assert_eq!(cells, 43 * 5 - 3, "every cell checked");
}

on_both_backends!(every_cell_of_the_permission_matrix);
