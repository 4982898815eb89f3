//! `blog import django FILE` and `blog import markdown DIR`: posts and their authors from
//! elsewhere. Both share what is here: the progress display, the tally printed at the
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
mod images;
mod markdown;
mod posts;
pub mod progress;
mod users;

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
}

impl Tally {
    pub fn summary(&self) -> String {
        let mut line = format!(
            "imported {}, {}",
            count(self.posts, "post"),
            count(self.users, "user")
        );
        if self.comments > 0 {
            line.push_str(&format!(", {}", count(self.comments, "comment")));
        }
        line.push_str(&format!("; {} skipped", self.present + self.failed));
        if self.present > 0 || self.failed > 0 {
            line.push_str(&format!(
                " ({} already there, {} with errors)",
                self.present, self.failed
            ));
        }
        line
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

/// `1 post`, `2 posts`.
pub fn count(n: u64, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// The line printed for a record or file that is skipped.
fn skipped(what: impl Display, err: &anyhow::Error) -> String {
    format!("skipped {what}: {err:#}")
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
