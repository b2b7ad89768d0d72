//! CPU time and peak memory of processes, read from `/proc` (proc(5)): the provider's own, the
//! PostgreSQL backends that serve it, and the benchmark's own (for Argon2id alone).

use std::collections::HashMap;
use std::path::Path;

/// Clock ticks per second of `utime`/`stime` (`sysconf(_SC_CLK_TCK)`, asked of `getconf`
/// because the crate forbids `unsafe`; 100 on every Linux we run on).
pub fn clock_ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse::<f64>().ok())
        .filter(|ticks| *ticks > 0.0)
        .unwrap_or(100.0)
}

/// `utime + stime` (fields 14 and 15) of a `/proc/PID/stat` line, in ticks. The command name
/// (field 2) may hold spaces and parentheses, so fields are counted after the last `)`.
fn cpu_ticks_of_stat(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// CPU ticks used so far by process `pid` (`"self"` for this process), all threads included.
pub fn cpu_ticks(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    cpu_ticks_of_stat(&stat)
}

/// `VmHWM` (peak resident set) of a `/proc/PID/status` text, in KiB.
fn peak_rss_of_status(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
}

/// Peak resident memory of process `pid` in KiB.
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    peak_rss_of_status(&status)
}

/// The real user id of this process (`Uid:` in `/proc/self/status`).
pub fn real_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|uid| uid.parse().ok())
}

/// Whether a process title is a PostgreSQL backend connected to `database`
/// (`postgres: 15/main: user database 127.0.0.1(port) idle`).
fn is_backend_of(cmdline: &str, database: &str) -> bool {
    cmdline.starts_with("postgres:") && cmdline.split_whitespace().any(|word| word == database)
}

/// CPU ticks of every PostgreSQL backend connected to `database`, by pid. The backends are
/// found by their process titles, so this sees only a server on this machine.
fn backend_ticks(database: &str) -> HashMap<u32, u64> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return HashMap::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(Path::new("/proc").join(pid.to_string()).join("cmdline"))
                .ok()
                .map(|raw| String::from_utf8_lossy(&raw).replace('\0', " "))
                .is_some_and(|title| is_backend_of(&title, database))
        })
        .filter_map(|pid| Some((pid, cpu_ticks(&pid.to_string())?)))
        .collect()
}

/// Reads the CPU of the provider (and of its database backends) at the start and end of a row.
#[derive(Debug, Clone)]
pub struct Probe {
    pub server_pid: u32,
    /// The PostgreSQL database whose backends to count, when the provider uses PostgreSQL.
    pub database: Option<String>,
    pub ticks_per_second: f64,
}

/// CPU counters at one instant.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    server: u64,
    backends: HashMap<u32, u64>,
}

/// CPU used between two snapshots, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpuUsed {
    pub server_ms: f64,
    pub database_ms: Option<f64>,
}

impl Probe {
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            server: cpu_ticks(&self.server_pid.to_string()).unwrap_or(0),
            backends: self
                .database
                .as_deref()
                .map(backend_ticks)
                .unwrap_or_default(),
        }
    }

    /// CPU between `before` and `after`. A backend that appeared in between counts in full; one
    /// that exited in between is lost (the provider's pool keeps its connections).
    pub fn used(&self, before: &Snapshot, after: &Snapshot) -> CpuUsed {
        let ms = |ticks: u64| ticks as f64 * 1000.0 / self.ticks_per_second;
        let backend_ticks: u64 = after
            .backends
            .iter()
            .map(|(pid, now)| now.saturating_sub(before.backends.get(pid).copied().unwrap_or(0)))
            .sum();
        CpuUsed {
            server_ms: ms(after.server.saturating_sub(before.server)),
            database_ms: self.database.as_ref().map(|_| ms(backend_ticks)),
        }
    }

    pub fn peak_rss_kib(&self) -> Option<u64> {
        peak_rss_kib(self.server_pid)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_after_the_command_name() {
        let stat = "4242 (tokio (rt) x) S 1 4242 4242 0 -1 4194560 1500 0 0 0 \
                    250 75 0 0 20 0 3 0 12345 1000000 2000 18446744073709551615";
        assert_eq!(cpu_ticks_of_stat(stat), Some(325));
        assert_eq!(cpu_ticks_of_stat("garbage"), None);
    }

    #[test]
    fn this_process_has_cpu_and_memory_figures() {
        assert!(cpu_ticks("self").is_some());
        assert!(peak_rss_kib(std::process::id()).is_some_and(|kib| kib > 0));
        assert!(clock_ticks_per_second() >= 1.0);
        assert!(real_uid().is_some());
    }

    #[test]
    fn peak_rss_is_read_from_vmhwm() {
        let status =
            "Name:\tyagona\nVmPeak:\t  900000 kB\nVmHWM:\t   23456 kB\nVmRSS:\t 20000 kB\n";
        assert_eq!(peak_rss_of_status(status), Some(23_456));
        assert_eq!(peak_rss_of_status("Name:\tx\n"), None);
    }

    #[test]
    fn backends_are_recognised_by_database_name() {
        let title = "postgres: 15/main: postgres yagona_bench 127.0.0.1(50412) idle ";
        assert!(is_backend_of(title, "yagona_bench"));
        assert!(!is_backend_of(title, "yagona"));
        assert!(!is_backend_of(
            "postgres: 15/main: walwriter ",
            "yagona_bench"
        ));
        assert!(!is_backend_of("vim yagona_bench", "yagona_bench"));
    }

    #[test]
    fn usage_counts_new_backends_in_full() {
        let probe = Probe {
            server_pid: 1,
            database: Some("db".into()),
            ticks_per_second: 100.0,
        };
        let before = Snapshot {
            server: 100,
            backends: HashMap::from([(10, 5)]),
        };
        let after = Snapshot {
            server: 130,
            backends: HashMap::from([(10, 9), (11, 2)]),
        };
        let used = probe.used(&before, &after);
        assert_eq!(used.server_ms, 300.0);
        assert_eq!(used.database_ms, Some(60.0));
    }
}
