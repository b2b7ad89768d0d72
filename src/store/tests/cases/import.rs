//! Cases about the legacy import's chunk commits: all of a chunk or none, and in order.

use super::*;

fn run(id: &str) -> ImportRun {
    ImportRun {
        id: id.to_owned(),
        source: "oneid".to_owned(),
        file_sha256: vec![7; 32],
        status: "running".to_owned(),
        last_committed_record: 0,
        counts: "{}".to_owned(),
        started_at: NOW,
        updated_at: NOW,
    }
}

fn legacy_row(legacy_id: &str, account_id: &str) -> LegacyAccountRow {
    LegacyAccountRow {
        source: "oneid".to_owned(),
        legacy_id: legacy_id.to_owned(),
        account: Some(account(account_id, &format!("user-{legacy_id}"))),
        must_reset_password: false,
        legacy_status: "active".to_owned(),
        row_sha256: vec![1; 32],
    }
}

fn marker(last_record: i64) -> ImportMarker<'static> {
    ImportMarker {
        last_record,
        counts: r#"{"new":1}"#,
        now: NOW,
    }
}

pub(in crate::store::tests) async fn a_chunk_commits_only_after_the_previous_one(
    store: SharedStore,
) {
    store.start_import_run(&run("run-1")).await.unwrap();
    // The previous chunk failed (its sender is gone): nothing of this one is committed.
    let (failed, previous) = tokio::sync::oneshot::channel::<()>();
    drop(failed);
    let refused = store
        .commit_import_chunk(
            "run-1",
            &[legacy_row("1", "acc-1")],
            marker(1),
            Some(previous),
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::NotCommitted(_))),
        "{refused:?}"
    );
    assert!(store.legacy_accounts("oneid").await.unwrap().is_empty());
    assert_eq!(store.account("acc-1").await.unwrap(), None);
    let unfinished = store
        .unfinished_import_run("oneid", &[7; 32])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unfinished.last_committed_record, 0);

    // The previous chunk committed: this one commits, marker and all.
    let (committed, previous) = tokio::sync::oneshot::channel();
    committed.send(()).unwrap();
    store
        .commit_import_chunk(
            "run-1",
            &[legacy_row("2", "acc-2")],
            marker(2),
            Some(previous),
        )
        .await
        .unwrap();
    assert_eq!(
        store.legacy_accounts("oneid").await.unwrap(),
        vec![("2".to_owned(), Some("acc-2".to_owned()))]
    );
    let unfinished = store
        .unfinished_import_run("oneid", &[7; 32])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unfinished.last_committed_record, 2);
    assert_eq!(unfinished.counts, r#"{"new":1}"#);
}
