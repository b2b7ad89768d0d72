//! The `yagona import` command line: options, then [`run_import`], the report and the conflicts
//! template.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, ValueEnum};

use super::{
    DEFAULT_CHUNK_SIZE, DEFAULT_SOURCE, Format, ImportOptions, Mapping, ProgressMode, Resolutions,
    resolution_template, run_import,
};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::store;

/// `yagona import FILE …`
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The legacy export (CSV with a header row, or JSON Lines).
    pub file: PathBuf,
    /// The file's format; by default `jsonl` for `.jsonl`/`.ndjson`, else `csv`.
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Names the legacy system; every row is keyed by (source, legacy id).
    #[arg(long, default_value = DEFAULT_SOURCE)]
    pub source: String,
    /// A TOML column mapping for an export with other column names (docs/import.md).
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Check everything against the database and write the report; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Write the JSON report here.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Operator decisions for legacy accounts sharing a PINFL (the template this command
    /// writes, filled in).
    #[arg(long)]
    pub conflicts_resolution: Option<PathBuf>,
    /// Where to write the template listing open PINFL conflicts [default: the report's path
    /// with `.conflicts.toml`, else ./yagona-import-conflicts.toml].
    #[arg(long)]
    pub conflicts: Option<PathBuf>,
    /// Records per transaction.
    #[arg(long, default_value_t = DEFAULT_CHUNK_SIZE)]
    pub chunk_size: usize,
    /// Test data with placeholder PINFLs: skip the PINFL structure warnings.
    #[arg(long)]
    pub lenient_pinfl: bool,
    /// Plain progress lines even on a terminal (`auto`: a bar on a terminal), or none.
    #[arg(long, value_enum, default_value_t = ProgressArg::Auto)]
    pub progress: ProgressArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Csv,
    Jsonl,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ProgressArg {
    Auto,
    Plain,
    None,
}

/// Database connections of an import run: one per chunk transaction in flight and one for the
/// next chunk's lookup.
const IMPORT_CONNECTIONS: u32 = super::writer::COMMITS_IN_FLIGHT as u32 + 1;

/// Runs `yagona import`.
pub async fn import_command(config: &Config, args: ImportArgs) -> anyhow::Result<()> {
    let mut options = ImportOptions::new(&args.file, SystemClock.now());
    if let Some(format) = args.format {
        options.format = match format {
            FormatArg::Csv => Format::Csv,
            FormatArg::Jsonl => Format::Jsonl,
        };
    }
    options.source = args.source;
    if let Some(path) = &args.mapping {
        options.mapping = Mapping::load(path)?;
    }
    if let Some(path) = &args.conflicts_resolution {
        options.resolutions = Resolutions::load(path)?;
    }
    options.dry_run = args.dry_run;
    options.chunk_size = args.chunk_size.max(1);
    options.lenient_pinfl = args.lenient_pinfl;
    options.progress = match args.progress {
        ProgressArg::Auto => ProgressMode::Auto,
        ProgressArg::Plain => ProgressMode::Plain,
        ProgressArg::None => ProgressMode::Hidden,
    };
    // Two chunk transactions in flight and the next chunk's lookup beside them (on SQLite the
    // transactions share its one writer connection, and the lookup has a reader).
    let store = store::connect(&config.database_url, IMPORT_CONNECTIONS).await?;
    store.migrate().await?;
    let started = std::time::Instant::now();
    let report = run_import(&store, &options).await?;
    let seconds = started.elapsed().as_secs_f64();
    print!("{}", report.summary());
    println!(
        "{:.1} s, {:.0} records/s",
        seconds,
        report.records as f64 / seconds.max(0.001)
    );
    if let Some(path) = &args.report {
        report
            .write_json(path)
            .with_context(|| format!("writing the report to {}", path.display()))?;
        println!("report: {}", path.display());
    }
    if !report.conflicts.is_empty() {
        let path = args.conflicts.unwrap_or_else(|| match &args.report {
            Some(report) => report.with_extension("conflicts.toml"),
            None => PathBuf::from("yagona-import-conflicts.toml"),
        });
        std::fs::write(&path, resolution_template(&report.conflicts))
            .with_context(|| format!("writing the conflicts list to {}", path.display()))?;
        println!(
            "conflicts: {} (fill it in, then run again with --conflicts-resolution)",
            path.display()
        );
    }
    Ok(())
}
