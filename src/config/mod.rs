//! Configuration: defaults, then an optional TOML file, then `YAGONA_*` environment variables
//! (`__` separates nested keys, e.g. `YAGONA_PASSWORD__MEMORY_KIB`). Parsed into typed values and
//! checked at start-up, so a bad setting stops the provider with a message that says what to fix.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use url::Url;

mod policies;

pub use policies::{
    CachePolicy, EsignPolicy, PasskeyPolicy, PasswordPolicy, ThrottlePolicy, TokenLifetimes,
};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The issuer identifier (OIDC Core §2): an `https` URL, or `http` on a loopback host.
    pub issuer: String,
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// `sqlite://path` or `postgres://…`.
    pub database_url: String,
    pub database_max_connections: u32,
    pub keys_dir: PathBuf,
    pub clients_dir: PathBuf,
    /// PEM certificate chain and private key; TLS is served when both are set.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub tokens: TokenLifetimes,
    pub password: PasswordPolicy,
    pub login_throttle: ThrottlePolicy,
    /// How long a rotated-out signing key stays published, in seconds.
    pub key_retiring_period: i64,
    /// Honour `X-Forwarded-For` from a trusted reverse proxy for per-address throttling.
    pub trust_forwarded_for: bool,
    /// `text` or `json`.
    pub log_format: String,
    pub passkeys: PasskeyPolicy,
    pub esign: EsignPolicy,
    pub caches: CachePolicy,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            issuer: "http://localhost:8080".into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://data/yagona.db".into(),
            database_max_connections: 8,
            keys_dir: "keys".into(),
            clients_dir: "clients".into(),
            tls_cert: None,
            tls_key: None,
            tokens: TokenLifetimes::default(),
            password: PasswordPolicy::default(),
            login_throttle: ThrottlePolicy::default(),
            key_retiring_period: 2 * 86_400,
            trust_forwarded_for: false,
            log_format: "text".into(),
            passkeys: PasskeyPolicy::default(),
            esign: EsignPolicy::default(),
            caches: CachePolicy::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(String);

/// OWASP's Argon2id configurations of equal strength, as `(memory_kib, iterations)` with
/// parallelism 1 (Password Storage Cheat Sheet): parameters must reach one of them.
const OWASP_ARGON2ID: [(u32, u32); 5] = [
    (47_104, 1),
    (19_456, 2),
    (12_288, 3),
    (9_216, 4),
    (7_168, 5),
];

impl Config {
    /// Defaults, then `file` (when given), then the `YAGONA_*` environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Self::default()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(ConfigError(format!(
                    "the configuration file {} does not exist",
                    file.display()
                )));
            }
            figment = figment.merge(Toml::file(file));
        }
        // Variables that are not configuration keys: the log filter, the config file path and
        // the test suite's database.
        let env = Env::prefixed("YAGONA_")
            .ignore(&["log", "config", "test_postgres_url"])
            .split("__");
        let figment = figment.merge(env);
        let config: Self = figment.extract().map_err(|e| {
            ConfigError(format!(
                "{e} (check the file and the YAGONA_* environment variables)"
            ))
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks the values that types alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.issuer_url()?;
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return Err(ConfigError(
                "tls_cert and tls_key must be set together (YAGONA_TLS_CERT, YAGONA_TLS_KEY)"
                    .into(),
            ));
        }
        let t = &self.tokens;
        if !(1..=60).contains(&t.authorization_code) {
            return Err(ConfigError(
                "tokens.authorization_code must be between 1 and 60 seconds".into(),
            ));
        }
        for (name, value) in [
            ("tokens.access_token", t.access_token),
            ("tokens.id_token", t.id_token),
            ("tokens.refresh_token", t.refresh_token),
            ("tokens.grant", t.grant),
            ("tokens.session", t.session),
            ("tokens.pending_request", t.pending_request),
            ("key_retiring_period", self.key_retiring_period),
        ] {
            if value <= 0 {
                return Err(ConfigError(format!(
                    "{name} must be a positive number of seconds"
                )));
            }
        }
        self.validate_password_policy()?;
        self.validate_esign_policy()?;
        let c = &self.caches;
        if c.verified_access_tokens == 0 || !(1..=60).contains(&c.revocation_sync_seconds) {
            return Err(ConfigError(
                "caches.verified_access_tokens must be at least 1 and \
                 caches.revocation_sync_seconds between 1 and 60"
                    .into(),
            ));
        }
        if !(0..=300).contains(&c.userinfo_account_seconds) {
            return Err(ConfigError(
                "caches.userinfo_account_seconds must be between 0 and 300".into(),
            ));
        }
        if self.database_max_connections == 0 {
            return Err(ConfigError(
                "database_max_connections must be at least 1".into(),
            ));
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            return Err(ConfigError(
                "log_format must be \"text\" or \"json\"".into(),
            ));
        }
        Ok(())
    }

    fn validate_esign_policy(&self) -> Result<(), ConfigError> {
        let e = &self.esign;
        if !(10..=600).contains(&e.challenge_ttl) {
            return Err(ConfigError(
                "esign.challenge_ttl must be 10 to 600 seconds".into(),
            ));
        }
        if e.signing_time_skew < 0 {
            return Err(ConfigError(
                "esign.signing_time_skew must not be negative".into(),
            ));
        }
        if !matches!(e.revocation.as_str(), "crl" | "crl_if_available" | "none") {
            return Err(ConfigError(
                "esign.revocation must be \"crl\", \"crl_if_available\" or \"none\"".into(),
            ));
        }
        if !matches!(e.unknown_pinfl.as_str(), "refuse" | "create") {
            return Err(ConfigError(
                "esign.unknown_pinfl must be \"refuse\" or \"create\"".into(),
            ));
        }
        if let Some(url) = &e.delegate_url {
            Url::parse(url).map_err(|err| {
                ConfigError(format!("esign.delegate_url {url:?} is not a URL ({err})"))
            })?;
        }
        Ok(())
    }

    fn validate_password_policy(&self) -> Result<(), ConfigError> {
        let p = &self.password;
        if p.max_concurrent_hashes == 0 {
            return Err(ConfigError(
                "password.max_concurrent_hashes must be at least 1".into(),
            ));
        }
        let meets_owasp = OWASP_ARGON2ID.iter().any(|&(memory_kib, iterations)| {
            p.memory_kib >= memory_kib && p.iterations >= iterations
        });
        let acceptable = meets_owasp && p.parallelism >= 1;
        if !acceptable && !p.allow_weak_parameters {
            return Err(ConfigError(
                "password: Argon2id parameters weaker than OWASP's (memory_kib/iterations at \
                 least 47104/1, 19456/2, 12288/3, 9216/4 or 7168/5; parallelism >= 1)"
                    .into(),
            ));
        }
        argon2::Params::new(p.memory_kib, p.iterations, p.parallelism, None)
            .map_err(|e| ConfigError(format!("password: invalid Argon2 parameters: {e}")))?;
        Ok(())
    }

    /// The issuer as a URL: `https`, or `http` only on a loopback host; no query or fragment.
    pub fn issuer_url(&self) -> Result<Url, ConfigError> {
        let url = Url::parse(&self.issuer).map_err(|e| {
            ConfigError(format!(
                "issuer {:?} is not a URL ({e}); set YAGONA_ISSUER",
                self.issuer
            ))
        })?;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(ConfigError(
                "issuer must not have a query or fragment (OIDC Discovery §3)".into(),
            ));
        }
        match url.scheme() {
            "https" => {}
            "http" if is_loopback_host(&url) => {}
            "http" => {
                return Err(ConfigError(format!(
                    "issuer {} uses http on a non-loopback host: use https (and set tls_cert/tls_key, \
                     or terminate TLS in front of the provider)",
                    self.issuer
                )));
            }
            other => {
                return Err(ConfigError(format!(
                    "issuer scheme {other:?} is not http(s)"
                )));
            }
        }
        Ok(url)
    }

    /// The issuer without a trailing slash, as it appears in `iss`.
    pub fn issuer(&self) -> String {
        self.issuer.trim_end_matches('/').to_string()
    }

    pub fn tls_enabled(&self) -> bool {
        self.tls_cert.is_some()
    }
}

/// Whether the URL's host is `localhost` or a loopback address.
pub fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_local() {
        let config = Config::default();
        config.validate().expect("defaults valid");
        assert_eq!(config.issuer(), "http://localhost:8080");
        assert!(config.listen.ip().is_loopback());
    }

    #[test]
    fn plain_http_issuer_is_refused_off_loopback() {
        let config = Config {
            issuer: "http://id.example.uz".into(),
            ..Config::default()
        };
        let err = config.validate().unwrap_err().to_string();
        assert!(err.contains("https"), "{err}");
        let config = Config {
            issuer: "https://id.example.uz".into(),
            ..Config::default()
        };
        config.validate().expect("https issuer");
    }

    #[test]
    fn weak_argon2_is_refused_unless_allowed() {
        let mut config = Config::default();
        config.password.memory_kib = 1024;
        assert!(config.validate().is_err());
        config.password.allow_weak_parameters = true;
        config.validate().expect("explicitly allowed");
    }

    #[test]
    fn argon2_may_trade_memory_for_iterations_along_owasps_list() {
        let with = |memory_kib, iterations| {
            let mut config = Config::default();
            config.password.memory_kib = memory_kib;
            config.password.iterations = iterations;
            config.validate()
        };
        Config::default().validate().expect("the default");
        with(19_456, 2).expect("OWASP 19 MiB, t=2");
        with(9_216, 4).expect("OWASP 9 MiB, t=4");
        with(65_536, 1).expect("more memory than OWASP's 46 MiB, t=1");
        assert!(with(12_288, 2).is_err(), "12 MiB needs t=3");
        assert!(with(7_000, 9).is_err(), "below OWASP's smallest memory");
    }

    #[test]
    fn code_lifetime_is_capped_at_sixty_seconds() {
        let mut config = Config::default();
        config.tokens.authorization_code = 600;
        assert!(config.validate().is_err());
    }

    #[test]
    fn tls_needs_both_files() {
        let config = Config {
            tls_cert: Some("cert.pem".into()),
            ..Config::default()
        };
        assert!(config.validate().is_err());
    }
}
