//! IPTC ninjs 2.2 (News in JSON), for wire partners and archives.

use serde_json::{json, Map, Value};

use crate::api::article::ArticleView;
use crate::domain::kinds::{BylineRole, ContributorKind, TopicKind};

/// Who holds the rights to the articles, for `copyrightholder` and `copyrightnotice`.
#[derive(Debug, Clone)]
pub struct Rights {
    pub holder: String,
}

/// One entry of a live blog as its own ninjs item, associated with the blog's article
/// (`associations` names it `liveblog`), for wire partners that carry live coverage.
pub fn live_entry(
    entry: &crate::api::live::LiveEntryView,
    blog: &crate::api::live::LiveArticleRef,
    rights: &Rights,
) -> Value {
    let text = crate::domain::blocks::render_text(&entry.body);
    let words = crate::domain::blocks::word_count(&text);
    let mut document = Map::new();
    document.insert("uri".into(), json!(format!("urn:uuid:{}", entry.id)));
    document.insert("type".into(), json!("text"));
    document.insert("representationtype".into(), json!("full"));
    document.insert("firstcreated".into(), json!(entry.published_at));
    document.insert("versioncreated".into(), json!(entry.updated_at));
    document.insert("pubstatus".into(), json!("usable"));
    document.insert("language".into(), json!(blog.language));
    document.insert(
        "headlines".into(),
        json!([{"role": "main", "contenttype": "text/plain", "value": crate::feeds::live::title_of(entry)}]),
    );
    document.insert(
        "bodies".into(),
        json!([
            {"role": "main", "contenttype": "text/html", "value": entry.body_html, "charcount": entry.body_html.chars().count(), "wordcount": words},
            {"role": "main", "contenttype": "text/plain", "value": text, "charcount": text.chars().count(), "wordcount": words},
        ]),
    );
    if let Some(by) = &entry.byline {
        document.insert("by".into(), json!(by));
    }
    let sources: Vec<Value> = entry
        .bylines
        .iter()
        .filter(|b| b.role == BylineRole::Agency || b.contributor.kind == ContributorKind::Agency)
        .map(|b| json!({"name": b.contributor.name, "role": "source", "literal": b.contributor.slug}))
        .collect();
    if !sources.is_empty() {
        document.insert("infosources".into(), Value::Array(sources));
    }
    if entry.key_event {
        document.insert(
            "subjects".into(),
            json!([{"name": "key event", "literal": "key_event", "rel": "about"}]),
        );
    }
    document.insert("copyrightholder".into(), json!(rights.holder));
    document.insert("copyrightnotice".into(), json!(format!("© {}", rights.holder)));
    document.insert("altids".into(), json!([{"role": "url", "value": entry.url}]));
    document.insert(
        "associations".into(),
        json!([{"name": "liveblog", "uri": format!("urn:uuid:{}", blog.id), "type": "text",
            "headlines": [{"role": "main", "contenttype": "text/plain", "value": blog.headline}]}]),
    );
    Value::Object(document)
}

pub fn document(article: &ArticleView, rights: &Rights) -> Value {
    let mut people = Vec::new();
    let mut organisations = Vec::new();
    let mut infosources = Vec::new();
    for byline in &article.bylines {
        let entry = json!({"name": byline.contributor.name, "rel": byline.role.as_str(), "literal": byline.contributor.slug});
        match (byline.role, byline.contributor.kind) {
            (BylineRole::Agency, _) | (_, ContributorKind::Agency) => {
                infosources.push(json!({"name": byline.contributor.name, "role": "source", "literal": byline.contributor.slug}))
            }
            (_, ContributorKind::Person) => people.push(entry),
            (_, ContributorKind::Organisation) => organisations.push(entry),
        }
    }
    let mut subjects = Vec::new();
    let mut places = Vec::new();
    for topic in &article.topics {
        let entry = json!({"name": topic.name, "literal": topic.slug, "rel": if topic.primary { "primary" } else { "about" }});
        match topic.kind {
            TopicKind::Place => places.push(entry),
            TopicKind::Person => people.push(entry),
            TopicKind::Organisation => organisations.push(entry),
            TopicKind::Tag | TopicKind::Section | TopicKind::Event => subjects.push(entry),
        }
    }
    let mut document = Map::new();
    document.insert("uri".into(), json!(format!("urn:uuid:{}", article.id)));
    document.insert("type".into(), json!("text"));
    document.insert("representationtype".into(), json!("full"));
    document.insert("version".into(), json!(article.version.to_string()));
    if let Some(first) = article.first_published_at {
        document.insert("firstcreated".into(), json!(first));
    }
    document.insert("versioncreated".into(), json!(article.updated_at));
    // Only published, unembargoed articles are public, so every document served is usable.
    document.insert("pubstatus".into(), json!("usable"));
    document.insert("language".into(), json!(article.language));
    document.insert(
        "headlines".into(),
        json!([{"role": "main", "contenttype": "text/plain", "value": article.headline}]),
    );
    if let Some(lead) = &article.lead {
        document.insert(
            "descriptions".into(),
            json!([{"role": "summary", "contenttype": "text/plain", "value": lead}]),
        );
    }
    let count = |text: &str| (text.chars().count(), crate::domain::blocks::word_count(text));
    let (html_chars, _) = count(&article.body_html);
    let (text_chars, words) = count(&article.body_text);
    document.insert(
        "bodies".into(),
        json!([
            {"role": "main", "contenttype": "text/html", "value": article.body_html, "charcount": html_chars, "wordcount": words},
            {"role": "main", "contenttype": "text/plain", "value": article.body_text, "charcount": text_chars, "wordcount": words},
        ]),
    );
    if let Some(by) = &article.byline {
        document.insert("by".into(), json!(by));
    }
    if let Some(dateline) = &article.dateline {
        document.insert("located".into(), json!(dateline));
    }
    for (key, list) in [
        ("people", people),
        ("organisations", organisations),
        ("infosources", infosources),
        ("subjects", subjects),
        ("places", places),
    ] {
        if !list.is_empty() {
            document.insert(key.into(), Value::Array(list));
        }
    }
    document.insert("copyrightholder".into(), json!(rights.holder));
    document.insert("copyrightnotice".into(), json!(format!("© {}", rights.holder)));
    document.insert(
        "altids".into(),
        json!([{"role": "slug", "value": article.slug}, {"role": "url", "value": article.canonical_url}]),
    );
    if let Some(media) = &article.featured_media {
        let mut association = Map::new();
        association.insert("name".into(), json!("featured"));
        association.insert("uri".into(), json!(format!("urn:uuid:{}", media.id)));
        association.insert(
            "type".into(),
            json!(match media.kind {
                crate::domain::kinds::MediaKind::Image => "picture",
                crate::domain::kinds::MediaKind::Video => "video",
                crate::domain::kinds::MediaKind::Audio => "audio",
            }),
        );
        if let Some(caption) = &media.caption {
            association.insert(
                "descriptions".into(),
                json!([{"role": "caption", "contenttype": "text/plain", "value": caption}]),
            );
        }
        if let Some(alt) = &media.alt_text {
            association.insert(
                "headlines".into(),
                json!([{"role": "alternative", "contenttype": "text/plain", "value": alt}]),
            );
        }
        if let Some(credit) = &media.credit {
            association.insert("by".into(), json!(credit));
        }
        if let Some(holder) = &media.copyright_holder {
            association.insert("copyrightholder".into(), json!(holder));
            association.insert("copyrightnotice".into(), json!(format!("© {holder}")));
        }
        if let Some(license) = &media.license {
            association.insert("usageterms".into(), json!(license));
        }
        let mut renditions: Vec<Value> = media
            .renditions
            .iter()
            .map(|r| {
                let mut rendition = json!({"name": r.name, "href": r.url, "contenttype": r.mime_type});
                if let (Some(w), Some(h)) = (r.width, r.height) {
                    rendition["width"] = json!(w);
                    rendition["height"] = json!(h);
                }
                rendition
            })
            .collect();
        if renditions.is_empty() {
            renditions.push(json!({"name": "original", "href": media.url, "contenttype": media.mime_type}));
        }
        association.insert("renditions".into(), Value::Array(renditions));
        document.insert("associations".into(), json!([Value::Object(association)]));
    }
    Value::Object(document)
}
