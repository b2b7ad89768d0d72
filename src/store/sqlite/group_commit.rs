//! Group commit: the writes of requests that reach the writer together share one transaction
//! and one commit.
//!
//! Under load most of a SQLite write's cost is its commit: every page the transaction changed
//! is appended to the WAL (two system calls a page) and later copied into the database by the
//! WAL keeper. Requests that write at the same moment mostly change the same pages (the last
//! leaf of each table and of each `expires_at` index), so committing them together writes
//! those pages once.
//!
//! How a write joins a batch ([`super::direct::DirectConnections::write`]): the request takes
//! the writer; if no transaction is open it begins one (`BEGIN IMMEDIATE`), else it runs
//! inside a savepoint of the open one, so a failed write rolls back alone. Then it lets the
//! requests waiting for the writer in (or, when none waits, yields once, so that the tasks
//! of its thread about to write can join) and queues again behind them: when its turn comes
//! back, either one of them has committed the batch (or seen it fail), or it commits the
//! batch itself. A request answers only once its batch is committed, so whatever it reports
//! is durable and visible to every reader, exactly as with a commit of its own. No request
//! waits on another that may never come: each member of a batch commits it when nobody has.

use std::sync::{Arc, OnceLock};

use rusqlite::Connection;

const BEGIN: &str = "BEGIN IMMEDIATE";
const COMMIT: &str = "COMMIT";
const ROLLBACK: &str = "ROLLBACK";
const SAVEPOINT: &str = "SAVEPOINT batch_member";
const RELEASE: &str = "RELEASE batch_member";
const ROLLBACK_TO: &str = "ROLLBACK TO batch_member";

/// The writer connection and the batch its open transaction holds, if any.
pub(crate) struct Writer {
    connection: Connection,
    open: Option<Arc<Batch>>,
}

/// The writes of one transaction; its outcome is set once, when it commits or fails.
#[derive(Default)]
pub(crate) struct Batch {
    outcome: OnceLock<Result<(), BatchFailure>>,
}

/// Why a batch was lost, kept to report to each of its members.
#[derive(Debug, Clone)]
struct BatchFailure {
    extended_code: i32,
    message: String,
}

impl BatchFailure {
    fn of(error: &rusqlite::Error) -> Self {
        Self {
            extended_code: error
                .sqlite_error()
                .map_or(rusqlite::ffi::SQLITE_ERROR, |e| e.extended_code),
            message: error.to_string(),
        }
    }

    fn to_error(&self) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(self.extended_code),
            Some(format!(
                "the batch of writes was not committed: {}",
                self.message
            )),
        )
    }
}

impl Batch {
    /// `None` while the batch is open; then whether it was committed.
    pub(crate) fn outcome(&self) -> Option<rusqlite::Result<()>> {
        self.outcome
            .get()
            .map(|outcome| outcome.as_ref().map_err(BatchFailure::to_error).copied())
    }

    fn settle(&self, outcome: Result<(), BatchFailure>) {
        // Set once: only the writer that takes the batch out of `open` settles it.
        let _ = self.outcome.set(outcome);
    }
}

impl Writer {
    pub(crate) fn new(connection: Connection) -> Self {
        Self {
            connection,
            open: None,
        }
    }

    pub(crate) fn connection(&self) -> &Connection {
        &self.connection
    }

    /// Runs `write` in the open batch, or in a new one. A failed write changes nothing: the
    /// batch's first write fails with its transaction rolled back, a later one with its
    /// savepoint rolled back. `BEGIN` fails with `SQLITE_BUSY` when another connection holds
    /// the write lock; `write` has not run then.
    pub(crate) fn run<T>(
        &mut self,
        write: &mut impl FnMut(&Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<(T, Arc<Batch>)> {
        let joined = self.open.clone();
        let result = match &joined {
            None => self.begin().and_then(|()| write(&self.connection)),
            Some(_) => self.in_savepoint(write),
        };
        match (result, joined) {
            (Ok(value), Some(batch)) => Ok((value, batch)),
            (Ok(value), None) => {
                let batch = Arc::new(Batch::default());
                self.open = Some(Arc::clone(&batch));
                Ok((value, batch))
            }
            (Err(error), _) => {
                self.abandon_if_ended(&error);
                Err(error)
            }
        }
    }

    /// Commits the open batch, if there is one, and settles it for all its members.
    pub(crate) fn commit(&mut self) -> rusqlite::Result<()> {
        let Some(batch) = self.open.take() else {
            return Ok(());
        };
        match self.statement(COMMIT) {
            Ok(()) => {
                batch.settle(Ok(()));
                Ok(())
            }
            Err(error) => {
                if !self.connection.is_autocommit() {
                    // Nothing of a batch that failed to commit may stay pending.
                    let _ = self.statement(ROLLBACK);
                }
                batch.settle(Err(BatchFailure::of(&error)));
                Err(error)
            }
        }
    }

    fn begin(&mut self) -> rusqlite::Result<()> {
        self.statement(BEGIN)
    }

    fn in_savepoint<T>(
        &mut self,
        write: &mut impl FnMut(&Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        self.statement(SAVEPOINT)?;
        let result = write(&self.connection).and_then(|value| {
            self.statement(RELEASE)?;
            Ok(value)
        });
        if result.is_err() && !self.connection.is_autocommit() {
            let undone = self
                .statement(ROLLBACK_TO)
                .and_then(|()| self.statement(RELEASE));
            if undone.is_err() {
                // The batch cannot be kept without this write's half: it is lost whole.
                let _ = self.statement(ROLLBACK);
            }
        }
        result
    }

    /// After a failed write: when the transaction is gone (rolled back by SQLite itself, as
    /// after an I/O error, or by a failed first write), the batch it held is lost, and its
    /// members learn so.
    fn abandon_if_ended(&mut self, error: &rusqlite::Error) {
        if !self.connection.is_autocommit() && self.open.is_none() {
            // The batch's first write failed: undo what it began.
            let _ = self.statement(ROLLBACK);
        }
        if self.connection.is_autocommit()
            && let Some(batch) = self.open.take()
        {
            batch.settle(Err(BatchFailure::of(error)));
        }
    }

    fn statement(&self, sql: &str) -> rusqlite::Result<()> {
        self.connection.prepare_cached(sql)?.raw_execute().map(drop)
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::Writer;
    use crate::store::sqlite::direct::{Column, Statements as _};

    fn writer(schema: &str) -> Writer {
        let connection = Connection::open_in_memory().expect("open");
        connection.execute_batch(schema).expect("schema");
        Writer::new(connection)
    }

    fn names(writer: &Writer) -> Vec<String> {
        let rows: Vec<Column<String>> = writer
            .connection()
            .fetch_all("SELECT name FROM people ORDER BY name", &[])
            .expect("select");
        rows.into_iter().map(|Column(name)| name).collect()
    }

    fn insert(name: &'static str) -> impl FnMut(&Connection) -> rusqlite::Result<usize> {
        move |db| db.run("INSERT INTO people (name) VALUES ($1)", &[&name])
    }

    const PEOPLE: &str = "CREATE TABLE people (name TEXT PRIMARY KEY)";

    #[test]
    fn writes_of_one_batch_share_one_commit_and_a_failed_one_rolls_back_alone() {
        let mut writer = writer(PEOPLE);
        let (_, first) = writer.run(&mut insert("ali")).expect("first write");
        let (_, second) = writer.run(&mut insert("vali")).expect("second write");
        assert!(std::sync::Arc::ptr_eq(&first, &second), "one batch");
        let duplicate = writer.run(&mut insert("ali"));
        assert!(duplicate.is_err(), "the duplicate fails");
        assert!(first.outcome().is_none(), "still open");

        writer.commit().expect("commit");
        assert!(matches!(first.outcome(), Some(Ok(()))));
        assert_eq!(names(&writer), ["ali", "vali"]);
        assert!(
            writer.connection().is_autocommit(),
            "no transaction left open"
        );
    }

    #[test]
    fn a_failed_first_write_leaves_no_batch_open() {
        let mut writer = writer(PEOPLE);
        let mut two_then_fail = |db: &Connection| {
            db.run("INSERT INTO people (name) VALUES ('a'), ('b')", &[])?;
            db.run("INSERT INTO people (name) VALUES ('a')", &[])
        };
        assert!(writer.run(&mut two_then_fail).is_err());
        assert!(writer.connection().is_autocommit());
        writer.commit().expect("nothing to commit");
        assert!(names(&writer).is_empty(), "the failed write left nothing");
    }

    /// A commit that fails (here a deferred foreign key) loses the whole batch, and every
    /// member learns so from the batch.
    #[test]
    fn a_failed_commit_fails_every_member() {
        let mut writer = writer(
            "PRAGMA foreign_keys = ON; CREATE TABLE people (name TEXT PRIMARY KEY); \
             CREATE TABLE pets (owner TEXT REFERENCES people (name) DEFERRABLE INITIALLY DEFERRED)",
        );
        let (_, batch) = writer.run(&mut insert("ali")).expect("first write");
        writer
            .run(&mut |db: &Connection| db.run("INSERT INTO pets (owner) VALUES ('nobody')", &[]))
            .expect("deferred check passes for now");

        assert!(writer.commit().is_err(), "the commit fails");
        let outcome = batch.outcome().expect("settled");
        let error = outcome.expect_err("the member learns the batch failed");
        assert_eq!(
            error.sqlite_error_code(),
            Some(rusqlite::ErrorCode::ConstraintViolation)
        );
        assert!(writer.connection().is_autocommit());
        assert!(names(&writer).is_empty(), "nothing of the batch was kept");
    }
}
