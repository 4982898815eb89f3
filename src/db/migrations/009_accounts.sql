-- Accounts worth trusting (issue 20): sessions one can see and end, two-factor codes
-- (TOTP) with recovery codes, passkeys (WebAuthn), and the half-done logins between
-- a password and its second factor.

-- What the profile shows of each signed-in browser: its User-Agent, the address it
-- last came from, and when (refreshed at most every few minutes, not per request).
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN client TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;

-- An account's authenticator app (RFC 6238). `secret` is the shared key the QR code
-- carries; `confirmed_at` is NULL while set-up waits for a first code (such a row is
-- not a factor yet). `last_step` is the 30-second step of the last code accepted:
-- only a later step is accepted next, so a code works once.
CREATE TABLE totp_factors (
    user_id      INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret       BLOB NOT NULL,
    confirmed_at INTEGER,
    last_step    INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
);

-- One-time recovery codes, ten at a time, stored as their SHA-256 (each is 50 random
-- bits, shown once); `used_at` set when one is spent.
CREATE TABLE recovery_codes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  BLOB NOT NULL,
    used_at    INTEGER
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);

-- Passkeys. `credential_id` is the authenticator's id for it (what a discoverable
-- login names); `user_handle` the account's WebAuthn user id (one per account, the
-- same in all its passkeys); `passkey` the library's record of the key (JSON, with
-- its public key and signature counter).
CREATE TABLE passkeys (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    credential_id BLOB NOT NULL UNIQUE,
    user_handle   TEXT NOT NULL,
    name          TEXT NOT NULL,
    passkey       TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER
);
CREATE INDEX passkeys_user ON passkeys(user_id);
CREATE INDEX passkeys_handle ON passkeys(user_handle);

-- A login whose password was right and whose second factor is still to come, keyed
-- by the hash of the browser's (visitor) session token; it is not a session.
CREATE TABLE login_challenges (
    token_hash BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    next       TEXT NOT NULL DEFAULT '',
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;

-- WebAuthn ceremonies in flight (a passkey being added, a passkey login), keyed by
-- the hash of the browser's session token; the library's state as JSON.
CREATE TABLE webauthn_ceremonies (
    token_hash BLOB NOT NULL,
    kind       TEXT NOT NULL,
    state      TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (token_hash, kind)
) WITHOUT ROWID;
