//! Purging an edge cache by surrogate key, after a write committed: Varnish with the xkey
//! module (`deploy/varnish/khabar.vcl`), Fastly, and Cloudflare. The worker sends what the
//! outbox (`edge_purge` jobs, written in the write's transaction) asks for, and retries.

use std::fmt;

/// Where purges go. Configured by `KHABAR_PURGE_URL`, a comma list of:
/// `varnish+http://host:port` (several Varnish servers, one entry each), `fastly:SERVICE_ID`,
/// `cloudflare:ZONE_ID`; Fastly and Cloudflare take `KHABAR_PURGE_TOKEN`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PurgeTarget {
    Varnish(url::Url),
    Fastly { service: String },
    Cloudflare { zone: String },
}

impl PurgeTarget {
    pub fn parse(raw: &str) -> Result<PurgeTarget, String> {
        let raw = raw.trim();
        if let Some(rest) = raw.strip_prefix("varnish+") {
            let url = url::Url::parse(rest).map_err(|e| format!("'{raw}': {e}"))?;
            if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                return Err(format!("'{raw}' must be varnish+http://host:port"));
            }
            return Ok(PurgeTarget::Varnish(url));
        }
        let id = |name: &str| {
            let id = raw[name.len() + 1..].trim();
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
                Err(format!("'{raw}': the {name} id must be letters and digits"))
            } else {
                Ok(id.to_owned())
            }
        };
        if raw.starts_with("fastly:") {
            return Ok(PurgeTarget::Fastly {
                service: id("fastly")?,
            });
        }
        if raw.starts_with("cloudflare:") {
            return Ok(PurgeTarget::Cloudflare {
                zone: id("cloudflare")?,
            });
        }
        Err(format!(
            "'{raw}' is not varnish+http://host:port, fastly:SERVICE_ID or cloudflare:ZONE_ID"
        ))
    }
}

/// One purge as an HTTP request, built apart from sending so that its form can be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgeRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
}

/// Cloudflare takes at most 30 tags a call; Fastly 256 keys.
const CLOUDFLARE_TAGS: usize = 30;
const FASTLY_KEYS: usize = 256;

/// The requests that purge `keys` at `target`.
pub fn requests(target: &PurgeTarget, token: Option<&str>, keys: &[String]) -> Vec<PurgeRequest> {
    let bearer = token.unwrap_or_default();
    match target {
        // xkey purges every object carrying any of the space-separated keys.
        PurgeTarget::Varnish(url) => vec![PurgeRequest {
            method: "PURGE",
            url: url.to_string(),
            headers: vec![("xkey-purge", keys.join(" "))],
            body: None,
        }],
        PurgeTarget::Fastly { service } => keys
            .chunks(FASTLY_KEYS)
            .map(|chunk| PurgeRequest {
                method: "POST",
                url: format!("https://api.fastly.com/service/{service}/purge"),
                headers: vec![
                    ("Fastly-Key", bearer.to_owned()),
                    ("Surrogate-Key", chunk.join(" ")),
                ],
                body: None,
            })
            .collect(),
        PurgeTarget::Cloudflare { zone } => keys
            .chunks(CLOUDFLARE_TAGS)
            .map(|chunk| PurgeRequest {
                method: "POST",
                url: format!("https://api.cloudflare.com/client/v4/zones/{zone}/purge_cache"),
                headers: vec![
                    ("Authorization", format!("Bearer {bearer}")),
                    ("Content-Type", "application/json".to_owned()),
                ],
                body: Some(serde_json::json!({ "tags": chunk }).to_string()),
            })
            .collect(),
    }
}

/// The configured edge, and the client that purges it.
#[derive(Clone)]
pub struct EdgePurger {
    targets: Vec<PurgeTarget>,
    token: Option<String>,
    http: reqwest::Client,
}

impl fmt::Debug for EdgePurger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EdgePurger")
            .field("targets", &self.targets)
            .finish_non_exhaustive()
    }
}

impl EdgePurger {
    /// The targets of `KHABAR_PURGE_URL` (configuration has checked that API targets have a
    /// token).
    pub fn new(targets: Vec<PurgeTarget>, token: Option<String>, timeout: std::time::Duration) -> EdgePurger {
        let http = crate::outbound::client_builder(timeout)
            .build()
            .expect("an HTTP client with default TLS roots");
        EdgePurger { targets, token, http }
    }

    pub fn is_configured(&self) -> bool {
        !self.targets.is_empty()
    }

    /// Purges `keys` everywhere; the first refusal or failure is the error (the job retries
    /// the whole purge, which is idempotent).
    /// `request_id` is the request whose change this purges, sent as `X-Request-Id`.
    pub async fn purge(&self, keys: &[String], request_id: Option<&str>) -> Result<(), String> {
        for target in &self.targets {
            for request in requests(target, self.token.as_deref(), keys) {
                let method =
                    reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|e| e.to_string())?;
                let mut builder = self.http.request(method, &request.url);
                for (name, value) in &request.headers {
                    builder = builder.header(*name, value);
                }
                if let Some(id) = request_id {
                    builder = builder.header("X-Request-Id", id);
                }
                if let Some(body) = request.body {
                    builder = builder.body(body);
                }
                match builder.send().await {
                    Ok(response) if response.status().is_success() => {}
                    Ok(response) => return Err(format!("{} answered {}", request.url, response.status())),
                    Err(error) => return Err(format!("{}: {error}", request.url)),
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("article-{i}")).collect()
    }

    #[test]
    fn targets_are_read_from_their_spelling() {
        assert_eq!(
            PurgeTarget::parse("varnish+http://127.0.0.1:6081").unwrap(),
            PurgeTarget::Varnish(url::Url::parse("http://127.0.0.1:6081").unwrap())
        );
        assert_eq!(
            PurgeTarget::parse("fastly:SU1Z0isxPaozGVKXdv0eY").unwrap(),
            PurgeTarget::Fastly {
                service: "SU1Z0isxPaozGVKXdv0eY".into()
            }
        );
        assert_eq!(
            PurgeTarget::parse(" cloudflare:023e105f4ecef8ad9ca31a8372d0c353 ").unwrap(),
            PurgeTarget::Cloudflare {
                zone: "023e105f4ecef8ad9ca31a8372d0c353".into()
            }
        );
        for bad in [
            "",
            "varnish+ftp://x",
            "varnish+nothing",
            "fastly:",
            "fastly:a/b",
            "cloudflare:../x",
            "akamai:1",
        ] {
            assert!(PurgeTarget::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn varnish_gets_one_xkey_purge_with_every_key() {
        let target = PurgeTarget::parse("varnish+http://127.0.0.1:6081/").unwrap();
        let requests = requests(&target, None, &keys(3));
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0].method, "PURGE");
        assert_eq!(requests[0].url, "http://127.0.0.1:6081/");
        assert_eq!(
            requests[0].headers,
            vec![("xkey-purge", "article-0 article-1 article-2".into())]
        );
    }

    #[test]
    fn fastly_and_cloudflare_follow_their_apis_and_limits() {
        let fastly = requests(
            &PurgeTarget::Fastly {
                service: "svc".into(),
            },
            Some("t0ken"),
            &keys(300),
        );
        assert_eq!(fastly.len(), 2, "256 keys a call");
        assert_eq!(fastly[0].url, "https://api.fastly.com/service/svc/purge");
        assert!(fastly[0].headers.contains(&("Fastly-Key", "t0ken".into())));
        let surrogate = &fastly[1]
            .headers
            .iter()
            .find(|(n, _)| *n == "Surrogate-Key")
            .unwrap()
            .1;
        assert_eq!(surrogate.split(' ').count(), 44);

        let cloudflare = requests(
            &PurgeTarget::Cloudflare { zone: "z1".into() },
            Some("t0ken"),
            &keys(31),
        );
        assert_eq!(cloudflare.len(), 2, "30 tags a call");
        assert_eq!(
            cloudflare[0].url,
            "https://api.cloudflare.com/client/v4/zones/z1/purge_cache"
        );
        assert!(cloudflare[0]
            .headers
            .contains(&("Authorization", "Bearer t0ken".into())));
        let body: serde_json::Value = serde_json::from_str(cloudflare[1].body.as_deref().unwrap()).unwrap();
        assert_eq!(body, serde_json::json!({"tags": ["article-30"]}));
    }
}
