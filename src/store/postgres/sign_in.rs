//! The stores a sign-in goes through (accounts, sessions, pending requests, consents,
//! client-assertion replay, the failure throttle) on PostgreSQL. SQLite runs the same
//! statements (`store::sql::queries`) on the request's thread (`store::sqlite::sign_in`).

use async_trait::async_trait;
use sqlx::Connection as _;

use super::PgStore;
use crate::clock::UnixTime;
use crate::store::sql::*;
use crate::store::*;

#[async_trait]
impl AccountStore for PgStore {
    async fn create_account(&self, account: &Account) -> StoreResult<()> {
        sqlx::query(INSERT_ACCOUNT)
            .bind(&account.id)
            .bind(&account.username)
            .bind(&account.email)
            .bind(account.email_verified)
            .bind(&account.phone)
            .bind(account.phone_verified)
            .bind(&account.pinfl)
            .bind(&account.given_name)
            .bind(&account.family_name)
            .bind(&account.middle_name)
            .bind(&account.birthdate)
            .bind(&account.password_hash)
            .bind(&account.locale)
            .bind(account.disabled)
            .bind(account.created_at)
            .bind(account.updated_at)
            .execute(self.writer())
            .await
            .map_err(write_error)?;
        Ok(())
    }

    async fn account(&self, id: &str) -> StoreResult<Option<Account>> {
        Ok(sqlx::query_as(SELECT_ACCOUNT_BY_ID)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn account_by_login(&self, login: &str) -> StoreResult<Option<Account>> {
        Ok(sqlx::query_as(SELECT_ACCOUNT_BY_LOGIN)
            .bind(login)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn sign_in_reads(
        &self,
        login: &str,
        throttle_keys: [&str; 2],
    ) -> StoreResult<SignInReads> {
        use sqlx::{FromRow as _, Row as _};
        let rows = sqlx::query(SELECT_SIGN_IN_READS)
            .bind(login)
            .bind(throttle_keys[0])
            .bind(throttle_keys[1])
            .fetch_all(&self.pool)
            .await?;
        let mut gathered = Vec::with_capacity(rows.len());
        for row in &rows {
            let account = match row.try_get::<Option<String>, _>("id")? {
                Some(_) => Some(Account::from_row(row)?),
                None => None,
            };
            let throttle = match row.try_get::<Option<String>, _>("key")? {
                Some(_) => Some(ThrottleRecord::from_row(row)?),
                None => None,
            };
            gathered.push((account, throttle));
        }
        Ok(SignInReads::from_rows(gathered))
    }

    /// Does nothing when no account has this id.
    async fn set_password_hash(&self, id: &str, hash: &str, now: UnixTime) -> StoreResult<()> {
        sqlx::query(UPDATE_PASSWORD_HASH)
            .bind(id)
            .bind(hash)
            .bind(now)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    async fn count_accounts(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(COUNT_ACCOUNTS)
            .fetch_one(&self.pool)
            .await?)
    }
}

#[async_trait]
impl SessionStore for PgStore {
    async fn create_session(&self, session: &Session) -> StoreResult<bool> {
        sqlx::query_scalar(INSERT_SESSION)
            .bind(&session.id_hash)
            .bind(&session.account_id)
            .bind(session.auth_time)
            .bind(&session.amr)
            .bind(&session.acr)
            .bind(session.created_at)
            .bind(session.expires_at)
            .fetch_one(self.writer())
            .await
            .map_err(write_error)
    }

    async fn session(&self, id_hash: &[u8], now: UnixTime) -> StoreResult<Option<Session>> {
        Ok(sqlx::query_as(SELECT_LIVE_SESSION)
            .bind(id_hash)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn delete_session(&self, id_hash: &[u8]) -> StoreResult<()> {
        sqlx::query(DELETE_SESSION)
            .bind(id_hash)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}

#[async_trait]
impl AuthRequestStore for PgStore {
    async fn put_auth_request(&self, request: &PendingAuthRequest) -> StoreResult<()> {
        sqlx::query(INSERT_AUTH_REQUEST)
            .bind(&request.id_hash)
            .bind(&request.params)
            .bind(request.created_at)
            .bind(request.expires_at)
            .execute(self.writer())
            .await
            .map_err(write_error)?;
        Ok(())
    }

    async fn auth_request(
        &self,
        id_hash: &[u8],
        now: UnixTime,
    ) -> StoreResult<Option<PendingAuthRequest>> {
        Ok(sqlx::query_as(SELECT_LIVE_AUTH_REQUEST)
            .bind(id_hash)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn take_auth_request(&self, id_hash: &[u8]) -> StoreResult<bool> {
        let deleted = sqlx::query(DELETE_AUTH_REQUEST)
            .bind(id_hash)
            .execute(self.writer())
            .await?;
        Ok(deleted.rows_affected() > 0)
    }
}

#[async_trait]
impl ConsentStore for PgStore {
    async fn consent(&self, account_id: &str, client_id: &str) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar(SELECT_CONSENT_SCOPE)
            .bind(account_id)
            .bind(client_id)
            .fetch_optional(&self.pool)
            .await?)
    }
}

#[async_trait]
impl ReplayStore for PgStore {
    async fn remember_jti(
        &self,
        client_id: &str,
        jti: &str,
        expires_at: UnixTime,
    ) -> StoreResult<bool> {
        let inserted = sqlx::query(INSERT_JTI)
            .bind(client_id)
            .bind(jti)
            .bind(expires_at)
            .execute(self.writer())
            .await?;
        Ok(inserted.rows_affected() == 1)
    }
}

#[async_trait]
impl ThrottleStore for PgStore {
    async fn throttles(&self, first: &str, second: &str) -> StoreResult<Vec<ThrottleRecord>> {
        Ok(sqlx::query_as(SELECT_THROTTLES)
            .bind(first)
            .bind(second)
            .fetch_all(&self.pool)
            .await?)
    }

    /// The count is incremented by an upsert whose row lock (PostgreSQL) or write
    /// lock (SQLite) is held until the lock time is written, so concurrent
    /// failures are all counted and each lock matches its count.
    async fn record_failure(
        &self,
        key: &str,
        now: UnixTime,
        lock_for: fn(i64) -> i64,
    ) -> StoreResult<ThrottleRecord> {
        let mut writer = self.writer().acquire().await?;
        let mut tx = writer.begin_with(Self::BEGIN_WRITE).await?;
        let failures: i64 = sqlx::query_scalar(COUNT_THROTTLE_FAILURE)
            .bind(key)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        let locked_until = now.saturating_add(lock_for(failures).max(0));
        let record: ThrottleRecord = sqlx::query_as(SET_THROTTLE_LOCK)
            .bind(key)
            .bind(locked_until)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn clear_failures(&self, key: &str) -> StoreResult<()> {
        sqlx::query(DELETE_THROTTLE)
            .bind(key)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}
