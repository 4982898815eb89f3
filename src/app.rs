//! Everything a request needs, made once at start-up and shared as `Arc<App>`.

use std::sync::OnceLock;

use crate::config::{Config, SecretKey};
use crate::db::Db;
use crate::media::MediaDir;

pub struct App {
    pub config: Config,
    pub db: Db,
    pub key: SecretKey,
    pub media: MediaDir,
    pub time_zone: jiff::tz::TimeZone,
    /// A bcrypt hash at the configured cost, checked when a login names no account,
    /// so a wrong address takes as long as a wrong password. Made on first use: it
    /// costs a quarter second, which start-up should not pay.
    pub dummy_hash: OnceLock<String>,
    /// Decoding an image can take a hundred megabytes; at most this many run at once.
    pub image_jobs: tokio::sync::Semaphore,
}

/// Image decodes that may run at the same time; more wait their turn.
const IMAGE_JOBS: usize = 2;

impl App {
    pub fn new(config: Config, db: Db, key: SecretKey) -> anyhow::Result<Self> {
        let time_zone = jiff::tz::TimeZone::get(config.site.timezone.as_str())?;
        let media = MediaDir::new(config.storage.media_dir());
        Ok(Self {
            config,
            db,
            key,
            media,
            time_zone,
            dummy_hash: OnceLock::new(),
            image_jobs: tokio::sync::Semaphore::new(IMAGE_JOBS),
        })
    }
}
