//! Newsroom rules in plain Rust: no actix, no diesel. Handlers and the data layer call into these.

pub mod blocks;
pub mod byline;
pub mod catalog;
pub mod changes;
pub mod client_address;
pub mod content_set;
pub mod cursor;
pub mod editorial;
pub mod framing;
pub mod kinds;
pub mod language;
pub mod live;
pub mod match_key;
pub mod outbound;
pub mod password;
pub mod permissions;
pub mod redirect;
pub mod related;
pub mod search;
pub mod signing;
pub mod site_path;
pub mod slug;
pub mod text;
pub mod validation;
pub mod workflow;
