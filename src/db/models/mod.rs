//! Rows as stored. Converted to API shapes in `crate::api`; never serialized directly.

pub mod article;
pub mod contributor;
pub mod media;
pub mod topic;
pub mod user;
