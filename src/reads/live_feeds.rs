//! A live blog's entries as RSS, Atom and ninjs (`GET /v1/articles/{key}/live/rss.xml`,
//! `atom.xml`, `ninjs`):
//! the newest entries, newest first, cached and purged with the blog like its other reads.

use std::sync::Arc;

use super::feeds::Format;
use super::{Address, ReadError, Reader};
use crate::api::live::LiveEntryView;
use crate::db::queries::live::{self as store, Slice};
use crate::delivery::cache::Representation;
use crate::feeds::FeedInfo;

/// Entries a live blog's feed carries.
const FEED_ENTRIES: i64 = 50;

/// The feed of the live blog of article `key` in `format` (RSS, Atom or ninjs), through the
/// cache.
pub async fn feed(
    reader: &Arc<Reader>,
    key: &str,
    language: Option<&str>,
    format: Format,
    address: Address<'_>,
) -> Result<Arc<Representation>, ReadError> {
    let lookup = super::article::parse_key(key, language)?;
    let key = key.to_owned();
    reader
        .cached(address.key("live-feed"), || {
            let mut self_url = address.url(&reader.public_url);
            self_url.set_query(None);
            move |conn, reader| {
                let (article, blog) = super::live::public_blog(conn, &lookup, &key)?;
                let records = store::slice(conn, article.id, Slice::Latest(FEED_ENTRIES))?;
                let media = store::media_of(conn, &records)?;
                let page = reader.urls.article(&article.language, &article.slug);
                let entries: Vec<LiveEntryView> = records
                    .iter()
                    .map(|r| LiveEntryView::build(r, &media, &article.language, &page))
                    .collect();
                let activity = store::activity(conn, article.id)?;
                let updated = crate::api::live::LiveBlogView::build(&blog, activity).updated_at;
                let info = FeedInfo {
                    title: article.headline.clone(),
                    description: article.lead.clone().unwrap_or_else(|| article.headline.clone()),
                    language: article.language.clone(),
                    self_url: self_url.to_string(),
                    home_url: page,
                    hub_url: None,
                    publisher: reader.feeds.publication.clone(),
                    updated,
                    next_url: None,
                };
                let body = match format {
                    Format::Atom => crate::feeds::live::atom(&info, &entries),
                    Format::Ninjs => {
                        let blog = crate::api::live::LiveArticleRef {
                            id: article.public_id.clone(),
                            slug: article.slug.clone(),
                            language: article.language.clone(),
                            headline: article.headline.clone(),
                            url: info.home_url.clone(),
                        };
                        let rights = crate::feeds::ninjs::Rights {
                            holder: reader.feeds.publication.clone(),
                        };
                        let documents: Vec<serde_json::Value> = entries
                            .iter()
                            .map(|e| crate::feeds::ninjs::live_entry(e, &blog, &rights))
                            .collect();
                        serde_json::to_string(&documents).map_err(crate::db::DbError::unserializable)?
                    }
                    Format::Rss | Format::JsonFeed => crate::feeds::live::rss(&info, &entries),
                };
                let mut representation = super::text(body, updated, format!("article-{}", article.public_id));
                representation.content_type = format.content_type();
                representation.is_article = true;
                Ok(representation)
            }
        })
        .await
}
