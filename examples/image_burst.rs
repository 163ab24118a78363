//! Prints `n` distinct signed rendition URLs of one stored image (1200×1200 crops, each shifted
//! by a pixel), for `bench/images.sh` to request all at once: renditions nobody has asked for
//! yet, so each one is rendered.
//!
//! Usage: image_burst <n> <jwt secret> <public url> <file>

use khabar::images::spec::{CropBox, Format, Spec};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [count, secret, public_url, file] = args.as_slice() else {
        eprintln!("usage: image_burst <n> <jwt secret> <public url> <file>");
        std::process::exit(2);
    };
    let count: u32 = count.parse().expect("n is a number");
    let links = khabar::images::ImageLinks::new(
        secret.as_bytes(),
        url::Url::parse(public_url).expect("a URL"),
        Vec::new(),
    );
    for x in 0..count {
        let spec = Spec {
            crop: Some(CropBox {
                x,
                y: 0,
                width: 1200,
                height: 1200,
            }),
            format: Some(Format::Jpeg),
            ..Spec::default()
        };
        println!("{}", links.url(file, &spec));
    }
}
