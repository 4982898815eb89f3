//! Forms as a browser sends them: `Page::form` reads every field with its value (the
//! hidden `csrf_token` included), `Form` fills them by name and submits.

use scraper::{ElementRef, Html, Selector};

use super::{Client, Page};

pub const LOGIN_FORM: &str = "form[action^=\"/accounts/login\"]";
pub const LOGOUT_FORM: &str = "form[action=\"/accounts/logout\"]";
pub const SIGNUP_FORM: &str = "form[action=\"/accounts/signup\"]";
pub const NEW_POST_FORM: &str = "form[action=\"/posts/new\"]";

impl Page {
    /// The one form matching `css`, with the values a browser would send.
    #[track_caller]
    pub fn form(&self, css: &str) -> Form {
        let selector =
            Selector::parse(css).unwrap_or_else(|err| panic!("bad selector {css}: {err}"));
        let html = Html::parse_document(&self.body);
        let forms: Vec<ElementRef> = html.select(&selector).collect();
        assert_eq!(
            forms.len(),
            1,
            "one {css} on {}: {}",
            self.url,
            self.describe()
        );
        let form = forms[0];
        let action = match form.attr("action") {
            Some(action) if !action.is_empty() => action.to_owned(),
            _ => self.url.clone(),
        };
        let method = form.attr("method").unwrap_or("get");
        assert!(method.eq_ignore_ascii_case("post"), "{css} is a POST form");
        let fields =
            Selector::parse("input[name], textarea[name], select[name]").expect("a valid selector");
        let mut values = Vec::new();
        for field in form.select(&fields) {
            let element = field.value();
            let name = element.attr("name").unwrap_or_default().to_owned();
            let value = match element.name() {
                "textarea" => field.text().collect::<String>(),
                "select" => {
                    let options: Vec<ElementRef> = field
                        .select(&Selector::parse("option").expect("valid"))
                        .collect();
                    let chosen = options
                        .iter()
                        .find(|o| o.attr("selected").is_some())
                        .or(options.first());
                    chosen
                        .map(|o| {
                            o.attr("value")
                                .map(str::to_owned)
                                .unwrap_or_else(|| o.text().collect())
                        })
                        .unwrap_or_default()
                }
                _ => match element
                    .attr("type")
                    .unwrap_or("text")
                    .to_ascii_lowercase()
                    .as_str()
                {
                    "submit" | "button" | "image" | "reset" | "file" => continue,
                    "checkbox" | "radio" if element.attr("checked").is_none() => continue,
                    "checkbox" | "radio" => element.attr("value").unwrap_or("on").to_owned(),
                    _ => element.attr("value").unwrap_or_default().to_owned(),
                },
            };
            values.push((name, value));
        }
        Form {
            action,
            fields: values,
            files: Vec::new(),
            client: self.client.clone(),
        }
    }
}

/// A form about to be sent: every field the page gave it, hidden `csrf_token` included.
pub struct Form {
    action: String,
    fields: Vec<(String, String)>,
    files: Vec<(String, String, Vec<u8>)>,
    client: Client,
}

impl Form {
    /// Types into an existing field; a field the form lacks fails the test.
    #[track_caller]
    pub fn fill(mut self, name: &str, value: &str) -> Self {
        let field = self.fields.iter_mut().find(|(k, _)| k == name);
        let (_, old) =
            field.unwrap_or_else(|| panic!("the form for {} has no field {name}", self.action));
        *old = value.to_owned();
        self
    }

    /// Leaves a field out of the request (a forged form without its CSRF token).
    pub fn without(mut self, name: &str) -> Self {
        self.fields.retain(|(k, _)| k != name);
        self
    }

    pub fn value(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Chooses a file for a file input; the form is then sent as multipart.
    pub fn attach(mut self, name: &str, file_name: &str, bytes: &[u8]) -> Self {
        self.files
            .push((name.into(), file_name.into(), bytes.to_vec()));
        self
    }

    /// Ticks a checkbox the page left unticked.
    pub fn check(mut self, name: &str, value: &str) -> Self {
        self.fields.push((name.into(), value.into()));
        self
    }

    pub fn submit(self) -> Page {
        let fields: Vec<(&str, &str)> = self
            .fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if self.files.is_empty() {
            return self.client.post(&self.action, &fields);
        }
        let files: Vec<(&str, &str, &[u8])> = self
            .files
            .iter()
            .map(|(n, f, b)| (n.as_str(), f.as_str(), b.as_slice()))
            .collect();
        self.client
            .post_multipart(&self.action, &fields, &files, &[])
    }
}
