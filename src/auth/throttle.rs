//! Failed sign-in throttling, per typed login and per client address, with growing delays.
//!
//! The login key is the normalised identifier the citizen typed, whether or not an account has
//! it, so throttling reveals nothing about which accounts exist.

use std::net::IpAddr;

use crate::clock::UnixTime;
use crate::config::ThrottlePolicy;
use crate::store::{StoreResult, ThrottleRecord, ThrottleStore};

#[derive(Debug, Clone)]
pub struct LoginThrottle {
    policy: ThrottlePolicy,
}

/// What [`LoginThrottle::check`] found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ThrottleCheck {
    /// Seconds until another attempt is allowed; `None` when allowed now.
    pub wait: Option<i64>,
    /// The login key has recorded failures (a success must clear them).
    pub login_has_failures: bool,
}

/// The throttle keys of one sign-in attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptKeys {
    pub login: String,
    pub address: Option<String>,
}

impl AttemptKeys {
    pub fn new(normalized_login: &str, address: Option<IpAddr>) -> Self {
        Self {
            login: format!("login:{normalized_login}"),
            address: address.map(|ip| format!("ip:{ip}")),
        }
    }

    /// Both keys, whose records `LoginThrottle::check` needs (the login's twice without an
    /// address).
    pub fn both(&self) -> [&str; 2] {
        [&self.login, self.address.as_deref().unwrap_or(&self.login)]
    }
}

impl LoginThrottle {
    pub fn new(policy: ThrottlePolicy) -> Self {
        Self { policy }
    }

    /// Whether another attempt is allowed for `keys` now, from the throttle records of both
    /// keys (`SignInReads::throttles`, read with the account).
    pub fn check(
        &self,
        records: &[ThrottleRecord],
        keys: &AttemptKeys,
        now: UnixTime,
    ) -> ThrottleCheck {
        let mut check = ThrottleCheck::default();
        for record in records {
            let wait = if record.key == keys.login {
                check.login_has_failures = true;
                self.remaining(record, self.policy.free_attempts, now)
            } else {
                self.remaining(record, self.policy.free_attempts_per_address, now)
            };
            check.wait = check.wait.max(wait);
        }
        check
    }

    pub async fn record_failure(
        &self,
        store: &(dyn ThrottleStore + Sync),
        keys: &AttemptKeys,
        now: UnixTime,
    ) -> StoreResult<()> {
        store
            .record_failure(&keys.login, now, no_stored_lock)
            .await?;
        if let Some(key) = &keys.address {
            store.record_failure(key, now, no_stored_lock).await?;
        }
        Ok(())
    }

    /// A successful sign-in clears the login key (not the address: one success from a shared
    /// address says nothing about the other attempts from it); nothing to do when `check`
    /// found no failures for it.
    pub async fn record_success(
        &self,
        store: &(dyn ThrottleStore + Sync),
        keys: &AttemptKeys,
        check: &ThrottleCheck,
    ) -> StoreResult<()> {
        if check.login_has_failures {
            store.clear_failures(&keys.login).await?;
        }
        Ok(())
    }

    /// The delay after `failures` failures: none for the free attempts, then doubling.
    pub fn delay_after(&self, failures: i64, free_attempts: i64) -> i64 {
        let over = failures - free_attempts;
        if over < 0 {
            return 0;
        }
        let doubled = self
            .policy
            .base_delay
            .saturating_mul(1_i64.checked_shl(over.min(40) as u32).unwrap_or(i64::MAX));
        doubled.min(self.policy.max_delay)
    }

    fn remaining(&self, record: &ThrottleRecord, free: i64, now: UnixTime) -> Option<i64> {
        let until = record.last_failure + self.delay_after(record.failures, free);
        (until > now).then_some(until - now)
    }
}

/// The delay is derived from the failure count and the last failure's time, so the stored lock
/// column stays unused.
fn no_stored_lock(_failures: i64) -> i64 {
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_after_the_free_attempts_and_are_capped() {
        let throttle = LoginThrottle::new(ThrottlePolicy {
            free_attempts: 3,
            base_delay: 2,
            max_delay: 60,
            free_attempts_per_address: 10,
        });
        assert_eq!(throttle.delay_after(2, 3), 0);
        assert_eq!(throttle.delay_after(3, 3), 2);
        assert_eq!(throttle.delay_after(4, 3), 4);
        assert_eq!(throttle.delay_after(6, 3), 16);
        assert_eq!(throttle.delay_after(20, 3), 60);
        assert_eq!(throttle.delay_after(i64::MAX, 3), 60);
    }
}
