//! Everything a request needs, made once at start-up and shared as `Arc<App>`.

use std::sync::OnceLock;

use crate::config::{Config, SecretKey};
use crate::db::Db;

pub struct App {
    pub config: Config,
    pub db: Db,
    pub key: SecretKey,
    pub time_zone: jiff::tz::TimeZone,
    /// A bcrypt hash at the configured cost, checked when a login names no account,
    /// so a wrong address takes as long as a wrong password. Made on first use: it
    /// costs a quarter second, which start-up should not pay.
    pub dummy_hash: OnceLock<String>,
}

impl App {
    pub fn new(config: Config, db: Db, key: SecretKey) -> anyhow::Result<Self> {
        let time_zone = jiff::tz::TimeZone::get(config.site.timezone.as_str())?;
        Ok(Self {
            config,
            db,
            key,
            time_zone,
            dummy_hash: OnceLock::new(),
        })
    }
}
