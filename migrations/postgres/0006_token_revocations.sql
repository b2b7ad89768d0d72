-- Self-contained access tokens (issue 6): an access token is an ES256 JWT (RFC 9068) that our
-- own endpoints verify once and then find in a cache, so no row is written per token. What a
-- JWT cannot carry is its revocation: it is recorded here, by the token's `jti` or by the grant
-- that issued it, and every provider node keeps the live revocations in memory (reloaded at
-- start-up, synchronised every few seconds). A row is useless once `expires_at` is past: no
-- access token it covers can still be alive.
-- Lockstep twin: migrations/sqlite/0006_token_revocations.sql.

DROP TABLE access_tokens;

CREATE TABLE token_revocations (
    kind       TEXT    NOT NULL,  -- 'access_token' (id = jti) or 'grant' (id = grant id)
    id         TEXT    NOT NULL,
    revoked_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    CONSTRAINT token_revocations_pkey PRIMARY KEY (kind, id),
    CONSTRAINT token_revocations_kind_check CHECK (kind IN ('access_token', 'grant'))
);
CREATE INDEX token_revocations_revoked_at_idx ON token_revocations (revoked_at);
CREATE INDEX token_revocations_expires_at_idx ON token_revocations (expires_at);
