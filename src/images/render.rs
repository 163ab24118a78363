//! Decoding an original and making a rendition of it. Every rendition is encoded afresh from
//! pixels, so nothing of the original's metadata (EXIF with GPS positions, XMP, IPTC) and no
//! bytes of a polyglot file survive; only the colour profile is carried over, to JPEGs.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageEncoder};

use super::embedded::{self, Embedded, RawMetadata};
use super::spec::{Format, Plan, Spec};

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the image cannot be decoded: {0}")]
    Undecodable(String),
    #[error("the image is {width}×{height} pixels; at most {max} pixels in all are accepted")]
    TooManyPixels { width: u32, height: u32, max: u64 },
    #[error("the rendition cannot be encoded: {0}")]
    Encode(String),
}

/// What decoding tells about an original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// As displayed, after the EXIF orientation.
    pub width: u32,
    pub height: u32,
    pub has_alpha: bool,
    /// More than one frame: renditions show the first.
    pub animated: bool,
    /// The credits and caption embedded in the file.
    pub embedded: Embedded,
}

struct Decoded {
    image: DynamicImage,
    icc_profile: Option<Vec<u8>>,
    animated: bool,
    metadata: RawMetadata,
}

fn decode(original: &[u8], max_pixels: u64) -> Result<Decoded, RenderError> {
    let undecodable = |e: image::ImageError| RenderError::Undecodable(e.to_string());
    let mut reader = image::ImageReader::new(Cursor::new(original))
        .with_guessed_format()
        .map_err(|e| RenderError::Undecodable(e.to_string()))?;
    // The declared size is checked before a pixel is allocated, and the decoder's own
    // allocations are capped, so that a small file declaring a huge canvas is refused.
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(max_pixels.saturating_mul(8).saturating_add(64 << 20));
    reader.limits(limits);
    let format = reader.format();
    if format == Some(image::ImageFormat::Jpeg) && !jpeg_is_complete(original) {
        return Err(RenderError::Undecodable(
            "the JPEG is truncated: its last scan has no end".into(),
        ));
    }
    let mut decoder = reader.into_decoder().map_err(undecodable)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(RenderError::TooManyPixels {
            width,
            height,
            max: max_pixels,
        });
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let icc_profile = decoder.icc_profile().ok().flatten().filter(|p| describes_rgb(p));
    // Unreadable metadata is no reason to refuse a photo: it is read as absent.
    let metadata = RawMetadata {
        exif: decoder.exif_metadata().ok().flatten(),
        xmp: decoder.xmp_metadata().ok().flatten(),
        iptc: decoder.iptc_metadata().ok().flatten(),
    };
    let mut image = DynamicImage::from_decoder(decoder).map_err(undecodable)?;
    image.apply_orientation(orientation);
    let animated = match format {
        Some(image::ImageFormat::Gif) => gif_frames(original) > 1,
        Some(image::ImageFormat::WebP) => image::codecs::webp::WebPDecoder::new(Cursor::new(original))
            .map(|d| d.has_animation())
            .unwrap_or(false),
        _ => false,
    };
    Ok(Decoded {
        image,
        icc_profile,
        animated,
        metadata,
    })
}

/// Whether an ICC profile describes RGB data (its header's colour space, bytes 16 to 19). Every
/// rendition is RGB, so the profile of a CMYK or greyscale original would tell viewers to read
/// its pixels wrongly: such a profile is dropped, and the pixels are taken as sRGB.
fn describes_rgb(profile: &[u8]) -> bool {
    profile.get(16..20) == Some(b"RGB ".as_slice())
}

/// The JPEG decoder fills a truncated scan with grey rather than failing, so completeness is
/// checked here: the end-of-image marker must follow the last start-of-scan marker. Neither can
/// occur inside entropy-coded data (an 0xFF there is stuffed with 0x00), and an embedded EXIF
/// thumbnail's markers come before the main image's.
fn jpeg_is_complete(original: &[u8]) -> bool {
    let marker = |pair: &[u8], code: u8| pair[0] == 0xFF && pair[1] == code;
    let Some(last_scan) = original.windows(2).rposition(|pair| marker(pair, 0xDA)) else {
        return false;
    };
    original[last_scan..].windows(2).any(|pair| marker(pair, 0xD9))
}

/// Frames of a GIF, counted up to two without decoding them.
fn gif_frames(original: &[u8]) -> usize {
    use image::AnimationDecoder;
    image::codecs::gif::GifDecoder::new(Cursor::new(original))
        .map(|d| d.into_frames().take(2).filter(|f| f.is_ok()).count())
        .unwrap_or(1)
}

/// Decodes the whole image (so that a corrupt or truncated upload is refused when it is
/// uploaded, not when a reader first asks for it) and reports what it is.
pub fn probe(original: &[u8], max_pixels: u64) -> Result<Probe, RenderError> {
    let decoded = decode(original, max_pixels)?;
    Ok(Probe {
        width: decoded.image.width(),
        height: decoded.image.height(),
        has_alpha: decoded.image.color().has_alpha(),
        animated: decoded.animated,
        embedded: embedded::read(&decoded.metadata),
    })
}

/// A rendition, encoded.
#[derive(Debug)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub format: Format,
    pub width: u32,
    pub height: u32,
}

pub fn render(
    original: &[u8],
    spec: &Spec,
    format: Format,
    max_pixels: u64,
) -> Result<Rendered, RenderError> {
    let decoded = decode(original, max_pixels)?;
    let keep_alpha = format != Format::Jpeg && decoded.image.color().has_alpha();
    // Eight bits a channel for every encoder: 16-bit and float images are reduced, CMYK was
    // converted by the decoder.
    let image = if keep_alpha {
        DynamicImage::ImageRgba8(decoded.image.to_rgba8())
    } else {
        DynamicImage::ImageRgb8(decoded.image.to_rgb8())
    };
    let plan = spec.plan(image.width(), image.height());
    let resized = resize(&image, &plan)?;
    let quality = spec.quality.unwrap_or(82);
    let (width, height) = (resized.width(), resized.height());
    let mut bytes = Vec::new();
    let encode_error = |e: image::ImageError| RenderError::Encode(e.to_string());
    match format {
        Format::Jpeg => {
            let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality);
            if let Some(profile) = decoded.icc_profile {
                // A profile the encoder cannot carry is dropped; the pixels are still right in sRGB viewers.
                let _ = encoder.set_icc_profile(profile);
            }
            encoder
                .write_image(resized.as_bytes(), width, height, resized.color().into())
                .map_err(encode_error)?;
        }
        Format::Png => {
            image::codecs::png::PngEncoder::new(&mut bytes)
                .write_image(resized.as_bytes(), width, height, resized.color().into())
                .map_err(encode_error)?;
        }
        Format::Webp => {
            let encoder = if keep_alpha {
                webp::Encoder::from_rgba(resized.as_bytes(), width, height)
            } else {
                webp::Encoder::from_rgb(resized.as_bytes(), width, height)
            };
            let encoded = encoder
                .encode_simple(false, f32::from(quality))
                .map_err(|e| RenderError::Encode(format!("{e:?}")))?;
            bytes.extend_from_slice(&encoded);
        }
    }
    Ok(Rendered {
        bytes,
        format,
        width,
        height,
    })
}

fn resize(image: &DynamicImage, plan: &Plan) -> Result<DynamicImage, RenderError> {
    use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
    let region = plan.region;
    if (plan.width, plan.height) == (region.width, region.height) {
        return Ok(
            if (region.width, region.height) == (image.width(), image.height()) {
                image.clone()
            } else {
                image.crop_imm(region.x, region.y, region.width, region.height)
            },
        );
    }
    let mut resized = DynamicImage::new(plan.width, plan.height, image.color());
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
        .crop(
            f64::from(region.x),
            f64::from(region.y),
            f64::from(region.width),
            f64::from(region.height),
        );
    Resizer::new()
        .resize(image, &mut resized, &options)
        .map_err(|e| RenderError::Encode(e.to_string()))?;
    Ok(resized)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cmyk_jpeg_renders_in_its_colours_without_a_cmyk_profile() {
        // Made by Pillow: Adobe-style (inverted) CMYK, left half red, right half blue.
        let cmyk = include_bytes!("../../tests/fixtures/images/cmyk.jpg");
        let spec = Spec::default();
        for format in [Format::Jpeg, Format::Webp, Format::Png] {
            let rendered = render(cmyk, &spec, format, 1_000_000).unwrap();
            let pixels = image::load_from_memory(&rendered.bytes).unwrap().to_rgb8();
            let (red, blue) = (pixels.get_pixel(8, 16).0, pixels.get_pixel(56, 16).0);
            assert!(red[0] > 200 && red[1] < 60 && red[2] < 60, "{format:?}: {red:?}");
            assert!(
                blue[0] < 60 && blue[1] < 60 && blue[2] > 200,
                "{format:?}: {blue:?}"
            );
        }
        let mut profile = vec![0u8; 128];
        profile[16..20].copy_from_slice(b"CMYK");
        assert!(!describes_rgb(&profile));
        profile[16..20].copy_from_slice(b"GRAY");
        assert!(!describes_rgb(&profile));
        profile[16..20].copy_from_slice(b"RGB ");
        assert!(describes_rgb(&profile));
        assert!(!describes_rgb(b"short"));
    }

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
            .write_image(image.as_raw(), width, height, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    #[test]
    fn renders_every_format_at_the_planned_size() {
        let original = jpeg(400, 300);
        let (spec, _) = Spec::parse("w=200&h=200&fit=cover").unwrap();
        for format in [Format::Jpeg, Format::Webp, Format::Png] {
            let rendered = render(&original, &spec, format, 1_000_000).unwrap();
            assert_eq!((rendered.width, rendered.height), (200, 200));
            let back = image::load_from_memory(&rendered.bytes).unwrap();
            assert_eq!((back.width(), back.height()), (200, 200), "{format:?}");
            assert_eq!(
                image::guess_format(&rendered.bytes).unwrap().to_mime_type(),
                format.mime_type()
            );
        }
    }

    #[test]
    fn refuses_corrupt_truncated_and_oversized_images() {
        let original = jpeg(400, 300);
        assert!(matches!(
            probe(&original[..original.len() / 3], 1_000_000),
            Err(RenderError::Undecodable(_))
        ));
        assert!(matches!(
            probe(b"GIF89a<html>", 1_000_000),
            Err(RenderError::Undecodable(_))
        ));
        assert!(matches!(
            probe(&original, 1000),
            Err(RenderError::TooManyPixels {
                width: 400,
                height: 300,
                ..
            })
        ));
        assert_eq!(
            probe(&original, 1_000_000).unwrap(),
            Probe {
                width: 400,
                height: 300,
                has_alpha: false,
                animated: false,
                embedded: Embedded::default(),
            }
        );
    }

    #[test]
    fn an_animated_gif_is_said_to_be_and_renders_its_first_frame() {
        use image::codecs::gif::GifEncoder;
        let mut out = Vec::new();
        {
            let mut encoder = GifEncoder::new(&mut out);
            for shade in [10u8, 250] {
                let frame = image::RgbaImage::from_pixel(8, 8, image::Rgba([shade, shade, shade, 255]));
                encoder.encode_frame(image::Frame::new(frame)).unwrap();
            }
        }
        assert!(probe(&out, 1000).unwrap().animated);
        let first = render(&out, &Spec::default(), Format::Png, 1000).unwrap();
        let pixel = image::load_from_memory(&first.bytes)
            .unwrap()
            .to_rgb8()
            .get_pixel(0, 0)
            .0;
        assert!(pixel[0] < 50, "the first frame is the dark one: {pixel:?}");
    }

    /// `jpeg` with an APP1 EXIF segment holding only an orientation.
    fn with_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
        let mut tiff: Vec<u8> = b"MM\0\x2a\0\0\0\x08\0\x01".to_vec();
        tiff.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1]);
        tiff.extend(orientation.to_be_bytes());
        tiff.extend([0, 0, 0, 0, 0, 0]);
        let mut segment = b"Exif\0\0".to_vec();
        segment.extend(tiff);
        let mut out = jpeg[..2].to_vec();
        out.extend([0xFF, 0xE1]);
        out.extend(((segment.len() + 2) as u16).to_be_bytes());
        out.extend(segment);
        out.extend(&jpeg[2..]);
        out
    }

    #[test]
    fn every_exif_orientation_is_applied() {
        // 40×20 stored, red in the top-left quadrant only.
        let stored = image::RgbImage::from_fn(40, 20, |x, y| {
            if x < 20 && y < 10 {
                image::Rgb([255, 0, 0])
            } else {
                image::Rgb([0, 0, 0])
            }
        });
        let mut plain = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 95)
            .write_image(stored.as_raw(), 40, 20, image::ExtendedColorType::Rgb8)
            .unwrap();
        // Where the red quadrant is shown (TL, TR, BR, BL), by EXIF orientation 1 to 8.
        let expected = ["TL", "TR", "BR", "BL", "TL", "TR", "BR", "BL"];
        for (orientation, corner) in (1u16..=8).zip(expected) {
            let file = with_orientation(&plain, orientation);
            let probe = probe(&file, 10_000).unwrap();
            let turned = orientation >= 5;
            assert_eq!(
                (probe.width, probe.height),
                if turned { (20, 40) } else { (40, 20) },
                "{orientation}"
            );
            let shown = render(&file, &Spec::default(), Format::Png, 10_000).unwrap();
            let pixels = image::load_from_memory(&shown.bytes).unwrap().to_rgb8();
            let (w, h) = pixels.dimensions();
            let red = |x: u32, y: u32| pixels.get_pixel(x, y).0[0] > 128;
            let found = [
                ("TL", red(w / 4, h / 4)),
                ("TR", red(3 * w / 4, h / 4)),
                ("BR", red(3 * w / 4, 3 * h / 4)),
                ("BL", red(w / 4, 3 * h / 4)),
            ];
            let reds: Vec<&str> = found.iter().filter(|(_, r)| *r).map(|(c, _)| *c).collect();
            assert_eq!(reds, [corner], "orientation {orientation}");
        }
    }

    #[test]
    fn sixteen_bit_and_greyscale_images_render_in_eight_bits() {
        let deep = image::ImageBuffer::<image::Rgb<u16>, _>::from_fn(64, 32, |x, _| {
            image::Rgb([x as u16 * 1000, 40_000, 65_535])
        });
        let mut png = Vec::new();
        DynamicImage::ImageRgb16(deep)
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        assert_eq!(
            image::load_from_memory(&png).unwrap().color(),
            image::ColorType::Rgb16
        );
        let grey = image::GrayImage::from_pixel(64, 32, image::Luma([77]));
        let mut grey_png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut grey_png)
            .write_image(grey.as_raw(), 64, 32, image::ExtendedColorType::L8)
            .unwrap();
        for file in [png, grey_png] {
            for format in [Format::Jpeg, Format::Webp, Format::Png] {
                let (spec, _) = Spec::parse("w=32").unwrap();
                let rendered = render(&file, &spec, format, 10_000).unwrap();
                let back = image::load_from_memory(&rendered.bytes).unwrap();
                assert_eq!((back.width(), back.height()), (32, 16), "{format:?}");
            }
        }
    }

    #[test]
    fn a_decompression_bomb_is_refused_before_it_is_inflated() {
        // 3000×3000 zeros: a few kilobytes that inflate to 9 MB of pixels.
        let zeros = image::GrayImage::new(3000, 3000);
        let mut bomb = Vec::new();
        image::codecs::png::PngEncoder::new(&mut bomb)
            .write_image(zeros.as_raw(), 3000, 3000, image::ExtendedColorType::L8)
            .unwrap();
        assert!(bomb.len() < 100_000, "{}", bomb.len());
        assert!(matches!(
            probe(&bomb, 1_000_000),
            Err(RenderError::TooManyPixels {
                width: 3000,
                height: 3000,
                ..
            })
        ));
    }
}
