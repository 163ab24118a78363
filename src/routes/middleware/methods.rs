//! Which methods each path has, read from the OpenAPI document (the routes' own annotations),
//! so that a request with the wrong method gets `405` with `Allow` (RFC 9110 §15.5.6) and a
//! bare `OPTIONS` gets the `Allow` list (§9.3.7), never a 404 that denies the path exists.

use actix_router::ResourceDef;

pub struct MethodTable {
    routes: Vec<(ResourceDef, Vec<&'static str>)>,
}

impl MethodTable {
    pub fn from_document(document: &utoipa::openapi::OpenApi) -> Self {
        let mut routes = Vec::new();
        for (path, item) in &document.paths.paths {
            let mut methods = Vec::new();
            let declared = [
                ("GET", item.get.is_some()),
                ("HEAD", item.get.is_some() || item.head.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
            ];
            for (method, present) in declared {
                if present {
                    methods.push(method);
                }
            }
            methods.push("OPTIONS");
            // `{name}` segments match one segment, as the routes do; the one route whose
            // last parameter may hold slashes is not in the document.
            routes.push((ResourceDef::new(path.as_str()), methods));
        }
        MethodTable { routes }
    }

    /// The methods `path` answers to, if any route has that path.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let mut allowed: Vec<String> = Vec::new();
        for (route, methods) in &self.routes {
            if route.is_match(path) {
                for method in methods {
                    if !allowed.iter().any(|m| m == method) {
                        allowed.push((*method).to_owned());
                    }
                }
            }
        }
        (!allowed.is_empty()).then_some(allowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_the_methods_of_every_matching_route() {
        let table = MethodTable::from_document(&crate::openapi::document());
        let article = table.allowed("/v1/articles/some-slug").unwrap();
        for method in ["GET", "HEAD", "PATCH", "DELETE", "OPTIONS"] {
            assert!(article.contains(&method.to_owned()), "{article:?}");
        }
        assert!(!article.contains(&"PUT".to_owned()));
        assert_eq!(table.allowed("/v1/auth/token").unwrap(), ["POST", "OPTIONS"]);
        assert!(table.allowed("/v1/nothing/here/at/all").is_none());
        assert!(table.allowed("/v1/articles/a/b/c/d").is_none());
    }
}
