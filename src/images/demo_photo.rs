//! Photos for the demo and for `khabar generate`: drawn from a seed (the same bytes on every
//! machine, nothing downloaded), large enough for every rendition, through the upload path.

use std::sync::OnceLock;

use image::ImageEncoder;

pub const WIDTH: u32 = 2400;
pub const HEIGHT: u32 = 1600;

/// How many different photos `khabar generate` shares among its articles.
pub const POOL: usize = 4;

/// A landscape: a sky in the photo's own colours, a sun, and two ranges of hills.
fn draw(variant: usize) -> image::RgbImage {
    let palette: [[f32; 3]; POOL] = [
        [30., 90., 160.],
        [160., 70., 40.],
        [40., 120., 90.],
        [90., 60., 140.],
    ];
    let sky = palette[variant % POOL];
    let sun = (
        (600 + 400 * (variant % 3)) as f32,
        (420 + 60 * (variant % 2)) as f32,
    );
    image::RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let far = 1000.0 + 120.0 * (fx / 310.0 + variant as f32).sin() + 60.0 * (fx / 97.0).sin();
        let near = 1250.0 + 90.0 * (fx / 230.0 + 2.0 * variant as f32).cos() + 30.0 * (fx / 53.0).sin();
        let shade = |base: [f32; 3], k: f32| {
            image::Rgb([
                (base[0] * k).clamp(0.0, 255.0) as u8,
                (base[1] * k).clamp(0.0, 255.0) as u8,
                (base[2] * k).clamp(0.0, 255.0) as u8,
            ])
        };
        if fy > near {
            shade([60.0, 70.0, 40.0], 1.0 - (fy - near) / 1200.0)
        } else if fy > far {
            shade([110.0, 110.0, 90.0], 0.9)
        } else if (fx - sun.0).powi(2) + (fy - sun.1).powi(2) < 140.0f32.powi(2) {
            image::Rgb([250, 230, 170])
        } else {
            shade(sky, 0.6 + 0.8 * fy / HEIGHT as f32)
        }
    })
}

/// What an agency writes into its photos (IPTC IIM), so that the demo shows credits being read
/// from the file: Credit Line, Copyright Notice, Source, Date Created.
fn agency_metadata() -> Vec<u8> {
    super::embedded::app13_segment(&super::embedded::iim_records(&[
        (110, "AFP"),
        (116, "AFP"),
        (115, "AFP"),
        (55, "20200703"),
    ]))
}

fn encode(variant: usize) -> Vec<u8> {
    let image = draw(variant);
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 85)
        .write_image(image.as_raw(), WIDTH, HEIGHT, image::ExtendedColorType::Rgb8)
        .expect("encoding into memory does not fail");
    // The APP13 segment goes right after the start-of-image marker, as cameras and agency
    // tools place it.
    let mut out = plain[..2].to_vec();
    out.extend(agency_metadata());
    out.extend(&plain[2..]);
    out
}

/// The JPEG bytes of photo `variant`, drawn once per process.
pub fn jpeg(variant: usize) -> &'static [u8] {
    static PHOTOS: [OnceLock<Vec<u8>>; POOL] = [const { OnceLock::new() }; POOL];
    PHOTOS[variant % POOL].get_or_init(|| encode(variant))
}

#[cfg(test)]
mod tests {
    #[test]
    fn photos_are_large_deterministic_and_different() {
        let first = super::jpeg(0);
        assert_eq!(first, super::encode(0).as_slice());
        assert_ne!(first, super::jpeg(1));
        let probe = super::super::render::probe(first, 10_000_000).unwrap();
        assert_eq!((probe.width, probe.height), (2400, 1600));
        assert_eq!(probe.embedded.credit.as_deref(), Some("AFP"));
        assert_eq!(probe.embedded.created.as_deref(), Some("2020-07-03"));
    }
}
