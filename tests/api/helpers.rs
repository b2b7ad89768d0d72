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
pub fn shared_keys_dir() -> PathBuf {
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
/// - `service`: client_credentials only;
/// - `otherportal`: a second confidential portal with refresh tokens (for cross-client checks).
fn test_clients() -> Vec<Client> {
    let parse = |id: &str, extra: &str| {
        Client::from_toml(std::path::Path::new(id), &client_toml(id, extra)).expect("test client")
    };
    vec![
        parse(
            "portal",
            "grant_types = [\"authorization_code\", \"refresh_token\"]\n\
             scope = \"openid profile email phone pinfl organization offline_access\"\n\
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
        parse(
            "otherportal",
            "grant_types = [\"authorization_code\", \"refresh_token\"]\n\
             scope = \"openid profile offline_access\"\n\
             client_secret_sha256 = \"0000000000000000000000000000000000000000000000000000000000000000\"",
        )
        .with_secret(SECRET),
    ]
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// Like `spawn_app`, with a last say over the configuration (e.g. another keys directory).
pub async fn spawn_app_with(
    backend: Backend,
    customize: impl FnOnce(&mut Config),
) -> Option<TestApp> {
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
    let mut config = config;
    customize(&mut config);
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
            // Written to the process stderr directly: the test harness hides a passing test's
            // eprintln! output, and a skip must be seen.
            {
                use std::io::Write as _;
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED: PostgreSQL integration test (set YAGONA_TEST_POSTGRES_URL)"
                );
            }
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

/// The `state` every [`code_params`] request carries.
pub const STATE: &str = "af0ifjsldkj";

/// A SQLite app, for tests that check behaviour not involving storage.
pub async fn sqlite_app() -> TestApp {
    spawn_app(Backend::Sqlite).await.expect("sqlite app")
}

/// Authorization request parameters for `client_id`: `response_type=code`, the test redirect
/// URI, `scope=openid` and [`STATE`], with `extra` replacing or adding parameters.
pub fn code_params<'a>(
    client_id: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT_URI),
        ("scope", "openid"),
        ("state", STATE),
    ];
    for &(name, value) in extra {
        match params.iter_mut().find(|(k, _)| *k == name) {
            Some(slot) => slot.1 = value,
            None => params.push((name, value)),
        }
    }
    params
}

/// `url` with `params` form-urlencoded into its query.
pub fn with_query(url: &str, params: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(url).expect("url");
    url.query_pairs_mut().extend_pairs(params);
    url.to_string()
}

/// A fresh PKCE pair: `(code_verifier, S256 code_challenge)` (RFC 7636 §4.1, §4.2).
pub fn pkce_pair() -> (String, String) {
    let verifier = yagona::crypto::random_token();
    let challenge = yagona::crypto::b64url(&yagona::crypto::sha256(verifier.as_bytes()));
    (verifier, challenge)
}

/// The decoded JSON of part `index` of a compact JWS (0: header, 1: payload).
pub fn jwt_part(token: &str, index: usize) -> serde_json::Value {
    use base64::Engine as _;
    let part = token.split('.').nth(index).expect("JWT part");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url JWT part");
    serde_json::from_slice(&bytes).expect("JSON JWT part")
}

/// The message in a page's error summary (`<div class="error-summary">…<p>message</p>`).
pub fn error_summary(html: &str) -> Option<String> {
    let at = html.find("class=\"error-summary\"")?;
    let rest = &html[at..];
    let start = rest.find("<p>")? + 3;
    let end = start + rest[start..].find("</p>")?;
    Some(rest[start..end].trim().to_owned())
}

impl TestApp {
    /// `/authorize` with `params` in the query.
    pub fn authorize_url(&self, params: &[(&str, &str)]) -> String {
        with_query(&self.url("/authorize"), params)
    }

    /// Runs a whole authorization in the browser (signing in and consenting as needed) and
    /// returns the code.
    pub async fn code(&self, params: &[(&str, &str)], login: &str) -> String {
        let callback = self.authorize(&self.authorize_url(params), login).await;
        assert!(
            callback.as_str().starts_with(REDIRECT_URI),
            "expected the client's redirect URI, got {callback}"
        );
        query(&callback, "code").unwrap_or_else(|| panic!("no code in {callback}"))
    }

    /// POSTs `form` to `path` from a relying party's server, with HTTP Basic credentials when
    /// `basic` is given.
    pub async fn post_form(
        &self,
        path: &str,
        basic: Option<(&str, &str)>,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut request = self.http.post(self.url(path)).form(form);
        if let Some((id, secret)) = basic {
            request = request.basic_auth(id, Some(secret));
        }
        request.send().await.expect("form post")
    }

    /// Redeems `code` as the confidential client `client_id` and returns the response.
    pub async fn redeem(
        &self,
        client_id: &str,
        code: &str,
        verifier: Option<&str>,
    ) -> reqwest::Response {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
        ];
        form.extend(verifier.map(|v| ("code_verifier", v)));
        self.post_form("/token", Some((client_id, SECRET)), &form)
            .await
    }

    /// Redeems `code` as `client_id` and returns the token response, which must succeed.
    pub async fn tokens(
        &self,
        client_id: &str,
        code: &str,
        verifier: Option<&str>,
    ) -> serde_json::Value {
        let response = self.redeem(client_id, code, verifier).await;
        let status = response.status();
        let body: serde_json::Value = response.json().await.expect("token response JSON");
        assert_eq!(status, 200, "token request failed: {body}");
        body
    }

    /// GET `/userinfo` with `token` as a bearer token.
    pub async fn userinfo(&self, token: &str) -> reqwest::Response {
        self.http
            .get(self.url("/userinfo"))
            .bearer_auth(token)
            .send()
            .await
            .expect("userinfo")
    }
}
