-- Mail (issue #17): the outbox every mail leaves through, the blog's subscribers, who
-- wants to hear of comments, and the requests for password-reset mails.
--
-- A mail is a row written in the same transaction as the change that causes it, with
-- everything needed to send it (so a later edit of a post does not change a mail
-- already queued), and its Message-ID fixed at that moment: a send repeated after a
-- crash carries the same id, which receiving servers and clients fold into one.
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY,
    message_id      TEXT NOT NULL UNIQUE,   -- without the angle brackets
    recipient       TEXT NOT NULL,
    kind            TEXT NOT NULL,          -- reset, comment, subscribe, post
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    unsubscribe_url TEXT,                   -- List-Unsubscribe (RFC 8058)
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    last_error      TEXT,
    finished_at     INTEGER
);
CREATE INDEX mail_outbox_due ON mail_outbox(next_attempt_at) WHERE status = 'queued';
CREATE INDEX mail_outbox_recipient ON mail_outbox(recipient, kind, created_at);

-- Readers who subscribed by mail, to the whole blog (author_id NULL) or to one author.
-- A row is unconfirmed until its confirmation link is followed (double opt-in);
-- unsubscribing deletes it.
CREATE TABLE subscribers (
    id           INTEGER PRIMARY KEY,
    email        TEXT NOT NULL,             -- trimmed and case-folded
    author_id    INTEGER REFERENCES users(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    confirmed_at INTEGER
);
CREATE UNIQUE INDEX subscribers_once ON subscribers(email, ifnull(author_id, 0));

-- A post is mailed to subscribers once, the first time it is published: unpublishing
-- and publishing again sends nothing more.
CREATE TABLE post_mailings (
    post_id   INTEGER PRIMARY KEY REFERENCES posts(id) ON DELETE CASCADE,
    mailed_at INTEGER NOT NULL
);

-- Whether the account is mailed about new comments on its posts.
ALTER TABLE users ADD COLUMN notify_comments INTEGER NOT NULL DEFAULT 1;

-- Each "forgot your password?" request, known address or not, to throttle them per
-- client and per address.
CREATE TABLE reset_requests (
    email      TEXT NOT NULL,
    client     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX reset_requests_email ON reset_requests(email, created_at);
CREATE INDEX reset_requests_client ON reset_requests(client, created_at);
