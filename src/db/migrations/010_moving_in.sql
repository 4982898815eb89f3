-- Moving in from WordPress and Ghost (issue #18).
--
-- Old links keep working: a request for a path the site does not answer itself (or for
-- `/?p=12` and the other query forms of WordPress) is looked up here and answered with
-- 301 to `to_path`. `from_path` is stored percent-decoded, without a trailing slash
-- (`/2024/05/안녕`, `/?p=12`), so every spelling of the same address finds it. Admins
-- add and remove rows by hand (`/admin/redirects`, `blog redirects`); an import adds
-- one per old address (`source` names which).
CREATE TABLE redirects (
    from_path  TEXT PRIMARY KEY,
    to_path    TEXT NOT NULL,
    source     TEXT NOT NULL DEFAULT 'manual',
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- What an import brought in, by its id where it came from: a second run finds every
-- item here and adds nothing twice, even after its title or slug changed here.
-- `source` is the old site (`wordpress:https://old.example`), `kind` the sort of item
-- (`post`, `comment`, `user`, `media`), `new_id` its id here (a media file's path).
CREATE TABLE import_sources (
    source   TEXT NOT NULL,
    kind     TEXT NOT NULL,
    old_id   TEXT NOT NULL,
    new_id   TEXT NOT NULL,
    PRIMARY KEY (source, kind, old_id)
) WITHOUT ROWID;

-- Replies: a comment may answer another on the same post (WordPress threads them).
ALTER TABLE comments ADD COLUMN parent_id INTEGER REFERENCES comments(id) ON DELETE SET NULL;
