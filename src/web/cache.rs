//! Rendered public pages, kept in memory. A blog is read far more than written, and
//! most readers are anonymous: for them the list, post and author pages are the same
//! bytes until something is written. So a page is cached with the database version it
//! was rendered from, and any write makes every cached page stale at once:
//! - writes through this server's own writer bump `Db::generation` when they commit;
//! - writes by another process (the CLI) change SQLite's `data_version`, which a
//!   watcher thread reads every `WATCH_INTERVAL`.
//!
//! Only pages for visitors without a signed-in session, with no CSRF token and no
//! cookie of their own, are cached.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use super::pages::PreparedPage;
use crate::db::Db;

/// How soon a write by another process reaches the cache.
const WATCH_INTERVAL: Duration = Duration::from_millis(20);

/// Enough for every page of a large blog's lists and its popular posts; when full,
/// the cache starts over rather than tracking what is least used.
const MAX_PAGES: usize = 4096;

/// The state of the database a page was rendered from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    own_writes: u64,
    other_writes: u64,
}

pub struct PageCache {
    db: Db,
    other_writes: Arc<AtomicU64>,
    pages: RwLock<HashMap<String, (Version, Arc<PreparedPage>)>>,
}

impl PageCache {
    /// Starts the watcher thread for writes by other processes.
    pub fn start(db: Db) -> anyhow::Result<Self> {
        let other_writes = Arc::new(AtomicU64::new(0));
        let watcher = db.version_watcher()?;
        let seen = Arc::clone(&other_writes);
        std::thread::Builder::new()
            .name("page-cache-watch".into())
            .spawn(move || loop {
                match watcher.data_version() {
                    Ok(version) => seen.store(version, Ordering::Release),
                    // The database is gone or broken: never serve from the cache again.
                    Err(_) => {
                        seen.fetch_add(1, Ordering::AcqRel);
                    }
                }
                std::thread::sleep(WATCH_INTERVAL);
            })?;
        Ok(Self {
            db,
            other_writes,
            pages: RwLock::new(HashMap::new()),
        })
    }

    /// The version to render against: read it before rendering, so a write that lands
    /// meanwhile makes the new entry stale rather than wrongly fresh.
    pub fn version(&self) -> Version {
        Version {
            own_writes: self.db.generation(),
            other_writes: self.other_writes.load(Ordering::Acquire),
        }
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
