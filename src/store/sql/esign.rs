//! `EsignStore` for both backends. Taking a challenge is one `DELETE … RETURNING`, so a
//! challenge is consumed once, before any signature work, whichever node receives it.

pub(crate) const INSERT_ESIGN_CHALLENGE: &str = "INSERT INTO esign_challenges (challenge_hash, \
    binding_hash, request_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";

/// Deletes the challenge whoever presents it (single use), returning it only to its browser.
pub(crate) const TAKE_ESIGN_CHALLENGE: &str = "DELETE FROM esign_challenges \
    WHERE challenge_hash = $1 \
    RETURNING challenge_hash, binding_hash, request_hash, created_at, expires_at";

pub(crate) const INSERT_ESIGN_ATTEMPT: &str = "INSERT INTO esign_attempts (id, created_at, \
    outcome, status, issuer_dn, serial, certificate_sha256, pinfl_hash, account_id, \
    client_address) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

pub(crate) const SELECT_RECENT_ESIGN_ATTEMPTS: &str = "SELECT id, created_at, outcome, status, \
    issuer_dn, serial, certificate_sha256, pinfl_hash, account_id, client_address \
    FROM esign_attempts ORDER BY created_at DESC, id LIMIT $1";

pub(crate) const INSERT_VERIFICATION: &str = "INSERT INTO account_verifications \
    (account_id, method, verified_at) VALUES ($1, $2, $3) ON CONFLICT (account_id) DO NOTHING";

pub(crate) const SELECT_VERIFICATION: &str =
    "SELECT method FROM account_verifications WHERE account_id = $1";

pub(crate) const UPSERT_SESSION_ORGANIZATION: &str = "INSERT INTO session_organizations \
    (session_id_hash, tin, name, expires_at) VALUES ($1, $2, $3, $4) \
    ON CONFLICT (session_id_hash) DO UPDATE SET tin = $2, name = $3, expires_at = $4";

pub(crate) const SELECT_SESSION_ORGANIZATION: &str =
    "SELECT tin, name FROM session_organizations WHERE session_id_hash = $1";

pub(crate) const UPSERT_GRANT_ORGANIZATION: &str = "INSERT INTO grant_organizations \
    (grant_id, tin, name) VALUES ($1, $2, $3) \
    ON CONFLICT (grant_id) DO UPDATE SET tin = $2, name = $3";

pub(crate) const SELECT_GRANT_ORGANIZATION: &str =
    "SELECT tin, name FROM grant_organizations WHERE grant_id = $1";

/// Implements `EsignStore` for a type with a `pool` field; invoked by `impl_store!`.
macro_rules! impl_esign_store {
    ($store:ty) => {
        const _: () = {
            use async_trait::async_trait;

            use $crate::clock::UnixTime;
            use $crate::store::sql::esign::*;
            use $crate::store::sql::write_error;
            use $crate::store::*;

            #[async_trait]
            impl EsignStore for $store {
                async fn put_esign_challenge(&self, c: &EsignChallenge) -> StoreResult<()> {
                    sqlx::query(INSERT_ESIGN_CHALLENGE)
                        .bind(&c.challenge_hash)
                        .bind(&c.binding_hash)
                        .bind(&c.request_hash)
                        .bind(c.created_at)
                        .bind(c.expires_at)
                        .execute(self.writer())
                        .await
                        .map_err(write_error)?;
                    Ok(())
                }

                async fn take_esign_challenge(
                    &self,
                    challenge_hash: &[u8],
                    binding_hash: &[u8],
                    now: UnixTime,
                ) -> StoreResult<Option<EsignChallenge>> {
                    let taken: Option<EsignChallenge> = sqlx::query_as(TAKE_ESIGN_CHALLENGE)
                        .bind(challenge_hash)
                        .fetch_optional(self.writer())
                        .await?;
                    Ok(taken.filter(|c| {
                        c.expires_at > now
                            && $crate::crypto::constant_time_eq(&c.binding_hash, binding_hash)
                    }))
                }

                async fn record_esign_attempt(&self, a: &EsignAttempt) -> StoreResult<()> {
                    sqlx::query(INSERT_ESIGN_ATTEMPT)
                        .bind(&a.id)
                        .bind(a.created_at)
                        .bind(&a.outcome)
                        .bind(a.status)
                        .bind(&a.issuer_dn)
                        .bind(&a.serial)
                        .bind(&a.certificate_sha256)
                        .bind(&a.pinfl_hash)
                        .bind(&a.account_id)
                        .bind(&a.client_address)
                        .execute(self.writer())
                        .await
                        .map_err(write_error)?;
                    Ok(())
                }

                async fn recent_esign_attempts(
                    &self,
                    limit: i64,
                ) -> StoreResult<Vec<EsignAttempt>> {
                    Ok(sqlx::query_as(SELECT_RECENT_ESIGN_ATTEMPTS)
                        .bind(limit)
                        .fetch_all(&self.pool)
                        .await?)
                }

                async fn mark_verified(
                    &self,
                    account_id: &str,
                    method: &str,
                    now: UnixTime,
                ) -> StoreResult<()> {
                    sqlx::query(INSERT_VERIFICATION)
                        .bind(account_id)
                        .bind(method)
                        .bind(now)
                        .execute(self.writer())
                        .await
                        .map_err(write_error)?;
                    Ok(())
                }

                async fn verification_method(
                    &self,
                    account_id: &str,
                ) -> StoreResult<Option<String>> {
                    Ok(sqlx::query_scalar(SELECT_VERIFICATION)
                        .bind(account_id)
                        .fetch_optional(&self.pool)
                        .await?)
                }

                async fn set_session_organization(
                    &self,
                    session_id_hash: &[u8],
                    organization: &ActingOrganization,
                    expires_at: UnixTime,
                ) -> StoreResult<()> {
                    sqlx::query(UPSERT_SESSION_ORGANIZATION)
                        .bind(session_id_hash)
                        .bind(&organization.tin)
                        .bind(&organization.name)
                        .bind(expires_at)
                        .execute(self.writer())
                        .await
                        .map_err(write_error)?;
                    Ok(())
                }

                async fn session_organization(
                    &self,
                    session_id_hash: &[u8],
                ) -> StoreResult<Option<ActingOrganization>> {
                    Ok(sqlx::query_as(SELECT_SESSION_ORGANIZATION)
                        .bind(session_id_hash)
                        .fetch_optional(&self.pool)
                        .await?)
                }

                async fn set_grant_organization(
                    &self,
                    grant_id: &str,
                    organization: &ActingOrganization,
                ) -> StoreResult<()> {
                    sqlx::query(UPSERT_GRANT_ORGANIZATION)
                        .bind(grant_id)
                        .bind(&organization.tin)
                        .bind(&organization.name)
                        .execute(self.writer())
                        .await
                        .map_err(write_error)?;
                    Ok(())
                }

                async fn grant_organization(
                    &self,
                    grant_id: &str,
                ) -> StoreResult<Option<ActingOrganization>> {
                    Ok(sqlx::query_as(SELECT_GRANT_ORGANIZATION)
                        .bind(grant_id)
                        .fetch_optional(&self.pool)
                        .await?)
                }
            }
        };
    };
}

pub(crate) use impl_esign_store;
