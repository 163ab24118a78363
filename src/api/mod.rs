//! Response shapes (serde + OpenAPI schemas), built from stored rows. Nothing here touches the
//! database or HTTP; handlers in `crate::routes` put the two together.

pub mod article;
pub mod catalog;
pub mod editorial;
pub mod health;
pub mod live;
pub mod seo;
pub mod summary;

use chrono::{DateTime, NaiveDateTime, Utc};

/// Stored timestamps are naive UTC; the API always states the offset.
pub fn utc(timestamp: NaiveDateTime) -> DateTime<Utc> {
    timestamp.and_utc()
}
