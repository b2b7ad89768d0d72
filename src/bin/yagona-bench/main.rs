//! `yagona-bench`: the load benchmark of product issue 6.
//!
//! `cargo run --release --bin yagona-bench` starts the provider (`yagona serve`, release build)
//! as a child process on SQLite and then on PostgreSQL, prepares a client and citizens, drives
//! it with `wrk` (single requests) and with its own client (refresh chains and whole sign-in
//! flows), and prints one Markdown table per database: operations per second, p50/p99 latency,
//! errors, the provider's CPU milliseconds per operation (from `/proc/PID/stat`), the database
//! backends' CPU on PostgreSQL, peak resident memory (`VmHWM`), and the budget per row.
//!
//! The provider is the one compiled into this binary (run as `yagona-bench --run-provider
//! serve`, the same library and command line as the `yagona` binary), so `cargo run` never
//! benchmarks a stale build; `--yagona PATH` benchmarks a given binary instead.

#[path = "../../allocator.rs"]
mod allocator;
mod browser;
mod load;
mod machine;
mod postgres;
mod probe;
mod report;
mod rows;
mod scheduling;
mod server;
mod workspace;
mod wrk;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;

use crate::machine::Machine;
use crate::postgres::{BENCH_DATABASE, PgServer};
use crate::probe::Probe;
use crate::report::{Measurement, RowKind, RowResult, Yardsticks};
use crate::rows::{RowRunner, Settings, failed, measurement_of};
use crate::scheduling::LoadPolicy;
use crate::server::{Launch, PROVIDER_ARGUMENT, ProviderProgram, Server};
use crate::workspace::{PasswordCost, Workspace, create_citizens};

/// Threads hashing in the "Argon2id alone" row (the 2-core budget machine).
const ARGON2_THREADS: usize = 2;

/// Load benchmark of the Yagona ID provider (product issue 6).
#[derive(Debug, Parser)]
#[command(name = "yagona-bench")]
struct Options {
    /// Seconds each row is measured.
    #[arg(long, default_value_t = 5)]
    duration: u64,
    /// Seconds of warm-up before each row (not measured).
    #[arg(long, default_value_t = 1)]
    warmup: u64,
    /// Concurrent connections (wrk rows), virtual users (flows) and refresh chains.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Administrative PostgreSQL URL: the benchmark creates, uses and drops the database
    /// `yagona_bench` on that server. Its options (`sslmode`) are kept for the provider's
    /// connections; the default has no TLS, like the provider's HTTP side.
    #[arg(
        long,
        default_value = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
    )]
    postgres_url: String,
    /// Measure SQLite only.
    #[arg(long)]
    skip_postgres: bool,
    /// Benchmark this `yagona` binary instead of the provider built into the benchmark.
    #[arg(long)]
    yagona: Option<PathBuf>,
    /// Measure only this row (repeat for several), e.g. to profile it; default: every row.
    #[arg(long = "row", value_enum)]
    rows: Vec<RowKind>,
    /// Scheduling policy of the load generator (wrk and the benchmark's own client); the
    /// provider always runs under the normal one.
    #[arg(long, value_enum, default_value_t = LoadPolicy::Batch)]
    load_policy: LoadPolicy,
}

fn main() -> ExitCode {
    allocator::return_freed_memory_at_once();
    let mut args = std::env::args_os();
    let provider = args.nth(1).is_some_and(|first| first == PROVIDER_ARGUMENT);
    let mut options = (!provider).then(Options::parse);
    if let Some(options) = &mut options {
        // Before the runtime starts its threads, which inherit the policy.
        options.load_policy = options.load_policy.apply_to_this_process();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("yagona-bench: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let Some(options) = options else {
        return provider_main(&runtime, args);
    };
    match runtime.block_on(run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("yagona-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the provider's own command line (what `src/main.rs` does) with the remaining arguments.
fn provider_main(
    runtime: &tokio::runtime::Runtime,
    args: impl Iterator<Item = OsString>,
) -> ExitCode {
    let cli = yagona::cli::Cli::parse_from(std::iter::once(OsString::from("yagona")).chain(args));
    match runtime.block_on(yagona::cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("yagona: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// What every phase of a run shares.
struct Run {
    settings: Settings,
    workspace: Workspace,
    program: ProviderProgram,
    ticks_per_second: f64,
    /// The load generator's scheduling policy in force.
    load_policy: LoadPolicy,
}

/// The database a table is measured on.
enum Database {
    Sqlite,
    Postgres(PgServer),
}

impl Database {
    fn name(&self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres(_) => "PostgreSQL",
        }
    }

    /// A new, empty database for one provider start.
    async fn fresh(&self, workspace: &Workspace, label: &str) -> anyhow::Result<String> {
        match self {
            Self::Sqlite => Ok(workspace.sqlite_url(label)),
            Self::Postgres(server) => server.recreate().await,
        }
    }

    /// The PostgreSQL database whose backends' CPU counts too.
    fn backend_database(&self) -> Option<String> {
        matches!(self, Self::Postgres(_)).then(|| BENCH_DATABASE.to_owned())
    }
}

async fn run(options: Options) -> anyhow::Result<()> {
    wrk::ensure_installed()?;
    let machine = Machine::detect();
    let program = match options.yagona {
        Some(path) => ProviderProgram::Binary(path),
        None => ProviderProgram::Embedded(
            std::env::current_exe().context("locating the benchmark binary")?,
        ),
    };
    let connections = options.connections.max(1);
    let run = Run {
        settings: Settings {
            duration: Duration::from_secs(options.duration.max(1)),
            warmup: Duration::from_secs(options.warmup),
            connections,
            threads: machine.cores.clamp(1, connections),
            rows: options.rows,
        },
        workspace: Workspace::create()?,
        program,
        ticks_per_second: probe::clock_ticks_per_second(),
        load_policy: options.load_policy,
    };
    eprintln!("workspace {}", run.workspace.dir.display());
    // The production sign-in's budget is relative to Argon2id alone.
    let wants_argon2 = [RowKind::ArgonAlone, RowKind::FlowProduction]
        .iter()
        .any(|kind| run.settings.wants(*kind));
    let argon = if wants_argon2 {
        Some(argon2_row(&run).await)
    } else {
        None
    };
    let argon_measurement = argon
        .as_ref()
        .and_then(|row| row.outcome.as_ref().ok().cloned());

    let sqlite_rows = measure_database(&run, &Database::Sqlite, argon.as_ref()).await;
    let postgres = if options.skip_postgres {
        Err("--skip-postgres".to_owned())
    } else {
        PgServer::reach(&options.postgres_url)
            .await
            .map_err(|e| format!("{} is unreachable: {e:#}", options.postgres_url))
    };
    let postgres_rows = match postgres {
        Ok(server) => {
            let rows =
                measure_database(&run, &Database::Postgres(server.clone()), argon.as_ref()).await;
            if let Err(e) = server.drop_database().await {
                eprintln!("could not drop {BENCH_DATABASE}: {e:#}");
            }
            Ok(rows)
        }
        Err(reason) => {
            eprintln!("\n!!!!!!!!\n!!!!!!!! SKIPPING PostgreSQL: {reason}\n!!!!!!!!\n");
            Err(reason)
        }
    };
    print_report(
        &run,
        &machine,
        argon_measurement.as_ref(),
        &sqlite_rows,
        &postgres_rows,
    );
    Ok(())
}

/// Argon2id at production parameters in this process, for the production sign-in budget.
async fn argon2_row(run: &Run) -> RowResult {
    let kind = RowKind::ArgonAlone;
    eprintln!("{} …", kind.label());
    let argon2 = match load::production_argon2() {
        Ok(argon2) => argon2,
        Err(e) => return failed(kind, e.to_string()),
    };
    let this_process = Probe {
        server_pid: std::process::id(),
        database: None,
        ticks_per_second: run.ticks_per_second,
    };
    let settings = &run.settings;
    if !settings.warmup.is_zero() {
        load::argon2_alone(argon2.clone(), ARGON2_THREADS, settings.warmup).await;
    }
    let before = this_process.snapshot();
    let outcome = load::argon2_alone(argon2, ARGON2_THREADS, settings.duration).await;
    let used = this_process.used(&before, &this_process.snapshot());
    RowResult {
        kind,
        outcome: Ok(measurement_of(&outcome, used, None)),
    }
}

/// Every row on one database: a provider with the cheap hash, then one with the production
/// hash, each on a fresh database with its own citizens.
async fn measure_database(
    run: &Run,
    database: &Database,
    argon: Option<&RowResult>,
) -> Vec<RowResult> {
    let mut rows = Vec::new();
    let settings = &run.settings;
    if RowKind::CHEAP_HASH.iter().any(|kind| settings.wants(*kind)) {
        eprintln!(
            "\n{}: provider with the cheap password hash",
            database.name()
        );
        match phase(run, database, PasswordCost::Cheap).await {
            Ok(cheap) => rows.extend(cheap),
            Err(error) => rows.extend(
                RowKind::CHEAP_HASH
                    .into_iter()
                    .filter(|kind| settings.wants(*kind))
                    .map(|kind| failed(kind, format!("{error:#}"))),
            ),
        }
    }
    if settings.wants(RowKind::FlowProduction) {
        eprintln!(
            "{}: provider with the production password hash",
            database.name()
        );
        match phase(run, database, PasswordCost::Production).await {
            Ok(production) => rows.extend(production),
            Err(error) => rows.push(failed(RowKind::FlowProduction, format!("{error:#}"))),
        }
    }
    rows.extend(argon.cloned());
    rows
}

/// Starts one provider and runs the rows for its password cost.
async fn phase(
    run: &Run,
    database: &Database,
    cost: PasswordCost,
) -> anyhow::Result<Vec<RowResult>> {
    let label = format!("{}-{cost:?}", database.name()).to_lowercase();
    let database_url = database.fresh(&run.workspace, &label).await?;
    let citizens = create_citizens(&database_url, cost, run.settings.connections).await?;
    let launch = Launch {
        program: &run.program,
        workspace: &run.workspace,
        database_url: &database_url,
        cost,
        label: &label,
        policy: run.load_policy,
    };
    let server = Server::start(&launch).await?;
    let runner = RowRunner {
        settings: &run.settings,
        probe: Probe {
            server_pid: server.pid(),
            database: database.backend_database(),
            ticks_per_second: run.ticks_per_second,
        },
        workspace: &run.workspace,
        base: server.base.clone(),
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .context("the benchmark's HTTP client")?,
    };
    let rows = match cost {
        PasswordCost::Cheap => runner.cheap_hash_rows(&citizens).await,
        PasswordCost::Production => {
            let portal = run.workspace.portal(&server.base, false);
            vec![
                runner
                    .flow_row(RowKind::FlowProduction, portal, &citizens)
                    .await,
            ]
        }
    };
    if rows.iter().any(|row| row.outcome.is_err()) {
        eprintln!("the provider's log ends with:\n{}", server.log_tail());
    }
    Ok(rows)
}

fn print_report(
    run: &Run,
    machine: &Machine,
    argon: Option<&Measurement>,
    sqlite: &[RowResult],
    postgres: &Result<Vec<RowResult>, String>,
) {
    let settings = &run.settings;
    println!("\n### Yagona ID load benchmark\n");
    println!("Machine: {}.  ", machine.describe());
    println!(
        "Load: {} connections (wrk, {} threads) or virtual users; {} s per row after {} s of \
         warm-up; {}.  ",
        settings.connections,
        settings.threads,
        settings.duration.as_secs(),
        settings.warmup.as_secs(),
        run.load_policy.describe(),
    );
    println!("Provider: `{}`.  ", run.program.describe());
    if let (Some(ms), Some(slowness)) = (machine.es256_verify_ms, machine.slowness()) {
        println!(
            "Yardstick: one ES256 verification takes {} ms here at the start, {} ms on the \
             machine issue 6's budgets were set on (×{slowness:.2}); each fixed budget is also \
             shown scaled by the yardstick timed just before and after its row (the mean), but \
             the issue's figures decide.",
            report::format_ms(ms),
            report::format_ms(machine::REFERENCE_ES256_VERIFY_MS),
        );
    }
    println!();
    let yardsticks = Yardsticks { argon };
    println!(
        "{}",
        report::render_table("SQLite", sqlite, yardsticks, None)
    );
    match postgres {
        Ok(rows) => println!(
            "{}",
            report::render_table("PostgreSQL", rows, yardsticks, Some(sqlite))
        ),
        Err(reason) => println!("#### PostgreSQL\n\nSKIPPED: {reason}\n"),
    }
    let mut misses: Vec<String> = report::misses(sqlite, yardsticks, None)
        .into_iter()
        .map(|m| format!("SQLite: {m}"))
        .collect();
    if let Ok(rows) = postgres {
        misses.extend(
            report::misses(rows, yardsticks, Some(sqlite))
                .into_iter()
                .map(|m| format!("PostgreSQL: {m}")),
        );
    }
    if misses.is_empty() {
        println!("Every row is within its budget.");
    } else {
        println!("Rows that miss their budget:\n");
        for miss in misses {
            println!("- {miss}");
        }
    }
}
