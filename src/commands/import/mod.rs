//! `blog import django FILE`, `blog import markdown DIR` and `blog import wordpress
//! FILE`: posts and their authors from elsewhere. Both share what is here: the progress display, the tally printed at the
//! end, accounts made without a password, and saving a post with its own dates.
//!
//! Policy for bad input: what makes the whole input unreadable (a missing file, not
//! JSON, no posts at all) stops at once with one line; one bad record or file among
//! many is skipped with a line naming it, the rest is imported, and the command exits 1
//! at the end. Running it again is safe, since nothing is imported twice.

pub mod bundle;
mod comments;
pub mod dates;
mod django;
pub mod front_matter;
mod ghost;
mod images;
mod markdown;
mod posts;
pub mod progress;
mod uploads;
mod users;
mod wordpress;

use std::collections::BTreeMap;
use std::fmt::Display;

use crate::actions::Blog;
use crate::cli::ImportCommand;
use crate::config::Config;
use crate::media::MediaDir;

pub fn run(config: &Config, command: ImportCommand) -> anyhow::Result<()> {
    let db = super::open_db(config)?;
    let media = MediaDir::new(config.storage.media_dir());
    let blog = Blog::new(&db, &media);
    let tally = match command {
        ImportCommand::Django { file } => django::run(config, blog, &file)?,
        ImportCommand::Markdown { dir, author } => {
            markdown::run(config, blog, &dir, author.as_deref())?
        }
        ImportCommand::Wordpress { file, uploads } => {
            wordpress::run(config, blog, &file, uploads.as_deref())?
        }
        ImportCommand::Ghost { file, images } => {
            ghost::run(config, blog, &file, images.as_deref())?
        }
    };
    println!("{}", tally.summary());
    tally.into_result()
}

/// What an import did, for the last line.
#[derive(Debug, Default)]
pub struct Tally {
    pub posts: u64,
    pub users: u64,
    pub comments: u64,
    /// Found already in the blog (an earlier run), so left alone.
    pub present: u64,
    /// Bad records or files, each reported on its own line.
    pub failed: u64,
    pub pages: u64,
    pub images: u64,
    /// Old addresses that now answer 301.
    pub redirects: u64,
    /// Left out on purpose, by why ("spam comment", "menu item"): not errors.
    pub left_out: BTreeMap<String, u64>,
    /// Images a post showed whose file could not be had (each named on its own line);
    /// the post links to the old address instead.
    pub missing_images: u64,
}

impl Tally {
    pub fn summary(&self) -> String {
        let mut line = format!(
            "imported {}, {}",
            count(self.posts, "post"),
            count(self.users, "user")
        );
        for (n, noun) in [
            (self.comments, "comment"),
            (self.pages, "page"),
            (self.images, "image"),
            (self.redirects, "redirect"),
        ] {
            if n > 0 {
                line.push_str(&format!(", {}", count(n, noun)));
            }
        }
        let left_out: u64 = self.left_out.values().sum();
        line.push_str(&format!(
            "; {} skipped",
            self.present + self.failed + left_out
        ));
        if self.present > 0 || self.failed > 0 || left_out > 0 {
            line.push_str(&format!(
                " ({} already there, {} with errors",
                self.present, self.failed
            ));
            if left_out > 0 {
                let why: Vec<String> = self
                    .left_out
                    .iter()
                    .map(|(why, n)| count(*n, why))
                    .collect();
                line.push_str(&format!(", {left_out} left out: {}", why.join(", ")));
            }
            line.push(')');
        }
        if self.missing_images > 0 {
            line.push_str(&format!(
                "; {} missing (named above), linked to the old site instead",
                count(self.missing_images, "image file")
            ));
        }
        line
    }

    /// Counts one thing left out on purpose, by why (a noun: "spam comment").
    pub fn leave_out(&mut self, why: &str) {
        *self.left_out.entry(why.to_string()).or_default() += 1;
    }

    /// Err when something was skipped for an error, so scripts notice.
    fn into_result(self) -> anyhow::Result<()> {
        if self.failed > 0 {
            anyhow::bail!(
                "{} could not be imported (see the lines above): fix them and run the import again; nothing is imported twice",
                count(self.failed, "item")
            );
        }
        Ok(())
    }
}

pub use super::count;

/// Makes each old address (a URL of the old site, or a path) answer 301 to `to`:
/// the redirects of an import (`source`: `wordpress`, `ghost`), counted in the tally.
fn redirect(
    blog: Blog,
    source: &str,
    old: &[String],
    to: &str,
    progress: &progress::Progress,
    tally: &mut Tally,
) {
    use crate::content::redirect::{OldPath, Target};
    let Ok(target) = Target::parse(to) else {
        return;
    };
    let rows: Vec<(OldPath, Target)> = old
        .iter()
        .filter(|from| !from.trim().is_empty())
        .filter_map(|from| OldPath::parse(from).ok())
        .filter(|from| from.as_str() != "/")
        .map(|from| (from, target.clone()))
        .collect();
    match crate::actions::redirects::import(blog, &crate::auth::Actor::Importer, source, &rows) {
        Ok(n) => tally.redirects += n,
        Err(err) => {
            tally.failed += 1;
            progress.warn(format!("could not add the redirects to {to}: {err:#}"));
        }
    }
}

/// Each `<iframe src=…>` (an embedded video, map, form) as a link to what it showed:
/// our bodies hold no frames, and an embed must not vanish without a trace.
fn iframes_to_links(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len());
    let mut done = 0;
    let mut from = 0;
    while let Some(at) = lower[from..].find("<iframe").map(|i| i + from) {
        let open_end = lower[at..].find('>').map_or(lower.len(), |i| at + i + 1);
        let end = lower[open_end..]
            .find("</iframe>")
            .map_or(open_end, |i| open_end + i + "</iframe>".len());
        from = end;
        let tag = &html[at..open_end];
        let src = tag
            .find("src=")
            .and_then(|i| {
                let value = &tag[i + 4..];
                let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'')?;
                value[1..].find(quote).map(|len| &value[1..1 + len])
            })
            .unwrap_or_default();
        out.push_str(&html[done..at]);
        if !src.is_empty() {
            let src = if src.starts_with("//") {
                format!("https:{src}")
            } else {
                src.to_string()
            };
            out.push_str(&format!("<a href=\"{src}\">{src}</a>"));
        }
        done = end;
    }
    out.push_str(&html[done..]);
    out
}

/// Saves a post that has an origin (`ImportedPost::origin`) and counts it: its slug
/// here, new or brought in by an earlier run; `None` when an earlier run brought it in
/// and it was deleted here since (it stays deleted).
fn save_post(
    blog: Blog,
    post: &crate::actions::posts::ImportedPost,
    tally: &mut Tally,
) -> anyhow::Result<Option<crate::content::Slug>> {
    if let Some(slug) = crate::actions::posts::import(blog, &crate::auth::Actor::Importer, post)? {
        if post.kind == crate::content::Kind::Page {
            tally.pages += 1;
        } else {
            tally.posts += 1;
        }
        return Ok(Some(slug));
    }
    let earlier = match &post.origin {
        Some(origin) => blog.db.read_now(|conn| {
            let Some(id) = origin.find(conn, crate::actions::Origin::POST)? else {
                return Ok(None);
            };
            Ok(crate::db::posts::by_id(conn, crate::content::PostId(id))?.map(|p| p.slug))
        })?,
        None => None,
    };
    match earlier {
        Some(slug) => {
            tally.present += 1;
            Ok(Some(slug))
        }
        None => {
            tally.leave_out("post deleted here after an earlier import");
            Ok(None)
        }
    }
}

/// HTML-escaped text (for text and attribute values alike), by the same escaper as
/// every page.
fn escape(text: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(text.len());
    // Writing into a String cannot fail.
    let _ = maud::Escaper::new(&mut out).write_str(text);
    out
}

/// Stops with one line when a folder given on the command line is not one.
fn folder_flag(flag: &str, dir: Option<&std::path::Path>, what: &str) -> anyhow::Result<()> {
    match dir {
        Some(dir) if !dir.is_dir() => anyhow::bail!(
            "{flag} {}: no such folder (give a copy of the old site's {what})",
            dir.display()
        ),
        _ => Ok(()),
    }
}

/// The line printed for a record or file that is skipped.
fn skipped(what: impl Display, err: &anyhow::Error) -> String {
    format!("skipped {what}: {err:#}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iframes_become_links() {
        assert_eq!(
            iframes_to_links(
                r#"<p>a</p><IFRAME width="200" src="https://www.youtube.com/embed/x?feature=oembed"></iframe><p>b</p><iframe src='//player.example/v'></iframe>"#
            ),
            r#"<p>a</p><a href="https://www.youtube.com/embed/x?feature=oembed">https://www.youtube.com/embed/x?feature=oembed</a><p>b</p><a href="https://player.example/v">https://player.example/v</a>"#
        );
    }

    #[test]
    fn the_summary_counts_what_was_done_and_skipped() {
        let nothing = Tally::default();
        assert_eq!(nothing.summary(), "imported 0 posts, 0 users; 0 skipped");
        let some = Tally {
            posts: 12,
            users: 1,
            present: 2,
            failed: 1,
            ..Tally::default()
        };
        assert_eq!(
            some.summary(),
            "imported 12 posts, 1 user; 3 skipped (2 already there, 1 with errors)"
        );
        assert!(some.into_result().is_err());
        let mut moved = Tally {
            posts: 2,
            pages: 1,
            redirects: 9,
            missing_images: 1,
            ..Tally::default()
        };
        moved.leave_out("spam comment");
        moved.leave_out("spam comment");
        assert_eq!(
            moved.summary(),
            "imported 2 posts, 0 users, 1 page, 9 redirects; 2 skipped (0 already there, 0 with errors, 2 left out: 2 spam comments); 1 image file missing (named above), linked to the old site instead"
        );
    }
}
