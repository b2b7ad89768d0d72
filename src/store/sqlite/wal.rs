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
//! the file back to [`WAL_LIMIT`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::time::MissedTickBehavior;

use super::SqliteConnections;

/// The WAL size past which the log is restarted, and the size it is truncated back to.
pub(super) const WAL_LIMIT: u64 = 64 * 1024 * 1024;

/// How often the WAL's size is looked at (one `stat`).
const WAL_CHECK_INTERVAL: Duration = Duration::from_millis(200);

/// Checkpoints every frame once readers of older ones are done, so the next write restarts
/// the log.
pub(super) const RESTART_CHECKPOINT: &str = "PRAGMA wal_checkpoint(RESTART)";

/// Watches the WAL at `wal` and restarts it through `writer` whenever it passes
/// [`WAL_LIMIT`]; ends when the writer's connections are closed or dropped.
pub(super) fn spawn_wal_keeper(writer: &SqliteConnections, wal: PathBuf) {
    let writer = writer.downgrade();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(WAL_CHECK_INTERVAL);
        tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
        loop {
            tick.tick().await;
            let Some(writer) = writer.upgrade() else {
                return;
            };
            if let Err(sqlx::Error::PoolClosed) = restart_if_over(&writer, &wal, WAL_LIMIT).await {
                return;
            }
        }
    });
}

/// Runs a RESTART checkpoint on `writer` if the WAL at `wal` is larger than `limit` bytes;
/// says whether it did.
async fn restart_if_over(
    writer: &SqliteConnections,
    wal: &Path,
    limit: u64,
) -> Result<bool, sqlx::Error> {
    // A `stat` takes microseconds: not worth a blocking-pool hand-off.
    let size = std::fs::metadata(wal).map_or(0, |meta| meta.len());
    if size <= limit {
        return Ok(false);
    }
    let mut connection = writer.acquire().await?;
    if let Err(error) = sqlx::query(RESTART_CHECKPOINT)
        .execute(&mut *connection)
        .await
    {
        tracing::warn!(%error, wal_bytes = size, "restarting the SQLite WAL");
        return Err(error);
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::cases;
    use crate::store::{AccountStore, SqliteStore, Store};

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
        let url = format!("sqlite://{}/wal.db", dir.path().display());
        let store = SqliteStore::connect(&url, 2).await.expect("open SQLite");
        store.migrate().await.expect("migrate");
        // Fewer frames than the automatic checkpoint's 1 000, so only the keeper restarts.
        for n in 0..50 {
            let name = format!("user{n}");
            store
                .create_account(&cases::account(&name, &name))
                .await
                .expect("create");
        }
        let wal = dir.path().join("wal.db-wal");
        assert!(
            !restart_if_over(store.writer(), &wal, u64::MAX)
                .await
                .expect("under the limit")
        );
        assert!(
            restart_if_over(store.writer(), &wal, 1024)
                .await
                .expect("restart")
        );
        store
            .create_account(&cases::account("after", "after"))
            .await
            .expect("create after the restart");
        let frames = wal_frames(&store).await;
        assert!(frames < 20, "the log did not start over: {frames} frames");
    }
}
