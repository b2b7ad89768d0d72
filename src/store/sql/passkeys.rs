//! `PasskeyStore` for both backends: registered passkeys, the "require a second factor" switch
//! and WebAuthn ceremony state. Taking a ceremony is one `DELETE … RETURNING`, so exactly one
//! of several nodes sharing a database can finish it.

// Passkeys.

pub(crate) const INSERT_PASSKEY: &str = "INSERT INTO passkeys (credential_id, account_id, name, \
    passkey, created_at, last_used_at, backup_eligible, backup_state, sign_count) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

pub(crate) const SELECT_PASSKEY: &str = "SELECT credential_id, account_id, name, passkey, \
    created_at, last_used_at, backup_eligible, backup_state, sign_count \
    FROM passkeys WHERE credential_id = $1";

pub(crate) const SELECT_ACCOUNT_PASSKEYS: &str = "SELECT credential_id, account_id, name, \
    passkey, created_at, last_used_at, backup_eligible, backup_state, sign_count \
    FROM passkeys WHERE account_id = $1 ORDER BY created_at, credential_id";

pub(crate) const RECORD_PASSKEY_USE: &str = "UPDATE passkeys SET passkey = $2, sign_count = $3, \
    backup_eligible = $4, backup_state = $5, last_used_at = $6 WHERE credential_id = $1";

pub(crate) const RENAME_PASSKEY: &str =
    "UPDATE passkeys SET name = $3 WHERE account_id = $1 AND credential_id = $2";

/// Takes the account row's lock (PostgreSQL) or the write lock (SQLite) first, so concurrent
/// removals for one account are serialised and each sees the others' effect.
pub(crate) const LOCK_ACCOUNT: &str = "UPDATE accounts SET updated_at = $2 WHERE id = $1";

/// Deletes the passkey only while the account keeps another way to sign in.
pub(crate) const DELETE_PASSKEY_KEEPING_ONE_METHOD: &str = "DELETE FROM passkeys \
    WHERE account_id = $1 AND credential_id = $2 \
    AND (EXISTS (SELECT 1 FROM accounts WHERE id = $1 AND password_hash IS NOT NULL) \
         OR (SELECT COUNT(*) FROM passkeys WHERE account_id = $1) > 1)";

pub(crate) const COUNT_ACCOUNT_PASSKEY: &str =
    "SELECT COUNT(*) FROM passkeys WHERE account_id = $1 AND credential_id = $2";

/// A second factor cannot be required of an account that has none left.
pub(crate) const CLEAR_UNMEETABLE_SECOND_FACTOR: &str = "UPDATE accounts \
    SET require_second_factor = FALSE \
    WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM passkeys WHERE account_id = $1)";

pub(crate) const SELECT_REQUIRE_SECOND_FACTOR: &str =
    "SELECT require_second_factor FROM accounts WHERE id = $1";

pub(crate) const UPDATE_REQUIRE_SECOND_FACTOR: &str =
    "UPDATE accounts SET require_second_factor = $2, updated_at = $3 WHERE id = $1";

// Ceremonies.

pub(crate) const INSERT_CEREMONY: &str = "INSERT INTO webauthn_ceremonies (id_hash, kind, state, \
    account_id, binding_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// Single use: the row is gone once returned.
pub(crate) const TAKE_CEREMONY: &str = "DELETE FROM webauthn_ceremonies \
    WHERE id_hash = $1 AND binding_hash = $2 AND expires_at > $3 \
    RETURNING id_hash, kind, state, account_id, binding_hash, created_at, expires_at";

/// Implements `PasskeyStore` for a type with a `pool` field; invoked by `impl_store!`.
macro_rules! impl_passkey_store {
    ($store:ty) => {
        const _: () = {
            use async_trait::async_trait;
            use sqlx::Connection as _;

            use $crate::clock::UnixTime;
            use $crate::store::sql::*;
            use $crate::store::*;

            #[async_trait]
            impl PasskeyStore for $store {
                async fn insert_passkey(&self, passkey: &StoredPasskey) -> StoreResult<()> {
                    sqlx::query(INSERT_PASSKEY)
                        .bind(&passkey.credential_id)
                        .bind(&passkey.account_id)
                        .bind(&passkey.name)
                        .bind(&passkey.passkey)
                        .bind(passkey.created_at)
                        .bind(passkey.last_used_at)
                        .bind(passkey.backup_eligible)
                        .bind(passkey.backup_state)
                        .bind(passkey.sign_count)
                        .execute(self.writer())
                        .await
                        .map_err(write_error)?;
                    Ok(())
                }

                async fn passkey(
                    &self,
                    credential_id: &[u8],
                ) -> StoreResult<Option<StoredPasskey>> {
                    Ok(sqlx::query_as(SELECT_PASSKEY)
                        .bind(credential_id)
                        .fetch_optional(&self.pool)
                        .await?)
                }

                async fn passkeys_for_account(
                    &self,
                    account_id: &str,
                ) -> StoreResult<Vec<StoredPasskey>> {
                    Ok(sqlx::query_as(SELECT_ACCOUNT_PASSKEYS)
                        .bind(account_id)
                        .fetch_all(&self.pool)
                        .await?)
                }

                async fn record_passkey_use(
                    &self,
                    credential_id: &[u8],
                    used: &PasskeyUse,
                ) -> StoreResult<bool> {
                    let updated = sqlx::query(RECORD_PASSKEY_USE)
                        .bind(credential_id)
                        .bind(&used.passkey)
                        .bind(used.sign_count)
                        .bind(used.backup_eligible)
                        .bind(used.backup_state)
                        .bind(used.used_at)
                        .execute(self.writer())
                        .await?;
                    Ok(updated.rows_affected() > 0)
                }

                async fn rename_passkey(
                    &self,
                    account_id: &str,
                    credential_id: &[u8],
                    name: &str,
                ) -> StoreResult<bool> {
                    let updated = sqlx::query(RENAME_PASSKEY)
                        .bind(account_id)
                        .bind(credential_id)
                        .bind(name)
                        .execute(self.writer())
                        .await?;
                    Ok(updated.rows_affected() > 0)
                }

                async fn remove_passkey(
                    &self,
                    account_id: &str,
                    credential_id: &[u8],
                    now: UnixTime,
                ) -> StoreResult<PasskeyRemoval> {
                    let mut writer = self.writer().acquire().await?;
                    let mut tx = writer.begin_with(Self::BEGIN_WRITE).await?;
                    sqlx::query(LOCK_ACCOUNT)
                        .bind(account_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    let deleted = sqlx::query(DELETE_PASSKEY_KEEPING_ONE_METHOD)
                        .bind(account_id)
                        .bind(credential_id)
                        .execute(&mut *tx)
                        .await?;
                    if deleted.rows_affected() == 0 {
                        let exists: i64 = sqlx::query_scalar(COUNT_ACCOUNT_PASSKEY)
                            .bind(account_id)
                            .bind(credential_id)
                            .fetch_one(&mut *tx)
                            .await?;
                        tx.rollback().await?;
                        return Ok(if exists > 0 {
                            PasskeyRemoval::LastSignInMethod
                        } else {
                            PasskeyRemoval::NotFound
                        });
                    }
                    sqlx::query(CLEAR_UNMEETABLE_SECOND_FACTOR)
                        .bind(account_id)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(PasskeyRemoval::Removed)
                }

                async fn require_second_factor(&self, account_id: &str) -> StoreResult<bool> {
                    let required: Option<bool> = sqlx::query_scalar(SELECT_REQUIRE_SECOND_FACTOR)
                        .bind(account_id)
                        .fetch_optional(&self.pool)
                        .await?;
                    Ok(required.unwrap_or(false))
                }

                async fn set_require_second_factor(
                    &self,
                    account_id: &str,
                    required: bool,
                    now: UnixTime,
                ) -> StoreResult<()> {
                    sqlx::query(UPDATE_REQUIRE_SECOND_FACTOR)
                        .bind(account_id)
                        .bind(required)
                        .bind(now)
                        .execute(self.writer())
                        .await?;
                    Ok(())
                }

                async fn put_ceremony(&self, ceremony: &WebauthnCeremony) -> StoreResult<()> {
                    sqlx::query(INSERT_CEREMONY)
                        .bind(&ceremony.id_hash)
                        .bind(&ceremony.kind)
                        .bind(&ceremony.state)
                        .bind(&ceremony.account_id)
                        .bind(&ceremony.binding_hash)
                        .bind(ceremony.created_at)
                        .bind(ceremony.expires_at)
                        .execute(self.writer())
                        .await
                        .map_err(write_error)?;
                    Ok(())
                }

                async fn take_ceremony(
                    &self,
                    id_hash: &[u8],
                    binding_hash: &[u8],
                    now: UnixTime,
                ) -> StoreResult<Option<WebauthnCeremony>> {
                    Ok(sqlx::query_as(TAKE_CEREMONY)
                        .bind(id_hash)
                        .bind(binding_hash)
                        .bind(now)
                        .fetch_optional(self.writer())
                        .await?)
                }
            }
        };
    };
}

pub(crate) use impl_passkey_store;
