use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::domain::kinds::UserRole;

use crate::db::schema::users;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    #[diesel(deserialize_as = String)]
    pub role: UserRole,
    pub display_name: Option<String>,
    pub contributor_id: Option<i64>,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub display_name: Option<&'a str>,
    pub contributor_id: Option<i64>,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
