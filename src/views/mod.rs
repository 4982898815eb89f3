//! HTML, with maud. Views take plain data and return markup; they never query and
//! never see a request. Every page goes through `layout::page`.

pub mod accounts;
pub mod admin;
pub mod comments;
pub mod components;
pub mod errors;
pub mod fediverse;
pub mod first_run;
pub mod layout;
pub mod mail;
pub mod posts;
pub mod revisions;
pub mod search;
pub mod settings;
pub mod subscriptions;
pub mod syndication;
pub mod webmentions;

use std::fmt::Display;
use std::sync::Arc;

use crate::content::{MenuEntry, UserId};
use crate::i18n::Text;

/// What the layout of every page needs: the site, the visitor, the CSRF token.
pub struct PageCtx {
    pub site_title: String,
    pub site_description: String,
    /// The admin's accent colour (`/admin/settings`), or the stylesheet's own.
    pub accent: Option<crate::content::site::Accent>,
    /// The site's icon (`/admin/settings`): the favicon and the header's logo.
    pub icon: Option<crate::content::site::SiteIcon>,
    /// The interface's words in `[site] language`.
    pub text: Text,
    pub time_zone: jiff::tz::TimeZone,
    pub user: Option<UserBadge>,
    pub csrf_token: String,
    pub open_registration: bool,
    /// `[site] infinite_scroll`: lists load their next page on scroll.
    pub infinite_scroll: bool,
    /// `[mail]` is on: pages offer what needs mail (forgotten passwords, subscribing).
    pub mail: bool,
    /// `[federation]` is on: writers see the link to `/fediverse`, posts their
    /// ActivityPub address.
    pub federation: bool,
    /// The site's menu of pages, in the admin's order.
    pub menu: Arc<[MenuEntry]>,
}

/// The signed-in user, as the header shows them.
pub struct UserBadge {
    pub id: UserId,
    pub name: String,
    /// URL of the 64 px thumbnail.
    pub avatar: Option<String>,
    pub can_write: bool,
    /// Shows the link to `/admin`.
    pub is_admin: bool,
}

impl PageCtx {
    /// The interface string under `key` (see `i18n`).
    pub fn t<'k>(&self, key: &'k str) -> &'k str {
        self.text.get(key)
    }

    /// The interface string under `key`, its `{name}` placeholders filled.
    pub fn tf(&self, key: &str, args: &[(&str, &dyn Display)]) -> String {
        self.text.format(key, args)
    }

    /// The counted string under `key` for `count` things (see `i18n`): "1 file".
    pub fn tc(&self, key: &str, count: u64, args: &[(&str, &dyn Display)]) -> String {
        self.text.count(key, count, args)
    }

    /// A page for a visitor with the default settings, for views' unit tests.
    #[cfg(test)]
    pub fn sample(language: crate::i18n::Language) -> Self {
        Self {
            site_title: "A blog".into(),
            site_description: String::new(),
            accent: None,
            icon: None,
            text: Text::new(language),
            time_zone: jiff::tz::TimeZone::UTC,
            user: None,
            csrf_token: "token".into(),
            open_registration: false,
            infinite_scroll: false,
            mail: false,
            federation: false,
            menu: Arc::from(Vec::new()),
        }
    }

    /// A stored time (Unix milliseconds) as a date in the site's time zone, in the
    /// interface language's style.
    pub fn date(&self, millis: i64) -> String {
        self.text.date(millis, &self.time_zone)
    }

    /// The time of day in the site's time zone: "12:03".
    pub fn time_of_day(&self, millis: i64) -> String {
        jiff::Timestamp::from_millisecond(millis)
            .map(|ts| {
                ts.to_zoned(self.time_zone.clone())
                    .strftime("%H:%M")
                    .to_string()
            })
            .unwrap_or_default()
    }

    /// Date and time of day in the site's time zone, for logs and schedules.
    pub fn date_time(&self, millis: i64) -> String {
        format!("{} {}", self.date(millis), self.time_of_day(millis))
    }

    /// The same time, machine-readable, for `<time datetime>`.
    pub fn datetime(&self, millis: i64) -> String {
        match jiff::Timestamp::from_millisecond(millis) {
            Ok(ts) => ts
                .to_zoned(self.time_zone.clone())
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string(),
            Err(_) => String::new(),
        }
    }
}
