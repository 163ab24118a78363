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

    /// `<name attributes>text</name>`, the text escaped.
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
