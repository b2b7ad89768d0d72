//! Grant revocation, shared by both backends (`store::sqlite::grants`,
//! `store::postgres::grants`).

/// Revoking grants (one by id, or a session's): record them for the access tokens they issued
/// (`record`: `$1` the key, `$2` now, `$3` until when), then flip the flag that stops their
/// refresh tokens (`flag`: `$1` the key), both in one transaction.
pub(crate) struct GrantRevocation {
    pub(crate) record: &'static str,
    pub(crate) flag: &'static str,
    pub(crate) now: crate::clock::UnixTime,
    pub(crate) keep_until: crate::clock::UnixTime,
}

impl GrantRevocation {
    /// Revoking one grant, by its id.
    pub(crate) fn of_grant(
        now: crate::clock::UnixTime,
        keep_until: crate::clock::UnixTime,
    ) -> Self {
        Self {
            record: super::RECORD_GRANT_REVOCATION,
            flag: super::REVOKE_GRANT,
            now,
            keep_until,
        }
    }

    /// Revoking every grant of a session, by the session id's hash.
    pub(crate) fn of_session(
        now: crate::clock::UnixTime,
        keep_until: crate::clock::UnixTime,
    ) -> Self {
        Self {
            record: super::RECORD_SESSION_GRANT_REVOCATIONS,
            flag: super::REVOKE_GRANTS_FOR_SESSION,
            now,
            keep_until,
        }
    }

    pub(crate) async fn apply<DB, C, K>(
        &self,
        writer: &mut C,
        begin: &'static str,
        key: K,
    ) -> crate::store::StoreResult<()>
    where
        DB: sqlx::Database,
        C: sqlx::Connection<Database = DB>,
        for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
        <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
        K: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB> + Copy + Send,
        crate::clock::UnixTime: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        let begin = sqlx::SqlSafeStr::into_sql_str(begin);
        let mut tx = writer.begin_with(begin).await?;
        sqlx::query(self.record)
            .bind(key)
            .bind(self.now)
            .bind(self.keep_until)
            .execute(&mut *tx)
            .await?;
        sqlx::query(self.flag).bind(key).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A redemption's answer from the redeemed code and its grant: only a live grant's code is
/// redeemed; otherwise the code stays used and the answer is `Invalid`.
pub(crate) fn redemption(
    code: crate::store::AuthorizationCode,
    grant: Option<crate::store::Grant>,
    now: crate::clock::UnixTime,
) -> crate::store::CodeRedemption {
    use crate::store::CodeRedemption;
    match grant {
        Some(grant) if !grant.revoked && grant.expires_at > now => {
            CodeRedemption::Redeemed { code, grant }
        }
        _ => CodeRedemption::Invalid,
    }
}

/// Why a code was not redeemed, from `SELECT_CODE_STATE`'s `(used, grant_id)`: a used code
/// is a replay (its grant to be revoked), anything else (unknown, expired) `Invalid`.
pub(crate) fn refused_redemption(state: Option<(bool, String)>) -> crate::store::CodeRedemption {
    use crate::store::CodeRedemption;
    match state {
        Some((true, grant_id)) => CodeRedemption::Replayed { grant_id },
        _ => CodeRedemption::Invalid,
    }
}

/// Whether the rotation inserted the successor (`PG_ROTATE_REFRESH_TOKEN`, or SQLite's
/// `SQLITE_MARK_REFRESH_TOKEN_USED` and insert). Nothing inserted means the token was not
/// rotatable (unknown, expired, used, grant ended) or already rotated: on PostgreSQL the unique
/// `parent_hash` refuses a second successor, perhaps a concurrent one.
pub(crate) fn rotated<T>(
    statement: crate::store::StoreResult<Option<T>>,
) -> crate::store::StoreResult<bool> {
    match statement {
        Ok(inserted) => Ok(inserted.is_some()),
        Err(crate::store::StoreError::Conflict(field)) if field == "parent_hash" => Ok(false),
        Err(error) => Err(error),
    }
}

/// Why a token was not rotated, from its row: a used token is a reuse (its grant to be
/// revoked), anything else `Invalid`.
pub(crate) fn refused_rotation(
    old: Option<crate::store::RefreshToken>,
) -> crate::store::RefreshRotation {
    use crate::store::RefreshRotation;
    match old {
        Some(old) if old.used => RefreshRotation::Reused {
            grant_id: old.grant_id,
        },
        _ => RefreshRotation::Invalid,
    }
}
