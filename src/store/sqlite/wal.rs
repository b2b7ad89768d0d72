//! Keeping the write-ahead log bounded under continuous load.
//!
//! SQLite's automatic checkpoint (PASSIVE, after a commit that leaves 1 000 pages in the WAL)
//! copies frames into the database file but not past a frame some reader still sees, and the
//! log starts over from its beginning only when a write begins after a *complete* checkpoint.
//! Under steady load some reader is always mid-statement, so neither happens ("checkpoint
//! starvation" in SQLite's WAL documentation): in the refresh benchmark the WAL grew by about
//! 150 MB a second, and every append extended the file, which the kernel zeroes page by page
//! (a fifth of the provider's CPU). A small task therefore looks at the WAL's size a few times
//! a second and, past [`WAL_LIMIT`], runs a RESTART checkpoint on the writer connection: it
//! waits for readers of older frames to finish (their statements take microseconds), copies
//! the rest and makes the next write start the log over; `journal_size_limit` then truncates
//! the file back to [`WAL_LIMIT`]. It waits for readers at most 100 ms, holding the writer
//! meanwhile: a reader that keeps an old snapshot for longer (a backup, another process's
//! long read) only makes it try again five seconds later. Between restarts, each look copies
//! the new frames into the database file from a reader connection (a PASSIVE checkpoint,
//! which writers do not wait for), so commits need not checkpoint at all
//! ([`AUTOCHECKPOINT_FRAMES`]) and a restart finds little left to copy.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::MissedTickBehavior;

use super::SqliteConnections;
use super::direct::DirectConnections;

/// The WAL size past which the log is restarted, and the size it is truncated back to.
pub(super) const WAL_LIMIT: u64 = 64 * 1024 * 1024;

/// WAL frames after which a commit checkpoints by itself (`wal_autocheckpoint`; SQLite's
/// default is 1 000): 256 MiB, past [`WAL_LIMIT`], so only a backstop for when the keeper
/// cannot restart the log. With the default, once the log held 1 000 frames every commit
/// tried a checkpoint, syncing the WAL and the database file each time, because the log
/// only starts over when this keeper restarts it: a twentieth of the provider's CPU in the
/// sign-in benchmark went to those checkpoints. The keeper instead copies new frames into
/// the database file at each look (a PASSIVE checkpoint on a reader connection, which
/// writers do not wait for), so a restart finds little left to copy while it holds the
/// writer.
pub(super) const AUTOCHECKPOINT_FRAMES: u32 = 65_536;

/// Copies the frames no reader needs any more into the database file, beside the writer.
const PASSIVE_CHECKPOINT: &str = "PRAGMA wal_checkpoint(PASSIVE)";

/// How often the WAL's size is looked at (one `stat`).
const WAL_CHECK_INTERVAL: Duration = Duration::from_millis(200);

/// How long a restart waits for readers of older frames (or another process's writer) before
/// it gives up until later. The writer connection is held meanwhile, so this is short: a
/// reader that keeps an old snapshot for long (a backup, a long report) must not stall writes.
const RESTART_WAIT: &str = "PRAGMA busy_timeout = 100";

/// How long the keeper leaves the WAL alone after a restart found it busy.
const AFTER_BUSY: Duration = Duration::from_secs(5);

/// Checkpoints every frame once readers of older ones are done, so the next write restarts
/// the log. Answers `(busy, frames in the log, frames checkpointed)`.
const RESTART_CHECKPOINT: &str = "PRAGMA wal_checkpoint(RESTART)";

/// What one look at the WAL did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Restart {
    /// The WAL was within its limit.
    NotNeeded,
    /// Every frame was checkpointed; the next write starts the log over.
    Done,
    /// A reader of older frames or another process's writer did not finish in time.
    Busy,
}

/// Watches the WAL at `wal`: restarts it through `writer` whenever it passes [`WAL_LIMIT`],
/// and otherwise checkpoints new frames through one of `readers`; ends when the store's
/// connections are closed or dropped. `busy_timeout` is the writer's own, restored after
/// each restart.
pub(super) fn spawn_wal_keeper(
    writer: &SqliteConnections,
    readers: &SqliteConnections,
    direct: &Arc<DirectConnections>,
    wal: PathBuf,
    busy_timeout: Duration,
) {
    let (writer, readers) = (writer.downgrade(), readers.downgrade());
    let direct = Arc::downgrade(direct);
    let restore = format!("PRAGMA busy_timeout = {}", busy_timeout.as_millis());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(WAL_CHECK_INTERVAL);
        tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
        loop {
            tick.tick().await;
            let (Some(writer), Some(readers), Some(direct)) =
                (writer.upgrade(), readers.upgrade(), direct.upgrade())
            else {
                return;
            };
            let restart = restart_if_over(&writer, &direct, &wal, WAL_LIMIT, &restore);
            let outcome = match restart.await {
                Ok(Restart::NotNeeded) => sqlx::query(PASSIVE_CHECKPOINT)
                    .execute(&readers)
                    .await
                    .map(|_| Restart::NotNeeded),
                other => other,
            };
            match outcome {
                Ok(Restart::Busy) => tokio::time::sleep(AFTER_BUSY).await,
                Ok(_) => {}
                Err(sqlx::Error::PoolClosed) => return,
                Err(error) => tracing::warn!(%error, "checkpointing the SQLite WAL"),
            }
        }
    });
}

/// Runs a RESTART checkpoint on `writer` if the WAL at `wal` is larger than `limit` bytes,
/// waiting at most [`RESTART_WAIT`] for readers, then sets the writer's busy timeout back
/// with `restore`. The direct writer is held meanwhile, so its writes wait in its async queue
/// and go on the moment the checkpoint ends; otherwise they would meet SQLite's write lock and
/// wait in its busy handler, which sleeps in growing steps (flow p99 46 → 65 ms).
async fn restart_if_over(
    writer: &SqliteConnections,
    direct: &DirectConnections,
    wal: &Path,
    limit: u64,
    restore: &str,
) -> Result<Restart, sqlx::Error> {
    // A `stat` takes microseconds: not worth a blocking-pool hand-off.
    let size = std::fs::metadata(wal).map_or(0, |meta| meta.len());
    if size <= limit {
        return Ok(Restart::NotNeeded);
    }
    let _direct_writer = direct.hold_writer().await;
    let mut connection = writer.acquire().await?;
    sqlx::query(RESTART_WAIT).execute(&mut *connection).await?;
    let checkpoint: Result<(i64, i64, i64), _> = sqlx::query_as(RESTART_CHECKPOINT)
        .fetch_one(&mut *connection)
        .await;
    sqlx::query(sqlx::AssertSqlSafe(restore))
        .execute(&mut *connection)
        .await?;
    let (busy, _, _) = checkpoint?;
    Ok(if busy == 0 {
        Restart::Done
    } else {
        Restart::Busy
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::cases;
    use crate::store::{AccountStore, SqliteStore, Store};

    const RESTORE: &str = "PRAGMA busy_timeout = 5000";

    async fn file_store(dir: &tempfile::TempDir) -> SqliteStore {
        let url = format!("sqlite://{}/wal.db", dir.path().display());
        let store = SqliteStore::connect(&url, 2).await.expect("open SQLite");
        store.migrate().await.expect("migrate");
        store
    }

    async fn create_accounts(store: &SqliteStore, prefix: &str, count: usize) {
        for n in 0..count {
            let name = format!("{prefix}{n}");
            store
                .create_account(&cases::account(&name, &name))
                .await
                .expect("create");
        }
    }

    /// WAL frames after the last restart, read from a PASSIVE checkpoint's answer.
    async fn wal_frames(store: &SqliteStore) -> i64 {
        let (_busy, frames, _copied): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                .fetch_one(store.writer())
                .await
                .expect("checkpoint");
        frames
    }

    #[tokio::test]
    async fn a_wal_past_its_limit_starts_over_at_the_next_write() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = file_store(&dir).await;
        // Far fewer frames than a commit checkpoints at: only the keeper restarts the log.
        create_accounts(&store, "user", 50).await;
        let wal = dir.path().join("wal.db-wal");
        let restart = |limit| restart_if_over(store.writer(), &store.direct, &wal, limit, RESTORE);
        assert_eq!(restart(u64::MAX).await.expect("look"), Restart::NotNeeded);
        assert_eq!(restart(1024).await.expect("restart"), Restart::Done);
        store
            .create_account(&cases::account("after", "after"))
            .await
            .expect("create after the restart");
        let frames = wal_frames(&store).await;
        assert!(frames < 20, "the log did not start over: {frames} frames");
    }

    #[tokio::test]
    async fn commits_leave_the_log_to_the_keeper() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = file_store(&dir).await;
        let setting: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
            .fetch_one(store.writer())
            .await
            .expect("setting");
        assert_eq!(setting, i64::from(AUTOCHECKPOINT_FRAMES));
        // Past SQLite's default of 1 000 frames, which commits no longer act on: the keeper's
        // checkpoint on a reader copies them (within a few looks), and the next write starts
        // the log over. Without it the log would still hold every frame.
        create_accounts(&store, "user", 1_200).await;
        tokio::time::sleep(WAL_CHECK_INTERVAL * 5).await;
        store
            .create_account(&cases::account("later", "later"))
            .await
            .expect("create");
        let frames = wal_frames(&store).await;
        assert!(frames < 100, "the log never started over: {frames} frames");
    }

    #[tokio::test]
    async fn a_reader_holding_an_old_snapshot_does_not_stall_the_writer() {
        use sqlx::{ConnectOptions as _, Connection as _};
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = file_store(&dir).await;
        create_accounts(&store, "before", 20).await;
        let mut reader = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(dir.path().join("wal.db"))
            .connect()
            .await
            .expect("reader");
        let mut snapshot = reader.begin().await.expect("read transaction");
        let _: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts")
            .fetch_one(&mut *snapshot)
            .await
            .expect("read");
        create_accounts(&store, "after", 5).await;

        let wal = dir.path().join("wal.db-wal");
        let outcome = restart_if_over(store.writer(), &store.direct, &wal, 1024, RESTORE).await;
        assert_eq!(outcome.expect("checkpoint"), Restart::Busy);
        let busy_timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(store.writer())
            .await
            .expect("busy timeout");
        assert_eq!(
            busy_timeout, 5000,
            "the writer's busy timeout was not restored"
        );

        snapshot.rollback().await.expect("end the read");
        let outcome = restart_if_over(store.writer(), &store.direct, &wal, 1024, RESTORE).await;
        assert_eq!(outcome.expect("checkpoint"), Restart::Done);
    }
}
