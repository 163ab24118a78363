//! Embeds in WordPress content: which provider a URL belongs to, and the bare URLs on their
//! own line that WordPress turns into embeds (oEmbed).

use crate::domain::blocks::Block;

/// The provider of an embed URL (a known one, else the host).
pub fn provider_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let host = parsed
        .host_str()?
        .trim_start_matches("www.")
        .trim_start_matches("m.")
        .to_owned();
    let known = [
        ("youtube.com", "youtube"),
        ("youtu.be", "youtube"),
        ("youtube-nocookie.com", "youtube"),
        ("twitter.com", "twitter"),
        ("x.com", "twitter"),
        ("vimeo.com", "vimeo"),
        ("player.vimeo.com", "vimeo"),
        ("instagram.com", "instagram"),
        ("facebook.com", "facebook"),
        ("soundcloud.com", "soundcloud"),
        ("open.spotify.com", "spotify"),
        ("tiktok.com", "tiktok"),
        ("dailymotion.com", "dailymotion"),
        ("flickr.com", "flickr"),
    ];
    Some(
        known
            .iter()
            .find(|(h, _)| host == *h || host.ends_with(&format!(".{h}")))
            .map_or(host.clone(), |(_, name)| (*name).to_owned()),
    )
}

/// A URL that WordPress would turn into an embed on its own line (oEmbed providers).
pub fn auto_embed(text: &str) -> Option<Block> {
    let url = text.trim();
    if url.contains(char::is_whitespace) {
        return None;
    }
    let provider = provider_of(url)?;
    let known = [
        "youtube",
        "twitter",
        "vimeo",
        "instagram",
        "facebook",
        "soundcloud",
        "spotify",
        "tiktok",
        "dailymotion",
        "flickr",
    ];
    known.contains(&provider.as_str()).then(|| Block::Embed {
        provider,
        url: url.to_owned(),
    })
}
