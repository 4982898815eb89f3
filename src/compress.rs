//! gzip and brotli, for assets (compressed once, at their best) and pages (compressed
//! per response, quickly). Content negotiation by `Accept-Encoding` lives here too.

use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    pub fn header_value(self) -> &'static str {
        match self {
            Self::Brotli => "br",
            Self::Gzip => "gzip",
        }
    }

    /// The suffix of the precompressed twin a file server looks for.
    pub fn file_suffix(self) -> &'static str {
        match self {
            Self::Brotli => ".br",
            Self::Gzip => ".gz",
        }
    }
}

/// How hard to try: `Best` for assets compressed once, `Fast` for pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effort {
    Best,
    Fast,
}

/// The largest input compressed at `Best`. Brotli's best (quality 11) reads well under
/// a megabyte a second, on the thread that serves the page: fine for our assets (the
/// largest, Summernote, is 182 KiB) and ordinary pages, but a post of megabytes would
/// hold its worker, and every request on it, for seconds on each cache miss. Larger
/// inputs get `Fast`, a few dozen times quicker and a quarter larger.
pub const BEST_MAX_BYTES: usize = 256 * 1024;

pub fn compress(data: &[u8], encoding: Encoding, effort: Effort) -> Vec<u8> {
    let effort = if data.len() > BEST_MAX_BYTES {
        Effort::Fast
    } else {
        effort
    };
    match encoding {
        Encoding::Gzip => {
            let level = match effort {
                Effort::Best => flate2::Compression::best(),
                Effort::Fast => flate2::Compression::new(5),
            };
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::with_capacity(data.len() / 3), level);
            // Writing to a Vec cannot fail.
            let _ = encoder.write_all(data);
            encoder.finish().unwrap_or_default()
        }
        Encoding::Brotli => {
            let quality = match effort {
                Effort::Best => 11,
                Effort::Fast => 4,
            };
            let mut out = Vec::with_capacity(data.len() / 3);
            let params = brotli::enc::BrotliEncoderParams {
                quality,
                lgwin: 22,
                ..Default::default()
            };
            let _ = brotli::BrotliCompress(&mut &data[..], &mut out, &params);
            out
        }
    }
}

/// The encoding to answer with, by the client's `Accept-Encoding`: brotli first, then
/// gzip; none when the client accepts neither (or refuses them with `q=0`).
pub fn negotiate(accept_encoding: Option<&str>) -> Option<Encoding> {
    let header = accept_encoding?;
    let accepts = |name: &str| {
        header.split(',').any(|part| {
            let mut pieces = part.split(';');
            let coding = pieces.next().unwrap_or("").trim();
            let refused = pieces.any(|p| {
                let p = p.trim().replace(' ', "");
                p == "q=0" || p == "q=0.0" || p == "q=0.00" || p == "q=0.000"
            });
            coding.eq_ignore_ascii_case(name) && !refused
        })
    };
    if accepts("br") {
        Some(Encoding::Brotli)
    } else if accepts("gzip") {
        Some(Encoding::Gzip)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn both_encodings_round_trip() {
        let data = "hello hello hello hello ".repeat(100);
        let gz = compress(data.as_bytes(), Encoding::Gzip, Effort::Best);
        let mut back = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, data);
        let br = compress(data.as_bytes(), Encoding::Brotli, Effort::Fast);
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut back).unwrap();
        assert_eq!(back, data.as_bytes());
        assert!(br.len() < data.len() / 5);
    }

    #[test]
    fn a_page_of_megabytes_is_compressed_quickly_even_at_best() {
        let page: String = (0..BEST_MAX_BYTES / 8 + 1)
            .map(|n| format!("{:07} ", n * 7919 % 1_000_003))
            .collect();
        for encoding in [Encoding::Brotli, Encoding::Gzip] {
            assert_eq!(
                compress(page.as_bytes(), encoding, Effort::Best),
                compress(page.as_bytes(), encoding, Effort::Fast)
            );
        }
    }

    #[test]
    fn prefers_brotli_and_respects_q_zero() {
        assert_eq!(negotiate(Some("gzip, deflate, br")), Some(Encoding::Brotli));
        assert_eq!(negotiate(Some("gzip")), Some(Encoding::Gzip));
        assert_eq!(negotiate(Some("br;q=0, gzip")), Some(Encoding::Gzip));
        assert_eq!(negotiate(Some("identity")), None);
        assert_eq!(negotiate(None), None);
    }
}
