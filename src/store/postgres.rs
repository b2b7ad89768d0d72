//! The PostgreSQL backend. Several provider nodes may share one database: every one-shot
//! operation is a single conditional statement or a transaction holding row locks.

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgPool, PgPoolOptions};

use super::sql::impl_store;

/// The schema, embedded at compile time.
static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

/// The store on PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// How write transactions begin (row locks do the rest).
    const BEGIN_WRITE: &'static str = "BEGIN";

    /// A grant with its code: one statement, no transaction needed.
    const INSERT_GRANT_WITH_CODE: &'static str = super::sql::PG_INSERT_GRANT_WITH_CODE;
    const GRANT_WITH_CODE_IN_TRANSACTION: bool = false;

    /// Connects to `url` (`postgres://user@host/db`, or `postgresql://…`) with a pool of at most
    /// `max_connections` connections.
    ///
    /// A connection is not pinged before it is lent (that was one more round trip to the server
    /// per statement): sqlx pings it when it comes back to the pool, so a broken one is dropped
    /// there, and only a connection that broke while idle (the server restarted) fails one
    /// statement before it is dropped the same way.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, sqlx::Error> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .test_before_acquire(false)
            .connect(url)
            .await?;
        Ok(Self { pool })
    }

    /// The underlying pool, for closing it at shutdown.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Writes share the pool: PostgreSQL has row locks, not one database-wide write lock.
    pub(crate) fn writer(&self) -> &PgPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl_store!(PgStore, backend = "postgres", migrator = MIGRATOR);
