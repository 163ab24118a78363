//! Paths on the newsroom's website: what front-ends ask to resolve, and what old links
//! (renamed slugs, imported WordPress permalinks) point at. Khabar's own layout is
//! `/{language}/{slug}` for articles, `/topics/{slug}` and `/contributors/{slug}`.
//!
//! A path is kept in one normal form, so that the same page written two ways is one key:
//! percent-decoded, NFC, without a trailing slash, without `.` segments or repeated slashes.
//! The query is dropped, except on the root (`/?p=123`, WordPress's plain permalinks) and
//! where it is a plain permalink under a blog's subfolder (`/news/?p=123`): dropping that one
//! would make every post's old address the blog's home page.

use super::language::Language;
use super::slug;

/// Longest path accepted (the schema checks the same bound).
pub const MAX_CHARS: usize = 2000;

/// A site path in normal form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SitePath(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidPath {
    #[error("a site path starts with '/' (or is a full http(s) URL)")]
    NotAPath,
    #[error("the path is not valid UTF-8 once percent-decoded")]
    NotUtf8,
    #[error("the path has '.' or '..' segments")]
    DotSegments,
    #[error("the path is longer than {MAX_CHARS} characters")]
    TooLong,
    #[error("the path has control characters")]
    Control,
    #[error("the path has a backslash, which browsers read as '/': '/\\host' would lead off the site")]
    Backslash,
}

/// Whether `url`, written as a link's target, stays on this site: a path (`/ar/x`, `/a?b`,
/// `#note`) and not a protocol-relative address (`//evil.example`), nor one that browsers
/// turn into one (`/\evil.example`, `/%5Cevil.example`, a tab or newline inside `//`). The
/// one policy for every relative URL Khabar accepts or serves.
pub fn stays_on_site(url: &str) -> bool {
    if url.starts_with('#') {
        return true;
    }
    if !url.starts_with('/') {
        return false;
    }
    // Browsers drop tabs and newlines from URLs and read `\` as `/` (WHATWG URL).
    let squeezed: String = url.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let decoded = percent_encoding::percent_decode_str(&squeezed).decode_utf8_lossy();
    !(squeezed.starts_with("//")
        || squeezed.contains('\\')
        || decoded.contains('\\')
        || decoded.starts_with("//"))
}

/// `p=123`, `page_id=7` or `attachment_id=9`: the query that is a WordPress page's address.
fn is_plain_permalink(query: &str) -> bool {
    query.split_once('=').is_some_and(|(key, id)| {
        matches!(key, "p" | "page_id" | "attachment_id")
            && !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_digit())
    })
}

impl SitePath {
    /// Accepts `/a/b/`, `/a/%D8%A8`, or a full `http(s)://host/a/b?x` (its path and query).
    pub fn parse(raw: &str) -> Result<SitePath, InvalidPath> {
        let raw = raw.trim();
        let (path, query) = if raw.starts_with("http://") || raw.starts_with("https://") {
            let url = url::Url::parse(raw).map_err(|_| InvalidPath::NotAPath)?;
            (url.path().to_owned(), url.query().map(str::to_owned))
        } else if raw.starts_with('/') && !raw.starts_with("//") {
            let without_fragment = raw.split('#').next().unwrap_or(raw);
            match without_fragment.split_once('?') {
                Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
                None => (without_fragment.to_owned(), None),
            }
        } else {
            return Err(InvalidPath::NotAPath);
        };
        let decoded = percent_encoding_decode(&path)?;
        if decoded.chars().any(char::is_control) {
            return Err(InvalidPath::Control);
        }
        if decoded.contains('\\') || raw.contains('\\') {
            return Err(InvalidPath::Backslash);
        }
        let mut normal = String::with_capacity(decoded.len());
        for segment in decoded.split('/').filter(|s| !s.is_empty()) {
            if segment == "." || segment == ".." {
                return Err(InvalidPath::DotSegments);
            }
            normal.push('/');
            normal.push_str(&slug::normalize(segment));
        }
        let root = normal.is_empty();
        if root {
            normal.push('/');
        }
        // The root's query is the page (WordPress: `/?p=123`, `/?page_id=7`); elsewhere only
        // a plain permalink's is.
        if let Some(query) = query.filter(|q| !q.is_empty() && (root || is_plain_permalink(q))) {
            let decoded = percent_encoding_decode(&query)?;
            normal.push('?');
            normal.push_str(&decoded);
        }
        if normal.chars().count() > MAX_CHARS {
            return Err(InvalidPath::TooLong);
        }
        Ok(SitePath(normal))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path of an article in Khabar's layout.
    pub fn of_article(language: &str, slug: &str) -> SitePath {
        SitePath(format!("/{language}/{slug}"))
    }

    pub fn of_topic(slug: &str) -> SitePath {
        SitePath(format!("/topics/{slug}"))
    }

    pub fn of_contributor(slug: &str) -> SitePath {
        SitePath(format!("/contributors/{slug}"))
    }

    /// This path without the site's own base path (`/news` of `https://example.com/news/`),
    /// when it is under it.
    pub fn within(&self, base: &str) -> Option<SitePath> {
        let base = base.trim_end_matches('/');
        if base.is_empty() {
            return Some(self.clone());
        }
        let rest = self.0.strip_prefix(base)?;
        if rest.is_empty() {
            Some(SitePath("/".into()))
        } else if rest.starts_with('/') {
            Some(SitePath(rest.to_owned()))
        } else {
            None
        }
    }

    /// What the path shows in Khabar's layout, if it has that shape.
    pub fn shows(&self) -> Shows {
        let segments: Vec<&str> = self.0.split('/').filter(|s| !s.is_empty()).collect();
        match segments.as_slice() {
            ["topics", candidate] => slug::parse(candidate).map_or(Shows::Other, Shows::Topic),
            ["contributors", candidate] => slug::parse(candidate).map_or(Shows::Other, Shows::Contributor),
            [language, candidate] => match (Language::parse(language), slug::parse(candidate)) {
                (Ok(language), Ok(slug)) => Shows::Article {
                    language: language.as_str().to_owned(),
                    slug,
                },
                _ => Shows::Other,
            },
            _ => Shows::Other,
        }
    }
}

impl std::fmt::Display for SitePath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a path shows in Khabar's own layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shows {
    Article { language: String, slug: String },
    Topic(String),
    Contributor(String),
    Other,
}

fn percent_encoding_decode(text: &str) -> Result<String, InvalidPath> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .map(std::borrow::Cow::into_owned)
        .map_err(|_| InvalidPath::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_page_written_many_ways_is_one_path() {
        let arabic = "/ar/%D8%AE%D8%A8%D8%B1/";
        assert_eq!(SitePath::parse(arabic).unwrap().as_str(), "/ar/خبر");
        assert_eq!(SitePath::parse("/ar//خبر").unwrap().as_str(), "/ar/خبر");
        assert_eq!(
            SitePath::parse("https://old.example.com/ar/%d8%ae%d8%a8%d8%b1?utm=x#top")
                .unwrap()
                .as_str(),
            "/ar/خبر"
        );
        assert_eq!(SitePath::parse("/?p=123").unwrap().as_str(), "/?p=123");
        assert_eq!(SitePath::parse("/").unwrap().as_str(), "/");
        // NFC: "أ" as alef plus a combining hamza.
        assert_eq!(
            SitePath::parse("/ar/\u{627}\u{654}خبار").unwrap().as_str(),
            "/ar/\u{623}خبار"
        );
    }

    #[test]
    fn what_is_not_a_path_is_refused() {
        assert_eq!(SitePath::parse("ar/x"), Err(InvalidPath::NotAPath));
        assert_eq!(SitePath::parse("//evil.example/x"), Err(InvalidPath::NotAPath));
        assert_eq!(SitePath::parse("ftp://x/y"), Err(InvalidPath::NotAPath));
        assert_eq!(SitePath::parse("/a/../b"), Err(InvalidPath::DotSegments));
        assert_eq!(SitePath::parse("/a/%2e%2e/b"), Err(InvalidPath::DotSegments));
        assert_eq!(SitePath::parse("/%ff%fe"), Err(InvalidPath::NotUtf8));
        assert_eq!(SitePath::parse("/a%0Ab"), Err(InvalidPath::Control));
        assert_eq!(
            SitePath::parse(&format!("/{}", "a".repeat(2001))),
            Err(InvalidPath::TooLong)
        );
        assert_eq!(
            SitePath::parse("/100%").unwrap().as_str(),
            "/100%",
            "a lone % is kept"
        );
    }

    #[test]
    fn khabar_paths_say_what_they_show() {
        let article = SitePath::parse("/ar/محادثات-عسكرية").unwrap();
        assert_eq!(
            article.shows(),
            Shows::Article {
                language: "ar".into(),
                slug: "محادثات-عسكرية".into()
            }
        );
        assert_eq!(
            SitePath::parse("/topics/libya").unwrap().shows(),
            Shows::Topic("libya".into())
        );
        assert_eq!(
            SitePath::parse("/contributors/afp").unwrap().shows(),
            Shows::Contributor("afp".into())
        );
        assert_eq!(SitePath::parse("/2020/07/03/x").unwrap().shows(), Shows::Other);
        assert_eq!(SitePath::parse("/ar/Not_A_Slug").unwrap().shows(), Shows::Other);
        let under = SitePath::parse("/news/ar/x").unwrap();
        assert_eq!(under.within("/news/").unwrap().as_str(), "/ar/x");
        assert_eq!(under.within("/"), Some(under.clone()));
        assert_eq!(under.within("/new"), None);
    }
}
