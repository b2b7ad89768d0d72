//! The token lifecycle on SQLite called directly (`direct`): grants, codes, refresh tokens
//! and revocations, with the statements PostgreSQL runs (`store::sql::queries`). Writes that
//! need more than one statement run as one write on the one writer (`direct`, `group_commit`).

use async_trait::async_trait;

use super::SqliteStore;
use super::direct::{Column, Statements as _, from_columns};
use crate::clock::UnixTime;
use crate::store::sql::*;
use crate::store::*;

from_columns! {
    Grant {
        id, client_id, account_id, scope, auth_time, amr, acr, session_id_hash, created_at,
        expires_at, revoked,
    }
    AuthorizationCode {
        code_hash, grant_id, client_id, redirect_uri, nonce, code_challenge, created_at,
        expires_at, used,
    }
    RefreshToken { token_hash, grant_id, created_at, expires_at, used }
    Revocation { kind, id, revoked_at, expires_at }
}

#[async_trait]
impl GrantStore for SqliteStore {
    async fn create_grant_with_code(
        &self,
        grant: &Grant,
        code: &AuthorizationCode,
        finished_request: Option<&[u8]>,
        consented_scope: Option<&str>,
        second_factor_unproven: bool,
    ) -> StoreResult<bool> {
        let (g, c) = (grant, code);
        let args: [&(dyn rusqlite::ToSql + Sync); 23] = [
            &g.id,
            &g.client_id,
            &g.account_id,
            &g.scope,
            &g.auth_time,
            &g.amr,
            &g.acr,
            &g.session_id_hash,
            &g.created_at,
            &g.expires_at,
            &g.revoked,
            &c.code_hash,
            &c.grant_id,
            &c.client_id,
            &c.redirect_uri,
            &c.nonce,
            &c.code_challenge,
            &c.created_at,
            &c.expires_at,
            &c.used,
            &finished_request,
            &consented_scope,
            &second_factor_unproven,
        ];
        self.direct
            .write(|db| {
                let mut written = 0;
                for statement in SQLITE_INSERT_GRANT_WITH_CODE {
                    written = db.run(statement, &args)?;
                }
                // The last statement wrote the code, or nothing when the request or the session
                // had ended.
                let issued = written > 0;
                if let Some(scope) = consented_scope.filter(|_| issued) {
                    let earlier: Option<Column<String>> =
                        db.fetch_optional(SELECT_CONSENT_SCOPE, &[&g.account_id, &g.client_id])?;
                    let scope = merged_consent(scope, earlier.as_ref().map(|c| c.0.as_str()));
                    let consent: [&(dyn rusqlite::ToSql + Sync); 4] =
                        [&g.account_id, &g.client_id, &scope, &g.created_at];
                    db.run(UPSERT_CONSENT, &consent)?;
                }
                Ok(issued)
            })
            .await
            .map_err(sqlite_write_error)
    }

    /// A code whose grant was revoked or has ended is `Invalid`, and stays used.
    /// The grant is read in the same write, where the writer's page cache holds it (a reader's
    /// cache is dropped by every commit).
    async fn redeem_code(&self, code_hash: &[u8], now: UnixTime) -> StoreResult<CodeRedemption> {
        let redeemed: Option<(AuthorizationCode, Option<Grant>)> = self
            .direct
            .write(|db| {
                let Some(code) =
                    db.fetch_optional::<AuthorizationCode>(REDEEM_CODE, &[&code_hash, &now])?
                else {
                    return Ok(None);
                };
                let grant = db.fetch_optional(SELECT_GRANT, &[&code.grant_id])?;
                Ok(Some((code, grant)))
            })
            .await?;
        let Some((code, grant)) = redeemed else {
            let state: Option<(bool, String)> = self
                .direct
                .read(|db| db.fetch_optional(SELECT_CODE_STATE, &[&code_hash]))?;
            return Ok(refused_redemption(state));
        };
        Ok(redemption(code, grant, now))
    }

    async fn grant(&self, grant_id: &str) -> StoreResult<Option<Grant>> {
        Ok(self
            .direct
            .read(|db| db.fetch_optional(SELECT_GRANT, &[&grant_id]))?)
    }

    async fn revoke_grant(
        &self,
        grant_id: &str,
        now: UnixTime,
        keep_until: UnixTime,
    ) -> StoreResult<()> {
        // Recorded for its access tokens, then flagged to stop its refresh tokens, in one write.
        self.direct
            .write(|db| {
                db.run(RECORD_GRANT_REVOCATION, &[&grant_id, &now, &keep_until])?;
                db.run(REVOKE_GRANT, &[&grant_id])
            })
            .await?;
        Ok(())
    }

    async fn insert_refresh_token(&self, token: &RefreshToken) -> StoreResult<()> {
        let t = token;
        self.direct
            .write(|db| {
                db.run(
                    INSERT_REFRESH_TOKEN,
                    &[
                        &t.token_hash,
                        &t.grant_id,
                        &t.created_at,
                        &t.expires_at,
                        &t.used,
                    ],
                )
            })
            .await
            .map_err(sqlite_write_error)?;
        Ok(())
    }

    async fn rotate_refresh_token(
        &self,
        old_hash: &[u8],
        new: &RefreshToken,
        now: UnixTime,
    ) -> StoreResult<RefreshRotation> {
        let statement: StoreResult<Option<Column<String>>> = self
            .direct
            .write(|db| {
                let parent: Option<Column<String>> =
                    db.fetch_optional(SQLITE_MARK_REFRESH_TOKEN_USED, &[&old_hash, &now])?;
                if let Some(Column(grant_id)) = &parent {
                    db.run(
                        INSERT_REFRESH_TOKEN,
                        &[
                            &new.token_hash,
                            grant_id,
                            &new.created_at,
                            &new.expires_at,
                            &false,
                        ],
                    )?;
                }
                Ok(parent)
            })
            .await
            .map_err(sqlite_write_error);
        if rotated(statement)? {
            return Ok(RefreshRotation::Rotated);
        }
        Ok(refused_rotation(self.refresh_token(old_hash).await?))
    }

    async fn grant_of_refresh_token(&self, token_hash: &[u8]) -> StoreResult<Option<Grant>> {
        Ok(self
            .direct
            .read(|db| db.fetch_optional(SELECT_GRANT_OF_REFRESH_TOKEN, &[&token_hash]))?)
    }

    async fn refresh_token(&self, token_hash: &[u8]) -> StoreResult<Option<RefreshToken>> {
        Ok(self
            .direct
            .read(|db| db.fetch_optional(SELECT_REFRESH_TOKEN, &[&token_hash]))?)
    }

    async fn revoke_access_token(
        &self,
        jti: &str,
        now: UnixTime,
        expires_at: UnixTime,
    ) -> StoreResult<()> {
        self.direct
            .write(|db| db.run(INSERT_ACCESS_TOKEN_REVOCATION, &[&jti, &now, &expires_at]))
            .await?;
        Ok(())
    }

    async fn revocations(&self, since: UnixTime, now: UnixTime) -> StoreResult<Vec<Revocation>> {
        Ok(self
            .direct
            .read(|db| db.fetch_all(SELECT_REVOCATIONS, &[&since, &now]))?)
    }
}

#[cfg(test)]
mod tests {
    use crate::crypto::token_hash;
    use crate::store::tests::cases::{NOW, assert_rotation_is_reuse, refresh, seed_grant};
    use crate::store::{GrantStore as _, SqliteStore, Store as _};

    /// `PG_ROTATE_REFRESH_TOKEN`, which SQLite ran before, left a rotated token unmarked and
    /// its successor naming it in `parent_hash`: presenting that token again is still reuse.
    #[tokio::test]
    async fn a_token_rotated_by_the_earlier_statement_is_reused() {
        let store = SqliteStore::connect("sqlite::memory:", 2)
            .await
            .expect("open");
        store.migrate().await.expect("migrate");
        seed_grant(&store).await;
        store
            .insert_refresh_token(&refresh("rt-old", "g1", NOW + 3600))
            .await
            .unwrap();
        let (old, successor) = (token_hash("rt-old"), token_hash("rt-successor"));
        store
            .direct
            .write(|db| {
                db.execute(
                    "INSERT INTO refresh_tokens (token_hash, grant_id, created_at, expires_at, \
                     used, parent_hash) VALUES (?1, 'g1', ?2, ?3, FALSE, ?4)",
                    rusqlite::params![successor, NOW, NOW + 3600, old],
                )
            })
            .await
            .unwrap();

        assert_rotation_is_reuse(&store, &old).await;
    }
}
