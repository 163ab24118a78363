//! Content described as plain data, ready to insert: the demo set built from the reference page,
//! and the shapes the data generator fills in. The shapes live in `domain::content_set` (the
//! store reads them too); insertion lives in `crate::db::queries::seed`.

mod demo;
mod demo_live;
pub mod generate;

pub use demo::{demo_article_slug, demo_content};
pub use demo_live::{demo_live_blog_slug, with_demo_live_blog};

pub use crate::domain::content_set::{
    ArticleSpec, ContentSet, ContributorSpec, LiveBlogSpec, MediaSpec, TopicSpec,
};

/// A photo stored through the upload path, with the URLs the image service signs for it.
#[derive(Debug, Clone)]
pub struct Photo {
    pub url: String,
    pub mime_type: String,
    pub width: i32,
    pub height: i32,
    pub renditions: Vec<crate::domain::catalog::RenditionInput>,
    /// Its name in the media store.
    pub file: Option<String>,
    /// The credits the file carries (IPTC): what an upload would fill in.
    pub embedded: crate::images::embedded::Embedded,
}

/// Stores the first `count` generated photos (`images::demo_photo`) in `store` as an upload
/// would, and links them through `links`.
pub fn store_photos(
    store: &crate::uploads::MediaStore,
    links: &crate::images::ImageLinks,
    count: usize,
) -> Result<Vec<Photo>, crate::uploads::UploadError> {
    (0..count)
        .map(|variant| {
            let stored = store.store_blocking(crate::images::demo_photo::jpeg(variant))?;
            let original = stored.original();
            let (url, format) = links.full_size(&original);
            Ok(Photo {
                url,
                mime_type: format.mime_type().to_owned(),
                width: i32::try_from(original.width).unwrap_or(i32::MAX),
                height: i32::try_from(original.height).unwrap_or(i32::MAX),
                renditions: links.standard(&original, None, &Default::default()),
                file: Some(original.file.clone()),
                embedded: stored.probe.embedded.clone(),
            })
        })
        .collect()
}
