//! The SQLite backend: one file (WAL mode) or `sqlite::memory:` for throw-away stores.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::sql::impl_store;

/// The schema, embedded at compile time.
static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");

/// How long a connection waits for another writer before failing with "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The store on SQLite.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// How write transactions begin: taking the write lock at once, so concurrent writers
    /// wait (busy timeout) instead of failing to upgrade a read lock and retrying.
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";

    /// Opens (creating when missing, with its parent directory) the database at `url`
    /// (`sqlite://path/to/file.db` or `sqlite::memory:`), in WAL mode with `synchronous =
    /// NORMAL`, a 5 s busy timeout and foreign keys enforced. An in-memory database lives in
    /// one connection, so the pool is then limited to one.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, sqlx::Error> {
        let in_memory = is_in_memory(url);
        let mut options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let max_connections = if in_memory {
            1
        } else {
            options = options.journal_mode(SqliteJournalMode::Wal);
            create_parent_dir(options.get_filename()).await?;
            max_connections.max(1)
        };
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections)
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }

    /// The underlying pool, for closing it at shutdown.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

impl_store!(SqliteStore, backend = "sqlite", migrator = MIGRATOR);

/// Whether the URL names an in-memory database (`sqlite::memory:`, `sqlite://:memory:` or
/// `mode=memory`), the same forms sqlx recognises.
fn is_in_memory(url: &str) -> bool {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let (database, params) = rest.split_once('?').unwrap_or((rest, ""));
    database == ":memory:" || params.split('&').any(|param| param == "mode=memory")
}

async fn create_parent_dir(file: &Path) -> Result<(), sqlx::Error> {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => tokio::fs::create_dir_all(dir)
            .await
            .map_err(sqlx::Error::Io),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_in_memory_urls() {
        assert!(is_in_memory("sqlite::memory:"));
        assert!(is_in_memory("sqlite://:memory:"));
        assert!(is_in_memory("sqlite://db?mode=memory&cache=shared"));
        assert!(!is_in_memory("sqlite://data/yagona.db"));
        assert!(!is_in_memory("sqlite:yagona.db?mode=rwc"));
    }
}
