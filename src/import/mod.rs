//! `yagona import`: moves the old national IdP's accounts into Yagona (docs/import.md).
//!
//! Two passes over the export. The first ([`plan`]) validates every record, computes the file's
//! SHA-256 and makes the decisions that need the whole file (duplicates, PINFL conflicts,
//! shared e-mails and phones). The second ([`writer`]) parses on its own thread and writes
//! chunks, each in one transaction with the run's progress marker; rows are keyed by
//! `(source, legacy id)`, so a second run of the same file changes nothing and an interrupted
//! run resumes after its last committed chunk. Password hashes are stored as they are and
//! upgraded to Argon2id at the citizen's first sign-in (`crate::auth::password::legacy`).

pub mod command;
mod fields;
mod hash;
mod ids;
mod mapping;
mod plan;
mod progress;
mod read;
mod report;
mod resolution;
mod validate;
mod writer;

use std::path::PathBuf;
use std::sync::Arc;

pub use fields::mask_pinfl;
pub use mapping::{DateFormat, Field, Mapping, MappingError};
pub use progress::{Progress, ProgressMode};
pub use read::{Format, ReadError};
pub use report::{ConflictGroup, Finding, Outcomes, Report, Severity};
pub use resolution::{Resolution, ResolutionError, Resolutions, template as resolution_template};

use crate::clock::UnixTime;
use crate::store::{ImportRun, SharedStore, StoreError};
use writer::{WriteCounts, WriteTarget};

/// The records per chunk (one transaction each) unless `--chunk-size` says otherwise.
pub const DEFAULT_CHUNK_SIZE: usize = 200_000;

/// The default `--source`: the old OneID system.
pub const DEFAULT_SOURCE: &str = "oneid";

/// What to import and how.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub file: PathBuf,
    pub format: Format,
    /// Names the legacy system; with the legacy id it keys every imported row.
    pub source: String,
    pub mapping: Mapping,
    /// Parse, validate and look up everything, write nothing.
    pub dry_run: bool,
    pub resolutions: Resolutions,
    /// Records per transaction.
    pub chunk_size: usize,
    /// Placeholder PINFLs in test data: skip the PINFL structure warnings.
    pub lenient_pinfl: bool,
    pub progress: ProgressMode,
    /// The import's clock: `updated_at` of new accounts and the run's times.
    pub now: UnixTime,
    /// Stops after this many committed chunks without finishing the run, as a crash would
    /// (tests of resumption).
    pub stop_after_chunks: Option<usize>,
}

impl ImportOptions {
    /// Defaults for `file`: format from the extension, source `oneid`, the OneID mapping.
    pub fn new(file: impl Into<PathBuf>, now: UnixTime) -> Self {
        let file = file.into();
        Self {
            format: Format::from_path(&file),
            file,
            source: DEFAULT_SOURCE.into(),
            mapping: Mapping::default(),
            dry_run: false,
            resolutions: Resolutions::default(),
            chunk_size: DEFAULT_CHUNK_SIZE,
            lenient_pinfl: false,
            progress: ProgressMode::Auto,
            now,
            stop_after_chunks: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the progress marker of the interrupted run is unreadable: {0}")]
    Counts(serde_json::Error),
    #[error("writing the report: {0}")]
    Report(std::io::Error),
    #[error("the parsing thread failed")]
    ParserPanicked,
    #[error("a chunk's writing task failed")]
    WriterPanicked,
}

/// Imports (or, with `dry_run`, checks) one export file and returns the report. Continues an
/// interrupted run of the same file from the same source when there is one.
pub async fn run_import(
    store: &SharedStore,
    options: &ImportOptions,
) -> Result<Report, ImportError> {
    let progress = Arc::new(Progress::new(options.progress));
    let plan = {
        let options = options.clone();
        let progress = Arc::clone(&progress);
        tokio::task::spawn_blocking(move || {
            plan::plan(&options, &options.resolutions, options.now, &progress)
        })
        .await
        .map_err(|_| ImportError::ParserPanicked)??
    };
    let plan = Arc::new(plan);
    let target = start_or_resume(store, options, &plan.file_sha256).await?;
    progress.start_writing(plan.records, target.resume_after);
    let resume_after = target.resume_after;
    let written = writer::write(
        store,
        options,
        Arc::clone(&plan),
        target.clone(),
        Arc::clone(&progress),
    )
    .await?;
    if let (Some(run_id), false) = (&target.run_id, written.interrupted) {
        let counts = serde_json::to_string(&written.counts).map_err(ImportError::Counts)?;
        store
            .finish_import_run(run_id, &counts, options.now)
            .await?;
    }
    progress.finish();
    let mut report = plan.report.clone();
    report.file = options.file.display().to_string();
    report.source = options.source.clone();
    report.file_sha256 = hex::encode(&plan.file_sha256);
    report.dry_run = options.dry_run;
    report.resumed_after_record = (resume_after > 0).then_some(resume_after);
    report.outcomes.add(&written.counts.outcomes);
    report.needs_password_reset = written.counts.needs_password_reset;
    report.add_findings(written.findings);
    report.sort();
    Ok(report)
}

/// The run to write into: a dry run writes none; otherwise the unfinished run of this file,
/// or a new one.
async fn start_or_resume(
    store: &SharedStore,
    options: &ImportOptions,
    file_sha256: &[u8],
) -> Result<WriteTarget, ImportError> {
    if options.dry_run {
        return Ok(WriteTarget {
            run_id: None,
            resume_after: 0,
            counts: WriteCounts::default(),
        });
    }
    if let Some(run) = store
        .unfinished_import_run(&options.source, file_sha256)
        .await?
    {
        let counts: WriteCounts = serde_json::from_str(&run.counts).map_err(ImportError::Counts)?;
        return Ok(WriteTarget {
            run_id: Some(run.id),
            resume_after: u64::try_from(run.last_committed_record).unwrap_or(0),
            counts,
        });
    }
    let counts = WriteCounts::default();
    let run = ImportRun {
        id: crate::crypto::random_id(),
        source: options.source.clone(),
        file_sha256: file_sha256.to_vec(),
        status: "running".into(),
        last_committed_record: 0,
        counts: serde_json::to_string(&counts).map_err(ImportError::Counts)?,
        started_at: options.now,
        updated_at: options.now,
    };
    store.start_import_run(&run).await?;
    Ok(WriteTarget {
        run_id: Some(run.id),
        resume_after: 0,
        counts,
    })
}
