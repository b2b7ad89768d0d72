//! The stores a sign-in goes through, on SQLite called directly (`direct`): accounts,
//! sessions, pending requests, consents, client-assertion replay and the failure throttle.
//! Same statements as PostgreSQL (`store::sql::queries`).

use async_trait::async_trait;

use super::SqliteStore;
use super::direct::{Column, FromRow, Statements as _, from_columns};
use crate::clock::UnixTime;
use crate::store::sql::*;
use crate::store::*;

from_columns! {
    Account {
        id, username, email, email_verified, phone, phone_verified, pinfl, given_name,
        family_name, middle_name, birthdate, password_hash, locale, disabled, created_at,
        updated_at,
    }
    Session { id_hash, account_id, auth_time, amr, acr, created_at, expires_at, second_factor_required }
    PendingAuthRequest { id_hash, params, created_at, expires_at }
    ThrottleRecord { key, failures, last_failure, locked_until }
}

/// A row of `SELECT_SIGN_IN_READS`.
struct SignInRow {
    account: Option<Account>,
    throttle: Option<ThrottleRecord>,
}

impl FromRow for SignInRow {
    fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        let account = match row.get::<_, Option<String>>("id")? {
            Some(_) => Some(Account::from_row(row)?),
            None => None,
        };
        let throttle = match row.get::<_, Option<String>>("key")? {
            Some(_) => Some(ThrottleRecord::from_row(row)?),
            None => None,
        };
        Ok(Self { account, throttle })
    }
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn create_account(&self, account: &Account) -> StoreResult<()> {
        let a = account;
        self.direct
            .write(|db| {
                db.run(
                    INSERT_ACCOUNT,
                    &[
                        &a.id,
                        &a.username,
                        &a.email,
                        &a.email_verified,
                        &a.phone,
                        &a.phone_verified,
                        &a.pinfl,
                        &a.given_name,
                        &a.family_name,
                        &a.middle_name,
                        &a.birthdate,
                        &a.password_hash,
                        &a.locale,
                        &a.disabled,
                        &a.created_at,
                        &a.updated_at,
                    ],
                )
            })
            .await
            .map_err(sqlite_write_error)?;
        Ok(())
    }

    async fn account(&self, id: &str) -> StoreResult<Option<Account>> {
        Ok(self
            .direct
            .read(|db| db.fetch_optional(SELECT_ACCOUNT_BY_ID, &[&id]))?)
    }

    async fn account_by_login(&self, login: &str) -> StoreResult<Option<Account>> {
        Ok(self
            .direct
            .read(|db| db.fetch_optional(SELECT_ACCOUNT_BY_LOGIN, &[&login]))?)
    }

    async fn sign_in_reads(
        &self,
        login: &str,
        throttle_keys: [&str; 2],
    ) -> StoreResult<SignInReads> {
        let [first, second] = throttle_keys;
        let rows: Vec<SignInRow> = self
            .direct
            .read(|db| db.fetch_all(SELECT_SIGN_IN_READS, &[&login, &first, &second]))?;
        Ok(SignInReads::from_rows(
            rows.into_iter().map(|row| (row.account, row.throttle)),
        ))
    }

    /// Does nothing when no account has this id.
    async fn set_password_hash(&self, id: &str, hash: &str, now: UnixTime) -> StoreResult<()> {
        self.direct
            .write(|db| db.run(UPDATE_PASSWORD_HASH, &[&id, &hash, &now]))
            .await?;
        Ok(())
    }

    async fn count_accounts(&self) -> StoreResult<i64> {
        let count: Option<Column<i64>> = self
            .direct
            .read(|db| db.fetch_optional(COUNT_ACCOUNTS, &[]))?;
        Ok(count.map_or(0, |Column(n)| n))
    }
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn create_session(&self, session: &Session) -> StoreResult<bool> {
        let s = session;
        let second_factor: Option<Column<bool>> = self
            .direct
            .write(|db| {
                db.fetch_optional(
                    INSERT_SESSION,
                    &[
                        &s.id_hash,
                        &s.account_id,
                        &s.auth_time,
                        &s.amr,
                        &s.acr,
                        &s.created_at,
                        &s.expires_at,
                    ],
                )
            })
            .await
            .map_err(sqlite_write_error)?;
        Ok(second_factor.is_some_and(|Column(required)| required))
    }

    async fn session(&self, id_hash: &[u8], now: UnixTime) -> StoreResult<Option<Session>> {
        Ok(self
            .direct
            .read(|db| db.fetch_optional(SELECT_LIVE_SESSION, &[&id_hash, &now]))?)
    }

    async fn delete_session(&self, id_hash: &[u8]) -> StoreResult<()> {
        self.direct
            .write(|db| db.run(DELETE_SESSION, &[&id_hash]))
            .await?;
        Ok(())
    }
}

#[async_trait]
impl AuthRequestStore for SqliteStore {
    async fn put_auth_request(&self, request: &PendingAuthRequest) -> StoreResult<()> {
        let r = request;
        self.direct
            .write(|db| {
                db.run(
                    INSERT_AUTH_REQUEST,
                    &[&r.id_hash, &r.params, &r.created_at, &r.expires_at],
                )
            })
            .await
            .map_err(sqlite_write_error)?;
        Ok(())
    }

    async fn auth_request(
        &self,
        id_hash: &[u8],
        now: UnixTime,
    ) -> StoreResult<Option<PendingAuthRequest>> {
        Ok(self
            .direct
            .read(|db| db.fetch_optional(SELECT_LIVE_AUTH_REQUEST, &[&id_hash, &now]))?)
    }

    async fn take_auth_request(&self, id_hash: &[u8]) -> StoreResult<bool> {
        let deleted = self
            .direct
            .write(|db| db.run(DELETE_AUTH_REQUEST, &[&id_hash]))
            .await?;
        Ok(deleted > 0)
    }
}

#[async_trait]
impl ConsentStore for SqliteStore {
    async fn consent(&self, account_id: &str, client_id: &str) -> StoreResult<Option<String>> {
        let scope: Option<Column<String>> = self
            .direct
            .read(|db| db.fetch_optional(SELECT_CONSENT_SCOPE, &[&account_id, &client_id]))?;
        Ok(scope.map(|Column(scope)| scope))
    }
}

#[async_trait]
impl ReplayStore for SqliteStore {
    async fn remember_jti(
        &self,
        client_id: &str,
        jti: &str,
        expires_at: UnixTime,
    ) -> StoreResult<bool> {
        let inserted = self
            .direct
            .write(|db| db.run(INSERT_JTI, &[&client_id, &jti, &expires_at]))
            .await?;
        Ok(inserted == 1)
    }
}

#[async_trait]
impl ThrottleStore for SqliteStore {
    async fn throttles(&self, first: &str, second: &str) -> StoreResult<Vec<ThrottleRecord>> {
        Ok(self
            .direct
            .read(|db| db.fetch_all(SELECT_THROTTLES, &[&first, &second]))?)
    }

    /// The count and the lock are written in one write, so concurrent failures
    /// are all counted and each lock matches its count.
    async fn record_failure(
        &self,
        key: &str,
        now: UnixTime,
        lock_for: fn(i64) -> i64,
    ) -> StoreResult<ThrottleRecord> {
        let record = self
            .direct
            .write(|db| {
                let Column(failures): Column<i64> = db
                    .fetch_optional(COUNT_THROTTLE_FAILURE, &[&key, &now])?
                    .ok_or(rusqlite::Error::QueryReturnedNoRows)?;
                let locked_until = now.saturating_add(lock_for(failures).max(0));
                db.fetch_optional(SET_THROTTLE_LOCK, &[&key, &locked_until])?
                    .ok_or(rusqlite::Error::QueryReturnedNoRows)
            })
            .await?;
        Ok(record)
    }

    async fn clear_failures(&self, key: &str) -> StoreResult<()> {
        self.direct
            .write(|db| db.run(DELETE_THROTTLE, &[&key]))
            .await?;
        Ok(())
    }
}
