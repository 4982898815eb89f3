//! Image checks and re-encoding for uploads and profile thumbnails: bytes in, bytes out.
//!
//! Nothing here touches files or the database; the caller stores what comes back. Every
//! picture is decoded to pixels and encoded again, so no metadata survives: no EXIF (and
//! so no GPS position or camera name), XMP, IPTC, comments or ICC profile.
//!
//! Decisions:
//!
//! - **The kind comes from the bytes** (`sniff`), never from the name: an HTML page called
//!   `cat.jpg` is `NotAnImage`. SVG, HEIC, AVIF, TIFF and BMP are recognised only to say
//!   so in the error.
//! - **Decompression bombs are refused from the header**: width × height is checked
//!   against `MAX_PIXELS` before any pixel buffer exists, and the decoders get an
//!   allocation cap as a second fence.
//! - **Memory is counted in bytes, not pixels** (`memory_needed`): a 16-bit RGBA PNG
//!   takes 8 bytes a pixel, a progressive JPEG keeps every coefficient of the picture
//!   (2 bytes per pixel and channel) besides its pixels, and converting to 8-bit RGB
//!   copies once more. The peak of the whole conversion is worked out from the header
//!   and refused past `Purpose::max_bytes` (less for avatars, which readers upload),
//!   and `App::image_job` lets conversions run together only within a budget.
//! - **EXIF orientation is applied to the pixels**, because the tag that told viewers to
//!   turn the picture is dropped with the rest of the metadata.
//! - **Output formats.** Photos (JPEG or WebP in, no transparency) become JPEG at quality
//!   85. PNG and GIF in stay lossless as PNG, so screenshots and diagrams keep crisp
//!   edges. Anything with real transparency becomes PNG. We never write WebP: `image`
//!   only encodes lossless WebP, several times larger than the JPEG a photo needs.
//!   Thumbnails are JPEG unless transparent.
//! - **Animations keep their first frame** (GIF and animated WebP): re-encoding every
//!   frame would mean a second pipeline for a rare case, and a still first frame is what
//!   a thumbnail shows anyway.
//! - **Uploaded originals are not scaled down**: the original is what a reader gets when
//!   opening the picture on its own, and `MAX_PIXELS` with the configured upload size
//!   already bound it. Pages use the `DISPLAY_WIDTH` copy.
//! - **Variants for `srcset`** (`Variant`): each upload also gets copies
//!   `SRCSET_WIDTHS` wide (only those narrower than the shown file) in the original's
//!   format, and WebP copies at those widths and at the shown width, so a phone
//!   fetches a 480 px WebP rather than the 1600 px JPEG. They are made once, at
//!   upload, from the pixels already decoded; `blog media rebuild` makes the missing
//!   ones of older images from the stored original. WebP comes from libwebp (the
//!   `webp` crate; `image` only writes lossless WebP): lossy at `WEBP_QUALITY` for
//!   photos, lossless for images stored as PNG, so screenshots keep their crisp edges.
//! - **Thumbnails are always exactly 256 and 64 px**, small sources scaled up: the views
//!   give the `<img>` a fixed size, and a browser would stretch a smaller file to the same
//!   box anyway, so storing it smaller saves nothing visible.
//! - **ICC profiles are dropped too**: a wide-gamut (Display P3) photo looks slightly less
//!   saturated. Converting to sRGB needs a colour-management crate; not worth it yet.
//!
//! Speed (`cargo bench --bench thumbnail`): JPEG is decoded with `jpeg-decoder`, which
//! scales by 1/2, 1/4 or 1/8 inside the IDCT, so a thumbnail of a 12-megapixel photo
//! decodes about 500 × 375 pixels. It is also strict where `image`'s zune-jpeg would
//! paint the missing half of a truncated file grey; it needs the end-of-image marker, so
//! the rare camera file missing only that marker is refused as `Corrupt` too (re-saving
//! it fixes it). Resizing uses `fast_image_resize` (SIMD) and JPEG encoding
//! `jpeg-encoder` (AVX2), each several times faster than `image`'s own; `image` still
//! decodes PNG, GIF and WebP and writes PNG.

use std::io::Cursor;

use fast_image_resize::{
    FilterType, IntoImageView, IntoImageViewMut, ResizeAlg, ResizeOptions, Resizer,
};
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::metadata::Orientation;
use image::{
    DynamicImage, ExtendedColorType, GrayImage, ImageDecoder, ImageEncoder, ImageFormat,
    ImageReader, Limits, RgbImage, RgbaImage,
};
use jpeg_decoder::PixelFormat;

/// The most pixels we decode: 40 megapixels covers any phone or camera, while a
/// 60000 × 60000 PNG of a few KB (3.6 gigapixels) is refused before decoding.
pub const MAX_PIXELS: u64 = 40_000_000;

/// Side of the large profile thumbnail.
pub const AVATAR_SIZE: u32 = 256;

/// Side of the small profile thumbnail (beside comments).
pub const AVATAR_SMALL_SIZE: u32 = 64;

/// Uploads wider than this also get a copy this wide, used as the page's `src`.
pub const DISPLAY_WIDTH: u32 = 1600;

/// Widths of the copies offered in `srcset`: a phone, a tablet or a phone at 2x, a wide
/// screen at 2x (the text column is 42rem).
pub const SRCSET_WIDTHS: [u32; 3] = [480, 960, DISPLAY_WIDTH];

const JPEG_QUALITY: u8 = 85;

/// libwebp's scale: 80 looks about like JPEG at 85 in two thirds of the bytes.
const WEBP_QUALITY: f32 = 80.0;

const MIB: u64 = 1024 * 1024;

/// What a picture is for, which decides how much memory converting it may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A profile picture: anyone with an account (everyone, where registration is
    /// open) may send one, and it ends up 256 px square.
    Avatar,
    /// A picture in a post, from an author, kept at full size.
    Upload,
}

impl Purpose {
    /// The most one conversion may take at its peak. Uploads: a 24-megapixel camera
    /// JPEG (about 150 MB: its planes, its pixels and the re-encoded copy) fits, a
    /// 40-megapixel 16-bit PNG (over 300 MB) does not. Avatars: a 12-megapixel phone
    /// photo decodes at 1/8 scale in a few MB; a 4K screenshot PNG needs about 60.
    pub fn max_bytes(self) -> u64 {
        match self {
            Self::Avatar => 64 * MIB,
            Self::Upload => 192 * MIB,
        }
    }
}

/// The formats we accept, recognised by their magic numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Jpeg,
    Png,
    Gif,
    Webp,
}

impl ImageKind {
    /// File name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Gif => "gif",
            Self::Webp => "webp",
        }
    }

    /// `Content-Type` to serve it with.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
        }
    }

    fn format(self) -> ImageFormat {
        match self {
            Self::Jpeg => ImageFormat::Jpeg,
            Self::Png => ImageFormat::Png,
            Self::Gif => ImageFormat::Gif,
            Self::Webp => ImageFormat::WebP,
        }
    }
}

/// Why an image was refused. Each message is one sentence meant for the person uploading.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("This file is not a JPEG, PNG, GIF or WebP image.")]
    NotAnImage,
    /// A known image format we do not take, named for the message ("SVG", "HEIC", …).
    #[error("{0} images are not accepted: upload a PNG or JPEG.")]
    Unsupported(&'static str),
    #[error(
        "The image is {width} × {height} pixels, more than the {} megapixels allowed.",
        MAX_PIXELS / 1_000_000
    )]
    TooLarge { width: u32, height: u32 },
    #[error(
        "The image is {width} × {height} pixels and needs {needed_mb} MB to convert, more than the {allowed_mb} MB allowed here: save it smaller (at most {megapixels} megapixels) or as an 8-bit JPEG."
    )]
    NeedsTooMuchMemory {
        width: u32,
        height: u32,
        needed_mb: u64,
        allowed_mb: u64,
        /// The size in megapixels that would fit, at the same bytes per pixel.
        megapixels: u64,
    },
    #[error("The image is damaged or incomplete.")]
    Corrupt,
    /// Encoding pixels we decoded ourselves failed: our fault, not the file's, so the
    /// caller should log the detail.
    #[error("The image could not be converted: try saving it as PNG or JPEG first.")]
    Encoding(String),
}

impl ImageError {
    /// The same sentence in the interface's language, for a form.
    pub fn message(&self) -> crate::content::problems::Message {
        use crate::content::problems::Message;
        match self {
            Self::NotAnImage => "problems.image_not_an_image".into(),
            Self::Unsupported(format) => {
                Message::from("problems.image_unsupported").with("format", format)
            }
            Self::TooLarge { width, height } => Message::from("problems.image_too_large")
                .with("width", width)
                .with("height", height)
                .counting(MAX_PIXELS / 1_000_000),
            Self::NeedsTooMuchMemory {
                width,
                height,
                needed_mb,
                allowed_mb,
                megapixels,
            } => Message::from("problems.image_needs_too_much_memory")
                .with("width", width)
                .with("height", height)
                .with("needed", needed_mb)
                .with("allowed", allowed_mb)
                .counting(*megapixels),
            Self::Corrupt => "problems.image_corrupt".into(),
            Self::Encoding(_) => "problems.image_encoding".into(),
        }
    }
}

/// One re-encoded picture, ready to store.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// Gives the file extension and the `Content-Type`.
    pub kind: ImageKind,
}

/// An editor upload: the upright original, a `DISPLAY_WIDTH` copy when it is wider,
/// and its variants for `srcset`.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub original: Encoded,
    pub display: Option<Encoded>,
    pub variants: Vec<(Variant, Encoded)>,
}

/// A copy of an upload for `srcset`: its format and width (the height follows the
/// original's aspect ratio).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// Narrower than the shown file, in the original's format (JPEG or PNG).
    Narrow(u32),
    /// WebP, at one of `SRCSET_WIDTHS` or at the shown width.
    Webp(u32),
}

impl Variant {
    pub fn width(self) -> u32 {
        match self {
            Self::Narrow(width) | Self::Webp(width) => width,
        }
    }

    /// Every variant an image `width` pixels wide should have: narrower copies below
    /// the shown file (the original, or its `DISPLAY_WIDTH` copy, which exists
    /// already), and WebP at each of those widths and at the shown one. Never wider
    /// than the original: a browser gains nothing from pixels the picture lacks.
    pub fn wanted(width: u32) -> Vec<Variant> {
        let shown = width.min(DISPLAY_WIDTH);
        let narrower: Vec<u32> = SRCSET_WIDTHS.into_iter().filter(|&w| w < shown).collect();
        let mut variants: Vec<Variant> = narrower.iter().copied().map(Variant::Narrow).collect();
        variants.extend(narrower.into_iter().chain([shown]).map(Variant::Webp));
        variants
    }
}

/// Recognises the format from the first bytes.
pub fn sniff(bytes: &[u8]) -> Result<ImageKind, ImageError> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok(ImageKind::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok(ImageKind::Png)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Ok(ImageKind::Gif)
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Ok(ImageKind::Webp)
    } else {
        Err(unsupported(bytes).map_or(ImageError::NotAnImage, ImageError::Unsupported))
    }
}

/// Profile thumbnail: upright, centre-cropped square, `AVATAR_SIZE` and
/// `AVATAR_SMALL_SIZE` px, metadata gone.
pub fn avatar(bytes: &[u8]) -> Result<(Encoded, Encoded), ImageError> {
    let kind = sniff(bytes)?;
    memory_needed(bytes, Purpose::Avatar)?;
    let pixels = decode(bytes, kind, Purpose::Avatar)?;
    let large = pixels.resized(AVATAR_SIZE, AVATAR_SIZE)?;
    // From the large square rather than the source: far fewer pixels to read, and one
    // Lanczos step of 4 loses nothing visible.
    let small = large.resized(AVATAR_SMALL_SIZE, AVATAR_SMALL_SIZE)?;
    Ok((large.encode(true)?, small.encode(true)?))
}

/// Editor upload: upright, metadata gone, full size; plus a `DISPLAY_WIDTH` copy when
/// wider than that.
pub fn upload(bytes: &[u8]) -> Result<Prepared, ImageError> {
    let kind = sniff(bytes)?;
    memory_needed(bytes, Purpose::Upload)?;
    let pixels = decode(bytes, kind, Purpose::Upload)?;
    let allow_jpeg = matches!(kind, ImageKind::Jpeg | ImageKind::Webp);
    let (width, height) = pixels.dimensions();
    let display = if width > DISPLAY_WIDTH {
        let scaled = u64::from(height) * u64::from(DISPLAY_WIDTH) / u64::from(width);
        let display_height = u32::try_from(scaled).unwrap_or(height).max(1);
        let copy = pixels.resized(DISPLAY_WIDTH, display_height)?;
        Some(copy.encode(allow_jpeg)?)
    } else {
        None
    };
    let variants = pixels.variants(&Variant::wanted(width), allow_jpeg)?;
    Ok(Prepared {
        original: pixels.encode(allow_jpeg)?,
        display,
        variants,
    })
}

/// The `missing` variants of an upload, made from its stored original (as `upload`
/// wrote it: upright, no metadata), for `blog media rebuild`.
pub fn variants_of_original(
    stored: &[u8],
    missing: &[Variant],
) -> Result<Vec<(Variant, Encoded)>, ImageError> {
    if missing.is_empty() {
        return Ok(Vec::new());
    }
    let kind = sniff(stored)?;
    memory_needed(stored, Purpose::Upload)?;
    let pixels = decode(stored, kind, Purpose::Upload)?;
    // A stored JPEG was a photo; a stored PNG was kept lossless on purpose.
    pixels.variants(missing, kind == ImageKind::Jpeg)
}

/// Names the formats people try most, so the message says what to do instead.
fn unsupported(bytes: &[u8]) -> Option<&'static str> {
    // ISO base media files (HEIC, AVIF) carry their brand after the `ftyp` box header.
    match bytes.get(4..12) {
        Some(b"ftypavif" | b"ftypavis") => return Some("AVIF"),
        Some(
            b"ftypheic" | b"ftypheix" | b"ftyphevc" | b"ftypheim" | b"ftypheis" | b"ftypmif1"
            | b"ftypmsf1",
        ) => return Some("HEIC"),
        _ => {}
    }
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some("TIFF")
    } else if bytes.starts_with(b"BM") && bytes.get(6..10) == Some(&[0, 0, 0, 0]) {
        Some("BMP")
    } else if looks_like_svg(bytes) {
        Some("SVG")
    } else {
        None
    }
}

/// An `<svg>` root, possibly after a BOM, an XML declaration, a comment or an SVG doctype.
/// An HTML page (`<!DOCTYPE html>`) with an inline SVG stays `NotAnImage`.
fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let head = head[start..].to_ascii_lowercase();
    let preamble = [&b"<?xml"[..], b"<!--", b"<!doctype svg"];
    head.starts_with(b"<svg")
        || (preamble.iter().any(|p| head.starts_with(p)) && head.windows(4).any(|w| w == b"<svg"))
}

/// Upright pixels, with an alpha channel only when some pixel is not fully opaque.
enum Pixels {
    Opaque(RgbImage),
    Translucent(RgbaImage),
}

/// The most memory converting `bytes` for `purpose` takes at its peak, worked out
/// from the header alone; refused when more than `purpose.max_bytes()`. Cheap: call it
/// before queueing the conversion, to know its share of the budget.
pub fn memory_needed(bytes: &[u8], purpose: Purpose) -> Result<u64, ImageError> {
    let kind = sniff(bytes)?;
    let (width, height, needed) = match kind {
        ImageKind::Jpeg => jpeg_memory(bytes, purpose)?,
        _ => other_memory(bytes, kind, purpose)?,
    };
    let allowed = purpose.max_bytes();
    if needed <= allowed {
        return Ok(needed);
    }
    let pixels = u64::from(width) * u64::from(height);
    Err(ImageError::NeedsTooMuchMemory {
        width,
        height,
        needed_mb: needed.div_ceil(MIB),
        allowed_mb: allowed / MIB,
        megapixels: allowed * pixels / needed.max(1) / 1_000_000,
    })
}

/// What a JPEG costs through `decode_jpeg`: every component's plane and the
/// interleaved pixels at once, at the decoded scale; a progressive file also keeps all
/// its coefficients (2 bytes per pixel and component, at full size whatever the scale).
fn jpeg_memory(bytes: &[u8], purpose: Purpose) -> Result<(u32, u32, u64), ImageError> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.read_info().map_err(|_| ImageError::Corrupt)?;
    let info = decoder.info().ok_or(ImageError::Corrupt)?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    check_size(width, height)?;
    let full = u64::from(width) * u64::from(height);
    let (components, scalable) = match info.pixel_format {
        PixelFormat::L8 => (1, true),
        PixelFormat::RGB24 => (3, true),
        // These go through `decode_any` at full size; counted like the others.
        PixelFormat::L16 => (2, false),
        PixelFormat::CMYK32 => (4, false),
    };
    let decoded = match purpose {
        Purpose::Avatar if scalable => {
            let (w, h) = scale_request(info.width, info.height, AVATAR_SIZE);
            u64::from(w) * u64::from(h)
        }
        _ => full,
    };
    let coefficients = match info.coding_process {
        jpeg_decoder::CodingProcess::DctProgressive => 2 * components * full,
        _ => 0,
    };
    let decoding = coefficients + 2 * components * decoded;
    // Grey becomes RGB beside it; RGB is kept as it is.
    let converting = match components {
        3 => 3 * decoded,
        _ => components * decoded + 3 * decoded,
    };
    let needed = decoding
        .max(converting)
        .max(finishing(purpose, 3 * decoded));
    Ok((width, height, needed))
}

/// What PNG, GIF and WebP cost through `decode_any`: the decoded buffer at the file's
/// own depth (16-bit RGBA is 8 bytes a pixel), twice that for GIF and WebP (a frame
/// or colour planes beside the canvas), then the copy to 8-bit RGB or RGBA, and for
/// RGBA the copy without the alpha nobody uses.
fn other_memory(
    bytes: &[u8],
    kind: ImageKind,
    purpose: Purpose,
) -> Result<(u32, u32, u64), ImageError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    // Reading the header may inflate metadata chunks: held to the same cap.
    let mut limits = Limits::default();
    limits.max_alloc = Some(purpose.max_bytes());
    reader.limits(limits);
    let decoder = reader.into_decoder().map_err(|_| ImageError::Corrupt)?;
    let (width, height) = decoder.dimensions();
    check_size(width, height)?;
    let pixels = u64::from(width) * u64::from(height);
    let color = decoder.color_type();
    let decoded = decoder.total_bytes();
    let decoding = match kind {
        ImageKind::Png => decoded,
        _ => 2 * decoded,
    };
    let (converting, kept) = if color.has_alpha() {
        let to_rgba = if color == image::ColorType::Rgba8 {
            decoded
        } else {
            decoded + 4 * pixels
        };
        (to_rgba.max(7 * pixels), 4 * pixels)
    } else {
        let to_rgb = if color == image::ColorType::Rgb8 {
            decoded
        } else {
            decoded + 3 * pixels
        };
        (to_rgb, 3 * pixels)
    };
    let needed = decoding.max(converting).max(finishing(purpose, kept));
    Ok((width, height, needed))
}

/// The last step: an avatar shrinks to a few hundred KB; an upload keeps its pixels
/// while its re-encoded bytes (as large as the pixels, for a noisy PNG) and the
/// display copy are made.
fn finishing(purpose: Purpose, pixels: u64) -> u64 {
    match purpose {
        Purpose::Avatar => pixels,
        Purpose::Upload => 2 * pixels,
    }
}

/// Decodes and turns upright; an avatar's JPEG decodes at reduced scale, keeping its
/// short side at least `AVATAR_SIZE`.
fn decode(bytes: &[u8], kind: ImageKind, purpose: Purpose) -> Result<Pixels, ImageError> {
    let min_side = (purpose == Purpose::Avatar).then_some(AVATAR_SIZE);
    let max_alloc = purpose.max_bytes();
    let jpeg = match kind {
        ImageKind::Jpeg => decode_jpeg(bytes, min_side, max_alloc)?,
        _ => None,
    };
    let (mut image, orientation) = match jpeg {
        Some(decoded) => decoded,
        None => decode_any(bytes, kind, max_alloc)?,
    };
    image.apply_orientation(orientation);
    Ok(Pixels::new(image))
}

/// JPEG through `jpeg-decoder`, for its DCT scaling and its strictness. `None` for what it
/// cannot give as RGB or grey (CMYK, 16-bit), which `decode_any` then takes, leniently
/// about truncation: rare enough not to need a CMYK conversion of our own.
fn decode_jpeg(
    bytes: &[u8],
    min_side: Option<u32>,
    max_alloc: u64,
) -> Result<Option<(DynamicImage, Orientation)>, ImageError> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.read_info().map_err(|_| ImageError::Corrupt)?;
    let info = decoder.info().ok_or(ImageError::Corrupt)?;
    check_size(info.width.into(), info.height.into())?;
    if !matches!(info.pixel_format, PixelFormat::L8 | PixelFormat::RGB24) {
        return Ok(None);
    }
    let (width, height) = match min_side {
        Some(side) => {
            let (width, height) = scale_request(info.width, info.height, side);
            decoder
                .scale(width, height)
                .map_err(|_| ImageError::Corrupt)?
        }
        None => (info.width, info.height),
    };
    decoder.set_max_decoding_buffer_size(usize::try_from(max_alloc).unwrap_or(usize::MAX));
    let pixels = decoder.decode().map_err(|_| ImageError::Corrupt)?;
    let orientation = decoder
        .exif_data()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    let (width, height) = (u32::from(width), u32::from(height));
    let image = match info.pixel_format {
        PixelFormat::L8 => GrayImage::from_raw(width, height, pixels).map(DynamicImage::from),
        _ => RgbImage::from_raw(width, height, pixels).map(DynamicImage::from),
    };
    Ok(Some((image.ok_or(ImageError::Corrupt)?, orientation)))
}

/// The size to ask `jpeg-decoder` for, so that its IDCT scaling (1/8, 1/4 or 1/2) keeps
/// the short side at least `min_side`. It picks the smallest scale reaching the request
/// on either axis, so we ask for exactly the scaled size we computed.
fn scale_request(width: u16, height: u16, min_side: u32) -> (u16, u16) {
    let short = u32::from(width.min(height));
    let eighths = [1, 2, 4]
        .into_iter()
        .find(|&n| (short * n).div_ceil(8) >= min_side)
        .unwrap_or(8);
    let scaled = |len: u16| u16::try_from((u32::from(len) * eighths).div_ceil(8)).unwrap_or(len);
    (scaled(width), scaled(height))
}

/// Any accepted format through `image`, header checked before the pixels are read.
fn decode_any(
    bytes: &[u8],
    kind: ImageKind,
    max_alloc: u64,
) -> Result<(DynamicImage, Orientation), ImageError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    let mut limits = Limits::default();
    limits.max_alloc = Some(max_alloc);
    reader.limits(limits);
    // Past the size check, every failure is the file's: a frame larger than its canvas
    // hitting the allocation cap is as broken as a truncated stream.
    let mut decoder = reader.into_decoder().map_err(|_| ImageError::Corrupt)?;
    let (width, height) = decoder.dimensions();
    check_size(width, height)?;
    // A GIF canvas costs pixels without bytes: 35 bytes can ask for 13 megapixels that
    // no frame paints. LZW gives a code at most 4096 pixels, so a larger canvas per byte
    // is not the picture's (fuzz/NOTES.md).
    if kind == ImageKind::Gif && u64::from(width) * u64::from(height) > bytes.len() as u64 * 4096 {
        return Err(ImageError::Corrupt);
    }
    // Broken EXIF is not worth refusing the picture for: show it as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(|_| ImageError::Corrupt)?;
    Ok((image, orientation))
}

fn check_size(width: u32, height: u32) -> Result<(), ImageError> {
    if width == 0 || height == 0 {
        Err(ImageError::Corrupt)
    } else if u64::from(width) * u64::from(height) > MAX_PIXELS {
        Err(ImageError::TooLarge { width, height })
    } else {
        Ok(())
    }
}

impl Pixels {
    fn new(image: DynamicImage) -> Self {
        if !image.color().has_alpha() {
            return Self::Opaque(image.into_rgb8());
        }
        let rgba = image.into_rgba8();
        // Many PNGs and every GIF come with an alpha channel nobody uses; dropping it
        // lets a photo among them become a JPEG thumbnail.
        if rgba.pixels().all(|p| p[3] == u8::MAX) {
            Self::Opaque(DynamicImage::from(rgba).into_rgb8())
        } else {
            Self::Translucent(rgba)
        }
    }

    fn dimensions(&self) -> (u32, u32) {
        match self {
            Self::Opaque(image) => image.dimensions(),
            Self::Translucent(image) => image.dimensions(),
        }
    }

    /// Lanczos3 to exactly `width` × `height`, centre-cropping the source to that
    /// aspect ratio first.
    fn resized(&self, width: u32, height: u32) -> Result<Self, ImageError> {
        Ok(match self {
            Self::Opaque(source) => Self::Opaque(resize(source, RgbImage::new(width, height))?),
            Self::Translucent(source) => {
                Self::Translucent(resize(source, RgbaImage::new(width, height))?)
            }
        })
    }

    /// The `wanted` variants: each width resized once, then encoded in the formats
    /// asked. WebP is lossy for photos (`allow_jpeg`), lossless otherwise.
    fn variants(
        &self,
        wanted: &[Variant],
        allow_jpeg: bool,
    ) -> Result<Vec<(Variant, Encoded)>, ImageError> {
        let (width, height) = self.dimensions();
        let mut widths: Vec<u32> = wanted.iter().map(|variant| variant.width()).collect();
        widths.sort_unstable();
        widths.dedup();
        let mut out = Vec::with_capacity(wanted.len());
        for target in widths {
            let scaled = u64::from(height) * u64::from(target) / u64::from(width.max(1));
            let target_height = u32::try_from(scaled).unwrap_or(height).max(1);
            let resized;
            let pixels = if target >= width {
                self
            } else {
                resized = self.resized(target, target_height)?;
                &resized
            };
            for &variant in wanted.iter().filter(|v| v.width() == target) {
                let encoded = match variant {
                    Variant::Narrow(_) => pixels.encode(allow_jpeg)?,
                    Variant::Webp(_) => pixels.encode_webp(allow_jpeg)?,
                };
                out.push((variant, encoded));
            }
        }
        Ok(out)
    }

    /// WebP through libwebp: lossy at `WEBP_QUALITY` (alpha kept), or lossless.
    fn encode_webp(&self, lossy: bool) -> Result<Encoded, ImageError> {
        let (width, height) = self.dimensions();
        let encoder = match self {
            Self::Opaque(image) => webp::Encoder::from_rgb(image.as_raw(), width, height),
            Self::Translucent(image) => webp::Encoder::from_rgba(image.as_raw(), width, height),
        };
        let memory = encoder
            .encode_simple(!lossy, WEBP_QUALITY)
            .map_err(|err| encoding(format!("libwebp: {err:?}")))?;
        Ok(Encoded {
            bytes: memory.to_vec(),
            width,
            height,
            kind: ImageKind::Webp,
        })
    }

    /// JPEG when opaque and `allow_jpeg`, else lossless PNG.
    fn encode(&self, allow_jpeg: bool) -> Result<Encoded, ImageError> {
        let (width, height) = self.dimensions();
        let mut bytes = Vec::new();
        let kind = match self {
            Self::Opaque(image) if allow_jpeg => {
                // JPEG stops at 65535 px a side; only JPEG and WebP sources come here,
                // and neither can be larger.
                let side = |len: u32| u16::try_from(len).map_err(encoding);
                jpeg_encoder::Encoder::new(&mut bytes, JPEG_QUALITY)
                    .encode(
                        image.as_raw(),
                        side(width)?,
                        side(height)?,
                        jpeg_encoder::ColorType::Rgb,
                    )
                    .map_err(encoding)?;
                ImageKind::Jpeg
            }
            Self::Opaque(image) => {
                png(
                    &mut bytes,
                    image.as_raw(),
                    width,
                    height,
                    ExtendedColorType::Rgb8,
                )?;
                ImageKind::Png
            }
            Self::Translucent(image) => {
                png(
                    &mut bytes,
                    image.as_raw(),
                    width,
                    height,
                    ExtendedColorType::Rgba8,
                )?;
                ImageKind::Png
            }
        };
        Ok(Encoded {
            bytes,
            width,
            height,
            kind,
        })
    }
}

fn resize<I: IntoImageView + IntoImageViewMut>(source: &I, mut target: I) -> Result<I, ImageError> {
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
        .fit_into_destination(None);
    Resizer::new()
        .resize(source, &mut target, &options)
        .map_err(encoding)?;
    Ok(target)
}

fn png(
    out: &mut Vec<u8>,
    raw: &[u8],
    width: u32,
    height: u32,
    color: ExtendedColorType,
) -> Result<(), ImageError> {
    PngEncoder::new_with_quality(out, CompressionType::Default, PngFilter::Adaptive)
        .write_image(raw, width, height, color)
        .map_err(encoding)
}

fn encoding(err: impl std::fmt::Display) -> ImageError {
    ImageError::Encoding(err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, Rgba};

    const ROTATED_GPS: &[u8] = include_bytes!("../../tests/fixtures/rotated-gps.jpg");
    const WIDE: &[u8] = include_bytes!("../../tests/fixtures/wide.png");
    const SMALL_ALPHA: &[u8] = include_bytes!("../../tests/fixtures/small.png");
    const ANIM: &[u8] = include_bytes!("../../tests/fixtures/anim.gif");
    const WEBP: &[u8] = include_bytes!("../../tests/fixtures/photo.webp");
    const TRUNCATED: &[u8] = include_bytes!("../../tests/fixtures/truncated.jpg");
    const HTML: &[u8] = include_bytes!("../../tests/fixtures/page.html.jpg");
    const SVG: &[u8] = include_bytes!("../../tests/fixtures/drawing.svg");
    const BOMB: &[u8] = include_bytes!("../../tests/fixtures/bomb.png");
    const HUGE_16BIT: &[u8] = include_bytes!("../../tests/fixtures/huge-16bit-rgba.png");
    const MEDIUM_16BIT: &[u8] = include_bytes!("../../tests/fixtures/medium-16bit-rgba.png");

    #[test]
    fn variants_are_only_narrower_than_the_shown_file_and_webp_includes_its_width() {
        use Variant::{Narrow, Webp};
        assert_eq!(Variant::wanted(320), vec![Webp(320)]);
        assert_eq!(Variant::wanted(480), vec![Webp(480)]);
        assert_eq!(
            Variant::wanted(1000),
            vec![Narrow(480), Narrow(960), Webp(480), Webp(960), Webp(1000)]
        );
        assert_eq!(
            Variant::wanted(4000),
            vec![Narrow(480), Narrow(960), Webp(480), Webp(960), Webp(1600)]
        );
    }

    #[test]
    fn an_upload_gets_its_variants_in_the_right_formats_and_sizes() {
        let photo = upload(&big_jpeg(2000, 1000)).unwrap();
        let shapes: Vec<(Variant, (ImageKind, u32, u32))> = photo
            .variants
            .iter()
            .map(|(variant, encoded)| (*variant, shape(encoded)))
            .collect();
        assert_eq!(
            shapes,
            vec![
                (Variant::Narrow(480), (ImageKind::Jpeg, 480, 240)),
                (Variant::Webp(480), (ImageKind::Webp, 480, 240)),
                (Variant::Narrow(960), (ImageKind::Jpeg, 960, 480)),
                (Variant::Webp(960), (ImageKind::Webp, 960, 480)),
                (Variant::Webp(1600), (ImageKind::Webp, 1600, 800)),
            ]
        );
        for (_, encoded) in &photo.variants {
            assert_no_metadata(encoded);
            // Decodable, and the left half still red.
            let pixels = pixels_of(encoded);
            assert!(
                is_red(pixels.get_pixel(2, 2)),
                "{:?}",
                pixels.get_pixel(2, 2)
            );
        }
        // Lossy WebP for a photo: smaller than the JPEG of the same width.
        let size = |v: Variant| {
            photo
                .variants
                .iter()
                .find(|(x, _)| *x == v)
                .unwrap()
                .1
                .bytes
                .len()
        };
        assert!(size(Variant::Webp(960)) < size(Variant::Narrow(960)));

        // Transparency stays: PNG for the narrower copies, WebP with alpha.
        let translucent = upload(SMALL_ALPHA).unwrap();
        assert_eq!(translucent.variants.len(), 1);
        let (variant, webp) = &translucent.variants[0];
        assert_eq!(*variant, Variant::Webp(48));
        assert!(pixels_of(webp).pixels().any(|p| p[3] < u8::MAX));

        // From the stored original, only what is missing.
        let again = variants_of_original(&photo.original.bytes, &[Variant::Webp(480)]).unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(shape(&again[0].1), (ImageKind::Webp, 480, 240));
        assert!(variants_of_original(b"not an image", &[])
            .unwrap()
            .is_empty());
        assert_eq!(
            variants_of_original(b"not an image", &[Variant::Webp(480)]).unwrap_err(),
            ImageError::NotAnImage
        );
    }

    fn pixels_of(encoded: &Encoded) -> RgbaImage {
        let image = image::load_from_memory(&encoded.bytes).unwrap();
        assert_eq!(
            (image.width(), image.height()),
            (encoded.width, encoded.height)
        );
        image.into_rgba8()
    }

    fn shape(encoded: &Encoded) -> (ImageKind, u32, u32) {
        (encoded.kind, encoded.width, encoded.height)
    }

    fn exif_of(encoded: &Encoded) -> Option<Vec<u8>> {
        let reader = ImageReader::with_format(Cursor::new(&encoded.bytes), encoded.kind.format());
        reader.into_decoder().unwrap().exif_metadata().unwrap()
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    fn assert_no_metadata(encoded: &Encoded) {
        assert_eq!(exif_of(encoded), None);
        for needle in [&b"Exif"[..], b"eXIf", b"TestCam"] {
            assert!(!contains(&encoded.bytes, needle), "{needle:?} survived");
        }
    }

    fn is_red(p: &Rgba<u8>) -> bool {
        p[0] > 170 && p[1] < 90 && p[2] < 90 && p[3] == 255
    }

    /// A JPEG big enough for DCT scaling: left half red, right half blue.
    fn big_jpeg(width: u16, height: u16) -> Vec<u8> {
        let image = RgbImage::from_fn(width.into(), height.into(), |x, _| {
            if x < u32::from(width) / 2 {
                Rgb([220, 30, 30])
            } else {
                Rgb([30, 30, 220])
            }
        });
        let mut out = Vec::new();
        jpeg_encoder::Encoder::new(&mut out, 90)
            .encode(image.as_raw(), width, height, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        out
    }

    #[test]
    fn sniff_reads_magic_numbers_not_names() {
        assert_eq!(sniff(ROTATED_GPS), Ok(ImageKind::Jpeg));
        assert_eq!(sniff(WIDE), Ok(ImageKind::Png));
        assert_eq!(sniff(ANIM), Ok(ImageKind::Gif));
        assert_eq!(sniff(WEBP), Ok(ImageKind::Webp));
        assert_eq!(sniff(HTML), Err(ImageError::NotAnImage));
        assert_eq!(sniff(SVG), Err(ImageError::Unsupported("SVG")));
        assert_eq!(sniff(b""), Err(ImageError::NotAnImage));
        assert_eq!(sniff(b"%PDF-1.7\n"), Err(ImageError::NotAnImage));
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
        assert_eq!(sniff(heic), Err(ImageError::Unsupported("HEIC")));
        let inline_svg = b"<!DOCTYPE html><html><body><svg></svg></body></html>";
        assert_eq!(sniff(inline_svg), Err(ImageError::NotAnImage));
        assert_eq!(
            sniff(b"\xEF\xBB\xBF\n  <svg xmlns='http://www.w3.org/2000/svg'/>"),
            Err(ImageError::Unsupported("SVG"))
        );
    }

    #[test]
    fn kind_gives_extension_and_mime() {
        assert_eq!(ImageKind::Jpeg.extension(), "jpg");
        assert_eq!(ImageKind::Jpeg.mime(), "image/jpeg");
        assert_eq!(ImageKind::Png.mime(), "image/png");
        assert_eq!(ImageKind::Webp.extension(), "webp");
    }

    #[test]
    fn avatar_of_rotated_photo_is_upright_square_without_exif() {
        let (large, small) = avatar(ROTATED_GPS).unwrap();
        assert_eq!(shape(&large), (ImageKind::Jpeg, 256, 256));
        assert_eq!(shape(&small), (ImageKind::Jpeg, 64, 64));
        // The stored left band is red; Orientation=6 turns it into the top.
        let pixels = pixels_of(&large);
        assert!(is_red(pixels.get_pixel(128, 8)), "top is not red");
        assert!(!is_red(pixels.get_pixel(128, 247)), "bottom is red");
        assert!(!is_red(pixels.get_pixel(8, 128)), "left is red");
        let pixels = pixels_of(&small);
        assert!(is_red(pixels.get_pixel(32, 2)));
        assert!(!is_red(pixels.get_pixel(32, 61)));
        assert_no_metadata(&large);
        assert_no_metadata(&small);
    }

    #[test]
    fn upload_of_rotated_photo_is_upright_without_exif() {
        let prepared = upload(ROTATED_GPS).unwrap();
        let original = &prepared.original;
        assert_eq!(shape(original), (ImageKind::Jpeg, 300, 400));
        assert!(prepared.display.is_none());
        let pixels = pixels_of(original);
        assert!(is_red(pixels.get_pixel(150, 10)));
        assert!(!is_red(pixels.get_pixel(150, 390)));
        assert_no_metadata(original);
    }

    #[test]
    fn upload_wider_than_display_width_gets_a_copy() {
        let prepared = upload(WIDE).unwrap();
        assert_eq!(shape(&prepared.original), (ImageKind::Png, 2000, 500));
        let display = prepared.display.unwrap();
        assert_eq!(shape(&display), (ImageKind::Png, 1600, 400));
        pixels_of(&display);
    }

    #[test]
    fn transparency_is_kept_as_png() {
        let prepared = upload(SMALL_ALPHA).unwrap();
        assert_eq!(prepared.original.kind, ImageKind::Png);
        let pixels = pixels_of(&prepared.original);
        assert_eq!(pixels.get_pixel(40, 16)[3], 0);
        assert_eq!(pixels.get_pixel(5, 16)[3], 255);

        // Thumbnails of a small source are scaled up to the fixed sizes.
        let (large, small) = avatar(SMALL_ALPHA).unwrap();
        assert_eq!(shape(&large), (ImageKind::Png, 256, 256));
        assert_eq!(shape(&small), (ImageKind::Png, 64, 64));
        assert_eq!(pixels_of(&large).get_pixel(250, 128)[3], 0);
    }

    #[test]
    fn animated_gif_keeps_its_first_frame_as_png() {
        let prepared = upload(ANIM).unwrap();
        assert_eq!(shape(&prepared.original), (ImageKind::Png, 64, 48));
        assert!(is_red(pixels_of(&prepared.original).get_pixel(32, 24)));
        let (large, _) = avatar(ANIM).unwrap();
        assert_eq!(large.kind, ImageKind::Jpeg);
    }

    #[test]
    fn webp_photo_becomes_jpeg() {
        let prepared = upload(WEBP).unwrap();
        assert_eq!(shape(&prepared.original), (ImageKind::Jpeg, 320, 240));
        let (large, small) = avatar(WEBP).unwrap();
        assert_eq!((large.width, small.width), (256, 64));
    }

    #[test]
    fn bad_files_get_the_right_error() {
        assert_eq!(upload(TRUNCATED).err(), Some(ImageError::Corrupt));
        assert_eq!(avatar(TRUNCATED).err(), Some(ImageError::Corrupt));
        assert_eq!(upload(HTML).err(), Some(ImageError::NotAnImage));
        assert_eq!(upload(SVG).err(), Some(ImageError::Unsupported("SVG")));
        assert_eq!(
            upload(b"\xFF\xD8\xFFgarbage").err(),
            Some(ImageError::Corrupt)
        );
        assert_eq!(upload(&BOMB[..40]).err(), Some(ImageError::Corrupt));
    }

    #[test]
    fn bomb_is_refused_from_its_header() {
        let too_large = ImageError::TooLarge {
            width: 60000,
            height: 60000,
        };
        assert_eq!(upload(BOMB).err(), Some(too_large.clone()));
        assert_eq!(avatar(BOMB).err(), Some(too_large));
    }

    #[test]
    fn a_16_bit_bomb_under_the_pixel_limit_is_refused_by_its_bytes_from_the_header() {
        // 39.7 megapixels, under `MAX_PIXELS`; 317 MB decoded, 476 MB with its copy.
        for refused in [
            upload(HUGE_16BIT),
            avatar(HUGE_16BIT).map(|_| unreachable!()),
        ] {
            let Err(ImageError::NeedsTooMuchMemory {
                width: 6300,
                height: 6300,
                needed_mb,
                allowed_mb,
                megapixels,
            }) = refused
            else {
                panic!("{refused:?}");
            };
            assert_eq!(needed_mb, 455);
            assert!(
                allowed_mb <= 192 && megapixels < 40,
                "{allowed_mb} {megapixels}"
            );
        }
        // 2000 × 2000: 32 MB decoded, then its 16 MB 8-bit copy beside it.
        assert_eq!(memory_needed(MEDIUM_16BIT, Purpose::Upload), Ok(48_000_000));
        assert_eq!(memory_needed(MEDIUM_16BIT, Purpose::Avatar), Ok(48_000_000));
        assert_eq!(shape(&upload(MEDIUM_16BIT).unwrap().original).1, 2000);
    }

    #[test]
    fn a_progressive_jpeg_counts_its_coefficients_and_avatars_get_less() {
        let baseline = big_jpeg(2400, 1600);
        let pixels: Vec<u8> = (0..2400 * 1600).flat_map(|_| [200, 120, 40]).collect();
        let mut progressive = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut progressive, 90);
        encoder.set_progressive(true);
        encoder
            .encode(&pixels, 2400, 1600, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        let p = 2400 * 1600;
        // Planes and pixels at once, then the pixels and their re-encoded copy.
        assert_eq!(memory_needed(&baseline, Purpose::Upload), Ok(6 * p));
        // Plus every coefficient, 2 bytes a channel.
        assert_eq!(memory_needed(&progressive, Purpose::Upload), Ok(12 * p));
        // An avatar decodes at 1/4 scale here; the coefficients stay full size.
        let quarter = 600 * 400;
        assert_eq!(memory_needed(&baseline, Purpose::Avatar), Ok(6 * quarter));
        assert_eq!(
            memory_needed(&progressive, Purpose::Avatar),
            Ok(6 * p + 6 * quarter)
        );
        assert!(Purpose::Avatar.max_bytes() < Purpose::Upload.max_bytes());
    }

    #[test]
    fn large_jpeg_thumbnail_decodes_scaled_and_centred() {
        let jpeg = big_jpeg(2400, 1600);
        let (large, small) = avatar(&jpeg).unwrap();
        assert_eq!((large.width, small.width), (256, 64));
        let pixels = pixels_of(&large);
        assert!(is_red(pixels.get_pixel(20, 128)));
        assert!(!is_red(pixels.get_pixel(235, 128)));
        let half = &jpeg[..jpeg.len() / 2];
        assert_eq!(avatar(half).err(), Some(ImageError::Corrupt));
        assert_eq!(upload(half).err(), Some(ImageError::Corrupt));
    }

    #[test]
    fn jpeg_scale_keeps_the_short_side_long_enough() {
        assert_eq!(scale_request(4000, 3000, 256), (500, 375));
        assert_eq!(scale_request(1000, 600, 256), (500, 300));
        assert_eq!(scale_request(8000, 1000, 256), (4000, 500));
        assert_eq!(scale_request(400, 300, 256), (400, 300));
        assert_eq!(scale_request(200, 100, 256), (200, 100));
    }

    #[test]
    fn messages_are_sentences_for_the_user() {
        assert_eq!(
            ImageError::NotAnImage.to_string(),
            "This file is not a JPEG, PNG, GIF or WebP image."
        );
        assert_eq!(
            ImageError::Unsupported("SVG").to_string(),
            "SVG images are not accepted: upload a PNG or JPEG."
        );
        assert_eq!(
            ImageError::TooLarge {
                width: 60000,
                height: 60000
            }
            .to_string(),
            "The image is 60000 × 60000 pixels, more than the 40 megapixels allowed."
        );
        assert_eq!(
            ImageError::Corrupt.to_string(),
            "The image is damaged or incomplete."
        );
    }
}
