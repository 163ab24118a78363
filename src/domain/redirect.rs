//! Where a redirect leads, as the API, the exports and the importers name it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a redirect leads: exactly one of the four.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedirectTo {
    /// An article's public id: the redirect follows its later renames.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
    /// A topic's slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// A contributor's slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contributor: Option<String>,
    /// An http(s) URL, or another path of the site (`/ar/…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}
