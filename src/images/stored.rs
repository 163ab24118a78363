//! The names uploads are stored under: the content hash and the extension of a sniffed image
//! type. Both the upload store (which makes them) and the image service (which only ever looks
//! up a name the store could have made) read them here.

/// The image types accepted: (what imagesize calls it, media type, file extension).
const TYPES: &[(imagesize::ImageType, &str, &str)] = &[
    (imagesize::ImageType::Jpeg, "image/jpeg", "jpg"),
    (imagesize::ImageType::Png, "image/png", "png"),
    (imagesize::ImageType::Gif, "image/gif", "gif"),
    (imagesize::ImageType::Webp, "image/webp", "webp"),
];

/// The type of `bytes`, as (media type, file extension), if it is one accepted.
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    let sniffed = imagesize::image_type(bytes).ok()?;
    TYPES
        .iter()
        .find(|(kind, _, _)| *kind == sniffed)
        .map(|(_, mime_type, extension)| (*mime_type, *extension))
}

/// The media type of a stored file, from the extension its name was given when stored.
pub fn mime_type_of(name: &str) -> Option<&'static str> {
    let extension = name.rsplit_once('.')?.1;
    TYPES
        .iter()
        .find(|(_, _, known)| *known == extension)
        .map(|(_, mime_type, _)| *mime_type)
}

/// Whether `name` is one a store of content-hashed files could have made: nothing else is
/// ever looked up.
pub fn is_stored_name(name: &str) -> bool {
    let Some((hash, extension)) = name.split_once('.') else {
        return false;
    };
    hash.len() == 32
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && TYPES.iter().any(|(_, _, known)| *known == extension)
}
