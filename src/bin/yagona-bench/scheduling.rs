//! The load generator's scheduling policy.
//!
//! The load generator (wrk, and this process's own client for refresh chains and sign-ins)
//! shares the machine with the provider. Under Linux's normal policy each response the
//! provider writes wakes a load-generator thread that preempts the provider on its core in
//! mid-request, so the provider's CPU per operation also counts those switches: a cost of
//! sharing the machine, which the CPU column is meant to leave out. Under `SCHED_BATCH` a
//! woken load-generator thread waits for the provider's time slice instead, much as if the
//! load came from another machine. The provider itself always runs under the normal policy.
//!
//! The policy is set with `chrt` (util-linux, on every Debian), which keeps the crate free of
//! `unsafe`.

use std::path::Path;
use std::process::{Command, Stdio};

/// How the benchmark's own threads and wrk are scheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LoadPolicy {
    /// `SCHED_BATCH`: never preempts the provider on waking up.
    Batch,
    /// Linux's default (`SCHED_OTHER`), as before the policy was an option.
    Normal,
}

impl LoadPolicy {
    /// Puts this process under the policy. Call it before any thread starts: the threads it
    /// starts later, and the programs they run (wrk), inherit it. Returns the policy in force:
    /// [`LoadPolicy::Normal`] when `chrt` could not set `SCHED_BATCH` (said on stderr).
    pub fn apply_to_this_process(self) -> Self {
        if self == Self::Normal {
            return self;
        }
        let pid = std::process::id().to_string();
        let status = Command::new("chrt")
            .args(["--batch", "--pid", "0", &pid])
            .stdin(Stdio::null())
            .status();
        match status {
            Ok(status) if status.success() => Self::Batch,
            outcome => {
                eprintln!(
                    "!!!!!!!! the load generator keeps the normal scheduling policy: \
                     `chrt --batch` failed ({outcome:?}); the provider's CPU figures will \
                     include its preemptions"
                );
                Self::Normal
            }
        }
    }

    /// A command that runs `program` under the normal policy, whatever this process's is.
    pub fn provider_command(self, program: &Path) -> Command {
        match self {
            Self::Batch => {
                let mut command = Command::new("chrt");
                command.args(["--other", "0"]).arg(program);
                command
            }
            Self::Normal => Command::new(program),
        }
    }

    /// For the report's "Load:" line.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Batch => {
                "the load generator shares the machine, under SCHED_BATCH so that it does \
                 not preempt the provider mid-request"
            }
            Self::Normal => {
                "the load generator shares the machine, under the normal scheduling policy \
                 (it preempts the provider when a response wakes it)"
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod tests {
    use super::*;

    /// The scheduling policy of process `pid` as `/proc/PID/sched` names it (`policy` line):
    /// 0 normal, 3 batch.
    fn policy_of(pid: u32) -> Option<u32> {
        std::fs::read_to_string(format!("/proc/{pid}/sched"))
            .ok()?
            .lines()
            .find(|line| line.starts_with("policy"))?
            .split(':')
            .nth(1)?
            .trim()
            .parse()
            .ok()
    }

    #[test]
    fn the_provider_runs_under_the_normal_policy_when_the_load_is_batch() {
        // The provider's command, started from a process under SCHED_BATCH.
        let provider = LoadPolicy::Batch.provider_command(Path::new("sleep"));
        let started = Command::new("chrt")
            .args(["--batch", "0"])
            .arg(provider.get_program())
            .args(provider.get_args())
            .arg("5")
            .spawn()
            .unwrap();
        let batch = Command::new("chrt")
            .args(["--batch", "0", "sleep", "5"])
            .spawn()
            .unwrap();
        // Until both `chrt`s have become `sleep`.
        let is_sleep = |pid: u32| {
            std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "sleep")
        };
        for _ in 0..100 {
            if is_sleep(started.id()) && is_sleep(batch.id()) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let (served, load) = (policy_of(started.id()), policy_of(batch.id()));
        for mut child in [started, batch] {
            child.kill().unwrap();
            child.wait().unwrap();
        }
        assert_eq!(served, Some(0), "SCHED_OTHER is 0");
        assert_eq!(load, Some(3), "SCHED_BATCH is 3");
        let plain = LoadPolicy::Normal.provider_command(Path::new("sleep"));
        assert_eq!(plain.get_program(), "sleep");
    }
}
