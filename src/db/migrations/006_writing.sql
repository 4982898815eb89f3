-- Writing without fear: scheduled publication, the save counter that autosave checks,
-- revisions (with the images each shows, so the media GC keeps them), preview links.

-- A draft's scheduled time (Unix ms); NULL: not scheduled. The scheduler publishes it
-- with this time as `published_at`.
ALTER TABLE posts ADD COLUMN publish_at INTEGER;
-- Bumped by every save of the post; a save names the one it started from, so a stale
-- tab gets 409 instead of overwriting another's words.
ALTER TABLE posts ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
CREATE INDEX posts_scheduled ON posts(publish_at) WHERE publish_at IS NOT NULL;

-- A draft's autosave is seen by nobody else: only a change to a post that is or was
-- published makes cached pages stale.
DROP TRIGGER posts_update_changes_content;
CREATE TRIGGER posts_update_changes_content AFTER UPDATE ON posts
    WHEN old.published_at IS NOT NULL OR new.published_at IS NOT NULL
    BEGIN UPDATE content_version SET n = n + 1; END;

CREATE TABLE revisions (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    author_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    author_name TEXT NOT NULL,                   -- who, still readable once they are gone
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,                   -- sanitized HTML, as saved
    created_at  INTEGER NOT NULL,
    saved_at    INTEGER NOT NULL                 -- a minute of autosaves folds into one
);
CREATE INDEX revisions_post ON revisions(post_id, id);

CREATE TABLE revision_media (
    revision_id INTEGER NOT NULL REFERENCES revisions(id) ON DELETE CASCADE,
    media_id    INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    PRIMARY KEY (revision_id, media_id)
) WITHOUT ROWID;
CREATE INDEX revision_media_media ON revision_media(media_id);

CREATE TABLE preview_links (
    token_hash BLOB PRIMARY KEY,
    post_id    INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX preview_links_post ON preview_links(post_id);
