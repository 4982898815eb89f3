//! The editor's files as a browser and nginx get them: the post form loads Summernote
//! (vendored) and `editor.js` as deferred files over a plain textarea, and the icon
//! fonts its stylesheet names resolve under `/static/` and in `collectstatic`'s output.
//! The editor itself runs in `browser.rs`.

use crate::support::{Client, TestServer};

/// The relative `url(...)`s of a stylesheet that name font files.
fn font_urls(css: &str) -> Vec<String> {
    css.split("url(")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .map(|url| url.trim_matches(|c| c == '"' || c == '\''))
        .filter(|url| url.starts_with("font/"))
        .map(|url| url.split(['?', '#']).next().unwrap_or(url).to_owned())
        .collect()
}

/// The `href` of the page's stylesheet whose name starts with `prefix`.
fn stylesheet(client: &Client, page: &str, prefix: &str) -> String {
    let page = client.get(page).assert_status(200);
    page.select("link[rel=stylesheet]")
        .iter()
        .filter_map(|l| l.attr("href"))
        .find(|href| href.starts_with(prefix))
        .unwrap_or_else(|| panic!("a stylesheet {prefix}… on the page"))
        .to_owned()
}

#[test]
fn the_post_form_loads_the_editor_as_deferred_files_over_a_plain_textarea() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let form = author.get("/posts/new").assert_status(200);
    assert!(
        form.has("form.post-form textarea[name=body]"),
        "without JavaScript the textarea is the editor"
    );
    let scripts: Vec<String> = form
        .select("script")
        .iter()
        .map(|s| {
            assert!(s.attr("defer").is_some(), "{s:?} is deferred");
            assert!(
                s.inner_html.trim().is_empty(),
                "{s:?} is a file, not inline"
            );
            s.attr("src").unwrap_or_default().to_owned()
        })
        .collect();
    let position = |prefix: &str| {
        scripts
            .iter()
            .position(|src| src.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix}… among {scripts:?}"))
    };
    let jquery = position("/static/vendor/jquery/jquery.");
    let summernote = position("/static/vendor/summernote/summernote-lite.");
    let editor = position("/static/js/editor.");
    assert!(jquery < summernote && summernote < editor, "{scripts:?}");
    for src in &scripts {
        author.get(src).assert_status(200);
    }

    // Other pages do without the editor's weight.
    let home = author.get("/").assert_status(200);
    assert!(
        !home.body.contains("summernote"),
        "no editor on the home page"
    );
}

#[test]
fn the_editor_icon_fonts_load_from_the_urls_its_stylesheet_names() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let css_url = stylesheet(&author, "/posts/new", "/static/vendor/summernote/");
    let css = author.get(&css_url).assert_status(200).body;
    let fonts = font_urls(&css);
    assert_eq!(fonts.len(), 4, "woff2, woff, ttf and eot: {fonts:?}");
    let dir = css_url.rsplit_once('/').map_or("", |(dir, _)| dir);
    for font in fonts {
        let page = author.get(&format!("{dir}/{font}")).assert_status(200);
        let content_type = page.header("content-type").unwrap_or_default().to_owned();
        assert!(
            content_type.starts_with("font/") || content_type.contains("fontobject"),
            "{font}: {content_type}"
        );
        assert!(!page.bytes.is_empty());
    }
}

#[test]
fn collectstatic_puts_the_editor_fonts_where_its_stylesheet_looks() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let css_url = stylesheet(&author, "/posts/new", "/static/vendor/summernote/");
    let out = tempfile::tempdir().expect("a folder for collectstatic");
    let out_arg = out.path().to_str().expect("a UTF-8 temporary path");
    server.cli(&["collectstatic", out_arg]).success();

    let css_path = out.path().join(css_url.trim_start_matches("/static/"));
    let css = std::fs::read_to_string(&css_path)
        .unwrap_or_else(|err| panic!("{} from collectstatic: {err}", css_path.display()));
    let fonts = font_urls(&css);
    assert_eq!(fonts.len(), 4, "{fonts:?}");
    let dir = css_path.parent().expect("the stylesheet's folder");
    for font in fonts {
        assert!(dir.join(&font).is_file(), "{font} beside the stylesheet");
    }
}
