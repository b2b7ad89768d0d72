-- E-signature sign-in (postgres flavour). Lockstep twin in the other migrations folder: same tables,
-- columns and constraint names; only INTEGER/BLOB (SQLite) vs BIGINT/BYTEA (PostgreSQL) differ.

-- Challenges waiting to be signed, found by SHA-256 of the challenge, single use.
CREATE TABLE esign_challenges (
    challenge_hash BYTEA NOT NULL,
    binding_hash   BYTEA NOT NULL,
    request_hash   BYTEA NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    CONSTRAINT esign_challenges_pkey PRIMARY KEY (challenge_hash)
);
CREATE INDEX esign_challenges_expires_at_idx ON esign_challenges (expires_at);

-- Every attempt, successful or not, with the precise reason support staff need.
CREATE TABLE esign_attempts (
    id                 TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    outcome            TEXT NOT NULL,
    status             BIGINT NOT NULL,
    issuer_dn          TEXT,
    serial             TEXT,
    certificate_sha256 TEXT,
    pinfl_hash         TEXT,
    account_id         TEXT,
    client_address     TEXT,
    CONSTRAINT esign_attempts_pkey PRIMARY KEY (id)
);
CREATE INDEX esign_attempts_created_at_idx ON esign_attempts (created_at);

-- How an account's identity was verified (first method wins), e.g. 'esign'.
CREATE TABLE account_verifications (
    account_id  TEXT NOT NULL,
    method      TEXT NOT NULL,
    verified_at BIGINT NOT NULL,
    CONSTRAINT account_verifications_pkey PRIMARY KEY (account_id),
    CONSTRAINT account_verifications_account_id_fkey FOREIGN KEY (account_id)
        REFERENCES accounts (id) ON DELETE CASCADE
);

-- The organisation a citizen acts for after signing with a company certificate: per session,
-- and copied to each grant issued from that session.
CREATE TABLE session_organizations (
    session_id_hash BYTEA NOT NULL,
    tin             TEXT NOT NULL,
    name            TEXT,
    expires_at      BIGINT NOT NULL,
    CONSTRAINT session_organizations_pkey PRIMARY KEY (session_id_hash)
);
CREATE INDEX session_organizations_expires_at_idx ON session_organizations (expires_at);

CREATE TABLE grant_organizations (
    grant_id TEXT NOT NULL,
    tin      TEXT NOT NULL,
    name     TEXT,
    CONSTRAINT grant_organizations_pkey PRIMARY KEY (grant_id),
    CONSTRAINT grant_organizations_grant_id_fkey FOREIGN KEY (grant_id)
        REFERENCES grants (id) ON DELETE CASCADE
);
