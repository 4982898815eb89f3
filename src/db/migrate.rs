//! The schema's history: `schema.sql` makes a new database at version 1; each later
//! change is one numbered step below, applied in its own transaction at start-up.

use anyhow::{bail, Context};
use rusqlite::{Connection, TransactionBehavior};

const SCHEMA: &str = include_str!("../../schema.sql");

/// Migrations after the schema, one file each under `migrations/`, named by the
/// version they take the database to: `MIGRATIONS[0]` takes version 1 to 2, and so on.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/002_comments.sql"),
    include_str!("migrations/003_search.sql"),
    include_str!("migrations/004_content_version.sql"),
    include_str!("migrations/005_audit_log.sql"),
    include_str!("migrations/006_writing.sql"),
    include_str!("migrations/007_pages.sql"),
    include_str!("migrations/008_mail.sql"),
    include_str!("migrations/009_accounts.sql"),
    include_str!("migrations/010_moving_in.sql"),
    include_str!("migrations/011_site_settings.sql"),
    include_str!("migrations/012_images.sql"),
    include_str!("migrations/013_webmentions.sql"),
    include_str!("migrations/014_federation.sql"),
    include_str!("migrations/015_quiet_uploads.sql"),
    include_str!("migrations/016_listing_index.sql"),
    include_str!("migrations/017_mail_sender.sql"),
];

/// The version this build of `blog` writes.
pub const LATEST: i64 = 1 + MIGRATIONS.len() as i64;

pub fn run(conn: &mut Connection) -> anyhow::Result<()> {
    // Migration 003 and the search triggers call blog's own SQL functions.
    super::search::register_functions(conn)?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if version > LATEST {
        bail!(
            "the database is from a newer version of blog (schema {version}, this build knows {LATEST}): upgrade blog, or restore a backup"
        );
    }
    if version == 0 {
        // A new database goes through the same steps as an old one, so the two can
        // never differ.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(SCHEMA).context("creating the schema")?;
        tx.pragma_update(None, "user_version", 1)?;
        tx.commit()?;
    }
    let version = version.max(1);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn schema_of(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
            .unwrap();
        let rows = stmt.query_map([], |row| row.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    }

    #[test]
    fn a_new_database_and_a_migrated_one_have_the_same_schema() {
        let mut fresh = Connection::open_in_memory().unwrap();
        run(&mut fresh).unwrap();

        let mut old = Connection::open_in_memory().unwrap();
        old.execute_batch(SCHEMA).unwrap();
        old.pragma_update(None, "user_version", 1).unwrap();
        run(&mut old).unwrap();

        for conn in [&fresh, &old] {
            let version: i64 = conn
                .query_row("PRAGMA user_version", [], |row| row.get(0))
                .unwrap();
            assert_eq!(version, LATEST);
        }
        assert_eq!(schema_of(&fresh), schema_of(&old));
    }

    #[test]
    fn a_database_from_a_newer_blog_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", LATEST + 1)
            .unwrap();
        let err = run(&mut conn).unwrap_err().to_string();
        assert!(err.contains("newer version of blog"), "{err}");
    }
}
