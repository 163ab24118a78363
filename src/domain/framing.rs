//! How a photo is framed for each shape it is shown in: the point that must stay in view
//! (the focal point) and, per aspect ratio, a box an editor chose. Renditions that crop use the
//! editor's box when there is one, else the largest box of that ratio centred on the focal point.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::validation::{Checks, FieldCode, FieldError};

/// Where the subject is, in thousandths of the width and of the height from the top left:
/// `{"x": 500, "y": 500}` is the centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FocalPoint {
    #[schema(minimum = 0, maximum = 1000)]
    pub x: u16,
    #[schema(minimum = 0, maximum = 1000)]
    pub y: u16,
}

impl FocalPoint {
    pub const CENTRE: FocalPoint = FocalPoint { x: 500, y: 500 };
}

/// A region of the picture as displayed (after its EXIF orientation), in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CropBox {
    pub x: u32,
    pub y: u32,
    #[schema(minimum = 1)]
    pub width: u32,
    #[schema(minimum = 1)]
    pub height: u32,
}

/// The shapes consumers ask for: Google's article images (1:1, 4:3, 16:9) and the 3:2 of most
/// cameras.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
pub enum CropRatio {
    #[serde(rename = "1x1")]
    Square,
    #[serde(rename = "4x3")]
    FourThree,
    #[serde(rename = "3x2")]
    ThreeTwo,
    #[serde(rename = "16x9")]
    Wide,
}

impl CropRatio {
    pub const ALL: [CropRatio; 4] = [
        CropRatio::Square,
        CropRatio::FourThree,
        CropRatio::ThreeTwo,
        CropRatio::Wide,
    ];

    /// As in rendition names (`16x9-1200.jpg`).
    pub fn name(self) -> &'static str {
        match self {
            CropRatio::Square => "1x1",
            CropRatio::FourThree => "4x3",
            CropRatio::ThreeTwo => "3x2",
            CropRatio::Wide => "16x9",
        }
    }

    /// (width, height) of the ratio.
    pub fn sides(self) -> (u32, u32) {
        match self {
            CropRatio::Square => (1, 1),
            CropRatio::FourThree => (4, 3),
            CropRatio::ThreeTwo => (3, 2),
            CropRatio::Wide => (16, 9),
        }
    }
}

/// The `crops` object as the contract describes it: one optional box per ratio, nothing else.
#[derive(ToSchema)]
#[schema(as = Crops)]
#[allow(dead_code)]
pub struct CropsSchema {
    #[schema(rename = "1x1", nullable = false)]
    square: Option<CropBox>,
    #[schema(rename = "4x3", nullable = false)]
    four_three: Option<CropBox>,
    #[schema(rename = "3x2", nullable = false)]
    three_two: Option<CropBox>,
    #[schema(rename = "16x9", nullable = false)]
    wide: Option<CropBox>,
}

/// An asset's framing as stored (one JSON column).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Framing {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub focal_point: Option<FocalPoint>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub crops: BTreeMap<CropRatio, CropBox>,
}

/// A box may miss its ratio by this much (in thousandths), for the rounding of whole pixels.
const RATIO_TOLERANCE: u64 = 10;

/// Checks the framing against the picture's size, when it is known.
pub fn check(
    checks: &mut Checks,
    focal_point: Option<FocalPoint>,
    crops: &BTreeMap<CropRatio, CropBox>,
    size: Option<(i32, i32)>,
) {
    if let Some(point) = focal_point {
        for (field, value) in [("/focal_point/x", point.x), ("/focal_point/y", point.y)] {
            if value > 1000 {
                checks.push(
                    FieldError::coded(
                        field,
                        FieldCode::OutOfRange,
                        "must be from 0 to 1000 (thousandths of the picture)",
                    )
                    .with_limit(1000),
                );
            }
        }
    }
    for (ratio, crop) in crops {
        let field = format!("/crops/{}", ratio.name());
        if crop.width == 0 || crop.height == 0 {
            checks.fail_with(
                format!("{field}/width"),
                FieldCode::OutOfRange,
                "a crop needs a width and a height of at least 1 px",
            );
            continue;
        }
        let (rw, rh) = ratio.sides();
        let (w, h) = (u64::from(crop.width), u64::from(crop.height));
        // |w/h − rw/rh| ≤ tolerance × rw/rh, in integers.
        let difference = (w * u64::from(rh)).abs_diff(h * u64::from(rw)) * 1000;
        if difference > RATIO_TOLERANCE * h * u64::from(rw) {
            checks.fail_with(
                field.clone(),
                FieldCode::Inconsistent,
                format!("must have the ratio {rw}:{rh}; this box is {w}×{h}"),
            );
        }
        if let Some((width, height)) = size {
            let inside = u64::from(crop.x) + w <= u64::try_from(width).unwrap_or(0)
                && u64::from(crop.y) + h <= u64::try_from(height).unwrap_or(0);
            if !inside {
                checks.fail_with(
                    field,
                    FieldCode::OutOfRange,
                    format!("the crop must lie within the {width}×{height} picture"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(focal_point: Option<FocalPoint>, crops: &[(CropRatio, CropBox)]) -> Vec<String> {
        let mut checks = Checks::default();
        check(
            &mut checks,
            focal_point,
            &crops.iter().copied().collect(),
            Some((2400, 1600)),
        );
        checks
            .finish()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn crops_keep_their_ratio_and_stay_inside_the_picture() {
        let square = CropBox {
            x: 400,
            y: 0,
            width: 1600,
            height: 1600,
        };
        assert!(errors(Some(FocalPoint { x: 1000, y: 0 }), &[(CropRatio::Square, square)]).is_empty());
        let wide = CropBox {
            x: 0,
            y: 125,
            width: 2400,
            height: 1351,
        };
        assert!(
            errors(None, &[(CropRatio::Wide, wide)]).is_empty(),
            "a pixel of rounding is allowed"
        );
        assert_eq!(errors(None, &[(CropRatio::Wide, square)]), ["/crops/16x9"]);
        let outside = CropBox { x: 1000, ..square };
        assert_eq!(errors(None, &[(CropRatio::Square, outside)]), ["/crops/1x1"]);
        let empty = CropBox { width: 0, ..square };
        assert_eq!(errors(None, &[(CropRatio::Square, empty)]), ["/crops/1x1/width"]);
        assert_eq!(
            errors(Some(FocalPoint { x: 1001, y: 5 }), &[]),
            ["/focal_point/x"]
        );
    }
}
