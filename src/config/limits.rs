//! The limits a node puts on its clients, as configured: request budgets, connections and
//! deadlines, change streams. Plain settings; the layers that enforce them import them.

use std::time::Duration;

use crate::domain::client_address::TrustedProxies;

/// Requests a minute: 0 turns a limit off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitSettings {
    pub per_address: u32,
    pub per_partner: u32,
    pub trusted_proxies: TrustedProxies,
    /// `redis://…` when budgets (and sign-in throttling) are shared by every node.
    pub store: Option<String>,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        RateLimitSettings {
            per_address: 1200,
            per_partner: 12_000,
            trusted_proxies: TrustedProxies::default(),
            store: None,
        }
    }
}

/// The limits, from the settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientLimits {
    /// Connections open at once from one client address (IPv6: one /64); 0 is no cap.
    pub connections_per_address: u32,
    /// Connections open at once in all.
    pub max_connections: u32,
    /// From the end of the headers to the last byte of the body.
    pub body_timeout: Duration,
    /// From the end of the headers to the answer.
    pub request_timeout: Duration,
    /// For the request line and headers (actix-http's `client_request_timeout`).
    pub header_timeout: Duration,
}

impl Default for ClientLimits {
    fn default() -> Self {
        ClientLimits {
            connections_per_address: 256,
            max_connections: 10_000,
            body_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(60),
            header_timeout: Duration::from_secs(5),
        }
    }
}

/// How many streams a node holds, and how it paces them.
#[derive(Debug, Clone)]
pub struct StreamSettings {
    /// Streams open at once on this node (`KHABAR_MAX_STREAMS`).
    pub max_streams: usize,
    /// Streams open at once from one client address (`KHABAR_MAX_STREAMS_PER_ADDRESS`).
    pub per_address: usize,
    /// A comment is sent after this long without an event.
    pub keep_alive: Duration,
    /// What `retry:` tells clients to wait before reconnecting (`KHABAR_STREAM_RETRY_MS`).
    pub retry: Duration,
    /// How often a live blog's readers are told to poll (`KHABAR_LIVE_POLL_SECONDS`).
    pub live_poll: Duration,
}

impl Default for StreamSettings {
    fn default() -> Self {
        StreamSettings {
            max_streams: 10_000,
            per_address: 32,
            keep_alive: Duration::from_secs(15),
            retry: Duration::from_secs(3),
            live_poll: Duration::from_secs(10),
        }
    }
}
