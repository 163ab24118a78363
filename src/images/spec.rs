//! What a rendition is: its parameters as they travel in a URL, the one canonical form that is
//! signed and names the stored file, and the geometry both the renderer and the URL builder use,
//! so that the width and height the API announces are the ones the file has.

use std::fmt::Write;

/// The longest side a rendition may ask for.
pub const MAX_SIDE: u32 = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Fills the box exactly, cropping around the focal point.
    Cover,
    /// Fits inside the box, keeping the whole picture.
    Contain,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Webp,
    Png,
}

impl Format {
    pub fn mime_type(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Webp => "image/webp",
            Format::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Webp => "webp",
            Format::Png => "png",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Webp => "webp",
            Format::Png => "png",
        }
    }
}

pub use crate::domain::framing::CropBox;

/// The parameters of one rendition. `None` means "as the original" (width, height) or "as the
/// client accepts" (format).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Spec {
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub fit: Option<Fit>,
    pub crop: Option<CropBox>,
    /// The focal point in thousandths of the width and height.
    pub focus: Option<(u16, u16)>,
    pub format: Option<Format>,
    pub quality: Option<u8>,
}

/// A parameter that cannot be a rendition's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {detail}")]
pub struct SpecError {
    pub field: String,
    pub detail: String,
}

fn invalid(field: &str, detail: impl Into<String>) -> SpecError {
    SpecError {
        field: field.to_owned(),
        detail: detail.into(),
    }
}

fn number<T>(field: &str, value: &str, low: T, high: T) -> Result<T, SpecError>
where
    T: std::str::FromStr + PartialOrd + Copy + std::fmt::Display,
{
    let parsed: T = value
        .parse()
        .map_err(|_| invalid(field, format!("'{value}' is not a whole number")))?;
    if parsed < low || parsed > high {
        return Err(invalid(field, format!("must be between {low} and {high}")));
    }
    Ok(parsed)
}

impl Spec {
    /// Parses a query string into the spec and its signature (`s`). Every parameter may appear
    /// once; an unknown one is refused rather than ignored, since it would not be signed.
    pub fn parse(query: &str) -> Result<(Spec, Option<String>), SpecError> {
        let mut spec = Spec::default();
        let mut signature = None;
        let mut seen = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            // Commas in crop and fp may arrive percent-encoded.
            let value = value.replace("%2C", ",").replace("%2c", ",");
            if seen.contains(&name) {
                return Err(invalid(name, "given more than once"));
            }
            seen.push(name);
            match name {
                "w" => spec.width = Some(number(name, &value, 1, MAX_SIDE)?),
                "h" => spec.height = Some(number(name, &value, 1, MAX_SIDE)?),
                "q" => spec.quality = Some(number(name, &value, 1, 100)?),
                "fit" => {
                    spec.fit = Some(match value.as_str() {
                        "cover" => Fit::Cover,
                        "contain" => Fit::Contain,
                        _ => return Err(invalid(name, "must be cover or contain")),
                    })
                }
                "fm" => {
                    spec.format = Some(match value.as_str() {
                        "jpeg" => Format::Jpeg,
                        "webp" => Format::Webp,
                        "png" => Format::Png,
                        _ => return Err(invalid(name, "must be jpeg, webp or png")),
                    })
                }
                "crop" => {
                    let parts: Vec<&str> = value.split(',').collect();
                    let [x, y, w, h] = parts[..] else {
                        return Err(invalid(name, "must be x,y,width,height in pixels"));
                    };
                    let limit = 100_000;
                    spec.crop = Some(CropBox {
                        x: number(name, x, 0, limit)?,
                        y: number(name, y, 0, limit)?,
                        width: number(name, w, 1, limit)?,
                        height: number(name, h, 1, limit)?,
                    });
                }
                "fp" => {
                    let Some((x, y)) = value.split_once(',') else {
                        return Err(invalid(
                            name,
                            "must be x,y in thousandths of the width and height",
                        ));
                    };
                    spec.focus = Some((number(name, x, 0, 1000)?, number(name, y, 0, 1000)?));
                }
                "s" => signature = Some(value),
                other => {
                    return Err(invalid(
                        other,
                        "unknown parameter; known are w, h, fit, crop, fp, fm, q and s",
                    ))
                }
            }
        }
        if spec.fit == Some(Fit::Cover) && (spec.width.is_none() || spec.height.is_none()) {
            return Err(invalid("fit", "cover needs both w and h"));
        }
        Ok((spec, signature))
    }

    /// The one spelling of this spec: what is signed, and what names the stored rendition.
    pub fn canonical(&self) -> String {
        let mut out = String::new();
        let mut add = |name: &str, value: String| {
            if !out.is_empty() {
                out.push('&');
            }
            let _ = write!(out, "{name}={value}");
        };
        if let Some(w) = self.width {
            add("w", w.to_string());
        }
        if let Some(h) = self.height {
            add("h", h.to_string());
        }
        if let Some(fit) = self.fit {
            add("fit", if fit == Fit::Cover { "cover" } else { "contain" }.into());
        }
        if let Some(c) = self.crop {
            add("crop", format!("{},{},{},{}", c.x, c.y, c.width, c.height));
        }
        if let Some((x, y)) = self.focus {
            add("fp", format!("{x},{y}"));
        }
        if let Some(format) = self.format {
            add("fm", format.name().into());
        }
        if let Some(q) = self.quality {
            add("q", q.to_string());
        }
        out
    }
}

/// What the renderer does to an original of `source` size: the region it takes and the size it
/// scales that region to. Never larger than the region: an image is not enlarged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub region: CropBox,
    pub width: u32,
    pub height: u32,
}

fn scaled(length: u32, numerator: u32, denominator: u32) -> u32 {
    ((u64::from(length) * u64::from(numerator) + u64::from(denominator) / 2) / u64::from(denominator)).max(1)
        as u32
}

/// The region of `within` with the aspect ratio `ratio_w:ratio_h`, as large as fits, centred on
/// the focal point (thousandths) and kept inside.
pub fn region_around(within: CropBox, ratio_w: u32, ratio_h: u32, focus: (u16, u16)) -> CropBox {
    let (w, h) =
        if u64::from(within.width) * u64::from(ratio_h) > u64::from(within.height) * u64::from(ratio_w) {
            (
                scaled(within.height, ratio_w, ratio_h).min(within.width),
                within.height,
            )
        } else {
            (
                within.width,
                scaled(within.width, ratio_h, ratio_w).min(within.height),
            )
        };
    let centre = |offset: u32, length: u32, part: u32, thousandths: u16| {
        let wanted =
            i64::from(offset) + i64::from(length) * i64::from(thousandths) / 1000 - i64::from(part) / 2;
        wanted.clamp(i64::from(offset), i64::from(offset + length - part)) as u32
    };
    CropBox {
        x: centre(within.x, within.width, w, focus.0),
        y: centre(within.y, within.height, h, focus.1),
        width: w,
        height: h,
    }
}

impl Spec {
    pub fn plan(&self, source_width: u32, source_height: u32) -> Plan {
        let whole = CropBox {
            x: 0,
            y: 0,
            width: source_width.max(1),
            height: source_height.max(1),
        };
        // A crop reaching past the picture is cut to the picture.
        let mut region = self
            .crop
            .map(|c| {
                let x = c.x.min(whole.width - 1);
                let y = c.y.min(whole.height - 1);
                CropBox {
                    x,
                    y,
                    width: c.width.min(whole.width - x),
                    height: c.height.min(whole.height - y),
                }
            })
            .unwrap_or(whole);
        let (width, height) = match (self.width, self.height) {
            (None, None) => (region.width, region.height),
            (Some(w), None) => {
                let w = w.min(region.width);
                (w, scaled(region.height, w, region.width))
            }
            (None, Some(h)) => {
                let h = h.min(region.height);
                (scaled(region.width, h, region.height), h)
            }
            (Some(w), Some(h)) if self.fit == Some(Fit::Cover) => {
                region = region_around(region, w, h, self.focus.unwrap_or((500, 500)));
                if w <= region.width && h <= region.height {
                    (w, h)
                } else {
                    (region.width, region.height)
                }
            }
            (Some(w), Some(h)) => {
                let w = w.min(region.width);
                let h = h.min(region.height);
                // The smaller of the two scales keeps the whole region inside the box.
                if u64::from(w) * u64::from(region.height) <= u64::from(h) * u64::from(region.width) {
                    (w, scaled(region.height, w, region.width))
                } else {
                    (scaled(region.width, h, region.height), h)
                }
            }
        };
        Plan {
            region,
            width,
            height,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_spells_one_way() {
        let (spec, signature) = Spec::parse("q=80&fm=webp&w=1200&h=675&fit=cover&s=abc").unwrap();
        assert_eq!(signature.as_deref(), Some("abc"));
        assert_eq!(spec.canonical(), "w=1200&h=675&fit=cover&fm=webp&q=80");
        let (again, _) = Spec::parse(&spec.canonical()).unwrap();
        assert_eq!(again, spec);
        let (crop, _) = Spec::parse("crop=1%2C2%2C3%2C4&fp=100,900").unwrap();
        assert_eq!(crop.canonical(), "crop=1,2,3,4&fp=100,900");
    }

    #[test]
    fn refuses_what_it_does_not_know_and_names_it() {
        for (query, field) in [
            ("w=0", "w"),
            ("w=5000", "w"),
            ("w=-1", "w"),
            ("w=1&w=2", "w"),
            ("q=101", "q"),
            ("fit=fill", "fit"),
            ("fit=cover&w=10", "fit"),
            ("fm=gif", "fm"),
            ("crop=1,2,3", "crop"),
            ("crop=1,2,0,4", "crop"),
            ("fp=1001,5", "fp"),
            ("dpr=2", "dpr"),
        ] {
            assert_eq!(Spec::parse(query).unwrap_err().field, field, "{query}");
        }
    }

    #[test]
    fn plans_never_enlarge_and_keep_the_ratio() {
        let spec = |q: &str| Spec::parse(q).unwrap().0;
        assert_eq!(spec("w=1200").plan(2400, 1600).height, 800);
        assert_eq!(spec("w=3000").plan(2400, 1600).width, 2400);
        let cover = spec("w=1200&h=630&fit=cover").plan(2400, 1600);
        assert_eq!((cover.width, cover.height), (1200, 630));
        assert_eq!((cover.region.width, cover.region.height), (2400, 1260));
        assert_eq!(cover.region.y, 170, "centred");
        let left = spec("w=100&h=100&fit=cover&fp=0,500").plan(2400, 1600);
        assert_eq!((left.region.x, left.region.width), (0, 1600));
        let contain = spec("w=1000&h=1000").plan(2400, 1600);
        assert_eq!((contain.width, contain.height), (1000, 667));
        let outside = spec("crop=2000,1500,1000,1000").plan(2400, 1600);
        assert_eq!((outside.width, outside.height), (400, 100));
    }
}
