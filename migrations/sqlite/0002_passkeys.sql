-- Passkeys (WebAuthn credentials) and WebAuthn ceremony state, SQLite flavour.
-- Lockstep twin: migrations/postgres/0002_passkeys.sql (same tables, columns and constraint
-- names; only the column types differ: INTEGER/BLOB here, BIGINT/BYTEA there).

-- When true, a password alone never finishes sign-in: a passkey must confirm it.
ALTER TABLE accounts ADD COLUMN require_second_factor BOOLEAN NOT NULL DEFAULT FALSE;

-- One row per registered credential. `passkey` is webauthn-rs's Passkey as JSON (public key,
-- counter, flags); the flag and counter columns repeat what it says, for display and queries.
CREATE TABLE passkeys (
    credential_id   BLOB    NOT NULL,
    account_id      TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    passkey         TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER,
    backup_eligible BOOLEAN NOT NULL DEFAULT FALSE,
    backup_state    BOOLEAN NOT NULL DEFAULT FALSE,
    sign_count      INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT passkeys_pkey PRIMARY KEY (credential_id),
    CONSTRAINT passkeys_account_id_fkey FOREIGN KEY (account_id)
        REFERENCES accounts (id) ON DELETE CASCADE
);
CREATE INDEX passkeys_account_id_idx ON passkeys (account_id);

-- A registration or authentication in progress: webauthn-rs's state as JSON, found by the
-- SHA-256 of the id handed to the browser, bound to that browser (`binding_hash`), single use.
CREATE TABLE webauthn_ceremonies (
    id_hash      BLOB    NOT NULL,
    kind         TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    account_id   TEXT,
    binding_hash BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    CONSTRAINT webauthn_ceremonies_pkey PRIMARY KEY (id_hash),
    CONSTRAINT webauthn_ceremonies_account_id_fkey FOREIGN KEY (account_id)
        REFERENCES accounts (id) ON DELETE CASCADE
);
CREATE INDEX webauthn_ceremonies_expires_at_idx ON webauthn_ceremonies (expires_at);
