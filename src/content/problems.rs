//! What is wrong with a submitted form, field by field, so the form can be shown again
//! with each message beside its field.

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(Vec<(&'static str, String)>);

/// The key for a problem with the form as a whole (like a wrong password).
pub const FORM: &str = "";

impl Problems {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    pub fn of(field: &'static str, message: impl Into<String>) -> Self {
        let mut problems = Self::new();
        problems.add(field, message);
        problems
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn for_field<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}
