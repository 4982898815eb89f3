//! Copies of the live database while the server runs (SQLite's online backup), and
//! the check that a copy is sound. `blog backup` adds the media folder around them.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

/// Pages copied per step: 1024 pages of 4 KiB is 4 MiB, so each step is short and a
/// large database shows steady progress instead of one long call.
const PAGES_PER_STEP: i32 = 1024;

/// How long the copy may keep meeting a busy or locked database before giving up.
const BUSY_PATIENCE: Duration = Duration::from_secs(60);

/// Copies the database page by page inside one read transaction. In WAL mode (the
/// server's) a reader blocks no writer, so the server keeps saving posts; and since
/// the snapshot is held across steps, the copy is of one moment and never restarts
/// because of those writes. Answers how many times the copy started over (none, as
/// long as the snapshot is held; the test checks it).
pub fn online(database: &Path, part: &Path) -> anyhow::Result<u32> {
    // Read-write without CREATE: a read-only connection cannot open a WAL database
    // whose `-shm` file is missing (server stopped), and we must never make an empty one.
    let mut source = Connection::open_with_flags(
        database,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("cannot open the database {}", database.display()))?;
    source.busy_timeout(Duration::from_secs(10))?;
    let snapshot = source.transaction_with_behavior(TransactionBehavior::Deferred)?;
    // A deferred transaction reads nothing until asked; this read fixes the snapshot.
    snapshot
        .query_row("SELECT count(*) FROM sqlite_schema", [], |row| {
            row.get::<_, i64>(0)
        })
        .with_context(|| format!("cannot read the database {}", database.display()))?;

    let mut restarts = 0;
    let mut dest = Connection::open(part)
        .with_context(|| format!("cannot open the backup file {}", part.display()))?;
    {
        let backup = Backup::new(&snapshot, &mut dest)
            .with_context(|| format!("cannot start the backup into {}", part.display()))?;
        let started = Instant::now();
        let mut remaining = i32::MAX;
        loop {
            let step = backup
                .step(PAGES_PER_STEP)
                .with_context(|| format!("cannot write the backup {}", part.display()))?;
            // SQLite starts over, silently, when the source changed under the copy.
            let left = backup.progress().remaining;
            if left > remaining {
                restarts += 1;
            }
            remaining = left;
            match step {
                StepResult::Done => break,
                StepResult::More => {}
                StepResult::Busy | StepResult::Locked => {
                    if started.elapsed() > BUSY_PATIENCE {
                        bail!("the database stayed busy for {BUSY_PATIENCE:?}: try the backup again later");
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                // StepResult is non-exhaustive; treat anything new as "keep going".
                _ => {}
            }
        }
    }
    // The copy carries the source's WAL flag; DELETE mode makes FILE one self-contained
    // file with no `-wal` beside it. The server turns WAL back on when it opens it.
    dest.pragma_update(None, "journal_mode", "DELETE")
        .with_context(|| format!("cannot finish the backup {}", part.display()))?;
    drop(dest);
    snapshot.finish()?;
    Ok(restarts)
}

/// `PRAGMA integrity_check`: `["ok"]` for a sound database, else what is wrong.
pub fn integrity_check(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    conn.prepare("PRAGMA integrity_check")?
        .query_map([], |row| row.get(0))?
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database of many steps, written to by another connection the whole time:
    /// the copy finishes (no endless restarts), is sound, and holds every row
    /// committed before it began.
    #[test]
    fn a_copy_in_many_steps_beside_a_busy_writer_is_whole_and_finishes() {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::Arc;

        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("live.sqlite3");
        let conn = Connection::open(&source).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, filler BLOB)")
            .unwrap();
        // About 4 steps' worth of pages.
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000)
             INSERT INTO t (filler) SELECT zeroblob(4000) FROM n",
            [],
        )
        .unwrap();
        let before: i64 = conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();

        let stop = Arc::new(AtomicBool::new(false));
        let writing = {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut written = 0;
                while !stop.load(Ordering::Relaxed) {
                    conn.execute("INSERT INTO t (filler) VALUES (zeroblob(100))", [])
                        .unwrap();
                    written += 1;
                }
                written
            })
        };
        let part = dir.path().join("copy.sqlite3");
        let restarts = online(&source, &part).unwrap();
        stop.store(true, Ordering::Relaxed);
        assert!(
            writing.join().unwrap() > 0,
            "the writer was never blocked out"
        );
        assert_eq!(
            restarts, 0,
            "the held snapshot keeps the copy of one moment"
        );

        let copy = Connection::open(&part).unwrap();
        let check: String = copy
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        let rows: i64 = copy
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert!(rows >= before, "{rows} rows, {before} before the copy");
        let mode: String = copy
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "delete", "one self-contained file");
    }
}
