//! SQLite called on the request's own thread (rusqlite), for the statements of the sign-in
//! and token paths.
//!
//! sqlx-sqlite runs each connection on a worker thread and hands every statement to it and
//! the result back: two thread wake-ups per statement, which on two cores cost about five
//! times the statement itself (issue 6: 0.16 against 0.03 ms of CPU for a write and a read).
//! Here a statement runs where the request runs. That is sound because SQLite in WAL mode
//! never makes a reader wait, and the one writer connection is taken through an async lock,
//! so a request waits for another request's write without holding a thread; the write itself
//! takes microseconds. Only when another connection holds SQLite's write lock (the WAL keeper
//! restarting the log, a write through the sqlx connections, another process such as
//! `yagona import`) does a writer have to wait inside SQLite, and that wait is moved off the
//! runtime (`block_in_place`).
//!
//! Statements are the same `$N` text as everywhere (`store::sql::queries`): [`bind`] binds
//! `$N` to the N-th argument, as sqlx does, so one statement may name an argument twice.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::types::FromSql;
use rusqlite::{Connection, OpenFlags, Row, Statement, ToSql};

use super::wal;

/// How many prepared statements each connection keeps (every hot statement fits).
const STATEMENT_CACHE: usize = 64;

/// The arguments of one statement; `$N` is the N-th.
pub(crate) type Args<'a> = [&'a (dyn ToSql + Sync)];

/// Connections to one SQLite file, used synchronously on the calling thread.
pub(crate) struct DirectConnections {
    path: PathBuf,
    busy_timeout: Duration,
    writer: tokio::sync::Mutex<Connection>,
    /// Idle readers. A reader is in use only for the length of a synchronous call, so there
    /// are never more than threads that read at once.
    readers: Mutex<Vec<Connection>>,
    max_idle_readers: usize,
}

impl std::fmt::Debug for DirectConnections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectConnections")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl DirectConnections {
    /// Opens the writer of an existing WAL-mode database (the sqlx writer creates and
    /// migrates it); readers are opened when first needed, and at most `max_idle_readers`
    /// are kept.
    pub(crate) fn open(
        path: &Path,
        busy_timeout: Duration,
        max_idle_readers: usize,
    ) -> rusqlite::Result<Self> {
        let writer = open_connection(path, busy_timeout)?;
        // The writer waits inside SQLite only off the runtime (`write`).
        writer.busy_timeout(Duration::ZERO)?;
        Ok(Self {
            path: path.to_owned(),
            busy_timeout,
            writer: tokio::sync::Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            max_idle_readers: max_idle_readers.max(1),
        })
    }

    /// Runs `read` on an idle reader (opening one when none is idle).
    pub(crate) fn read<T>(
        &self,
        read: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        let idle = self.readers.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let reader = match idle {
            Some(reader) => reader,
            None => open_connection(&self.path, self.busy_timeout)?,
        };
        let result = read(&reader);
        let mut readers = self.readers.lock().unwrap_or_else(|e| e.into_inner());
        if readers.len() < self.max_idle_readers {
            readers.push(reader);
        }
        result
    }

    /// Keeps the writer from writing while the guard lives (the WAL keeper's restart).
    pub(super) async fn hold_writer(&self) -> tokio::sync::MutexGuard<'_, Connection> {
        self.writer.lock().await
    }

    /// Runs `write` on the writer. `write` must leave nothing behind when it fails (a
    /// `Transaction` rolls back when dropped): when SQLite's write lock is held by another
    /// connection, it runs again, waiting for the lock up to the busy timeout off the runtime.
    pub(crate) async fn write<T>(
        &self,
        mut write: impl FnMut(&mut Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        let mut writer = self.writer.lock().await;
        match write(&mut writer) {
            Err(error) if is_busy(&error) => {}
            done => return done,
        }
        let busy_timeout = self.busy_timeout;
        off_the_runtime(|| {
            writer.busy_timeout(busy_timeout)?;
            let result = write(&mut writer);
            writer.busy_timeout(Duration::ZERO)?;
            result
        })
    }
}

/// A connection with the store's settings (`synchronous = NORMAL` is safe in WAL mode: a
/// power loss can lose the last commits, never corrupt the file).
fn open_connection(path: &Path, busy_timeout: Duration) -> rusqlite::Result<Connection> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    connection.busy_timeout(busy_timeout)?;
    connection.pragma_update(None, "foreign_keys", true)?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "journal_size_limit", wal::WAL_LIMIT as i64)?;
    connection.pragma_update(None, "wal_autocheckpoint", wal::AUTOCHECKPOINT_FRAMES)?;
    connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(connection)
}

fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Runs blocking work without stalling the other tasks of a multi-threaded runtime; on a
/// current-thread runtime (tests) there is nothing to hand the thread's tasks to.
fn off_the_runtime<T>(work: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

/// Binds `$N` (or `?N`) to `args[N - 1]`, wherever and however often it appears.
fn bind(statement: &mut Statement<'_>, args: &Args<'_>) -> rusqlite::Result<()> {
    for index in 1..=statement.parameter_count() {
        let number = statement
            .parameter_name(index)
            .and_then(|name| name.get(1..))
            .and_then(|digits| digits.parse::<usize>().ok());
        let arg = number
            .and_then(|n| n.checked_sub(1))
            .and_then(|n| args.get(n))
            .ok_or(rusqlite::Error::InvalidParameterCount(index, args.len()))?;
        statement.raw_bind_parameter(index, arg)?;
    }
    Ok(())
}

/// A value made from one result row.
pub(crate) trait FromRow: Sized {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self>;
}

/// One column (`SELECT COUNT(*)`, `RETURNING grant_id`).
#[derive(Debug)]
pub(crate) struct Column<T>(pub T);

impl<T: FromSql> FromRow for Column<T> {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        row.get(0).map(Column)
    }
}

impl<A: FromSql, B: FromSql> FromRow for (A, B) {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok((row.get(0)?, row.get(1)?))
    }
}

/// Implements [`FromRow`] for structs whose fields are named as the statement's columns.
macro_rules! from_columns {
    ($($row:ty { $($field:ident),* $(,)? })*) => {$(
        impl $crate::store::sqlite::direct::FromRow for $row {
            fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
                Ok(Self { $($field: row.get(stringify!($field))?),* })
            }
        }
    )*};
}
pub(crate) use from_columns;

/// The statements of the store, run on one connection.
pub(crate) trait Statements {
    /// Runs a statement that returns no rows; the number of rows it changed.
    fn run(&self, sql: &str, args: &Args<'_>) -> rusqlite::Result<usize>;
    /// The first row, if any.
    fn fetch_optional<T: FromRow>(&self, sql: &str, args: &Args<'_>)
    -> rusqlite::Result<Option<T>>;
    fn fetch_all<T: FromRow>(&self, sql: &str, args: &Args<'_>) -> rusqlite::Result<Vec<T>>;
}

impl Statements for Connection {
    fn run(&self, sql: &str, args: &Args<'_>) -> rusqlite::Result<usize> {
        let mut statement = self.prepare_cached(sql)?;
        bind(&mut statement, args)?;
        statement.raw_execute()
    }

    fn fetch_optional<T: FromRow>(
        &self,
        sql: &str,
        args: &Args<'_>,
    ) -> rusqlite::Result<Option<T>> {
        let mut statement = self.prepare_cached(sql)?;
        bind(&mut statement, args)?;
        let mut rows = statement.raw_query();
        let first = rows.next()?.map(T::from_row).transpose()?;
        // A RETURNING statement finishes its write only when stepped to the end.
        while rows.next()?.is_some() {}
        Ok(first)
    }

    fn fetch_all<T: FromRow>(&self, sql: &str, args: &Args<'_>) -> rusqlite::Result<Vec<T>> {
        let mut statement = self.prepare_cached(sql)?;
        bind(&mut statement, args)?;
        let mut rows = statement.raw_query();
        let mut all = Vec::new();
        while let Some(row) = rows.next()? {
            all.push(T::from_row(row)?);
        }
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use rusqlite::Connection;

    use super::{Column, Statements as _};
    use crate::store::tests::cases;
    use crate::store::{AccountStore as _, SqliteStore, Store as _};

    #[test]
    fn numbered_arguments_bind_wherever_they_appear() {
        let db = Connection::open_in_memory().expect("open");
        let joined: Option<Column<String>> = db
            .fetch_optional("SELECT $2 || $1 || $2", &[&"a", &"b"])
            .expect("select");
        assert_eq!(joined.map(|Column(text)| text).as_deref(), Some("bab"));
        let missing = db.fetch_optional::<Column<String>>("SELECT $3", &[&"a"]);
        assert!(
            matches!(missing, Err(rusqlite::Error::InvalidParameterCount(..))),
            "{missing:?}"
        );
    }

    /// Another connection (here another process's, as `yagona import` would be) holds SQLite's
    /// write lock: a direct write waits for it, off the runtime, and then succeeds.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_write_waits_for_a_write_lock_held_elsewhere() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let file = dir.path().join("locked.db");
        let store = SqliteStore::connect(&format!("sqlite://{}", file.display()), 2)
            .await
            .expect("open");
        store.migrate().await.expect("migrate");
        let other = Connection::open(&file).expect("other connection");
        other
            .execute_batch("BEGIN IMMEDIATE")
            .expect("take the write lock");

        let writing = tokio::spawn({
            let store = store.clone();
            async move { store.create_account(&cases::account("late", "late")).await }
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            !writing.is_finished(),
            "the write did not wait for the lock"
        );
        other
            .execute_batch("COMMIT")
            .expect("release the write lock");

        writing
            .await
            .expect("task")
            .expect("the write after the lock");
        assert_eq!(store.count_accounts().await.expect("count"), 1);
    }
}
