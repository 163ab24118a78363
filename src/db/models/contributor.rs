use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::domain::kinds::ContributorKind;

use crate::db::schema::contributors;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = contributors)]
pub struct Contributor {
    pub id: i64,
    pub slug: String,
    #[diesel(deserialize_as = String)]
    pub kind: ContributorKind,
    pub name: String,
    /// JSON object of BCP 47 language tag to name.
    pub localized_names: String,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub url: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
