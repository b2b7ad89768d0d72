//! The token lifecycle on PostgreSQL: grants, authorization codes, refresh tokens and
//! revocations. The one-shot operations rest on conditional statements (`… AND used = FALSE …
//! RETURNING`), so exactly one of several provider nodes sharing the database wins a code
//! redemption or a refresh rotation. SQLite's is `store::sqlite::grants`.

use async_trait::async_trait;
use sqlx::Connection as _;

use super::PgStore;
use crate::clock::UnixTime;
use crate::store::sql::*;
use crate::store::*;

#[async_trait]
impl GrantStore for PgStore {
    async fn create_grant_with_code(
        &self,
        grant: &Grant,
        code: &AuthorizationCode,
        finished_request: Option<&[u8]>,
        consented_scope: Option<&str>,
        second_factor_unproven: bool,
    ) -> StoreResult<bool> {
        let write = sqlx::query(PG_INSERT_GRANT_WITH_CODE)
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
            .bind(&code.code_hash)
            .bind(&code.grant_id)
            .bind(&code.client_id)
            .bind(&code.redirect_uri)
            .bind(&code.nonce)
            .bind(&code.code_challenge)
            .bind(code.created_at)
            .bind(code.expires_at)
            .bind(code.used)
            .bind(finished_request)
            .bind(consented_scope)
            .bind(second_factor_unproven);
        // Either writes nothing (the request or the session had ended) or at least the code.
        let written = write.execute(self.writer()).await.map_err(write_error)?;
        Ok(written.rows_affected() > 0)
    }

    /// A code whose grant was revoked or has ended is `Invalid`, and stays used.
    async fn redeem_code(&self, code_hash: &[u8], now: UnixTime) -> StoreResult<CodeRedemption> {
        // The code and its grant in one round trip.
        let redeemed = sqlx::query(PG_REDEEM_CODE_WITH_GRANT)
            .bind(code_hash)
            .bind(now)
            .fetch_optional(self.writer())
            .await?;
        let Some(row) = redeemed else {
            let state: Option<(bool, String)> = sqlx::query_as(SELECT_CODE_STATE)
                .bind(code_hash)
                .fetch_optional(&self.pool)
                .await?;
            return Ok(refused_redemption(state));
        };
        let (code, grant) = code_with_grant(&row)?;
        Ok(redemption(code, grant, now))
    }

    async fn grant(&self, grant_id: &str) -> StoreResult<Option<Grant>> {
        Ok(sqlx::query_as(SELECT_GRANT)
            .bind(grant_id)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn revoke_grant(
        &self,
        grant_id: &str,
        now: UnixTime,
        keep_until: UnixTime,
    ) -> StoreResult<()> {
        // Recorded for its access tokens, then flagged to stop its refresh tokens, in one
        // transaction.
        let mut writer = self.writer().acquire().await?;
        let mut tx = writer.begin_with(Self::BEGIN_WRITE).await?;
        sqlx::query(RECORD_GRANT_REVOCATION)
            .bind(grant_id)
            .bind(now)
            .bind(keep_until)
            .execute(&mut *tx)
            .await?;
        sqlx::query(REVOKE_GRANT)
            .bind(grant_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insert_refresh_token(&self, token: &RefreshToken) -> StoreResult<()> {
        sqlx::query(INSERT_REFRESH_TOKEN)
            .bind(&token.token_hash)
            .bind(&token.grant_id)
            .bind(token.created_at)
            .bind(token.expires_at)
            .bind(token.used)
            .execute(self.writer())
            .await
            .map_err(write_error)?;
        Ok(())
    }

    async fn rotate_refresh_token(
        &self,
        old_hash: &[u8],
        new: &RefreshToken,
        now: UnixTime,
    ) -> StoreResult<RefreshRotation> {
        // One statement, so one round trip on the writer (issue 6).
        let statement: StoreResult<Option<String>> = sqlx::query_scalar(PG_ROTATE_REFRESH_TOKEN)
            .bind(old_hash)
            .bind(now)
            .bind(&new.token_hash)
            .bind(new.created_at)
            .bind(new.expires_at)
            .fetch_optional(self.writer())
            .await
            .map_err(write_error);
        if rotated(statement)? {
            return Ok(RefreshRotation::Rotated);
        }
        Ok(refused_rotation(self.refresh_token(old_hash).await?))
    }

    async fn grant_of_refresh_token(&self, token_hash: &[u8]) -> StoreResult<Option<Grant>> {
        Ok(sqlx::query_as(SELECT_GRANT_OF_REFRESH_TOKEN)
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn refresh_token(&self, token_hash: &[u8]) -> StoreResult<Option<RefreshToken>> {
        Ok(sqlx::query_as(SELECT_REFRESH_TOKEN)
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn revoke_access_token(
        &self,
        jti: &str,
        now: UnixTime,
        expires_at: UnixTime,
    ) -> StoreResult<()> {
        sqlx::query(INSERT_ACCESS_TOKEN_REVOCATION)
            .bind(jti)
            .bind(now)
            .bind(expires_at)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    async fn revocations(&self, since: UnixTime, now: UnixTime) -> StoreResult<Vec<Revocation>> {
        Ok(sqlx::query_as(SELECT_REVOCATIONS)
            .bind(since)
            .bind(now)
            .fetch_all(&self.pool)
            .await?)
    }
}

/// A row of `PG_REDEEM_CODE_WITH_GRANT`: the code's columns, then its grant's prefixed `g_`
/// (all NULL if the grant is gone).
fn code_with_grant(
    row: &sqlx::postgres::PgRow,
) -> Result<(AuthorizationCode, Option<Grant>), sqlx::Error> {
    use sqlx::{FromRow as _, Row as _};
    let code = AuthorizationCode::from_row(row)?;
    let Some(id) = row.try_get::<Option<String>, _>("g_id")? else {
        return Ok((code, None));
    };
    let grant = Grant {
        id,
        client_id: row.try_get("g_client_id")?,
        account_id: row.try_get("g_account_id")?,
        scope: row.try_get("g_scope")?,
        auth_time: row.try_get("g_auth_time")?,
        amr: row.try_get("g_amr")?,
        acr: row.try_get("g_acr")?,
        session_id_hash: row.try_get("g_session_id_hash")?,
        created_at: row.try_get("g_created_at")?,
        expires_at: row.try_get("g_expires_at")?,
        revoked: row.try_get("g_revoked")?,
    };
    Ok((code, Some(grant)))
}
