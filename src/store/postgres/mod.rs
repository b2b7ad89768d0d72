//! The PostgreSQL backend. Several provider nodes may share one database: every one-shot
//! operation is a single conditional statement or a transaction holding row locks.

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::PgConnectOptions;

use super::connections::Connections;
use super::sql::impl_store;

mod grants;
mod sign_in;

/// The PostgreSQL connections of a store (see `store::connections`).
pub type PgConnections = Connections<sqlx::Postgres>;

/// The schema, embedded at compile time.
static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

/// How long a statement waits for a connection before it fails (sqlx's pool default): with
/// the server away, requests fail instead of hanging. (SQLite's writer has no such bound: an
/// import's chunk may hold it for longer, and nothing else can be away.)
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// The store on PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgConnections,
}

impl PgStore {
    /// How write transactions begin (row locks do the rest).
    pub(crate) const BEGIN_WRITE: &'static str = "BEGIN";

    /// Connects to `url` (`postgres://user@host/db`, or `postgresql://…`) with
    /// `max_connections` connections, lent without sqlx's pool: it pinged each connection when
    /// it came back, a round trip to the server per statement (`store::connections` says how
    /// broken and half-used connections are handled instead).
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, sqlx::Error> {
        let options = PgConnectOptions::from_str(url)?;
        let pool =
            PgConnections::open(max_connections as usize, &options, Some(ACQUIRE_TIMEOUT)).await?;
        Ok(Self { pool })
    }

    /// The connections, for closing them at shutdown.
    pub fn pool(&self) -> &PgConnections {
        &self.pool
    }

    /// Writes share the pool: PostgreSQL has row locks, not one database-wide write lock.
    pub(crate) fn writer(&self) -> &PgConnections {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl_store!(PgStore, backend = "postgres", migrator = MIGRATOR);
