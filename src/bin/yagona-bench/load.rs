//! The load driver of the benchmark's own client: `concurrency` workers repeat an operation
//! until a deadline, recording each success's latency. Also Argon2id alone, for comparison.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use argon2::{Algorithm, Argon2, Params, Version};
use tokio::task::JoinSet;

/// What the workers did in one window.
#[derive(Debug, Default)]
pub struct LoadOutcome {
    /// The latency of every successful operation, sorted.
    pub latencies: Vec<Duration>,
    pub errors: u64,
    /// The first failure, to show why a row has errors.
    pub first_error: Option<String>,
    /// From the start until the last worker finished its last operation.
    pub elapsed: Duration,
}

impl LoadOutcome {
    pub fn successes(&self) -> u64 {
        self.latencies.len() as u64
    }

    /// The `p`-th percentile (0 < p ≤ 1) of the successful operations' latencies (nearest rank).
    pub fn percentile(&self, p: f64) -> Duration {
        percentile(&self.latencies, p)
    }

    fn absorb(&mut self, worker: Self) {
        self.latencies.extend(worker.latencies);
        self.errors += worker.errors;
        if self.first_error.is_none() {
            self.first_error = worker.first_error;
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Runs `operation(worker)` on `concurrency` workers until `duration` has passed; an operation
/// under way at the deadline completes and counts.
pub async fn drive<F, Fut>(concurrency: usize, duration: Duration, operation: Arc<F>) -> LoadOutcome
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let start = Instant::now();
    let deadline = start + duration;
    let mut workers = JoinSet::new();
    for worker in 0..concurrency.max(1) {
        let operation = Arc::clone(&operation);
        workers.spawn(async move {
            let mut outcome = LoadOutcome::default();
            while Instant::now() < deadline {
                let began = Instant::now();
                match operation(worker).await {
                    Ok(()) => outcome.latencies.push(began.elapsed()),
                    Err(error) => {
                        outcome.errors += 1;
                        outcome.first_error.get_or_insert(error);
                    }
                }
            }
            outcome
        });
    }
    let mut total = LoadOutcome::default();
    while let Some(joined) = workers.join_next().await {
        match joined {
            Ok(worker) => total.absorb(worker),
            Err(e) => {
                total.errors += 1;
                total
                    .first_error
                    .get_or_insert(format!("worker failed: {e}"));
            }
        }
    }
    total.elapsed = start.elapsed();
    total.latencies.sort_unstable();
    total
}

/// Argon2id at the provider's default parameters, as it computes it for each password sign-in.
pub fn production_argon2() -> anyhow::Result<Argon2<'static>> {
    let policy = yagona::config::PasswordPolicy::default();
    let params = Params::new(
        policy.memory_kib,
        policy.iterations,
        policy.parallelism,
        Some(32),
    )
    .map_err(|e| anyhow::anyhow!("Argon2 parameters: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password with `argon2` on `threads` blocking-pool threads until `duration` has
/// passed: the most sign-ins per second this machine's cores allow at those parameters.
pub async fn argon2_alone(
    argon2: Argon2<'static>,
    threads: usize,
    duration: Duration,
) -> LoadOutcome {
    let argon2 = Arc::new(argon2);
    let hash_once = move |_worker: usize| {
        let argon2 = Arc::clone(&argon2);
        async move {
            tokio::task::spawn_blocking(move || {
                let mut digest = [0u8; 32];
                argon2
                    .hash_password_into(b"Bench-password-2026", b"sixteen-byte-sal", &mut digest)
                    .map_err(|e| format!("Argon2id: {e}"))
            })
            .await
            .map_err(|e| format!("hashing task: {e}"))?
        }
    };
    drive(threads, duration, Arc::new(hash_once)).await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let sorted: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&sorted, 0.5), Duration::from_millis(50));
        assert_eq!(percentile(&sorted, 0.99), Duration::from_millis(99));
        assert_eq!(percentile(&sorted, 1.0), Duration::from_millis(100));
        assert_eq!(
            percentile(&[Duration::from_millis(7)], 0.5),
            Duration::from_millis(7)
        );
        assert_eq!(percentile(&[], 0.5), Duration::ZERO);
    }

    #[tokio::test]
    async fn workers_count_successes_and_failures_until_the_deadline() {
        let calls = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&calls);
        let operation = move |worker: usize| {
            let n = counter.fetch_add(1, Ordering::Relaxed);
            async move {
                tokio::time::sleep(Duration::from_millis(5)).await;
                if worker == 0 && n.is_multiple_of(2) {
                    Err(format!("failure {n}"))
                } else {
                    Ok(())
                }
            }
        };
        let outcome = drive(3, Duration::from_millis(100), Arc::new(operation)).await;
        let total = calls.load(Ordering::Relaxed);
        assert_eq!(outcome.successes() + outcome.errors, total);
        assert!(outcome.errors > 0 && outcome.successes() > outcome.errors);
        assert!(
            outcome
                .first_error
                .as_ref()
                .is_some_and(|e| e.starts_with("failure"))
        );
        assert!(outcome.elapsed >= Duration::from_millis(100));
        assert!(outcome.latencies.windows(2).all(|w| w[0] <= w[1]));
        assert!(outcome.percentile(0.5) >= Duration::from_millis(5));
    }

    #[tokio::test]
    async fn argon2_alone_computes_hashes() {
        let cheap = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8, 1, 1, Some(32)).unwrap(),
        );
        let outcome = argon2_alone(cheap, 2, Duration::from_millis(50)).await;
        assert_eq!(outcome.errors, 0, "{:?}", outcome.first_error);
        assert!(outcome.successes() >= 2);
        assert!(production_argon2().is_ok());
    }
}
