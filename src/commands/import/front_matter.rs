//! The YAML block at the top of a Markdown post, as `import markdown` reads it and
//! `export` writes it. Keys other tools add (`layout`, `description`, ...) are ignored,
//! so a folder from a static site generator imports as it is.
//!
//! YAML through `yaml_serde`: `serde_yaml` is archived, and this is its fork kept by
//! the YAML organisation, with regular releases; `serde_norway` has had none since
//! 2024, and `serde_yml` has a poor record.

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrontMatter {
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// The author's email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// When it was written (created).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default)]
    pub tags: Tags,
    #[serde(default)]
    pub draft: bool,
    /// A standalone page (`/pages/{slug}`), not a post.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub page: bool,
}

/// `tags: [a, b]`, or `tags: a, b` as one string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Tags {
    List(Vec<String>),
    Line(String),
}

impl Default for Tags {
    fn default() -> Self {
        Self::List(Vec::new())
    }
}

impl Tags {
    /// As the post form's comma-separated field.
    pub fn joined(&self) -> String {
        match self {
            Self::List(tags) => tags.join(","),
            Self::Line(line) => line.clone(),
        }
    }
}

/// The front matter and the Markdown after it.
pub fn parse(text: &str) -> anyhow::Result<(FrontMatter, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = strip_fence(text) else {
        bail!("no front matter: start the file with a line `---`, then `title: …`, then `---`");
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        let bare = line.trim_end();
        if bare == "---" || bare == "..." {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            let matter: FrontMatter = if yaml.trim().is_empty() {
                FrontMatter::default()
            } else {
                yaml_serde::from_str(yaml).context("the front matter is not valid YAML")?
            };
            return Ok((matter, body));
        }
        offset += line.len();
    }
    bail!("the front matter has no closing `---` line")
}

fn strip_fence(text: &str) -> Option<&str> {
    let (first, rest) = text.split_once('\n')?;
    (first.trim_end() == "---").then_some(rest)
}

/// A post file: the front matter between `---` lines, a blank line, the Markdown.
pub fn render(matter: &FrontMatter, markdown: &str) -> anyhow::Result<String> {
    let yaml = yaml_serde::to_string(matter).context("cannot write the front matter")?;
    Ok(format!("---\n{yaml}---\n\n{}\n", markdown.trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_keys_people_write() {
        let (matter, body) = parse(
            "---\ntitle: \"Hello: world\"\ndate: 2026-03-01\ntags: [Rust, web]\ndraft: true\nauthor: ann@example.com\nlayout: post\n---\n\n# Hi\n",
        )
        .unwrap();
        assert_eq!(matter.title.as_deref(), Some("Hello: world"));
        assert_eq!(matter.date.as_deref(), Some("2026-03-01"));
        assert_eq!(matter.tags.joined(), "Rust,web");
        assert!(matter.draft);
        assert_eq!(matter.author.as_deref(), Some("ann@example.com"));
        assert_eq!(body, "\n# Hi\n");
    }

    #[test]
    fn tags_may_be_one_line() {
        let (matter, _) = parse("---\ntitle: x\ntags: rust, web\n---\n").unwrap();
        assert_eq!(matter.tags.joined(), "rust, web");
    }

    #[test]
    fn says_what_is_wrong() {
        let none = parse("# Just markdown\n").unwrap_err().to_string();
        assert!(none.contains("no front matter"), "{none}");
        let open = parse("---\ntitle: x\n").unwrap_err().to_string();
        assert!(open.contains("closing"), "{open}");
        let broken = format!("{:#}", parse("---\ntitle: [x\n---\n").unwrap_err());
        assert!(broken.contains("not valid YAML"), "{broken}");
    }

    #[test]
    fn what_it_writes_it_reads_back() {
        let matter = FrontMatter {
            title: Some("Quotes \" and: colons".into()),
            slug: Some("안녕-세계".into()),
            author: Some("ann@example.com".into()),
            date: Some("2026-03-01T10:15:30.123Z".into()),
            updated: Some("2026-03-02T00:00:00Z".into()),
            published: None,
            tags: Tags::List(vec!["rust".into(), "2026".into()]),
            draft: true,
            page: true,
        };
        let text = render(&matter, "Body *text*.").unwrap();
        let (again, body) = parse(&text).unwrap();
        assert_eq!(again, matter);
        assert_eq!(body.trim(), "Body *text*.");
    }
}
