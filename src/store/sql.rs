//! The store traits on sqlx, and the SQL text every backend runs ([`queries`]).
//!
//! `impl_store!` expands the same method bodies for `SqliteStore` and `PgStore` (passkeys,
//! e-signature, import, migrations, housekeeping); the invocation in `sqlite/mod.rs` /
//! `postgres/mod.rs` supplies only the backend name and its embedded migrations. The stores of
//! the sign-in and token paths are written once per backend (`store::postgres::{sign_in,
//! grants}` on sqlx, `store::sqlite::{sign_in, grants}` calling SQLite on the request's thread,
//! without sqlx's per-statement hand-off to a worker thread: issue 6), over the same SQL text.
//! Macros rather than generic impls
//! because a function generic over `sqlx::Database` needs a wall of `Encode`/`Decode`/
//! `Executor` bounds that says nothing about the queries.

mod conflict;
pub(crate) mod esign;
mod grants;
pub(crate) mod import;
mod passkeys;
mod queries;

pub(crate) use conflict::{sqlite_write_error, write_error};
pub(crate) use grants::{
    merged_consent, redemption, refused_redemption, refused_rotation, rotated,
};
pub(crate) use passkeys::*;
pub(crate) use queries::*;

/// Implements `Store`, `PasskeyStore`, `EsignStore` and `ImportStore` for a type with `pool`
/// and `writer` connection sets.
///
/// `backend` is what `Store::backend` answers; `migrator` is a `static sqlx::migrate::Migrator`
/// holding that backend's embedded migrations.
macro_rules! impl_store {
    ($store:ty, backend = $backend:literal, migrator = $migrator:path $(,)?) => {
        $crate::store::sql::impl_passkey_store!($store);
        $crate::store::sql::esign::impl_esign_store!($store);
        $crate::store::sql::import::impl_import_store!($store);

        const _: () = {
            use async_trait::async_trait;

            use $crate::clock::UnixTime;
            use $crate::store::sql::*;
            use $crate::store::*;

            #[async_trait]
            impl Store for $store {
                fn backend(&self) -> &'static str {
                    $backend
                }

                async fn migrate(&self) -> StoreResult<()> {
                    // `run` takes an `Acquire`, which a lent connection is not, and `&mut` connections
                    // trip "Acquire is not general enough" in a `Send` future; `run_direct` is
                    // what `run` calls, kept public by sqlx for exactly this.
                    let mut writer = self.writer().acquire().await?;
                    $migrator.run_direct(None, &mut *writer, false).await?;
                    Ok(())
                }

                async fn purge_expired(&self, now: UnixTime) -> StoreResult<u64> {
                    let mut deleted = 0;
                    for statement in PURGE_EXPIRED {
                        let done = sqlx::query(statement)
                            .bind(now)
                            .execute(self.writer())
                            .await?;
                        deleted += done.rows_affected();
                    }
                    Ok(deleted)
                }
            }
        };
    };
}

pub(crate) use impl_store;
