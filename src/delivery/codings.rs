//! Content codings made once (RFC 9110 §8.4): a representation's brotli and gzip forms are made
//! when it is made and kept, so that a request only picks bytes. An article's full form is
//! compiled into brotli and stored so; its identity and gzip forms are made from that once per
//! response cache fill. Lists, feeds and pages are coded once per fill.
//!
//! No zstd: every client that accepts it (browsers) accepts brotli, which compresses news JSON
//! smaller at the qualities used here, and the apps (OkHttp, URLSession) do not accept zstd.

use std::io::{Read, Write};
use std::sync::OnceLock;

use bytes::Bytes;

/// Bodies smaller than this are sent as they are: a coding's framing costs about what it saves.
pub const MIN_CODED_BYTES: usize = 860;

/// Brotli's quality: 5 is the knee of size against time for JSON and XML of a few to a few
/// hundred kilobytes (quality 11 is a tenth smaller and a hundred times slower).
const BROTLI_QUALITY: u32 = 5;
/// Brotli's window, 2^19 bytes: larger than any article, and 32 times less memory per
/// compressor than the 4 MB default.
const BROTLI_WINDOW: u32 = 19;
/// gzip's level: zlib's default, the usual balance.
const GZIP_LEVEL: u32 = 6;

/// A content coding Khabar sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coding {
    Identity,
    Gzip,
    Brotli,
}

impl Coding {
    /// The `Content-Encoding` value; none for identity.
    pub fn header(self) -> Option<&'static str> {
        match self {
            Coding::Identity => None,
            Coding::Gzip => Some("gzip"),
            Coding::Brotli => Some("br"),
        }
    }
}

/// The codings offered, most preferred first.
const OFFERED: [(Coding, &str); 2] = [(Coding::Brotli, "br"), (Coding::Gzip, "gzip")];

/// The coding to send for these `Accept-Encoding` values (RFC 9110 §12.5.3): the first of ours
/// with the highest non-zero weight; identity when none is acceptable (an excluded identity
/// still gets it rather than a 406).
pub fn negotiate<'a>(accept_encoding: impl IntoIterator<Item = &'a str>) -> Coding {
    let mut best: Option<(usize, f32)> = None;
    for value in accept_encoding {
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let weight = parts
                .find_map(|p| {
                    let p = p.trim();
                    p.strip_prefix("q=").or_else(|| p.strip_prefix("Q="))
                })
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if weight <= 0.0 {
                continue;
            }
            let Some(index) = OFFERED
                .iter()
                .position(|(_, offered)| name.eq_ignore_ascii_case(offered) || name == "*")
            else {
                continue;
            };
            let better = match best {
                None => true,
                Some((current, w)) => weight > w || (weight == w && index < current),
            };
            if better {
                best = Some((index, weight));
            }
        }
    }
    best.map_or(Coding::Identity, |(index, _)| OFFERED[index].0)
}

/// Whether a body of this media type is worth coding: text, JSON and XML; not images, audio,
/// video or archives, which are compressed already.
pub fn compressible(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.starts_with("text/")
        || essence.ends_with("json")
        || essence.ends_with("+xml")
        || essence == "application/xml"
        || essence == "application/javascript"
        || essence == "image/svg+xml"
}

/// The forms of one body: identity, and brotli and gzip when coding it pays.
#[derive(Debug, Default)]
pub struct Bodies {
    identity: OnceLock<Bytes>,
    gzip: Option<Bytes>,
    brotli: Option<Bytes>,
}

impl Bodies {
    /// A body sent as it is, whatever the client accepts.
    pub fn plain(identity: Bytes) -> Bodies {
        Bodies {
            identity: OnceLock::from(identity),
            gzip: None,
            brotli: None,
        }
    }

    /// A body with its coded forms made now, when it is large enough for them to pay.
    pub fn coded(identity: Bytes) -> Bodies {
        if identity.len() < MIN_CODED_BYTES {
            return Bodies::plain(identity);
        }
        Bodies {
            gzip: Some(gzip(&identity).into()),
            brotli: Some(brotli(&identity).into()),
            identity: OnceLock::from(identity),
        }
    }

    /// A body kept brotli-coded (an article's, in the delivery store): the identity form is
    /// decoded from it and the gzip form made, now, once.
    pub fn from_brotli(brotli: Bytes) -> std::io::Result<Bodies> {
        let identity = Bytes::from(unbrotli(&brotli)?);
        Ok(Bodies {
            gzip: Some(gzip(&identity).into()),
            brotli: Some(brotli),
            identity: OnceLock::from(identity),
        })
    }

    /// The identity form.
    pub fn identity(&self) -> &Bytes {
        // Every constructor sets it; the lock keeps `Bodies` shareable without a copy.
        self.identity.get_or_init(Bytes::new)
    }

    /// The bytes to send for `coding`, with the coding they are in: the coded form when there
    /// is one, else the identity.
    pub fn for_coding(&self, coding: Coding) -> (Coding, &Bytes) {
        let coded = match coding {
            Coding::Gzip => self.gzip.as_ref(),
            Coding::Brotli => self.brotli.as_ref(),
            Coding::Identity => None,
        };
        match coded {
            Some(bytes) => (coding, bytes),
            None => (Coding::Identity, self.identity()),
        }
    }

    /// Whether coded forms exist.
    pub fn is_coded(&self) -> bool {
        self.brotli.is_some()
    }

    /// Bytes held now (for the cache's weigher).
    pub fn weight(&self) -> usize {
        self.identity.get().map_or(0, Bytes::len)
            + self.gzip.as_ref().map_or(0, Bytes::len)
            + self.brotli.as_ref().map_or(0, Bytes::len)
    }
}

/// gzip at the level above.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 3 + 64),
        flate2::Compression::new(GZIP_LEVEL),
    );
    // Writing to a Vec cannot fail.
    encoder.write_all(data).expect("writes to memory");
    encoder.finish().expect("writes to memory")
}

/// Brotli at the quality and window above.
pub fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 4 + 64);
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, BROTLI_QUALITY, BROTLI_WINDOW);
        writer.write_all(data).expect("writes to memory");
    }
    out
}

/// The bytes of a gzip stream.
pub fn gunzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() * 4);
    flate2::read::GzDecoder::new(data).read_to_end(&mut out)?;
    Ok(out)
}

/// The bytes of a brotli stream.
pub fn unbrotli(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() * 5);
    brotli::Decompressor::new(data, 4096).read_to_end(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_by_weight_then_preference() {
        let pick = |value: &str| negotiate([value]);
        assert_eq!(pick("gzip, deflate, br, zstd"), Coding::Brotli, "a browser");
        assert_eq!(pick("gzip"), Coding::Gzip, "OkHttp");
        assert_eq!(pick("gzip, deflate, br"), Coding::Brotli, "URLSession");
        assert_eq!(pick("gzip;q=1, br;q=0.5"), Coding::Gzip);
        assert_eq!(pick("br;q=0, gzip"), Coding::Gzip);
        assert_eq!(pick("*"), Coding::Brotli);
        assert_eq!(pick("identity"), Coding::Identity);
        assert_eq!(pick("gzip;q=0, br;q=0"), Coding::Identity);
        assert_eq!(pick("zstd"), Coding::Identity);
        assert_eq!(pick("GZIP"), Coding::Gzip);
        assert_eq!(negotiate([]), Coding::Identity);
        assert_eq!(
            negotiate(["gzip;q=0.5", "br;q=0.8"]),
            Coding::Brotli,
            "several headers"
        );
    }

    #[test]
    fn every_form_decodes_to_the_identity() {
        let text =
            serde_json::json!({"headline": "محادثات عسكرية وأمنية", "n": (0..400).collect::<Vec<_>>()})
                .to_string();
        let bodies = Bodies::coded(Bytes::from(text.clone()));
        let (coding, gz) = bodies.for_coding(Coding::Gzip);
        assert_eq!(coding, Coding::Gzip);
        assert_eq!(gunzip(gz).unwrap(), text.as_bytes());
        let (coding, br) = bodies.for_coding(Coding::Brotli);
        assert_eq!(coding, Coding::Brotli);
        assert_eq!(unbrotli(br).unwrap(), text.as_bytes());
        assert!(
            br.len() < gz.len() && gz.len() < text.len(),
            "{} {} {}",
            br.len(),
            gz.len(),
            text.len()
        );
        // Kept only as brotli, the other forms come back from it.
        let stored = Bodies::from_brotli(br.clone()).unwrap();
        assert_eq!(stored.identity(), text.as_bytes());
        assert_eq!(
            gunzip(stored.for_coding(Coding::Gzip).1).unwrap(),
            text.as_bytes()
        );
        assert!(Bodies::from_brotli(Bytes::from_static(b"not brotli")).is_err());
    }

    #[test]
    fn small_bodies_are_sent_as_they_are() {
        let bodies = Bodies::coded(Bytes::from_static(b"{\"data\":[]}"));
        assert!(!bodies.is_coded());
        let (coding, bytes) = bodies.for_coding(Coding::Brotli);
        assert_eq!(
            (coding, bytes.as_ref()),
            (Coding::Identity, b"{\"data\":[]}".as_ref())
        );
        let tiny = Bodies::from_brotli(brotli(b"{}").into()).unwrap();
        assert_eq!(tiny.identity().as_ref(), b"{}");
    }
}
