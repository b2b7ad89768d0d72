//! The provider under test: `yagona serve` as a child process, configured through `YAGONA_*`
//! variables, stopped when dropped.

use std::ffi::OsString;
use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::scheduling::LoadPolicy;
use crate::workspace::{PasswordCost, Workspace};

/// The argument that makes the benchmark binary run the provider's command line instead.
pub const PROVIDER_ARGUMENT: &str = "--run-provider";

/// How long the provider may take to answer `/health` after starting.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Failed sign-ins allowed before throttling: high, so the load is never throttled.
const RELAXED_ATTEMPTS: &str = "1000000000";

/// The program that runs `yagona serve`.
#[derive(Debug, Clone)]
pub enum ProviderProgram {
    /// This very binary with [`PROVIDER_ARGUMENT`]: the provider's library and command line,
    /// compiled by the same `cargo run --release` (so never older than the benchmark).
    Embedded(PathBuf),
    /// A `yagona` binary given with `--yagona`.
    Binary(PathBuf),
}

impl ProviderProgram {
    /// The command that starts it, under the normal scheduling policy whatever the load
    /// generator's (`policy`) is.
    fn command(&self, policy: LoadPolicy) -> Command {
        match self {
            Self::Embedded(exe) => {
                let mut command = policy.provider_command(exe);
                command.arg(PROVIDER_ARGUMENT);
                command
            }
            Self::Binary(path) => policy.provider_command(path),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Embedded(exe) => format!("{} {PROVIDER_ARGUMENT} serve", exe.display()),
            Self::Binary(path) => format!("{} serve", path.display()),
        }
    }
}

/// What to start.
#[derive(Debug)]
pub struct Launch<'a> {
    pub program: &'a ProviderProgram,
    pub workspace: &'a Workspace,
    pub database_url: &'a str,
    pub cost: PasswordCost,
    /// Names the provider's log file in the workspace.
    pub label: &'a str,
    /// The load generator's scheduling policy (the provider's is reset to normal).
    pub policy: LoadPolicy,
}

/// A running provider.
#[derive(Debug)]
pub struct Server {
    child: Child,
    /// Where the provider listens, `http://127.0.0.1:PORT` (its issuer names `localhost`).
    pub base: String,
    log: PathBuf,
}

impl Server {
    /// Starts the provider on a free loopback port and waits until it answers `/health`.
    pub async fn start(launch: &Launch<'_>) -> anyhow::Result<Self> {
        let port = free_port()?;
        // Passkeys need a domain name as relying-party id, so the issuer says `localhost`; the
        // load goes to 127.0.0.1 (where the provider listens) so that no client tries ::1.
        let issuer = format!("http://localhost:{port}");
        let base = format!("http://127.0.0.1:{port}");
        let log = launch.workspace.path(&format!("{}.log", launch.label));
        let log_file = File::create(&log).context("creating the provider's log file")?;
        let mut command = launch.program.command(launch.policy);
        command
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file);
        // Configuration comes only from the variables above, never from the caller's shell.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("YAGONA_") {
                command.env_remove(name);
            }
        }
        command.envs(environment(launch, &issuer, port));
        let child = command
            .spawn()
            .with_context(|| format!("starting {}", launch.program.describe()))?;
        let mut server = Self { child, base, log };
        server.wait_until_ready().await?;
        eprintln!("  provider pid {} at {}", server.pid(), server.base);
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    async fn wait_until_ready(&mut self) -> anyhow::Result<()> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()?;
        let started = Instant::now();
        while started.elapsed() < START_TIMEOUT {
            if let Some(status) = self.child.try_wait()? {
                let log = self.log_tail();
                eprintln!("the provider's log ends with:\n{log}");
                let last = log.lines().last().unwrap_or_default().to_owned();
                bail!("the provider exited ({status}): {last}");
            }
            let health = http.get(format!("{}/health", self.base)).send().await;
            if health.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!(
            "the provider did not answer /health within {START_TIMEOUT:?}:\n{}",
            self.log_tail()
        )
    }

    /// The end of the provider's log, for error messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn environment(launch: &Launch<'_>, issuer: &str, port: u16) -> Vec<(OsString, OsString)> {
    let workspace = launch.workspace;
    let mut variables: Vec<(String, String)> = vec![
        ("YAGONA_ISSUER".into(), issuer.to_owned()),
        ("YAGONA_LISTEN".into(), format!("127.0.0.1:{port}")),
        ("YAGONA_DATABASE_URL".into(), launch.database_url.to_owned()),
        (
            "YAGONA_KEYS_DIR".into(),
            workspace.keys_dir.display().to_string(),
        ),
        (
            "YAGONA_CLIENTS_DIR".into(),
            workspace.clients_dir.display().to_string(),
        ),
        (
            "YAGONA_LOGIN_THROTTLE__FREE_ATTEMPTS".into(),
            RELAXED_ATTEMPTS.into(),
        ),
        (
            "YAGONA_LOGIN_THROTTLE__FREE_ATTEMPTS_PER_ADDRESS".into(),
            RELAXED_ATTEMPTS.into(),
        ),
        // Long enough for tokens minted at set-up to outlive every row, whatever --duration.
        ("YAGONA_TOKENS__ACCESS_TOKEN".into(), "86400".into()),
    ];
    variables.extend(launch.cost.environment());
    variables
        .into_iter()
        .map(|(name, value)| (name.into(), value.into()))
        .collect()
}

/// A loopback port nobody listens on now (the provider binds it a moment later).
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod tests {
    use super::*;

    #[test]
    fn the_provider_is_configured_only_through_its_variables() {
        let workspace = Workspace::create().unwrap();
        let program = ProviderProgram::Binary("/usr/bin/yagona".into());
        let url = workspace.sqlite_url("t");
        let launch = Launch {
            program: &program,
            workspace: &workspace,
            database_url: &url,
            cost: PasswordCost::Production,
            label: "t",
            policy: LoadPolicy::Batch,
        };
        let variables = environment(&launch, "http://localhost:5000", 5000);
        let get = |name: &str| {
            variables
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.to_string_lossy().into_owned())
        };
        assert_eq!(
            get("YAGONA_ISSUER").as_deref(),
            Some("http://localhost:5000")
        );
        assert_eq!(get("YAGONA_LISTEN").as_deref(), Some("127.0.0.1:5000"));
        assert_eq!(get("YAGONA_DATABASE_URL"), Some(url));
        assert_eq!(get("YAGONA_PASSWORD__MEMORY_KIB").as_deref(), Some("12288"));
        assert_eq!(
            get("YAGONA_LOGIN_THROTTLE__FREE_ATTEMPTS").as_deref(),
            Some(RELAXED_ATTEMPTS)
        );
        assert!(program.describe().ends_with("yagona serve"));
        assert!(free_port().unwrap() > 0);
    }
}
