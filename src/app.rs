//! Everything a request needs, made once at start-up and shared as `Arc<App>`.

use std::sync::{Arc, OnceLock, RwLock};

use crate::actions::Blog;
use crate::auth::hasher::Hasher;
use crate::auth::rate::RateLimits;
use crate::config::{Config, SecretKey};
use crate::content::MenuEntry;
use crate::db::{self, Db};
use crate::media::MediaDir;
use crate::serving::access_log::AccessLog;
use crate::serving::cache::PageCache;

pub struct App {
    pub config: Config,
    pub db: Db,
    pub key: SecretKey,
    pub media: MediaDir,
    /// Rendered public pages for anonymous readers.
    pub page_cache: PageCache,
    pub time_zone: jiff::tz::TimeZone,
    /// A bcrypt hash at the configured cost, checked when a login names no account,
    /// so a wrong address takes as long as a wrong password. Made on first use: it
    /// costs a quarter second, which start-up should not pay.
    pub dummy_hash: OnceLock<String>,
    /// Decoding an image can take a hundred megabytes; at most this many run at once.
    pub image_jobs: tokio::sync::Semaphore,
    /// bcrypt runs here, on low-priority threads of its own.
    pub hasher: Hasher,
    /// Signups and uploads per client address.
    pub rates: RateLimits,
    /// One line per request (see `web::access_log`); off until `serve` sets it.
    pub access_log: AccessLog,
    /// Told when a post's schedule may have changed, so the scheduler looks again at
    /// once instead of at its next regular look (see `commands::serve`).
    pub schedule_changed: tokio::sync::Notify,
    /// One permit per open connection, shared by every worker (`[server] max_connections`).
    pub connections: Arc<tokio::sync::Semaphore>,
    /// The site's menu with the content version it was read at: every page shows it,
    /// and it changes only with what readers see, so it is read once per version.
    menu: RwLock<Option<(u64, Arc<[MenuEntry]>)>>,
}

/// Image decodes that may run at the same time; more wait their turn.
const IMAGE_JOBS: usize = 2;

impl App {
    pub fn new(config: Config, db: Db, key: SecretKey) -> anyhow::Result<Self> {
        let time_zone = jiff::tz::TimeZone::get(config.site.timezone.as_str())?;
        let media = MediaDir::new(config.storage.media_dir());
        let page_cache = PageCache::start(db.clone())?;
        let connections = Arc::new(tokio::sync::Semaphore::new(
            config.server.max_connections.max(1),
        ));
        Ok(Self {
            config,
            db,
            key,
            media,
            page_cache,
            time_zone,
            dummy_hash: OnceLock::new(),
            image_jobs: tokio::sync::Semaphore::new(IMAGE_JOBS),
            hasher: Hasher::start(cores())?,
            connections,
            schedule_changed: tokio::sync::Notify::new(),
            rates: RateLimits::default(),
            access_log: AccessLog::off(),
            menu: RwLock::new(None),
        })
    }

    pub fn with_access_log(self, access_log: AccessLog) -> Self {
        Self { access_log, ..self }
    }
}

impl App {
    /// The stores that `actions` change.
    pub fn blog(&self) -> Blog<'_> {
        Blog::new(&self.db, &self.media)
    }

    /// Runs an action (see `actions`) on a blocking thread.
    pub async fn act<T, E>(
        self: &Arc<Self>,
        action: impl FnOnce(Blog) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<anyhow::Error> + Send + 'static,
    {
        let app = Arc::clone(self);
        match tokio::task::spawn_blocking(move || action(app.blog())).await {
            Ok(result) => result,
            Err(err) => Err(anyhow::Error::new(err).context("an action panicked").into()),
        }
    }

    /// The site's menu (see `db::pages::menu`): from memory while the database's
    /// content version stays the same, so it costs no query per request. The version is
    /// read before the menu, so a write meanwhile only makes the next request read again.
    pub async fn menu(&self) -> anyhow::Result<Arc<[MenuEntry]>> {
        let version = self.db.content_version();
        if let Ok(cached) = self.menu.read() {
            if let Some((_, menu)) = cached.as_ref().filter(|(at, _)| *at == version) {
                return Ok(Arc::clone(menu));
            }
        }
        let menu: Arc<[MenuEntry]> = self.db.read(db::pages::menu).await?.into();
        if let Ok(mut cached) = self.menu.write() {
            *cached = Some((version, Arc::clone(&menu)));
        }
        Ok(menu)
    }

    /// Runs image work (decoding, resizing, encoding) on a blocking thread, at most
    /// `IMAGE_JOBS` at once; others wait their turn without holding a thread.
    pub async fn image_job<T: Send + 'static>(
        self: &Arc<Self>,
        job: impl FnOnce(&App) -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let _permit = self.image_jobs.acquire().await?;
        let app = Arc::clone(self);
        Ok(tokio::task::spawn_blocking(move || job(&app)).await?)
    }
}

/// One bcrypt worker per core: at their low priority they only use what pages leave.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
