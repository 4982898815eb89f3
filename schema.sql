-- The whole schema of a new database (user_version 1). Later changes are numbered
-- migrations in src/db/migrate.rs. Times are Unix milliseconds (UTC).

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,          -- trimmed and case-folded
    password_hash TEXT,                          -- NULL: set through a reset link
    display_name  TEXT NOT NULL DEFAULT '',
    bio           TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL CHECK (role IN ('admin', 'author', 'reader')),
    is_active     INTEGER NOT NULL DEFAULT 1,
    avatar_id     INTEGER REFERENCES media(id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL
);

-- A row per signed-in browser; the cookie holds a token, the row its SHA-256.
CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);

-- One-time password reset links, stored hashed like sessions.
CREATE TABLE password_resets (
    token_hash BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Failed logins, for throttling per account and per client address.
CREATE TABLE login_failures (
    id     INTEGER PRIMARY KEY,
    email  TEXT NOT NULL,
    client TEXT NOT NULL,
    at     INTEGER NOT NULL
);
CREATE INDEX login_failures_email ON login_failures(email, at);
CREATE INDEX login_failures_client ON login_failures(client, at);

CREATE TABLE posts (
    id           INTEGER PRIMARY KEY,
    author_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    slug         TEXT NOT NULL UNIQUE,
    body         TEXT NOT NULL,                  -- sanitized HTML
    excerpt      TEXT NOT NULL,                  -- plain text
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    published_at INTEGER                         -- NULL: a draft
);
CREATE INDEX posts_published ON posts(published_at DESC, id DESC) WHERE published_at IS NOT NULL;
CREATE INDEX posts_author ON posts(author_id, published_at);

-- Tags, as `content::Tag` makes them (trimmed, lower-cased, Unicode kept); a tag row
-- outlives its last post, and pages only list tags that published posts use.
CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE post_tags (
    post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    tag_id  INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX post_tags_tag ON post_tags(tag_id, post_id);

-- Uploaded images. One `media` row per image; its files (the original and a 1600 px
-- copy, or a 256 px and a 64 px thumbnail) are rows of `media_files`, named by their
-- path under the media folder. A media row that no post and no user uses is released:
-- its files are deleted, at once by the action that released it, or by the GC.
CREATE TABLE media (
    id         INTEGER PRIMARY KEY,
    owner_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('upload', 'avatar')),
    created_at INTEGER NOT NULL
);

CREATE TABLE media_files (
    path     TEXT PRIMARY KEY,                   -- "uploads/2026/11/3f…9a.jpg"
    media_id INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    variant  TEXT NOT NULL CHECK (variant IN ('original', 'display', 'large', 'small')),
    bytes    INTEGER NOT NULL,
    width    INTEGER NOT NULL,
    height   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX media_files_media ON media_files(media_id);

-- Which posts show which images, read from the `/media/` URLs of each saved body.
CREATE TABLE post_media (
    post_id  INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    media_id INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, media_id)
) WITHOUT ROWID;
CREATE INDEX post_media_media ON post_media(media_id);
