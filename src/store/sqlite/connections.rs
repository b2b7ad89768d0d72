//! SQLite connections lent without sqlx's pool.
//!
//! sqlx runs each SQLite connection on a thread of its own and every command is a round trip
//! to that thread. Its pool adds one more on every return: it pings the connection (a network
//! connection may have broken while lent) from a task it spawns. A SQLite connection cannot
//! break that way, so here a connection goes back to its set when the borrower drops it, at
//! the cost of a queue push. Cancellation is safe the way it is for a pooled connection: the
//! connection's thread runs commands in order, so a statement whose caller went away finishes
//! before the next borrower's, and a dropped transaction has already queued its rollback.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Weak};

use crossbeam_queue::ArrayQueue;
use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteQueryResult, SqliteRow};
use sqlx::{ConnectOptions, Connection, Either, Execute, Executor, SqlStr, Sqlite};
use tokio::sync::Semaphore;

/// A fixed set of open connections to one database, lent one borrower at a time each, in the
/// order borrowers asked (the semaphore is fair).
#[derive(Clone)]
pub struct SqliteConnections {
    inner: Arc<Inner>,
}

struct Inner {
    idle: ArrayQueue<SqliteConnection>,
    /// One permit per idle connection; closed once the set is closed.
    permits: Semaphore,
    size: usize,
}

impl std::fmt::Debug for SqliteConnections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteConnections")
            .field("size", &self.inner.size)
            .field("idle", &self.inner.idle.len())
            .finish()
    }
}

impl SqliteConnections {
    /// Opens `size` (at least one) connections with `options`, one after the other.
    pub async fn open(size: usize, options: &SqliteConnectOptions) -> Result<Self, sqlx::Error> {
        let size = size.max(1);
        let idle = ArrayQueue::new(size);
        for _ in 0..size {
            let connection = options.connect().await?;
            if idle.push(connection).is_err() {
                unreachable!("the queue holds exactly `size` connections");
            }
        }
        Ok(Self {
            inner: Arc::new(Inner {
                idle,
                permits: Semaphore::new(size),
                size,
            }),
        })
    }

    /// A handle that does not keep the set open (for background work on it).
    pub(super) fn downgrade(&self) -> WeakConnections {
        WeakConnections(Arc::downgrade(&self.inner))
    }

    /// How many connections the set holds.
    pub fn size(&self) -> usize {
        self.inner.size
    }

    /// Waits for an idle connection and lends it until the returned guard is dropped.
    pub async fn acquire(&self) -> Result<LentConnection, sqlx::Error> {
        let permit = self
            .inner
            .permits
            .acquire()
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        permit.forget();
        let connection = self
            .inner
            .idle
            .pop()
            .expect("a permit stands for an idle connection");
        Ok(LentConnection {
            connection: Some(connection),
            inner: Arc::clone(&self.inner),
        })
    }

    /// Waits for every connection to come back, then closes them; later borrowers get
    /// `PoolClosed`. Closing twice (a shared in-memory set) is harmless.
    pub async fn close(&self) {
        let Ok(all) = self
            .inner
            .permits
            .acquire_many(self.inner.size as u32)
            .await
        else {
            return;
        };
        all.forget();
        self.inner.permits.close();
        while let Some(connection) = self.inner.idle.pop() {
            if let Err(error) = connection.close().await {
                tracing::warn!(%error, "closing a SQLite connection");
            }
        }
    }
}

/// A [`SqliteConnections`] that is gone once every strong handle is.
pub(super) struct WeakConnections(Weak<Inner>);

impl WeakConnections {
    pub(super) fn upgrade(&self) -> Option<SqliteConnections> {
        self.0.upgrade().map(|inner| SqliteConnections { inner })
    }
}

/// A connection lent from [`SqliteConnections`]; it goes back when this is dropped.
pub struct LentConnection {
    connection: Option<SqliteConnection>,
    inner: Arc<Inner>,
}

impl Deref for LentConnection {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        self.connection.as_ref().expect("lent until dropped")
    }
}

impl DerefMut for LentConnection {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.connection.as_mut().expect("lent until dropped")
    }
}

impl Drop for LentConnection {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take() {
            // The connection first, then its permit: a permit always finds a connection.
            if self.inner.idle.push(connection).is_ok() {
                self.inner.permits.add_permits(1);
            }
        }
    }
}

/// The set runs a statement on whichever connection it lends next, as `&Pool` does. A
/// statement's rows are collected before the connection goes back (ours are all small or
/// fetched whole anyway), so nothing borrows the connection after its turn.
impl<'p> Executor<'p> for &'_ SqliteConnections {
    type Database = Sqlite;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<SqliteQueryResult, SqliteRow>, sqlx::Error>>
    where
        E: 'q + Execute<'q, Sqlite>,
    {
        let connections = self.clone();
        stream::once(async move {
            let mut connection = connections.acquire().await?;
            connection.fetch_many(query).try_collect::<Vec<_>>().await
        })
        .map_ok(|results| stream::iter(results.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<SqliteRow>, sqlx::Error>>
    where
        E: 'q + Execute<'q, Sqlite>,
    {
        let connections = self.clone();
        Box::pin(async move {
            let mut connection = connections.acquire().await?;
            connection.fetch_optional(query).await
        })
    }

    fn prepare_with<'e>(
        self,
        sql: SqlStr,
        parameters: &'e [sqlx::sqlite::SqliteTypeInfo],
    ) -> BoxFuture<'e, Result<sqlx::sqlite::SqliteStatement, sqlx::Error>>
    where
        'p: 'e,
    {
        let connections = self.clone();
        Box::pin(async move {
            let mut connection = connections.acquire().await?;
            connection.prepare_with(sql, parameters).await
        })
    }

    fn describe<'e>(
        self,
        sql: SqlStr,
    ) -> BoxFuture<'e, Result<sqlx::Describe<Sqlite>, sqlx::Error>> {
        let connections = self.clone();
        Box::pin(async move {
            let mut connection = connections.acquire().await?;
            connection.describe(sql).await
        })
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;
    use std::time::Duration;

    use super::*;

    async fn memory_set(size: usize) -> SqliteConnections {
        let options = SqliteConnectOptions::from_str("sqlite::memory:").expect("options");
        SqliteConnections::open(size, &options).await.expect("open")
    }

    #[tokio::test]
    async fn a_borrower_waits_until_a_connection_comes_back() {
        let set = memory_set(1).await;
        let lent = set.acquire().await.expect("first borrower");
        let waiting = tokio::time::timeout(Duration::from_millis(50), set.acquire()).await;
        assert!(waiting.is_err(), "the only connection was lent twice");
        drop(lent);
        let again = set.acquire().await.expect("after its return");
        drop(again);
        let one: i64 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&set)
            .await
            .expect("statement through the set");
        assert_eq!(one, 1);
    }

    #[tokio::test]
    async fn a_closed_set_lends_nothing() {
        let set = memory_set(2).await;
        set.close().await;
        assert!(matches!(set.acquire().await, Err(sqlx::Error::PoolClosed)));
        set.close().await;
    }
}
