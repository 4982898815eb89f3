//! Comments: plain text from readers, checked when typed and shown with their links
//! made clickable. A body is never stored or rendered as HTML: every character is
//! escaped by maud, and the only markup added is the links and line breaks.

use std::fmt;
use std::str::FromStr;

use linkify::{LinkFinder, LinkKind};
use maud::{html, Markup, Render};

use super::{CommentId, PostId, UserId};

/// Room for a long reply; anything longer is a post of its own (or spam).
pub const MAX_BODY_CHARS: usize = 5000;
/// A visitor's name: long enough for a full name, short enough for a byline.
pub const MAX_NAME_CHARS: usize = 60;

/// What readers see of a comment: `Pending` waits for a moderator, `Hidden` was taken
/// down by one but can be approved again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentStatus {
    Pending,
    Approved,
    Hidden,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a comment status")]
pub struct UnknownStatus(pub String);

impl CommentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Hidden => "hidden",
        }
    }
}

impl FromStr for CommentStatus {
    type Err = UnknownStatus;
    fn from_str(s: &str) -> Result<Self, UnknownStatus> {
        match s {
            "pending" => Ok(Self::Pending),
            "approved" => Ok(Self::Approved),
            "hidden" => Ok(Self::Hidden),
            _ => Err(UnknownStatus(s.to_string())),
        }
    }
}

/// A comment as pages show it: plain data, filled by `db::comments`.
#[derive(Debug, Clone)]
pub struct Comment {
    pub id: CommentId,
    pub post_id: PostId,
    /// `None` for a visitor's comment (`[comments] anonymous = true`).
    pub author_id: Option<UserId>,
    /// The account's display name, or the name a visitor typed.
    pub author_name: String,
    /// The commenter's 64 px thumbnail, a path under the media folder.
    pub author_avatar: Option<String>,
    pub body: CommentBody,
    pub status: CommentStatus,
    pub created_at: i64,
    /// The comment this one answers (threads imported from WordPress).
    pub parent_id: Option<CommentId>,
    /// A reply from the fediverse: its author's profile page there.
    pub remote_url: Option<String>,
}

/// Why a typed body or name was refused; `message` is the key of the sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidComment {
    #[error("the comment is empty")]
    EmptyBody,
    #[error("the comment is longer than {MAX_BODY_CHARS} characters")]
    LongBody,
    #[error("the name is empty")]
    EmptyName,
    #[error("the name is longer than {MAX_NAME_CHARS} characters")]
    LongName,
}

impl InvalidComment {
    pub fn message(self) -> super::problems::Message {
        use super::problems::Message;
        match self {
            Self::EmptyBody => Message::from("comments.body_empty"),
            Self::LongBody => Message::from("comments.body_too_long").counting(MAX_BODY_CHARS),
            Self::EmptyName => Message::from("comments.name_empty"),
            Self::LongName => Message::from("comments.name_too_long").counting(MAX_NAME_CHARS),
        }
    }
}

/// A comment's text: trimmed, with Windows and old Mac line ends made `\n`, not
/// empty, at most `MAX_BODY_CHARS`. It renders itself with links made clickable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentBody(String);

impl CommentBody {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A body read back from the database, which only ever held checked bodies; not
    /// checked again, so a stricter limit later never hides an old comment.
    pub fn from_storage(text: String) -> Self {
        Self(text)
    }
}

impl FromStr for CommentBody {
    type Err = InvalidComment;
    fn from_str(typed: &str) -> Result<Self, InvalidComment> {
        let text = typed.replace("\r\n", "\n").replace('\r', "\n");
        let text = text.trim();
        if text.is_empty() {
            Err(InvalidComment::EmptyBody)
        } else if text.chars().count() > MAX_BODY_CHARS {
            Err(InvalidComment::LongBody)
        } else {
            Ok(Self(text.to_string()))
        }
    }
}

impl Render for CommentBody {
    fn render(&self) -> Markup {
        linkify(&self.0)
    }
}

/// The name a visitor signs a comment with: one line (runs of white space, line
/// breaks included, become one space), not empty, at most `MAX_NAME_CHARS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommenterName(String);

impl CommenterName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for CommenterName {
    type Err = InvalidComment;
    fn from_str(typed: &str) -> Result<Self, InvalidComment> {
        let name = typed
            .split(|c: char| c.is_whitespace() || c.is_control())
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if name.is_empty() {
            Err(InvalidComment::EmptyName)
        } else if name.chars().count() > MAX_NAME_CHARS {
            Err(InvalidComment::LongName)
        } else {
            Ok(Self(name))
        }
    }
}

impl fmt::Display for CommenterName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Plain text as markup: every character escaped, line breaks kept as `<br>`, and
/// each http(s) address a link. `nofollow ugc` tells search engines a reader wrote
/// it (so spam links earn nothing); `noopener` keeps the other site away from ours.
pub fn linkify(text: &str) -> Markup {
    let mut finder = LinkFinder::new();
    finder.kinds(&[LinkKind::Url]).url_must_have_scheme(true);
    html! {
        @for (n, line) in text.split('\n').enumerate() {
            @if n > 0 { br; }
            @for span in finder.spans(line) {
                @let piece = span.as_str();
                @if span.kind().is_some() && is_web_address(piece) {
                    a href=(piece) rel="nofollow ugc noopener" { (piece) }
                } @else {
                    (piece)
                }
            }
        }
    }
}

/// Only web addresses become links: a `javascript:` or `data:` URL stays text.
fn is_web_address(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(text: &str) -> String {
        linkify(text).into_string()
    }

    #[test]
    fn markup_in_a_comment_is_escaped_text() {
        assert_eq!(
            render("<script>alert(1)</script> & <b>bold</b>"),
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"
        );
    }

    #[test]
    fn web_addresses_become_links_that_earn_nothing() {
        assert_eq!(
            render("see https://example.com/a?b=1&c=2."),
            r#"see <a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc noopener">https://example.com/a?b=1&amp;c=2</a>."#
        );
        assert!(render("(http://example.org/x)").contains(r#"href="http://example.org/x""#));
    }

    #[test]
    fn other_schemes_and_bare_domains_stay_text() {
        for text in [
            "javascript:alert(1)",
            "data:text/html,<b>x</b>",
            "example.com",
            "mail me@example.com",
            "ftp://example.com/file",
        ] {
            assert!(!render(text).contains("<a"), "{text}: {}", render(text));
        }
    }

    #[test]
    fn a_quote_cannot_break_out_of_the_href() {
        let html = render(r#"https://example.com/"onmouseover="alert(1)"#);
        assert!(!html.contains(r#"" onmouseover"#), "{html}");
        assert!(!html.contains(r#""onmouseover="alert"#), "{html}");
    }

    #[test]
    fn line_breaks_are_kept() {
        assert_eq!(render("one\ntwo\n\nthree"), "one<br>two<br><br>three");
    }

    #[test]
    fn bodies_are_trimmed_not_empty_and_not_too_long() {
        let body: CommentBody = "  hi\r\nthere \n".parse().unwrap();
        assert_eq!(body.as_str(), "hi\nthere");
        assert_eq!(
            " \n\t ".parse::<CommentBody>(),
            Err(InvalidComment::EmptyBody)
        );
        let long = "가".repeat(MAX_BODY_CHARS + 1);
        assert_eq!(long.parse::<CommentBody>(), Err(InvalidComment::LongBody));
        assert!("가".repeat(MAX_BODY_CHARS).parse::<CommentBody>().is_ok());
    }

    #[test]
    fn names_are_one_line_and_checked() {
        let name: CommenterName = "  Kim \n Min-ji ".parse().unwrap();
        assert_eq!(name.as_str(), "Kim Min-ji");
        assert_eq!(
            "   ".parse::<CommenterName>(),
            Err(InvalidComment::EmptyName)
        );
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(long.parse::<CommenterName>(), Err(InvalidComment::LongName));
    }

    #[test]
    fn statuses_round_trip() {
        for status in [
            CommentStatus::Pending,
            CommentStatus::Approved,
            CommentStatus::Hidden,
        ] {
            assert_eq!(status.as_str().parse(), Ok(status));
        }
        assert!("deleted".parse::<CommentStatus>().is_err());
    }
}
