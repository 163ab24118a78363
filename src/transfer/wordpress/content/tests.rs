use super::*;

/// Attachments 10 and 11 exist; any web URL is accepted as an external image.
struct Fixture;

impl MediaLookup for Fixture {
    fn by_attachment(&mut self, attachment: i64) -> Option<String> {
        [10, 11]
            .contains(&attachment)
            .then(|| format!("media-{attachment}"))
    }
    fn by_url(&mut self, url: &str, _alt: Option<&str>) -> Option<String> {
        if url.contains("photo-1024x683.jpg") || url.ends_with("photo.jpg") {
            return Some("media-10".into());
        }
        url.starts_with("http").then(|| format!("external:{url}"))
    }
    fn by_attachment_url(&mut self, url: &str) -> Option<String> {
        url.ends_with("clip.mp4").then(|| "media-video".into())
    }
    fn post_images(&mut self) -> Vec<String> {
        vec!["media-10".into(), "media-11".into()]
    }
}

fn convert_text(content: &str) -> (Vec<Block>, Vec<Note>) {
    convert(content, 100, &mut Fixture)
}

#[test]
fn gutenberg_blocks_map_one_to_one() {
    let content = r#"<!-- wp:paragraph -->
<p>وصل <strong>الوزير</strong> إلى طرابلس.</p>
<!-- /wp:paragraph -->

<!-- wp:heading {"level":3} -->
<h3>العنوان</h3>
<!-- /wp:heading -->

<!-- wp:image {"id":10,"sizeSlug":"large"} -->
<figure class="wp-block-image size-large"><img src="https://old.example.com/wp-content/uploads/2020/07/photo-1024x683.jpg" alt="" class="wp-image-10"/><figcaption>السراج وأكار</figcaption></figure>
<!-- /wp:image -->

<!-- wp:embed {"url":"https://www.youtube.com/watch?v=abc","type":"video","providerNameSlug":"youtube"} -->
<figure class="wp-block-embed"><div class="wp-block-embed__wrapper">
https://www.youtube.com/watch?v=abc
</div></figure>
<!-- /wp:embed -->

<!-- wp:list {"ordered":true} -->
<ol><li>أول</li><li>ثان</li></ol>
<!-- /wp:list -->

<!-- wp:quote -->
<blockquote class="wp-block-quote"><p>قول</p><cite>قائل</cite></blockquote>
<!-- /wp:quote -->

<!-- wp:separator /-->
<!-- wp:separator -->
<hr class="wp-block-separator"/>
<!-- /wp:separator -->

<!-- wp:gallery {"ids":[10,11]} -->
<figure class="wp-block-gallery"><ul><li><img src="x" class="wp-image-10"/></li><li><img src="y" class="wp-image-11"/></li></ul></figure>
<!-- /wp:gallery -->

<!-- wp:latest-posts /-->"#;
    let (blocks, notes) = convert_text(content);
    assert_eq!(
        blocks[0],
        Block::Paragraph {
            html: "وصل <strong>الوزير</strong> إلى طرابلس.".into()
        }
    );
    assert_eq!(
        blocks[1],
        Block::Heading {
            level: 3,
            text: "العنوان".into()
        }
    );
    assert_eq!(
        blocks[2],
        Block::Image {
            media_id: "media-10".into(),
            caption: Some("السراج وأكار".into())
        }
    );
    assert_eq!(
        blocks[3],
        Block::Embed {
            provider: "youtube".into(),
            url: "https://www.youtube.com/watch?v=abc".into()
        }
    );
    assert_eq!(
        blocks[4],
        Block::List {
            ordered: true,
            items: vec!["أول".into(), "ثان".into()]
        }
    );
    assert_eq!(
        blocks[5],
        Block::Quote {
            text: "قول".into(),
            cite: Some("قائل".into())
        }
    );
    assert_eq!(
        blocks[6],
        Block::Divider {},
        "the void separator has no HTML: nothing"
    );
    let images: Vec<&Block> = blocks
        .iter()
        .filter(|b| matches!(b, Block::Image { .. }))
        .collect();
    assert_eq!(images.len(), 3, "{blocks:?}");
    assert!(notes.iter().any(|n| n.kind == "gallery"));
    let dynamic = notes.iter().find(|n| n.message.contains("latest-posts")).unwrap();
    assert_eq!(
        dynamic.line,
        100 + content[..content.find("wp:latest").unwrap()]
            .matches('\n')
            .count() as u64
    );
}

#[test]
fn classic_content_and_shortcodes() {
    let content = "First paragraph with <em>emphasis</em>.\n\nSecond line one\nline two\n\n[caption id=\"attachment_11\" align=\"alignnone\" width=\"640\"]<img class=\"size-large\" src=\"https://old.example.com/a.jpg\" alt=\"\" /> The caption[/caption]\n\nhttps://twitter.com/afp/status/1\n\n[embed]https://vimeo.com/123[/embed]\n\n[gallery]\n\n[contact-form-7 id=\"5\"]\n\n<h1>Big</h1>\n<table><tr><td>a</td><td>b</td></tr></table>\n<script>alert(1)</script>\n\n[[escaped]] and [AFP] stay text";
    let (blocks, notes) = convert_text(content);
    assert_eq!(
        blocks[0],
        Block::Paragraph {
            html: "First paragraph with <em>emphasis</em>.".into()
        }
    );
    assert_eq!(
        blocks[1],
        Block::Paragraph {
            html: "Second line one<br>\nline two".into()
        }
    );
    assert_eq!(
        blocks[2],
        Block::Image {
            media_id: "media-11".into(),
            caption: Some("The caption".into())
        }
    );
    assert_eq!(
        blocks[3],
        Block::Embed {
            provider: "twitter".into(),
            url: "https://twitter.com/afp/status/1".into()
        }
    );
    assert_eq!(
        blocks[4],
        Block::Embed {
            provider: "vimeo".into(),
            url: "https://vimeo.com/123".into()
        }
    );
    assert_eq!(
        blocks[5],
        Block::Image {
            media_id: "media-10".into(),
            caption: None
        }
    );
    assert_eq!(
        blocks[6],
        Block::Image {
            media_id: "media-11".into(),
            caption: None
        }
    );
    let unknown = notes
        .iter()
        .find(|n| n.message.contains("contact-form-7"))
        .unwrap();
    assert_eq!(unknown.kind, "shortcode");
    let at = content.find("[contact-form-7").unwrap();
    assert_eq!(unknown.line, 100 + content[..at].matches('\n').count() as u64);
    assert!(blocks
        .iter()
        .any(|b| matches!(b, Block::Paragraph { html } if html.contains("contact-form-7"))));
    assert!(blocks.contains(&Block::Heading {
        level: 2,
        text: "Big".into()
    }));
    assert!(blocks.contains(&Block::Paragraph { html: "a | b".into() }));
    assert!(notes.iter().any(|n| n.message.contains("<script>")));
    assert!(!blocks
        .iter()
        .any(|b| matches!(b, Block::Paragraph { html } if html.contains("alert"))));
    assert!(blocks
        .iter()
        .any(|b| matches!(b, Block::Paragraph { html } if html.contains("[[escaped]] and [AFP]"))));
}

#[test]
fn shortcode_attributes_in_every_quoting() {
    let (code, length) =
        parse_shortcode("[gallery ids=\"1,2\" columns='3' link=file size=large] tail").unwrap();
    assert_eq!(
        length,
        "[gallery ids=\"1,2\" columns='3' link=file size=large]".len()
    );
    assert_eq!(code.attributes["ids"], "1,2");
    assert_eq!(code.attributes["columns"], "3");
    assert_eq!(code.attributes["link"], "file");
    assert!(parse_shortcode("[1]").is_none());
    assert!(parse_shortcode("[AFP]").is_none());
    assert!(parse_shortcode("[[caption]]").is_none());
    assert!(parse_shortcode("[unterminated").is_none());
}

#[test]
fn broken_block_comments_do_not_lose_content() {
    let (blocks, _) =
        convert_text("<!-- wp:paragraph --><p>open</p><!-- wp:paragraph {bad json} --><p>x</p>");
    assert_eq!(blocks.len(), 2, "{blocks:?}");
    let deep = "<!-- wp:group -->".repeat(100) + "<p>deep</p>";
    let (blocks, _) = convert_text(&deep);
    assert_eq!(blocks, vec![Block::Paragraph { html: "deep".into() }]);
}
