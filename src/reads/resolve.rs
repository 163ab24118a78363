//! Slugs to ids: as a filter parameter, an unknown slug is a bad parameter (400, named); as
//! the subject of the path (`/topics/{slug}/articles`), it is a missing resource (404).

use super::ReadError;
use crate::db::models::contributor::Contributor;
use crate::db::models::topic::Topic;
use crate::db::queries::catalog;
use crate::db::DbConnection;
use crate::domain::kinds::TopicKind;
use crate::domain::validation::FieldError;

/// A topic named by a filter parameter (`topic=`).
pub fn topic_filter(conn: &mut DbConnection, field: &str, slug: &str) -> Result<Topic, ReadError> {
    catalog::topic_by_slug(conn, slug)?
        .ok_or_else(|| FieldError::not_found(field, "topic has the slug", slug).into())
}

/// A section (a topic of kind `section`) named by a filter parameter.
pub fn section_filter(conn: &mut DbConnection, field: &str, slug: &str) -> Result<Topic, ReadError> {
    catalog::topic_by_slug(conn, slug)?
        .filter(|t| t.kind == TopicKind::Section)
        .ok_or_else(|| FieldError::not_found(field, "section has the slug", slug).into())
}

/// A contributor named by a filter parameter (`contributor=`).
pub fn contributor_filter(
    conn: &mut DbConnection,
    field: &str,
    slug: &str,
) -> Result<Contributor, ReadError> {
    catalog::contributor_by_slug(conn, slug)?
        .ok_or_else(|| FieldError::not_found(field, "contributor has the slug", slug).into())
}

/// The topic a path names.
pub fn topic(conn: &mut DbConnection, slug: &str) -> Result<Topic, ReadError> {
    catalog::topic_by_slug(conn, slug)?
        .ok_or_else(|| ReadError::NotFound(format!("no topic has the slug '{slug}'")))
}

/// The contributor a path names.
pub fn contributor(conn: &mut DbConnection, slug: &str) -> Result<Contributor, ReadError> {
    catalog::contributor_by_slug(conn, slug)?
        .ok_or_else(|| ReadError::NotFound(format!("no contributor has the slug '{slug}'")))
}
