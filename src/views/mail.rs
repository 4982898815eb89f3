//! The HTML part of every mail: one plain layout, readable in any mail client (no
//! stylesheet, no script, no image of ours), with the links written out absolute.

use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::i18n::Text;

/// Why the reader gets this mail and how to stop it: a sentence and a link.
pub struct Footer<'a> {
    pub why: &'a str,
    pub stop_label: &'a str,
    pub stop_url: &'a str,
}

/// A whole mail: the site's name linking home, the content, the footer.
pub fn letter(
    text: Text,
    site_title: &str,
    home_url: &str,
    content: Markup,
    footer: Option<Footer>,
) -> String {
    html! {
        (DOCTYPE)
        html lang=(text.language().code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (site_title) }
                // Clients that keep a head style (most) fit wide images to the screen.
                style { "img { max-width: 100%; height: auto; }" }
            }
            body style="font-family: Georgia, 'Noto Serif KR', serif; line-height: 1.6; color: #222; max-width: 38em; margin: 0 auto; padding: 1em;" {
                p style="font-family: sans-serif; font-size: 0.9em;" {
                    a href=(home_url) style="color: #555;" { (site_title) }
                }
                (content)
                @if let Some(footer) = footer {
                    hr style="border: none; border-top: 1px solid #ddd; margin-top: 2em;";
                    p style="font-family: sans-serif; font-size: 0.8em; color: #666;" {
                        (footer.why) " "
                        a href=(footer.stop_url) { (footer.stop_label) }
                    }
                }
            }
        }
    }
    .into_string()
}

/// A paragraph or two of text and one button-like link.
pub fn message_with_link(paragraphs: &[String], link_label: &str, url: &str) -> Markup {
    html! {
        @for paragraph in paragraphs {
            p { (paragraph) }
        }
        p {
            a href=(url) style="display: inline-block; padding: 0.5em 1em; background: #1a5fb4; color: #fff; text-decoration: none; border-radius: 4px;" {
                (link_label)
            }
        }
        p style="font-size: 0.85em; color: #666; word-break: break-all;" { (url) }
    }
}

/// A new post: its title linking to it, its byline, its body (already sanitized, with
/// absolute links and images).
pub fn post(title: &str, url: &str, byline: &str, body: &str, read_label: &str) -> Markup {
    html! {
        h1 style="line-height: 1.25;" { a href=(url) style="color: inherit;" { (title) } }
        p style="font-family: sans-serif; font-size: 0.9em; color: #666;" { (byline) }
        div { (PreEscaped(body)) }
        p { a href=(url) { (read_label) } }
    }
}

/// A comment quoted in a notice.
pub fn quoted(
    paragraphs: &[String],
    who: &str,
    quote: &str,
    link_label: &str,
    url: &str,
) -> Markup {
    html! {
        @for paragraph in paragraphs {
            p { (paragraph) }
        }
        p style="font-family: sans-serif; font-size: 0.9em; color: #666;" { (who) }
        blockquote style="margin: 0 0 1em; padding-left: 1em; border-left: 3px solid #ddd; white-space: pre-wrap;" { (quote) }
        p { a href=(url) { (link_label) } }
    }
}
