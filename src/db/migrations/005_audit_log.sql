-- What admins (and authors moderating their own posts) did, for the dashboard's log.
-- The actor's email is copied so a row still says who acted after the account is gone.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    actor_email TEXT NOT NULL,
    action      TEXT NOT NULL,                  -- "post.publish", "user.role", ...
    target      TEXT NOT NULL,                  -- what it was done to, as shown then
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at DESC, id DESC);
