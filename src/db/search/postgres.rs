//! tsvector with the `simple` configuration on PostgreSQL.

use chrono::NaiveDateTime;
use diesel::pg::Pg;
use diesel::sql_types::{BigInt, Text, Timestamp};
use diesel::{PgConnection, RunQueryDsl};

use super::{around_match, bind_all, Bind, HeadlineHit, Hit, Plan, SearchDocument};
use crate::db::DbError;
use crate::domain::search::Word;

pub fn index(conn: &mut PgConnection, article_id: i64, document: &SearchDocument) -> Result<(), DbError> {
    let phrases = format!("{} {}", document.headline.primaries, document.body.primaries);
    diesel::sql_query(
        "INSERT INTO article_search (article_id, forms, phrases) VALUES ($1, \
         setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'B') \
         || setweight(to_tsvector('simple', $5), 'D'), to_tsvector('simple', $4))",
    )
    .bind::<BigInt, _>(article_id)
    .bind::<Text, _>(&document.headline.forms)
    .bind::<Text, _>(&document.body.forms)
    .bind::<Text, _>(phrases)
    .bind::<Text, _>(&document.facets)
    .execute(conn)?;
    Ok(())
}

/// Many documents in one statement (arrays unnested), for an import's new articles.
pub fn index_many(conn: &mut PgConnection, documents: &[(i64, &SearchDocument)]) -> Result<(), DbError> {
    use diesel::sql_types::Array;
    // Bound as five arrays, so a chunk is one statement whatever its size.
    for chunk in documents.chunks(500) {
        let ids: Vec<i64> = chunk.iter().map(|(id, _)| *id).collect();
        let headlines: Vec<&str> = chunk.iter().map(|(_, d)| d.headline.forms.as_str()).collect();
        let bodies: Vec<&str> = chunk.iter().map(|(_, d)| d.body.forms.as_str()).collect();
        let phrases: Vec<String> = chunk
            .iter()
            .map(|(_, d)| format!("{} {}", d.headline.primaries, d.body.primaries))
            .collect();
        let facets: Vec<&str> = chunk.iter().map(|(_, d)| d.facets.as_str()).collect();
        diesel::sql_query(
            "INSERT INTO article_search (article_id, forms, phrases) \
             SELECT id, setweight(to_tsvector('simple', headline), 'A') \
             || setweight(to_tsvector('simple', body), 'B') || setweight(to_tsvector('simple', facets), 'D'), \
             to_tsvector('simple', phrases) \
             FROM unnest($1, $2, $3, $4, $5) AS t(id, headline, body, phrases, facets)",
        )
        .bind::<Array<BigInt>, _>(ids)
        .bind::<Array<Text>, _>(headlines)
        .bind::<Array<Text>, _>(bodies)
        .bind::<Array<Text>, _>(phrases)
        .bind::<Array<Text>, _>(facets)
        .execute(conn)?;
    }
    Ok(())
}

pub fn remove(conn: &mut PgConnection, article_id: i64) -> Result<(), DbError> {
    diesel::sql_query("DELETE FROM article_search WHERE article_id = $1")
        .bind::<BigInt, _>(article_id)
        .execute(conn)?;
    Ok(())
}

/// `('a' | 'b')` for a word's forms. Forms are letters and digits only, so quoting is enough.
fn forms(word: &Word) -> String {
    let alternatives: Vec<String> = word.forms().map(|f| format!("'{f}'")).collect();
    format!("({})", alternatives.join(" | "))
}

pub(super) fn search(conn: &mut PgConnection, plan: &Plan<'_>) -> Result<Vec<Hit>, DbError> {
    let mut required: Vec<String> = plan.words().map(forms).collect();
    // A query of phrases only still needs a forms condition for ranking: every phrase word.
    if required.is_empty() {
        required.extend(plan.phrases().flatten().map(|p| format!("'{p}'")));
    }
    required.extend(plan.facets().into_iter().map(|token| format!("'{token}'")));
    required.extend(plan.query.excluded.iter().map(|w| format!("!{}", forms(w))));
    let phrases: Vec<String> = plan
        .phrases()
        .map(|phrase| {
            format!(
                "({})",
                phrase
                    .iter()
                    .map(|p| format!("'{p}'"))
                    .collect::<Vec<_>>()
                    .join(" <-> ")
            )
        })
        .collect();
    let mut binds = vec![Bind::Text(required.join(" & "))];
    let mut conditions = vec!["a.forms @@ to_tsquery('simple', $1)".to_owned()];
    if !phrases.is_empty() {
        binds.push(Bind::Text(phrases.join(" & ")));
        conditions.push(format!("a.phrases @@ to_tsquery('simple', ${})", binds.len()));
    }
    binds.push(Bind::Int(super::CANDIDATES));
    let candidates = binds.len();
    // The newest CANDIDATES matches, each scored: ts_rank is higher for better matches, negated
    // so that lower is better, as with bm25; normalization 2 divides by the document's length,
    // as bm25 favours short documents.
    let mut sql = format!(
        "SELECT d.article_id AS article_id, d.published_at AS published_at, s.score AS score, \
         d.summary_json AS summary_json, d.updated_at AS updated_at \
         FROM (SELECT c.article_id, -ts_rank(c.forms, to_tsquery('simple', $1), 2)::float8 AS score \
               FROM (SELECT a.article_id, a.forms FROM article_search a WHERE {} \
                     ORDER BY a.article_id DESC LIMIT ${candidates}) c) s \
         JOIN article_deliveries d ON d.article_id = s.article_id WHERE 1 = 1",
        conditions.join(" AND ")
    );
    sql.push_str(&around_match(plan, &mut binds, &|n| format!("${n}")));
    let query = bind_all!(diesel::sql_query(sql).into_boxed::<Pg>(), binds);
    Ok(query.load(conn)?)
}

pub fn suggest(
    conn: &mut PgConnection,
    prefix: &str,
    language: Option<&str>,
    limit: i64,
    now: NaiveDateTime,
) -> Result<Vec<HeadlineHit>, DbError> {
    let mut sql = String::from(
        "SELECT d.article_id AS article_id, d.summary_json AS summary_json \
         FROM article_search s JOIN article_deliveries d ON d.article_id = s.article_id \
         WHERE s.forms @@ to_tsquery('simple', $1) AND d.visible_from <= $2",
    );
    let limit_placeholder = if language.is_some() {
        sql.push_str(" AND (d.language = $3 OR d.language LIKE $4)");
        "$5"
    } else {
        "$3"
    };
    sql.push_str(&format!(
        " ORDER BY d.published_at DESC, d.article_id DESC LIMIT {limit_placeholder}"
    ));
    let mut query = diesel::sql_query(sql)
        .into_boxed::<Pg>()
        .bind::<Text, _>(format!("'{prefix}':*A"))
        .bind::<Timestamp, _>(now);
    if let Some(language) = language {
        query = query
            .bind::<Text, _>(language.to_owned())
            .bind::<Text, _>(crate::domain::language::subtag_pattern(language));
    }
    Ok(query.bind::<BigInt, _>(limit).load(conn)?)
}
