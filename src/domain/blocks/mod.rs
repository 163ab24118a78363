//! Article bodies as typed blocks, and the HTML and plain text rendered from them.
//!
//! Front-ends interleave their own slots (ads, newsletters) between blocks, so the block list is
//! the primary form; `body_html` and `body_text` are derived from it. Paragraph HTML is limited
//! to a small inline set and sanitized when written, so rendering can trust what is stored.

mod check;
mod render;

pub use check::*;
pub use render::*;

use serde::{Deserialize, Serialize};

/// One block of an article body. Media are referenced by their public id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Block {
    /// Inline HTML limited to `a[href]`, `strong`, `b`, `em`, `i` and `br`.
    Paragraph {
        #[schema(max_length = 100000)]
        html: String,
    },
    Heading {
        #[schema(minimum = 2, maximum = 4)]
        level: u8,
        #[schema(max_length = 300)]
        text: String,
    },
    Quote {
        #[schema(max_length = 5000)]
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(max_length = 300)]
        cite: Option<String>,
    },
    List {
        #[serde(default)]
        ordered: bool,
        /// Each item is inline HTML with the same rules as a paragraph.
        #[schema(max_items = 500)]
        items: Vec<String>,
    },
    Image {
        media_id: String,
        /// Replaces the asset's own caption in this article only.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(max_length = 2000)]
        caption: Option<String>,
    },
    Video {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        media_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(max_length = 2000)]
        url: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(max_length = 2000)]
        caption: Option<String>,
    },
    Embed {
        #[schema(max_length = 50)]
        provider: String,
        #[schema(max_length = 2000)]
        url: String,
    },
    /// A struct variant, not a unit one: serde lets a unit variant of an internally tagged enum
    /// ignore other fields, and an unknown field must be refused here as everywhere.
    Divider {},
}

impl Block {
    /// The `kind` column value, which the schema checks against the same list.
    pub fn kind(&self) -> &'static str {
        match self {
            Block::Paragraph { .. } => "paragraph",
            Block::Heading { .. } => "heading",
            Block::Quote { .. } => "quote",
            Block::List { .. } => "list",
            Block::Image { .. } => "image",
            Block::Video { .. } => "video",
            Block::Embed { .. } => "embed",
            Block::Divider {} => "divider",
        }
    }

    /// The public id of the media asset this block shows, if any.
    pub fn media_id(&self) -> Option<&str> {
        match self {
            Block::Image { media_id, .. } => Some(media_id),
            Block::Video { media_id, .. } => media_id.as_deref(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod unknown_fields {
    use super::Block;

    #[test]
    fn every_block_refuses_a_field_it_does_not_have() {
        for block in [
            serde_json::json!({"type": "divider", "x-unknown": 42}),
            serde_json::json!({"type": "paragraph", "html": "x", "x-unknown": 42}),
            serde_json::json!({"type": "list", "items": ["a"], "x-unknown": 42}),
        ] {
            let error = serde_json::from_value::<Block>(block.clone()).unwrap_err();
            assert!(error.to_string().contains("unknown field"), "{block}: {error}");
        }
        let divider: Block = serde_json::from_value(serde_json::json!({"type": "divider"})).unwrap();
        assert_eq!(
            serde_json::to_value(&divider).unwrap(),
            serde_json::json!({"type": "divider"})
        );
    }
}
