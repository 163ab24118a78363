//! The row ids of everything an edit names, each missing one a field error.

use super::*;

/// Row ids for everything an input names.
#[derive(Debug, Default)]
pub struct Resolved {
    pub contributors: Vec<i64>,
    pub topics: Vec<i64>,
    /// Public id → (row id, credit).
    pub media: HashMap<String, (i64, Option<String>)>,
    pub related: Vec<i64>,
    /// The group of `translation_of`, when given.
    pub translation_group: Option<i64>,
}

impl Resolved {
    /// Media the article shows that have no credit, as field errors at each place that shows
    /// one (publishing refuses them).
    pub fn uncredited(&self, input: &ArticleInput) -> Vec<FieldError> {
        let places = input
            .featured_media
            .iter()
            .map(|m| ("/featured_media/media_id".to_owned(), m.media_id.as_str()))
            .chain(input.body.iter().enumerate().filter_map(|(index, block)| {
                block.media_id().map(|id| (format!("/body/{index}/media_id"), id))
            }));
        places
            .filter(|(_, id)| {
                self.media
                    .get(*id)
                    .is_none_or(|(_, credit)| credit.as_deref().is_none_or(|c| c.trim().is_empty()))
            })
            .map(|(field, id)| {
                FieldError::coded(
                    field,
                    FieldCode::Uncredited,
                    format!("media asset {id} has no credit; add one before publishing"),
                )
                .with_value(id)
            })
            .collect()
    }
}

/// Looks up every reference; each missing one becomes a field error naming it.
pub fn resolve(
    conn: &mut DbConnection,
    input: &ArticleInput,
    article_id: Option<i64>,
) -> Result<Result<Resolved, Vec<FieldError>>, DbError> {
    let mut checks = Checks::default();
    let mut resolved = Resolved::default();
    bylines_of(conn, input, &mut resolved, &mut checks)?;
    topics_of(conn, input, &mut resolved, &mut checks)?;
    media_of(conn, input, &mut resolved, &mut checks)?;
    related_of(conn, input, article_id, &mut resolved, &mut checks)?;
    group_of(conn, input, article_id, &mut resolved, &mut checks)?;
    Ok(checks.finish().map(|()| resolved))
}

/// The contributors the bylines name.
fn bylines_of(
    conn: &mut DbConnection,
    input: &ArticleInput,
    resolved: &mut Resolved,
    checks: &mut Checks,
) -> Result<(), DbError> {
    let slugs: Vec<&str> = input.bylines.iter().map(|b| b.contributor.as_str()).collect();
    let found: HashMap<String, i64> = contributors::table
        .filter(contributors::slug.eq_any(&slugs))
        .select((contributors::slug, contributors::id))
        .load(conn)?
        .into_iter()
        .collect();
    for (index, slug) in slugs.iter().enumerate() {
        match found.get(*slug) {
            Some(id) => resolved.contributors.push(*id),
            None => checks.push(FieldError::not_found(
                format!("/bylines/{index}/contributor"),
                "contributor has the slug",
                slug,
            )),
        }
    }
    Ok(())
}

/// The topics the article is filed under.
fn topics_of(
    conn: &mut DbConnection,
    input: &ArticleInput,
    resolved: &mut Resolved,
    checks: &mut Checks,
) -> Result<(), DbError> {
    let slugs: Vec<&str> = input.topics.iter().map(|t| t.topic.as_str()).collect();
    let found: HashMap<String, i64> = topics::table
        .filter(topics::slug.eq_any(&slugs))
        .select((topics::slug, topics::id))
        .load(conn)?
        .into_iter()
        .collect();
    for (index, slug) in slugs.iter().enumerate() {
        match found.get(*slug) {
            Some(id) => resolved.topics.push(*id),
            None => checks.push(FieldError::not_found(
                format!("/topics/{index}/topic"),
                "topic has the slug",
                slug,
            )),
        }
    }
    Ok(())
}

/// The media assets it shows (featured and in the body), with their credits.
fn media_of(
    conn: &mut DbConnection,
    input: &ArticleInput,
    resolved: &mut Resolved,
    checks: &mut Checks,
) -> Result<(), DbError> {
    let media_ids = input.media_ids();
    resolved.media = media_assets::table
        .filter(media_assets::public_id.eq_any(&media_ids))
        .select((media_assets::public_id, media_assets::id, media_assets::credit))
        .load::<(String, i64, Option<String>)>(conn)?
        .into_iter()
        .map(|(public_id, id, credit)| (public_id, (id, credit)))
        .collect();
    if let Some(featured) = &input.featured_media {
        if !resolved.media.contains_key(&featured.media_id) {
            checks.push(FieldError::not_found(
                "/featured_media/media_id",
                "media asset has the id",
                &featured.media_id,
            ));
        }
    }
    for (index, block) in input.body.iter().enumerate() {
        if let Some(id) = block.media_id() {
            if !resolved.media.contains_key(id) {
                checks.push(FieldError::not_found(
                    format!("/body/{index}/media_id"),
                    "media asset has the id",
                    id,
                ));
            }
        }
    }
    Ok(())
}

/// Its curated related articles (never itself).
fn related_of(
    conn: &mut DbConnection,
    input: &ArticleInput,
    article_id: Option<i64>,
    resolved: &mut Resolved,
    checks: &mut Checks,
) -> Result<(), DbError> {
    let found: HashMap<String, i64> = articles::table
        .filter(articles::public_id.eq_any(&input.related))
        .select((articles::public_id, articles::id))
        .load(conn)?
        .into_iter()
        .collect();
    for (index, public_id) in input.related.iter().enumerate() {
        match found.get(public_id) {
            Some(id) if Some(*id) == article_id => checks.fail_with(
                format!("/related/{index}"),
                FieldCode::Inconsistent,
                "an article cannot be related to itself",
            ),
            Some(id) => resolved.related.push(*id),
            None => checks.push(FieldError::not_found(
                format!("/related/{index}"),
                "article has the id",
                public_id,
            )),
        }
    }
    Ok(())
}

/// The translation group of the story it translates, which must not have its language yet.
fn group_of(
    conn: &mut DbConnection,
    input: &ArticleInput,
    article_id: Option<i64>,
    resolved: &mut Resolved,
    checks: &mut Checks,
) -> Result<(), DbError> {
    if let Some(original) = &input.translation_of {
        let group: Option<i64> = articles::table
            .filter(articles::public_id.eq(original))
            .select(articles::translation_group_id)
            .first(conn)
            .optional()?;
        match group {
            None => checks.push(FieldError::not_found(
                "/translation_of",
                "article has the id",
                original,
            )),
            Some(group) => {
                let clash: Option<String> = articles::table
                    .filter(articles::translation_group_id.eq(group))
                    .filter(articles::language.eq(&input.language))
                    .filter(articles::id.nullable().ne(article_id))
                    .select(articles::public_id)
                    .first(conn)
                    .optional()?;
                match clash {
                    Some(other) => checks.push(
                        FieldError::coded(
                            "/translation_of",
                            FieldCode::Taken,
                            format!("that story already has a '{}' version: {other}", input.language),
                        )
                        .with_value(other),
                    ),
                    None => resolved.translation_group = Some(group),
                }
            }
        }
    }
    Ok(())
}

/// Whether another article in `language` uses `slug`.
pub fn slug_taken(
    conn: &mut DbConnection,
    language: &str,
    slug: &str,
    except: Option<i64>,
) -> Result<bool, DbError> {
    let query = articles::table
        .filter(articles::language.eq(language))
        .filter(articles::slug.eq(slug))
        .filter(articles::id.ne(except.unwrap_or(0)))
        .select(articles::id);
    Ok(diesel::select(diesel::dsl::exists(query)).get_result(conn)?)
}
