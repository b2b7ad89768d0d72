use std::str::FromStr;
use std::time::Duration;

use super::*;

use sqlx::Sqlite;
use sqlx::sqlite::SqliteConnectOptions;

async fn memory_set(size: usize) -> Connections<Sqlite> {
    let options = SqliteConnectOptions::from_str("sqlite::memory:").expect("options");
    Connections::open(size, &options, None).await.expect("open")
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

/// The PostgreSQL server of the store tests, or a loud skip.
fn postgres_options() -> Option<sqlx::postgres::PgConnectOptions> {
    let Ok(url) = std::env::var("YAGONA_TEST_POSTGRES_URL") else {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: PostgreSQL connection tests (set YAGONA_TEST_POSTGRES_URL)"
        );
        return None;
    };
    Some(url.parse().expect("a PostgreSQL URL"))
}

/// A set of `size` connections to the test server, with its options; `None` (skipped).
async fn postgres_set(
    size: usize,
) -> Option<(
    sqlx::postgres::PgConnectOptions,
    Connections<sqlx::Postgres>,
)> {
    let options = postgres_options()?;
    let set = Connections::open(size, &options, None).await.expect("open");
    Some((options, set))
}

/// The server process behind the connection the set lends next.
async fn backend_pid(set: &Connections<sqlx::Postgres>) -> i32 {
    sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(set)
        .await
        .expect("backend pid")
}

/// Has the server end the session of backend `pid` (as an administrator or a restart would),
/// and gives it time to go.
async fn terminate_backend(options: &sqlx::postgres::PgConnectOptions, pid: i32) {
    let mut admin = options.connect().await.expect("admin connection");
    let terminated: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
        .bind(pid)
        .fetch_one(&mut admin)
        .await
        .expect("terminate");
    assert!(terminated, "no backend {pid}");
    tokio::time::sleep(Duration::from_millis(200)).await;
}

#[tokio::test]
async fn a_connection_the_server_closed_is_replaced() {
    let Some((options, set)) = postgres_set(1).await else {
        return;
    };
    let pid = backend_pid(&set).await;
    terminate_backend(&options, pid).await;
    let failed = sqlx::query_scalar::<_, i32>("SELECT 1")
        .fetch_one(&set)
        .await;
    assert!(failed.is_err(), "the closed connection answered");
    assert_ne!(
        backend_pid(&set).await,
        pid,
        "a new connection in its place"
    );
}

#[tokio::test]
async fn a_transaction_that_met_a_closed_connection_leaves_a_new_one_behind() {
    let Some((options, set)) = postgres_set(1).await else {
        return;
    };
    let pid = {
        let mut lent = set.acquire().await.expect("lend");
        let mut tx = lent.begin().await.expect("begin");
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut *tx)
            .await
            .expect("pid");
        terminate_backend(&options, pid).await;
        let failed = sqlx::query("SELECT 1").execute(&mut *tx).await;
        assert!(failed.is_err(), "the closed connection answered");
        pid
        // The transaction and the connection are dropped here, as a failed `?` would.
    };
    assert_ne!(
        backend_pid(&set).await,
        pid,
        "the next statement runs on a new one"
    );
}

#[tokio::test]
async fn a_dropped_transaction_does_not_keep_its_locks_while_idle() {
    let Some((options, set)) = postgres_set(2).await else {
        return;
    };
    let key = i64::from(std::process::id()) << 16 | 0x7a1d;
    {
        let mut lent = set.acquire().await.expect("lend");
        let mut tx = lent.begin().await.expect("begin");
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(key)
            .execute(&mut *tx)
            .await
            .expect("lock");
        // The borrower goes away without committing: the ROLLBACK is only queued.
    }
    let mut other = options.connect().await.expect("another session");
    let mut locked = false;
    for _ in 0..100 {
        locked = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(key)
            .fetch_one(&mut other)
            .await
            .expect("try lock");
        if locked {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(locked, "the idle connection still holds the lock");
}

#[tokio::test]
async fn a_borrower_gives_up_after_the_acquire_timeout() {
    let options = SqliteConnectOptions::from_str("sqlite::memory:").expect("options");
    let timeout = Some(Duration::from_millis(50));
    let set = Connections::<Sqlite>::open(1, &options, timeout)
        .await
        .expect("open");
    let _lent = set.acquire().await.expect("first borrower");
    assert!(matches!(
        set.acquire().await,
        Err(sqlx::Error::PoolTimedOut)
    ));
}

#[tokio::test]
async fn a_closed_set_lends_nothing() {
    let set = memory_set(2).await;
    set.close().await;
    assert!(matches!(set.acquire().await, Err(sqlx::Error::PoolClosed)));
    set.close().await;
}
