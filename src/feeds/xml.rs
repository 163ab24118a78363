//! A small writer over quick-xml for the feed formats: elements with attributes, escaped text,
//! and characters XML 1.0 cannot carry removed.

use std::borrow::Cow;

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

pub struct Xml {
    writer: Writer<Vec<u8>>,
}

/// Drops characters XML 1.0 forbids (most C0 controls, U+FFFE, U+FFFF). Everything else,
/// Arabic and mixed-direction text included, passes through unchanged.
pub fn xml_safe(text: &str) -> Cow<'_, str> {
    let allowed =
        |c: char| matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}');
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|c| allowed(*c)).collect())
    }
}

impl Xml {
    pub fn new() -> Self {
        let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
        // Writing to a Vec cannot fail.
        let _ = writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        Xml { writer }
    }

    fn start<'a>(name: &'a str, attributes: &[(&str, &str)]) -> BytesStart<'a> {
        let mut start = BytesStart::new(name);
        for (key, value) in attributes {
            start.push_attribute((*key, xml_safe(value).as_ref()));
        }
        start
    }

    pub fn open(&mut self, name: &str, attributes: &[(&str, &str)]) {
        let _ = self
            .writer
            .write_event(Event::Start(Self::start(name, attributes)));
    }

    pub fn close(&mut self, name: &str) {
        let _ = self.writer.write_event(Event::End(BytesEnd::new(name)));
    }

    pub fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) {
        let _ = self
            .writer
            .write_event(Event::Empty(Self::start(name, attributes)));
    }

    /// `<name attributes>text</name>` for plain text in RSS, as the RSS Best Practices Profile
    /// asks (§ Character Data): `&`, `<` and `>` as hexadecimal character references, the form
    /// the widest range of aggregators reads as text, not markup.
    pub fn plain(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) {
        let safe = xml_safe(text);
        let mut encoded = String::with_capacity(safe.len());
        for c in safe.chars() {
            match c {
                '&' => encoded.push_str("&#x26;"),
                '<' => encoded.push_str("&#x3C;"),
                '>' => encoded.push_str("&#x3E;"),
                other => encoded.push(other),
            }
        }
        self.open(name, attributes);
        let _ = self
            .writer
            .write_event(Event::Text(BytesText::from_escaped(encoded)));
        self.close(name);
    }

    /// `<name attributes>text</name>`, the text escaped once: for elements whose content is
    /// text by definition (Atom text constructs, sitemaps) or HTML meant to be decoded as such.
    pub fn text(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) {
        self.open(name, attributes);
        let _ = self
            .writer
            .write_event(Event::Text(BytesText::new(&xml_safe(text))));
        self.close(name);
    }

    pub fn finish(self) -> String {
        String::from_utf8(self.writer.into_inner()).unwrap_or_default()
    }
}

impl Default for Xml {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_uses_hexadecimal_references() {
        let mut xml = Xml::new();
        xml.plain("title", &[], "A & B <img src=x onerror=alert(1)>");
        assert!(xml
            .finish()
            .ends_with("<title>A &#x26; B &#x3C;img src=x onerror=alert(1)&#x3E;</title>"),);
    }

    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        let mut xml = Xml::new();
        xml.text(
            "t",
            &[("a", "x\"<y>&")],
            "A & B <b> ]]> \u{0001}عربي\u{0008} mixed",
        );
        let out = xml.finish();
        assert!(
            out.ends_with("<t a=\"x&quot;&lt;y&gt;&amp;\">A &amp; B &lt;b&gt; ]]&gt; عربي mixed</t>"),
            "{out}"
        );
    }
}
