//! The schema's history: `schema.sql` makes a new database at version 1; each later
//! change is one numbered step below, applied in its own transaction at start-up.

use anyhow::{bail, Context};
use rusqlite::{Connection, TransactionBehavior};

const SCHEMA: &str = include_str!("../../schema.sql");

/// Migrations after the schema: `MIGRATIONS[0]` takes version 1 to 2, and so on.
const MIGRATIONS: &[&str] = &[];

/// The version this build of `blog` writes.
pub const LATEST: i64 = 1 + MIGRATIONS.len() as i64;

pub fn run(conn: &mut Connection) -> anyhow::Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if version > LATEST {
        bail!(
            "the database is from a newer version of blog (schema {version}, this build knows {LATEST}): upgrade blog, or restore a backup"
        );
    }
    if version == 0 {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(SCHEMA).context("creating the schema")?;
        tx.pragma_update(None, "user_version", LATEST)?;
        tx.commit()?;
        return Ok(());
    }
    for (i, step) in MIGRATIONS.iter().enumerate().skip((version - 1) as usize) {
        let target = i as i64 + 2;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(step)
            .with_context(|| format!("migrating the database to version {target}"))?;
        tx.pragma_update(None, "user_version", target)?;
        tx.commit()?;
    }
    Ok(())
}
