//! The HTTP client that sends webhook deliveries: it connects to public addresses only (see
//! [`crate::domain::outbound`]), whatever the URL's name resolves to at the moment of sending,
//! so that a name re-pointed at an internal address after it was subscribed gets nowhere.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::domain::outbound::{is_public, refused_host};

/// Resolves names with the system resolver and keeps only public addresses.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Makes ring the process's TLS provider, before any HTTP client is built: reqwest is compiled
/// without a provider of its own (see Cargo.toml), and panics if it finds none. Idempotent.
pub fn install_tls() {
    // Err means a provider is installed already, which is all that is asked.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// What every outbound request shares: a timeout, Khabar's user agent, and no redirects (a
/// redirect could lead anywhere, internal addresses included: receivers answer themselves).
pub fn client_builder(timeout: Duration) -> reqwest::ClientBuilder {
    install_tls();
    reqwest::Client::builder()
        .timeout(timeout)
        .user_agent(concat!("Khabar/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
}

/// Sends webhook deliveries; with `allow_private`, to any address (for receivers on the same
/// network, and tests).
#[derive(Clone)]
pub struct WebhookClient {
    http: reqwest::Client,
    allow_private: bool,
}

impl WebhookClient {
    pub fn new(timeout: Duration, allow_private: bool) -> Self {
        let mut builder = client_builder(timeout);
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly)).no_proxy();
        }
        WebhookClient {
            http: builder.build().expect("an HTTP client with default TLS roots"),
            allow_private,
        }
    }

    /// A POST to `url`, or why it may not be sent.
    pub fn post(&self, url: &str) -> Result<reqwest::RequestBuilder, String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("the URL is invalid: {e}"))?;
        if !self.allow_private {
            if let Some(reason) = refused_host(&parsed) {
                return Err(format!("refused: {reason}"));
            }
        }
        Ok(self.http.post(parsed))
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use reqwest::dns::Resolve;

    use super::*;

    #[tokio::test]
    async fn names_of_internal_hosts_resolve_to_nothing() {
        // `localhost` is in every hosts file: the system finds 127.0.0.1 (or ::1), the filter
        // drops it, and the connection is never attempted.
        let name = reqwest::dns::Name::from_str("localhost").unwrap();
        let error = match PublicOnly.resolve(name).await {
            Ok(addresses) => panic!("resolved to {:?}", addresses.collect::<Vec<_>>()),
            Err(error) => error,
        };
        assert_eq!(error.to_string(), "localhost resolves to no public address");
    }

    #[test]
    fn literal_internal_addresses_are_refused_before_sending() {
        let client = WebhookClient::new(Duration::from_secs(1), false);
        let refused = client.post("http://127.0.0.1:8080/hook").unwrap_err();
        assert_eq!(refused, "refused: 127.0.0.1 is not a public address");
        assert!(client.post("https://hooks.example.com/").is_ok());
        let open = WebhookClient::new(Duration::from_secs(1), true);
        assert!(open.post("http://127.0.0.1:8080/hook").is_ok());
    }
}
