use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::domain::kinds::TopicKind;

use crate::db::schema::{article_topics, topics};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = topics)]
pub struct Topic {
    pub id: i64,
    pub slug: String,
    #[diesel(deserialize_as = String)]
    pub kind: TopicKind,
    pub name: String,
    /// JSON object of BCP 47 language tag to name.
    pub localized_names: String,
    pub description: Option<String>,
    pub parent_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = article_topics)]
pub struct ArticleTopic {
    pub article_id: i64,
    pub topic_id: i64,
    pub is_primary: bool,
    pub position: i32,
}
