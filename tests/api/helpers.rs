//! Starting the provider for a test and driving it like a browser and a relying party.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use openidconnect::reqwest;
use yagona::app::{App, AppOptions};
use yagona::auth::accounts::{NewAccount, create_account};
use yagona::clients::Client;
use yagona::clock::{Clock, ManualClock, SystemClock};
use yagona::config::{Config, PasswordPolicy};

pub const PASSWORD: &str = "Toshkent-2026!";
pub const SECRET: &str = "portal-secret-that-is-long-enough-0123456789";
pub const REDIRECT_URI: &str = "http://localhost:9/callback";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running provider.
pub struct TestApp {
    pub base: String,
    pub clock: ManualClock,
    pub state: yagona::http::AppState,
    /// A browser: keeps cookies, does not follow redirects.
    pub browser: reqwest::Client,
    /// A back-channel client (no cookies, no redirects), as a relying party's server uses.
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
    _database: Option<PgDatabase>,
}

/// Signing keys are generated once per test binary (RSA generation is slow) and shared.
fn shared_keys_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir").keep();
        yagona::keys::KeyRing::load_or_generate(&dir, SystemClock.now()).expect("keys");
        dir
    })
    .clone()
}

pub fn client_toml(client_id: &str, extra: &str) -> String {
    format!(
        "client_id = \"{client_id}\"\nclient_name = \"Soliq portal\"\n\
         redirect_uris = [\"{REDIRECT_URI}\"]\n\
         post_logout_redirect_uris = [\"http://localhost:9/bye\"]\n{extra}\n"
    )
}

/// The clients every test app knows:
/// - `portal`: confidential (client_secret_basic), refresh tokens, profile/email/phone/pinfl;
/// - `spa`: public, PKCE required;
/// - `firstparty`: skips consent;
/// - `service`: client_credentials only.
fn test_clients() -> Vec<Client> {
    let parse = |id: &str, extra: &str| {
        Client::from_toml(std::path::Path::new(id), &client_toml(id, extra)).expect("test client")
    };
    vec![
        parse(
            "portal",
            "grant_types = [\"authorization_code\", \"refresh_token\"]\n\
             scope = \"openid profile email phone pinfl offline_access\"\n\
             client_secret_sha256 = \"0000000000000000000000000000000000000000000000000000000000000000\"",
        )
        .with_secret(SECRET),
        parse("spa", "token_endpoint_auth_method = \"none\"\nscope = \"openid profile\""),
        parse(
            "firstparty",
            "first_party = true\nscope = \"openid profile\"\nid_token_signed_response_alg = \"ES256\"\n\
             client_secret_sha256 = \"0000000000000000000000000000000000000000000000000000000000000000\"",
        )
        .with_secret(SECRET),
        parse(
            "service",
            "grant_types = [\"client_credentials\"]\nscope = \"tax.read\"\n\
             client_secret_sha256 = \"0000000000000000000000000000000000000000000000000000000000000000\"",
        )
        .with_secret(SECRET),
    ]
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    let dir = tempfile::tempdir().expect("tempdir");
    let (database_url, database) = match backend {
        Backend::Sqlite => (
            format!("sqlite://{}", dir.path().join("yagona.db").display()),
            None,
        ),
        Backend::Postgres => {
            let db = PgDatabase::create().await?;
            (db.url.clone(), Some(db))
        }
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let base = format!("http://localhost:{port}");
    let config = Config {
        issuer: base.clone(),
        listen: listener.local_addr().expect("addr"),
        database_url,
        database_max_connections: 4,
        keys_dir: shared_keys_dir(),
        clients_dir: dir.path().join("clients"),
        password: PasswordPolicy {
            memory_kib: 256,
            iterations: 1,
            parallelism: 1,
            max_concurrent_hashes: 2,
            allow_weak_parameters: true,
        },
        ..Config::default()
    };
    let clock = ManualClock::new(SystemClock.now());
    let app = App::build(
        config,
        AppOptions {
            clock: Arc::new(clock.clone()),
            demo: false,
            extra_clients: test_clients(),
            listener: Some(Arc::new(listener)),
        },
    )
    .await
    .expect("app builds");
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    Some(TestApp {
        base,
        clock,
        state,
        browser,
        http,
        _dir: dir,
        _database: database,
    })
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Creates a citizen with the test password and returns its `sub`.
    pub async fn citizen(&self, username: &str) -> String {
        let provider = &self.state.provider;
        let account = create_account(
            provider.store.as_ref(),
            &provider.passwords,
            NewAccount {
                username: Some(username.into()),
                email: Some(format!("{username}@example.uz")),
                pinfl: None,
                given_name: Some("Aziza".into()),
                family_name: Some("Yusupova".into()),
                ..NewAccount::default()
            },
            PASSWORD.into(),
            self.clock.now(),
        )
        .await
        .expect("citizen created");
        account.id
    }

    /// Follows one redirect: returns the `Location` of a 303.
    pub async fn location(&self, response: reqwest::Response) -> String {
        assert_eq!(
            response.status(),
            303,
            "expected a redirect, got {}",
            response.status()
        );
        let location = response.headers()["location"]
            .to_str()
            .expect("ascii")
            .to_owned();
        if location.starts_with('/') {
            self.url(&location)
        } else {
            location
        }
    }

    /// Opens a page and returns its HTML.
    pub async fn page(&self, url: &str) -> String {
        let response = self.browser.get(url).send().await.expect("page");
        assert_eq!(response.status(), 200, "GET {url}");
        response.text().await.expect("html")
    }

    /// Signs in on the login page at `login_url` and returns the response to the form post.
    pub async fn submit_login(
        &self,
        login_url: &str,
        login: &str,
        password: &str,
    ) -> reqwest::Response {
        let html = self.page(login_url).await;
        let form = [
            ("request", hidden_field(&html, "request")),
            ("csrf", hidden_field(&html, "csrf")),
            ("login", login.to_owned()),
            ("password", password.to_owned()),
        ];
        self.browser
            .post(self.url("/login"))
            .form(&form)
            .send()
            .await
            .expect("login post")
    }

    /// Allows (or denies) on the consent page at `consent_url`.
    pub async fn submit_consent(&self, consent_url: &str, decision: &str) -> reqwest::Response {
        let html = self.page(consent_url).await;
        let form = [
            ("request", hidden_field(&html, "request")),
            ("csrf", hidden_field(&html, "csrf")),
            ("decision", decision.to_owned()),
        ];
        self.browser
            .post(self.url("/consent"))
            .form(&form)
            .send()
            .await
            .expect("consent post")
    }

    /// Drives the browser from an authorization URL to the client's redirect URI, signing in
    /// and consenting as needed. Returns the final redirect URL.
    pub async fn authorize(&self, authorize_url: &str, login: &str) -> url::Url {
        let mut next = self
            .location(
                self.browser
                    .get(authorize_url)
                    .send()
                    .await
                    .expect("authorize"),
            )
            .await;
        for _ in 0..4 {
            if next.starts_with(&self.url("/login")) {
                next = self
                    .location(self.submit_login(&next, login, PASSWORD).await)
                    .await;
            } else if next.starts_with(&self.url("/consent")) {
                next = self
                    .location(self.submit_consent(&next, "allow").await)
                    .await;
            } else {
                break;
            }
        }
        url::Url::parse(&next).expect("redirect url")
    }
}

/// The `value` of `<input … name="NAME" … value="…">` in a page.
pub fn hidden_field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\"");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name} in page:\n{html}"));
    let tag_start = html[..at].rfind('<').expect("tag start");
    let tag_end = at + html[at..].find('>').expect("tag end");
    let tag = &html[tag_start..tag_end];
    let value_at = tag
        .find("value=\"")
        .unwrap_or_else(|| panic!("no value in {tag}"))
        + 7;
    let value_end = value_at + tag[value_at..].find('"').expect("value end");
    tag[value_at..value_end]
        .replace("&#61;", "=")
        .replace("&amp;", "&")
}

/// One query parameter of a URL.
pub fn query(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A throw-away PostgreSQL database, dropped when the test ends.
pub struct PgDatabase {
    pub url: String,
    admin_url: String,
    name: String,
}

impl PgDatabase {
    async fn create() -> Option<Self> {
        let Ok(admin_url) = std::env::var("YAGONA_TEST_POSTGRES_URL") else {
            eprintln!("SKIPPED: PostgreSQL integration test (set YAGONA_TEST_POSTGRES_URL)");
            return None;
        };
        use sqlx::Connection as _;
        let name = format!(
            "yagona_it_{}",
            yagona::crypto::random_id()
                .to_lowercase()
                .replace(['-', '_'], "")
        );
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .expect("postgres admin connection");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create database");
        let url = match admin_url.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => panic!("YAGONA_TEST_POSTGRES_URL must name a database"),
        };
        Some(Self {
            url,
            admin_url,
            name,
        })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Dropped on a helper thread with its own runtime: Drop cannot await.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                use sqlx::Connection as _;
                if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                        .execute(&mut admin)
                        .await;
                }
            });
        })
        .join();
    }
}

/// Runs a test body on both backends: `both_backends!(name, body_fn)` makes `name_sqlite` and
/// `name_postgres`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:path) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite)
                    .await
                    .expect("sqlite app");
                $body(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) =
                    $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await
                {
                    $body(app).await;
                }
            }
        }
    };
}
