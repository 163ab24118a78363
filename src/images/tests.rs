use super::*;

fn links() -> ImageLinks {
    ImageLinks {
        signer: UrlSigner::new(b"secret"),
        public_url: url::Url::parse("https://news.example/").unwrap(),
        widths: vec![320, 640, 1024, 1600, 2400],
    }
}

#[test]
fn a_signature_covers_every_parameter_and_the_file() {
    let signer = UrlSigner::new(b"secret");
    let (spec, _) = Spec::parse("w=640&fm=webp").unwrap();
    let signature = signer.sign("a.jpg", &spec);
    assert!(signer.verify("a.jpg", &spec, &signature));
    assert!(!signer.verify("b.jpg", &spec, &signature));
    let (other, _) = Spec::parse("w=641&fm=webp").unwrap();
    assert!(!signer.verify("a.jpg", &other, &signature));
    let mut altered = signature.clone().into_bytes();
    altered[3] = if altered[3] == b'A' { b'B' } else { b'A' };
    assert!(!signer.verify("a.jpg", &spec, std::str::from_utf8(&altered).unwrap()));
    assert!(!UrlSigner::new(b"other").verify("a.jpg", &spec, &signature));
    assert!(!signer.verify("a.jpg", &spec, ""));
}

#[test]
fn the_standard_set_has_every_width_crop_and_open_graph() {
    let original = Original {
        file: "f.jpg".into(),
        width: 2400,
        height: 1600,
        has_alpha: false,
    };
    let set = links().standard(&original, None, &BTreeMap::new());
    let find = |name: &str| {
        set.iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert_eq!(
        find("original-1200.jpg".replace("1200", "1600").as_str()).height,
        Some(1067)
    );
    assert_eq!(find("original-2400.webp").mime_type, "image/webp");
    assert_eq!(
        (find("1x1-1200.jpg").width, find("1x1-1200.jpg").height),
        (Some(1200), Some(1200))
    );
    assert_eq!(find("16x9-1200.jpg").height, Some(675));
    assert_eq!(find("4x3-1200.webp").height, Some(900));
    assert_eq!(find("og-1200.jpg").height, Some(630));
    assert!(set
        .iter()
        .all(|r| r.url.starts_with("https://news.example/images/f.jpg?")));
}
