//! The rows measured against one running provider: single requests with wrk, refresh chains
//! and sign-in flows with the benchmark's own client. Each row warms up first, then reads the
//! provider's CPU before and after its measured window.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::browser::{self, Citizen, Portal, Tokens};
use crate::load::{self, LoadOutcome};
use crate::machine;
use crate::probe::Probe;
use crate::report::{Measurement, RowKind, RowResult};
use crate::workspace::{SERVICE_SCOPE, Workspace};
use crate::wrk::{self, WrkRequest};

/// How long and how hard each row runs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub duration: Duration,
    pub warmup: Duration,
    /// Connections (wrk) or concurrent virtual users and refresh chains (own client).
    pub connections: usize,
    /// wrk threads.
    pub threads: usize,
    /// The rows to measure; empty means every row.
    pub rows: Vec<RowKind>,
}

impl Settings {
    pub fn wants(&self, kind: RowKind) -> bool {
        self.rows.is_empty() || self.rows.contains(&kind)
    }
}

/// Runs rows against one provider.
pub struct RowRunner<'a> {
    pub settings: &'a Settings,
    pub probe: Probe,
    pub workspace: &'a Workspace,
    /// The provider's base URL.
    pub base: String,
    /// A keep-alive client that never follows redirects.
    pub http: reqwest::Client,
}

impl RowRunner<'_> {
    /// The selected rows served with the cheap password hash, in table order.
    pub async fn cheap_hash_rows(&self, citizens: &[Citizen]) -> Vec<RowResult> {
        // Citizens' tokens for introspection, UserInfo and the refresh chains, made once.
        let mut grants: Option<Result<Vec<Tokens>, String>> = None;
        let mut rows = Vec::new();
        // The yardstick timed after a row is also the one before the next.
        let mut yardstick = None;
        for kind in RowKind::CHEAP_HASH {
            if !self.settings.wants(kind) {
                continue;
            }
            if yardstick.is_none() {
                yardstick = machine::slowness_now().await;
            }
            let row = match kind {
                RowKind::Discovery => {
                    self.get_row(kind, "/.well-known/openid-configuration")
                        .await
                }
                RowKind::Jwks => self.get_row(kind, "/jwks").await,
                RowKind::ClientCredentials => self.client_credentials_row().await,
                RowKind::Introspection | RowKind::UserInfo | RowKind::Refresh => {
                    if grants.is_none() {
                        grants = Some(self.sign_in_for_tokens(citizens).await);
                    }
                    match &grants {
                        Some(Ok(grants)) => self.token_row(kind, grants).await,
                        Some(Err(reason)) => failed(kind, format!("no tokens to use: {reason}")),
                        None => failed(kind, "no tokens to use".into()),
                    }
                }
                RowKind::FlowCheap | RowKind::FlowConsent => {
                    let portal = self
                        .workspace
                        .portal(&self.base, kind == RowKind::FlowConsent);
                    self.flow_row(kind, portal, citizens).await
                }
                RowKind::FlowProduction | RowKind::ArgonAlone => continue,
            };
            let before = yardstick;
            yardstick = machine::slowness_now().await;
            rows.push(row.timed_between(before, yardstick));
        }
        rows
    }

    async fn get_row(&self, kind: RowKind, path: &str) -> RowResult {
        let request = WrkRequest::get(format!("{}{path}", self.base));
        self.wrk_row(kind, request, "").await
    }

    /// A row that uses a citizen's tokens: the first grant's access token, or every grant's
    /// refresh token.
    async fn token_row(&self, kind: RowKind, grants: &[Tokens]) -> RowResult {
        let Some(first) = grants.first() else {
            return failed(kind, "no sign-in gave tokens".into());
        };
        match kind {
            RowKind::Introspection => self.introspection_row(&first.access_token).await,
            RowKind::UserInfo => self.userinfo_row(&first.access_token).await,
            _ => self.refresh_row(grants).await,
        }
    }

    async fn client_credentials_row(&self) -> RowResult {
        let body = format!("grant_type=client_credentials&scope={SERVICE_SCOPE}");
        let request = WrkRequest::post_form(format!("{}/token", self.base), body)
            .header("Authorization", self.workspace.basic_authorization());
        self.wrk_row(RowKind::ClientCredentials, request, "\"access_token\"")
            .await
    }

    async fn introspection_row(&self, access_token: &str) -> RowResult {
        let request = WrkRequest::post_form(
            format!("{}/introspect", self.base),
            format!("token={access_token}"),
        )
        .header("Authorization", self.workspace.basic_authorization());
        self.wrk_row(RowKind::Introspection, request, "\"active\":true")
            .await
    }

    async fn userinfo_row(&self, access_token: &str) -> RowResult {
        let request = WrkRequest::get(format!("{}/userinfo", self.base))
            .header("Authorization", format!("Bearer {access_token}"));
        self.wrk_row(RowKind::UserInfo, request, "\"sub\"").await
    }

    /// One sign-in per refresh chain, asking for `offline_access`.
    async fn sign_in_for_tokens(&self, citizens: &[Citizen]) -> Result<Vec<Tokens>, String> {
        let mut portal = self.workspace.portal(&self.base, false);
        portal.scope.push_str(" offline_access");
        let mut grants = Vec::new();
        for worker in 0..self.settings.connections {
            let citizen = citizen_for(citizens, worker)?;
            grants.push(browser::sign_in(&self.http, &portal, citizen).await?);
        }
        Ok(grants)
    }

    /// Each worker refreshes its own grant, always with the token the previous answer gave.
    async fn refresh_row(&self, grants: &[Tokens]) -> RowResult {
        let chains: Vec<Mutex<String>> = grants
            .iter()
            .filter_map(|g| g.refresh_token.clone().map(Mutex::new))
            .collect();
        if chains.len() < grants.len() {
            return failed(RowKind::Refresh, "a sign-in gave no refresh token".into());
        }
        let chains = Arc::new(chains);
        let portal = Arc::new(self.workspace.portal(&self.base, false));
        let http = self.http.clone();
        let operation = move |worker: usize| {
            let (chains, portal, http) = (Arc::clone(&chains), Arc::clone(&portal), http.clone());
            async move {
                let current = chains[worker]
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone();
                let tokens = browser::refresh(&http, &portal, &current).await?;
                let rotated = tokens.refresh_token.ok_or("no rotated refresh token")?;
                *chains[worker]
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = rotated;
                Ok(())
            }
        };
        self.client_row(RowKind::Refresh, Arc::new(operation)).await
    }

    /// Whole sign-in flows; worker `i` signs in as citizen `i` with an empty cookie jar.
    pub async fn flow_row(&self, kind: RowKind, portal: Portal, citizens: &[Citizen]) -> RowResult {
        if citizens.is_empty() {
            return failed(kind, "no citizens".into());
        }
        let citizens = Arc::new(citizens.to_vec());
        let portal = Arc::new(portal);
        let http = self.http.clone();
        let operation = move |worker: usize| {
            let (citizens, portal, http) =
                (Arc::clone(&citizens), Arc::clone(&portal), http.clone());
            async move {
                let citizen = citizen_for(&citizens, worker)?;
                browser::sign_in(&http, &portal, citizen).await.map(drop)
            }
        };
        self.client_row(kind, Arc::new(operation)).await
    }

    async fn client_row<F, Fut>(&self, kind: RowKind, operation: Arc<F>) -> RowResult
    where
        F: Fn(usize) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<(), String>> + Send + 'static,
    {
        eprintln!("  {} …", kind.label());
        let connections = self.settings.connections;
        if !self.settings.warmup.is_zero() {
            let warmup =
                load::drive(connections, self.settings.warmup, Arc::clone(&operation)).await;
            if warmup.successes() == 0 {
                let reason = warmup
                    .first_error
                    .unwrap_or_else(|| "nothing completed".into());
                return failed(kind, reason);
            }
        }
        let before = self.probe.snapshot();
        let outcome = load::drive(connections, self.settings.duration, operation).await;
        let used = self.probe.used(&before, &self.probe.snapshot());
        if let Some(error) = &outcome.first_error {
            eprintln!(
                "  {}: {} errors, the first: {error}",
                kind.label(),
                outcome.errors
            );
        }
        RowResult {
            kind,
            outcome: Ok(measurement_of(&outcome, used, self.probe.peak_rss_kib())),
        }
    }

    /// Checks that `request` succeeds (and its body holds `expect`), then warms up and measures.
    async fn wrk_row(&self, kind: RowKind, request: WrkRequest, expect: &str) -> RowResult {
        eprintln!("  {} …", kind.label());
        if let Err(reason) = self.check(&request, expect).await {
            return failed(kind, reason);
        }
        let settings = self.settings.clone();
        let dir = self.workspace.dir.clone();
        if !settings.warmup.is_zero() {
            let warmup = run_wrk(request.clone(), dir.clone(), &settings, settings.warmup).await;
            if let Err(reason) = warmup {
                return failed(kind, reason);
            }
        }
        let before = self.probe.snapshot();
        let report = run_wrk(request, dir, &settings, settings.duration).await;
        let used = self.probe.used(&before, &self.probe.snapshot());
        let outcome = report.map(|report| Measurement {
            operations: report.requests,
            elapsed: report.elapsed,
            p50: report.p50,
            p99: report.p99,
            errors: report.bad_status + report.socket_errors,
            server_cpu_ms: used.server_ms,
            database_cpu_ms: used.database_ms,
            peak_rss_kib: self.probe.peak_rss_kib(),
            slowness: None,
        });
        RowResult { kind, outcome }
    }

    /// Sends `request` once with reqwest: a row whose request fails measures nothing useful.
    async fn check(&self, request: &WrkRequest, expect: &str) -> Result<(), String> {
        let method =
            reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|e| e.to_string())?;
        let mut builder = self.http.request(method, &request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let response = builder.send().await.map_err(|e| e.to_string())?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        if !status.is_success() || !body.contains(expect) {
            return Err(format!("{} answered {status}: {body}", request.url));
        }
        Ok(())
    }
}

async fn run_wrk(
    request: WrkRequest,
    dir: PathBuf,
    settings: &Settings,
    duration: Duration,
) -> Result<wrk::WrkReport, String> {
    let (connections, threads) = (settings.connections, settings.threads);
    tokio::task::spawn_blocking(move || wrk::run(&request, &dir, connections, threads, duration))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("{e:#}"))
}

fn citizen_for(citizens: &[Citizen], worker: usize) -> Result<&Citizen, String> {
    citizens
        .get(worker % citizens.len().max(1))
        .ok_or_else(|| "no citizens".to_owned())
}

/// A row from the own client's outcome and the CPU it cost.
pub fn measurement_of(
    outcome: &LoadOutcome,
    used: crate::probe::CpuUsed,
    peak_rss_kib: Option<u64>,
) -> Measurement {
    Measurement {
        operations: outcome.successes(),
        elapsed: outcome.elapsed,
        p50: outcome.percentile(0.5),
        p99: outcome.percentile(0.99),
        errors: outcome.errors,
        server_cpu_ms: used.server_ms,
        database_cpu_ms: used.database_ms,
        peak_rss_kib,
        slowness: None,
    }
}

/// A row that could not be measured. The whole reason goes to stderr; the table gets its
/// first line, shortened.
pub fn failed(kind: RowKind, reason: String) -> RowResult {
    eprintln!("  {}: FAILED: {reason}", kind.label());
    RowResult {
        kind,
        outcome: Err(one_line(&reason)),
    }
}

fn one_line(reason: &str) -> String {
    const LONGEST: usize = 160;
    let line = reason.lines().next().unwrap_or_default().trim();
    if line.chars().count() > LONGEST {
        format!("{}…", line.chars().take(LONGEST).collect::<String>())
    } else {
        line.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_shown_on_one_short_line() {
        assert_eq!(
            one_line("the provider exited:\nlog line"),
            "the provider exited:"
        );
        let long = "x".repeat(500);
        assert_eq!(one_line(&long).chars().count(), 161);
        let row = failed(RowKind::Jwks, "a\nb".into());
        assert_eq!(row.outcome, Err("a".to_owned()));
    }
}
