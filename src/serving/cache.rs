//! Rendered public pages, kept in memory. A blog is read far more than written, and
//! most readers are anonymous: for them the list, post and author pages are the same
//! bytes until something is written. So a page is cached with the database version it
//! was rendered from, and any write to what readers see makes every cached page stale
//! at once. That version is `content_version`, a count that triggers in the database
//! bump on every change to posts, users, tags and comments (migration 004):
//! - writes through this server's own writer read it as they commit;
//! - writes by another process (the CLI) are seen by a watcher thread that reads it
//!   every `WATCH_INTERVAL`.
//!
//! Logins and sessions do not count, so a login storm leaves the cache warm, nor do
//! the files of an image that nothing readers see uses yet (migration 015). When a
//! page is stale, the first reader renders it and readers of the same page wait for
//! that copy rather than all render (and compress) it at once.
//!
//! Only pages for visitors without a signed-in session, with no CSRF token and no
//! cookie of their own, are cached.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use super::conditional::PreparedPage;
use crate::db::Db;

/// How soon a write by another process reaches the cache.
const WATCH_INTERVAL: Duration = Duration::from_millis(20);

/// Enough for every page of a large blog's lists and its popular posts; when full,
/// the cache starts over rather than tracking what is least used.
const MAX_PAGES: usize = 4096;

/// Renders of different pages may run at once; of the same page, one at a time.
const RENDER_LOCKS: usize = 64;

/// The state of the database a page was rendered from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    content: u64,
    /// Bumped when the watcher cannot read the database: nothing cached before stays.
    failures: u64,
}

pub struct PageCache {
    db: Db,
    failures: Arc<AtomicU64>,
    pages: RwLock<HashMap<String, (Version, Arc<PreparedPage>)>>,
    renders: [tokio::sync::Mutex<()>; RENDER_LOCKS],
}

impl PageCache {
    /// Starts the watcher thread for writes by other processes.
    pub fn start(db: Db) -> anyhow::Result<Self> {
        let failures = Arc::new(AtomicU64::new(0));
        let watcher = db.version_watcher()?;
        let (seen, failed) = (db.clone(), Arc::clone(&failures));
        std::thread::Builder::new()
            .name("page-cache-watch".into())
            .spawn(move || loop {
                match watcher.content_version() {
                    Ok(version) => seen.saw_content_version(version),
                    // The database is gone or broken: never serve from the cache again.
                    Err(_) => {
                        failed.fetch_add(1, Ordering::AcqRel);
                    }
                }
                std::thread::sleep(WATCH_INTERVAL);
            })?;
        Ok(Self {
            db,
            failures,
            pages: RwLock::new(HashMap::new()),
            renders: std::array::from_fn(|_| tokio::sync::Mutex::new(())),
        })
    }

    /// The version to render against: read it before rendering, so a write that lands
    /// meanwhile makes the new entry stale rather than wrongly fresh.
    pub fn version(&self) -> Version {
        Version {
            content: self.db.content_version(),
            failures: self.failures.load(Ordering::Acquire),
        }
    }

    /// Held while rendering the page at `key` for the cache: whoever waited for it
    /// then finds the fresh copy. Keys share locks by hash; two pages that share one
    /// only take turns.
    pub async fn render_lock(&self, key: &str) -> tokio::sync::MutexGuard<'_, ()> {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        std::hash::Hash::hash(key, &mut hasher);
        let slot = std::hash::Hasher::finish(&hasher) as usize % RENDER_LOCKS;
        self.renders[slot].lock().await
    }

    pub fn get(&self, key: &str, version: Version) -> Option<Arc<PreparedPage>> {
        let pages = self.pages.read().ok()?;
        match pages.get(key) {
            Some((at, page)) if *at == version => Some(Arc::clone(page)),
            _ => None,
        }
    }

    pub fn put(&self, key: String, version: Version, page: Arc<PreparedPage>) {
        if let Ok(mut pages) = self.pages.write() {
            if pages.len() >= MAX_PAGES {
                pages.clear();
            }
            pages.insert(key, (version, page));
        }
    }
}
