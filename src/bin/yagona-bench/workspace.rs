//! Everything the provider needs for a run, in a temporary directory removed at the end:
//! signing keys, the benchmark's client registrations, and citizens in a fresh database.

use std::path::PathBuf;

use anyhow::Context;
use base64::Engine as _;
use yagona::auth::PasswordHasher;
use yagona::auth::accounts::{NewAccount, create_account};
use yagona::clients::Client;
use yagona::clock::{Clock, SystemClock};
use yagona::config::PasswordPolicy;
use yagona::crypto::{random_token, sha256};
use yagona::keys::KeyRing;

use crate::browser::{Citizen, Portal, REDIRECT_URI};

/// The confidential first-party portal: every grant type, ES256 ID tokens, no consent page.
pub const PORTAL_ID: &str = "bench";
/// A portal that is not first party, so citizens see the consent page.
pub const CONSENT_PORTAL_ID: &str = "bench-consent";
/// The scope `client_credentials` asks for (a service scope, not a citizen's).
pub const SERVICE_SCOPE: &str = "bench.read";
/// Every citizen's password.
const PASSWORD: &str = "Bench-password-2026";

/// How expensive the provider's password hash is in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCost {
    /// m=8 KiB, t=1, p=1 (needs `allow_weak_parameters`): shows the provider's own overhead.
    Cheap,
    /// The provider's default (`PasswordPolicy::default()`, an OWASP configuration).
    Production,
}

impl PasswordCost {
    fn policy(self) -> PasswordPolicy {
        match self {
            Self::Cheap => PasswordPolicy {
                memory_kib: 8,
                iterations: 1,
                parallelism: 1,
                allow_weak_parameters: true,
                ..PasswordPolicy::default()
            },
            Self::Production => PasswordPolicy::default(),
        }
    }

    /// The `YAGONA_PASSWORD__*` variables that configure the provider the same way.
    pub fn environment(self) -> Vec<(String, String)> {
        let policy = self.policy();
        vec![
            (
                "YAGONA_PASSWORD__MEMORY_KIB".into(),
                policy.memory_kib.to_string(),
            ),
            (
                "YAGONA_PASSWORD__ITERATIONS".into(),
                policy.iterations.to_string(),
            ),
            (
                "YAGONA_PASSWORD__PARALLELISM".into(),
                policy.parallelism.to_string(),
            ),
            (
                "YAGONA_PASSWORD__ALLOW_WEAK_PARAMETERS".into(),
                policy.allow_weak_parameters.to_string(),
            ),
        ]
    }
}

/// The temporary directory of a run, with keys and clients; removed on drop.
#[derive(Debug)]
pub struct Workspace {
    pub dir: PathBuf,
    pub keys_dir: PathBuf,
    pub clients_dir: PathBuf,
    /// The secret of both benchmark portals.
    pub secret: String,
}

impl Workspace {
    /// Creates the directory, generates signing keys (RS256 and ES256) and writes the clients.
    pub fn create() -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(format!(
            "yagona-bench-{}-{}",
            std::process::id(),
            &random_token()[..8]
        ));
        let keys_dir = dir.join("keys");
        let clients_dir = dir.join("clients");
        std::fs::create_dir_all(&clients_dir)
            .with_context(|| format!("creating {}", clients_dir.display()))?;
        let workspace = Self {
            dir,
            keys_dir,
            clients_dir,
            secret: random_token(),
        };
        KeyRing::load_or_generate(&workspace.keys_dir, SystemClock.now())
            .context("generating signing keys")?;
        workspace.write_client(PORTAL_ID, &portal_fields(true))?;
        workspace.write_client(CONSENT_PORTAL_ID, &portal_fields(false))?;
        Ok(workspace)
    }

    fn write_client(&self, client_id: &str, fields: &str) -> anyhow::Result<()> {
        let text = format!(
            "client_id = \"{client_id}\"\nclient_name = \"Benchmark portal\"\n\
             redirect_uris = [\"{REDIRECT_URI}\"]\ntoken_endpoint_auth_method = \"client_secret_basic\"\n\
             client_secret_sha256 = \"{}\"\nid_token_signed_response_alg = \"ES256\"\n{fields}",
            hex::encode(sha256(self.secret.as_bytes()))
        );
        let path = self.clients_dir.join(format!("{client_id}.toml"));
        // Checked with the provider's own rules first, so a mistake names the field.
        Client::from_toml(&path, &text).with_context(|| format!("client {client_id}"))?;
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
    }

    /// The portal a flow runs for.
    pub fn portal(&self, base: &str, with_consent: bool) -> Portal {
        let (client_id, scope) = if with_consent {
            (CONSENT_PORTAL_ID, "openid profile email")
        } else {
            (PORTAL_ID, "openid profile email")
        };
        Portal {
            base: base.to_owned(),
            client_id: client_id.into(),
            secret: self.secret.clone(),
            scope: scope.into(),
            prompt_consent: with_consent,
        }
    }

    /// `Authorization: Basic …` of the first-party portal (RFC 6749 §2.3.1).
    pub fn basic_authorization(&self) -> String {
        let pair = format!("{PORTAL_ID}:{}", self.secret);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }

    /// A SQLite database URL inside the workspace.
    pub fn sqlite_url(&self, name: &str) -> String {
        format!("sqlite://{}", self.dir.join(format!("{name}.db")).display())
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn portal_fields(first_party: bool) -> String {
    if first_party {
        format!(
            "grant_types = [\"authorization_code\", \"refresh_token\", \"client_credentials\"]\n\
             scope = \"openid profile email offline_access {SERVICE_SCOPE}\"\nfirst_party = true\n"
        )
    } else {
        "grant_types = [\"authorization_code\"]\nscope = \"openid profile email\"\n\
         first_party = false\n"
            .into()
    }
}

/// Creates `count` citizens in the database at `database_url` (migrating it first), with
/// password hashes at `cost`, so the provider verifies them at the cost it is configured for.
pub async fn create_citizens(
    database_url: &str,
    cost: PasswordCost,
    count: usize,
) -> anyhow::Result<Vec<Citizen>> {
    let store = yagona::store::connect(database_url, 2)
        .await
        .context("opening the benchmark database")?;
    store
        .migrate()
        .await
        .context("migrating the benchmark database")?;
    let hasher = PasswordHasher::new(&cost.policy()).context("password hasher")?;
    let mut citizens = Vec::with_capacity(count);
    for index in 0..count {
        let login = format!("citizen-{index:04}");
        let new = NewAccount {
            username: Some(login.clone()),
            email: Some(format!("{login}@example.uz")),
            given_name: Some("Aziza".into()),
            family_name: Some("Yusupova".into()),
            ..NewAccount::default()
        };
        create_account(
            store.as_ref(),
            &hasher,
            new,
            PASSWORD.into(),
            SystemClock.now(),
        )
        .await
        .with_context(|| format!("creating {login}"))?;
        citizens.push(Citizen {
            login,
            password: PASSWORD.into(),
        });
    }
    Ok(citizens)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod tests {
    use super::*;

    #[test]
    fn the_workspace_holds_keys_and_valid_clients_and_is_removed() {
        let workspace = Workspace::create().unwrap();
        assert!(workspace.keys_dir.join("signing").is_dir());
        let registry = yagona::clients::ClientRegistry::load_dir(&workspace.clients_dir).unwrap();
        assert_eq!(registry.all().len(), 2);
        let portal = workspace.portal("http://127.0.0.1:1", false);
        assert_eq!(portal.client_id, PORTAL_ID);
        assert!(workspace.portal("http://127.0.0.1:1", true).prompt_consent);
        assert!(
            workspace
                .basic_authorization()
                .starts_with("Basic YmVuY2g6")
        );
        let dir = workspace.dir.clone();
        drop(workspace);
        assert!(!dir.exists());
    }

    #[test]
    fn password_costs_configure_the_provider() {
        let cheap = PasswordCost::Cheap.environment();
        assert!(cheap.contains(&("YAGONA_PASSWORD__MEMORY_KIB".into(), "8".into())));
        assert!(cheap.contains(&(
            "YAGONA_PASSWORD__ALLOW_WEAK_PARAMETERS".into(),
            "true".into()
        )));
        let production = PasswordCost::Production.policy();
        assert_eq!((production.memory_kib, production.iterations), (12_288, 3));
        assert!(!production.allow_weak_parameters);
    }

    #[tokio::test]
    async fn citizens_are_created_in_a_fresh_database() {
        let workspace = Workspace::create().unwrap();
        let url = workspace.sqlite_url("citizens");
        let citizens = create_citizens(&url, PasswordCost::Cheap, 3).await.unwrap();
        assert_eq!(citizens.len(), 3);
        assert_eq!(citizens[2].login, "citizen-0002");
        assert!(
            create_citizens(&url, PasswordCost::Cheap, 1).await.is_err(),
            "taken"
        );
    }
}
