//! Portable queries taking `&mut DbConnection`: the same code runs on both backends.

pub mod api_keys;
pub mod article_read;
pub mod audit;
pub mod bulk;
pub mod catalog;
pub mod catalog_write;
pub mod delivery;
pub mod delivery_lists;
pub mod editorial;
pub mod generated;
pub mod idempotency;
pub mod jobs;
pub mod previews;
pub mod redirects;
pub mod related;
pub mod secrets;
pub mod seed;
pub mod sessions;
pub mod sitemaps;
pub mod transfer_read;
pub mod transfer_write;
pub mod users;
pub mod webhooks;
