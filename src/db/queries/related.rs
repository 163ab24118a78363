//! Candidates for computed related articles: recent public articles sharing a topic.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{article_deliveries, article_topics, bylines, delivery_topics};
use crate::db::{DbConnection, DbError};
use crate::domain::related::{Candidate, Subject};

/// The article's direct topics (primary first), contributors and language.
pub fn subject(conn: &mut DbConnection, public_id: &str) -> Result<Option<Subject>, DbError> {
    let found: Option<(i64, String)> = article_deliveries::table
        .filter(article_deliveries::public_id.eq(public_id))
        .select((article_deliveries::article_id, article_deliveries::language))
        .first(conn)
        .optional()?;
    let Some((article_id, language)) = found else {
        return Ok(None);
    };
    let topics: Vec<(i64, bool)> = article_topics::table
        .filter(article_topics::article_id.eq(article_id))
        .order((article_topics::is_primary.desc(), article_topics::position.asc()))
        .select((article_topics::topic_id, article_topics::is_primary))
        .load(conn)?;
    let contributors = bylines::table
        .filter(bylines::article_id.eq(article_id))
        .select(bylines::contributor_id)
        .load(conn)?;
    Ok(Some(Subject {
        article_id,
        language,
        primary_topic: topics.iter().find(|(_, primary)| *primary).map(|(id, _)| *id),
        topics: topics.into_iter().map(|(id, _)| id).collect(),
        contributors,
    }))
}

/// The newest `per_topic` public articles of each of the subject's topics, with what scoring
/// needs to know about them. Bounded per topic, so a topic with a million articles costs what
/// a small one does.
pub fn candidates(
    conn: &mut DbConnection,
    subject: &Subject,
    per_topic: i64,
    now: NaiveDateTime,
) -> Result<Vec<Candidate>, DbError> {
    let mut ids: Vec<i64> = Vec::new();
    for topic in &subject.topics {
        ids.extend(
            delivery_topics::table
                .inner_join(article_deliveries::table)
                .filter(delivery_topics::topic_id.eq(topic))
                .filter(article_deliveries::visible_from.le(now))
                .order((
                    delivery_topics::published_at.desc(),
                    delivery_topics::article_id.desc(),
                ))
                .limit(per_topic)
                .select(delivery_topics::article_id)
                .load::<i64>(conn)?,
        );
    }
    ids.sort_unstable();
    ids.dedup();
    let rows: Vec<(i64, String, NaiveDateTime)> = article_deliveries::table
        .filter(article_deliveries::article_id.eq_any(&ids))
        .select((
            article_deliveries::article_id,
            article_deliveries::language,
            article_deliveries::published_at,
        ))
        .load(conn)?;
    let mut topics: HashMap<i64, Vec<i64>> = HashMap::new();
    for (article, topic) in article_topics::table
        .filter(article_topics::article_id.eq_any(&ids))
        .select((article_topics::article_id, article_topics::topic_id))
        .load::<(i64, i64)>(conn)?
    {
        topics.entry(article).or_default().push(topic);
    }
    let mut contributors: HashMap<i64, Vec<i64>> = HashMap::new();
    for (article, contributor) in bylines::table
        .filter(bylines::article_id.eq_any(&ids))
        .select((bylines::article_id, bylines::contributor_id))
        .load::<(i64, i64)>(conn)?
    {
        contributors.entry(article).or_default().push(contributor);
    }
    Ok(rows
        .into_iter()
        .map(|(article_id, language, published_at)| Candidate {
            article_id,
            language,
            published_at,
            topics: topics.remove(&article_id).unwrap_or_default(),
            contributors: contributors.remove(&article_id).unwrap_or_default(),
        })
        .collect())
}

/// Summaries of `ids`, in that order.
pub fn summaries(conn: &mut DbConnection, ids: &[i64]) -> Result<Vec<String>, DbError> {
    let mut rows: Vec<(i64, String)> = article_deliveries::table
        .filter(article_deliveries::article_id.eq_any(ids))
        .select((article_deliveries::article_id, article_deliveries::summary_json))
        .load(conn)?;
    rows.sort_by_key(|(id, _)| ids.iter().position(|x| x == id));
    Ok(rows.into_iter().map(|(_, json)| json).collect())
}
