//! Images for readers: at render time, each `<img src="/media/…">` of a stored body
//! gets its size, the catalogue's narrower copies in `srcset` (WebP in a `<picture>`
//! source before them) and a loading hint: the first image is fetched early, the others
//! when the reader scrolls near them. Stored bodies keep plain `<img src>`, so old
//! posts gain this too, the sanitizer allows nothing new, and feeds and mail (which
//! take the stored body) keep plain absolute sources. Pages are cached per content
//! version, so this runs once per change.

use std::collections::HashMap;

use super::{attribute_names, is_plain_media_path, tag_end, SanitizedHtml, MEDIA_PREFIX};

/// The width the text column shows an image at, for `sizes`: the page's measure
/// (42rem) less its padding, or the viewport less the padding on a phone.
pub const SIZES: &str = "(max-width: 42rem) calc(100vw - 2rem), 40rem";

/// What the catalogue has for one shown file (the `src` of a stored body).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageFiles {
    /// The shown file's own size, for `width` and `height`.
    pub width: u32,
    pub height: u32,
    /// Files in the shown file's format (JPEG or PNG), the shown file among them.
    pub fallback: Vec<Candidate>,
    /// WebP copies.
    pub webp: Vec<Candidate>,
}

/// One file for `srcset`: its path under the media folder and its width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub path: String,
    pub width: u32,
}

impl SanitizedHtml {
    /// The body as readers get it: every image with `loading` or `fetchpriority`, and,
    /// where `images` (by path under the media folder) knows it, its `width`, `height`
    /// and `srcset`. An image whose tag already says its size keeps the author's.
    pub fn with_responsive_images(&self, images: &HashMap<String, ImageFiles>) -> SanitizedHtml {
        let html = self.as_str();
        if !html.contains("<img") {
            return self.clone();
        }
        let mut out = String::with_capacity(html.len() + 256);
        let mut copied = 0;
        let mut at = 0;
        let mut first = true;
        // The sanitizer's output: `<` in text is `&lt;`, values are double-quoted, so
        // a scan from tag to tag (skipping quoted values) reads exactly what a browser
        // reads.
        while let Some(offset) = html[at..].find('<') {
            let start = at + offset;
            let end = tag_end(html, start);
            let tag = &html[start..end];
            at = end;
            let is_img = tag
                .strip_prefix("<img")
                .is_some_and(|rest| rest.starts_with([' ', '>', '/']));
            if !is_img || !tag.ends_with('>') {
                continue;
            }
            out.push_str(&html[copied..start]);
            copied = end;
            let files = attribute_value(tag, "src")
                .and_then(|src| src.strip_prefix(MEDIA_PREFIX))
                .and_then(|path| images.get(path));
            rewrite(tag, files, first, &mut out);
            first = false;
        }
        out.push_str(&html[copied..]);
        SanitizedHtml(out)
    }
}

fn rewrite(tag: &str, files: Option<&ImageFiles>, first: bool, out: &mut String) {
    let opened = tag.trim_end_matches('>').trim_end_matches('/').trim_end();
    let mut img = String::from(opened);
    let has_size = attribute_names(tag).any(|name| name == "width" || name == "height");
    let mut webp = None;
    if let Some(files) = files {
        if !has_size && files.width > 0 && files.height > 0 {
            img.push_str(&format!(
                r#" width="{}" height="{}""#,
                files.width, files.height
            ));
        }
        if let Some(srcset) = srcset(&files.fallback).filter(|_| files.fallback.len() > 1) {
            img.push_str(&format!(r#" srcset="{srcset}" sizes="{SIZES}""#));
        }
        webp = srcset(&files.webp);
    }
    img.push_str(if first {
        r#" fetchpriority="high">"#
    } else {
        r#" loading="lazy">"#
    });
    match webp {
        Some(srcset) => {
            out.push_str(&format!(
                r#"<picture><source type="image/webp" srcset="{srcset}" sizes="{SIZES}">"#
            ));
            out.push_str(&img);
            out.push_str("</picture>");
        }
        None => out.push_str(&img),
    }
}

/// `/media/a.jpg 480w, /media/b.jpg 960w`, narrowest first; `None` when no candidate
/// is a plain media path (they all come from our catalogue, but the page is HTML).
fn srcset(candidates: &[Candidate]) -> Option<String> {
    let mut kept: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| c.width > 0 && is_plain_media_path(&c.path))
        .collect();
    kept.sort_by_key(|c| c.width);
    kept.dedup_by_key(|c| c.width);
    let parts: Vec<String> = kept
        .iter()
        .map(|c| format!("{MEDIA_PREFIX}{} {}w", c.path, c.width))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The value of attribute `name` in one tag of the sanitizer's output, where values
/// are double-quoted and a `"` inside one is `&quot;`.
fn attribute_value<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut quoted = false;
    for (i, byte) in tag.bytes().enumerate() {
        match byte {
            b'"' => quoted = !quoted,
            b' ' if !quoted => {
                let value = tag[i + 1..]
                    .strip_prefix(name)
                    .and_then(|after| after.strip_prefix("=\""));
                if let Some(value) = value {
                    return value.find('"').map(|end| &value[..end]);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> HashMap<String, ImageFiles> {
        let candidate = |path: &str, width| Candidate {
            path: path.into(),
            width,
        };
        HashMap::from([(
            "uploads/a.jpg".to_string(),
            ImageFiles {
                width: 1600,
                height: 900,
                fallback: vec![
                    candidate("uploads/a.jpg", 1600),
                    candidate("uploads/a-480.jpg", 480),
                    candidate("uploads/a-960.jpg", 960),
                ],
                webp: vec![
                    candidate("uploads/a-960.webp", 960),
                    candidate("uploads/a-480.webp", 480),
                    candidate("uploads/a-1600.webp", 1600),
                ],
            },
        )])
    }

    fn render(body: &str) -> String {
        SanitizedHtml::from_trusted_storage(body.into())
            .with_responsive_images(&files())
            .as_str()
            .to_string()
    }

    #[test]
    fn a_known_image_gets_its_size_srcset_and_webp_source() {
        let out = render(r#"<p>x<img src="/media/uploads/a.jpg" alt="A cat"></p>"#);
        assert_eq!(
            out,
            format!(
                concat!(
                    r#"<p>x<picture><source type="image/webp" srcset="/media/uploads/a-480.webp 480w, /media/uploads/a-960.webp 960w, /media/uploads/a-1600.webp 1600w" sizes="{s}">"#,
                    r#"<img src="/media/uploads/a.jpg" alt="A cat" width="1600" height="900" srcset="/media/uploads/a-480.jpg 480w, /media/uploads/a-960.jpg 960w, /media/uploads/a.jpg 1600w" sizes="{s}" fetchpriority="high"></picture></p>"#
                ),
                s = SIZES
            )
        );
    }

    #[test]
    fn only_the_first_image_is_fetched_early() {
        let out = render(
            r#"<img src="/media/uploads/a.jpg"><img src="/media/uploads/unknown.png"><img src="/media/uploads/a.jpg">"#,
        );
        assert_eq!(out.matches("fetchpriority=\"high\"").count(), 1);
        assert_eq!(out.matches("loading=\"lazy\"").count(), 2);
        let first_lazy = out.find("loading").unwrap();
        assert!(out.find("fetchpriority").unwrap() < first_lazy, "{out}");
        // An image the catalogue does not know keeps its source alone, with its hint.
        assert!(
            out.contains(r#"<img src="/media/uploads/unknown.png" loading="lazy">"#),
            "{out}"
        );
    }

    #[test]
    fn odd_input_is_left_as_it_was() {
        // No image; an `<img` inside an attribute value and as escaped text; a tag
        // named like img; an unterminated tag at the end.
        for body in [
            "",
            "<p>plain</p>",
            r#"<p title="<img src=&quot;/media/uploads/a.jpg&quot;>">&lt;img src="/media/uploads/a.jpg"&gt;</p>"#,
            "<imgx>no</imgx>",
            r#"<p>cut <img src="/media/uploads/a.jpg""#,
        ] {
            assert_eq!(render(body), body, "{body}");
        }
    }

    #[test]
    fn an_image_that_says_its_size_keeps_it_and_attributes_in_values_are_not_read() {
        let out = render(
            r#"<img alt="src=&quot;x&quot; width" width="300" src="/media/uploads/a.jpg" style="width:50%">"#,
        );
        assert!(out.contains(r#"width="300""#), "{out}");
        assert!(!out.contains(r#"width="1600""#), "{out}");
        assert!(!out.contains("height="), "{out}");
        assert!(out.contains("/media/uploads/a-480.jpg 480w"), "{out}");
        assert!(out.contains(r#"style="width:50%" srcset="#), "{out}");
    }

    #[test]
    fn a_catalogue_path_that_is_not_plain_is_never_written() {
        let mut images = files();
        images.get_mut("uploads/a.jpg").unwrap().webp = vec![Candidate {
            path: "x\" onerror=\"alert(1)".into(),
            width: 480,
        }];
        let out = SanitizedHtml::from_trusted_storage(r#"<img src="/media/uploads/a.jpg">"#.into())
            .with_responsive_images(&images);
        assert!(!out.as_str().contains("onerror"), "{}", out.as_str());
        assert!(!out.as_str().contains("<picture>"), "{}", out.as_str());
    }
}
