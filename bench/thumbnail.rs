//! Times `media::images::avatar` and `upload` on a 12-megapixel JPEG against a naive
//! `image`-only pipeline: `cargo bench --bench thumbnail`. Prints, never asserts.

use std::hint::black_box;
use std::time::{Duration, Instant};

use blog::media::images;
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageEncoder, Rgb, RgbImage};

const WIDTH: u32 = 4000;
const HEIGHT: u32 = 3000;
const RUNS: usize = 7;

fn main() {
    let jpeg = photo_like_jpeg();
    println!(
        "source: {WIDTH}x{HEIGHT} JPEG, {:.1} MB; median of {RUNS} runs after one warm-up",
        jpeg.len() as f64 / 1e6
    );

    let ours = median(|| {
        black_box(images::avatar(&jpeg).expect("the bench JPEG is valid"));
    });
    let naive = median(|| {
        black_box(naive_avatar(&jpeg));
    });
    report("avatar (256 + 64 px)", ours, naive);

    let ours = median(|| {
        black_box(images::upload(&jpeg).expect("the bench JPEG is valid"));
    });
    let naive = median(|| {
        black_box(naive_upload(&jpeg));
    });
    report("upload (original + 1600 px)", ours, naive);
}

/// A gradient with per-pixel noise, so it weighs what a phone photo weighs (about 3 MB)
/// instead of compressing to nothing.
fn photo_like_jpeg() -> Vec<u8> {
    let mut seed = 0x2545_f491_u32;
    let image = RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        // xorshift32: deterministic noise without a dependency.
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = (seed & 31) as i32 - 16;
        let channel = |v: u32| (v as i32 + noise).clamp(0, 255) as u8;
        Rgb([
            channel(x * 255 / WIDTH),
            channel(y * 255 / HEIGHT),
            channel((x + y) * 255 / (WIDTH + HEIGHT)),
        ])
    });
    encode_jpeg(&DynamicImage::ImageRgb8(image))
}

/// What one would write with `image` alone: full decode, `resize_to_fill`, its encoder.
fn naive_avatar(jpeg: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let full = image::load_from_memory(jpeg).expect("the bench JPEG is valid");
    let large = full.resize_to_fill(256, 256, FilterType::Lanczos3);
    let small = large.resize_to_fill(64, 64, FilterType::Lanczos3);
    (encode_jpeg(&large), encode_jpeg(&small))
}

fn naive_upload(jpeg: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let full = image::load_from_memory(jpeg).expect("the bench JPEG is valid");
    let display = full.resize(1600, u32::MAX, FilterType::Lanczos3);
    (encode_jpeg(&full), encode_jpeg(&display))
}

fn encode_jpeg(image: &DynamicImage) -> Vec<u8> {
    let rgb = image.to_rgb8();
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 85)
        .write_image(
            rgb.as_raw(),
            rgb.width(),
            rgb.height(),
            image::ExtendedColorType::Rgb8,
        )
        .expect("encoding to a Vec cannot fail for a valid RGB buffer");
    out
}

fn median(mut run: impl FnMut()) -> Duration {
    run();
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn report(what: &str, ours: Duration, naive: Duration) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{what:30} ours {:7.1} ms   naive image-only {:7.1} ms   {:4.1}x faster",
        ms(ours),
        ms(naive),
        ms(naive) / ms(ours)
    );
}
