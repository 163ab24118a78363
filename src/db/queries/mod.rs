//! Portable queries taking `&mut DbConnection`: the same code runs on both backends.

pub mod article_read;
pub mod catalog;
pub mod delivery;
pub mod delivery_lists;
pub mod generated;
pub mod related;
pub mod secrets;
pub mod seed;
pub mod sitemaps;
pub mod users;
