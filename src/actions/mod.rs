//! Every change to the blog's data has one door, here: a function per change, one file
//! per noun. Each takes the blog's stores (`Blog`), who is acting (`Actor`) and typed
//! values, and owns everything the change entails: its transaction, the audit row, the
//! media files it releases, and (through `db::Db::write_now`) the content-version bump
//! that tells the page cache. The web handlers, `commands/`, the importers, the admin
//! pages and the media GC all call these, so none of them can forget a step.
//!
//! Actions are blocking: the web layer runs them with `App::act`, on a blocking thread.

pub mod comments;
pub mod factors;
pub mod federation;
pub mod invitations;
pub mod mail;
pub mod media;
pub mod pages;
pub mod passkeys;
pub mod posts;
pub mod redirects;
pub mod security;
pub mod sessions;
pub mod settings;
pub mod subscribers;
pub mod users;
pub mod webmentions;

use rusqlite::Connection;

use crate::auth::Actor;
use crate::db::{self, audit, Db};
use crate::mail::Letters;
use crate::media::MediaDir;
use crate::webmentions::Webmentions;

/// The stores an action changes: the database and the media folder.
#[derive(Clone, Copy)]
pub struct Blog<'a> {
    pub db: &'a Db,
    pub media: &'a MediaDir,
    /// How to write mail, when `[mail]` is on: actions that cause mail queue it in
    /// their transaction (see `mail`).
    pub letters: Option<&'a Letters>,
    /// How to federate, when `[federation]` is on: actions that publish, change or
    /// delete a post queue its activities in their transaction.
    pub federation: Option<&'a crate::federation::Federation>,
    /// Our address and the webmention worker's bell, when `[federation]` is on:
    /// publishing and updating a post queue webmentions in their transaction.
    pub webmentions: Option<&'a Webmentions>,
}

impl<'a> Blog<'a> {
    pub fn new(db: &'a Db, media: &'a MediaDir) -> Self {
        Self {
            db,
            media,
            letters: None,
            federation: None,
            webmentions: None,
        }
    }

    pub fn with_letters(self, letters: Option<&'a Letters>) -> Self {
        Self { letters, ..self }
    }

    pub fn with_federation(self, federation: Option<&'a crate::federation::Federation>) -> Self {
        Self { federation, ..self }
    }

    pub fn with_webmentions(self, webmentions: Option<&'a Webmentions>) -> Self {
        Self {
            webmentions,
            ..self
        }
    }

    /// Deletes the files of released media rows, after their transaction committed.
    fn remove_files(&self, released: Vec<db::media::File>) {
        self.media
            .remove_released(released.into_iter().map(|file| file.path));
    }
}

/// An imported item's id where it came from (`import_sources`), so that a second run
/// of the same import finds what the first brought in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The old site: `wordpress:https://old.example`.
    pub source: String,
    pub old_id: String,
}

impl Origin {
    pub const POST: &'static str = "post";
    pub const COMMENT: &'static str = "comment";
    /// An image file; its id here is the path of our copy under the media folder.
    pub const MEDIA: &'static str = "media";

    /// Its id here (a post's, a comment's), if an earlier run brought it in.
    pub fn find(&self, tx: &Connection, kind: &str) -> rusqlite::Result<Option<i64>> {
        Ok(
            db::redirects::imported(tx, &self.source, kind, &self.old_id)?
                .and_then(|id| id.parse().ok()),
        )
    }

    /// What an earlier run made of it, as stored (a media path).
    pub fn find_text(&self, tx: &Connection, kind: &str) -> rusqlite::Result<Option<String>> {
        db::redirects::imported(tx, &self.source, kind, &self.old_id)
    }

    fn remember(&self, tx: &Connection, kind: &str, id: i64) -> rusqlite::Result<()> {
        db::redirects::remember(tx, &self.source, kind, &self.old_id, &id.to_string())
    }
}

/// Why an action did not happen; callers branch on these (404, 403, a form message).
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// What was looked for, in words: "no post has the slug hello".
    #[error("{0}")]
    NotFound(String),
    #[error("{0} may not do this")]
    Forbidden(String),
    /// Refused for what it asks; the key of the sentence that says why (`locales/`).
    #[error("refused: {0}")]
    Refused(&'static str),
    /// Another save came since the one this was based on; the post as it is now.
    #[error("the post was saved elsewhere since this edit began")]
    Stale(Box<crate::content::Post>),
    /// This client sent its share of these for now; try again later.
    #[error("too many at once from this address: try again later")]
    Throttled,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<rusqlite::Error> for ActionError {
    fn from(err: rusqlite::Error) -> Self {
        Self::Internal(err.into())
    }
}

fn forbidden(actor: &Actor) -> ActionError {
    ActionError::Forbidden(actor.audit_name())
}

fn no_post(slug: &crate::content::Slug) -> ActionError {
    ActionError::NotFound(format!("no post has the slug {slug}"))
}

/// The post, read in the action's transaction, if the actor may change it: what the
/// refusal is otherwise (no such post, or not theirs).
fn editable(
    tx: &Connection,
    actor: &Actor,
    slug: &crate::content::Slug,
) -> rusqlite::Result<Result<crate::content::Post, ActionError>> {
    Ok(match db::posts::by_slug(tx, slug)? {
        None => Err(no_post(slug)),
        Some(post) if !actor.may_edit(&post) => Err(forbidden(actor)),
        Some(post) => Ok(post),
    })
}

/// Writes the audit row of an action, in the action's own transaction.
fn audit(
    tx: &Connection,
    actor: &Actor,
    action: audit::Action,
    target: impl Into<String>,
    detail: impl Into<String>,
) -> rusqlite::Result<()> {
    let entry =
        audit::NewEntry::new(actor.user_id(), actor.audit_name(), action, target).detail(detail);
    audit::record(tx, &entry, db::now_ms())
}

/// An audit detail that counts things ("3 posts"), in English like the rest of the
/// log's details, through the interface's plural rules rather than a hand-made "s".
fn audit_count(key: &str, count: u64) -> String {
    crate::i18n::Text::new(crate::i18n::Language::En).count(key, count, &[])
}

/// An audit detail of files and their bytes: "1 file, 22 bytes".
fn audit_files(files: u64, bytes: u64) -> String {
    let english = crate::i18n::Text::new(crate::i18n::Language::En);
    let size = english.count("admin.bytes", bytes, &[]);
    english.count("admin.files_and_bytes", files, &[("size", &size)])
}
