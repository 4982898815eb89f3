//! Writes the seed corpora: `fuzz/seeds/` for the request target, one request per
//! route family, with the harness admin's cookie and CSRF token where a form needs
//! them, so the fuzzer starts past the CSRF check; `fuzz/seeds-image/` for the image
//! target, one file per decoder path (16-bit, alpha, progressive, animated, EXIF
//! orientation, WebP, truncated). `cargo run --bin seeds -- REQUEST_DIR IMAGE_DIR`.

use std::path::PathBuf;

use anyhow::Context;
use blog_fuzz::harness::{
    Harness, ADMIN_EMAIL, ADMIN_PASSWORD, POST_SLUG, READER_EMAIL, SESSION,
};

fn main() -> anyhow::Result<()> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "seeds".into()));
    let image_dir = PathBuf::from(
        std::env::args()
            .nth(2)
            .unwrap_or_else(|| "seeds-image".into()),
    );
    std::fs::create_dir_all(&dir)?;
    write_image_seeds(&image_dir)?;
    let harness = Harness::start()?;
    let csrf = harness.csrf_token()?;
    let cookie = format!("Cookie: blog_session={SESSION}\r\n");
    let mut seeds: Vec<(&str, Vec<u8>)> = vec![
        ("get-index", get("/", "")),
        ("get-page-2", get("/?page=2", "")),
        ("get-page-0", get("/?page=0", "")),
        ("get-page-abc", get("/?page=abc&page=3", "")),
        ("get-page-huge", get("/?page=99999999999999999999", "")),
        ("get-post", get(&format!("/posts/{POST_SLUG}"), "")),
        (
            "get-post-signed-in",
            get(&format!("/posts/{POST_SLUG}"), &cookie),
        ),
        ("get-korean-slug", get("/posts/%EC%95%88%EB%85%95", "")),
        ("get-tag", get("/tags/rust?page=1", "")),
        ("get-author", get("/authors/1", "")),
        ("get-author-feed", get("/authors/1/feed.xml", "")),
        ("get-feed", get("/feed.xml", "If-None-Match: \"x\"\r\n")),
        ("get-sitemap", get("/sitemap.xml", "")),
        (
            "get-search",
            get("/search?q=hello+%22fuzz%22+-web+OR+rust*&page=1", ""),
        ),
        ("get-drafts", get("/drafts", &cookie)),
        (
            "get-edit",
            get(&format!("/posts/{POST_SLUG}/edit"), &cookie),
        ),
        (
            "get-static",
            get(
                "/static/../../etc/passwd",
                "Accept-Encoding: br, gzip;q=0.5\r\n",
            ),
        ),
        ("get-media", get("/media/uploads/%2e%2e/secret.key", "")),
        ("get-reset", get("/accounts/reset/abc", "")),
        (
            "odd-headers",
            get(
                "/accounts/login?next=//evil.example/",
                "Cookie: a=b; blog_session=zz; blog_session=\r\nCookie: ;;==\r\n\
                 X-Forwarded-For: 10.0.0.1, ::1, nonsense\r\nX-Forwarded-Proto: https\r\n\
                 X-Forwarded-Host: evil.example\r\nIf-None-Match: W/\"1\", *\r\n\
                 Accept-Language: ko-KR,ko;q=0.9\r\nRange: bytes=0-1\r\n",
            ),
        ),
        (
            "keep-alive-pipelined",
            [
                get("/healthz", ""),
                get("/robots.txt", ""),
                get("/nope", ""),
            ]
            .concat(),
        ),
        (
            "chunked-post",
            b"POST /accounts/login HTTP/1.1\r\nHost: fuzz\r\nTransfer-Encoding: chunked\r\n\
              Content-Type: application/x-www-form-urlencoded\r\n\r\n5\r\nemail\r\n0\r\n\r\n"
                .to_vec(),
        ),
    ];
    let form = |path: &str, body: String, extra: &str| {
        post(
            path,
            "application/x-www-form-urlencoded",
            body.as_bytes(),
            extra,
        )
    };
    // With the admin's cookie and token: a login form always carries a CSRF token, and
    // without one the request stops before the password is checked.
    seeds.push((
        "post-login",
        form(
            "/accounts/login",
            format!("email={ADMIN_EMAIL}&password=wrong+password&next=%2Fdrafts&csrf_token={csrf}"),
            &cookie,
        ),
    ));
    seeds.push((
        "post-login-right",
        form(
            "/accounts/login",
            format!(
                "email={ADMIN_EMAIL}&password={}&csrf_token={csrf}",
                ADMIN_PASSWORD.replace(' ', "+")
            ),
            &cookie,
        ),
    ));
    seeds.push((
        "post-signup",
        form(
            "/accounts/signup",
            format!("email=new%40fuzz.example&password=a+long+password&password2=a+long+password&display_name=New&csrf_token={csrf}"),
            &cookie,
        ),
    ));
    seeds.push((
        "post-new",
        form(
            "/posts/new",
            format!("title=%EC%95%88%EB%85%95+Fuzz&body=%3Cp+onclick%3Dx()%3Ehi%3Cscript%3Ea%3C%2Fscript%3E%3Ca+href%3D%22javascript%3Ax%22%3El%3C%2Fa%3E%3Cimg+src%3D%22%2Fmedia%2Fa.png%22+style%3D%22width%3A50%25%22%3E%3C%2Fp%3E&tags=Rust%2C+%ED%95%9C%EA%B5%AD%EC%96%B4%2C+&csrf_token={csrf}"),
            &cookie,
        ),
    ));
    seeds.push((
        "post-edit",
        form(
            &format!("/posts/{POST_SLUG}/edit"),
            format!("title=New+title&body=%3Ch2%3Ex%3C%2Fh2%3E&tags=a,b,c&csrf_token={csrf}"),
            &cookie,
        ),
    ));
    seeds.push((
        "post-comment",
        form(
            &format!("/posts/{POST_SLUG}/comments"),
            format!("body=See+https%3A%2F%2Fexample.com%0D%0Aok&name=Visitor&csrf_token={csrf}"),
            &cookie,
        ),
    ));
    seeds.push((
        "post-comment-moderate",
        form("/comments/1/hide", format!("csrf_token={csrf}"), &cookie),
    ));
    seeds.push((
        "post-unpublish",
        form(
            &format!("/posts/{POST_SLUG}/unpublish"),
            format!("csrf_token={csrf}"),
            &cookie,
        ),
    ));
    seeds.push((
        "post-password",
        form(
            "/accounts/password",
            format!("old_password=x&new_password=short&new_password2=other&csrf_token={csrf}"),
            &cookie,
        ),
    ));
    seeds.push((
        "post-logout-no-csrf",
        form("/accounts/logout", String::new(), &cookie),
    ));
    seeds.push(("get-admin", get("/admin", &cookie)));
    seeds.push(("get-admin-users", get("/admin/users", &cookie)));
    seeds.push((
        "post-admin-role",
        form(
            "/admin/users/2/role",
            format!("role=author&csrf_token={csrf}"),
            &cookie,
        ),
    ));
    seeds.push((
        "post-admin-deactivate",
        form(
            "/admin/users/2/deactivate",
            format!("csrf_token={csrf}"),
            &cookie,
        ),
    ));
    seeds.push((
        "post-admin-approve",
        form(
            "/admin/comments/1/approve",
            format!("csrf_token={csrf}"),
            &cookie,
        ),
    ));
    seeds.push((
        "post-admin-unpublish",
        form(
            &format!("/admin/posts/{POST_SLUG}/unpublish"),
            format!("csrf_token={csrf}"),
            &cookie,
        ),
    ));
    seeds.push((
        "post-admin-gc",
        form("/admin/media/gc", format!("csrf_token={csrf}"), &cookie),
    ));
    seeds.push((
        "post-admin-reset-link",
        form(
            "/admin/users/2/reset-link",
            format!("csrf_token={csrf}"),
            &cookie,
        ),
    ));
    seeds.push((
        "post-password-right",
        form(
            "/accounts/password",
            format!(
                "old_password={}&new_password=another+long+password&new_password2=another+long+password&csrf_token={csrf}",
                ADMIN_PASSWORD.replace(' ', "+")
            ),
            &cookie,
        ),
    ));
    seeds.push((
        "post-login-reader",
        form(
            "/accounts/login",
            format!(
                "email={READER_EMAIL}&password={}&csrf_token={csrf}",
                ADMIN_PASSWORD.replace(' ', "+")
            ),
            &cookie,
        ),
    ));
    let boundary = "----fuzzboundary7MA4YWxkTrZu0gW";
    let multipart = |parts: &[(&str, Option<&str>, &[u8])]| {
        let mut body = Vec::new();
        for (name, file, bytes) in parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match file {
                Some(file) => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: image/png\r\n\r\n").as_bytes(),
                ),
                None => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                ),
            }
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        body
    };
    let content_type = format!("multipart/form-data; boundary={boundary}");
    seeds.push((
        "multipart-upload",
        post(
            "/uploads",
            &content_type,
            &multipart(&[
                ("csrf_token", None, csrf.as_bytes()),
                ("file", Some("a.png"), TINY_PNG),
            ]),
            &cookie,
        ),
    ));
    seeds.push((
        "multipart-upload-gif",
        post(
            "/uploads",
            &content_type,
            &multipart(&[
                ("csrf_token", None, csrf.as_bytes()),
                ("file", Some("a.gif"), ANIM_GIF),
            ]),
            &cookie,
        ),
    ));
    seeds.push((
        "multipart-upload-header-token",
        post(
            "/uploads",
            &content_type,
            &multipart(&[("file", Some("x.png"), TINY_PNG)]),
            &format!("{cookie}X-CSRF-Token: {csrf}\r\n"),
        ),
    ));
    seeds.push((
        "multipart-profile",
        post(
            "/accounts/profile",
            &content_type,
            &multipart(&[
                ("csrf_token", None, csrf.as_bytes()),
                ("display_name", None, "새 이름".as_bytes()),
                ("bio", None, b"<b>bio</b>"),
                ("avatar", Some("me.png"), TINY_PNG),
            ]),
            &cookie,
        ),
    ));
    seeds.push((
        "multipart-bad-boundary",
        post(
            "/posts/new",
            "multipart/form-data; boundary=",
            b"--\r\n",
            &cookie,
        ),
    ));
    for (name, bytes) in seeds {
        std::fs::write(dir.join(name), bytes).with_context(|| format!("cannot write {name}"))?;
    }
    Ok(())
}

fn get(target: &str, headers: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: fuzz\r\n{headers}\r\n").into_bytes()
}

fn post(target: &str, content_type: &str, body: &[u8], headers: &str) -> Vec<u8> {
    let mut request = format!(
        "POST {target} HTTP/1.1\r\nHost: fuzz\r\n{headers}Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    request
}

/// Real images from the blog's test fixtures, so the image path is reached, not only
/// its refusal. A GIF has no checksum, so the fuzzer soon finds 40-megapixel canvases
/// in a few bytes: that is the work per image the decoder must bound (`fuzz/NOTES.md`),
/// not a reason to leave GIF out.
const TINY_PNG: &[u8] = include_bytes!("../../../tests/fixtures/small.png");
const ANIM_GIF: &[u8] = include_bytes!("../../../tests/fixtures/anim.gif");

/// The image target's seeds: the fixtures, and what they lack, made here.
fn write_image_seeds(dir: &std::path::Path) -> anyhow::Result<()> {
    use image::{ImageBuffer, ImageEncoder, Luma, Rgba};
    std::fs::create_dir_all(dir)?;
    let mut seeds: Vec<(&str, Vec<u8>)> = vec![
        ("alpha.png", TINY_PNG.to_vec()),
        ("animated.gif", ANIM_GIF.to_vec()),
        (
            "exif-rotated.jpg",
            include_bytes!("../../../tests/fixtures/rotated-gps.jpg").to_vec(),
        ),
        (
            "photo.webp",
            include_bytes!("../../../tests/fixtures/photo.webp").to_vec(),
        ),
        (
            "truncated.jpg",
            include_bytes!("../../../tests/fixtures/truncated.jpg").to_vec(),
        ),
    ];
    let png = |width: u32, height: u32, bytes: &[u8], color: image::ExtendedColorType| {
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(bytes, width, height, color)
            .map(|()| out)
    };
    // 16 bits per channel, with alpha: image decodes it to Rgba16.
    let rgba16: ImageBuffer<Rgba<u16>, Vec<u16>> = ImageBuffer::from_fn(12, 8, |x, y| {
        Rgba([
            (x * 5000) as u16,
            (y * 8000) as u16,
            40000,
            if x < 6 { 65535 } else { 30000 },
        ])
    });
    let rgba16_bytes: Vec<u8> = rgba16.as_raw().iter().flat_map(|v| v.to_be_bytes()).collect();
    seeds.push((
        "rgba16.png",
        png(12, 8, &rgba16_bytes, image::ExtendedColorType::Rgba16)?,
    ));
    let gray16: ImageBuffer<Luma<u16>, Vec<u16>> =
        ImageBuffer::from_fn(9, 9, |x, y| Luma([((x + y) * 4000) as u16]));
    let gray16_bytes: Vec<u8> = gray16.as_raw().iter().flat_map(|v| v.to_be_bytes()).collect();
    seeds.push((
        "gray16.png",
        png(9, 9, &gray16_bytes, image::ExtendedColorType::L16)?,
    ));
    // Progressive JPEG, colour and grey: another decoding path in jpeg-decoder.
    let rgb: Vec<u8> = (0..24 * 16)
        .flat_map(|i: u32| [(i * 7) as u8, (i * 3) as u8, 128])
        .collect();
    for (name, color, pixels) in [
        ("progressive.jpg", jpeg_encoder::ColorType::Rgb, rgb.clone()),
        (
            "progressive-gray.jpg",
            jpeg_encoder::ColorType::Luma,
            rgb.iter().step_by(3).copied().collect(),
        ),
    ] {
        let mut out = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut out, 80);
        encoder.set_progressive(true);
        encoder.encode(&pixels, 24, 16, color)?;
        seeds.push((name, out));
    }
    // An animated GIF with a transparent colour that moves from frame to frame.
    let mut gif = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut gif);
        encoder.set_repeat(image::codecs::gif::Repeat::Infinite)?;
        for step in 0..3u8 {
            let frame = ImageBuffer::from_fn(10, 6, |x, _| {
                if x == u32::from(step) {
                    Rgba([0, 0, 0, 0])
                } else {
                    Rgba([step * 80, 20, 200, 255])
                }
            });
            let frame = image::Frame::from_parts(
                frame,
                0,
                0,
                image::Delay::from_numer_denom_ms(100, 1),
            );
            encoder.encode_frame(frame)?;
        }
    }
    seeds.push(("animated-transparent.gif", gif));
    for (name, bytes) in seeds {
        std::fs::write(dir.join(name), bytes).with_context(|| format!("cannot write {name}"))?;
    }
    Ok(())
}
