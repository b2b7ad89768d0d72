//! The second pass: a parsing thread reads and validates records into chunks while this task
//! writes them. Each chunk costs two lookups (`ImportStore::lookup_chunk`) and one
//! transaction that also moves the run's progress marker, so the time per chunk does not grow
//! with the size of the import, and a run killed at any moment resumes after its last
//! committed chunk. Two chunks' transactions may be open at once; their markers commit in
//! order.

use std::collections::VecDeque;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::fields::mask_pinfl;
use super::hash::{FastMap, FastSet};
use super::ids::IdSequence;
use super::plan::{Decision, Plan};
use super::read::{ReadError, for_each_record};
use super::report::{Finding, Outcomes, Severity};
use super::validate::{Candidate, LegacyStatus, Strictness, validate};
use super::{ImportError, ImportOptions, Progress};
use crate::store::{
    Account, ChunkKeys, ImportMarker, LegacyAccountRow, PreviousChunk, SharedStore, StoreResult,
};

/// Chunks parsed ahead of the writer.
const CHANNEL_DEPTH: usize = 2;

/// A valid record on its way to the database, with the plan's decisions applied.
#[derive(Debug)]
struct ChunkRow {
    candidate: Candidate,
    skip: bool,
}

/// Consecutive records: the valid ones to write and the number of the last one read.
#[derive(Debug, Default)]
struct Chunk {
    rows: Vec<ChunkRow>,
    last_record: u64,
}

/// What the second pass counted; committed with every chunk (as JSON in `import_runs.counts`)
/// so a resumed run continues the totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteCounts {
    pub outcomes: Outcomes,
    pub needs_password_reset: u64,
}

/// Where the second pass starts and what it writes into.
#[derive(Debug, Clone)]
pub struct WriteTarget {
    /// `None` for a dry run: nothing is written.
    pub run_id: Option<String>,
    pub resume_after: u64,
    pub counts: WriteCounts,
}

/// The result of the second pass.
#[derive(Debug, Default)]
pub struct Written {
    pub counts: WriteCounts,
    pub findings: Vec<Finding>,
    /// Stopped by `ImportOptions::stop_after_chunks` before the end of the file.
    pub interrupted: bool,
}

pub async fn write(
    store: &SharedStore,
    options: &ImportOptions,
    plan: Arc<Plan>,
    target: WriteTarget,
    progress: Arc<Progress>,
) -> Result<Written, ImportError> {
    let (sender, mut receiver) = mpsc::channel(CHANNEL_DEPTH);
    let parser = {
        let options = options.clone();
        let plan = Arc::clone(&plan);
        let resume_after = target.resume_after;
        std::thread::spawn(move || parse_chunks(&options, &plan, resume_after, &sender))
    };
    let mut written = Written {
        counts: target.counts,
        ..Written::default()
    };
    let mut chunks = 0;
    let mut ids = IdSequence::starting_now();
    let mut commits = Commits::default();
    while let Some(chunk) = receiver.recv().await {
        let last_record = chunk.last_record;
        let rows = check_chunk(store, options, chunk, &mut ids, &mut written).await?;
        match &target.run_id {
            Some(run_id) => {
                commits.start(
                    store,
                    run_id,
                    rows,
                    last_record,
                    &written.counts,
                    options.now,
                )?;
                commits
                    .keep_at_most(COMMITS_IN_FLIGHT - 1, &progress)
                    .await?;
            }
            None => progress.written(last_record),
        }
        chunks += 1;
        if options.stop_after_chunks == Some(chunks) {
            written.interrupted = true;
            break;
        }
    }
    commits.keep_at_most(0, &progress).await?;
    drop(receiver);
    let parsed = parser.join().map_err(|_| ImportError::ParserPanicked)?;
    if !written.interrupted {
        parsed?;
    }
    Ok(written)
}

/// Runs on its own thread: reads the records after `resume_after` into chunks.
fn parse_chunks(
    options: &ImportOptions,
    plan: &Plan,
    resume_after: u64,
    sender: &mpsc::Sender<Chunk>,
) -> Result<(), ReadError> {
    let strict = Strictness {
        lenient_pinfl: options.lenient_pinfl,
    };
    let chunk_size = options.chunk_size.max(1) as u64;
    let mut chunk = Chunk::default();
    let mut in_chunk = 0;
    let mut open = true;
    for_each_record(
        &options.file,
        options.format,
        &options.mapping,
        None,
        |raw| {
            if raw.record <= resume_after {
                return true;
            }
            let decision = plan.decisions.get(&raw.record).copied();
            if decision != Some(Decision::Hold)
                && let Ok(mut candidate) =
                    validate(&raw, &options.mapping, options.now, strict).outcome
            {
                if plan.drop_email.contains(&raw.record) {
                    candidate.email = None;
                }
                if plan.drop_phone.contains(&raw.record) {
                    candidate.phone = None;
                }
                chunk.rows.push(ChunkRow {
                    candidate,
                    skip: decision == Some(Decision::Skip),
                });
            }
            chunk.last_record = raw.record;
            in_chunk += 1;
            if in_chunk == chunk_size {
                in_chunk = 0;
                open = sender.blocking_send(std::mem::take(&mut chunk)).is_ok();
            }
            open
        },
    )?;
    if open && in_chunk > 0 {
        // The receiver may be gone (stopped early); nothing is lost then.
        let _ = sender.blocking_send(chunk);
    }
    Ok(())
}

fn finding(c: &Candidate, severity: Severity, reason: &'static str, detail: String) -> Finding {
    Finding {
        line: c.line,
        record: c.record,
        legacy_id: c.legacy_id.clone(),
        severity,
        reason,
        detail,
    }
}

fn chunk_keys(rows: &[ChunkRow]) -> ChunkKeys {
    let collect = |f: fn(&Candidate) -> Option<&String>| -> Vec<String> {
        rows.iter()
            .filter_map(|r| f(&r.candidate).cloned())
            .collect()
    };
    ChunkKeys {
        legacy_ids: rows.iter().map(|r| r.candidate.legacy_id.clone()).collect(),
        pinfls: collect(|c| c.pinfl.as_ref()),
        usernames: rows.iter().map(|r| r.candidate.username.clone()).collect(),
        emails: collect(|c| c.email.as_ref()),
        phones: collect(|c| c.phone.as_ref()),
    }
}

/// Chunks whose transactions may be open at once. The next chunk is looked up and its rows
/// written while the previous one commits (PostgreSQL: on another connection and another
/// server process; SQLite: the lookup on a reader beside the one writer), and the marker
/// still moves in order (`ImportStore::commit_import_chunk`).
pub(super) const COMMITS_IN_FLIGHT: usize = 2;

/// The chunk transactions in flight, oldest first, each with the last record it covers.
#[derive(Default)]
struct Commits {
    in_flight: VecDeque<(u64, JoinHandle<StoreResult<()>>)>,
    /// Resolves when the newest chunk in flight has committed.
    newest: Option<PreviousChunk>,
}

impl Commits {
    fn start(
        &mut self,
        store: &SharedStore,
        run_id: &str,
        rows: Vec<LegacyAccountRow>,
        last_record: u64,
        counts: &WriteCounts,
        now: i64,
    ) -> Result<(), ImportError> {
        let counts = serde_json::to_string(counts).map_err(|e| ImportError::Report(e.into()))?;
        let (committed, next) = oneshot::channel();
        let previous = self.newest.replace(next);
        let (store, run_id) = (Arc::clone(store), run_id.to_owned());
        let task = tokio::spawn(async move {
            let marker = ImportMarker {
                last_record: last_record as i64,
                counts: &counts,
                now,
            };
            store
                .commit_import_chunk(&run_id, &rows, marker, previous)
                .await?;
            // The next chunk may be gone already (the run stopped): nothing waits then.
            let _ = committed.send(());
            Ok(())
        });
        self.in_flight.push_back((last_record, task));
        Ok(())
    }

    /// Waits for the oldest chunks until at most `limit` are in flight.
    async fn keep_at_most(&mut self, limit: usize, progress: &Progress) -> Result<(), ImportError> {
        while self.in_flight.len() > limit {
            let Some((last_record, task)) = self.in_flight.pop_front() else {
                break;
            };
            task.await.map_err(|_| ImportError::WriterPanicked)??;
            progress.written(last_record);
        }
        Ok(())
    }
}

/// Looks a chunk up and decides each row: what to write, what to count and report.
async fn check_chunk(
    store: &SharedStore,
    options: &ImportOptions,
    chunk: Chunk,
    ids: &mut IdSequence,
    written: &mut Written,
) -> Result<Vec<LegacyAccountRow>, ImportError> {
    let lookup = store
        .lookup_chunk(&options.source, &chunk_keys(&chunk.rows))
        .await?;
    let imported: FastMap<&str, &[u8]> = lookup
        .imported
        .iter()
        .map(|(id, digest)| (id.as_str(), digest.as_slice()))
        .collect();
    let taken: FastSet<(&str, &str)> = lookup
        .taken
        .iter()
        .map(|(field, value)| (field.as_str(), value.as_str()))
        .collect();
    let counts = &mut written.counts;
    let mut rows = Vec::with_capacity(chunk.rows.len());
    for ChunkRow { candidate: c, skip } in chunk.rows {
        if let Some(digest) = imported.get(c.legacy_id.as_str()) {
            if *digest == c.digest.as_slice() {
                counts.outcomes.unchanged += 1;
            } else {
                counts.outcomes.changed += 1;
                written.findings.push(finding(
                    &c,
                    Severity::Warn,
                    "changed_not_applied",
                    "imported before with other content; left as it is".into(),
                ));
            }
            continue;
        }
        if skip {
            counts.outcomes.skipped += 1;
            rows.push(legacy_row(options, &c, None));
            continue;
        }
        if let Some(pinfl) = c.pinfl.as_deref().filter(|p| taken.contains(&("pinfl", p))) {
            counts.outcomes.conflict += 1;
            written.findings.push(finding(
                &c,
                Severity::Conflict,
                "pinfl_taken",
                format!(
                    "PINFL {} already belongs to a Yagona account",
                    mask_pinfl(pinfl)
                ),
            ));
            continue;
        }
        if taken.contains(&("username", c.username.as_str())) {
            counts.outcomes.rejected += 1;
            written.findings.push(finding(
                &c,
                Severity::Reject,
                "login_taken",
                "a Yagona account already uses this login".into(),
            ));
            continue;
        }
        let mut c = c;
        for (field, reason) in [("email", "email_taken"), ("phone", "phone_taken")] {
            let value = if field == "email" {
                &mut c.email
            } else {
                &mut c.phone
            };
            if value
                .as_deref()
                .is_some_and(|v| taken.contains(&(field, v)))
            {
                *value = None;
                written.findings.push(finding(
                    &c,
                    Severity::Warn,
                    reason,
                    format!("another Yagona account already uses this {field}; dropped"),
                ));
            }
        }
        counts.outcomes.new += 1;
        if c.password_hash.is_none() {
            counts.needs_password_reset += 1;
        }
        let account = new_account(&c, ids.next(), options.now);
        rows.push(legacy_row(options, &c, Some(account)));
    }
    Ok(rows)
}

fn new_account(c: &Candidate, id: String, now: i64) -> Account {
    Account {
        id,
        username: Some(c.username.clone()),
        email: c.email.clone(),
        email_verified: false,
        phone: c.phone.clone(),
        phone_verified: false,
        pinfl: c.pinfl.clone(),
        given_name: c.given_name.clone(),
        family_name: c.family_name.clone(),
        middle_name: c.middle_name.clone(),
        birthdate: c.birthdate.clone(),
        password_hash: c.password_hash.clone(),
        locale: None,
        disabled: c.status != LegacyStatus::Active,
        created_at: c.created_at,
        updated_at: now,
    }
}

fn legacy_row(
    options: &ImportOptions,
    c: &Candidate,
    account: Option<Account>,
) -> LegacyAccountRow {
    LegacyAccountRow {
        source: options.source.clone(),
        legacy_id: c.legacy_id.clone(),
        must_reset_password: account.is_some() && c.password_hash.is_none(),
        account,
        legacy_status: c.status.as_str().to_owned(),
        row_sha256: c.digest.clone(),
    }
}
