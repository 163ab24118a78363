//! How long a rendition takes to make, on one core: the demo's 2400×1600 JPEG (the size
//! agency photos arrive at) decoded, resized to 1200 px and encoded as WebP and as JPEG.
//! `bench/images.sh` runs it; figures in docs/PERFORMANCE.md.
//!
//! Usage: image_render [iterations]   (default 40, after 3 unmeasured)

use std::time::{Duration, Instant};

use khabar::images::demo_photo;
use khabar::images::render;
use khabar::images::spec::{Format, Spec};

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

fn measure(name: &str, iterations: usize, mut work: impl FnMut()) {
    for _ in 0..3 {
        work();
    }
    let mut times: Vec<Duration> = (0..iterations)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "{name:<28} {:>8.1} ms {:>8.1} ms {:>8.1} ms",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        percentile(&times, 0.0)
    );
}

fn main() {
    let iterations = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(40);
    let original = demo_photo::jpeg(0);
    let max_pixels = 50_000_000;
    println!(
        "# {} iterations, one thread, a {} byte 2400×1600 JPEG",
        iterations,
        original.len()
    );
    println!("{:<28} {:>11} {:>11} {:>11}", "work", "p50", "p99", "min");
    measure("decode only (probe)", iterations, || {
        render::probe(original, max_pixels).expect("the demo photo decodes");
    });
    for (name, query, format) in [
        ("1200 px WebP (q82)", "w=1200&fm=webp", Format::Webp),
        ("1200 px JPEG (q82)", "w=1200&fm=jpeg", Format::Jpeg),
        (
            "16:9 crop, 1200 px JPEG",
            "w=1200&crop=0,125,2400,1350&fm=jpeg",
            Format::Jpeg,
        ),
        ("320 px WebP (thumbnail)", "w=320&fm=webp", Format::Webp),
    ] {
        let (spec, _) = Spec::parse(query).expect("a valid query");
        measure(name, iterations, || {
            let rendered = render::render(original, &spec, format, max_pixels).expect("renders");
            std::hint::black_box(rendered.bytes.len());
        });
    }
}
