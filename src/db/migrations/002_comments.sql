-- Comments (SPEC section 7). A comment by a signed-in user has `author_id`; a
-- visitor's (when `[comments] anonymous = true`) has none and keeps the name they
-- typed. Bodies are plain text: links are made clickable when shown, never stored
-- as HTML. `client` is the address it came from, for throttling per client.
CREATE TABLE comments (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    author_id   INTEGER REFERENCES users(id) ON DELETE CASCADE,
    author_name TEXT NOT NULL DEFAULT '',        -- a visitor's name field
    body        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'hidden')),
    client      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX comments_post ON comments(post_id, status, created_at);
CREATE INDEX comments_status ON comments(status, created_at);
CREATE INDEX comments_client ON comments(client, created_at);

-- The per-post switch that closes comments.
ALTER TABLE posts ADD COLUMN comments_closed INTEGER NOT NULL DEFAULT 0;
