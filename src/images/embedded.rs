//! The words a photo carries about itself: IPTC IIM (what news agencies write), XMP and EXIF.
//! An upload fills the asset's credit, copyright holder, caption and source from them when its
//! own metadata does not say. Where the three disagree, IPTC wins, then XMP, then EXIF: that
//! is the order agencies maintain them in, and the order the IPTC Photo Metadata Standard's
//! "reconciling" guidance gives for reading.
//!
//! Everything here reads hostile bytes: no index is trusted, every length is checked, and a
//! part that cannot be read is skipped rather than failing the upload.

use serde::Serialize;
use utoipa::ToSchema;

/// Texts longer than this are cut: the asset's fields hold 2,000 characters.
const MAX_CHARS: usize = 2_000;

/// What the file says.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Embedded {
    /// IPTC Credit Line (2:110), else XMP `photoshop:Credit`.
    pub credit: Option<String>,
    /// IPTC By-line (2:80), else XMP `dc:creator`, else EXIF Artist: the photographer.
    pub by_line: Option<String>,
    /// IPTC Copyright Notice (2:116), else XMP `dc:rights`, else EXIF Copyright.
    pub copyright: Option<String>,
    /// IPTC Caption/Abstract (2:120), else XMP `dc:description`, else EXIF ImageDescription.
    pub caption: Option<String>,
    /// IPTC Source (2:115), else XMP `photoshop:Source`.
    pub source: Option<String>,
    /// When the photo was taken: IPTC Date Created (2:55), else XMP `photoshop:DateCreated`,
    /// else EXIF DateTimeOriginal; as ISO 8601 (a date, or a date and time).
    pub created: Option<String>,
}

impl Embedded {
    /// Fields this one lacks, taken from `other`.
    fn or(self, other: Embedded) -> Embedded {
        Embedded {
            credit: self.credit.or(other.credit),
            by_line: self.by_line.or(other.by_line),
            copyright: self.copyright.or(other.copyright),
            caption: self.caption.or(other.caption),
            source: self.source.or(other.source),
            created: self.created.or(other.created),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Embedded::default()
    }
}

/// Fills the asset's fields the uploader left empty from what the file says (the uploader's
/// own fields win) and names the fields so filled. The credit is the Credit Line, else the
/// photographer; the creator is the photographer (By-line).
pub fn fill_empty(input: &mut crate::domain::catalog::MediaInput, embedded: &Embedded) -> Vec<&'static str> {
    let mut filled = Vec::new();
    for (name, field, value) in [
        (
            "credit",
            &mut input.credit,
            embedded.credit.as_ref().or(embedded.by_line.as_ref()),
        ),
        (
            "copyright_holder",
            &mut input.copyright_holder,
            embedded.copyright.as_ref(),
        ),
        ("creator", &mut input.creator, embedded.by_line.as_ref()),
        ("caption", &mut input.caption, embedded.caption.as_ref()),
        ("source", &mut input.source, embedded.source.as_ref()),
    ] {
        let empty = field.as_deref().is_none_or(|text| text.trim().is_empty());
        if let (true, Some(value)) = (empty, value) {
            *field = Some(value.clone());
            filled.push(name);
        }
    }
    filled
}

/// The metadata blocks as the decoder found them.
#[derive(Debug, Default, Clone)]
pub struct RawMetadata {
    /// A TIFF structure (`II*\0` or `MM\0*`).
    pub exif: Option<Vec<u8>>,
    pub xmp: Option<Vec<u8>>,
    /// Photoshop image resources (JPEG APP13), raw IIM records, or PNG's hex "raw profile".
    pub iptc: Option<Vec<u8>>,
}

pub fn read(raw: &RawMetadata) -> Embedded {
    let iptc = raw.iptc.as_deref().map(read_iptc).unwrap_or_default();
    let xmp = raw.xmp.as_deref().map(read_xmp).unwrap_or_default();
    let exif = raw.exif.as_deref().map(read_exif).unwrap_or_default();
    iptc.or(xmp).or(exif)
}

/// Trimmed, without control characters, cut to the fields' length; `None` when nothing is left.
fn clean(text: &str) -> Option<String> {
    let kept: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_CHARS)
        .collect();
    let trimmed = kept.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

// IPTC IIM (IPTC-NAA Information Interchange Model 4.2): records of `0x1C record dataset
// length(2) data`, inside Photoshop's image resource 0x0404 in a JPEG.

fn read_iptc(bytes: &[u8]) -> Embedded {
    let records = if bytes.first() == Some(&0x1C) {
        bytes.to_vec()
    } else if bytes.starts_with(b"8BIM") {
        photoshop_resource(bytes, 0x0404).unwrap_or_default()
    } else {
        png_raw_profile(bytes).unwrap_or_default()
    };
    let datasets = iim_datasets(&records);
    let utf8 = datasets
        .iter()
        .any(|(record, dataset, data)| (*record, *dataset) == (1, 90) && data.as_slice() == b"\x1b%G");
    let text = |wanted: u8| {
        datasets
            .iter()
            .filter(|(record, dataset, _)| *record == 2 && *dataset == wanted)
            .map(|(_, _, data)| decode_iim_text(data, utf8))
            .collect::<Vec<_>>()
    };
    let first = |wanted: u8| text(wanted).into_iter().find_map(|t| clean(&t));
    let by_lines: Vec<String> = text(80).iter().filter_map(|t| clean(t)).collect();
    let created = first(55).and_then(|date| {
        let date = iim_date(&date)?;
        Some(match first(60).and_then(|time| iim_time(&time)) {
            Some(time) => format!("{date}T{time}"),
            None => date,
        })
    });
    Embedded {
        credit: first(110),
        by_line: (!by_lines.is_empty()).then(|| by_lines.join(", ")),
        copyright: first(116),
        caption: first(120),
        source: first(115),
        created,
    }
}

/// The data of one Photoshop image resource: `8BIM id(2) name(pascal, padded even)
/// size(4) data(padded even)`, repeated.
fn photoshop_resource(bytes: &[u8], wanted: u16) -> Option<Vec<u8>> {
    let mut at = 0usize;
    while bytes.get(at..at + 4)? == b"8BIM" {
        let id = u16::from_be_bytes(bytes.get(at + 4..at + 6)?.try_into().ok()?);
        let name_len = usize::from(*bytes.get(at + 6)?);
        let mut cursor = at + 6 + 1 + name_len;
        if cursor % 2 == 1 {
            cursor += 1;
        }
        let size = u32::from_be_bytes(bytes.get(cursor..cursor + 4)?.try_into().ok()?) as usize;
        let start = cursor + 4;
        let data = bytes.get(start..start.checked_add(size)?)?;
        if id == wanted {
            return Some(data.to_vec());
        }
        at = start + size + size % 2;
    }
    None
}

/// PNG keeps IPTC as text: `\niptc\n  <length>\n<hex digits, in lines>`, the way ExifTool and
/// ImageMagick write it; the hex is Photoshop resources or IIM records.
fn png_raw_profile(bytes: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut lines = text.trim_start().lines();
    let _kind = lines.next()?;
    let _length = lines.next()?;
    let hex: Vec<u8> = lines.flat_map(|l| l.trim().bytes()).collect();
    let decoded: Option<Vec<u8>> = hex
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect();
    let decoded = decoded?;
    if decoded.starts_with(b"Photoshop 3.0\0") {
        return photoshop_resource(&decoded[14..], 0x0404);
    }
    if decoded.starts_with(b"8BIM") {
        return photoshop_resource(&decoded, 0x0404);
    }
    Some(decoded)
}

fn iim_datasets(bytes: &[u8]) -> Vec<(u8, u8, Vec<u8>)> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while let Some(header) = bytes.get(at..at + 5) {
        if header[0] != 0x1C {
            break;
        }
        let (record, dataset) = (header[1], header[2]);
        let length = u16::from_be_bytes([header[3], header[4]]);
        // The extended form (high bit set) is for binary previews; no text dataset uses it.
        if length & 0x8000 != 0 {
            break;
        }
        let start = at + 5;
        let Some(data) = bytes.get(start..start + usize::from(length)) else {
            break;
        };
        out.push((record, dataset, data.to_vec()));
        at = start + usize::from(length);
    }
    out
}

/// IIM text is UTF-8 when 1:90 says so; otherwise it is whatever the writer used, which for
/// agency feeds is overwhelmingly UTF-8 or Latin-1: UTF-8 if it decodes, else Latin-1.
fn decode_iim_text(data: &[u8], declared_utf8: bool) -> String {
    match std::str::from_utf8(data) {
        Ok(text) => text.to_owned(),
        Err(_) if declared_utf8 => String::from_utf8_lossy(data).into_owned(),
        Err(_) => data.iter().map(|b| char::from(*b)).collect(),
    }
}

/// `CCYYMMDD` to `CCYY-MM-DD`, if it is a date.
fn iim_date(text: &str) -> Option<String> {
    let date = chrono::NaiveDate::parse_from_str(text.get(..8)?, "%Y%m%d").ok()?;
    Some(date.format("%Y-%m-%d").to_string())
}

/// `HHMMSS±HHMM` to `HH:MM:SS±HH:MM`.
fn iim_time(text: &str) -> Option<String> {
    let time = chrono::NaiveTime::parse_from_str(text.get(..6)?, "%H%M%S").ok()?;
    let zone = text
        .get(6..11)
        .filter(|z| z.starts_with(['+', '-']) && z[1..].bytes().all(|b| b.is_ascii_digit()));
    Some(match zone {
        Some(z) => format!("{}{}:{}", time.format("%H:%M:%S"), &z[..3], &z[3..]),
        None => time.format("%H:%M:%S").to_string(),
    })
}

// XMP (ISO 16684-1): RDF/XML. A property is an attribute of `rdf:Description`, or an element
// holding text, or an element holding an `rdf:Alt`/`rdf:Seq`/`rdf:Bag` of `rdf:li`.

fn read_xmp(bytes: &[u8]) -> Embedded {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(bytes);
    // Not trimmed: text after an entity reference keeps its leading space; `clean` trims the whole.
    reader.config_mut().trim_text(false);
    let mut found: Vec<(String, String)> = Vec::new();
    // The elements open, and the text gathered for the innermost wanted one: quick-xml hands
    // text and entity references (`&#169;`) over as separate events.
    let mut open: Vec<String> = Vec::new();
    let mut pending: Option<(String, String)> = None;
    let flush = |pending: &mut Option<(String, String)>, found: &mut Vec<(String, String)>| {
        if let Some(done) = pending.take() {
            found.push(done);
        }
    };
    let mut buffer = Vec::new();
    // A bound on the work a crafted document can cause.
    for _ in 0..100_000 {
        let event = reader.read_event_into(&mut buffer);
        let piece = match &event {
            Ok(Event::Text(text)) => text.decode().ok().map(|t| t.into_owned()),
            Ok(Event::GeneralRef(reference)) => match reference.resolve_char_ref() {
                Ok(Some(c)) => Some(c.to_string()),
                _ => reference
                    .decode()
                    .ok()
                    .and_then(|name| quick_xml::escape::resolve_predefined_entity(&name).map(str::to_owned)),
            },
            _ => None,
        };
        if let Some(piece) = piece {
            if let Some(property) = open.iter().rev().find(|n| is_wanted(n)) {
                match &mut pending {
                    Some((open_property, text)) if open_property == property => text.push_str(&piece),
                    _ => {
                        flush(&mut pending, &mut found);
                        pending = Some((property.clone(), piece));
                    }
                }
            }
            buffer.clear();
            continue;
        }
        match event {
            Ok(Event::Start(element)) => {
                flush(&mut pending, &mut found);
                collect_attributes(&element, &mut found);
                open.push(String::from_utf8_lossy(element.name().as_ref()).into_owned());
            }
            Ok(Event::Empty(element)) => {
                flush(&mut pending, &mut found);
                collect_attributes(&element, &mut found);
            }
            Ok(Event::End(_)) => {
                flush(&mut pending, &mut found);
                open.pop();
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
        buffer.clear();
    }
    flush(&mut pending, &mut found);
    let first = |property: &str| {
        found
            .iter()
            .filter(|(p, _)| p == property)
            .find_map(|(_, v)| clean(v))
    };
    let creators: Vec<String> = found
        .iter()
        .filter(|(p, _)| p == "dc:creator")
        .filter_map(|(_, v)| clean(v))
        .collect();
    Embedded {
        credit: first("photoshop:Credit"),
        by_line: (!creators.is_empty()).then(|| creators.join(", ")),
        copyright: first("dc:rights"),
        caption: first("dc:description"),
        source: first("photoshop:Source"),
        created: first("photoshop:DateCreated")
            .filter(|d| chrono::NaiveDate::parse_from_str(d.get(..10).unwrap_or(""), "%Y-%m-%d").is_ok()),
    }
}

const XMP_PROPERTIES: [&str; 6] = [
    "photoshop:Credit",
    "dc:creator",
    "dc:rights",
    "dc:description",
    "photoshop:Source",
    "photoshop:DateCreated",
];

fn is_wanted(name: &str) -> bool {
    XMP_PROPERTIES.contains(&name)
}

fn collect_attributes(element: &quick_xml::events::BytesStart, found: &mut Vec<(String, String)>) {
    for attribute in element.attributes().flatten() {
        let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
        if is_wanted(&key) {
            if let Ok(value) = attribute.unescape_value() {
                found.push((key, value.into_owned()));
            }
        }
    }
}

// EXIF (CIPA DC-008): the TIFF structure's first IFD, read by `kamadak-exif`.

fn read_exif(bytes: &[u8]) -> Embedded {
    let Ok(exif) = exif::Reader::new().read_raw(bytes.to_vec()) else {
        return Embedded::default();
    };
    let ascii = |tag: exif::Tag| {
        let field = exif.get_field(tag, exif::In::PRIMARY)?;
        match &field.value {
            exif::Value::Ascii(parts) => parts
                .iter()
                .map(|p| decode_iim_text(p, false))
                .find_map(|t| clean(&t)),
            _ => None,
        }
    };
    let created = ascii(exif::Tag::DateTimeOriginal).and_then(|t| {
        chrono::NaiveDateTime::parse_from_str(&t, "%Y:%m:%d %H:%M:%S")
            .ok()
            .map(|d| d.format("%Y-%m-%dT%H:%M:%S").to_string())
    });
    Embedded {
        credit: None,
        by_line: ascii(exif::Tag::Artist),
        copyright: ascii(exif::Tag::Copyright),
        caption: ascii(exif::Tag::ImageDescription),
        source: None,
        created,
    }
}

/// IIM records for tests and the demo photo: `(dataset, text)` in record 2, UTF-8 declared.
pub fn iim_records(fields: &[(u8, &str)]) -> Vec<u8> {
    let mut out = vec![0x1C, 1, 90, 0, 3, 0x1B, b'%', b'G'];
    for (dataset, text) in fields {
        let bytes = text.as_bytes();
        let length = u16::try_from(bytes.len()).unwrap_or(0x7FFF).min(0x7FFF);
        out.extend([0x1C, 2, *dataset]);
        out.extend(length.to_be_bytes());
        out.extend(&bytes[..usize::from(length)]);
    }
    out
}

/// A JPEG APP13 segment (marker included) holding `records` as Photoshop resource 0x0404.
pub fn app13_segment(records: &[u8]) -> Vec<u8> {
    let mut payload = b"Photoshop 3.0\0".to_vec();
    payload.extend(b"8BIM");
    payload.extend(0x0404u16.to_be_bytes());
    payload.extend([0, 0]); // an empty name, padded to even
    payload.extend((records.len() as u32).to_be_bytes());
    payload.extend(records);
    if records.len() % 2 == 1 {
        payload.push(0);
    }
    let mut segment = vec![0xFF, 0xED];
    segment.extend(((payload.len() + 2) as u16).to_be_bytes());
    segment.extend(payload);
    segment
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iptc_wins_over_xmp_and_exif_and_each_fills_what_the_others_lack() {
        let records = iim_records(&[
            (110, "أ ف ب"),
            (80, "Mahmud Turkia"),
            (55, "20200703"),
            (60, "183700+0200"),
        ]);
        // Past the marker, the length and "Photoshop 3.0\0": what the JPEG decoder hands over.
        let resources = app13_segment(&records)[4 + 14..].to_vec();
        let xmp = br#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
            <rdf:Description photoshop:Credit="XMP credit" photoshop:Source="AFP" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
              <dc:rights><rdf:Alt><rdf:li xml:lang="x-default">&#169; AFP 2020</rdf:li></rdf:Alt></dc:rights>
              <dc:creator><rdf:Seq><rdf:li>Someone Else</rdf:li></rdf:Seq></dc:creator>
            </rdf:Description></rdf:RDF></x:xmpmeta>"#;
        let raw = RawMetadata {
            exif: None,
            xmp: Some(xmp.to_vec()),
            iptc: Some(resources),
        };
        let read = read(&raw);
        assert_eq!(read.credit.as_deref(), Some("أ ف ب"));
        assert_eq!(read.by_line.as_deref(), Some("Mahmud Turkia"));
        assert_eq!(read.copyright.as_deref(), Some("© AFP 2020"));
        assert_eq!(read.source.as_deref(), Some("AFP"));
        assert_eq!(read.created.as_deref(), Some("2020-07-03T18:37:00+02:00"));
        assert_eq!(read.caption, None);
    }

    #[test]
    fn hostile_metadata_is_skipped_not_trusted() {
        // Lengths past the end, a resource claiming 4 GB, control characters, no text at all.
        for iptc in [
            vec![0x1C, 2, 110, 0xFF, 0x00, b'x'],
            b"8BIM\x04\x04\x00\x00\xff\xff\xff\xff".to_vec(),
            vec![0x1C, 2, 110, 0x80, 0x04, 0, 0, 0, 1, 0],
            b"\niptc\n 4\nzz".to_vec(),
        ] {
            let raw = RawMetadata {
                iptc: Some(iptc.clone()),
                ..RawMetadata::default()
            };
            assert!(read(&raw).is_empty(), "{iptc:?}");
        }
        let raw = RawMetadata {
            iptc: Some(iim_records(&[(110, "\u{7}  AFP\r\n")])),
            xmp: Some(b"<unclosed <<<".to_vec()),
            exif: Some(b"MM\0*garbage".to_vec()),
        };
        assert_eq!(read(&raw).credit.as_deref(), Some("AFP"));
        let long = "ا".repeat(5_000);
        let raw = RawMetadata {
            iptc: Some(iim_records(&[(120, &long)])),
            ..RawMetadata::default()
        };
        assert_eq!(read(&raw).caption.unwrap().chars().count(), MAX_CHARS);
    }
}
