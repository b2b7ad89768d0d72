//! The application: everything built from a configuration, bound to its listener, ready to
//! serve. Tests build one on port 0 and drive it over HTTP.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;

use crate::auth::accounts::{NewAccount, create_account};
use crate::auth::{Passkeys, PasswordHasher};
use crate::clients::{Client, ClientRegistry};
use crate::clock::{SharedClock, SystemClock};
use crate::config::{Config, is_loopback_host};
use crate::http::{AppState, DemoPortal, router};
use crate::i18n::Translator;
use crate::keys::KeyRing;
use crate::oidc::Provider;
use crate::oidc::access_tokens::AccessTokens;
use crate::oidc::esign_login::EsignLogin;
use crate::store::{self, SharedStore};

/// Start-up failures, each with a message that says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("database: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("signing keys: {0}")]
    Keys(#[from] crate::keys::KeyError),
    #[error("client registration: {0}")]
    Clients(#[from] crate::clients::ClientFileError),
    #[error("password hashing: {0}")]
    Password(#[from] crate::auth::password::PasswordError),
    #[error("--demo is only allowed when the issuer is on localhost (issuer is {0})")]
    DemoNotLocal(String),
    #[error("demo account: {0}")]
    Demo(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("TLS certificate or key: {0}")]
    Tls(std::io::Error),
    #[error("e-signature: {0}")]
    Esign(String),
    #[error("passkeys: {0}")]
    Passkeys(#[from] crate::auth::passkeys::PasskeySetupError),
}

/// Choices that are not configuration: the clock, the demo, clients added in code.
#[derive(Debug, Clone)]
pub struct AppOptions {
    pub clock: SharedClock,
    pub demo: bool,
    pub extra_clients: Vec<Client>,
    /// An already bound listener (tests bind port 0 first so the issuer can name the port).
    pub listener: Option<Arc<std::net::TcpListener>>,
}

impl Default for AppOptions {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            demo: false,
            extra_clients: Vec::new(),
            listener: None,
        }
    }
}

pub struct App {
    listener: tokio::net::TcpListener,
    router: Router,
    tls: Option<(std::path::PathBuf, std::path::PathBuf)>,
    state: AppState,
}

impl App {
    pub async fn build(config: Config, options: AppOptions) -> Result<Self, StartupError> {
        config.validate()?;
        // rustls needs one process-wide crypto provider; a second install is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let store = open_store(&config).await?;
        let now = options.clock.now();
        let keys = Arc::new(KeyRing::load_or_generate(&config.keys_dir, now)?);
        let issuer = config.issuer();
        let demo = if options.demo {
            Some(demo_portal(&config)?)
        } else {
            None
        };
        let mut clients: Vec<Client> = ClientRegistry::load_dir(&config.clients_dir)?
            .all()
            .iter()
            .map(|c| (**c).clone())
            .collect();
        clients.extend(options.extra_clients);
        if let Some(demo) = &demo {
            clients.push(demo.client()?);
        }
        clients.push(crate::http::account_client(&issuer)?);
        let clients = Arc::new(ClientRegistry::from_clients(clients));
        let passwords = PasswordHasher::new(&config.password)?;
        if demo.is_some() {
            seed_demo_account(&store, &passwords, now).await?;
        }
        let mut provider = Provider::new(
            &config,
            store.clone(),
            keys,
            clients,
            passwords,
            options.clock,
        );
        if config.passkeys.enabled {
            provider = provider.with_passkeys(Passkeys::for_issuer(&config.issuer_url()?)?);
        }
        if let Some(esign) = esign_login(&config)? {
            provider = provider.with_esign(esign);
        }
        let state = AppState::new(
            provider,
            Arc::new(Translator::new()),
            demo,
            config.trust_forwarded_for,
        );
        let listener = bind(&config, options.listener).await?;
        let access_tokens = Arc::clone(&state.provider.access_tokens);
        access_tokens.sync(store.as_ref(), now).await?;
        spawn_revocation_sync(
            access_tokens,
            store.clone(),
            state.provider.clock.clone(),
            Duration::from_secs(config.caches.revocation_sync_seconds),
        );
        spawn_purger(store, state.provider.clock.clone());
        tracing::info!(%issuer, "provider ready");
        Ok(Self {
            listener,
            router: router(state.clone()),
            tls: config.tls_cert.clone().zip(config.tls_key.clone()),
            state,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until Ctrl-C / SIGTERM.
    pub async fn run_until_stopped(self) -> Result<(), StartupError> {
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        match self.tls {
            None => axum::serve(self.listener, service)
                .with_graceful_shutdown(shutdown_signal())
                .await
                .map_err(StartupError::Tls),
            Some((cert, key)) => {
                let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                    .await
                    .map_err(StartupError::Tls)?;
                let listener = self.listener.into_std().map_err(StartupError::Tls)?;
                let handle = axum_server::Handle::new();
                let shutdown = handle.clone();
                tokio::spawn(async move {
                    shutdown_signal().await;
                    shutdown.graceful_shutdown(Some(Duration::from_secs(10)));
                });
                axum_server::from_tcp_rustls(listener, tls)
                    .map_err(StartupError::Tls)?
                    .handle(handle)
                    .serve(service)
                    .await
                    .map_err(StartupError::Tls)
            }
        }
    }
}

async fn bind(
    config: &Config,
    given: Option<Arc<std::net::TcpListener>>,
) -> Result<tokio::net::TcpListener, StartupError> {
    let bind_error = |source| StartupError::Bind {
        addr: config.listen,
        source,
    };
    match given {
        Some(listener) => {
            let listener = listener.try_clone().map_err(bind_error)?;
            listener.set_nonblocking(true).map_err(bind_error)?;
            tokio::net::TcpListener::from_std(listener).map_err(bind_error)
        }
        None => tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(bind_error),
    }
}

/// The e-signature method, when enabled and configured: a delegate e-imzo-server, or native
/// verification against the trust anchors in `<keys_dir>/esign` (none there: disabled).
fn esign_login(config: &Config) -> Result<Option<EsignLogin>, StartupError> {
    use crate::esign::{
        AlgorithmRegistry, DelegateConfig, DelegateVerifier, NativeVerifier, NativeVerifierConfig,
        RevocationOptions, RevocationPolicy, SignatureVerifier, TrustStore,
    };
    let policy = config.esign.clone();
    if !policy.enabled {
        return Ok(None);
    }
    let verifier: Arc<dyn SignatureVerifier> = match &policy.delegate_url {
        Some(url) => {
            let url = url::Url::parse(url)
                .map_err(|e| StartupError::Esign(format!("delegate_url: {e}")))?;
            let host = config
                .issuer_url()?
                .host_str()
                .unwrap_or("localhost")
                .to_owned();
            Arc::new(DelegateVerifier::new(
                reqwest::Client::new(),
                DelegateConfig::new(url, host),
            ))
        }
        None => {
            let dir = config.keys_dir.join("esign");
            if !dir.join("roots").is_dir() {
                return Ok(None);
            }
            let trust = TrustStore::load(&dir).map_err(|e| StartupError::Esign(e.to_string()))?;
            if trust.counts().0 == 0 {
                return Ok(None);
            }
            let revocation = RevocationOptions {
                policy: match policy.revocation.as_str() {
                    "none" => RevocationPolicy::None,
                    "crl_if_available" => RevocationPolicy::CrlIfAvailable,
                    _ => RevocationPolicy::Crl,
                },
                allow_stale_crl: policy.allow_stale_crl,
            };
            let native = NativeVerifierConfig {
                max_signing_time_skew_secs: Some(policy.signing_time_skew),
                revocation,
                ..NativeVerifierConfig::default()
            };
            Arc::new(NativeVerifier::new(
                trust,
                AlgorithmRegistry::with_defaults(),
                native,
            ))
        }
    };
    tracing::info!("e-signature sign-in enabled");
    Ok(Some(EsignLogin { verifier, policy }))
}

async fn open_store(config: &Config) -> Result<SharedStore, StartupError> {
    let store = store::connect(&config.database_url, config.database_max_connections).await?;
    store.migrate().await?;
    Ok(store)
}

fn demo_portal(config: &Config) -> Result<DemoPortal, StartupError> {
    let issuer = config.issuer_url()?;
    if !is_loopback_host(&issuer) {
        return Err(StartupError::DemoNotLocal(config.issuer()));
    }
    Ok(DemoPortal::new(&config.issuer()))
}

async fn seed_demo_account(
    store: &SharedStore,
    passwords: &PasswordHasher,
    now: i64,
) -> Result<(), StartupError> {
    use crate::http::demo_credentials::{DEMO_PASSWORD, DEMO_USERNAME};
    if store.account_by_login(DEMO_USERNAME).await?.is_some() {
        return Ok(());
    }
    let citizen = NewAccount {
        username: Some(DEMO_USERNAME.into()),
        email: Some("demo@example.uz".into()),
        phone: Some("+998901234567".into()),
        given_name: Some("Dilnoza".into()),
        family_name: Some("Karimova".into()),
        birthdate: Some("1994-03-21".into()),
        ..NewAccount::default()
    };
    create_account(
        store.as_ref(),
        passwords,
        citizen,
        DEMO_PASSWORD.into(),
        now,
    )
    .await
    .map_err(|e| StartupError::Demo(e.to_string()))?;
    tracing::info!("demo citizen created: {DEMO_USERNAME} / {DEMO_PASSWORD}");
    Ok(())
}

/// Deletes expired codes, sessions and tokens every ten minutes.
/// Reads the revocations other nodes recorded, so a token revoked anywhere is refused here
/// within `caches.revocation_sync_seconds`.
fn spawn_revocation_sync(
    access_tokens: Arc<AccessTokens>,
    store: SharedStore,
    clock: SharedClock,
    every: Duration,
) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = access_tokens.sync(store.as_ref(), clock.now()).await {
                tracing::warn!(error = %e, "reading token revocations failed");
            }
        }
    });
}

fn spawn_purger(store: SharedStore, clock: SharedClock) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            match store.purge_expired(clock.now()).await {
                Ok(n) if n > 0 => tracing::debug!(rows = n, "purged expired rows"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purging expired rows failed"),
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
