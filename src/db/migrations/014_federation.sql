-- Federation over ActivityPub (issue 19): the blog and each author are actors that
-- readers on Mastodon and the rest of the fediverse follow; what they publish is
-- delivered to their followers' inboxes through a durable outbox, and replies come
-- back as comments.

-- Each local actor's key pair, made on first use: `actor` is 'blog' or the user's id.
CREATE TABLE ap_keys (
    actor       TEXT PRIMARY KEY,
    private_pem TEXT NOT NULL,
    public_pem  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- The name an author is found by (`@handle@host`), given once and kept: a follower
-- holds the actor's URL, which names the user's id, so the handle may not change
-- meaning. 'blog' is the blog's own.
CREATE TABLE ap_handles (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    handle  TEXT NOT NULL UNIQUE
);

-- Remote actors as their servers last described them: where to deliver, and the key
-- their signatures are checked with.
CREATE TABLE ap_actors (
    id           TEXT PRIMARY KEY,
    inbox        TEXT NOT NULL,
    shared_inbox TEXT,
    key_id       TEXT NOT NULL,
    public_pem   TEXT NOT NULL,
    name         TEXT NOT NULL,
    handle       TEXT NOT NULL,
    url          TEXT NOT NULL,
    fetched_at   INTEGER NOT NULL
) WITHOUT ROWID;

-- Who follows our actors.
CREATE TABLE ap_followers (
    local      TEXT NOT NULL,
    remote     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (local, remote)
) WITHOUT ROWID;

-- Whom our authors follow: 'pending' until the remote server accepts.
CREATE TABLE ap_following (
    local      TEXT NOT NULL,
    remote     TEXT NOT NULL,
    follow_id  TEXT NOT NULL UNIQUE,
    state      TEXT NOT NULL CHECK (state IN ('pending', 'accepted')),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (local, remote)
) WITHOUT ROWID;

-- Posts received from the accounts our authors follow, shown in /admin/fediverse.
CREATE TABLE ap_received (
    object_id    TEXT PRIMARY KEY,
    actor        TEXT NOT NULL,
    url          TEXT NOT NULL,
    name         TEXT NOT NULL,
    content      TEXT NOT NULL,
    published_at INTEGER NOT NULL,
    received_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX ap_received_by_time ON ap_received(received_at);

-- Notes our authors wrote in reply to received posts, served at /ap/notes/{id}.
CREATE TABLE ap_notes (
    id          INTEGER PRIMARY KEY,
    author_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    in_reply_to TEXT NOT NULL,
    content     TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

-- The outbox: each activity once, then one delivery per inbox. A delivery is marked
-- done only after the inbox answered 2xx; others wait by `retry.rs`.
CREATE TABLE ap_activities (
    id         INTEGER PRIMARY KEY,
    signer     TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE ap_deliveries (
    id          INTEGER PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES ap_activities(id) ON DELETE CASCADE,
    inbox       TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL,
    error       TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    UNIQUE (activity_id, inbox)
);
CREATE INDEX ap_deliveries_due ON ap_deliveries(status, next_at);

-- Activities already taken in, by id: a replayed one changes nothing.
CREATE TABLE ap_seen (
    id      TEXT PRIMARY KEY,
    seen_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Likes and boosts of our posts, counted under each post.
CREATE TABLE ap_reactions (
    activity_id TEXT PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('like', 'boost')),
    actor       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (post_id, kind, actor)
) WITHOUT ROWID;
CREATE TRIGGER ap_reactions_insert_changes_content AFTER INSERT ON ap_reactions BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER ap_reactions_delete_changes_content AFTER DELETE ON ap_reactions BEGIN UPDATE content_version SET n = n + 1; END;

-- Accounts (`https://host/users/x`) and whole domains (`host`) an admin blocked:
-- nothing from them is taken in, and they are no longer delivered to.
CREATE TABLE ap_blocks (
    target     TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- A comment that came as a reply from another server: who wrote it (their actor and
-- profile page) and the reply's own id, by which a Delete finds it.
ALTER TABLE comments ADD COLUMN remote_actor TEXT;
ALTER TABLE comments ADD COLUMN remote_url TEXT;
ALTER TABLE comments ADD COLUMN remote_id TEXT;
CREATE UNIQUE INDEX comments_remote_id ON comments(remote_id) WHERE remote_id IS NOT NULL;
