//! Storage for the legacy account import (`crate::import`) and for the password changes it
//! leads to: bulk chunk writes with a resumable progress marker, per-chunk lookups, and
//! compare-and-set password updates.

use async_trait::async_trait;

use super::{Account, StoreResult};
use crate::clock::UnixTime;

/// One legacy row to record in a chunk: the account it becomes (`None` when an operator chose to
/// skip the row), keyed by `(source, legacy_id)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyAccountRow {
    pub source: String,
    pub legacy_id: String,
    pub account: Option<Account>,
    /// The legacy scheme could not be verified: the account has no password until reset.
    pub must_reset_password: bool,
    /// `active`, `blocked` or `deleted`, as the old system had it.
    pub legacy_status: String,
    /// SHA-256 of the row's normalised content.
    pub row_sha256: Vec<u8>,
}

/// One run of the import over one file.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ImportRun {
    pub id: String,
    pub source: String,
    pub file_sha256: Vec<u8>,
    /// `running` until the last chunk is committed, then `finished`.
    pub status: String,
    /// The 1-based data record number up to which every chunk is committed.
    pub last_committed_record: i64,
    /// JSON of the outcome totals committed so far.
    pub counts: String,
    pub started_at: UnixTime,
    pub updated_at: UnixTime,
}

/// Where a committed chunk leaves its run: the last record it covers, the totals so far (JSON)
/// and when.
#[derive(Debug, Clone, Copy)]
pub struct ImportMarker<'a> {
    pub last_record: i64,
    pub counts: &'a str,
    pub now: UnixTime,
}

/// What the database already holds for one chunk's rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChunkLookup {
    /// `(legacy_id, row_sha256)` of the chunk's rows already imported from the same source.
    pub imported: Vec<(String, Vec<u8>)>,
    /// `(field, value)` for every PINFL, username, email or phone of the chunk that an account
    /// already uses; `field` is `pinfl`, `username`, `email` or `phone`.
    pub taken: Vec<(String, String)>,
}

/// The identifiers of one chunk, looked up together in [`ImportStore::lookup_chunk`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChunkKeys {
    pub legacy_ids: Vec<String>,
    pub pinfls: Vec<String>,
    pub usernames: Vec<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
}

/// Resolves when the previous chunk of the same run has committed, and fails when that chunk
/// failed: a chunk's progress marker may only move after every earlier chunk is committed.
pub type PreviousChunk = tokio::sync::oneshot::Receiver<()>;

#[async_trait]
pub trait ImportStore {
    /// What the database already has for a chunk (two queries per 20 000 keys of each kind).
    async fn lookup_chunk(&self, source: &str, keys: &ChunkKeys) -> StoreResult<ChunkLookup>;
    /// The run of this file from this source that did not finish, if any (the newest).
    async fn unfinished_import_run(
        &self,
        source: &str,
        file_sha256: &[u8],
    ) -> StoreResult<Option<ImportRun>>;
    async fn start_import_run(&self, run: &ImportRun) -> StoreResult<()>;
    /// Inserts a chunk's accounts and legacy keys and moves the run's marker to `last_record`
    /// with the new `counts`, in one transaction: all of it is committed, or none. With
    /// `previous`, the marker moves (and the transaction commits) only once the previous chunk
    /// has committed, and nothing is committed if it failed; the rows may be written meanwhile,
    /// so two chunks of one run can be in flight (their rows never collide: the import's
    /// checking pass settled every duplicate within the file).
    async fn commit_import_chunk(
        &self,
        run_id: &str,
        rows: &[LegacyAccountRow],
        marker: ImportMarker<'_>,
        previous: Option<PreviousChunk>,
    ) -> StoreResult<()>;
    /// Marks the run finished with its final counts.
    async fn finish_import_run(&self, run_id: &str, counts: &str, now: UnixTime)
    -> StoreResult<()>;
    /// Replaces the password hash only while it is still `old` (a sign-in's rehash must not
    /// undo a password change that happened meanwhile). Returns whether it was replaced.
    async fn replace_password_hash(
        &self,
        id: &str,
        old: &str,
        new: &str,
        now: UnixTime,
    ) -> StoreResult<bool>;
    /// Sets a password chosen by an administrator and clears `must_reset_password`. Returns
    /// false when no account has this id.
    async fn reset_password(&self, id: &str, hash: &str, now: UnixTime) -> StoreResult<bool>;
    /// Every legacy id imported from `source` with its account id (`None` when skipped), by
    /// legacy id: what relying parties need to map their old user ids to `sub`.
    async fn legacy_accounts(&self, source: &str) -> StoreResult<Vec<(String, Option<String>)>>;
    /// Whether the account was imported without a usable password and still has none.
    async fn must_reset_password(&self, id: &str) -> StoreResult<bool>;
}
