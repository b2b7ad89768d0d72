//! The `wrk` load generator for the single-request rows: installing it when missing, a Lua
//! script per request shape, and reading its report.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};

/// The Debian command that installs `wrk`.
pub const INSTALL_COMMAND: &str = "apt-get install -y wrk";

/// Finds `wrk`, installing it with apt when running as root.
pub fn ensure_installed() -> anyhow::Result<()> {
    if is_installed() {
        return Ok(());
    }
    eprintln!("\n*** wrk is not installed. Install it with:\n***     {INSTALL_COMMAND}\n");
    if crate::probe::real_uid() != Some(0) {
        bail!("wrk is missing: run `{INSTALL_COMMAND}` as root, then run the benchmark again");
    }
    eprintln!("running as root: installing wrk now");
    if !run_apt(&["install", "-y", "wrk"]) {
        // A fresh container may have no package lists yet.
        run_apt(&["update"]);
        run_apt(&["install", "-y", "wrk"]);
    }
    if !is_installed() {
        bail!("wrk is still missing after `{INSTALL_COMMAND}`; install it and try again");
    }
    Ok(())
}

fn is_installed() -> bool {
    Command::new("wrk")
        .arg("--version")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("wrk"))
}

fn run_apt(args: &[&str]) -> bool {
    Command::new("apt-get")
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .is_ok_and(|status| status.success())
}

/// One request shape, repeated by every connection.
#[derive(Debug, Clone)]
pub struct WrkRequest {
    pub url: String,
    pub method: &'static str,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

impl WrkRequest {
    pub fn get(url: String) -> Self {
        Self {
            url,
            method: "GET",
            headers: Vec::new(),
            body: None,
        }
    }

    /// A form POST (`application/x-www-form-urlencoded`).
    pub fn post_form(url: String, body: String) -> Self {
        Self {
            url,
            method: "POST",
            headers: vec![(
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            )],
            body: Some(body),
        }
    }

    pub fn header(mut self, name: &str, value: String) -> Self {
        self.headers.push((name.into(), value));
        self
    }

    /// The Lua script that makes wrk send this request (wrk's `wrk.method`, `wrk.body`,
    /// `wrk.headers` globals).
    fn lua_script(&self) -> String {
        let mut script = format!("wrk.method = {}\n", lua_string(self.method));
        if let Some(body) = &self.body {
            script.push_str(&format!("wrk.body = {}\n", lua_string(body)));
        }
        for (name, value) in &self.headers {
            script.push_str(&format!(
                "wrk.headers[{}] = {}\n",
                lua_string(name),
                lua_string(value)
            ));
        }
        script
    }
}

/// A Lua string literal. Our values are printable ASCII; quotes and backslashes are escaped.
fn lua_string(value: &str) -> String {
    let escaped: String = value
        .chars()
        .flat_map(|c| match c {
            '"' | '\\' => vec!['\\', c],
            '\n' => vec!['\\', 'n'],
            c => vec![c],
        })
        .collect();
    format!("\"{escaped}\"")
}

/// What `wrk --latency` reported.
#[derive(Debug, Clone, PartialEq)]
pub struct WrkReport {
    pub requests: u64,
    pub elapsed: Duration,
    pub p50: Duration,
    pub p99: Duration,
    /// Answers with a status of 400 or above (wrk's "Non-2xx or 3xx responses").
    pub bad_status: u64,
    /// connect + read + write + timeout errors.
    pub socket_errors: u64,
}

/// Runs wrk against `request` for `duration` with `connections` connections on `threads`
/// threads, writing the Lua script into `dir`.
pub fn run(
    request: &WrkRequest,
    dir: &Path,
    connections: usize,
    threads: usize,
    duration: Duration,
) -> anyhow::Result<WrkReport> {
    let script: PathBuf = dir.join("request.lua");
    std::fs::write(&script, request.lua_script()).context("writing the wrk script")?;
    let seconds = duration.as_secs().max(1);
    let output = Command::new("wrk")
        .arg(format!("-t{}", threads.clamp(1, connections.max(1))))
        .arg(format!("-c{connections}"))
        .arg(format!("-d{seconds}s"))
        .arg("--latency")
        .arg("-s")
        .arg(&script)
        .arg(&request.url)
        .output()
        .context("running wrk")?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "wrk failed ({}): {}{}",
            output.status,
            text,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    parse_report(&text).with_context(|| format!("reading wrk's report:\n{text}"))
}

/// Reads the parts of wrk's text report that the table needs.
fn parse_report(text: &str) -> anyhow::Result<WrkReport> {
    let mut requests = None;
    let mut elapsed = None;
    let (mut p50, mut p99) = (None, None);
    let (mut bad_status, mut socket_errors) = (0, 0);
    for line in text.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["50%", value] => p50 = parse_duration(value),
            ["99%", value] => p99 = parse_duration(value),
            [count, "requests", "in", time, ..] => {
                requests = count.parse().ok();
                elapsed = parse_duration(time.trim_end_matches(','));
            }
            ["Socket", "errors:", ..] => socket_errors = sum_of_numbers(line),
            ["Non-2xx", "or", "3xx", "responses:", count] => bad_status = count.parse()?,
            _ => {}
        }
    }
    match (requests, elapsed, p50, p99) {
        (Some(requests), Some(elapsed), Some(p50), Some(p99)) => Ok(WrkReport {
            requests,
            elapsed,
            p50,
            p99,
            bad_status,
            socket_errors,
        }),
        _ => bail!("no request count, duration or latency distribution in wrk's output"),
    }
}

/// "connect 0, read 2, write 0, timeout 1" → 3.
fn sum_of_numbers(line: &str) -> u64 {
    line.split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse::<u64>().ok())
        .sum()
}

/// wrk's durations: `812.00us`, `1.25ms`, `5.00s`, `1.02m`.
fn parse_duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().ok()?;
    let nanos_per_unit = match unit {
        "us" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        "m" => 60e9,
        "h" => 3600e9,
        _ => return None,
    };
    // Rounded to whole nanoseconds so "1.02ms" is exactly 1,020 µs.
    Some(Duration::from_nanos((value * nanos_per_unit).round() as u64))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod tests {
    use super::*;

    const REPORT: &str = "Running 5s test @ http://127.0.0.1:41234/token
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.21ms  812.44us  17.93ms   91.02%
    Req/Sec     6.81k   402.11     7.52k    72.00%
  Latency Distribution
     50%    1.02ms
     75%    1.37ms
     90%    1.88ms
     99%    4.51ms
  67814 requests in 5.00s, 30.12MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 12
Requests/sec:  13561.80
Transfer/sec:      6.02MB
";

    #[test]
    fn reads_counts_latencies_and_errors() {
        let report = parse_report(REPORT).unwrap();
        assert_eq!(report.requests, 67_814);
        assert_eq!(report.elapsed, Duration::from_secs(5));
        assert_eq!(report.p50, Duration::from_micros(1_020));
        assert_eq!(report.p99, Duration::from_micros(4_510));
        assert_eq!(report.bad_status, 12);
        assert_eq!(report.socket_errors, 3);
    }

    #[test]
    fn a_clean_run_has_no_errors() {
        let clean: String = REPORT
            .lines()
            .filter(|l| !l.contains("errors") && !l.contains("Non-2xx"))
            .map(|l| format!("{l}\n"))
            .collect();
        let report = parse_report(&clean).unwrap();
        assert_eq!((report.bad_status, report.socket_errors), (0, 0));
    }

    #[test]
    fn output_without_a_distribution_is_refused() {
        assert!(parse_report("unable to connect to 127.0.0.1:1 Connection refused").is_err());
    }

    #[test]
    fn durations_in_every_unit() {
        assert_eq!(parse_duration("812.00us"), Some(Duration::from_micros(812)));
        assert_eq!(parse_duration("2.00s"), Some(Duration::from_secs(2)));
        assert_eq!(parse_duration("1.50m"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("fast"), None);
    }

    #[test]
    fn the_script_sets_method_body_and_headers() {
        let request = WrkRequest::post_form("http://x/token".into(), "a=1&b=\"2\"".into())
            .header("Authorization", "Basic YmVuY2g6cw==".into());
        let script = request.lua_script();
        assert!(script.contains("wrk.method = \"POST\"\n"), "{script}");
        assert!(
            script.contains("wrk.body = \"a=1&b=\\\"2\\\"\"\n"),
            "{script}"
        );
        assert!(script.contains("wrk.headers[\"Authorization\"] = \"Basic YmVuY2g6cw==\""));
        assert!(script.contains("application/x-www-form-urlencoded"));
        assert_eq!(
            WrkRequest::get("http://x/jwks".into()).lua_script(),
            "wrk.method = \"GET\"\n"
        );
    }
}
