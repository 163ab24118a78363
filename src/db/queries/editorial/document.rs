//! An article and its writable fields as stored.

use super::*;

pub fn find(conn: &mut DbConnection, public_id: &str) -> Result<Option<Article>, DbError> {
    Ok(articles::table
        .filter(articles::public_id.eq(public_id))
        .select(Article::as_select())
        .first(conn)
        .optional()?)
}

/// The article (in any status) with this slug in this language.
pub fn find_by_slug(conn: &mut DbConnection, language: &str, slug: &str) -> Result<Option<Article>, DbError> {
    Ok(articles::table
        .filter(articles::language.eq(language))
        .filter(articles::slug.eq(slug))
        .select(Article::as_select())
        .first(conn)
        .optional()?)
}

/// Whether there is any article at all.
pub fn any(conn: &mut DbConnection) -> Result<bool, DbError> {
    Ok(articles::table
        .select(articles::id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

pub fn find_by_id(conn: &mut DbConnection, id: i64) -> Result<Option<Article>, DbError> {
    Ok(articles::table
        .find(id)
        .select(Article::as_select())
        .first(conn)
        .optional()?)
}

/// The width of the image asset with `public_id`: `None` if there is no such image asset,
/// `Some(None)` if its width is unknown.
pub fn image_width(conn: &mut DbConnection, public_id: &str) -> Result<Option<Option<i32>>, DbError> {
    Ok(media_assets::table
        .filter(media_assets::public_id.eq(public_id))
        .filter(media_assets::kind.eq(crate::domain::kinds::MediaKind::Image.as_str()))
        .select(media_assets::width)
        .first(conn)
        .optional()?)
}

/// The article's writable fields as stored.
pub fn document(conn: &mut DbConnection, article: &Article) -> Result<ArticleInput, DbError> {
    let id = article.id;
    let body = article_blocks::table
        .filter(article_blocks::article_id.eq(id))
        .order(article_blocks::position.asc())
        .select(article_blocks::data)
        .load::<String>(conn)?
        .iter()
        .map(|data| serde_json::from_str::<Block>(data).map_err(DbError::corrupt))
        .collect::<Result<Vec<_>, _>>()?;
    let bylines = bylines::table
        .inner_join(contributors::table)
        .filter(bylines::article_id.eq(id))
        .order(bylines::position.asc())
        .select((contributors::slug, bylines::role))
        .load::<(String, String)>(conn)?
        .into_iter()
        .map(|(contributor, role)| {
            Ok(BylineInput {
                contributor,
                role: role.parse::<BylineRole>().map_err(DbError::corrupt)?,
            })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    let topics = article_topics::table
        .inner_join(topics::table)
        .filter(article_topics::article_id.eq(id))
        .order(article_topics::position.asc())
        .select((topics::slug, article_topics::is_primary))
        .load::<(String, bool)>(conn)?
        .into_iter()
        .map(|(topic, primary)| TopicLinkInput { topic, primary })
        .collect();
    let featured_media = article_media::table
        .inner_join(media_assets::table)
        .filter(article_media::article_id.eq(id))
        .filter(article_media::is_featured.eq(true))
        .select((media_assets::public_id, article_media::caption_override))
        .first::<(String, Option<String>)>(conn)
        .optional()?
        .map(|(media_id, caption)| FeaturedMediaInput { media_id, caption });
    let related = related_articles::table
        .inner_join(articles::table.on(related_articles::related_article_id.eq(articles::id)))
        .filter(related_articles::article_id.eq(id))
        .order(related_articles::position.asc())
        .select(articles::public_id)
        .load(conn)?;
    Ok(ArticleInput {
        language: article.language.clone(),
        slug: Some(article.slug.clone()),
        headline: article.headline.clone(),
        lead: article.lead.clone(),
        dateline: article.dateline.clone(),
        canonical_url: article.canonical_url.clone(),
        body,
        bylines,
        topics,
        featured_media,
        related,
        translation_of: None,
        embargo_until: article.embargo_until.map(|t| t.and_utc()),
    })
}

/// The internal ids of the articles with these public ids.
pub fn ids_by_public_id(
    conn: &mut DbConnection,
    public_ids: &[String],
) -> Result<Vec<(String, i64)>, DbError> {
    Ok(articles::table
        .filter(articles::public_id.eq_any(public_ids))
        .select((articles::public_id, articles::id))
        .load(conn)?)
}

/// Another article of translation group `group` in `language` than `public_id`, if any.
pub fn other_translation(
    conn: &mut DbConnection,
    group: i64,
    language: &str,
    public_id: &str,
) -> Result<Option<String>, DbError> {
    Ok(articles::table
        .filter(articles::translation_group_id.eq(group))
        .filter(articles::language.eq(language))
        .filter(articles::public_id.ne(public_id))
        .select(articles::public_id)
        .first(conn)
        .optional()?)
}
