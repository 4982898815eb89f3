//! The database: one SQLite file in WAL mode. Reads come from a small pool of
//! connections and run beside writes; all writes share one connection, so they queue
//! in our process instead of failing with "database is locked". Every call runs on a
//! blocking thread, never on the async reactor.

pub mod admin;
pub mod audit;
pub mod backup;
pub mod comments;
pub mod factors;
pub mod federation;
#[cfg(test)]
pub mod fixtures;
pub mod invitations;
pub mod login_failures;
pub mod media;
pub mod migrate;
pub mod outbox;
pub mod pages;
pub mod passkeys;
pub mod password_resets;
pub mod posts;
pub mod preview_links;
pub mod redirects;
pub mod revisions;
pub mod search;
pub mod sessions;
pub mod site_settings;
pub mod subscribers;
pub mod tags;
pub mod users;
pub mod webmentions;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, Context};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

/// Readers kept open for reuse; more are opened under load and closed after.
const IDLE_READERS: usize = 8;

/// The page cache of each reading connection, in KiB (SQLite's `cache_size` takes
/// negative numbers as KiB). SQLite's default, 2 MB, filled by every reader kept
/// open, made most of the server's memory; readers look up a few dozen pages per
/// query, and the rest are a `pread` away in the kernel's cache, which all
/// connections share. The writer keeps the default.
const READER_CACHE_KIB: i64 = 512;

/// The page check reads every page once: a cache would only hold what it never reads
/// again.
const CHECK_CACHE_KIB: i64 = 64;

/// How long a connection waits for another process (a CLI command, a backup,
/// Litestream's short write locks) to release the file before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct Db {
    path: Arc<PathBuf>,
    writer: Arc<Mutex<Connection>>,
    readers: Arc<Mutex<Vec<Connection>>>,
    /// The last `content_version` seen committed (see migration 004), so the page
    /// cache knows at once that a write changed what readers see.
    content_version: Arc<AtomicU64>,
    /// A follower's copy, which Litestream writes page by page under SQLite: a
    /// connection kept open would not notice, so every read opens a fresh one.
    fresh_reads: bool,
}

/// When `Db::open_with` reads every page of the file to check it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageCheck {
    /// Before anything else: the commands, which must not work on a damaged file.
    Now,
    /// Later, by a call to `check_pages`: the server, whose first answer must not wait
    /// for a read of the whole file. Opening still reads the schema and the content
    /// version, so a file damaged near its start is refused at once.
    Later,
}

impl Db {
    /// Opens (creating if needed) the database, checks every page and brings its schema
    /// up to date.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        Self::open_with(path, PageCheck::Now)
    }

    /// `open`, with the page check now or left to `check_pages`.
    pub fn open_with(path: &Path, page_check: PageCheck) -> anyhow::Result<Self> {
        if !path.exists() {
            // It holds password hashes and sessions: readable by this user alone. An
            // empty file is a new database; SQLite gives its -wal and -shm the same mode.
            crate::files::create_private(path)
                .map(drop)
                .with_context(|| format!("cannot create the database {}", path.display()))?;
        }
        let not_a_database = || {
            format!(
                "{} is not a SQLite database, or it is damaged: move it away and restore a backup (see the README's Backups)",
                path.display()
            )
        };
        let mut writer = match connect(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        ) {
            Ok(conn) => conn,
            Err(err) if is_not_a_database(&err) => return Err(err).with_context(not_a_database),
            Err(err) => {
                return Err(err)
                    .with_context(|| format!("cannot open the database {}", path.display()))
            }
        };
        if page_check == PageCheck::Now {
            check_pages(&writer, path)?;
        }
        migrate::run(&mut writer)
            .with_context(|| format!("cannot prepare the database {}", path.display()))?;
        let content_version = read_content_version(&writer).with_context(not_a_database)?;
        Ok(Self {
            path: Arc::new(path.to_path_buf()),
            writer: Arc::new(Mutex::new(writer)),
            readers: Arc::new(Mutex::new(Vec::new())),
            content_version: Arc::new(AtomicU64::new(content_version)),
            fresh_reads: false,
        })
    }

    /// A read-only follower's copy that `litestream restore -f` keeps up to date: no
    /// migration, no write, a fresh connection for every read. No connection stays
    /// open, since Litestream applies changes only while none is: the "writer" is an
    /// empty in-memory database, so a write fails rather than fork the copy.
    pub fn open_follower(path: &Path) -> anyhow::Result<Self> {
        let (version, content_version) = {
            let conn = connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
                .with_context(|| format!("cannot open the follower's copy {}", path.display()))?;
            let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
            (version, read_content_version(&conn)?)
        };
        if version != migrate::LATEST {
            anyhow::bail!(
                "the replica's database is at version {version}, this blog needs {}: run the same blog version as the primary",
                migrate::LATEST
            );
        }
        Ok(Self {
            path: Arc::new(path.to_path_buf()),
            writer: Arc::new(Mutex::new(Connection::open_in_memory()?)),
            readers: Arc::new(Mutex::new(Vec::new())),
            content_version: Arc::new(AtomicU64::new(content_version)),
            fresh_reads: true,
        })
    }

    /// Reads every page of the file (`PRAGMA quick_check`, table by table) from a
    /// connection of its own; an error says what is damaged and what to do.
    pub fn check_pages(&self) -> anyhow::Result<()> {
        let conn = connect(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .with_context(|| format!("cannot open the database {}", self.path.display()))?;
        conn.pragma_update(None, "cache_size", -CHECK_CACHE_KIB)?;
        check_pages(&conn, &self.path)
    }

    /// Runs `f` on a reader, off the reactor.
    pub async fn read<T, F>(&self, f: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.read_now(f)).await?
    }

    /// Runs `f` in one write transaction, off the reactor; it commits if `f` succeeds.
    pub async fn write<T, F>(&self, f: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction) -> rusqlite::Result<T> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.write_now(f)).await?
    }

    /// `read` for code that is already on a blocking thread (commands, tests).
    pub fn read_now<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> anyhow::Result<T> {
        if self.fresh_reads {
            let conn = connect(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            return Ok(f(&conn)?);
        }
        let conn = self.take_reader()?;
        let out = f(&conn);
        if let Ok(mut idle) = self.readers.lock() {
            if idle.len() < IDLE_READERS {
                idle.push(conn);
            }
        }
        Ok(out?)
    }

    /// `write` for code that is already on a blocking thread (commands, tests).
    pub fn write_now<T>(
        &self,
        f: impl FnOnce(&Transaction) -> rusqlite::Result<T>,
    ) -> anyhow::Result<T> {
        let mut conn = self
            .writer
            .lock()
            .map_err(|_| anyhow!("the database writer panicked earlier"))?;
        // IMMEDIATE takes the write lock up front, so no statement inside fails
        // half-way with "database is locked".
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        let version = read_content_version(&tx)?;
        tx.commit()?;
        self.saw_content_version(version);
        Ok(out)
    }

    /// A count that grows with every committed change to what readers see.
    pub fn content_version(&self) -> u64 {
        self.content_version.load(Ordering::Acquire)
    }

    /// Records a version read from the file (by the watcher: another process wrote).
    pub fn saw_content_version(&self, version: u64) {
        self.content_version.fetch_max(version, Ordering::AcqRel);
    }

    /// A connection of its own that reads `content_version` as other connections
    /// (other processes included) commit.
    pub fn version_watcher(&self) -> anyhow::Result<VersionWatcher> {
        if self.fresh_reads {
            return Ok(VersionWatcher::Fresh(self.path.to_path_buf()));
        }
        let conn = connect(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        Ok(VersionWatcher::Open(conn))
    }

    fn take_reader(&self) -> anyhow::Result<Connection> {
        let pooled = self.readers.lock().ok().and_then(|mut idle| idle.pop());
        match pooled {
            Some(conn) => Ok(conn),
            None => connect(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY)
                .with_context(|| format!("cannot open the database {}", self.path.display())),
        }
    }

    /// True when Litestream replicates (or once replicated) this file: it keeps its
    /// `_litestream_seq` and `_litestream_lock` tables inside. Nothing of blog reads
    /// or exports them; they are Litestream's.
    pub fn has_litestream_tables(&self) -> anyhow::Result<bool> {
        self.read_now(|conn| {
            conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name LIKE '\\_litestream\\_%' ESCAPE '\\')",
                [],
                |row| row.get(0),
            )
        })
    }

    /// Writes the WAL back into the main file; done at shutdown so the file alone is
    /// a complete copy. Never while Litestream replicates the file: it reads the WAL
    /// before SQLite may reuse it, and a truncation under it forces a full snapshot.
    pub fn checkpoint(&self) -> anyhow::Result<()> {
        let conn = self
            .writer
            .lock()
            .map_err(|_| anyhow!("the database writer panicked earlier"))?;
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
        Ok(())
    }
}

pub enum VersionWatcher {
    Open(Connection),
    /// A follower's copy: read through a fresh connection each time.
    Fresh(PathBuf),
}

impl VersionWatcher {
    pub fn content_version(&self) -> rusqlite::Result<u64> {
        match self {
            Self::Open(conn) => read_content_version(conn),
            Self::Fresh(path) => {
                read_content_version(&connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?)
            }
        }
    }
}

fn read_content_version(conn: &Connection) -> rusqlite::Result<u64> {
    conn.prepare_cached("SELECT n FROM content_version")?
        .query_row([], |row| row.get(0))
}

fn check_pages(conn: &Connection, path: &Path) -> anyhow::Result<()> {
    let check = quick_check(conn).with_context(|| {
        format!(
            "{} is not a SQLite database, or it is damaged: move it away and restore a backup (see the README's Backups)",
            path.display()
        )
    })?;
    if check != "ok" {
        // SQLite lists one problem a line; the error is one line.
        let problems: Vec<&str> = check.lines().map(str::trim).collect();
        anyhow::bail!(
            "the database {} is damaged ({}): restore it from a backup",
            path.display(),
            problems.join("; ")
        );
    }
    Ok(())
}

/// `PRAGMA quick_check` on every ordinary table and index, which reads each page once
/// (a fraction of a second for a large blog). Since SQLite 3.44 a plain quick_check
/// also re-tokenizes the whole search index, which takes seconds on a big blog and
/// delays every start; that deeper check is left to `blog check` (integrity_check).
fn quick_check(conn: &Connection) -> rusqlite::Result<String> {
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema
             WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'",
        )?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for table in tables {
        let result: String =
            conn.query_row("SELECT * FROM pragma_quick_check(?1)", [&table], |row| {
                row.get(0)
            })?;
        if result != "ok" {
            return Ok(result);
        }
    }
    Ok("ok".into())
}

fn is_not_a_database(err: &rusqlite::Error) -> bool {
    matches!(
        err.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
    )
}

fn connect(path: &Path, flags: OpenFlags) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    // On every connection: Litestream, a backup or a CLI command may hold the lock.
    conn.busy_timeout(BUSY_TIMEOUT)?;
    if flags.contains(OpenFlags::SQLITE_OPEN_READ_ONLY) {
        conn.pragma_update(None, "cache_size", -READER_CACHE_KIB)?;
    } else {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // In WAL mode NORMAL loses nothing when the process dies; only a power cut
        // may roll back the last transactions.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // The search index's triggers call them on every write to `posts`.
    search::register_functions(&conn)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// Milliseconds since the Unix epoch, as stored in every time column.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// True when `err` is a UNIQUE constraint failure, which callers turn into a
/// "already taken" message.
pub fn is_unique_violation(err: &anyhow::Error) -> bool {
    matches!(
        err.downcast_ref::<rusqlite::Error>(),
        Some(rusqlite::Error::SqliteFailure(e, _)) if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
    )
}
