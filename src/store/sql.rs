//! One implementation of every store trait for both backends.
//!
//! `impl_store!` expands the same method bodies for `SqliteStore` and `PgStore`; the invocation
//! in `sqlite.rs` / `postgres.rs` supplies only the backend name and its embedded migrations.
//! A macro rather than a generic impl because a function generic over `sqlx::Database` needs a
//! wall of `Encode`/`Decode`/`Executor` bounds that says nothing about the queries. The SQL
//! text lives in [`queries`].

mod queries;

use sqlx::error::DatabaseError;

pub(crate) use queries::*;

use super::StoreError;

/// SQLite's extended result code `SQLITE_CONSTRAINT_PRIMARYKEY`.
const SQLITE_PRIMARY_KEY_VIOLATION: &str = "1555";

/// The `field` reported by [`StoreError::Conflict`] when a primary key collides.
const PRIMARY_KEY_FIELD: &str = "primary key";

/// Converts an error from an INSERT: unique violations become `Conflict(field)`, everything
/// else stays a database error.
pub(crate) fn write_error(error: sqlx::Error) -> StoreError {
    match error.as_database_error() {
        Some(db) if db.is_unique_violation() => StoreError::Conflict(conflict_field(db)),
        _ => StoreError::Database(error),
    }
}

/// The field a unique violation is about, the same on both backends.
///
/// PostgreSQL names the constraint (`accounts_username_key`, `accounts_pkey`); SQLite names the
/// columns in its message (`UNIQUE constraint failed: accounts.username`) and tells primary keys
/// apart by its extended result code. Both reduce to `username` (or `primary key`).
fn conflict_field(db: &dyn DatabaseError) -> String {
    if let Some(constraint) = db.constraint() {
        return field_of_constraint(constraint, db.table());
    }
    if db.code().as_deref() == Some(SQLITE_PRIMARY_KEY_VIOLATION) {
        return PRIMARY_KEY_FIELD.to_owned();
    }
    field_of_sqlite_message(db.message())
}

/// `accounts_username_key` → `username`; `accounts_pkey` → `primary key`.
fn field_of_constraint(constraint: &str, table: Option<&str>) -> String {
    let without_table = table
        .and_then(|table| constraint.strip_prefix(table))
        .and_then(|rest| rest.strip_prefix('_'))
        .unwrap_or(constraint);
    if without_table == "pkey" {
        return PRIMARY_KEY_FIELD.to_owned();
    }
    without_table
        .strip_suffix("_key")
        .unwrap_or(without_table)
        .to_owned()
}

/// `UNIQUE constraint failed: accounts.username` → `username`; several columns are joined
/// with commas (`a.x, a.y` → `x,y`).
fn field_of_sqlite_message(message: &str) -> String {
    let columns = message
        .split_once(": ")
        .map_or(message, |(_, columns)| columns);
    columns
        .split(", ")
        .map(|qualified| {
            qualified
                .rsplit_once('.')
                .map_or(qualified, |(_, column)| column)
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Implements `AccountStore`, …, `Store` for a type with a `pool` field of any sqlx pool.
///
/// `backend` is what `Store::backend` answers; `migrator` is a `static sqlx::migrate::Migrator`
/// holding that backend's embedded migrations.
macro_rules! impl_store {
    ($store:ty, backend = $backend:literal, migrator = $migrator:path $(,)?) => {
        const _: () = {
            use async_trait::async_trait;

            use $crate::clock::UnixTime;
            use $crate::store::sql::*;
            use $crate::store::*;

            #[async_trait]
            impl AccountStore for $store {
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
                        .execute(&self.pool)
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

                /// Does nothing when no account has this id.
                async fn set_password_hash(
                    &self,
                    id: &str,
                    hash: &str,
                    now: UnixTime,
                ) -> StoreResult<()> {
                    sqlx::query(UPDATE_PASSWORD_HASH)
                        .bind(id)
                        .bind(hash)
                        .bind(now)
                        .execute(&self.pool)
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
            impl SessionStore for $store {
                async fn create_session(&self, session: &Session) -> StoreResult<()> {
                    sqlx::query(INSERT_SESSION)
                        .bind(&session.id_hash)
                        .bind(&session.account_id)
                        .bind(session.auth_time)
                        .bind(&session.amr)
                        .bind(&session.acr)
                        .bind(session.created_at)
                        .bind(session.expires_at)
                        .execute(&self.pool)
                        .await
                        .map_err(write_error)?;
                    Ok(())
                }

                async fn session(
                    &self,
                    id_hash: &[u8],
                    now: UnixTime,
                ) -> StoreResult<Option<Session>> {
                    Ok(sqlx::query_as(SELECT_LIVE_SESSION)
                        .bind(id_hash)
                        .bind(now)
                        .fetch_optional(&self.pool)
                        .await?)
                }

                async fn delete_session(&self, id_hash: &[u8]) -> StoreResult<()> {
                    sqlx::query(DELETE_SESSION)
                        .bind(id_hash)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                }
            }

            #[async_trait]
            impl AuthRequestStore for $store {
                async fn put_auth_request(&self, request: &PendingAuthRequest) -> StoreResult<()> {
                    sqlx::query(INSERT_AUTH_REQUEST)
                        .bind(&request.id_hash)
                        .bind(&request.params)
                        .bind(request.created_at)
                        .bind(request.expires_at)
                        .execute(&self.pool)
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
                        .execute(&self.pool)
                        .await?;
                    Ok(deleted.rows_affected() > 0)
                }
            }

            #[async_trait]
            impl ConsentStore for $store {
                async fn consent(
                    &self,
                    account_id: &str,
                    client_id: &str,
                ) -> StoreResult<Option<String>> {
                    Ok(sqlx::query_scalar(SELECT_CONSENT_SCOPE)
                        .bind(account_id)
                        .bind(client_id)
                        .fetch_optional(&self.pool)
                        .await?)
                }

                async fn save_consent(
                    &self,
                    account_id: &str,
                    client_id: &str,
                    scope: &str,
                    now: UnixTime,
                ) -> StoreResult<()> {
                    sqlx::query(UPSERT_CONSENT)
                        .bind(account_id)
                        .bind(client_id)
                        .bind(scope)
                        .bind(now)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                }
            }

            #[async_trait]
            impl GrantStore for $store {
                async fn create_grant_with_code(
                    &self,
                    grant: &Grant,
                    code: &AuthorizationCode,
                ) -> StoreResult<()> {
                    let mut tx = self.pool.begin().await?;
                    sqlx::query(INSERT_GRANT)
                        .bind(&grant.id)
                        .bind(&grant.client_id)
                        .bind(&grant.account_id)
                        .bind(&grant.scope)
                        .bind(grant.auth_time)
                        .bind(&grant.amr)
                        .bind(&grant.acr)
                        .bind(&grant.session_id_hash)
                        .bind(grant.created_at)
                        .bind(grant.expires_at)
                        .bind(grant.revoked)
                        .execute(&mut *tx)
                        .await
                        .map_err(write_error)?;
                    sqlx::query(INSERT_CODE)
                        .bind(&code.code_hash)
                        .bind(&code.grant_id)
                        .bind(&code.client_id)
                        .bind(&code.redirect_uri)
                        .bind(&code.nonce)
                        .bind(&code.code_challenge)
                        .bind(code.created_at)
                        .bind(code.expires_at)
                        .bind(code.used)
                        .execute(&mut *tx)
                        .await
                        .map_err(write_error)?;
                    tx.commit().await?;
                    Ok(())
                }

                /// A code whose grant was revoked or has ended is `Invalid`, and stays used.
                async fn redeem_code(
                    &self,
                    code_hash: &[u8],
                    now: UnixTime,
                ) -> StoreResult<CodeRedemption> {
                    let redeemed: Option<AuthorizationCode> = sqlx::query_as(REDEEM_CODE)
                        .bind(code_hash)
                        .bind(now)
                        .fetch_optional(&self.pool)
                        .await?;
                    let Some(code) = redeemed else {
                        let state: Option<(bool, String)> = sqlx::query_as(SELECT_CODE_STATE)
                            .bind(code_hash)
                            .fetch_optional(&self.pool)
                            .await?;
                        return Ok(match state {
                            Some((true, grant_id)) => CodeRedemption::Replayed { grant_id },
                            _ => CodeRedemption::Invalid,
                        });
                    };
                    match self.grant(&code.grant_id).await? {
                        Some(grant) if !grant.revoked && grant.expires_at > now => {
                            Ok(CodeRedemption::Redeemed { code, grant })
                        }
                        _ => Ok(CodeRedemption::Invalid),
                    }
                }

                async fn grant(&self, grant_id: &str) -> StoreResult<Option<Grant>> {
                    Ok(sqlx::query_as(SELECT_GRANT)
                        .bind(grant_id)
                        .fetch_optional(&self.pool)
                        .await?)
                }

                async fn revoke_grant(&self, grant_id: &str) -> StoreResult<()> {
                    sqlx::query(REVOKE_GRANT)
                        .bind(grant_id)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                }

                async fn revoke_grants_for_session(
                    &self,
                    session_id_hash: &[u8],
                ) -> StoreResult<()> {
                    sqlx::query(REVOKE_GRANTS_FOR_SESSION)
                        .bind(session_id_hash)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                }

                async fn insert_refresh_token(&self, token: &RefreshToken) -> StoreResult<()> {
                    sqlx::query(INSERT_REFRESH_TOKEN)
                        .bind(&token.token_hash)
                        .bind(&token.grant_id)
                        .bind(token.created_at)
                        .bind(token.expires_at)
                        .bind(token.used)
                        .execute(&self.pool)
                        .await
                        .map_err(write_error)?;
                    Ok(())
                }

                /// The new token is stored under the old token's grant; `new.grant_id` is not
                /// consulted, so a caller cannot move a token to another grant.
                async fn rotate_refresh_token(
                    &self,
                    old_hash: &[u8],
                    new: &RefreshToken,
                    now: UnixTime,
                ) -> StoreResult<RefreshRotation> {
                    let mut tx = self.pool.begin().await?;
                    let consumed: Option<String> = sqlx::query_scalar(CONSUME_REFRESH_TOKEN)
                        .bind(old_hash)
                        .bind(now)
                        .fetch_optional(&mut *tx)
                        .await?;
                    let Some(grant_id) = consumed else {
                        tx.rollback().await?;
                        return Ok(match self.refresh_token(old_hash).await? {
                            Some(old) if old.used => RefreshRotation::Reused {
                                grant_id: old.grant_id,
                            },
                            _ => RefreshRotation::Invalid,
                        });
                    };
                    let grant: Grant = sqlx::query_as(SELECT_GRANT)
                        .bind(&grant_id)
                        .fetch_one(&mut *tx)
                        .await?;
                    sqlx::query(INSERT_REFRESH_TOKEN)
                        .bind(&new.token_hash)
                        .bind(&grant_id)
                        .bind(new.created_at)
                        .bind(new.expires_at)
                        .bind(new.used)
                        .execute(&mut *tx)
                        .await
                        .map_err(write_error)?;
                    tx.commit().await?;
                    Ok(RefreshRotation::Rotated { grant })
                }

                async fn refresh_token(
                    &self,
                    token_hash: &[u8],
                ) -> StoreResult<Option<RefreshToken>> {
                    Ok(sqlx::query_as(SELECT_REFRESH_TOKEN)
                        .bind(token_hash)
                        .fetch_optional(&self.pool)
                        .await?)
                }

                async fn insert_access_token(&self, token: &AccessTokenRecord) -> StoreResult<()> {
                    sqlx::query(INSERT_ACCESS_TOKEN)
                        .bind(&token.token_hash)
                        .bind(&token.jti)
                        .bind(&token.client_id)
                        .bind(&token.grant_id)
                        .bind(&token.account_id)
                        .bind(&token.scope)
                        .bind(token.issued_at)
                        .bind(token.expires_at)
                        .bind(token.revoked)
                        .execute(&self.pool)
                        .await
                        .map_err(write_error)?;
                    Ok(())
                }

                async fn access_token(
                    &self,
                    token_hash: &[u8],
                ) -> StoreResult<Option<AccessTokenRecord>> {
                    Ok(sqlx::query_as(SELECT_ACCESS_TOKEN)
                        .bind(token_hash)
                        .fetch_optional(&self.pool)
                        .await?)
                }

                async fn revoke_access_token(&self, token_hash: &[u8]) -> StoreResult<()> {
                    sqlx::query(REVOKE_ACCESS_TOKEN)
                        .bind(token_hash)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                }
            }

            #[async_trait]
            impl ReplayStore for $store {
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
                        .execute(&self.pool)
                        .await?;
                    Ok(inserted.rows_affected() == 1)
                }
            }

            #[async_trait]
            impl ThrottleStore for $store {
                async fn throttle(&self, key: &str) -> StoreResult<Option<ThrottleRecord>> {
                    Ok(sqlx::query_as(SELECT_THROTTLE)
                        .bind(key)
                        .fetch_optional(&self.pool)
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
                    let mut tx = self.pool.begin().await?;
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
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                }
            }

            #[async_trait]
            impl Store for $store {
                fn backend(&self) -> &'static str {
                    $backend
                }

                async fn migrate(&self) -> StoreResult<()> {
                    $migrator.run(&self.pool).await?;
                    Ok(())
                }

                async fn purge_expired(&self, now: UnixTime) -> StoreResult<u64> {
                    let mut deleted = 0;
                    for statement in PURGE_EXPIRED {
                        let done = sqlx::query(statement).bind(now).execute(&self.pool).await?;
                        deleted += done.rows_affected();
                    }
                    Ok(deleted)
                }
            }
        };
    };
}

pub(crate) use impl_store;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_constraint_names_reduce_to_the_field() {
        assert_eq!(
            field_of_constraint("accounts_username_key", Some("accounts")),
            "username"
        );
        assert_eq!(
            field_of_constraint("accounts_pinfl_key", Some("accounts")),
            "pinfl"
        );
        assert_eq!(
            field_of_constraint("sessions_pkey", Some("sessions")),
            PRIMARY_KEY_FIELD
        );
        assert_eq!(field_of_constraint("odd_name", None), "odd_name");
    }

    #[test]
    fn sqlite_messages_reduce_to_the_field() {
        assert_eq!(
            field_of_sqlite_message("UNIQUE constraint failed: accounts.email"),
            "email"
        );
        assert_eq!(
            field_of_sqlite_message(
                "UNIQUE constraint failed: consents.account_id, consents.client_id"
            ),
            "account_id,client_id"
        );
    }
}
