-- Images for readers (issue 21): every upload gets narrower copies for `srcset`
-- (`narrow`: the original's format, JPEG or PNG) and WebP copies (`webp`), each a
-- row of its own beside the original, so every rule that releases an image (a post
-- deleted, an image removed from a body, the GC) releases them with it.
-- SQLite cannot change a CHECK in place: the table is copied into a new one.
CREATE TABLE media_files_new (
    path     TEXT PRIMARY KEY,
    media_id INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    variant  TEXT NOT NULL CHECK (variant IN ('original', 'display', 'narrow', 'webp', 'large', 'small')),
    bytes    INTEGER NOT NULL,
    width    INTEGER NOT NULL,
    height   INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO media_files_new (path, media_id, variant, bytes, width, height)
    SELECT path, media_id, variant, bytes, width, height FROM media_files;
DROP TABLE media_files;
ALTER TABLE media_files_new RENAME TO media_files;
CREATE INDEX media_files_media ON media_files(media_id);

-- A page shows an image's copies as they are at render time: new copies (from
-- `blog media rebuild`) make cached pages stale.
CREATE TRIGGER media_files_insert_changes_content AFTER INSERT ON media_files BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER media_files_delete_changes_content AFTER DELETE ON media_files BEGIN UPDATE content_version SET n = n + 1; END;
