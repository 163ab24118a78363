//! One WordPress post (or page) as Khabar records: its article, the media its content shows
//! that no earlier record made, and a redirect from each of its old addresses. Whatever had to
//! change on the way (a shortened title, a taken slug, a status Khabar lacks) is noted.

use super::records::{trim_blocks, Records};
use super::*;

/// Where a post's notes go: its line in the file and its WordPress id.
struct At {
    line: u64,
    key: String,
}

impl Records<'_> {
    /// The records of the post `id` whose WordPress status is `status`.
    pub(super) fn post(&mut self, item: &Element, id: i64, status: &str) -> Result<Vec<Record>, String> {
        let at = At {
            line: item.line,
            key: id.to_string(),
        };
        let mut records = Vec::new();
        let (created, modified) = self.post_dates(item, &at);
        let language = self.post_language(item);
        let (title, headline) = self.post_headline(item, id, &at);
        let slug = self.post_slug(item, &title, &language, id, &at);
        let lead = self.post_lead(item, &at);
        let body = self.post_body(item, id, &at, &mut records);
        let bylines = self.post_bylines(item);
        let topics = self.post_topics(item);
        let featured_media = self.post_featured(item, &at);
        let (status, published, scheduled) = self.post_status(item, status, created, &at);
        let comments = item.all("wp:comment").count();
        if comments > 0 {
            self.note(
                at.line,
                "comment",
                at.key.clone(),
                format!("{comments} comment(s) not imported (Khabar has no comments)"),
            );
        }
        let public_id = derived_id(&self.scan.site, "post", id);
        let translation_group = self
            .scan
            .translation_keys
            .get(&id)
            .and_then(|k| self.scan.first_of_key.get(k))
            .map_or_else(
                || public_id.clone(),
                |first| derived_id(&self.scan.site, "post", first),
            );
        let snapshot = serde_json::json!({
            "language": language, "slug": slug, "headline": headline, "lead": lead,
            "body": body, "bylines": bylines, "topics": topics, "featured_media": featured_media,
            "status": status,
        });
        let updated_at = modified.max(published.unwrap_or(modified));
        let redirects = self.old_addresses(item, id, &SitePath::of_article(&language, &slug));
        records.push(Record::Article(Box::new(ArticleRecord {
            id: public_id.clone(),
            language,
            slug,
            headline,
            lead,
            dateline: None,
            canonical_url: None,
            body,
            bylines,
            topics,
            featured_media,
            related: Vec::new(),
            status,
            version: 1,
            translation_group,
            author: None,
            created_at: created,
            updated_at,
            first_published_at: published,
            published_at: published,
            scheduled_at: scheduled,
            embargo_until: None,
            delivered_at: published.map(|_| updated_at),
            corrections: Vec::new(),
            revisions: vec![RevisionRecord {
                version: 1,
                action: "import".into(),
                actor: None,
                snapshot,
                created_at: updated_at,
            }],
        })));
        // Every old address of the post leads to the article.
        records.extend(redirects.into_iter().map(|from| {
            Record::Redirect(RedirectRecord {
                from,
                to: RedirectTo {
                    article: Some(public_id.clone()),
                    ..RedirectTo::default()
                },
                status: 301,
                source: RedirectSource::Import,
                created_at: created,
            })
        }));
        Ok(records)
    }

    /// When the post was written (GMT first) and last modified (never before it was written).
    fn post_dates(&self, item: &Element, at: &At) -> (DateTime<Utc>, DateTime<Utc>) {
        let created = match wp_date(item.child("wp:post_date_gmt"))
            .or_else(|| wp_date(item.child("wp:post_date")))
        {
            Some(created) => created,
            None => {
                self.note(
                    at.line,
                    "post",
                    at.key.clone(),
                    "no wp:post_date; dated when the file was made (its pubDate) or, without one, when it was imported",
                );
                self.scan.made
            }
        };
        let modified = wp_date(item.child("wp:post_modified_gmt"))
            .or_else(|| wp_date(item.child("wp:post_modified")))
            .unwrap_or(created)
            .max(created);
        (created, modified)
    }

    /// Polylang's language term, else WPML's meta, else the channel's language.
    fn post_language(&self, item: &Element) -> String {
        item.all("category")
            .find(|c| c.attribute("domain") == Some("language"))
            .and_then(|c| c.attribute("nicename"))
            .or_else(|| meta(item, "_wpml_import_language_code"))
            .or_else(|| meta(item, "_wpml_language"))
            .and_then(|l| Language::parse(l.trim()).ok())
            .map_or_else(|| self.scan.language.clone(), |l| l.as_str().to_owned())
    }

    /// The post's title, and the headline made of it (bounded).
    fn post_headline(&self, item: &Element, id: i64, at: &At) -> (String, String) {
        let raw_title = plain(item.child("title").unwrap_or_default());
        let title = if raw_title.is_empty() {
            self.note(
                at.line,
                "post",
                at.key.clone(),
                format!("no title; imported as 'Untitled {id}'"),
            );
            format!("Untitled {id}")
        } else {
            raw_title
        };
        let (headline, cut) = bounded(&title, MAX_HEADLINE);
        if cut {
            self.note(
                at.line,
                "post",
                at.key.clone(),
                format!("the title is longer than {MAX_HEADLINE} characters; shortened"),
            );
        }
        (title, headline)
    }

    /// The post's slug, told apart from an earlier post's in the same language.
    fn post_slug(&mut self, item: &Element, title: &str, language: &str, id: i64, at: &At) -> String {
        let mut slug = khabar_slug(item.child("wp:post_name").unwrap_or_default(), title);
        if slug.is_empty() {
            slug = format!("post-{id}");
        }
        if slug.chars().count() > slug::MAX_CHARS {
            slug = slug::slugify(&slug);
        }
        if !self.used_slugs.insert((language.to_owned(), slug.clone())) {
            slug = format!("{slug}-{id}");
            self.note(
                at.line,
                "post",
                at.key.clone(),
                format!("another post has its slug; imported as '{slug}'"),
            );
            self.used_slugs.insert((language.to_owned(), slug.clone()));
        }
        slug
    }

    /// The excerpt as the lead (bounded), if there is one.
    fn post_lead(&self, item: &Element, at: &At) -> Option<String> {
        let excerpt = plain(item.child("excerpt:encoded").unwrap_or_default());
        (!excerpt.is_empty()).then(|| {
            let (lead, cut) = bounded(&excerpt, MAX_LEAD);
            if cut {
                self.note(
                    at.line,
                    "post",
                    at.key.clone(),
                    "the excerpt is longer than a lead may be; shortened",
                );
            }
            lead
        })
    }

    /// The content as blocks; the media it shows that no earlier record made go to `records`.
    fn post_body(&mut self, item: &Element, id: i64, at: &At, records: &mut Vec<Record>) -> Vec<Block> {
        let content_line = item.child_element("content:encoded").map_or(at.line, |c| c.line);
        let mut lookup = PostMedia {
            records: self,
            post: id,
            line: at.line,
            added: Vec::new(),
        };
        let (body, content_notes) = content::convert(
            item.child("content:encoded").unwrap_or_default(),
            content_line,
            &mut lookup,
        );
        let added = std::mem::take(&mut lookup.added);
        records.extend(added.into_iter().map(|media| Record::Media(Box::new(media))));
        for note in content_notes {
            self.note(note.line, &note.kind, at.key.clone(), note.message);
        }
        trim_blocks(body)
    }

    /// Its author's byline, when the author is known.
    fn post_bylines(&self, item: &Element) -> Vec<BylineInput> {
        item.child("dc:creator")
            .and_then(|login| self.scan.author_slugs.get(login.trim()))
            .map(|contributor| {
                vec![BylineInput {
                    contributor: contributor.clone(),
                    role: BylineRole::Author,
                }]
            })
            .unwrap_or_default()
    }

    /// Its categories and tags as topics, the primary one first (Yoast's choice, else its
    /// first category).
    fn post_topics(&self, item: &Element) -> Vec<TopicLinkInput> {
        let topic_of = |category: &Element| {
            let taxonomy = item_taxonomy(category);
            matches!(taxonomy, "category" | "post_tag")
                .then(|| {
                    self.scan
                        .term_slugs
                        .get(&(taxonomy.to_owned(), item_term_slug(category)))
                        .cloned()
                })
                .flatten()
        };
        let mut topics: Vec<TopicLinkInput> = Vec::new();
        for topic in item.all("category").filter_map(topic_of) {
            if !topics.iter().any(|t| t.topic == topic) {
                topics.push(TopicLinkInput {
                    topic,
                    primary: false,
                });
            }
        }
        let primary = meta(item, "_yoast_wpseo_primary_category")
            .and_then(|t| t.trim().parse::<i64>().ok())
            .and_then(|t| self.scan.term_ids.get(&t).cloned())
            .filter(|p| topics.iter().any(|t| t.topic == *p))
            .or_else(|| {
                item.all("category")
                    .filter(|c| item_taxonomy(c) == "category")
                    .find_map(topic_of)
            });
        if let Some(primary) = primary {
            if let Some(topic) = topics.iter_mut().find(|t| t.topic == primary) {
                topic.primary = true;
            }
            topics.sort_by_key(|t| !t.primary);
        }
        topics.truncate(crate::domain::editorial::MAX_LINKS);
        topics
    }

    /// Its featured image, when that attachment is in the export.
    fn post_featured(&self, item: &Element, at: &At) -> Option<FeaturedMediaInput> {
        let id = meta(item, "_thumbnail_id").and_then(|t| t.trim().parse::<i64>().ok())?;
        let found = self
            .scan
            .attachment(id)
            .filter(|a| a.kind().is_some_and(|(k, _)| k == MediaKind::Image));
        if found.is_none() {
            self.note(
                at.line,
                "post",
                at.key.clone(),
                format!("its featured image (attachment {id}) is not in the export"),
            );
        }
        found.map(|a| FeaturedMediaInput {
            media_id: self.scan.media_id(a),
            caption: None,
        })
    }

    /// Khabar's status for a WordPress status, with the publication or schedule time.
    fn post_status(
        &self,
        item: &Element,
        status: &str,
        created: DateTime<Utc>,
        at: &At,
    ) -> (ArticleStatus, Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        let password = item
            .child("wp:post_password")
            .is_some_and(|p| !p.trim().is_empty());
        let as_draft = |why: String| {
            self.note(at.line, "post", at.key.clone(), why);
            (ArticleStatus::Draft, None, None)
        };
        match status {
            _ if password => as_draft("a password-protected post is imported as a draft".into()),
            "publish" => (ArticleStatus::Published, Some(created), None),
            "future" => (ArticleStatus::Scheduled, None, Some(created)),
            "pending" => (ArticleStatus::InReview, None, None),
            "private" => {
                as_draft("a private post is imported as a draft (Khabar has no private articles)".into())
            }
            "draft" => (ArticleStatus::Draft, None, None),
            other => as_draft(format!("the status '{other}' is unknown; imported as a draft")),
        }
    }

    /// The post's old addresses (its permalink, its plain `?p=` link) that are not its new one
    /// nor the site's home. A blog in a subfolder (`https://example.com/news/`) has its plain
    /// permalinks there (`/news/?p=1`), and its home page is no post's old address.
    fn old_addresses(&self, item: &Element, id: i64, own_path: &SitePath) -> Vec<String> {
        let home = self
            .scan
            .base_url
            .as_ref()
            .map(|u| u.path().trim_end_matches('/').to_owned())
            .unwrap_or_default();
        let mut paths: Vec<String> = Vec::new();
        if let Some(link) = item.child("link").map(str::trim).filter(|l| !l.is_empty()) {
            if let Ok(path) = SitePath::parse(link) {
                paths.push(path.as_str().to_owned());
            }
        }
        if let Ok(plain_permalink) = SitePath::parse(&format!("{home}/?p={id}")) {
            paths.push(plain_permalink.as_str().to_owned());
        }
        paths.dedup();
        let home_path = SitePath::parse(&format!("{home}/")).ok();
        paths.retain(|path| {
            path != own_path.as_str() && path != "/" && home_path.as_ref().is_none_or(|h| h.as_str() != path)
        });
        paths
    }
}
