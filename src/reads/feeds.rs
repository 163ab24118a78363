//! Partner feeds (RSS, Atom, JSON Feed, ninjs) rendered from the compiled articles: the newest
//! articles of a language, a topic or a contributor, paged by cursor.

use std::sync::Arc;

use serde::Deserialize;
use utoipa::IntoParams;

use super::paging::{self, Keyset};
use super::params::Limit;
use super::{resolve, Address, ReadError, Reader};
use crate::db::queries::delivery_lists::{self, ListFilter, Sort};
use crate::db::{utc_now, DbConnection};
use crate::delivery::cache::Representation;
use crate::domain::language::{localized, Language};
use crate::feeds::{self, FeedInfo};

const RSS: &str = "application/rss+xml; charset=utf-8";
const ATOM: &str = "application/atom+xml; charset=utf-8";
const JSON_FEED: &str = "application/feed+json; charset=utf-8";
pub(super) const NINJS: &str = "application/ninjs+json; charset=utf-8";
pub(super) const XML: &str = "application/xml; charset=utf-8";

/// Feed settings from the configuration.
#[derive(Debug, Clone)]
pub struct FeedSettings {
    /// The publication's name, in feed titles, authorship and the news sitemap.
    pub publication: String,
    pub items: u32,
    pub websub_hub: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Rss,
    Atom,
    JsonFeed,
    Ninjs,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Rss => RSS,
            Format::Atom => ATOM,
            Format::JsonFeed => JSON_FEED,
            Format::Ninjs => NINJS,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Scope {
    Language,
    Topic(String),
    Contributor(String),
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Continue after a previous page (JSON Feed's `next_url` carries it).
    pub cursor: Option<String>,
}

fn feed_scope_key(scope: &Scope) -> String {
    match scope {
        Scope::Language => "language".into(),
        Scope::Topic(slug) => format!("topic:{slug}"),
        Scope::Contributor(slug) => format!("contributor:{slug}"),
    }
}

/// Loads the articles of a feed page and renders it.
fn build_feed(
    conn: &mut DbConnection,
    reader: &Reader,
    language: &str,
    scope: &Scope,
    format: Format,
    cursor: Option<&str>,
    self_url: url::Url,
) -> Result<Representation, ReadError> {
    let language = Language::parse(language)
        .map_err(|_| ReadError::NotFound(format!("no feed for the language '{language}'")))?;
    let mut filter = ListFilter {
        language: Some(language.to_string()),
        ..ListFilter::default()
    };
    let (scope_name, surrogate) = match scope {
        Scope::Language => (None, format!("feed-{language}")),
        Scope::Topic(slug) => {
            let topic = resolve::topic(conn, slug)?;
            filter.topic_id = Some(topic.id);
            let names = serde_json::from_str(&topic.localized_names).unwrap_or_default();
            (
                Some(
                    localized(&names, language.as_str())
                        .unwrap_or(&topic.name)
                        .to_owned(),
                ),
                format!("feed-{language} topic-{slug}"),
            )
        }
        Scope::Contributor(slug) => {
            let contributor = resolve::contributor(conn, slug)?;
            filter.contributor_id = Some(contributor.id);
            let names = serde_json::from_str(&contributor.localized_names).unwrap_or_default();
            (
                Some(
                    localized(&names, language.as_str())
                        .unwrap_or(&contributor.name)
                        .to_owned(),
                ),
                format!("feed-{language} contributor-{slug}"),
            )
        }
    };
    let keyset = Keyset::new(
        &reader.cursors,
        format!("feed|{language}|{}", feed_scope_key(scope)),
        cursor,
    )?;
    let after = keyset.after_time()?;
    let now = utc_now();
    let page = keyset.fetch(
        Limit::configured(reader.feeds.items),
        |n| delivery_lists::list(conn, &filter, Sort::Newest, after, n, now),
        |last| paging::at_time(last.published_at, last.article_id),
    )?;
    let rows = page.rows;
    let articles =
        crate::delivery::compiled_articles(conn, &rows.iter().map(|r| r.article_id).collect::<Vec<_>>())?;
    let updated = rows.iter().map(|r| r.updated_at).max().unwrap_or(now).and_utc();
    let next_url = page
        .next_cursor
        .map(|cursor| paging::with_cursor(&self_url, &cursor).to_string());
    let mut home = reader.urls.article(language.as_str(), "");
    if let (Scope::Topic(slug), Ok(mut url)) = (scope, url::Url::parse(&home)) {
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().push("topics").push(slug);
        }
        home = url.to_string();
    }
    let title = match &scope_name {
        Some(name) => format!("{}: {name}", reader.feeds.publication),
        None => format!("{} ({language})", reader.feeds.publication),
    };
    let info = FeedInfo {
        description: format!("{title} — {}", language.as_str()),
        title,
        language: language.to_string(),
        self_url: self_url.to_string(),
        home_url: home,
        hub_url: reader.feeds.websub_hub.clone(),
        publisher: reader.feeds.publication.clone(),
        updated,
        next_url,
    };
    let body = match format {
        Format::Rss => feeds::rss::render(&info, &articles),
        Format::Atom => feeds::atom::render(&info, &articles),
        Format::JsonFeed => feeds::json_feed::render(&info, &articles),
        Format::Ninjs => {
            let rights = feeds::ninjs::Rights {
                holder: reader.feeds.publication.clone(),
            };
            let documents: Vec<serde_json::Value> = articles
                .iter()
                .map(|a| feeds::ninjs::document(a, &rights))
                .collect();
            serde_json::to_string(&documents).map_err(crate::db::DbError::unserializable)?
        }
    };
    let mut representation = super::text(body, updated, surrogate);
    representation.content_type = format.content_type();
    if let Some(hub) = &reader.feeds.websub_hub {
        representation.headers.push((
            "Link",
            format!("<{hub}>; rel=\"hub\", <{}>; rel=\"self\"", info.self_url),
        ));
    }
    Ok(representation)
}

/// One page of a feed, through the cache. Its self link is the feed's URL without the query.
pub async fn feed(
    reader: &Arc<Reader>,
    language: String,
    scope: Scope,
    format: Format,
    query: FeedQuery,
    address: Address<'_>,
) -> Result<Arc<Representation>, ReadError> {
    reader
        .cached(address.key("feed"), || {
            let mut self_url = address.url(&reader.public_url);
            self_url.set_query(None);
            move |conn, reader| {
                build_feed(
                    conn,
                    reader,
                    &language,
                    &scope,
                    format,
                    query.cursor.as_deref(),
                    self_url,
                )
            }
        })
        .await
}
