//! JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/).

use serde_json::{json, Value};

use super::{byline_names, content_html, featured_image, summary, FeedInfo};
use crate::api::article::ArticleView;

pub fn render(info: &FeedInfo, articles: &[ArticleView]) -> String {
    let items: Vec<Value> = articles
        .iter()
        .map(|article| {
            let mut item = json!({
                "id": format!("urn:uuid:{}", article.id),
                "url": article.canonical_url,
                "title": article.headline,
                "content_html": content_html(article),
                "summary": summary(article),
                "date_modified": article.updated_at,
                "tags": article.topics.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
                "authors": byline_names(article).into_iter().map(|name| json!({"name": name})).collect::<Vec<_>>(),
                "language": article.language,
            });
            // JSON Feed 1.1: an item has content_html or content_text. A bodiless article
            // (a photo, a link, a headline) is given its summary, or its headline, as text.
            if item["content_html"].as_str().is_none_or(|h| h.trim().is_empty()) {
                item.as_object_mut().map(|o| o.remove("content_html"));
                let text = Some(summary(article))
                    .filter(|s| !s.trim().is_empty())
                    .unwrap_or_else(|| article.headline.clone());
                item["content_text"] = json!(text);
            }
            if let Some(published) = article.published_at {
                item["date_published"] = json!(published);
            }
            if let Some(image) = featured_image(article) {
                item["image"] = json!(image.at_least(super::FEED_IMAGE_WIDTH).url);
                // JSON Feed's banner is shown wide, above the item.
                if let Some(banner) = image.crop("16x9") {
                    item["banner_image"] = json!(banner.url);
                }
            }
            item
        })
        .collect();
    let mut feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": info.title,
        "description": info.description,
        "home_page_url": info.home_url,
        "feed_url": info.self_url,
        "language": info.language,
        "authors": [{"name": info.publisher}],
        "items": items,
    });
    if let Some(next) = &info.next_url {
        feed["next_url"] = json!(next);
    }
    if let Some(hub) = &info.hub_url {
        feed["hubs"] = json!([{"type": "WebSub", "url": hub}]);
    }
    feed.to_string()
}
