//! `Page`, one HTTP answer (status, headers, body), and the `Node`s that CSS selectors
//! pick from it.

use scraper::{ElementRef, Html, Selector};

use super::{percent_decode, Client, LOGOUT_FORM};

/// One HTTP answer.
pub struct Page {
    pub status: u16,
    /// Lower-case names, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body as received, for images.
    pub bytes: Vec<u8>,
    /// The path that was requested.
    pub url: String,
    pub(super) client: Client,
}

impl Page {
    /// Panics, showing the page, unless the status is `expected`.
    #[track_caller]
    pub fn assert_status(self, expected: u16) -> Self {
        assert_eq!(
            self.status,
            expected,
            "status of {}: {}",
            self.url,
            self.describe()
        );
        self
    }

    /// Panics, showing the page, unless the status is one of `expected`.
    #[track_caller]
    pub fn assert_status_in(self, expected: &[u16]) -> Self {
        assert!(
            expected.contains(&self.status),
            "status of {} not in {expected:?}: {}",
            self.url,
            self.describe()
        );
        self
    }

    pub(super) fn describe(&self) -> String {
        let text = self.text();
        let excerpt: String = text.chars().take(600).collect();
        format!(
            "{} (location {:?}) {excerpt}",
            self.status,
            self.header("location")
        )
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The redirect target, as a path when it points at the test server itself.
    #[track_caller]
    pub fn location(&self) -> String {
        let location = self
            .header("location")
            .unwrap_or_else(|| panic!("no Location: {}", self.describe()));
        location
            .strip_prefix(self.client.base.as_str())
            .filter(|p| p.starts_with('/'))
            .unwrap_or(location)
            .to_owned()
    }

    /// The redirect target with its percent-escapes decoded (`/posts/안녕-세계`).
    #[track_caller]
    pub fn location_decoded(&self) -> String {
        percent_decode(&self.location())
    }

    /// GETs the redirect target with the same browser.
    #[track_caller]
    pub fn follow(&self) -> Page {
        self.client.get(&self.location())
    }

    pub fn select(&self, css: &str) -> Vec<Node> {
        let selector =
            Selector::parse(css).unwrap_or_else(|err| panic!("bad selector {css}: {err}"));
        Html::parse_document(&self.body)
            .select(&selector)
            .map(Node::from)
            .collect()
    }

    pub fn has(&self, css: &str) -> bool {
        !self.select(css).is_empty()
    }

    /// The visible text of the page, whitespace collapsed.
    pub fn text(&self) -> String {
        self.select("body")
            .first()
            .map(|body| body.text.clone())
            .unwrap_or_else(|| collapse(&self.body))
    }

    pub fn is_signed_in(&self) -> bool {
        self.has(LOGOUT_FORM)
    }

    /// The value of the form input named `name` (first one on the page).
    pub fn input_value(&self, name: &str) -> Option<String> {
        self.select(&format!("input[name=\"{name}\"]"))
            .first()
            .and_then(|i| i.attr("value").map(str::to_owned))
    }
}

/// An element picked from a page.
#[derive(Debug)]
pub struct Node {
    pub inner_html: String,
    /// Text content, whitespace collapsed.
    pub text: String,
    attrs: Vec<(String, String)>,
}

impl Node {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl From<ElementRef<'_>> for Node {
    fn from(element: ElementRef<'_>) -> Self {
        Node {
            inner_html: element.inner_html(),
            text: collapse(&element.text().collect::<String>()),
            attrs: element
                .value()
                .attrs()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        }
    }
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
