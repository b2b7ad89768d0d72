-- Refresh token rotation in one statement (issue 6): the successor row names the token it
-- replaces in `parent_hash`, and the unique index admits one successor per token, so a second
-- rotation of the same token fails (reuse) without a separate "mark used" write. A token with a
-- successor is used; `used` stays for tokens rotated before this migration.
-- Lockstep twin: migrations/postgres/0007_refresh_successors.sql.

ALTER TABLE refresh_tokens ADD COLUMN parent_hash BLOB;
CREATE UNIQUE INDEX refresh_tokens_parent_hash_key ON refresh_tokens (parent_hash);
