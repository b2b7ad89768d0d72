//! The machine a benchmark ran on, for the report: cores, CPU model, date, and how fast it
//! verifies an ES256 signature compared with the machine issue 6's budgets were set on.

use std::time::{Instant, SystemTime};

use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _,
    UnparsedPublicKey,
};

/// What verifying one ES256 signature cost on the machine issue 6's CPU budgets were set on
/// (the issue: "about 0.044 ms on this machine").
pub const REFERENCE_ES256_VERIFY_MS: f64 = 0.044;

/// Verifications per timed round, and rounds (the fastest counts: the machine is shared).
const VERIFICATIONS_PER_ROUND: u32 = 400;
const ROUNDS: u32 = 5;

/// The machine the tables were measured on.
#[derive(Debug, Clone)]
pub struct Machine {
    pub cores: usize,
    pub cpu_model: String,
    pub date: String,
    /// One ES256 verification here, in ms (single thread, fastest of [`ROUNDS`]).
    pub es256_verify_ms: Option<f64>,
}

impl Machine {
    pub fn detect() -> Self {
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| cpu_model(&info))
            .unwrap_or_else(|| "unknown CPU".into());
        Self {
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            cpu_model,
            date: utc_date(SystemTime::now()),
            es256_verify_ms: es256_verify_ms(),
        }
    }

    pub fn describe(&self) -> String {
        format!(
            "{}, {} cores ({}), Linux, loopback, no TLS",
            self.date, self.cores, self.cpu_model
        )
    }

    /// How many times slower than the budgets' machine this one is at ES256 verification
    /// (above 1: slower): a yardstick for comparing CPU figures across machines. It measures
    /// the CPU alone, not what system calls and thread switches cost here.
    pub fn slowness(&self) -> Option<f64> {
        self.es256_verify_ms.map(slowness_of)
    }
}

/// How many times slower than the budgets' machine an ES256 verification of `ms` is.
fn slowness_of(ms: f64) -> f64 {
    ms / REFERENCE_ES256_VERIFY_MS
}

/// How many times slower than the budgets' machine one ES256 verification timed now is.
/// Each row is measured between two of these (the one after a row is the one before the next),
/// so that its scaled budget follows the machine's speed while the row ran: on a shared
/// machine it drifts by a third within minutes.
pub async fn slowness_now() -> Option<f64> {
    tokio::task::spawn_blocking(es256_verify_ms)
        .await
        .ok()
        .flatten()
        .map(slowness_of)
}

/// Times ES256 verifications of one signature with the provider's own library (ring).
fn es256_verify_ms() -> Option<f64> {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).ok()?;
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).ok()?;
    let message = [0x5a_u8; 300]; // about a token's signing input
    let signature = pair.sign(&rng, &message).ok()?;
    let public = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, pair.public_key().as_ref());
    public.verify(&message, signature.as_ref()).ok()?; // warm-up, and a check
    (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..VERIFICATIONS_PER_ROUND {
                let _ = public.verify(&message, signature.as_ref());
            }
            start.elapsed().as_secs_f64() * 1000.0 / f64::from(VERIFICATIONS_PER_ROUND)
        })
        .reduce(f64::min)
}

fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo
        .lines()
        .find(|line| line.starts_with("model name"))
        .and_then(|line| line.split_once(':'))
        .map(|(_, model)| model.trim().to_owned())
}

/// `YYYY-MM-DD` in UTC (days-to-civil conversion from H. Hinnant's date algorithms).
fn utc_date(now: SystemTime) -> String {
    let days = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn es256_verification_is_timed() {
        assert!(es256_verify_ms().unwrap() > 0.0);
    }

    #[test]
    fn machine_details_come_from_proc() {
        let info = "processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: fpu\n";
        assert_eq!(cpu_model(info).as_deref(), Some("AMD EPYC 7B13"));
        let day = std::time::UNIX_EPOCH + Duration::from_secs(1_767_225_600 + 3_600);
        assert_eq!(utc_date(day), "2026-01-01");
        assert_eq!(utc_date(std::time::UNIX_EPOCH), "1970-01-01");
        let leap = std::time::UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(utc_date(leap), "2000-02-29");
    }
}
