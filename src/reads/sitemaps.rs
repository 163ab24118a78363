//! Sitemaps: the Google News sitemap, the index, and one file per 50,000 article ids.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::{Address, ReadError, Reader};
use crate::db::queries::sitemaps;
use crate::db::{utc_now, DbConnection};
use crate::delivery::cache::Representation;
use crate::feeds::sitemap;

/// Serves the XML `build` makes and the time of the newest entry it lists, through the cache.
async fn cached_xml(
    reader: &Arc<Reader>,
    address: Address<'_>,
    build: impl FnOnce(&mut DbConnection, &Reader) -> Result<(String, DateTime<Utc>), ReadError> + Send + 'static,
) -> Result<Arc<Representation>, ReadError> {
    reader
        .cached(address.key("sitemap"), || {
            move |conn, reader| {
                let (xml, changed) = build(conn, reader)?;
                let mut representation = super::text(xml, changed, "sitemaps".into());
                representation.content_type = super::feeds::XML;
                Ok(representation)
            }
        })
        .await
}

/// The newest of `times`; the epoch for none.
fn newest(times: impl Iterator<Item = DateTime<Utc>>) -> DateTime<Utc> {
    times.max().unwrap_or(DateTime::UNIX_EPOCH)
}

/// Articles published in the last 48 hours, at most 1,000.
pub async fn news(reader: &Arc<Reader>, address: Address<'_>) -> Result<Arc<Representation>, ReadError> {
    cached_xml(reader, address, |conn, reader| {
        let now = utc_now();
        let rows = sitemaps::published_since(
            conn,
            now - Duration::hours(48),
            now,
            sitemap::MAX_NEWS_URLS as i64,
        )?;
        let entries: Vec<sitemap::NewsEntry> = rows
            .into_iter()
            .map(|row| sitemap::NewsEntry {
                url: reader.urls.article(&row.language, &row.slug),
                language: row.language,
                title: row.headline,
                published_at: row.published_at.and_utc(),
            })
            .collect();
        let changed = newest(entries.iter().map(|e| e.published_at));
        Ok((sitemap::news(&reader.feeds.publication, &entries), changed))
    })
    .await
}

/// The sitemap index.
pub async fn index(reader: &Arc<Reader>, address: Address<'_>) -> Result<Arc<Representation>, ReadError> {
    cached_xml(reader, address, |conn, reader| {
        let pages = sitemaps::pages(conn, sitemap::MAX_URLS as i64)?;
        let files: Vec<(String, chrono::DateTime<Utc>)> = pages
            .into_iter()
            .filter_map(|(page, modified)| {
                let url = reader
                    .public_url
                    .join(&format!("sitemaps/articles-{page}.xml"))
                    .ok()?;
                Some((url.to_string(), modified.and_utc()))
            })
            .collect();
        let changed = newest(files.iter().map(|(_, modified)| *modified));
        Ok((sitemap::index(&files), changed))
    })
    .await
}

/// Sitemap file `page`: the published articles whose ids fall in its range.
pub async fn page(
    reader: &Arc<Reader>,
    page: u32,
    address: Address<'_>,
) -> Result<Arc<Representation>, ReadError> {
    let page = i64::from(page);
    cached_xml(reader, address, move |conn, reader| {
        let rows = sitemaps::page(conn, page, sitemap::MAX_URLS as i64, utc_now())?;
        // The first page always exists (the index lists it); a later one only with URLs on it.
        if rows.is_empty() && page > 0 {
            return Err(ReadError::NotFound(format!(
                "there is no sitemap {page}; /sitemaps/index.xml lists those there are"
            )));
        }
        let entries: Vec<(String, chrono::DateTime<Utc>)> = rows
            .into_iter()
            .map(|(language, slug, modified)| (reader.urls.article(&language, &slug), modified.and_utc()))
            .collect();
        let changed = newest(entries.iter().map(|(_, modified)| *modified));
        Ok((sitemap::urls(&entries), changed))
    })
    .await
}
