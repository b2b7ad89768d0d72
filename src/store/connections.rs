//! Database connections lent without sqlx's pool.
//!
//! sqlx's pool pings every connection when it comes back (from a task it spawns), in case the
//! borrower left it broken or mid-statement. That costs a round trip per statement: to the
//! connection's own thread for SQLite (sqlx runs each SQLite connection on a thread), to the
//! server for PostgreSQL. Here a connection goes back to its set when the borrower drops it,
//! at the cost of a queue push, and the pool's other duties are kept where they are needed:
//!
//! - Cancellation. A statement whose caller went away finishes before the next borrower's
//!   (SQLite's thread runs commands in order; a PostgreSQL connection reads the answers still
//!   owed before sending anything). A dropped transaction queues its `ROLLBACK`; a connection
//!   with such unsent work (`should_flush`) or still inside a transaction is pinged before it
//!   goes back, so it never waits in the set holding row locks.
//! - Broken connections. A statement that fails for the connection's sake (I/O, TLS, protocol)
//!   marks it broken; a connection idle for longer than [`PING_AFTER_IDLE`] is pinged before it
//!   is lent. A broken one is closed and a new one opened in its place, retried every
//!   [`RECONNECT_DELAY`] while the server is away (borrowers wait meanwhile).

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use crossbeam_queue::ArrayQueue;
use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};
use sqlx::{ConnectOptions, Connection, Database, Describe, Either, Execute, Executor, SqlStr};
use tokio::sync::Semaphore;

/// A connection idle for longer than this is pinged before it is lent (a server restart or a
/// firewall may have closed it meanwhile). Under load no connection idles this long.
const PING_AFTER_IDLE: Duration = Duration::from_secs(30);

/// How long to wait before trying again to replace a broken connection.
const RECONNECT_DELAY: Duration = Duration::from_secs(1);

/// How long closing waits for lent connections to come back (a broken one being replaced
/// while the server is away never does).
const CLOSE_WAIT: Duration = Duration::from_secs(10);

type Options<DB> = <<DB as Database>::Connection as Connection>::Options;

/// A fixed set of open connections to one database, lent one borrower at a time each, in the
/// order borrowers asked (the semaphore is fair).
pub struct Connections<DB: Database> {
    inner: Arc<Inner<DB>>,
}

impl<DB: Database> Clone for Connections<DB> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

struct Inner<DB: Database> {
    /// Idle connections, with when each came back.
    idle: ArrayQueue<(DB::Connection, Instant)>,
    /// One permit per idle connection; closed once the set is closed.
    permits: Semaphore,
    size: usize,
    /// For replacing a broken connection.
    options: Options<DB>,
    /// How long a borrower waits before failing with `PoolTimedOut`; `None`: for as long as
    /// it takes.
    acquire_timeout: Option<Duration>,
    /// Set when closing begins: broken connections are no longer replaced.
    closing: AtomicBool,
}

impl<DB: Database> Inner<DB> {
    /// Puts a connection back; its permit follows (a permit always finds a connection).
    fn give_back(&self, connection: DB::Connection) {
        if self.idle.push((connection, Instant::now())).is_ok() {
            self.permits.add_permits(1);
        }
    }
}

impl<DB: Database> std::fmt::Debug for Connections<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connections")
            .field("database", &DB::NAME)
            .field("size", &self.inner.size)
            .field("idle", &self.inner.idle.len())
            .finish()
    }
}

impl<DB: Database> Connections<DB> {
    /// Opens `size` (at least one) connections with `options`, one after the other. With an
    /// `acquire_timeout`, a borrower that waits longer fails with `PoolTimedOut`.
    pub async fn open(
        size: usize,
        options: &Options<DB>,
        acquire_timeout: Option<Duration>,
    ) -> Result<Self, sqlx::Error> {
        let size = size.max(1);
        let idle = ArrayQueue::new(size);
        for _ in 0..size {
            let connection = options.connect().await?;
            if idle.push((connection, Instant::now())).is_err() {
                unreachable!("the queue holds exactly `size` connections");
            }
        }
        Ok(Self {
            inner: Arc::new(Inner {
                idle,
                permits: Semaphore::new(size),
                size,
                options: options.clone(),
                acquire_timeout,
                closing: AtomicBool::new(false),
            }),
        })
    }

    /// A handle that does not keep the set open (for background work on it).
    pub(crate) fn downgrade(&self) -> WeakConnections<DB> {
        WeakConnections(Arc::downgrade(&self.inner))
    }

    /// How many connections the set holds.
    pub fn size(&self) -> usize {
        self.inner.size
    }

    /// Waits for an idle connection and lends it until the returned guard is dropped.
    pub async fn acquire(&self) -> Result<LentConnection<DB>, sqlx::Error> {
        loop {
            let waiting = self.inner.permits.acquire();
            let permit = match self.inner.acquire_timeout {
                Some(timeout) => tokio::time::timeout(timeout, waiting)
                    .await
                    .map_err(|_| sqlx::Error::PoolTimedOut)?,
                None => waiting.await,
            }
            .map_err(|_| sqlx::Error::PoolClosed)?;
            permit.forget();
            let (connection, idle_since) = self
                .inner
                .idle
                .pop()
                .expect("a permit stands for an idle connection");
            let mut lent = LentConnection {
                connection: Some(connection),
                inner: Arc::clone(&self.inner),
                broken: false,
            };
            if idle_since.elapsed() < PING_AFTER_IDLE {
                return Ok(lent);
            }
            match lent.ping().await {
                Ok(()) => return Ok(lent),
                Err(error) => {
                    tracing::info!(%error, database = DB::NAME, "an idle connection broke");
                    lent.broken = true; // replaced when dropped; try the next one
                }
            }
        }
    }

    /// Waits for every connection to come back (at most [`CLOSE_WAIT`]), then closes them;
    /// later borrowers get `PoolClosed`. Closing twice (a shared in-memory set) is harmless.
    pub async fn close(&self) {
        self.inner.closing.store(true, Ordering::Release);
        let everything = self.inner.permits.acquire_many(self.inner.size as u32);
        match tokio::time::timeout(CLOSE_WAIT, everything).await {
            Ok(Ok(all)) => all.forget(),
            Ok(Err(_)) => return, // closed before
            Err(_) => tracing::warn!(database = DB::NAME, "closing without every connection"),
        }
        self.inner.permits.close();
        while let Some((connection, _)) = self.inner.idle.pop() {
            if let Err(error) = connection.close().await {
                tracing::warn!(%error, database = DB::NAME, "closing a connection");
            }
        }
    }
}

/// A [`Connections`] that is gone once every strong handle is.
pub(crate) struct WeakConnections<DB: Database>(Weak<Inner<DB>>);

impl<DB: Database> WeakConnections<DB> {
    pub(crate) fn upgrade(&self) -> Option<Connections<DB>> {
        self.0.upgrade().map(|inner| Connections { inner })
    }
}

/// A connection lent from [`Connections`]; it goes back when this is dropped.
pub struct LentConnection<DB: Database> {
    connection: Option<DB::Connection>,
    inner: Arc<Inner<DB>>,
    /// Failed for the connection's sake: replaced instead of given back.
    broken: bool,
}

impl<DB: Database> LentConnection<DB> {
    /// Notes whether `result` says the connection itself failed.
    fn note<T>(&mut self, result: &Result<T, sqlx::Error>) {
        if let Err(error) = result {
            self.broken |= breaks_the_connection(error);
        }
    }
}

/// Errors after which a connection cannot be trusted with another statement: its transport
/// failed, or the server says it is closing it (SQLSTATE class 08, connection exception; 57P01
/// to 57P03, shutdown or termination by an administrator).
fn breaks_the_connection(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(error) => error
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}

impl<DB: Database> Deref for LentConnection<DB> {
    type Target = DB::Connection;

    fn deref(&self) -> &DB::Connection {
        self.connection.as_ref().expect("lent until dropped")
    }
}

impl<DB: Database> DerefMut for LentConnection<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        self.connection.as_mut().expect("lent until dropped")
    }
}

impl<DB: Database> Drop for LentConnection<DB> {
    fn drop(&mut self) {
        let Some(mut connection) = self.connection.take() else {
            return;
        };
        let inner = Arc::clone(&self.inner);
        let clean = !self.broken && !connection.should_flush() && !connection.is_in_transaction();
        if clean {
            inner.give_back(connection);
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return; // no runtime left to finish it on: the set is shutting down
        };
        let broken = self.broken;
        runtime.spawn(async move {
            // Unsent work (a dropped transaction's ROLLBACK) is sent and answered first.
            if !broken && connection.ping().await.is_ok() && !connection.is_in_transaction() {
                inner.give_back(connection);
                return;
            }
            if let Err(error) = connection.close_hard().await {
                tracing::debug!(%error, database = DB::NAME, "closing a broken connection");
            }
            replace_connection(&inner).await;
        });
    }
}

/// Opens a connection in place of a broken one, trying again while the server is away; gives
/// up once the set is closed.
async fn replace_connection<DB: Database>(inner: &Inner<DB>) {
    loop {
        if inner.closing.load(Ordering::Acquire) {
            return;
        }
        match inner.options.connect().await {
            Ok(connection) => return inner.give_back(connection),
            Err(error) => {
                tracing::warn!(%error, database = DB::NAME, "replacing a broken connection");
                tokio::time::sleep(RECONNECT_DELAY).await;
            }
        }
    }
}

/// The set runs a statement on whichever connection it lends next, as `&Pool` does. A
/// statement's rows are collected before the connection goes back (ours are all small or
/// fetched whole anyway), so nothing borrows the connection after its turn.
impl<'p, DB> Executor<'p> for &'_ Connections<DB>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    type Database = DB;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<DB::QueryResult, DB::Row>, sqlx::Error>>
    where
        E: 'q + Execute<'q, DB>,
    {
        let connections = self.clone();
        stream::once(async move {
            let mut connection = connections.acquire().await?;
            let results = connection.fetch_many(query).try_collect::<Vec<_>>().await;
            connection.note(&results);
            results
        })
        .map_ok(|results| stream::iter(results.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<DB::Row>, sqlx::Error>>
    where
        E: 'q + Execute<'q, DB>,
    {
        let connections = self.clone();
        Box::pin(async move {
            let mut connection = connections.acquire().await?;
            let row = connection.fetch_optional(query).await;
            connection.note(&row);
            row
        })
    }

    fn prepare_with<'e>(
        self,
        sql: SqlStr,
        parameters: &'e [DB::TypeInfo],
    ) -> BoxFuture<'e, Result<DB::Statement, sqlx::Error>>
    where
        'p: 'e,
    {
        let connections = self.clone();
        Box::pin(async move {
            let mut connection = connections.acquire().await?;
            let statement = connection.prepare_with(sql, parameters).await;
            connection.note(&statement);
            statement
        })
    }

    fn describe<'e>(self, sql: SqlStr) -> BoxFuture<'e, Result<Describe<DB>, sqlx::Error>> {
        let connections = self.clone();
        Box::pin(async move {
            let mut connection = connections.acquire().await?;
            let description = connection.describe(sql).await;
            connection.note(&description);
            description
        })
    }
}

#[cfg(test)]
mod tests;
