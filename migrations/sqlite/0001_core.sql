-- Core schema of Yagona ID, SQLite flavour.
-- Lockstep twin: migrations/postgres/0001_core.sql (same tables, columns and constraint names;
-- only the column types differ: INTEGER/BLOB here, BIGINT/BYTEA there).
-- Times are Unix seconds. Secrets (codes, tokens, session ids, request handles) are stored only
-- as their SHA-256 digest.

CREATE TABLE accounts (
    id             TEXT    NOT NULL,
    username       TEXT,
    email          TEXT,
    email_verified BOOLEAN NOT NULL DEFAULT FALSE,
    phone          TEXT,
    phone_verified BOOLEAN NOT NULL DEFAULT FALSE,
    pinfl          TEXT,
    given_name     TEXT,
    family_name    TEXT,
    middle_name    TEXT,
    birthdate      TEXT,
    password_hash  TEXT,
    locale         TEXT,
    disabled       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    CONSTRAINT accounts_pkey PRIMARY KEY (id),
    CONSTRAINT accounts_username_key UNIQUE (username),
    CONSTRAINT accounts_email_key UNIQUE (email),
    CONSTRAINT accounts_phone_key UNIQUE (phone),
    CONSTRAINT accounts_pinfl_key UNIQUE (pinfl)
);

CREATE TABLE sessions (
    id_hash    BLOB    NOT NULL,
    account_id TEXT    NOT NULL,
    auth_time  INTEGER NOT NULL,
    amr        TEXT    NOT NULL,
    acr        TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    CONSTRAINT sessions_pkey PRIMARY KEY (id_hash),
    CONSTRAINT sessions_account_id_fkey FOREIGN KEY (account_id)
        REFERENCES accounts (id) ON DELETE CASCADE
);
CREATE INDEX sessions_account_id_idx ON sessions (account_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

CREATE TABLE auth_requests (
    id_hash    BLOB    NOT NULL,
    params     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    CONSTRAINT auth_requests_pkey PRIMARY KEY (id_hash)
);
CREATE INDEX auth_requests_expires_at_idx ON auth_requests (expires_at);

CREATE TABLE consents (
    account_id TEXT    NOT NULL,
    client_id  TEXT    NOT NULL,
    scope      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT consents_pkey PRIMARY KEY (account_id, client_id),
    CONSTRAINT consents_account_id_fkey FOREIGN KEY (account_id)
        REFERENCES accounts (id) ON DELETE CASCADE
);

CREATE TABLE grants (
    id              TEXT    NOT NULL,
    client_id       TEXT    NOT NULL,
    account_id      TEXT    NOT NULL,
    scope           TEXT    NOT NULL,
    auth_time       INTEGER NOT NULL,
    amr             TEXT    NOT NULL,
    acr             TEXT    NOT NULL,
    session_id_hash BLOB,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    revoked         BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT grants_pkey PRIMARY KEY (id),
    CONSTRAINT grants_account_id_fkey FOREIGN KEY (account_id)
        REFERENCES accounts (id) ON DELETE CASCADE
);
CREATE INDEX grants_account_id_idx ON grants (account_id);
CREATE INDEX grants_session_id_hash_idx ON grants (session_id_hash);
CREATE INDEX grants_expires_at_idx ON grants (expires_at);

CREATE TABLE authorization_codes (
    code_hash      BLOB    NOT NULL,
    grant_id       TEXT    NOT NULL,
    client_id      TEXT    NOT NULL,
    redirect_uri   TEXT    NOT NULL,
    nonce          TEXT,
    code_challenge TEXT,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    used           BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT authorization_codes_pkey PRIMARY KEY (code_hash),
    CONSTRAINT authorization_codes_grant_id_fkey FOREIGN KEY (grant_id)
        REFERENCES grants (id) ON DELETE CASCADE
);
CREATE INDEX authorization_codes_grant_id_idx ON authorization_codes (grant_id);
CREATE INDEX authorization_codes_expires_at_idx ON authorization_codes (expires_at);

CREATE TABLE refresh_tokens (
    token_hash BLOB    NOT NULL,
    grant_id   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used       BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT refresh_tokens_pkey PRIMARY KEY (token_hash),
    CONSTRAINT refresh_tokens_grant_id_fkey FOREIGN KEY (grant_id)
        REFERENCES grants (id) ON DELETE CASCADE
);
CREATE INDEX refresh_tokens_grant_id_idx ON refresh_tokens (grant_id);
CREATE INDEX refresh_tokens_expires_at_idx ON refresh_tokens (expires_at);

-- grant_id and account_id are NULL for client_credentials tokens.
CREATE TABLE access_tokens (
    token_hash BLOB    NOT NULL,
    jti        TEXT    NOT NULL,
    client_id  TEXT    NOT NULL,
    grant_id   TEXT,
    account_id TEXT,
    scope      TEXT    NOT NULL,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked    BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT access_tokens_pkey PRIMARY KEY (token_hash),
    CONSTRAINT access_tokens_grant_id_fkey FOREIGN KEY (grant_id)
        REFERENCES grants (id) ON DELETE CASCADE,
    CONSTRAINT access_tokens_account_id_fkey FOREIGN KEY (account_id)
        REFERENCES accounts (id) ON DELETE CASCADE
);
CREATE INDEX access_tokens_grant_id_idx ON access_tokens (grant_id);
CREATE INDEX access_tokens_account_id_idx ON access_tokens (account_id);
CREATE INDEX access_tokens_expires_at_idx ON access_tokens (expires_at);

-- RFC 7523 section 3: a private_key_jwt / client_secret_jwt assertion's jti is single use.
CREATE TABLE client_assertion_jtis (
    client_id  TEXT    NOT NULL,
    jti        TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    CONSTRAINT client_assertion_jtis_pkey PRIMARY KEY (client_id, jti)
);
CREATE INDEX client_assertion_jtis_expires_at_idx ON client_assertion_jtis (expires_at);

-- Failed sign-in attempts per throttle key (`login:<account id>` or `ip:<address>`).
CREATE TABLE login_throttle (
    key          TEXT    NOT NULL,
    failures     INTEGER NOT NULL,
    last_failure INTEGER NOT NULL,
    locked_until INTEGER NOT NULL,
    CONSTRAINT login_throttle_pkey PRIMARY KEY (key)
);
