-- First run and people (issue 21): invitations to join with a role chosen by an
-- admin, and the site's own settings, which admins edit in /admin/settings.

-- A one-time invitation link: the token's SHA-256, the address and role it is for,
-- who made it, and until when it works (7 days). Used, it is deleted.
CREATE TABLE invitations (
    token_hash BLOB PRIMARY KEY,
    email      TEXT NOT NULL,
    role       TEXT NOT NULL,
    invited_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;

-- What admins set in /admin/settings, one row per setting (`title`,
-- `description`, `accent`); a missing row falls back to blog.toml.
CREATE TABLE site_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Every page shows the title, the description and the accent: a change is a change
-- of what readers see (see migration 004), so cached pages go stale at once.
CREATE TRIGGER site_settings_insert_changes_content AFTER INSERT ON site_settings BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER site_settings_update_changes_content AFTER UPDATE ON site_settings BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER site_settings_delete_changes_content AFTER DELETE ON site_settings BEGIN UPDATE content_version SET n = n + 1; END;

-- The site's icon (`/admin/settings`): one square picture, made like an avatar (256
-- and 64 px), shown beside the title in the header and as the favicon. The media GC
-- keeps what this row names.
CREATE TABLE site_icon (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    media_id INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE
);
CREATE TRIGGER site_icon_insert_changes_content AFTER INSERT ON site_icon BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER site_icon_update_changes_content AFTER UPDATE ON site_icon BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER site_icon_delete_changes_content AFTER DELETE ON site_icon BEGIN UPDATE content_version SET n = n + 1; END;
