//! Everything a request needs, made once at start-up and shared as `Arc<App>`.

use std::sync::{Arc, Mutex, OnceLock, RwLock};

use crate::actions::Blog;
use crate::auth::hasher::Hasher;
use crate::auth::passkey::RelyingParty;
use crate::auth::rate::RateLimits;
use crate::config::{Config, SecretKey};
use crate::content::site::{SiteLook, SiteSettings};
use crate::content::MenuEntry;
use crate::db::{self, Db};
use crate::media::replica::MediaReplica;
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
    /// Decoding an image can take a hundred megabytes; at most `IMAGE_JOBS` run at
    /// once, and only while their memory fits `IMAGE_MEMORY_MIB` together.
    pub image_jobs: tokio::sync::Semaphore,
    /// The image budget, one permit per MiB.
    pub image_memory: tokio::sync::Semaphore,
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
    /// A read-only follower of a replica: every write is sent to `[site] base_url`.
    pub follower: bool,
    /// How to write mail; `None` when `[mail]` is off.
    pub letters: Option<crate::mail::Letters>,
    /// How to federate; `None` when `[federation]` is off.
    pub federation: Option<crate::federation::Federation>,
    /// What queuing webmentions needs; `None` unless `[federation] enabled`.
    pub webmentions: Option<crate::webmentions::Webmentions>,
    /// The site's menu, and its title, description and accent (`/admin/settings`
    /// over `blog.toml`): every page shows them, and they change only with what readers
    /// see, so each is read once per content version.
    menu: Versioned<[MenuEntry]>,
    site: Versioned<SiteLook>,
    /// The site as a WebAuthn relying party, made on first use from `[site] base_url`
    /// (which `serve` may only know once bound), with the title it was made for.
    relying_party: Mutex<Option<(String, Arc<RelyingParty>)>>,
    /// The client for requests to other servers (federation), made on first use: its
    /// User-Agent names `[site] base_url`, known only once bound.
    outbound: OnceLock<crate::outbound::Outbound>,
}

/// A value read from the database, kept with the content version it was read at.
struct Versioned<T: ?Sized>(RwLock<Option<(u64, Arc<T>)>>);

impl<T: ?Sized> Default for Versioned<T> {
    fn default() -> Self {
        Self(RwLock::new(None))
    }
}

impl<T: ?Sized> Versioned<T> {
    /// The value kept, if it was read at `version`.
    fn at(&self, version: u64) -> Option<Arc<T>> {
        let kept = self.0.read().ok()?;
        kept.as_ref()
            .filter(|(at, _)| *at == version)
            .map(|(_, value)| Arc::clone(value))
    }

    /// Keeps `value`, read at `version` (read before the value, so a write meanwhile
    /// only makes the next request read again).
    fn keep(&self, version: u64, value: Arc<T>) {
        if let Ok(mut kept) = self.0.write() {
            *kept = Some((version, value));
        }
    }
}

/// Image decodes that may run at the same time; more wait their turn.
const IMAGE_JOBS: usize = 2;

/// Memory that image conversions in flight may take together: one upload at its
/// largest (`images::Purpose::Upload.max_bytes()`), or several smaller ones. With the
/// rest of the server in tens of MB, a 512 MB machine keeps room to spare.
pub const IMAGE_MEMORY_MIB: u32 = 192;

impl App {
    pub fn new(config: Config, db: Db, key: SecretKey) -> anyhow::Result<Self> {
        let time_zone = jiff::tz::TimeZone::get(config.site.timezone.as_str())?;
        let replica = MediaReplica::of(&config.storage);
        let media = MediaDir::new(config.storage.media_dir()).replicated_to(replica);
        let page_cache = PageCache::start(db.clone())?;
        let connections = Arc::new(tokio::sync::Semaphore::new(
            config.server.max_connections.max(1),
        ));
        let letters = crate::mail::Letters::of(&config, &key);
        let federation = crate::federation::Federation::of(&config);
        let webmentions = crate::webmentions::Webmentions::of(&config);
        Ok(Self {
            config,
            db,
            key,
            media,
            page_cache,
            time_zone,
            dummy_hash: OnceLock::new(),
            image_jobs: tokio::sync::Semaphore::new(IMAGE_JOBS),
            image_memory: tokio::sync::Semaphore::new(IMAGE_MEMORY_MIB as usize),
            hasher: Hasher::start(cores())?,
            connections,
            schedule_changed: tokio::sync::Notify::new(),
            rates: RateLimits::default(),
            access_log: AccessLog::off(),
            follower: false,
            letters,
            federation,
            webmentions,
            menu: Versioned::default(),
            site: Versioned::default(),
            relying_party: Mutex::new(None),
            outbound: OnceLock::new(),
        })
    }

    pub fn with_access_log(self, access_log: AccessLog) -> Self {
        Self { access_log, ..self }
    }

    /// A read-only follower (`blog serve --replica`): writes go to the primary.
    pub fn following(self) -> Self {
        Self {
            follower: true,
            ..self
        }
    }
}

impl App {
    /// The site as a WebAuthn relying party named `site_title` (the title pages show,
    /// `/admin/settings` over `blog.toml`), or why passkeys cannot work here.
    ///
    /// The RP id, `[site] base_url`'s host, is what every passkey is bound to and never
    /// changes while the server runs. The name is only what the browser shows while
    /// a passkey is made; nothing stores or checks it, so when an admin renames the
    /// site the relying party is made again under the new name (cheap: no I/O), and
    /// passkeys made before, or a ceremony begun under the old name, still work.
    pub fn relying_party(&self, site_title: &str) -> Result<Arc<RelyingParty>, String> {
        // A panic while holding the lock cannot leave a half-made value: the slot is
        // only ever replaced whole, so a poisoned lock is still good to use.
        let mut kept = self
            .relying_party
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((title, party)) = kept.as_ref() {
            if title == site_title {
                return Ok(Arc::clone(party));
            }
        }
        let party = Arc::new(
            RelyingParty::new(&self.config.site.base_url, site_title)
                .map_err(|err| err.to_string())?,
        );
        *kept = Some((site_title.to_owned(), Arc::clone(&party)));
        Ok(party)
    }

    /// The client every request to another server goes through (see `outbound`).
    pub fn outbound(&self) -> &crate::outbound::Outbound {
        self.outbound.get_or_init(|| {
            let user_agent = format!(
                "blog/{} (+{})",
                env!("CARGO_PKG_VERSION"),
                self.config.site.base_url
            );
            crate::outbound::Outbound::new(
                &user_agent,
                self.config.federation.allow_private_addresses,
            )
        })
    }

    /// The stores that `actions` change.
    pub fn blog(&self) -> Blog<'_> {
        Blog::new(&self.db, &self.media)
            .with_letters(self.letters.as_ref())
            .with_federation(self.federation.as_ref())
            .with_webmentions(self.webmentions.as_ref())
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
        if let Some(menu) = self.menu.at(version) {
            return Ok(menu);
        }
        let menu: Arc<[MenuEntry]> = self.db.read(db::pages::menu).await?.into();
        self.menu.keep(version, Arc::clone(&menu));
        Ok(menu)
    }

    /// The site's title, description and accent, as every page shows them: what an
    /// admin set in `/admin/settings`, else `blog.toml`'s, else the defaults in the
    /// site's language. Cached like `menu`.
    pub async fn site(&self) -> anyhow::Result<Arc<SiteLook>> {
        let version = self.db.content_version();
        if let Some(site) = self.site.at(version) {
            return Ok(site);
        }
        let (settings, icon) = self
            .db
            .read(|conn| {
                Ok((
                    db::site_settings::get(conn)?,
                    db::site_settings::icon(conn)?,
                ))
            })
            .await?;
        let site = Arc::new(SiteLook {
            icon,
            ..self.site_look(settings)
        });
        self.site.keep(version, Arc::clone(&site));
        Ok(site)
    }

    /// `settings` over the file over the translated defaults. The file's values count
    /// as set unless they are the built-in English defaults, which a Korean site
    /// shows in Korean.
    pub fn site_look(&self, settings: SiteSettings) -> SiteLook {
        site_look(&self.config.site, settings)
    }

    /// Runs image work (decoding, resizing, encoding) on a thread of its own, at most
    /// `IMAGE_JOBS` at once and within `IMAGE_MEMORY_MIB`; others wait their turn,
    /// in order, without holding a thread. `memory` is what the job takes at its peak
    /// (`media::images::memory_needed`; 0 for a file refused from its header, which
    /// costs nothing).
    pub async fn image_job<T: Send + 'static>(
        self: &Arc<Self>,
        memory: u64,
        job: impl FnOnce(&App) -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let mib = memory
            .div_ceil(1024 * 1024)
            .clamp(1, u64::from(IMAGE_MEMORY_MIB));
        // Clamped to the budget above, so it fits in a u32.
        let _memory = self
            .image_memory
            .acquire_many(u32::try_from(mib).unwrap_or(IMAGE_MEMORY_MIB))
            .await?;
        let _job = self.image_jobs.acquire().await?;
        let app = Arc::clone(self);
        let result = in_background("image", move || job(&app))?;
        // A panicking job drops its sender: the request gets a 500.
        Ok(result.await?)
    }
}

/// Runs long CPU work (an image conversion, the start-up's page check) on a thread of
/// its own, not tokio's blocking pool: it runs at a lower priority for good, so the
/// work only takes the CPU that pages leave (the pool's threads later run database
/// work, which must not be slowed). Meanwhile the workers keep their cores
/// (`turns::Busy`), and after it the thread hands back what it freed. The receiver
/// gets the result, or an error if the work panicked.
pub(crate) fn in_background<T: Send + 'static>(
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> std::io::Result<tokio::sync::oneshot::Receiver<T>> {
    let (done, result) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            set_nice(BACKGROUND_NICE);
            let out = {
                let _busy = crate::turns::Busy::start();
                work()
            };
            give_back_freed_memory();
            let _ = done.send(out);
        })?;
    Ok(result)
}

/// Nice 10: a page's thread (nice 0) gets about ten times the CPU of an image
/// conversion (or of the start-up's page check) when both want it, and the work
/// still finishes under load, unlike bcrypt's idle-only class.
const BACKGROUND_NICE: i32 = 10;

/// Sets the calling thread's nice (on Linux it applies to that thread alone). Raising
/// one's own nice needs no privilege; where it is refused, the thread keeps its own.
pub(crate) fn set_nice(nice: i32) {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads integers; `0` names this thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, nice);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = nice;
}

/// glibc keeps what a thread freed in that thread's arena for reuse, so after a burst
/// of image conversions the process would stay at its peak for good (507 MB measured
/// after four large uploads). Trimming hands the free pages back to the system; it
/// takes well under a millisecond, next to a conversion's tens.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub(crate) fn give_back_freed_memory() {
    // SAFETY: `malloc_trim` only releases memory that is free; it is thread-safe and
    // touches nothing a live allocation owns.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Other allocators (musl's) return large blocks to the system on their own.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn give_back_freed_memory() {}

/// One bcrypt worker per core: at their low priority they only use what pages leave.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `settings` over the file's `[site]` over the translated defaults. The file's values
/// count as set unless they are the built-in English defaults, which a Korean site
/// shows in Korean. Pages (`App::site`) and mail (`mail::Letters::titled`) both ask here.
pub fn site_look(file: &crate::config::Site, settings: SiteSettings) -> SiteLook {
    let defaults = crate::config::Site::default();
    let text = crate::i18n::Text::new(file.language);
    let pick = |set: Option<String>, file: &str, default: &str, key: &str| match set
        .filter(|value| !value.trim().is_empty())
    {
        Some(value) => value,
        None if file == default => text.get(key).to_string(),
        None => file.to_string(),
    };
    SiteLook {
        title: pick(
            settings.title,
            &file.title,
            &defaults.title,
            "layout.default_title",
        ),
        description: pick(
            settings.description,
            &file.description,
            &defaults.description,
            "layout.default_description",
        ),
        accent: settings.accent,
        icon: None,
    }
}
