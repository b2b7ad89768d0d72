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
