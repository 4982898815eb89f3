//! Mail: the letters the blog writes (`letters`), the signed links in them (`links`),
//! the SMTP client (`smtp`) and the worker that empties the outbox (`worker`).
//!
//! Nothing is sent where it is decided: an action that causes a mail (a reset request,
//! a comment, a subscription, a publish) writes the letter into the `mail_outbox` table
//! in its own transaction (`queue`), and the worker sends it later, retrying for a day.
//! So a mail is never lost with a crash or an SMTP outage, and never sent for a change
//! that was rolled back. With no `[mail] smtp_url` none of this is on: `Letters` is
//! `None`, actions queue nothing, and the interface offers no mail.

pub mod letters;
pub mod links;
pub mod smtp;
pub mod worker;

use crate::auth::Token;
use crate::config::{Config, Language, SecretKey};
use crate::db::outbox::{self, Letter};
use crate::retry::Bell;

/// What writing a letter needs: the site's address, name and language, the sender,
/// and the key that signs the links in it.
#[derive(Debug, Clone)]
pub struct Letters {
    pub base_url: String,
    /// The title the site shows: `/admin/settings` over `blog.toml`, as `titled`
    /// read it (the file's until then).
    pub site_title: String,
    /// The file's `[site]`, under what `/admin/settings` sets.
    site: crate::config::Site,
    pub language: Language,
    /// `Name <address>`: `[mail] from`, or the site's title at `blog@host`.
    pub from: String,
    /// Whether `from` is `[mail] from`, which a new title leaves alone.
    from_configured: bool,
    /// The host part of Message-IDs.
    host: String,
    key: SecretKey,
    /// Rung when mail is queued, so the worker sends it at once.
    bell: Bell,
}

impl Letters {
    /// `None` when mail is off.
    pub fn of(config: &Config, key: &SecretKey) -> Option<Self> {
        if !config.mail.is_on() {
            return None;
        }
        let base_url = config.site.base_url.as_str().to_string();
        let host = base_url
            .parse::<http::Uri>()
            .ok()
            .and_then(|uri| uri.host().map(str::to_string))
            .unwrap_or_else(|| "localhost".into());
        let configured = config.mail.from.trim();
        let from = match configured {
            "" => site_sender(&config.site.title, &host),
            from => from.to_string(),
        };
        Some(Self {
            base_url,
            site_title: config.site.title.clone(),
            site: config.site.clone(),
            language: config.site.language,
            from,
            from_configured: !configured.is_empty(),
            host,
            key: key.clone(),
            bell: Bell::default(),
        })
    }

    /// These letters under the title the site shows now (`/admin/settings` over
    /// `blog.toml`), read in the transaction that writes the mail.
    pub fn titled(&self, tx: &rusqlite::Connection) -> rusqlite::Result<Self> {
        let settings = crate::db::site_settings::get(tx)?;
        let site_title = crate::app::site_look(&self.site, settings).title;
        let from = if self.from_configured {
            self.from.clone()
        } else {
            site_sender(&site_title, &self.host)
        };
        Ok(Self {
            site_title,
            from,
            ..self.clone()
        })
    }

    /// An absolute URL for a local path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn key(&self) -> &SecretKey {
        &self.key
    }

    /// What the worker waits on.
    pub fn bell(&self) -> &Bell {
        &self.bell
    }
}

/// The sender when `[mail] from` is not set: the site, named by its title.
fn site_sender(title: &str, host: &str) -> String {
    format!("{} <blog@{host}>", display_name(title))
}

/// A name fit for a `From:` display name: quotes and angle brackets would end it.
fn display_name(title: &str) -> String {
    let clean: String = title
        .chars()
        .filter(|c| !matches!(c, '"' | '<' | '>' | '\\') && !c.is_control())
        .collect();
    format!("\"{}\"", clean.trim())
}

/// Queues a letter in the caller's transaction, under a new random Message-ID.
pub fn queue(
    tx: &rusqlite::Connection,
    letters: &Letters,
    letter: &Letter,
) -> rusqlite::Result<()> {
    let token =
        Token::generate().map_err(|err| rusqlite::Error::ToSqlConversionFailure(err.into()))?;
    let message_id = format!("{}@{}", &token.as_str()[..32], letters.host);
    outbox::enqueue(tx, letter, &letters.from, &message_id, crate::db::now_ms())?;
    // The worker waits a moment after this (`retry::COMMIT_GRACE`): the transaction
    // that queued the mail commits before it looks.
    letters.bell.ring();
    Ok(())
}
