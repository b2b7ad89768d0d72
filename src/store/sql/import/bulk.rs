//! The per-backend halves of `ImportStore`: looking up a chunk in two queries per
//! [`KEYS_PER_LOOKUP`] keys and writing it in one transaction together with the run's
//! progress marker.
//!
//! SQLite takes IN-lists as one JSON array bind (`json_each`) and rows as multi-row `VALUES`
//! (at most [`SQLITE_ROWS_PER_STATEMENT`] rows, well under its 32 766 bound parameters);
//! PostgreSQL takes one array per column (`= ANY($n)`, `UNNEST`, at most
//! [`PG_ROWS_PER_STATEMENT`] rows per statement).

use sqlx::{Connection as _, QueryBuilder, Sqlite};

use super::UPDATE_IMPORT_MARKER;
use crate::store::sql::write_error;
use crate::store::{
    Account, ChunkKeys, ChunkLookup, ImportMarker, LegacyAccountRow, PgStore, PreviousChunk,
    SqliteStore, StoreError, StoreResult,
};

/// SQLite's page cache for the connection an import runs on, in KiB (negative `cache_size`):
/// the unique indexes of a million accounts take a few hundred MiB and are written in random
/// order, so with the default 2 MiB cache every chunk would read and write them from disk and
/// the import would slow down as it grows. Set per connection: on the reader that looks a
/// chunk up and on the writer that commits it.
const SQLITE_IMPORT_CACHE: &str = "PRAGMA cache_size = -524288";

/// Rows per multi-row INSERT on SQLite: 17 columns × 1 000 rows stays under its parameter bound.
const SQLITE_ROWS_PER_STATEMENT: usize = 1_000;

/// Rows per `UNNEST` insert on PostgreSQL. A whole 200 000-record chunk in one statement took
/// up to 1.8 s, over sqlx's 1 s slow-statement warning, which was then printed for every
/// chunk of a run; a 50 000-row insert still passed 1 s once three million accounts were
/// indexed.
const PG_ROWS_PER_STATEMENT: usize = 10_000;

/// Keys of each kind per lookup statement, on either database, for the same warning: with
/// 50 000 keys of each kind PostgreSQL's planning alone passed 1 s at three million accounts
/// (a statement's first executions are planned for their values, key by key).
const KEYS_PER_LOOKUP: usize = 20_000;

/// One lookup statement's share of a chunk's keys: the `n`-th run of at most
/// [`KEYS_PER_LOOKUP`] of each list (empty once a list is used up).
struct KeyBatch<'a> {
    legacy_ids: &'a [String],
    pinfls: &'a [String],
    usernames: &'a [String],
    emails: &'a [String],
    phones: &'a [String],
}

impl<'a> KeyBatch<'a> {
    fn of(keys: &'a ChunkKeys) -> impl Iterator<Item = KeyBatch<'a>> {
        let longest = [
            &keys.legacy_ids,
            &keys.pinfls,
            &keys.usernames,
            &keys.emails,
            &keys.phones,
        ]
        .iter()
        .map(|list| list.len())
        .max()
        .unwrap_or(0);
        let part = |list: &'a [String], n: usize| {
            let start = (n * KEYS_PER_LOOKUP).min(list.len());
            &list[start..(start + KEYS_PER_LOOKUP).min(list.len())]
        };
        (0..longest.div_ceil(KEYS_PER_LOOKUP).max(1)).map(move |n| KeyBatch {
            legacy_ids: part(&keys.legacy_ids, n),
            pinfls: part(&keys.pinfls, n),
            usernames: part(&keys.usernames, n),
            emails: part(&keys.emails, n),
            phones: part(&keys.phones, n),
        })
    }
}

const INSERT_ACCOUNTS_HEAD: &str = "INSERT INTO accounts (id, username, email, email_verified, \
    phone, phone_verified, pinfl, given_name, family_name, middle_name, birthdate, \
    password_hash, locale, disabled, created_at, updated_at, must_reset_password) ";

const INSERT_LEGACY_HEAD: &str = "INSERT INTO legacy_accounts (source, legacy_id, account_id, \
    legacy_status, row_sha256, imported_at) ";

const SQLITE_SELECT_IMPORTED: &str = "SELECT legacy_id, row_sha256 FROM legacy_accounts \
    WHERE source = $1 AND legacy_id IN (SELECT value FROM json_each($2))";

const SQLITE_SELECT_TAKEN: &str = "\
    SELECT 'pinfl', pinfl FROM accounts WHERE pinfl IN (SELECT value FROM json_each($1)) \
    UNION ALL SELECT 'username', username FROM accounts \
        WHERE username IN (SELECT value FROM json_each($2)) \
    UNION ALL SELECT 'email', email FROM accounts WHERE email IN (SELECT value FROM json_each($3)) \
    UNION ALL SELECT 'phone', phone FROM accounts WHERE phone IN (SELECT value FROM json_each($4))";

const PG_SELECT_IMPORTED: &str = "SELECT legacy_id, row_sha256 FROM legacy_accounts \
    WHERE source = $1 AND legacy_id = ANY($2)";

const PG_SELECT_TAKEN: &str = "\
    SELECT 'pinfl', pinfl FROM accounts WHERE pinfl = ANY($1) \
    UNION ALL SELECT 'username', username FROM accounts WHERE username = ANY($2) \
    UNION ALL SELECT 'email', email FROM accounts WHERE email = ANY($3) \
    UNION ALL SELECT 'phone', phone FROM accounts WHERE phone = ANY($4)";

/// Run after a run's first chunk commits. A lookup's plan is cached after a few executions,
/// and one cached while the tables were (nearly) empty scans them whole, comparing each row
/// with every key of the chunk: with 500 000-record chunks a lookup ran for minutes.
/// Fresh statistics invalidate those plans and the next ones use the indexes; autovacuum
/// keeps the statistics current afterwards (it would come too late for the first chunks).
const PG_ANALYZE_IMPORTED: &str = "ANALYZE accounts, legacy_accounts";

const PG_INSERT_ACCOUNTS: &str = "INSERT INTO accounts (id, username, email, email_verified, \
    phone, phone_verified, pinfl, given_name, family_name, middle_name, birthdate, \
    password_hash, locale, disabled, created_at, updated_at, must_reset_password) \
    SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bool[], $5::text[], \
    $6::bool[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], \
    $13::text[], $14::bool[], $15::int8[], $16::int8[], $17::bool[])";

const PG_INSERT_LEGACY: &str = "INSERT INTO legacy_accounts (source, legacy_id, account_id, \
    legacy_status, row_sha256, imported_at) \
    SELECT $1, l, a, s, h, $6 FROM UNNEST($2::text[], $3::text[], $4::text[], $5::bytea[]) \
    AS t(l, a, s, h)";

fn json_list(values: &[String]) -> StoreResult<String> {
    serde_json::to_string(values).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The chunk's rows that become accounts, with their reset flag.
fn accounts_of(rows: &[LegacyAccountRow]) -> Vec<(&Account, bool)> {
    rows.iter()
        .filter_map(|row| row.account.as_ref().map(|a| (a, row.must_reset_password)))
        .collect()
}

impl SqliteStore {
    pub(crate) async fn import_lookup(
        &self,
        source: &str,
        keys: &ChunkKeys,
    ) -> StoreResult<ChunkLookup> {
        let mut connection = self.pool().acquire().await?;
        sqlx::query(SQLITE_IMPORT_CACHE)
            .execute(&mut *connection)
            .await?;
        let (mut imported, mut taken) = (Vec::new(), Vec::new());
        for batch in KeyBatch::of(keys) {
            imported.extend(
                sqlx::query_as(SQLITE_SELECT_IMPORTED)
                    .bind(source)
                    .bind(json_list(batch.legacy_ids)?)
                    .fetch_all(&mut *connection)
                    .await?,
            );
            taken.extend(
                sqlx::query_as(SQLITE_SELECT_TAKEN)
                    .bind(json_list(batch.pinfls)?)
                    .bind(json_list(batch.usernames)?)
                    .bind(json_list(batch.emails)?)
                    .bind(json_list(batch.phones)?)
                    .fetch_all(&mut *connection)
                    .await?,
            );
        }
        Ok(ChunkLookup { imported, taken })
    }

    pub(crate) async fn import_commit(
        &self,
        run_id: &str,
        rows: &[LegacyAccountRow],
        marker: ImportMarker<'_>,
        previous: Option<PreviousChunk>,
    ) -> StoreResult<()> {
        // One writer connection: waiting for the previous chunk while holding it would
        // keep that chunk from ever committing.
        previous_committed(previous).await?;
        let mut writer = self.writer().acquire().await?;
        let mut tx = writer.begin_with(Self::BEGIN_WRITE).await?;
        // The store's writer already leaves checkpoints to its WAL keeper
        // (`store/sqlite/wal.rs`), which restarts the log between chunks.
        sqlx::query(SQLITE_IMPORT_CACHE).execute(&mut *tx).await?;
        let accounts = accounts_of(rows);
        for batch in accounts.chunks(SQLITE_ROWS_PER_STATEMENT) {
            let mut insert = QueryBuilder::<Sqlite>::new(INSERT_ACCOUNTS_HEAD);
            insert.push_values(batch, |mut values, (a, must_reset)| {
                values
                    .push_bind(a.id.as_str())
                    .push_bind(a.username.as_deref())
                    .push_bind(a.email.as_deref())
                    .push_bind(a.email_verified)
                    .push_bind(a.phone.as_deref())
                    .push_bind(a.phone_verified)
                    .push_bind(a.pinfl.as_deref())
                    .push_bind(a.given_name.as_deref())
                    .push_bind(a.family_name.as_deref())
                    .push_bind(a.middle_name.as_deref())
                    .push_bind(a.birthdate.as_deref())
                    .push_bind(a.password_hash.as_deref())
                    .push_bind(a.locale.as_deref())
                    .push_bind(a.disabled)
                    .push_bind(a.created_at)
                    .push_bind(a.updated_at)
                    .push_bind(*must_reset);
            });
            insert
                .build()
                .execute(&mut *tx)
                .await
                .map_err(write_error)?;
        }
        for batch in rows.chunks(SQLITE_ROWS_PER_STATEMENT) {
            let mut insert = QueryBuilder::<Sqlite>::new(INSERT_LEGACY_HEAD);
            insert.push_values(batch, |mut values, row| {
                values
                    .push_bind(row.source.as_str())
                    .push_bind(row.legacy_id.as_str())
                    .push_bind(row.account.as_ref().map(|a| a.id.as_str()))
                    .push_bind(row.legacy_status.as_str())
                    .push_bind(row.row_sha256.as_slice())
                    .push_bind(marker.now);
            });
            insert
                .build()
                .execute(&mut *tx)
                .await
                .map_err(write_error)?;
        }
        move_marker(&mut tx, run_id, marker).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl PgStore {
    pub(crate) async fn import_lookup(
        &self,
        source: &str,
        keys: &ChunkKeys,
    ) -> StoreResult<ChunkLookup> {
        let (mut imported, mut taken) = (Vec::new(), Vec::new());
        for batch in KeyBatch::of(keys) {
            imported.extend(
                sqlx::query_as(PG_SELECT_IMPORTED)
                    .bind(source)
                    .bind(batch.legacy_ids)
                    .fetch_all(self.pool())
                    .await?,
            );
            taken.extend(
                sqlx::query_as(PG_SELECT_TAKEN)
                    .bind(batch.pinfls)
                    .bind(batch.usernames)
                    .bind(batch.emails)
                    .bind(batch.phones)
                    .fetch_all(self.pool())
                    .await?,
            );
        }
        Ok(ChunkLookup { imported, taken })
    }

    pub(crate) async fn import_commit(
        &self,
        run_id: &str,
        rows: &[LegacyAccountRow],
        marker: ImportMarker<'_>,
        previous: Option<PreviousChunk>,
    ) -> StoreResult<()> {
        // The rows are written while the previous chunk commits, on another connection; with
        // a pool of one, that connection could be this one, so the wait comes first then.
        let first_chunk = previous.is_none();
        let mut previous = previous;
        if self.pool().size() < 2 {
            previous_committed(previous.take()).await?;
        }
        let mut connection = self.pool().acquire().await?;
        let mut tx = connection.begin().await?;
        for batch in accounts_of(rows).chunks(PG_ROWS_PER_STATEMENT) {
            pg_insert_accounts(&mut tx, batch).await?;
        }
        for batch in rows.chunks(PG_ROWS_PER_STATEMENT) {
            pg_insert_legacy(&mut tx, batch, marker.now).await?;
        }
        previous_committed(previous).await?;
        move_marker(&mut tx, run_id, marker).await?;
        tx.commit().await?;
        if first_chunk {
            sqlx::query(PG_ANALYZE_IMPORTED)
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }
}

/// One `UNNEST` insert of `accounts` with their reset flags.
async fn pg_insert_accounts(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    accounts: &[(&Account, bool)],
) -> StoreResult<()> {
    let text = |f: fn(&Account) -> &Option<String>| -> Vec<Option<String>> {
        accounts.iter().map(|(a, _)| f(a).clone()).collect()
    };
    let flag =
        |f: fn(&Account) -> bool| -> Vec<bool> { accounts.iter().map(|(a, _)| f(a)).collect() };
    let time = |f: fn(&Account) -> crate::clock::UnixTime| -> Vec<crate::clock::UnixTime> {
        accounts.iter().map(|(a, _)| f(a)).collect()
    };
    sqlx::query(PG_INSERT_ACCOUNTS)
        .bind(
            accounts
                .iter()
                .map(|(a, _)| a.id.clone())
                .collect::<Vec<_>>(),
        )
        .bind(text(|a| &a.username))
        .bind(text(|a| &a.email))
        .bind(flag(|a| a.email_verified))
        .bind(text(|a| &a.phone))
        .bind(flag(|a| a.phone_verified))
        .bind(text(|a| &a.pinfl))
        .bind(text(|a| &a.given_name))
        .bind(text(|a| &a.family_name))
        .bind(text(|a| &a.middle_name))
        .bind(text(|a| &a.birthdate))
        .bind(text(|a| &a.password_hash))
        .bind(text(|a| &a.locale))
        .bind(flag(|a| a.disabled))
        .bind(time(|a| a.created_at))
        .bind(time(|a| a.updated_at))
        .bind(accounts.iter().map(|(_, reset)| *reset).collect::<Vec<_>>())
        .execute(&mut **tx)
        .await
        .map_err(write_error)?;
    Ok(())
}

/// One `UNNEST` insert of `rows`' legacy keys (all of one source).
async fn pg_insert_legacy(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    rows: &[LegacyAccountRow],
    now: crate::clock::UnixTime,
) -> StoreResult<()> {
    let Some(first) = rows.first() else {
        return Ok(());
    };
    sqlx::query(PG_INSERT_LEGACY)
        .bind(first.source.as_str())
        .bind(rows.iter().map(|r| r.legacy_id.clone()).collect::<Vec<_>>())
        .bind(
            rows.iter()
                .map(|r| r.account.as_ref().map(|a| a.id.clone()))
                .collect::<Vec<_>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.legacy_status.clone())
                .collect::<Vec<_>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.row_sha256.clone())
                .collect::<Vec<_>>(),
        )
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(write_error)?;
    Ok(())
}

/// Waits for the previous chunk of the run (if any) to commit.
async fn previous_committed(previous: Option<PreviousChunk>) -> StoreResult<()> {
    match previous {
        Some(previous) => previous
            .await
            .map_err(|_| StoreError::NotCommitted("the previous chunk of this run failed")),
        None => Ok(()),
    }
}

/// Moves the run's progress marker inside the chunk's transaction.
async fn move_marker<DB>(
    tx: &mut sqlx::Transaction<'_, DB>,
    run_id: &str,
    marker: ImportMarker<'_>,
) -> StoreResult<()>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    sqlx::query(UPDATE_IMPORT_MARKER)
        .bind(run_id)
        .bind(marker.last_record)
        .bind(marker.counts)
        .bind(marker.now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(prefix: &str, n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{prefix}{i}")).collect()
    }

    #[test]
    fn key_batches_cover_every_key_once() {
        let keys = ChunkKeys {
            legacy_ids: numbered("L", 2 * KEYS_PER_LOOKUP + 1),
            pinfls: numbered("P", 3),
            usernames: Vec::new(),
            emails: numbered("E", KEYS_PER_LOOKUP + 1),
            phones: Vec::new(),
        };
        let batches: Vec<KeyBatch<'_>> = KeyBatch::of(&keys).collect();
        assert_eq!(batches.len(), 3);
        let joined = |pick: for<'b> fn(&'b KeyBatch<'_>) -> &'b [String]| -> Vec<String> {
            batches.iter().flat_map(|b| pick(b).to_vec()).collect()
        };
        assert_eq!(joined(|b| b.legacy_ids), keys.legacy_ids);
        assert_eq!(joined(|b| b.pinfls), keys.pinfls);
        assert_eq!(joined(|b| b.emails), keys.emails);
        assert!(
            batches
                .iter()
                .all(|b| b.legacy_ids.len() <= KEYS_PER_LOOKUP)
        );
        assert_eq!(KeyBatch::of(&ChunkKeys::default()).count(), 1);
    }
}
