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
//! runtime (`block_in_place`). Writes that reach the writer together are committed together
//! (`group_commit`).
//!
//! Statements are the same `$N` text as everywhere (`store::sql::queries`): [`bind`] binds
//! `$N` to the N-th argument, as sqlx does, so one statement may name an argument twice.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::types::FromSql;
use rusqlite::{Connection, OpenFlags, Row, Statement, ToSql};

use super::group_commit::{Batch, Writer};
use super::wal;

/// How many prepared statements each connection keeps (every hot statement fits).
const STATEMENT_CACHE: usize = 64;

/// The arguments of one statement; `$N` is the N-th.
pub(crate) type Args<'a> = [&'a (dyn ToSql + Sync)];

/// Connections to one SQLite file, used synchronously on the calling thread.
pub(crate) struct DirectConnections {
    path: PathBuf,
    busy_timeout: Duration,
    writer: tokio::sync::Mutex<Writer>,
    /// Requests waiting for the writer: while there are some, a write leaves its batch open
    /// for them (`group_commit`).
    waiting_writers: AtomicUsize,
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
            writer: tokio::sync::Mutex::new(Writer::new(writer)),
            waiting_writers: AtomicUsize::new(0),
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

    /// Keeps the writer from writing while the guard lives (the WAL keeper's restart); the
    /// open batch, if any, is committed first.
    pub(super) async fn hold_writer(&self) -> tokio::sync::MutexGuard<'_, Writer> {
        let mut writer = self.writer().await;
        if let Err(error) = writer.commit() {
            tracing::error!(%error, "a batch of SQLite writes could not be committed");
        }
        writer
    }

    /// Runs `write` on the writer, in a batch with the writes of the requests that reach the
    /// writer at the same moment (`group_commit`), and returns once its batch is committed.
    /// `write` runs in a transaction or savepoint that is rolled back when it fails. When
    /// another connection holds SQLite's write lock, the batch begins off the runtime,
    /// waiting for the lock up to the busy timeout.
    pub(crate) async fn write<T>(
        self: &Arc<Self>,
        mut write: impl FnMut(&Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        let mut writer = self.writer().await;
        let (value, batch) = match writer.run(&mut write) {
            Err(error) if is_busy(&error) => {
                let busy_timeout = self.busy_timeout;
                off_the_runtime(|| {
                    writer.connection().busy_timeout(busy_timeout)?;
                    let result = writer.run(&mut write);
                    writer.connection().busy_timeout(Duration::ZERO)?;
                    result
                })?
            }
            done => done?,
        };
        // Let the waiting writers join the batch, or, when none waits, the tasks of this
        // thread that are about to write (one yield); whoever comes last commits it.
        let waiting = self.waiting_writers.load(Ordering::Acquire);
        drop(writer);
        let unsettled = UnsettledBatch {
            direct: Arc::clone(self),
            batch,
        };
        if waiting == 0 {
            tokio::task::yield_now().await;
        }
        let mut writer = self.writer().await;
        match unsettled.batch.outcome() {
            Some(outcome) => outcome.map(|()| value),
            None => writer.commit().map(|()| value),
        }
    }

    /// The writer, counted in `waiting_writers` while waiting for it.
    async fn writer(&self) -> tokio::sync::MutexGuard<'_, Writer> {
        struct Waiting<'a>(&'a AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::AcqRel);
            }
        }
        self.waiting_writers.fetch_add(1, Ordering::AcqRel);
        let _waiting = Waiting(&self.waiting_writers);
        self.writer.lock().await
    }
}

/// A batch a request has written to and not yet seen settled. Dropped before then (the
/// request was cancelled, as when its client disconnects), it has the batch committed by a
/// task of its own: otherwise the batch would hold SQLite's write lock until the next write.
struct UnsettledBatch {
    direct: Arc<DirectConnections>,
    batch: Arc<Batch>,
}

impl Drop for UnsettledBatch {
    fn drop(&mut self) {
        if self.batch.outcome().is_some() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            // Shutting down: the connection closes, and SQLite rolls the batch back.
            return;
        };
        let direct = Arc::clone(&self.direct);
        let batch = Arc::clone(&self.batch);
        runtime.spawn(async move {
            let mut writer = direct.writer().await;
            if batch.outcome().is_none()
                && let Err(error) = writer.commit()
            {
                tracing::error!(%error, "a batch of SQLite writes could not be committed");
            }
        });
    }
}

/// A connection with the store's settings (`synchronous = NORMAL` is safe in WAL mode: a
/// power loss can lose the last commits, never corrupt the file). `temp_store = MEMORY`
/// keeps the statement journal of a group commit's savepoints in memory: SQLite spills it to
/// a temporary file past 64 KiB otherwise, a `pwrite` per journalled page.
fn open_connection(path: &Path, busy_timeout: Duration) -> rusqlite::Result<Connection> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    connection.busy_timeout(busy_timeout)?;
    connection.pragma_update(None, "foreign_keys", true)?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "temp_store", "MEMORY")?;
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
mod tests;
