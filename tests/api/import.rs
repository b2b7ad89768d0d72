//! `yagona import` with the legacy export generator's data (`../shared/legacy/generate.py`):
//! every defect reported, every other row imported, re-runs change nothing, an interrupted run
//! resumes to the same accounts as a clean run, and known legacy passwords sign in through the
//! real sign-in page and are rehashed to Argon2id.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use openidconnect::reqwest;
use yagona::clock::Clock;
use yagona::import::{Format, ImportOptions, ProgressMode, Report, Severity, run_import};
use yagona::store::{SharedStore, SqliteStore, Store as _};

use crate::both_backends;
use crate::helpers::{TestApp, code_params, hidden_field};

const RECORDS: u64 = 2_000;
const CHUNK: usize = 300;

/// A generated export and its sidecars.
struct Export {
    _dir: tempfile::TempDir,
    file: PathBuf,
    known: Vec<serde_json::Value>,
    defects: Vec<serde_json::Value>,
}

fn read_jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .expect("sidecar")
        .lines()
        .map(|l| serde_json::from_str(l).expect("sidecar line"))
        .collect()
}

/// Runs the generator (CI has `../shared` beside the checkout).
fn generate(format: &str) -> Export {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/legacy/generate.py");
    let file = dir.path().join(format!("export.{format}"));
    let known = dir.path().join("known.jsonl");
    let defects = dir.path().join("defects.jsonl");
    let status = std::process::Command::new("python3")
        .arg(&script)
        .args([
            "--rows",
            &RECORDS.to_string(),
            "--seed",
            "11",
            "--known-every",
            "25",
        ])
        .args(["--format", format])
        .arg("--out")
        .arg(&file)
        .arg("--known-passwords")
        .arg(&known)
        .arg("--defects-report")
        .arg(&defects)
        .status()
        .expect("python3 runs the legacy export generator");
    assert!(status.success(), "generator failed");
    Export {
        known: read_jsonl(&known),
        defects: read_jsonl(&defects),
        file,
        _dir: dir,
    }
}

fn options(file: &Path, now: i64) -> ImportOptions {
    let mut options = ImportOptions::new(file, now);
    options.chunk_size = CHUNK;
    options.progress = ProgressMode::Hidden;
    options
}

/// Every listed defect is reported with the suggested outcome, nothing else is reported, and
/// the counts leave no row unaccounted for.
fn check_report(report: &Report, defects: &[serde_json::Value]) {
    assert_eq!(report.records, RECORDS);
    assert_eq!(report.outcomes.total(), RECORDS, "{:?}", report.outcomes);
    for defect in defects {
        let line = defect["line"].as_u64().expect("line");
        let expected = match defect["expect"].as_str() {
            Some("reject") => Severity::Reject,
            Some("conflict") => Severity::Conflict,
            _ => Severity::Warn,
        };
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.line == line && f.severity == expected),
            "defect {defect} not reported as {expected:?}; findings there: {:?}",
            report
                .findings
                .iter()
                .filter(|f| f.line == line)
                .collect::<Vec<_>>()
        );
    }
    let listed: std::collections::HashSet<u64> =
        defects.iter().filter_map(|d| d["line"].as_u64()).collect();
    let unexpected: Vec<_> = report
        .findings
        .iter()
        .filter(|f| !listed.contains(&f.line))
        .collect();
    assert!(
        unexpected.is_empty(),
        "findings on clean rows: {unexpected:?}"
    );
    let held = defects
        .iter()
        .filter(|d| matches!(d["expect"].as_str(), Some("reject" | "conflict")))
        .count() as u64;
    let o = &report.outcomes;
    assert_eq!(
        o.new + o.unchanged,
        RECORDS - held,
        "every clean row imported"
    );
    assert_eq!(o.rejected + o.conflict, held);
    for finding in &report.findings {
        let longest_digit_run = finding
            .detail
            .split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        assert!(longest_digit_run < 14, "a clear PINFL in {finding:?}");
    }
}

/// The accounts an import made, without their random ids, by legacy id.
async fn accounts_by_legacy_id(store: &SharedStore) -> Vec<String> {
    dump_accounts(store, true).await
}

/// [`accounts_by_legacy_id`], with or without `created_at` (a record without a readable
/// creation time gets the import's clock, which differs between two processes).
async fn dump_accounts(store: &SharedStore, with_created: bool) -> Vec<String> {
    let mut dump = Vec::new();
    for (legacy_id, account_id) in store.legacy_accounts("oneid").await.expect("legacy ids") {
        let account = match account_id {
            Some(id) => store.account(&id).await.expect("account"),
            None => None,
        };
        let account = account.map(|a| {
            (
                a.username,
                a.email,
                a.phone,
                a.pinfl,
                a.given_name,
                a.family_name,
                a.middle_name,
                a.birthdate,
                a.password_hash,
                a.disabled,
                with_created.then_some(a.created_at),
            )
        });
        dump.push(format!("{legacy_id} {account:?}"));
    }
    dump
}

async fn clean_sqlite_import(export: &Export, now: i64) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("clean.db").display());
    let store = SqliteStore::connect(&url, 2).await.expect("sqlite");
    store.migrate().await.expect("migrate");
    let store: SharedStore = Arc::new(store);
    let mut clean = options(&export.file, now);
    clean.chunk_size = 5_000;
    run_import(&store, &clean).await.expect("clean import");
    accounts_by_legacy_id(&store).await
}

async fn import_is_complete_idempotent_and_resumable(app: TestApp) {
    let export = generate("csv");
    let store = &app.state.provider.store;
    let now = app.clock.now();
    let mut opts = options(&export.file, now);

    opts.dry_run = true;
    let dry = run_import(store, &opts).await.expect("dry run");
    check_report(&dry, &export.defects);
    assert_eq!(
        store.count_accounts().await.expect("count"),
        0,
        "a dry run writes nothing"
    );

    opts.dry_run = false;
    opts.stop_after_chunks = Some(2);
    run_import(store, &opts).await.expect("interrupted run");
    let partial = store.count_accounts().await.expect("count") as u64;
    assert!(partial > 0 && partial < dry.outcomes.new, "{partial}");

    opts.stop_after_chunks = None;
    let resumed = run_import(store, &opts).await.expect("resumed run");
    assert_eq!(resumed.resumed_after_record, Some(2 * CHUNK as u64));
    assert_eq!(resumed.outcomes, dry.outcomes);
    check_report(&resumed, &export.defects);
    assert_eq!(
        store.count_accounts().await.expect("count") as u64,
        resumed.outcomes.new
    );
    let after_resume = accounts_by_legacy_id(store).await;
    assert_eq!(after_resume, clean_sqlite_import(&export, now).await);

    let again = run_import(store, &opts).await.expect("second run");
    assert_eq!(again.resumed_after_record, None);
    assert_eq!(again.outcomes.new, 0);
    assert_eq!(again.outcomes.unchanged, resumed.outcomes.new);
    check_report(&again, &export.defects);
    assert_eq!(
        accounts_by_legacy_id(store).await,
        after_resume,
        "nothing changed"
    );

    known_passwords_sign_in_and_are_upgraded(&app, &export).await;
}

both_backends!(
    import_end_to_end,
    import_is_complete_idempotent_and_resumable
);

/// Signs in on the real page with a fresh browser; true when the sign-in succeeded.
async fn sign_in(app: &TestApp, login: &str, password: &str) -> bool {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("browser");
    let authorize = app.authorize_url(&code_params("portal", &[]));
    let login_url = app
        .location(browser.get(&authorize).send().await.expect("authorize"))
        .await;
    let html = browser
        .get(&login_url)
        .send()
        .await
        .expect("login page")
        .text()
        .await
        .expect("html");
    let form = [
        ("request", hidden_field(&html, "request")),
        ("csrf", hidden_field(&html, "csrf")),
        ("login", login.to_owned()),
        ("password", password.to_owned()),
    ];
    let response = browser
        .post(app.url("/login"))
        .form(&form)
        .send()
        .await
        .expect("login post");
    match response.status().as_u16() {
        303 => true,
        200 => false,
        other => panic!("sign-in answered {other}"),
    }
}

async fn stored_hash(app: &TestApp, login: &str) -> String {
    let account = app
        .state
        .provider
        .store
        .account_by_login(&login.to_lowercase())
        .await
        .expect("lookup")
        .expect("imported account");
    account.password_hash.expect("a password hash")
}

async fn known_passwords_sign_in_and_are_upgraded(app: &TestApp, export: &Export) {
    let mut schemes_checked = std::collections::BTreeSet::new();
    for known in &export.known {
        let login = known["login"].as_str().expect("login");
        let password = known["password"].as_str().expect("password");
        let scheme = known["hash_algo"].as_str().expect("scheme");
        let legacy_hash = stored_hash(app, login).await;
        if known["verifiable"] != serde_json::Value::Bool(true) {
            assert!(
                !sign_in(app, login, password).await,
                "{login}: random-shaped hash"
            );
            continue;
        }
        // Wrong passwords once per scheme: failures per client address are throttled.
        let first_of_scheme = schemes_checked.insert(scheme.to_owned());
        if first_of_scheme {
            assert!(
                !sign_in(app, login, &format!("{password}x")).await,
                "{login} wrong"
            );
            assert_eq!(
                stored_hash(app, login).await,
                legacy_hash,
                "wrong password keeps it"
            );
        }
        assert!(
            sign_in(app, login, password).await,
            "{login} ({scheme}) must sign in"
        );
        let upgraded = stored_hash(app, login).await;
        assert!(upgraded.starts_with("$argon2id$"), "{login}: {upgraded}");
        if first_of_scheme {
            assert!(
                sign_in(app, login, password).await,
                "{login} after the upgrade"
            );
            assert!(
                !sign_in(app, login, "wrong password").await,
                "{login} wrong after upgrade"
            );
        }
    }
    let expected = [
        "bcrypt",
        "md5_salt",
        "pbkdf2_sha256",
        "sha1",
        "sha256_salt",
        "sha512_crypt",
    ];
    for scheme in expected {
        assert!(
            schemes_checked.contains(scheme),
            "no verifiable {scheme} row"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_lines_export_is_checked_the_same_way() {
    let app = crate::helpers::sqlite_app().await;
    let export = generate("jsonl");
    let mut opts = options(&export.file, app.clock.now());
    assert_eq!(opts.format, Format::Jsonl);
    opts.dry_run = true;
    let report = run_import(&app.state.provider.store, &opts)
        .await
        .expect("dry run");
    check_report(&report, &export.defects);
}

/// Runs the `yagona import` binary on `file` against `database_url`.
fn import_command(file: &Path, database_url: &str, report: &Path) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_yagona"));
    command
        .arg("import")
        .arg(file)
        .args(["--chunk-size", "10", "--progress", "none", "--report"])
        .arg(report)
        .env("YAGONA_DATABASE_URL", database_url)
        .env("YAGONA_LOG", "warn")
        .stdout(std::process::Stdio::null());
    command
}

/// `kill -9` of the import process once it has committed a chunk, then a second run: the end
/// state is a clean run's, and the report accounts for every record.
async fn killed_import_resumes_to_a_clean_runs_state(backend: crate::helpers::Backend) {
    let mut database_url = String::new();
    let Some(app) = crate::helpers::spawn_app_with(backend, |config| {
        database_url = config.database_url.clone();
    })
    .await
    else {
        return;
    };
    let store = &app.state.provider.store;
    let export = generate("csv");
    let sha = yagona::crypto::sha256(&std::fs::read(&export.file).expect("export"));
    let reports = tempfile::tempdir().expect("tempdir");
    let report_path = reports.path().join("report.json");

    let mut child = import_command(&export.file, &database_url, &report_path)
        .spawn()
        .expect("yagona import starts");
    let committed = loop {
        let run = store
            .unfinished_import_run("oneid", &sha)
            .await
            .expect("import_runs");
        if let Some(run) = run.filter(|r| r.last_committed_record > 0) {
            child.kill().expect("SIGKILL");
            child.wait().expect("reaped");
            break run.last_committed_record;
        }
        assert!(
            child.try_wait().expect("child state").is_none(),
            "the import finished before a chunk was seen committed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    };
    let killed = store
        .unfinished_import_run("oneid", &sha)
        .await
        .expect("import_runs")
        .expect("the killed run is unfinished");
    assert!(killed.last_committed_record >= committed);
    assert!((killed.last_committed_record as u64) < RECORDS);
    let imported = store.legacy_accounts("oneid").await.expect("legacy ids");
    assert!(!imported.is_empty(), "whole chunks stay committed");

    let status = import_command(&export.file, &database_url, &report_path)
        .status()
        .expect("second run");
    assert!(status.success());
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report_path).expect("report")).expect("json");
    assert_eq!(
        report["resumed_after_record"].as_i64(),
        Some(killed.last_committed_record)
    );
    assert_eq!(report["records"].as_u64(), Some(RECORDS));
    let total: u64 = [
        "new",
        "unchanged",
        "changed",
        "skipped",
        "rejected",
        "conflict",
    ]
    .iter()
    .map(|k| report["outcomes"][k].as_u64().expect("outcome"))
    .sum();
    assert_eq!(total, RECORDS, "every record accounted for");
    assert_eq!(
        store.count_accounts().await.expect("count") as u64,
        report["outcomes"]["new"].as_u64().expect("new")
    );

    let clean_dir = tempfile::tempdir().expect("tempdir");
    let clean_url = format!("sqlite://{}", clean_dir.path().join("clean.db").display());
    let clean_report = clean_dir.path().join("report.json");
    let status = import_command(&export.file, &clean_url, &clean_report)
        .status()
        .expect("clean run");
    assert!(status.success());
    let clean: SharedStore = Arc::new(SqliteStore::connect(&clean_url, 1).await.expect("clean"));
    let clean_report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&clean_report).expect("report")).expect("json");
    assert_eq!(report["outcomes"], clean_report["outcomes"]);
    assert_eq!(
        dump_accounts(store, false).await,
        dump_accounts(&clean, false).await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_import_resumes_sqlite() {
    killed_import_resumes_to_a_clean_runs_state(crate::helpers::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_import_resumes_postgres() {
    killed_import_resumes_to_a_clean_runs_state(crate::helpers::Backend::Postgres).await;
}
