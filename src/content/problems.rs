//! What is wrong with a submitted form, field by field, so the form can be shown again
//! with each message beside its field. Messages are keys of the interface's strings
//! (`locales/*/problems.toml`), written out in the reader's language by the view.

use std::fmt::Display;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(Vec<(&'static str, Message)>);

/// The key for a problem with the form as a whole (like a wrong password).
pub const FORM: &str = "";

/// One message: the key of its string and the values of its `{placeholders}`, and
/// for a counted message (a `.ftl` one, see `i18n`) the number that picks its form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub count: Option<u64>,
}

impl Message {
    pub fn with(mut self, name: &'static str, value: impl Display) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    /// The number this message counts (its `$count`): "at most 10 tags".
    pub fn counting(mut self, count: impl TryInto<u64>) -> Self {
        self.count = count.try_into().ok();
        self
    }
}

impl From<&'static str> for Message {
    fn from(key: &'static str) -> Self {
        Self {
            key,
            args: Vec::new(),
            count: None,
        }
    }
}

impl Problems {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &'static str, message: impl Into<Message>) {
        self.0.push((field, message.into()));
    }

    /// The status of a form page shown with these problems: 200 with none, 422 with some.
    pub fn status(&self) -> http::StatusCode {
        match self.is_empty() {
            true => http::StatusCode::OK,
            false => http::StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    pub fn of(field: &'static str, message: impl Into<Message>) -> Self {
        let mut problems = Self::new();
        problems.add(field, message);
        problems
    }

    /// Every message, in the order they were found.
    pub fn all(&self) -> impl Iterator<Item = &Message> {
        self.0.iter().map(|(_, m)| m)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn for_field<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a Message> + 'a {
        self.0
            .iter()
            .filter(move |(f, _)| *f == field)
            .map(|(_, m)| m)
    }
}
