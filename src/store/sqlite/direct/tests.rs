use std::time::Duration;

use rusqlite::Connection;

use super::{Column, Statements as _};
use crate::store::tests::cases;
use crate::store::{AccountStore as _, SqliteStore, Store as _, StoreError};

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

/// Writes that reach the writer together share a batch: each answers only once it is
/// committed (another connection sees it at once), and a failed one (a duplicate) does
/// not take the others down.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_each_answer_committed_and_fail_alone() {
    let store = SqliteStore::connect("sqlite::memory:", 4)
        .await
        .expect("open");
    store.migrate().await.expect("migrate");
    let writes = (0..64).map(|n| {
        let store = store.clone();
        // Every fourth write repeats the login (username, email) of the write before it.
        let username = format!("citizen{}", if n % 4 == 3 { n - 1 } else { n });
        tokio::spawn(async move {
            let id = format!("id{n}");
            let created = store.create_account(&cases::account(&id, &username)).await;
            let visible = store.account(&id).await.expect("read").is_some();
            (created, visible)
        })
    });
    let mut created = 0;
    for write in futures_util::future::join_all(writes).await {
        match write.expect("task") {
            (Ok(()), visible) => {
                assert!(visible, "a write answered before it was committed");
                created += 1;
            }
            (Err(StoreError::Conflict(_)), visible) => {
                assert!(!visible, "a failed write left its row");
            }
            (Err(other), _) => panic!("unexpected error {other:?}"),
        }
    }
    assert_eq!(created, 48);
    assert_eq!(store.count_accounts().await.expect("count"), 48);
}

/// A request cancelled after its write, while its batch waits to be committed (as when
/// its client disconnects), still has the batch committed, so the write lock is free for
/// other connections and nothing waits for a next write.
#[tokio::test(flavor = "current_thread")]
async fn a_cancelled_writer_leaves_its_batch_committed() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("cancel.db");
    let other = Connection::open(&file).expect("other connection");
    other
        .execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE notes (text TEXT)")
        .expect("schema");
    let direct = std::sync::Arc::new(
        super::DirectConnections::open(&file, Duration::from_secs(5), 2).expect("open"),
    );

    let writing = tokio::spawn({
        let direct = std::sync::Arc::clone(&direct);
        async move {
            direct
                .write(|db| db.run("INSERT INTO notes (text) VALUES ('kept')", &[]))
                .await
        }
    });
    // The write runs and yields before committing; then it is cancelled.
    tokio::task::yield_now().await;
    writing.abort();
    assert!(writing.await.expect_err("cancelled").is_cancelled());
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }

    other
        .execute_batch("BEGIN IMMEDIATE; ROLLBACK")
        .expect("the write lock is free");
    let Column(count): Column<i64> = other
        .fetch_optional("SELECT COUNT(*) FROM notes", &[])
        .expect("count")
        .expect("a row");
    assert_eq!(count, 1, "the cancelled request's write was committed");
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
