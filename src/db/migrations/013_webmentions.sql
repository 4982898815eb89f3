-- Webmentions (issue 19, https://www.w3.org/TR/webmention/), received and sent.
--
-- A mention received is a row from the moment the endpoint accepts it: `queued` until
-- the worker has fetched its source and found the link to the target, then `pending`
-- (waiting for the post's author or an admin) or `refused` (the source does not link
-- here, is gone, or never answered; `reason` says which). Approving makes it
-- `approved`, shown under the post. A second mention of the same source and target
-- queues the same row for another check: it keeps its approval if the source still
-- links here, and becomes `refused` if not. A restart loses nothing: the worker reads
-- what is due from here.
CREATE TABLE webmentions (
    id              INTEGER PRIMARY KEY,
    post_id         INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    source          TEXT NOT NULL,
    target          TEXT NOT NULL,           -- as the sender gave it, parsed (an old address too)
    status          TEXT NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'pending', 'approved', 'refused')),
    -- What the source says of itself (its h-entry, else its <title>), as plain text.
    author_name     TEXT,
    author_url      TEXT,
    title           TEXT,
    excerpt         TEXT,
    reason          TEXT,                    -- why refused, or why the last check failed
    created_at      INTEGER NOT NULL,
    verified_at     INTEGER,
    -- Set while a check is due; NULL once it is done.
    next_attempt_at INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    queued_at       INTEGER NOT NULL         -- when the check was last asked for
);
CREATE UNIQUE INDEX webmentions_once ON webmentions(source, target);
CREATE INDEX webmentions_due ON webmentions(next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX webmentions_post ON webmentions(post_id, status);

-- Only approved mentions are on pages: the page cache is told when one comes or goes.
CREATE TRIGGER webmentions_insert_changes_content AFTER INSERT ON webmentions
    WHEN NEW.status = 'approved'
    BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER webmentions_update_changes_content AFTER UPDATE ON webmentions
    WHEN OLD.status = 'approved' OR NEW.status = 'approved'
    BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER webmentions_delete_changes_content AFTER DELETE ON webmentions
    WHEN OLD.status = 'approved'
    BEGIN UPDATE content_version SET n = n + 1; END;

-- Webmentions to send: one row per external link of a post, queued in the transaction
-- that publishes or updates it, then sent (or found to need none) by the worker, with
-- the retry schedule of every outbox (`retry.rs`). At most one queued row per pair:
-- a post saved twice before the worker runs sends once, about its latest text.
CREATE TABLE webmention_outbox (
    id              INTEGER PRIMARY KEY,
    source          TEXT NOT NULL,           -- our post's URL
    target          TEXT NOT NULL,           -- the page it links to
    status          TEXT NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'sent', 'no_endpoint', 'failed')),
    endpoint        TEXT,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    finished_at     INTEGER
);
CREATE UNIQUE INDEX webmention_outbox_queued_once ON webmention_outbox(source, target)
    WHERE status = 'queued';
CREATE INDEX webmention_outbox_due ON webmention_outbox(next_attempt_at)
    WHERE status = 'queued';
