//! The site's settings that admins change in `/admin/settings`, one row each; a
//! missing row is a setting left to `blog.toml`.

use rusqlite::{params, Connection};

use rusqlite::OptionalExtension;

use crate::content::site::{SiteIcon, SiteSettings};
use crate::content::MediaId;

/// What is set. A stored accent this build cannot read is left out, not an error.
pub fn get(conn: &Connection) -> rusqlite::Result<SiteSettings> {
    let mut stmt = conn.prepare_cached("SELECT name, value FROM site_settings")?;
    let rows = stmt.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
    })?;
    let mut settings = SiteSettings::default();
    for row in rows {
        let (name, value) = row?;
        match name.as_str() {
            "title" => settings.title = Some(value),
            "description" => settings.description = Some(value),
            "accent" => settings.accent = value.parse().ok(),
            _ => {}
        }
    }
    Ok(settings)
}

/// Stores every setting: a `None` deletes its row (back to the file's value). Rows
/// that do not change are not written, so saving the same form twice does not make
/// every cached page stale.
pub fn set(conn: &Connection, settings: &SiteSettings) -> rusqlite::Result<()> {
    let accent = settings.accent.as_ref().map(|a| a.as_str().to_string());
    let values = [
        ("title", settings.title.clone()),
        ("description", settings.description.clone()),
        ("accent", accent),
    ];
    for (name, value) in values {
        match value {
            Some(value) => conn.execute(
                "INSERT INTO site_settings (name, value) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value
                 WHERE value IS NOT excluded.value",
                params![name, value],
            )?,
            None => conn.execute("DELETE FROM site_settings WHERE name = ?1", params![name])?,
        };
    }
    Ok(())
}

/// The site's icon, if one is set.
pub fn icon(conn: &Connection) -> rusqlite::Result<Option<SiteIcon>> {
    conn.prepare_cached(
        "SELECT large.path, small.path FROM site_icon
         JOIN media_files large ON large.media_id = site_icon.media_id AND large.variant = 'large'
         JOIN media_files small ON small.media_id = site_icon.media_id AND small.variant = 'small'",
    )?
    .query_row([], |row| {
        Ok(SiteIcon {
            large: row.get(0)?,
            small: row.get(1)?,
        })
    })
    .optional()
}

/// Sets the site's icon (or none) and returns the image it replaces.
pub fn set_icon(conn: &Connection, icon: Option<MediaId>) -> rusqlite::Result<Option<MediaId>> {
    let before: Option<MediaId> = conn
        .prepare_cached("SELECT media_id FROM site_icon WHERE id = 1")?
        .query_row([], |row| row.get(0))
        .optional()?;
    match icon {
        Some(id) => conn.execute(
            "INSERT INTO site_icon (id, media_id) VALUES (1, ?1)
             ON CONFLICT (id) DO UPDATE SET media_id = excluded.media_id",
            params![id],
        )?,
        None => conn.execute("DELETE FROM site_icon", [])?,
    };
    Ok(before)
}
