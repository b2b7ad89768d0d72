-- Legacy account import (`yagona import`, docs/import.md), PostgreSQL flavour.
-- Lockstep twin: migrations/sqlite/0004_import.sql (same tables, columns and constraint names;
-- only the column types differ: BIGINT/BYTEA here, INTEGER/BLOB there).

-- Set for an imported account whose legacy password scheme cannot be verified: it has no
-- password until an administrator sets one (`yagona users set-password`), which clears it.
ALTER TABLE accounts ADD COLUMN must_reset_password BOOLEAN NOT NULL DEFAULT FALSE;

-- Every legacy row ever imported, keyed by where it came from: re-running a file finds its rows
-- here and changes nothing. `account_id` is NULL for a row an operator chose to skip (conflict
-- resolution), which still keeps the legacy id from being imported again. `row_sha256` is the
-- SHA-256 of the row's normalised content, to tell an unchanged row from a changed one.
CREATE TABLE legacy_accounts (
    source        TEXT    NOT NULL,
    legacy_id     TEXT    NOT NULL,
    account_id    TEXT,
    legacy_status TEXT    NOT NULL,
    row_sha256    BYTEA   NOT NULL,
    imported_at   BIGINT  NOT NULL,
    CONSTRAINT legacy_accounts_pkey PRIMARY KEY (source, legacy_id),
    CONSTRAINT legacy_accounts_account_id_fkey FOREIGN KEY (account_id)
        REFERENCES accounts (id) ON DELETE SET NULL
);
CREATE INDEX legacy_accounts_account_id_idx ON legacy_accounts (account_id);

-- One run of `yagona import` over one file. `last_committed_record` moves in the same
-- transaction as each chunk's rows, so a run killed at any moment resumes right after it.
-- `counts` is the JSON of the outcome totals committed so far.
CREATE TABLE import_runs (
    id                    TEXT    NOT NULL,
    source                TEXT    NOT NULL,
    file_sha256           BYTEA   NOT NULL,
    status                TEXT    NOT NULL,
    last_committed_record BIGINT  NOT NULL,
    counts                TEXT    NOT NULL,
    started_at            BIGINT  NOT NULL,
    updated_at            BIGINT  NOT NULL,
    CONSTRAINT import_runs_pkey PRIMARY KEY (id)
);
CREATE INDEX import_runs_source_file_idx ON import_runs (source, file_sha256);
