//! The SQLite backend: one file (WAL mode) or `sqlite::memory:` for throw-away stores.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};

use super::sql::impl_store;

mod direct;
mod grants;
mod group_commit;
mod sign_in;
mod wal;
/// The SQLite connections of a store (see `store::connections`).
pub type SqliteConnections = super::connections::Connections<sqlx::Sqlite>;

/// The schema, embedded at compile time.
static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");

/// How long a connection waits for another writer before failing with "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The store on SQLite: every write on one connection, reads on a pool beside it.
///
/// SQLite admits one writer at a time. With writes spread over a pool, concurrent writers
/// met at the write lock and waited in SQLite's busy handler (sleep, retry), which costs CPU
/// and latency. Writers now queue for the one writer connection in a fair async queue
/// instead, and readers (WAL mode) never wait for them: in the load benchmark (issue 6) a
/// refresh went from 0.42 to 0.36 ms of CPU and its p99 from 57 to 13 ms, with 8 % more
/// sign-in flows per second.
///
/// The sign-in and token stores (`sign_in`, `grants`) call SQLite on the request's thread
/// ([`direct`]); the rest (passkeys, e-signature, import, migrations, housekeeping) goes
/// through sqlx's connections ([`SqliteConnections`]), whose writer SQLite's own write lock
/// keeps in step with the direct one.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// Readers.
    pool: SqliteConnections,
    writer: SqliteConnections,
    direct: Arc<direct::DirectConnections>,
    /// For `sqlite::memory:`: the file standing in for it, removed with the last clone.
    _throw_away: Option<Arc<ThrowAwayFile>>,
}

impl SqliteStore {
    /// How write transactions begin: taking the write lock at once, so a writer in another
    /// process on the same file (`yagona import`, `yagona users`) waits for it (busy timeout)
    /// instead of failing to upgrade a read lock and retrying.
    pub(crate) const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";

    /// Opens (creating when missing, with its parent directory) the database at `url`
    /// (`sqlite://path/to/file.db`), in WAL mode with `synchronous = NORMAL`, a 5 s busy
    /// timeout and foreign keys enforced, with one writer connection and up to
    /// `max_connections` readers, and a task that keeps the WAL from growing under load
    /// ([`wal`]). `sqlite::memory:` (tests, throw-away stores) is a new file in the temporary
    /// directory, removed when the store is dropped: the direct connections and sqlx's must
    /// see one database, which an in-memory one cannot be.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, sqlx::Error> {
        let throw_away = match is_in_memory(url) {
            true => Some(Arc::new(ThrowAwayFile::create().map_err(sqlx::Error::Io)?)),
            false => None,
        };
        let options = match &throw_away {
            Some(file) => SqliteConnectOptions::new().filename(&file.0),
            None => SqliteConnectOptions::from_str(url)?,
        };
        let options = options
            .create_if_missing(true)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            .journal_mode(SqliteJournalMode::Wal)
            .pragma("journal_size_limit", wal::WAL_LIMIT.to_string())
            .pragma("wal_autocheckpoint", wal::AUTOCHECKPOINT_FRAMES.to_string());
        create_parent_dir(options.get_filename()).await?;
        // The writer first: it creates the file and switches it to WAL before readers open it.
        let writer = SqliteConnections::open(1, &options, None).await?;
        let pool = SqliteConnections::open(max_connections as usize, &options, None).await?;
        let direct = direct::DirectConnections::open(
            options.get_filename(),
            BUSY_TIMEOUT,
            max_connections as usize,
        )
        .map_err(|error| sqlx::Error::Configuration(error.into()))?;
        let direct = Arc::new(direct);
        let wal = wal_path(options.get_filename());
        wal::spawn_wal_keeper(&writer, &pool, &direct, wal, BUSY_TIMEOUT);
        Ok(Self {
            pool,
            writer,
            direct,
            _throw_away: throw_away,
        })
    }

    /// The readers.
    pub fn pool(&self) -> &SqliteConnections {
        &self.pool
    }

    /// The one connection every write goes through.
    pub(crate) fn writer(&self) -> &SqliteConnections {
        &self.writer
    }

    /// Closes the readers and the writer.
    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
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

/// A database file in the temporary directory, removed (with its WAL and shared-memory files)
/// when dropped.
#[derive(Debug)]
struct ThrowAwayFile(PathBuf);

impl ThrowAwayFile {
    /// Creates the (empty) file readable by this user only: the temporary directory is
    /// shared, and SQLite gives the WAL and shared-memory files the database file's mode.
    fn create() -> std::io::Result<Self> {
        use std::os::unix::fs::OpenOptionsExt as _;
        let name = format!("yagona-{}.db", crate::crypto::random_id());
        let path = std::env::temp_dir().join(name);
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        Ok(Self(path))
    }
}

impl Drop for ThrowAwayFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.as_os_str().to_owned();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The WAL beside the database file `database` (`<name>-wal`).
fn wal_path(database: &Path) -> PathBuf {
    let mut wal = database.as_os_str().to_owned();
    wal.push("-wal");
    PathBuf::from(wal)
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
