//! Reading a WordPress eXtended RSS file (WXR 1.0, 1.1 and 1.2, under `http` or `https`
//! namespaces: self-hosted WordPress writes the first, WordPress.com the second) one entry at
//! a time: the channel's own fields, then each author, category, tag, term and item as a small
//! tree of its elements. Nothing holds more than one entry; element names are matched by
//! namespace, not prefix. quick-xml expands no DTD, so a file cannot make it fetch or grow
//! anything. A file that is not well-formed XML is an error at its place (as libxml, which
//! WordPress's importer reads with, refuses it), never half a record: quick-xml leaves a few
//! well-formedness rules to its caller (a `]]>` in text, undeclared entities, comments), and
//! they are checked here.

use std::cell::Cell;
use std::io::BufRead;
use std::rc::Rc;

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

/// An element of an entry: its name (`wp:post_id`, `category`), attributes, text and children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
    /// The line the element starts on.
    pub line: u64,
}

impl Element {
    /// The text of the first child named `name`, if any.
    pub fn child(&self, name: &str) -> Option<&str> {
        self.children
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.text.as_str())
    }

    pub fn child_element(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One entry of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A field of the channel itself (`title`, `link`, `language`, `wp:base_site_url`, …).
    Channel(Element),
    /// `wp:author`, `wp:category`, `wp:tag`, `wp:term` or `item`.
    Record(Element),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct WxrError {
    pub line: u64,
    pub message: String,
}

/// The most text one entry may hold (a post's content, its meta values, its comments).
const MAX_ENTRY_TEXT: usize = 32 * 1024 * 1024;
/// How deep an entry's elements are kept (item → wp:postmeta → wp:meta_value).
const MAX_DEPTH: usize = 4;

/// Counts the lines of what the XML reader has consumed.
struct Lines<R> {
    inner: R,
    line: Rc<Cell<u64>>,
}

impl<R: BufRead> std::io::Read for Lines<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Lines<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        if let Ok(buffer) = self.inner.fill_buf() {
            let newlines = buffer[..amount.min(buffer.len())]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.line.set(self.line.get() + newlines as u64);
        }
        self.inner.consume(amount);
    }
}

pub struct WxrReader<R: BufRead> {
    reader: quick_xml::NsReader<Lines<R>>,
    line: Rc<Cell<u64>>,
    buffer: Vec<u8>,
    /// Names of the elements open, outermost first.
    path: Vec<String>,
    seen_rss: bool,
    /// A DOCTYPE may declare entities (never expanded here); without one, only XML's five
    /// exist and any other reference makes the file ill-formed.
    has_doctype: bool,
    /// Characters text may not hold (controls pasted from word processors), removed.
    pub removed_characters: u64,
}

impl<R: BufRead> WxrReader<R> {
    pub fn new(inner: R) -> Self {
        let line = Rc::new(Cell::new(1));
        let mut reader = quick_xml::NsReader::from_reader(Lines {
            inner,
            line: line.clone(),
        });
        reader.config_mut().trim_text(false);
        reader.config_mut().expand_empty_elements = true;
        reader.config_mut().check_comments = true;
        WxrReader {
            reader,
            line,
            buffer: Vec::new(),
            path: Vec::new(),
            seen_rss: false,
            has_doctype: false,
            removed_characters: 0,
        }
    }

    fn error(&self, message: impl Into<String>) -> WxrError {
        WxrError {
            line: self.line.get(),
            message: message.into(),
        }
    }

    /// The qualified name of a start tag, with the prefix its namespace has in WXR.
    fn name_of(resolved: &ResolveResult<'_>, local: &[u8]) -> String {
        let local = String::from_utf8_lossy(local);
        let prefix = match resolved {
            ResolveResult::Bound(namespace) => {
                let uri = String::from_utf8_lossy(namespace.as_ref());
                let unschemed = uri
                    .strip_prefix("https://")
                    .or_else(|| uri.strip_prefix("http://"))
                    .unwrap_or(&uri);
                if unschemed.starts_with("wordpress.org/export/")
                    && unschemed.trim_end_matches('/').ends_with("/excerpt")
                {
                    "excerpt"
                } else if unschemed.starts_with("wordpress.org/export/") {
                    "wp"
                } else if unschemed == "purl.org/rss/1.0/modules/content/" {
                    "content"
                } else if unschemed == "purl.org/dc/elements/1.1/" {
                    "dc"
                } else {
                    "other"
                }
            }
            _ => "",
        };
        if prefix.is_empty() {
            local.into_owned()
        } else {
            format!("{prefix}:{local}")
        }
    }

    /// The next entry, or `None` at the end of the channel.
    pub fn next_entry(&mut self) -> Result<Option<Entry>, WxrError> {
        // The elements of the entry being read, innermost last.
        let mut open: Vec<Element> = Vec::new();
        let mut text_budget = MAX_ENTRY_TEXT;
        loop {
            self.buffer.clear();
            let event = self
                .reader
                .read_resolved_event_into(&mut self.buffer)
                .map(|(resolved, event)| (Self::name_of_event(&resolved, &event), event.into_owned()));
            let (name, event) = match event {
                Ok(pair) => pair,
                Err(e) => return Err(self.error(format!("malformed XML: {e}"))),
            };
            match event {
                Event::Start(start) => {
                    let name = name.unwrap_or_default();
                    if !self.seen_rss {
                        if name != "rss" {
                            return Err(self.error(format!(
                                "not a WordPress export: the document is <{name}>, not <rss>"
                            )));
                        }
                        self.seen_rss = true;
                    }
                    self.path.push(name.clone());
                    let depth = self.path.len();
                    // rss(1) / channel(2) / entry(3) / …
                    if depth >= 3 && self.path[1] == "channel" {
                        if depth - 3 > MAX_DEPTH {
                            continue;
                        }
                        let mut attributes = Vec::new();
                        for attribute in start.attributes().flatten() {
                            let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
                            let value = attribute
                                .unescape_value()
                                .map(|v| v.into_owned())
                                .unwrap_or_else(|_| String::from_utf8_lossy(&attribute.value).into_owned());
                            attributes.push((key, value));
                        }
                        open.push(Element {
                            name,
                            attributes,
                            line: self.line.get(),
                            ..Element::default()
                        });
                    }
                }
                Event::End(_) => {
                    let depth = self.path.len();
                    self.path.pop();
                    if depth >= 3 && depth - 3 <= MAX_DEPTH {
                        if let Some(done) = open.pop() {
                            match open.last_mut() {
                                Some(parent) => parent.children.push(done),
                                None => {
                                    return Ok(Some(if is_record(&done.name) {
                                        Entry::Record(done)
                                    } else {
                                        Entry::Channel(done)
                                    }))
                                }
                            }
                        }
                    }
                    if depth == 2 {
                        // </channel>
                        return Ok(None);
                    }
                }
                Event::Text(text) => {
                    let piece = text.decode().map_err(|e| self.error(format!("bad text: {e}")))?;
                    if piece.contains("]]>") {
                        // XML 1.0 §2.4: `]]>` may not appear in text. It is a CDATA section
                        // that was closed early, so what follows it would be cut or misread.
                        return Err(self.error(
                            "malformed XML: ']]>' outside a CDATA section (a CDATA section ends early here)",
                        ));
                    }
                    self.add_text(&mut open, &piece, &mut text_budget)?;
                }
                Event::CData(data) => {
                    let piece = data.decode().map_err(|e| self.error(format!("bad CDATA: {e}")))?;
                    self.add_text(&mut open, &piece, &mut text_budget)?;
                }
                Event::GeneralRef(reference) => {
                    let piece = match reference.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) => {
                            let name = reference.decode().map(|n| n.into_owned()).unwrap_or_default();
                            match quick_xml::escape::resolve_predefined_entity(&name) {
                                Some(text) => text.to_owned(),
                                None if self.has_doctype => format!("&{name};"),
                                None => {
                                    return Err(self.error(format!(
                                        "malformed XML: the entity '&{name};' is not declared (HTML's entities belong inside CDATA)"
                                    )))
                                }
                            }
                        }
                        Err(e) => return Err(self.error(format!("malformed XML: {e}"))),
                    };
                    self.add_text(&mut open, &piece, &mut text_budget)?;
                }
                Event::Eof => {
                    if !self.seen_rss {
                        return Err(self.error("not a WordPress export: the file has no XML document"));
                    }
                    if self.path.is_empty() {
                        return Ok(None);
                    }
                    return Err(self.error(format!(
                        "the file ends inside <{}>: it is truncated",
                        self.path.last().map(String::as_str).unwrap_or("?")
                    )));
                }
                Event::DocType(_) => {
                    // Entities a DTD declares are never expanded; an unknown reference is kept
                    // as its text.
                    self.has_doctype = true;
                }
                _ => {}
            }
        }
    }

    fn name_of_event(resolved: &ResolveResult<'_>, event: &Event<'_>) -> Option<String> {
        match event {
            Event::Start(start) => Some(Self::name_of(resolved, start.local_name().as_ref())),
            _ => None,
        }
    }

    fn add_text(&mut self, open: &mut [Element], piece: &str, budget: &mut usize) -> Result<(), WxrError> {
        let Some(element) = open.last_mut() else {
            return Ok(());
        };
        let cleaned = crate::domain::text::cleaned(piece);
        self.removed_characters += (piece.chars().count() - cleaned.chars().count()) as u64;
        let piece = cleaned.as_ref();
        if piece.len() > *budget {
            return Err(self.error(format!(
                "an entry holds more than {} MiB of text",
                MAX_ENTRY_TEXT >> 20
            )));
        }
        *budget -= piece.len();
        element.text.push_str(piece);
        Ok(())
    }
}

fn is_record(name: &str) -> bool {
    matches!(name, "wp:author" | "wp:category" | "wp:tag" | "wp:term" | "item")
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
	<title>Site &amp; News</title>
	<wp:base_site_url>https://old.example.com</wp:base_site_url>
	<wp:author><wp:author_login><![CDATA[salma]]></wp:author_login></wp:author>
	<item>
		<title>One</title>
		<content:encoded><![CDATA[<p>a &amp; b</p>]]></content:encoded>
		<excerpt:encoded><![CDATA[short]]></excerpt:encoded>
		<category domain="category" nicename="world"><![CDATA[World]]></category>
		<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value><![CDATA[7]]></wp:meta_value></wp:postmeta>
	</item>
</channel>
</rss>"#;

    #[test]
    fn entries_come_one_at_a_time_with_their_lines() {
        let mut reader = WxrReader::new(FILE.as_bytes());
        let Some(Entry::Channel(title)) = reader.next_entry().unwrap() else {
            panic!()
        };
        assert_eq!(
            (title.name.as_str(), title.text.as_str()),
            ("title", "Site & News")
        );
        let Some(Entry::Channel(base)) = reader.next_entry().unwrap() else {
            panic!()
        };
        assert_eq!(base.name, "wp:base_site_url");
        let Some(Entry::Record(author)) = reader.next_entry().unwrap() else {
            panic!()
        };
        assert_eq!(author.child("wp:author_login"), Some("salma"));
        let Some(Entry::Record(item)) = reader.next_entry().unwrap() else {
            panic!()
        };
        assert_eq!(item.line, 11);
        assert_eq!(item.child("content:encoded"), Some("<p>a &amp; b</p>"));
        assert_eq!(item.child("excerpt:encoded"), Some("short"));
        let category = item.child_element("category").unwrap();
        assert_eq!(category.attribute("nicename"), Some("world"));
        let meta = item.child_element("wp:postmeta").unwrap();
        assert_eq!(meta.child("wp:meta_value"), Some("7"));
        assert_eq!(reader.next_entry().unwrap(), None);
    }

    #[test]
    fn broken_files_say_where() {
        let truncated = &FILE[..FILE.find("<excerpt:encoded>").unwrap()];
        let mut reader = WxrReader::new(truncated.as_bytes());
        let error = loop {
            match reader.next_entry() {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("a truncated file ended cleanly"),
                Err(e) => break e,
            }
        };
        assert!(error.message.contains("truncated"), "{error}");
        let error = WxrReader::new(&b"<html><body/></html>"[..])
            .next_entry()
            .unwrap_err();
        assert!(error.message.contains("not a WordPress export"), "{error}");
        let error = WxrReader::new(&b"<rss><channel><item><title>x</titl></item>"[..])
            .next_entry()
            .unwrap_err();
        assert!(error.message.contains("malformed XML"), "{error}");
        assert_eq!(WxrReader::new(&b""[..]).next_entry().unwrap_err().line, 1);
    }
}
