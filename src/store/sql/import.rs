//! `ImportStore` for both backends. The run bookkeeping and password updates are the same SQL
//! on both (expanded by [`impl_import_store!`]); the bulk parts — one lookup per chunk and one
//! transaction per chunk — differ per backend and live in [`bulk`]: multi-row `VALUES` and
//! `json_each` IN-lists on SQLite, `UNNEST` and `= ANY` over array binds on PostgreSQL.

mod bulk;

pub(crate) const SELECT_UNFINISHED_IMPORT_RUN: &str = "SELECT id, source, file_sha256, status, \
    last_committed_record, counts, started_at, updated_at FROM import_runs \
    WHERE source = $1 AND file_sha256 = $2 AND status = 'running' \
    ORDER BY started_at DESC, id LIMIT 1";

pub(crate) const INSERT_IMPORT_RUN: &str = "INSERT INTO import_runs (id, source, file_sha256, \
    status, last_committed_record, counts, started_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// Runs inside each chunk's transaction.
pub(crate) const UPDATE_IMPORT_MARKER: &str = "UPDATE import_runs \
    SET last_committed_record = $2, counts = $3, updated_at = $4 WHERE id = $1";

pub(crate) const FINISH_IMPORT_RUN: &str = "UPDATE import_runs \
    SET status = 'finished', counts = $2, updated_at = $3 WHERE id = $1";

/// The compare-and-set of a sign-in's rehash.
pub(crate) const REPLACE_PASSWORD_HASH: &str = "UPDATE accounts \
    SET password_hash = $3, updated_at = $4 WHERE id = $1 AND password_hash = $2";

pub(crate) const RESET_PASSWORD: &str = "UPDATE accounts \
    SET password_hash = $2, must_reset_password = FALSE, updated_at = $3 WHERE id = $1";

pub(crate) const SELECT_LEGACY_ACCOUNTS: &str =
    "SELECT legacy_id, account_id FROM legacy_accounts WHERE source = $1 ORDER BY legacy_id";

pub(crate) const SELECT_MUST_RESET_PASSWORD: &str =
    "SELECT must_reset_password FROM accounts WHERE id = $1";

/// Implements `ImportStore` for a store type whose backend module in [`bulk`] provides the
/// inherent methods `import_lookup` and `import_commit`.
macro_rules! impl_import_store {
    ($store:ty) => {
        const _: () = {
            use async_trait::async_trait;

            use $crate::clock::UnixTime;
            use $crate::store::sql::import::*;
            use $crate::store::*;

            #[async_trait]
            impl ImportStore for $store {
                async fn lookup_chunk(
                    &self,
                    source: &str,
                    keys: &ChunkKeys,
                ) -> StoreResult<ChunkLookup> {
                    self.import_lookup(source, keys).await
                }

                async fn unfinished_import_run(
                    &self,
                    source: &str,
                    file_sha256: &[u8],
                ) -> StoreResult<Option<ImportRun>> {
                    Ok(sqlx::query_as(SELECT_UNFINISHED_IMPORT_RUN)
                        .bind(source)
                        .bind(file_sha256)
                        .fetch_optional(&self.pool)
                        .await?)
                }

                async fn start_import_run(&self, run: &ImportRun) -> StoreResult<()> {
                    sqlx::query(INSERT_IMPORT_RUN)
                        .bind(&run.id)
                        .bind(&run.source)
                        .bind(&run.file_sha256)
                        .bind(&run.status)
                        .bind(run.last_committed_record)
                        .bind(&run.counts)
                        .bind(run.started_at)
                        .bind(run.updated_at)
                        .execute(self.writer())
                        .await
                        .map_err($crate::store::sql::write_error)?;
                    Ok(())
                }

                async fn commit_import_chunk(
                    &self,
                    run_id: &str,
                    rows: &[LegacyAccountRow],
                    marker: ImportMarker<'_>,
                    previous: Option<PreviousChunk>,
                ) -> StoreResult<()> {
                    self.import_commit(run_id, rows, marker, previous).await
                }

                async fn finish_import_run(
                    &self,
                    run_id: &str,
                    counts: &str,
                    now: UnixTime,
                ) -> StoreResult<()> {
                    sqlx::query(FINISH_IMPORT_RUN)
                        .bind(run_id)
                        .bind(counts)
                        .bind(now)
                        .execute(self.writer())
                        .await?;
                    Ok(())
                }

                async fn replace_password_hash(
                    &self,
                    id: &str,
                    old: &str,
                    new: &str,
                    now: UnixTime,
                ) -> StoreResult<bool> {
                    let done = sqlx::query(REPLACE_PASSWORD_HASH)
                        .bind(id)
                        .bind(old)
                        .bind(new)
                        .bind(now)
                        .execute(self.writer())
                        .await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn reset_password(
                    &self,
                    id: &str,
                    hash: &str,
                    now: UnixTime,
                ) -> StoreResult<bool> {
                    let done = sqlx::query(RESET_PASSWORD)
                        .bind(id)
                        .bind(hash)
                        .bind(now)
                        .execute(self.writer())
                        .await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn legacy_accounts(
                    &self,
                    source: &str,
                ) -> StoreResult<Vec<(String, Option<String>)>> {
                    Ok(sqlx::query_as(SELECT_LEGACY_ACCOUNTS)
                        .bind(source)
                        .fetch_all(&self.pool)
                        .await?)
                }

                async fn must_reset_password(&self, id: &str) -> StoreResult<bool> {
                    let flag: Option<bool> = sqlx::query_scalar(SELECT_MUST_RESET_PASSWORD)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                    Ok(flag.unwrap_or(false))
                }
            }
        };
    };
}

pub(crate) use impl_import_store;
