-- Grants are no longer looked up by the browser session they were made in (issue 6): logout
-- ends the session only (SECURITY.md "What logout ends"), so nothing reads this index, and it
-- cost every new grant an entry at a random place. `session_id_hash` stays as a record.
-- Lockstep twin: migrations/sqlite/0008_grants_session_index.sql.

DROP INDEX IF EXISTS grants_session_id_hash_idx;
