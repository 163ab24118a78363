//! Related articles when editors curated none: shared topics (the primary topic counts most),
//! a shared contributor, the same language first, and recency among equals.

use chrono::NaiveDateTime;

/// What is known about the article being read.
#[derive(Debug, Clone)]
pub struct Subject {
    pub article_id: i64,
    pub language: String,
    pub primary_topic: Option<i64>,
    pub topics: Vec<i64>,
    pub contributors: Vec<i64>,
}

/// Another public article sharing at least one topic with the subject.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub article_id: i64,
    pub language: String,
    pub published_at: NaiveDateTime,
    pub topics: Vec<i64>,
    pub contributors: Vec<i64>,
}

const PRIMARY_TOPIC_WEIGHT: u32 = 3;
const TOPIC_WEIGHT: u32 = 1;
const CONTRIBUTOR_WEIGHT: u32 = 1;

/// The candidate's score, or `None` when it shares no topic.
fn score(subject: &Subject, candidate: &Candidate) -> Option<u32> {
    let topics: u32 = candidate
        .topics
        .iter()
        .filter(|t| subject.topics.contains(t))
        .map(|t| {
            if Some(*t) == subject.primary_topic {
                PRIMARY_TOPIC_WEIGHT
            } else {
                TOPIC_WEIGHT
            }
        })
        .sum();
    let contributor = if candidate
        .contributors
        .iter()
        .any(|c| subject.contributors.contains(c))
    {
        CONTRIBUTOR_WEIGHT
    } else {
        0
    };
    (topics > 0).then_some(topics + contributor)
}

/// The `limit` best candidates: same language first, then score, then newest. Never the
/// subject itself, never an article without a shared topic.
pub fn rank(subject: &Subject, candidates: Vec<Candidate>, limit: usize) -> Vec<i64> {
    let mut scored: Vec<(bool, u32, NaiveDateTime, i64)> = candidates
        .into_iter()
        .filter(|c| c.article_id != subject.article_id)
        .filter_map(|c| {
            Some((
                c.language == subject.language,
                score(subject, &c)?,
                c.published_at,
                c.article_id,
            ))
        })
        .collect();
    scored.sort_by(|a, b| b.cmp(a));
    scored.dedup_by_key(|entry| entry.3);
    scored.into_iter().take(limit).map(|(.., id)| id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2020, 7, day)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
    }

    fn candidate(id: i64, language: &str, day: u32, topics: &[i64], contributors: &[i64]) -> Candidate {
        Candidate {
            article_id: id,
            language: language.into(),
            published_at: at(day),
            topics: topics.to_vec(),
            contributors: contributors.to_vec(),
        }
    }

    #[test]
    fn primary_topic_language_and_recency_order_the_list() {
        let subject = Subject {
            article_id: 1,
            language: "ar".into(),
            primary_topic: Some(10),
            topics: vec![10, 20, 30],
            contributors: vec![7],
        };
        let ranked = rank(
            &subject,
            vec![
                candidate(1, "ar", 9, &[10], &[7]),         // itself
                candidate(2, "ar", 1, &[20], &[]),          // one secondary topic
                candidate(3, "ar", 2, &[10], &[]),          // the primary topic
                candidate(4, "en", 9, &[10, 20, 30], &[7]), // best match, other language
                candidate(5, "ar", 3, &[20], &[]),          // as 2, newer
                candidate(6, "ar", 8, &[99], &[7]),         // contributor only: no shared topic
                candidate(7, "ar", 4, &[20], &[7]),         // topic and contributor
            ],
            10,
        );
        assert_eq!(ranked, vec![3, 7, 5, 2, 4]);
        assert_eq!(rank(&subject, Vec::new(), 5), Vec::<i64>::new());
    }
}
