//! Browser tests: the editor and "Show more" in a real headless Chromium (Debian's
//! `chromium`), driven over the DevTools protocol by `headless_chrome`, against the real
//! `blog serve`. Each test also reads the browser's console: a Content-Security-Policy
//! violation or a script error fails it. Screenshots go to
//! `$CARGO_TARGET_TMPDIR/screenshots/`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use headless_chrome::browser::tab::ModifierKey;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::Emulation::{
    ClearDeviceMetricsOverride, SetDeviceMetricsOverride,
};
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};
use tempfile::TempDir;

use crate::pages::{create_page, edit_form, page_action, save_menu};
use crate::paging::{author_path, publish_posts};
use crate::support::{self, Site, TestServer, PASSWORD};

const CHROMIUM: &str = "/usr/bin/chromium";

/// How long the page may take to show what a test waits for. Generous: a debug build
/// brotli-compresses each vendored script on first request (seconds each), while
/// other tests share the machine.
const PATIENCE: Duration = Duration::from_secs(60);

const SMALL_PNG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/small.png");

/// A headless Chromium with its own empty profile, closed on drop.
pub(crate) struct Chromium {
    browser: Browser,
    _profile: TempDir,
}

/// The browser, or `None` (the test is skipped) when Chromium is not installed or the
/// developer set `SKIP_BROWSER_TESTS=1`; under `CI=true` a missing browser or that switch
/// fails the test instead, so CI never passes by skipping.
pub(crate) fn chromium() -> Option<Chromium> {
    if support::skip_browser_tests() {
        println!("skipped: {}=1", support::SKIP_BROWSER_TESTS);
        return None;
    }
    if !Path::new(CHROMIUM).exists() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{CHROMIUM} is missing: install Debian's `chromium` package (.ci/run does)");
        }
        println!("skipped: chromium not installed");
        return None;
    }
    let profile = tempfile::tempdir().expect("a folder for the browser profile");
    // This machine's network is closed: without these, Chromium's own background
    // connections (updates, sync, QUIC probes) are refused, many at a time.
    let flags = [
        "--disable-quic",
        "--disable-component-update",
        "--disable-background-networking",
        "--disable-sync",
        "--no-first-run",
    ];
    let options = LaunchOptions {
        path: Some(PathBuf::from(CHROMIUM)),
        headless: true,
        sandbox: false, // tests run as root, where Chromium's sandbox cannot start
        enable_gpu: false,
        window_size: Some((1200, 900)),
        user_data_dir: Some(profile.path().to_owned()),
        args: flags.iter().map(std::ffi::OsStr::new).collect(),
        // The browser is quiet while a test works the server over HTTP; keep it.
        idle_browser_timeout: Duration::from_secs(300),
        ..LaunchOptions::default()
    };
    let browser = Browser::new(options).expect("headless Chromium starts");
    Some(Chromium {
        browser,
        _profile: profile,
    })
}

/// A tab with its console collected: CSP violations and uncaught errors land in
/// `problems`, for `assert_clean_console`.
pub(crate) struct Window {
    pub(crate) tab: Arc<Tab>,
    base: String,
    problems: Arc<Mutex<Vec<String>>>,
}

impl Chromium {
    /// A new tab (sharing the cookies of the browser's default context).
    pub(crate) fn window(&self, server: &TestServer) -> Window {
        Window::new(
            self.browser.new_tab().expect("a new tab"),
            &format!("http://{}", server.address()),
        )
    }

    /// A tab in a fresh incognito context: a visitor with no cookies.
    pub(crate) fn visitor_window(&self, server: &TestServer) -> Window {
        let context = self.browser.new_context().expect("an incognito context");
        Window::new(
            context.new_tab().expect("a tab in the context"),
            &format!("http://{}", server.address()),
        )
    }
}

impl Window {
    fn new(tab: Arc<Tab>, base: &str) -> Self {
        tab.set_default_timeout(PATIENCE);
        let problems = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&problems);
        tab.add_event_listener(Arc::new(move |event: &Event| {
            let problem = match event {
                // Chromium reports CSP violations here ("Refused to apply inline style
                // because it violates the following Content Security Policy ...").
                Event::LogEntryAdded(entry) => {
                    let entry = &entry.params.entry;
                    let serious = matches!(
                        entry.level,
                        headless_chrome::protocol::cdp::Log::LogEntryLevel::Error
                    ) || entry.text.contains("Content Security Policy");
                    serious.then(|| {
                        let url = entry.url.as_deref().unwrap_or("");
                        format!("{:?}: {} {url}", entry.source, entry.text)
                    })
                }
                Event::RuntimeExceptionThrown(thrown) => {
                    let details = &thrown.params.exception_details;
                    let description = details
                        .exception
                        .as_ref()
                        .and_then(|e| e.description.clone())
                        .unwrap_or_else(|| details.text.clone());
                    Some(format!("uncaught: {description}"))
                }
                _ => None,
            };
            if let Some(problem) = problem {
                sink.lock().unwrap().push(problem);
            }
        }))
        .expect("a console listener");
        tab.enable_log().expect("the Log domain");
        tab.enable_runtime().expect("the Runtime domain");
        Window {
            tab,
            base: base.to_owned(),
            problems,
        }
    }

    pub(crate) fn open(&self, path: &str) -> &Self {
        self.tab
            .navigate_to(&format!("{}{path}", self.base))
            .and_then(|tab| tab.wait_until_navigated())
            .unwrap_or_else(|err| panic!("open {path}: {err}"));
        self
    }

    /// The value of a JavaScript expression, as JSON.
    #[track_caller]
    pub(crate) fn eval(&self, js: &str) -> serde_json::Value {
        let wrapped = format!("JSON.stringify((() => {{ return ({js}); }})())");
        let result = self
            .tab
            .evaluate(&wrapped, false)
            .unwrap_or_else(|err| panic!("evaluate {js}: {err}"));
        match result.value {
            Some(serde_json::Value::String(json)) => {
                serde_json::from_str(&json).expect("JSON from the page")
            }
            _ => serde_json::Value::Null,
        }
    }

    pub(crate) fn text(&self, js: &str) -> String {
        self.eval(js).as_str().unwrap_or_default().to_owned()
    }

    pub(crate) fn count(&self, css: &str) -> u64 {
        self.eval(&format!("document.querySelectorAll({css:?}).length"))
            .as_u64()
            .unwrap_or(0)
    }

    /// Runs `js`, an expression giving a promise, and waits for it to settle.
    #[track_caller]
    pub(crate) fn run_async(&self, js: &str) {
        self.tab
            .evaluate(js, true)
            .unwrap_or_else(|err| panic!("evaluate {js}: {err}"));
    }

    /// Polls until `js` is true; fails with `what` after `PATIENCE`.
    #[track_caller]
    pub(crate) fn wait_until(&self, js: &str, what: &str) {
        let start = Instant::now();
        while self.eval(js) != serde_json::Value::Bool(true) {
            if start.elapsed() > PATIENCE {
                panic!(
                    "waited {PATIENCE:?} for {what} ({js}); console: {:?}",
                    self.problems.lock().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    #[track_caller]
    pub(crate) fn click(&self, css: &str) {
        self.tab
            .wait_for_element(css)
            .and_then(|e| e.click().map(|_| ()))
            .unwrap_or_else(|err| panic!("click {css}: {err}"));
    }

    /// Clicks into `css` and types `text` there (as one input event: the driver's
    /// per-key typing costs two round trips a character).
    #[track_caller]
    pub(crate) fn type_into(&self, css: &str, text: &str) {
        self.click(css);
        self.type_text(text);
    }

    #[track_caller]
    pub(crate) fn type_text(&self, text: &str) {
        self.tab
            .send_character(text)
            .unwrap_or_else(|err| panic!("type {text:?}: {err}"));
    }

    pub(crate) fn press(&self, key: &str, modifiers: &[ModifierKey]) {
        self.tab
            .press_key_with_modifiers(key, Some(modifiers))
            .unwrap_or_else(|err| panic!("press {key}: {err}"));
    }

    /// Logs in through the login form, as a person would.
    pub(crate) fn log_in(&self, email: &str) {
        self.open("/accounts/login");
        self.type_into("input[name=email]", email);
        self.type_into("input[name=password]", PASSWORD);
        self.click("form[action^=\"/accounts/login\"] button[type=submit]");
        self.wait_until(
            "!!document.querySelector('form[action=\"/accounts/logout\"]')",
            "the signed-in header",
        );
    }

    /// A PNG of the whole page, saved under the test's output folder; prints its path.
    pub(crate) fn screenshot(&self, name: &str) -> PathBuf {
        // The window grows to the page's height for the shot, then shrinks back.
        let size = self
            .eval("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]");
        let metrics: SetDeviceMetricsOverride = serde_json::from_value(serde_json::json!({
            "width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": false,
        }))
        .expect("device metrics");
        self.tab.call_method(metrics).expect("a page-sized window");
        let png = self
            .tab
            .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
            .expect("a screenshot");
        self.tab
            .call_method(ClearDeviceMetricsOverride(None))
            .expect("the window back to its size");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        std::fs::create_dir_all(&dir).expect("the screenshots folder");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, &png).expect("write the screenshot");
        println!("screenshot: {}", path.display());
        path
    }

    /// Takes the console entries that mention `fragment` (an answer the test provoked)
    /// out of the problems; there must be one.
    #[track_caller]
    pub(crate) fn expect_in_console(&self, fragment: &str) {
        let mut problems = self.problems.lock().unwrap();
        let before = problems.len();
        problems.retain(|p| !p.contains(fragment));
        assert!(
            problems.len() < before,
            "{fragment} in the console: {problems:#?}"
        );
    }

    /// Forgets the console entries that mention any of `fragments` (answers the test
    /// asked for, like a 404 page), whether or not there were some.
    pub(crate) fn forget_statuses(&self, fragments: &[&str]) {
        let mut problems = self.problems.lock().unwrap();
        problems.retain(|p| !fragments.iter().any(|f| p.contains(f)));
    }

    /// No CSP violation, failed load or uncaught error in this tab so far.
    #[track_caller]
    pub(crate) fn assert_clean_console(&self) {
        let problems = self.problems.lock().unwrap();
        assert!(problems.is_empty(), "the console reported: {problems:#?}");
    }
}

/// A new author, signed in through the login form, on `/posts/new` with Summernote up.
pub(crate) fn open_editor(chromium: &Chromium, server: &TestServer) -> Window {
    server.create_user("writer@blog.example", "author");
    let window = chromium.window(server);
    window.log_in("writer@blog.example");
    window.open("/posts/new");
    window.wait_until(
        "!!document.querySelector('.note-editor .note-editable')",
        "Summernote on the body field",
    );
    window
}

/// Pastes a file made in the page into the editor, as the clipboard would hand it over.
/// `make` is JavaScript giving a promise of a `Blob`.
fn paste_file(window: &Window, make: &str, name: &str, kind: &str) {
    window.run_async(&format!(
        "(async () => {{
            const blob = await ({make});
            const data = new DataTransfer();
            data.items.add(new File([blob], {name:?}, {{ type: {kind:?} }}));
            document.querySelector('.note-editable').dispatchEvent(
                new ClipboardEvent('paste', {{ clipboardData: data, bubbles: true, cancelable: true }}));
        }})()"
    ));
}

/// Pastes an SVG, which the server refuses, and returns what the editor then says.
fn paste_a_refused_svg(window: &Window) -> String {
    let svg = r#"Promise.resolve(new Blob(['<svg xmlns="http://www.w3.org/2000/svg"/>']))"#;
    paste_file(window, svg, "drawing.svg", "image/svg+xml");
    window.wait_until(
        "!document.querySelector('.editor-message').hidden",
        "the upload error shown by the editor",
    );
    window.text("document.querySelector('.editor-message').textContent")
}

#[test]
fn pasted_images_are_uploaded_and_a_refused_one_is_explained_in_the_editor() {
    let Some(chromium) = chromium() else {
        return;
    };
    let server = TestServer::start();
    let window = open_editor(&chromium, &server);
    window.type_into(".note-editable", "Pasted: ");

    let red_png = "new Promise(done => {
        const canvas = document.createElement('canvas');
        canvas.width = 40; canvas.height = 30;
        const pen = canvas.getContext('2d');
        pen.fillStyle = '#c33'; pen.fillRect(0, 0, 40, 30);
        canvas.toBlob(done, 'image/png');
    })";
    paste_file(&window, red_png, "screenshot.png", "image/png");
    window.wait_until(
        "document.querySelector('.note-editable img')?.naturalWidth === 40",
        "the pasted image, uploaded and shown",
    );
    let src = window.text("document.querySelector('.note-editable img').getAttribute('src')");
    assert!(src.starts_with("/media/"), "inserted by URL, not {src:.40}");
    assert_eq!(
        window.eval("document.querySelector('.editor-message').hidden"),
        serde_json::json!(true)
    );
    // Its text is asked for at once, and stored on the image.
    window.wait_until(
        "document.querySelector('dialog.alt-dialog')?.open === true",
        "the dialog asking for the image's text",
    );
    window.type_text("A red rectangle");
    window.press("Enter", &[]);
    window.wait_until(
        "document.querySelector('.note-editable img').getAttribute('alt') === 'A red rectangle'",
        "the text on the image",
    );

    let message = paste_a_refused_svg(&window);
    assert!(message.starts_with("drawing.svg: "), "{message}");
    assert!(message.len() > "drawing.svg: ".len(), "says why: {message}");
    assert_eq!(
        window.count(".note-editable img"),
        1,
        "nothing inserted for it"
    );
    window.expect_in_console("status of 422 (Unprocessable Entity)");
    window.assert_clean_console();
}

/// A description of what `root` shows a reader: elements, text, link targets, image
/// sources with their declared width and their float as laid out (so a style the page's
/// CSP refused to apply would show up as a difference).
const SHAPE_JS: &str = r#"(root => {
    const out = [];
    const walk = node => {
        for (const child of node.childNodes) {
            if (child.nodeType === Node.TEXT_NODE) {
                const text = child.textContent.trim();
                if (text) out.push(JSON.stringify(text));
            } else if (child.tagName === 'PICTURE') {
                // The post page offers an image's copies in a <picture> (issue 21):
                // the reader still sees the one image the editor showed.
                walk(child);
            } else if (child.nodeType === Node.ELEMENT_NODE && !['BR', 'SOURCE'].includes(child.tagName)) {
                const tag = child.tagName.toLowerCase();
                let open = tag;
                if (tag === 'a') open += ' href=' + child.getAttribute('href');
                if (tag === 'img') {
                    open += ' src=' + child.getAttribute('src') + ' alt=' + child.getAttribute('alt')
                        + ' width=' + child.style.width
                        + ' float=' + getComputedStyle(child).float;
                }
                out.push('<' + open + '>');
                walk(child);
                out.push('</' + tag + '>');
            }
        }
    };
    walk(root);
    return out.join('');
})"#;

#[test]
fn a_post_written_with_the_toolbar_shows_its_bold_heading_and_uploaded_image() {
    let Some(chromium) = chromium() else {
        return;
    };
    let server = TestServer::start();
    let window = open_editor(&chromium, &server);
    window.type_into("#title", "Written in the editor");

    // A heading from the style menu.
    window.type_into(".note-editable", "A heading");
    window.click(".note-toolbar .note-style button.dropdown-toggle");
    window.click(".note-toolbar .note-style .note-dropdown-item[data-value=h2]");
    window.wait_until(
        "document.querySelector('.note-editable h2')?.textContent === 'A heading'",
        "the line to become an h2",
    );

    // Bold: type, select the words with the keyboard, press B on the toolbar.
    window.press("End", &[]);
    window.press("Enter", &[]);
    window.type_text("Strong words");
    window.press("Home", &[ModifierKey::Shift]);
    window.click(".note-toolbar .note-btn-bold");
    window.wait_until(
        "document.querySelector('.note-editable b')?.textContent === 'Strong words'",
        "the words to become bold",
    );
    // Bold off again, for the rest of the line.
    window.press("End", &[]);
    window.click(".note-toolbar .note-btn-bold");
    window.type_text(" and plain ones.");
    window.press("Enter", &[]);

    // An image through the editor's own picture dialog: the file goes to /uploads.
    window.click(".note-toolbar .note-btn[aria-label=Picture]");
    // Summernote swaps in a fresh file input as the dialog opens: wait for it.
    window.wait_until(
        "!!document.querySelector('.note-modal.open .note-image-input')",
        "the image dialog",
    );
    window
        .tab
        .wait_for_element(".note-modal.open .note-image-input")
        .and_then(|input| input.set_input_files(&[SMALL_PNG]).map(|_| ()))
        .expect("choose a file in the image dialog");
    window.wait_until(
        "!!document.querySelector('.note-editable img')",
        "the uploaded image in the editor",
    );
    let src = window.text("document.querySelector('.note-editable img').getAttribute('src')");
    assert!(src.starts_with("/media/"), "inserted by URL, not {src:.40}");
    // No text was typed in the picture dialog: it is asked for now.
    window.wait_until(
        "document.querySelector('dialog.alt-dialog')?.open === true",
        "the dialog asking for the image's text",
    );
    window.type_text("A small test image");
    window.click("dialog.alt-dialog button[value=save]");
    window.wait_until(
        "document.querySelector('.note-editable img').naturalWidth > 0",
        "the image to load in the editor",
    );
    // Half width, floated left, from the image's own popover.
    window.click(".note-editable img");
    window.click(".note-image-popover .note-btn[aria-label='Resize half']");
    window.click(".note-editable img");
    window.click(".note-image-popover .note-btn[aria-label='Float Left']");
    window.wait_until(
        "getComputedStyle(document.querySelector('.note-editable img')).float === 'left'",
        "the image to float left",
    );
    let in_editor = window.text(&format!(
        "{SHAPE_JS}(document.querySelector('.note-editable'))"
    ));
    window.screenshot("editor");

    window.click("form.post-form button.primary[type=submit]");
    window.wait_until(
        "location.pathname.startsWith('/posts/') && !!document.querySelector('article.post')",
        "the saved post's page",
    );
    let post_path = window.text("location.pathname");
    window.click("form[action$=\"/publish\"] button[type=submit]");
    window.wait_until(
        "!!document.querySelector('form[action$=\"/unpublish\"]')",
        "the post to be published",
    );
    window.assert_clean_console();

    // What the author saw in the editor is what a visitor reads.
    let visitor = chromium.visitor_window(&server);
    visitor.open(&post_path);
    assert_eq!(
        visitor.eval("!!document.querySelector('form[action=\"/accounts/logout\"]')"),
        serde_json::json!(false),
        "a visitor, not signed in"
    );
    visitor.wait_until(
        "document.querySelector('.post-body img')?.naturalWidth > 0",
        "the image to load for a visitor",
    );
    let for_reader = visitor.text(&format!("{SHAPE_JS}(document.querySelector('.post-body'))"));
    assert_eq!(
        for_reader, in_editor,
        "the post page shows what the editor showed"
    );
    visitor.screenshot("post");
    for expected in [
        "<h2>\"A heading\"</h2>",
        "<p><b>\"Strong words\"</b>\"and plain ones.\"</p>",
        &format!("<img src={src} alt=A small test image width=50% float=left>"),
    ] {
        assert!(for_reader.contains(expected), "{expected} in {for_reader}");
    }
    visitor.assert_clean_console();
}

#[test]
fn show_more_appends_the_next_page_in_place_and_hides_on_the_last_page() {
    let Some(chromium) = chromium() else {
        return;
    };
    let server = TestServer::start();
    let author = server.author("prolific@blog.example");
    publish_posts(&author, 25);

    let window = chromium.visitor_window(&server);
    window.open("/");
    assert_eq!(window.count("article.post-summary"), 10);
    window.screenshot("home");
    // A page load would forget this.
    window.eval("window.stillTheSamePage = true");

    window.click(".show-more a");
    window.wait_until(
        "document.querySelectorAll('article.post-summary').length === 20",
        "the second page appended",
    );
    assert_eq!(
        window.eval("window.stillTheSamePage"),
        serde_json::json!(true)
    );
    assert_eq!(
        window.text("location.pathname + location.search"),
        "/?page=2"
    );
    let titles = window
        .eval("[...document.querySelectorAll('article.post-summary h2')].map(h => h.textContent)");
    let expected: Vec<String> = (6..=25).rev().map(|n| format!("Post {n:02}")).collect();
    assert_eq!(
        titles,
        serde_json::json!(expected),
        "newest first, no repeats"
    );
    assert_eq!(
        window.text("document.querySelector('nav.pagination [aria-current=page]').textContent"),
        "2",
        "the page links are the second page's"
    );

    window.click(".show-more a");
    window.wait_until(
        "document.querySelectorAll('article.post-summary').length === 25",
        "the last page appended",
    );
    assert_eq!(
        window.text("location.pathname + location.search"),
        "/?page=3"
    );
    assert_eq!(
        window.eval("window.stillTheSamePage"),
        serde_json::json!(true)
    );
    assert_eq!(
        window.eval("document.querySelector('.show-more').hidden"),
        serde_json::json!(true),
        "nothing more to show"
    );
    window.assert_clean_console();
}

#[test]
fn with_infinite_scroll_the_next_page_loads_when_the_end_comes_into_view() {
    let Some(chromium) = chromium() else {
        return;
    };
    let server = Site::new().env("BLOG_SITE_INFINITE_SCROLL", "true").start();
    let author = server.author("prolific@blog.example");
    publish_posts(&author, 25);

    let window = chromium.visitor_window(&server);
    window.open(&author_path(&author));
    assert_eq!(window.count("article.post-summary"), 10);
    // The link is out of sight, so nothing loaded yet.
    assert_eq!(
        window.eval(
            "document.querySelector('.show-more').getBoundingClientRect().top > innerHeight + 200"
        ),
        serde_json::json!(true),
        "the page is taller than the window"
    );
    assert_eq!(window.count("article.post-summary"), 10);

    window.eval("window.stillTheSamePage = true");
    window.eval("window.scrollTo(0, document.body.scrollHeight)");
    window.wait_until(
        "document.querySelectorAll('article.post-summary').length === 20",
        "the second page loaded by scrolling",
    );
    assert!(window.text("location.search").ends_with("page=2"));
    window.eval("window.scrollTo(0, document.body.scrollHeight)");
    window.wait_until(
        "document.querySelectorAll('article.post-summary').length === 25",
        "the third page loaded by scrolling",
    );
    assert_eq!(
        window.eval("window.stillTheSamePage"),
        serde_json::json!(true)
    );
    assert_eq!(
        window.eval("document.querySelector('.show-more').hidden"),
        serde_json::json!(true)
    );
    window.assert_clean_console();
}

#[test]
fn on_a_korean_site_the_editor_and_its_messages_are_in_korean() {
    let Some(chromium) = chromium() else {
        return;
    };
    let server = crate::support::Site::new()
        .env("BLOG_SITE_LANGUAGE", "ko")
        .start();
    let window = open_editor(&chromium, &server);
    let toolbar = window.text("document.querySelector('.note-toolbar').innerHTML");
    assert!(
        toolbar.contains("굵게"),
        "the bold button in Korean: {toolbar:.400}"
    );
    assert!(!toolbar.contains("Bold"), "{toolbar:.400}");

    let message = paste_a_refused_svg(&window);
    assert!(message.contains("SVG 이미지는 받지 않습니다"), "{message}");
    window.expect_in_console("status of 422 (Unprocessable Entity)");
    window.assert_clean_console();
}

/// Cuts the tab off the network, or brings it back, as DevTools' "Offline" does.
fn set_offline(window: &Window, offline: bool) {
    use headless_chrome::protocol::cdp::Network::{EmulateNetworkConditions, Enable};
    let enable: Enable = serde_json::from_value(serde_json::json!({})).expect("Network.enable");
    window
        .tab
        .call_method(enable)
        .expect("the network domain on");
    let conditions: EmulateNetworkConditions = serde_json::from_value(serde_json::json!({
        "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1,
    }))
    .expect("network conditions");
    window
        .tab
        .call_method(conditions)
        .expect("network emulation");
}

/// Opens a post's editor in `window` and waits for Summernote.
fn edit(window: &Window, slug: &str) {
    window.open(&format!("/posts/{slug}/edit"));
    window.wait_until(
        "!!document.querySelector('.note-editor .note-editable')",
        "Summernote on the body field",
    );
}

/// Types at the end of the editor's text (bringing its tab to the front first: a click
/// in a tab behind another never arrives).
fn type_at_end(window: &Window, text: &str) {
    window.tab.activate().expect("the tab comes to the front");
    window.click(".note-editable");
    window.press("End", &[ModifierKey::Ctrl]);
    window.type_text(text);
}

fn save_state(window: &Window) -> String {
    window.text("document.getElementById('save-state').textContent")
}

#[test]
fn autosave_keeps_words_through_a_closed_tab_and_an_outage_and_two_tabs_never_overwrite() {
    let Some(chromium) = chromium() else {
        return;
    };
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let slug = author.create_post("Long essay", "<p>The opening line.</p>");
    let saved_text = || author.get(&format!("/posts/{slug}")).text();

    // Type, wait: the draft is saved in the background, and the page says when.
    let window = chromium.window(&server);
    window.log_in("writer@blog.example");
    edit(&window, &slug);
    type_at_end(&window, " Typed in the first minute.");
    window.wait_until(
        "document.getElementById('save-state').textContent.startsWith('Saved')",
        "\"Saved HH:MM\" after the background save",
    );
    assert!(saved_text().contains("Typed in the first minute."));
    window.screenshot("editor-saved");

    // Type and close the tab at once: reopened, the words are there.
    type_at_end(&window, " Written just before closing.");
    window.tab.close(true).expect("the tab closes");
    let reopened = chromium.window(&server);
    edit(&reopened, &slug);
    reopened.wait_until(
        "document.querySelector('.note-editable').textContent.includes('Written just before closing.')",
        "the words typed before the tab closed",
    );

    // Offline: the page says it is not saved and keeps trying; online again, it is saved.
    set_offline(&reopened, true);
    type_at_end(&reopened, " Typed on a train.");
    reopened.wait_until(
        "document.getElementById('save-state').classList.contains('problem')",
        "\"Not saved — retrying\" while offline",
    );
    assert!(
        save_state(&reopened).starts_with("Not saved"),
        "{}",
        save_state(&reopened)
    );
    reopened.screenshot("editor-not-saved");
    set_offline(&reopened, false);
    reopened.wait_until(
        "document.getElementById('save-state').textContent.startsWith('Saved')",
        "the save once back online",
    );
    assert!(saved_text().contains("Typed on a train."));

    // A second tab, opened before the first saves again, is told, not silently wins.
    let second = chromium.window(&server);
    edit(&second, &slug);
    type_at_end(&reopened, " The first tab's last word.");
    let deadline = Instant::now() + PATIENCE;
    while !saved_text().contains("The first tab's last word.") {
        assert!(
            Instant::now() < deadline,
            "the first tab's words never arrived"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    type_at_end(&second, " The second tab's word.");
    second.wait_until(
        "document.getElementById('save-state').classList.contains('problem')",
        "the stale tab's warning",
    );
    assert!(saved_text().contains("The first tab's last word."));
    assert!(!saved_text().contains("The second tab's word."));
    second.click("form.post-form button.primary[type=submit]");
    second.wait_until(
        "!!document.getElementById('theirs')",
        "the page with both versions",
    );
    let theirs = second.text("document.getElementById('theirs').textContent");
    assert!(theirs.contains("The first tab's last word."), "{theirs}");
    second.wait_until(
        "!!document.querySelector('.note-editable') && document.querySelector('.note-editable').textContent.includes(\"The second tab's word.\")",
        "the second tab's words kept in its form",
    );
    second.screenshot("editor-conflict");
    // The two 409s this test provoked, and nothing else.
    second.expect_in_console("409 (Conflict)");
    second.assert_clean_console();
}

#[test]
fn the_revisions_page_shows_the_words_that_changed() {
    let Some(chromium) = chromium() else {
        return;
    };
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let slug = author.create_post("Changing", "<p>The quick brown fox.</p>");
    author.publish(&slug);
    author
        .edit_post(&slug, "body", "<p>The slow brown fox jumps.</p>")
        .assert_status(303);
    let window = chromium.window(&server);
    window.log_in("writer@blog.example");
    window.open(&format!("/posts/{slug}/revisions"));
    window.wait_until("!!document.querySelector('#diff del')", "the diff");
    assert_eq!(
        window.text("document.querySelector('#diff del').textContent"),
        "quick"
    );
    window.screenshot("revisions-diff");
    window.assert_clean_console();
}

#[test]
fn a_page_written_in_the_editor_is_in_the_menu_and_a_featured_image_on_the_list() {
    let Some(chromium) = chromium() else {
        return;
    };
    let server = TestServer::start();
    let admin = server.admin();
    // The page through the editor, as a writer makes one.
    let window = chromium.window(&server);
    window.log_in("admin@blog.example");
    window.open("/pages/new");
    window.wait_until(
        "!!document.querySelector('.note-editor .note-editable')",
        "Summernote on the page's body field",
    );
    window.type_into("#title", "About");
    window.type_into(".note-editable", "Who writes here, and why.");
    window.click("form.post-form button.primary[type=submit]");
    window.wait_until(
        "location.pathname === '/pages/about' && !!document.querySelector('article.post')",
        "the saved page",
    );
    window.click("form[action$=\"/publish\"] button[type=submit]");
    window.wait_until(
        "location.pathname === '/pages/about' && !document.querySelector('article .badge')",
        "the published page",
    );
    window.assert_clean_console();
    let contact = create_page(&admin, "Contact", "<p>Write to us.</p>");
    page_action(&admin, &contact, "publish").assert_status(303);
    save_menu(&admin, &[("about", "1"), (&contact, "2")]).assert_status(303);
    // A post with a featured image, for the list.
    let slug = admin.create_post("Featured", "<p>With a picture beside it.</p>");
    edit_form(&admin, &slug)
        .attach(
            "featured_upload",
            "small.png",
            &std::fs::read(SMALL_PNG).expect("the fixture"),
        )
        .submit()
        .assert_status(303);
    admin.publish(&slug);

    let visitor = chromium.visitor_window(&server);
    visitor.open("/");
    visitor.wait_until(
        "document.querySelector('article.post-summary img.featured')?.naturalWidth > 0",
        "the featured image on the list",
    );
    assert_eq!(
        visitor.text(
            "[...document.querySelectorAll('nav.site-menu a')].map(a => a.textContent).join(',')"
        ),
        "About,Contact"
    );
    visitor.screenshot("featured-image-on-list");
    visitor.click("nav.site-menu a[href='/pages/about']");
    visitor.wait_until(
        "location.pathname === '/pages/about' && !!document.querySelector('article.post h1')",
        "the page from the menu",
    );
    assert_eq!(
        visitor.text("document.querySelector('article.post .post-body').textContent"),
        "Who writes here, and why."
    );
    assert_eq!(visitor.count("p.byline"), 0);
    visitor.screenshot("page-in-menu");
    visitor.assert_clean_console();
}

/// A free port on 127.0.0.1 for a server whose `base_url` must name it before it starts.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

impl Window {
    /// Gives the tab a virtual platform authenticator (the DevTools `WebAuthn`
    /// domain): CTAP 2.1, discoverable credentials, user verification that always
    /// passes, touched at once. It lives as long as the tab.
    fn add_virtual_authenticator(&self) -> String {
        use headless_chrome::protocol::cdp::WebAuthn;
        self.tab
            .call_method(WebAuthn::Enable {
                enable_ui: Some(false),
            })
            .expect("the WebAuthn domain");
        let add: WebAuthn::AddVirtualAuthenticator = serde_json::from_value(serde_json::json!({
            "options": {
                "protocol": "ctap2",
                "ctap2Version": "ctap2_1",
                "transport": "internal",
                "hasResidentKey": true,
                "hasUserVerification": true,
                "isUserVerified": true,
                "automaticPresenceSimulation": true,
            }
        }))
        .expect("authenticator options");
        self.tab
            .call_method(add)
            .expect("a virtual authenticator")
            .authenticator_id
    }

    /// The credentials the virtual authenticator holds: (resident, rpId).
    fn credentials(&self, authenticator: &str) -> Vec<(bool, String)> {
        use headless_chrome::protocol::cdp::WebAuthn;
        self.tab
            .call_method(WebAuthn::GetCredentials {
                authenticator_id: authenticator.to_owned(),
            })
            .expect("the authenticator's credentials")
            .credentials
            .into_iter()
            .map(|c| (c.is_resident_credential, c.rp_id.unwrap_or_default()))
            .collect()
    }

    fn log_out(&self) {
        self.click("form[action=\"/accounts/logout\"] button[type=submit]");
        self.wait_until(
            "location.pathname === '/' && !document.querySelector('form[action=\"/accounts/logout\"]')",
            "signed out",
        );
    }

    fn signed_in(&self) -> bool {
        self.eval("!!document.querySelector('form[action=\"/accounts/logout\"]')") == true
    }
}

#[test]
fn a_passkey_is_added_logs_in_alone_and_as_a_second_factor_and_is_removed() {
    let Some(chromium) = chromium() else {
        return;
    };
    // WebAuthn needs a domain name as the relying party: the site is http://localhost
    // on a port chosen here, which base_url must name before the server starts.
    let port = free_port();
    let base = format!("http://localhost:{port}");
    let server = Site::new()
        .env("BLOG_SITE_BASE_URL", &base)
        .start_at(&format!("127.0.0.1:{port}"));
    server.create_user("keyholder@blog.example", "author");
    let window = Window::new(chromium.browser.new_tab().expect("a tab"), &base);
    let authenticator = window.add_virtual_authenticator();

    // The authenticator app's set-up draws its QR code as inline SVG, under the CSP.
    window.log_in("keyholder@blog.example");
    window.open("/accounts/two-factor");
    window.wait_until(
        "document.querySelector('figure.qr svg')?.getBoundingClientRect().width >= 200",
        "the QR code drawn",
    );
    window.screenshot("two-factor-setup");

    // Added on the profile, with a name.
    window.open("/accounts/profile");
    window.wait_until(
        "!document.querySelector('#passkey-add').disabled",
        "the passkey script",
    );
    window.type_into("#passkey-name", "Test laptop");
    window.click("#passkey-add");
    window.wait_until(
        "document.querySelectorAll('li.passkey').length === 1",
        "the new passkey listed",
    );
    assert_eq!(
        window.text("document.querySelector('li.passkey input[name=name]').value"),
        "Test laptop"
    );
    assert_eq!(
        window.credentials(&authenticator),
        [(true, "localhost".to_string())],
        "one discoverable credential for the site's RP id"
    );
    window.screenshot("profile-with-passkey");

    // Alone: no email, no password.
    window.log_out();
    window.open("/accounts/login");
    window.wait_until(
        "!document.querySelector('#passkey-login').disabled",
        "the passkey button",
    );
    window.click("#passkey-login");
    window.wait_until(
        "location.pathname === '/' && !!document.querySelector('form[action=\"/accounts/logout\"]')",
        "signed in with the passkey alone",
    );

    // As the second factor after the password.
    window.log_out();
    window.open("/accounts/login");
    window.type_into("input[name=email]", "keyholder@blog.example");
    window.type_into("input[name=password]", PASSWORD);
    window.click("form[action^=\"/accounts/login\"] button[type=submit]");
    window.wait_until(
        "location.pathname === '/accounts/login/second-factor'",
        "the second step",
    );
    assert!(!window.signed_in(), "the password alone is not enough");
    window.wait_until(
        "!document.querySelector('#passkey-login').disabled",
        "the passkey button",
    );
    window.click("#passkey-login");
    window.wait_until(
        "location.pathname === '/' && !!document.querySelector('form[action=\"/accounts/logout\"]')",
        "signed in with password and passkey",
    );

    // Removed: the password alone lets the account in again.
    window.open("/accounts/profile");
    window.click("li.passkey form[action$=\"/delete\"] button[type=submit]");
    window.wait_until(
        "location.pathname === '/accounts/profile' && document.querySelectorAll('li.passkey').length === 0",
        "the passkey removed",
    );
    window.log_out();
    window.log_in("keyholder@blog.example");
    window.assert_clean_console();

    let logins: Vec<String> = server
        .audit_rows()
        .into_iter()
        .filter(|r| r.target == "keyholder@blog.example")
        .map(|r| format!("{} {}", r.action, r.detail))
        .collect();
    for expected in [
        "account.factor_added passkey Test laptop",
        "account.login passkey,",
        "account.login password + passkey,",
        "account.factor_removed passkey Test laptop",
    ] {
        assert!(
            logins.iter().any(|l| l.starts_with(expected)),
            "{expected}: {logins:#?}"
        );
    }
}

#[test]
fn an_imported_gutenberg_post_shows_its_caption_and_its_gallery_as_a_grid() {
    let Some(chromium) = chromium() else {
        return;
    };
    let server = Site::new().start();
    server.create_user("boss@new.example", "admin");
    let uploads = tempfile::tempdir().expect("a folder for the uploads");
    crate::moving_in::copy_dir(&crate::moving_in::fixture("uploads"), uploads.path());
    crate::moving_in::import(&server, uploads.path());

    let visitor = chromium.visitor_window(&server);
    visitor.open("/posts/the-morning-ferry");
    // Every image but the first is lazy: load them all before measuring.
    visitor
        .eval("document.querySelectorAll('.post-body img').forEach(i => { i.loading = 'eager'; })");
    visitor.wait_until(
        "[...document.querySelectorAll('.post-body img')].length === 3 && [...document.querySelectorAll('.post-body img')].every(i => i.complete && i.naturalWidth > 0)",
        "the three imported images to load",
    );
    assert_eq!(
        visitor.text(
            "document.querySelector('.post-body figure:not(:has(figure)) figcaption')?.textContent"
        ),
        "The harbour at dawn, from the ferry"
    );
    // The gallery's two images side by side, its caption under both.
    let cells = visitor.eval(
        "[...document.querySelectorAll('.post-body figure > figure')].map(f => { const r = f.getBoundingClientRect(); return [Math.round(r.top), Math.round(r.left), Math.round(r.width)]; })",
    );
    let cells = cells.as_array().expect("the gallery's figures");
    assert_eq!(cells.len(), 2, "{cells:?}");
    assert_eq!(cells[0][0], cells[1][0], "one row: {cells:?}");
    assert!(
        cells[0][1].as_i64() < cells[1][1].as_i64(),
        "side by side: {cells:?}"
    );
    let caption_below = visitor.eval(
        "(() => { const g = document.querySelector('.post-body figure:has(> figure)'); const c = g.querySelector(':scope > figcaption'); return c.getBoundingClientRect().top >= g.querySelector('figure').getBoundingClientRect().bottom; })()",
    );
    assert_eq!(caption_below, serde_json::json!(true));
    visitor.eval("document.querySelector('.post-body figure:has(> figure)').scrollIntoView()");
    visitor.screenshot("imported-gutenberg-post");
    visitor.assert_clean_console();
}

#[test]
fn an_imported_ghost_post_keeps_its_gallery_row_side_by_side() {
    let Some(chromium) = chromium() else {
        return;
    };
    let server = Site::new().start();
    server.create_user("boss@new.example", "admin");
    let images = tempfile::tempdir().expect("a folder for the images");
    crate::moving_in::copy_dir(&crate::moving_in::ghost_fixture("images"), images.path());
    crate::moving_in::import_ghost(
        &server,
        &crate::moving_in::ghost_fixture("export.json"),
        images.path(),
    );

    let visitor = chromium.visitor_window(&server);
    visitor.open("/posts/the-morning-ferry");
    // Every image but the first is lazy: load them all before measuring.
    visitor
        .eval("document.querySelectorAll('.post-body img').forEach(i => { i.loading = 'eager'; })");
    visitor.wait_until(
        "[...document.querySelectorAll('.post-body img')].length === 3 && [...document.querySelectorAll('.post-body img')].every(i => i.complete && i.naturalWidth > 0)",
        "the three imported images to load",
    );
    // Ghost's gallery: figure > div > div (a row) > div > img, two in its one row.
    let row = visitor.eval(
        "[...document.querySelectorAll('.post-body figure > div > div > div img')].map(i => { const r = i.getBoundingClientRect(); return [Math.round(r.top), Math.round(r.left)]; })",
    );
    let row = row.as_array().expect("the gallery's images");
    assert_eq!(row.len(), 2, "{row:?}");
    assert_eq!(row[0][0], row[1][0], "one row: {row:?}");
    assert!(
        row[0][1].as_i64() < row[1][1].as_i64(),
        "side by side: {row:?}"
    );
    visitor.eval("document.querySelector('.post-body figure > div').scrollIntoView()");
    visitor.screenshot("imported-ghost-post");
    visitor.assert_clean_console();
}
