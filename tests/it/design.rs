//! Design and accessibility in a real headless Chromium (helpers in `browser.rs`):
//! a post written with the keyboard alone, the editor's markup after its scripts ran
//! (Nu Html Checker), and every page type of `support::tour` at 1280 and 390 px in
//! both themes: screenshots under `target/tmp/screenshots/`, no sideways scrolling on
//! a phone, no table cell that breaks inside a word, and WCAG AA text contrast.

use std::path::{Path, PathBuf};

use headless_chrome::browser::tab::ModifierKey;
use headless_chrome::protocol::cdp::Emulation::{
    MediaFeature, SetDeviceMetricsOverride, SetEmulatedMedia,
};
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;

use crate::browser::{chromium, open_editor, Window};
use crate::markup::check_files;
use crate::support::tour::{tour, Who};
use crate::support::TestServer;

const SMALL_PNG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/small.png");

/// What has the keyboard's focus: tag, classes, name.
fn focused(window: &Window) -> String {
    window.text(
        "(el => el ? el.tagName.toLowerCase() + '.' + [...el.classList].join('.') + ' ' \
         + (el.getAttribute('aria-label') || el.id || el.textContent.trim().slice(0, 30)) : '')\
         (document.activeElement)",
    )
}

/// Presses Tab (or Shift+Tab) until the focused element matches `css`; the elements
/// passed on the way, described. Fails after 80 presses.
#[track_caller]
fn tab_to(window: &Window, css: &str, backwards: bool) -> Vec<String> {
    let modifiers: &[ModifierKey] = if backwards {
        &[ModifierKey::Shift]
    } else {
        &[]
    };
    let mut passed = Vec::new();
    for _ in 0..80 {
        if window.eval(&format!("!!document.activeElement?.matches({css:?})")) == true {
            return passed;
        }
        window.press("Tab", modifiers);
        passed.push(focused(window));
    }
    panic!("Tab never reached {css}; passed {passed:#?}");
}

/// The focused element's outline, as drawn: style and width in px.
fn focus_ring(window: &Window) -> (String, f64) {
    let ring = window.eval(
        "(s => [s.outlineStyle, parseFloat(s.outlineWidth)])(getComputedStyle(document.activeElement))",
    );
    (
        ring[0].as_str().unwrap_or_default().to_owned(),
        ring[1].as_f64().unwrap_or_default(),
    )
}

#[track_caller]
fn assert_visible_ring(window: &Window, what: &str) {
    let (style, width) = focus_ring(window);
    assert!(
        style != "none" && width >= 2.0,
        "{what} shows a focus ring, not {style} {width}px ({})",
        focused(window)
    );
}

#[test]
fn a_post_is_written_with_the_keyboard_alone_heading_list_link_and_image_with_its_text() {
    let Some(chromium) = chromium() else {
        return;
    };
    let server = TestServer::start();
    let window = open_editor(&chromium, &server);
    // The page did not jump as the textarea became the editor and its icons arrived
    // (Lighthouse's "good" is under 0.1; this asks for much less).
    window.wait_until("document.fonts.status === 'loaded'", "the icon font");
    let shift = window
        .tab
        .evaluate(LAYOUT_SHIFT_JS, true)
        .ok()
        .and_then(|r| r.value)
        .and_then(|v| v.as_f64())
        .expect("the layout shift");
    println!("editor layout shift: {shift}");
    assert!(shift < 0.02, "the editor page shifted by {shift}");
    window.eval("document.activeElement.blur(), true");

    // The first Tab reaches the skip link, then on to the title.
    window.press("Tab", &[]);
    assert!(
        focused(&window).starts_with("a.skip-link"),
        "{}",
        focused(&window)
    );
    tab_to(&window, "#title", false);
    window.type_text("Written with the keyboard");

    // Every toolbar button is on the way to the text, each with a name and a ring.
    let passed = tab_to(&window, ".note-editable", false);
    for name in [
        "Style",
        "Bold",
        "Italic",
        "Underline",
        "Unordered list",
        "Ordered list",
        "Link",
        "Picture",
        "Undo",
        "Redo",
    ] {
        assert!(
            passed
                .iter()
                .any(|p| p.starts_with("button.note-btn") && p.contains(name)),
            "the {name} button is reached by Tab: {passed:#?}"
        );
    }
    assert_visible_ring(&window, "the editing area");
    window.type_text("We walked by the river.");
    window.press("Enter", &[]);

    // A heading from the style menu.
    tab_to(&window, ".note-toolbar .note-style button", true);
    assert_visible_ring(&window, "a toolbar button");
    window.press("Enter", &[]);
    tab_to(&window, ".note-dropdown-item[data-value=h2]", false);
    window.press("Enter", &[]);
    tab_to(&window, ".note-editable", false);
    window.type_text("What we saw");
    window.wait_until(
        "document.querySelector('.note-editable h2')?.textContent === 'What we saw'",
        "the line to become an h2",
    );
    window.press("Enter", &[]);

    // A list from its button.
    tab_to(
        &window,
        ".note-toolbar button[aria-label^='Unordered list']",
        true,
    );
    window.press("Enter", &[]);
    tab_to(&window, ".note-editable", false);
    window.type_text("Herons by the weir");
    window.press("Enter", &[]);
    window.type_text("An otter, briefly");
    window.press("Enter", &[]);
    window.press("Enter", &[]);
    window.wait_until(
        "document.querySelectorAll('.note-editable ul li').length === 2",
        "a list of two",
    );

    // A link on words selected with the keyboard.
    window.type_text("the rivers of the valley");
    window.press("Home", &[ModifierKey::Shift]);
    tab_to(&window, ".note-toolbar button[aria-label^='Link']", true);
    window.press("Enter", &[]);
    tab_to(&window, ".note-modal.open .note-link-url", false);
    window.type_text("https://example.com/rivers");
    window.press("Enter", &[]);
    window.wait_until(
        "document.querySelector('.note-editable a')?.getAttribute('href') === 'https://example.com/rivers'",
        "the link in the text",
    );
    tab_to(&window, ".note-editable", false);
    window.press("End", &[ModifierKey::Ctrl]);
    window.press("Enter", &[]);

    // An image: its text typed in the picture dialog, then the file chosen (the file
    // chooser is the system's; the driver stands in for it on the focused field).
    tab_to(&window, ".note-toolbar button[aria-label^='Picture']", true);
    window.press("Enter", &[]);
    window.wait_until(
        "!!document.querySelector('.note-modal.open .note-image-input')",
        "the picture dialog",
    );
    assert_eq!(
        window.count(".note-modal.open .note-image-url"),
        0,
        "no Image URL field: the CSP would refuse it"
    );
    tab_to(&window, ".note-modal.open .note-image-alt", false);
    window.type_text("A small square of colour");
    window.press("Tab", &[]);
    assert!(
        window.eval("document.activeElement.matches('.note-modal.open .note-image-input')") == true,
        "the file field comes next: {}",
        focused(&window)
    );
    window
        .tab
        .wait_for_element(".note-modal.open .note-image-input")
        .and_then(|input| input.set_input_files(&[SMALL_PNG]).map(|_| ()))
        .expect("choose a file in the picture dialog");
    window.wait_until(
        "document.querySelector('.note-editable img')?.getAttribute('alt') === 'A small square of colour'",
        "the image with its text",
    );

    // The editor as its scripts left it passes the Nu Html Checker.
    let dir = tempfile::tempdir().expect("a folder");
    let file = dir.path().join("editor-after-scripts.html");
    let html = window.text("'<!DOCTYPE html>\\n' + document.documentElement.outerHTML");
    std::fs::write(&file, html).expect("write the editor's DOM");
    if let Some(messages) = check_files(&[file]) {
        let errors: Vec<_> = messages.iter().filter(|m| m.1 == "error").collect();
        assert!(
            errors.is_empty(),
            "the editor after its scripts: {errors:#?}"
        );
    }

    // Out of the editor to the tags, then Save: all by keyboard.
    tab_to(&window, "#tags", false);
    window.type_text("walks");
    tab_to(&window, "form.post-form button.primary[type=submit]", false);
    window.press("Enter", &[]);
    window.wait_until(
        "location.pathname.startsWith('/posts/') && !!document.querySelector('article.post')",
        "the saved post's page",
    );
    let body = |css: &str| window.count(&format!(".post-body {css}"));
    assert_eq!(
        window.text("document.querySelector('.post-body h2').textContent"),
        "What we saw"
    );
    assert_eq!(body("ul li"), 2);
    assert_eq!(body("a[href='https://example.com/rivers']"), 1);
    assert_eq!(
        body("img[alt='A small square of colour'][src^='/media/']"),
        1
    );
    window.assert_clean_console();
}

/// The page's cumulative layout shift so far (not caused by input).
const LAYOUT_SHIFT_JS: &str = "new Promise(done => { let sum = 0; \
    new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) sum += e.value; }) \
    .observe({ type: 'layout-shift', buffered: true }); setTimeout(() => done(sum), 300); })";

/// Sets the window's width (a phone's, with touch and mobile layout, at 390) and the
/// theme the page is asked for.
fn emulate(window: &Window, width: u32, height: u32, dark: bool) {
    let metrics: SetDeviceMetricsOverride = serde_json::from_value(serde_json::json!({
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600,
    }))
    .expect("device metrics");
    window.tab.call_method(metrics).expect("the window's size");
    window
        .tab
        .call_method(SetEmulatedMedia {
            media: None,
            features: Some(vec![MediaFeature {
                name: "prefers-color-scheme".into(),
                value: if dark { "dark" } else { "light" }.into(),
            }]),
        })
        .expect("the theme");
}

/// A PNG of the whole page as it is laid out now, under `target/tmp/screenshots/`.
fn shoot(window: &Window, width: u32, dark: bool, name: &str) -> PathBuf {
    let height = window
        .eval("document.documentElement.scrollHeight")
        .as_u64()
        .unwrap_or(900)
        .clamp(200, 8000) as u32;
    emulate(window, width, height, dark);
    let png = window
        .tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .expect("a screenshot");
    emulate(window, width, 900, dark);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).expect("the screenshots folder");
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, &png).expect("write the screenshot");
    path
}

/// Words of table cells that the layout broke over two lines, as `word in "cell"`.
const BROKEN_WORDS_JS: &str = r#"(() => {
    const broken = [];
    for (const cell of document.querySelectorAll('td, th')) {
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const re = /\S+/g;
            let m;
            while ((m = re.exec(node.data))) {
                const range = document.createRange();
                range.setStart(node, m.index);
                range.setEnd(node, m.index + m[0].length);
                const tops = new Set([...range.getClientRects()]
                    .filter(r => r.width > 0).map(r => Math.round(r.top)));
                if (tops.size > 1) broken.push(m[0] + ' in "' + cell.textContent.trim().slice(0, 60) + '"');
            }
        }
    }
    return broken;
})()"#;

/// Text whose contrast with what is behind it is under WCAG AA (4.5:1, or 3:1 for
/// large text): `ratio text (color on background)`.
const LOW_CONTRAST_JS: &str = r#"(() => {
    const parse = c => { const m = c.match(/[\d.]+/g) || [0, 0, 0, 0]; return [+m[0], +m[1], +m[2], m.length > 3 ? +m[3] : 1]; };
    const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1);
    const background = el => {
        const layers = [];
        for (let e = el; e; e = e.parentElement) {
            const s = getComputedStyle(e);
            if (s.backgroundImage !== 'none' && e.tagName !== 'SELECT') return null;
            const c = parse(s.backgroundColor);
            if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
        }
        let bg = [255, 255, 255, 1];
        for (const layer of layers.reverse()) bg = over(layer, bg);
        return bg;
    };
    const lum = c => { const v = c.slice(0, 3).map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); }); return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
    const low = [];
    for (const el of document.querySelectorAll('body *')) {
        const own = [...el.childNodes].some(n => n.nodeType === 3 && n.data.trim());
        if (!own) continue;
        const s = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        if (s.visibility === 'hidden' || s.display === 'none' || r.width < 2 || r.height < 2) continue;
        if (el.closest('[hidden], [aria-hidden=true], .visually-hidden, .skip-link, .note-modal, .note-popover, .note-tooltip, dialog:not([open]), :disabled, option')) continue;
        if (el.closest('.note-dropdown-menu') && getComputedStyle(el.closest('.note-dropdown-menu')).display === 'none') continue;
        const bg = background(el);
        if (!bg) continue;
        const fg = over(parse(s.color), bg);
        const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
        const ratio = (a + 0.05) / (b + 0.05);
        const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight) >= 700;
        const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
        if (ratio < need - 0.01) low.push(ratio.toFixed(2) + ' "' + el.textContent.trim().slice(0, 40) + '" (' + s.color + ' on rgb(' + bg.slice(0, 3).map(Math.round) + '))');
    }
    return low;
})()"#;

#[test]
fn every_page_type_fits_a_phone_keeps_words_whole_reads_in_both_themes_and_is_photographed() {
    let Some(chromium) = chromium() else {
        return;
    };
    let tour = tour();
    let base = format!("http://{}", tour.address());
    // One browsing context per person, signed in through the login form.
    let windows: Vec<(Who, Window)> = [
        (Who::Visitor, None),
        (Who::Reader, Some("reader@blog.example")),
        (Who::Author, Some("writer@blog.example")),
        (Who::Admin, Some("admin@blog.example")),
    ]
    .into_iter()
    .map(|(who, email)| {
        let window = chromium.visitor_window(&tour.server);
        if let Some(email) = email {
            window.log_in(email);
        }
        (who, window)
    })
    .collect();
    let mut problems = Vec::new();
    for stop in &tour.stops {
        let window = &windows
            .iter()
            .find(|(who, _)| *who == stop.who)
            .expect("a window")
            .1;
        for dark in [false, true] {
            for width in [1280, 390] {
                emulate(window, width, 900, dark);
                window.open(&stop.path);
                if stop.path.contains("/edit") || stop.path.ends_with("/new") {
                    window.wait_until(
                        "!!document.querySelector('.note-editor .note-editable') && document.fonts.status === 'loaded'",
                        "the editor with its icons",
                    );
                }
                let theme = if dark { "dark" } else { "light" };
                let name = format!("{}-{width}-{theme}", stop.name);
                let where_ = format!("{name} ({base}{})", stop.path);
                // Against the width asked for: a phone zooms out to show a page that
                // overflows, which widens `innerWidth` with it.
                if width == 390 {
                    let scroll = window.eval("document.documentElement.scrollWidth");
                    if scroll.as_u64() > Some(390) {
                        problems.push(format!("{where_}: scrolls sideways ({scroll} > 390 px)"));
                    }
                }
                for word in window
                    .eval(BROKEN_WORDS_JS)
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    problems.push(format!("{where_}: a word broken in a table cell: {word}"));
                }
                if width == 1280 {
                    for low in window
                        .eval(LOW_CONTRAST_JS)
                        .as_array()
                        .into_iter()
                        .flatten()
                    {
                        problems.push(format!("{where_}: contrast under AA: {low}"));
                    }
                }
                let shot = shoot(window, width, dark, &name);
                // The README's pictures, made here: `UPDATE_SCREENSHOTS=1` writes them.
                if stop.name == "post"
                    && width == 1280
                    && std::env::var("UPDATE_SCREENSHOTS").is_ok()
                {
                    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
                    std::fs::copy(&shot, docs.join(format!("screenshot-{theme}.png")))
                        .expect("copy the README's screenshot");
                }
            }
        }
    }
    // The checks bite: a grey paragraph, a too-wide box and a cell too narrow for its
    // word, planted on the home page, are each found.
    let window = &windows[0].1;
    emulate(window, 390, 900, false);
    window.open("/");
    window.eval(
        "(() => { const p = document.createElement('p'); p.textContent = 'faint canary'; \
         p.style.color = '#bbb'; document.querySelector('main').append(p); \
         const wide = document.createElement('div'); wide.style.width = '600px'; \
         wide.textContent = 'wide'; document.querySelector('main').append(wide); \
         const t = document.createElement('table'); t.style.width = '3rem'; \
         t.innerHTML = '<tr><td style=\"overflow-wrap:anywhere\">unbreakablecanaryword</td></tr>'; \
         document.querySelector('main').append(t); return true; })()",
    );
    let low = window.eval(LOW_CONTRAST_JS).to_string();
    assert!(
        low.contains("faint canary"),
        "the contrast check finds the canary: {low}"
    );
    assert!(
        window.eval("document.documentElement.scrollWidth > 390") == true,
        "the overflow check would see the wide box"
    );
    let broken = window.eval(BROKEN_WORDS_JS).to_string();
    assert!(
        broken.contains("unbreakablecanaryword"),
        "the cell check finds the canary: {broken}"
    );
    window_consoles_are_clean(&windows);
    assert!(
        problems.is_empty(),
        "{} problems: {problems:#?}",
        problems.len()
    );
}

fn window_consoles_are_clean(windows: &[(Who, Window)]) {
    for (_, window) in windows {
        // 404 and 403 pages are asked for on purpose; the console notes their status.
        window.forget_statuses(&["404 (Not Found)", "403 (Forbidden)"]);
        window.assert_clean_console();
    }
}
