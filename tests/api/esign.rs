//! E-signature sign-in through the real pages: a test CA made with the `openssl` command line,
//! challenges signed with `openssl cms -sign`, and the OIDC flow finished with tokens.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use openidconnect::reqwest;
use serde_json::Value;
use yagona::auth::accounts::{NewAccount, create_account};
use yagona::clock::Clock as _;

use crate::helpers::{
    Backend, PASSWORD, REDIRECT_URI, SECRET, TestApp, hidden_field, query, shared_keys_dir,
    spawn_app_with,
};

const PINFL: &str = "32345678901234";
const ESIGN_ACR: &str = "urn:yagona:acr:esign";

/// A test PKI in a keys directory: signing keys (copied), `esign/roots`, `esign/crls`, and the
/// citizen's and company's certificates and keys for signing.
struct TestPki {
    _dir: tempfile::TempDir,
    keys_dir: PathBuf,
    work: PathBuf,
}

fn openssl(args: &[&str], dir: &Path) {
    let status = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("the openssl command line is installed");
    assert!(status.success(), "openssl {args:?} failed");
}

fn make_pki() -> TestPki {
    let dir = tempfile::tempdir().unwrap();
    let keys_dir = dir.path().join("keys");
    let work = dir.path().join("work");
    std::fs::create_dir_all(keys_dir.join("signing")).unwrap();
    std::fs::create_dir_all(keys_dir.join("esign/roots")).unwrap();
    std::fs::create_dir_all(keys_dir.join("esign/crls")).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    for entry in std::fs::read_dir(shared_keys_dir().join("signing")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(
            entry.path(),
            keys_dir.join("signing").join(entry.file_name()),
        )
        .unwrap();
    }
    std::fs::write(
        work.join("req.cnf"),
        "oid_section = uz\n[uz]\npinfl = 1.2.860.3.16.1.2\norgTin = 1.2.860.3.16.1.1\n\
         [req]\ndistinguished_name = dn\n[dn]\n",
    )
    .unwrap();
    std::fs::write(
        work.join("ext.cnf"),
        "[ca]\nbasicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\n\
         subjectKeyIdentifier = hash\n[leaf]\nbasicConstraints = critical, CA:FALSE\n\
         keyUsage = critical, digitalSignature, nonRepudiation\nsubjectKeyIdentifier = hash\n\
         authorityKeyIdentifier = keyid\n",
    )
    .unwrap();
    std::fs::write(work.join("index.txt"), "").unwrap();
    std::fs::write(work.join("crlnumber"), "01\n").unwrap();
    std::fs::write(
        work.join("ca.cnf"),
        "[ca]\ndefault_ca = test\n[test]\ndatabase = index.txt\ncrlnumber = crlnumber\n\
         default_md = sha256\ndefault_crl_days = 30\n",
    )
    .unwrap();
    let w = &work;
    openssl(
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "ca.key",
        ],
        w,
    );
    openssl(
        &[
            "req",
            "-new",
            "-x509",
            "-key",
            "ca.key",
            "-sha256",
            "-days",
            "365",
            "-set_serial",
            "1",
            "-subj",
            "/C=UZ/O=Yagona test/CN=Yagona Test Root",
            "-config",
            "ext.cnf",
            "-extensions",
            "ca",
            "-out",
            "ca.pem",
        ],
        w,
    );
    let leaf = |name: &str, subject: &str, serial: &str| {
        openssl(
            &[
                "ecparam",
                "-name",
                "prime256v1",
                "-genkey",
                "-noout",
                "-out",
                &format!("{name}.key"),
            ],
            w,
        );
        openssl(
            &[
                "req",
                "-new",
                "-config",
                "req.cnf",
                "-key",
                &format!("{name}.key"),
                "-subj",
                subject,
                "-out",
                &format!("{name}.csr"),
            ],
            w,
        );
        openssl(
            &[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-set_serial",
                serial,
                "-days",
                "300",
                "-sha256",
                "-extfile",
                "ext.cnf",
                "-extensions",
                "leaf",
                "-out",
                &format!("{name}.pem"),
            ],
            w,
        );
    };
    leaf(
        "citizen",
        &format!("/C=UZ/CN=SOTVOLDIYEV BOBUR/UID=123456789/pinfl={PINFL}"),
        "4660",
    );
    leaf(
        "company",
        &format!("/C=UZ/O=NAMUNA LLC/CN=SOTVOLDIYEV BOBUR/orgTin=301234567/pinfl={PINFL}"),
        "4661",
    );
    leaf(
        "stranger",
        "/C=UZ/CN=NOMALUM SHAXS/pinfl=39999999999999",
        "4662",
    );
    openssl(
        &[
            "ca", "-config", "ca.cnf", "-gencrl", "-keyfile", "ca.key", "-cert", "ca.pem", "-out",
            "crl.pem",
        ],
        w,
    );
    std::fs::copy(work.join("ca.pem"), keys_dir.join("esign/roots/ca.pem")).unwrap();
    std::fs::copy(work.join("crl.pem"), keys_dir.join("esign/crls/ca.pem")).unwrap();
    TestPki {
        _dir: dir,
        keys_dir,
        work,
    }
}

impl TestPki {
    /// `openssl cms -sign` over `content` with the named certificate: Base64 of the DER.
    fn sign(&self, who: &str, content: &str) -> String {
        let input = self.work.join("content.txt");
        std::fs::write(&input, content).unwrap();
        let output = Command::new("openssl")
            .args([
                "cms",
                "-sign",
                "-nodetach",
                "-binary",
                "-outform",
                "DER",
                "-md",
                "sha256",
            ])
            .args([
                "-signer",
                &format!("{who}.pem"),
                "-inkey",
                &format!("{who}.key"),
            ])
            .args(["-in", "content.txt"])
            .current_dir(&self.work)
            .output()
            .unwrap();
        assert!(output.status.success(), "openssl cms -sign failed");
        base64::engine::general_purpose::STANDARD.encode(output.stdout)
    }
}

async fn esign_app(backend: Backend, pki: &TestPki) -> Option<TestApp> {
    let keys_dir = pki.keys_dir.clone();
    let app = spawn_app_with(backend, move |config| config.keys_dir = keys_dir).await?;
    let provider = &app.state.provider;
    create_account(
        provider.store.as_ref(),
        &provider.passwords,
        NewAccount {
            username: Some("bobur".into()),
            pinfl: Some(PINFL.into()),
            ..NewAccount::default()
        },
        PASSWORD.into(),
        app.clock.now(),
    )
    .await
    .unwrap();
    Some(app)
}

/// Opens an authorization request that demands the e-signature class; returns the e-signature
/// page's URL (the provider goes there directly).
async fn esign_page_url(app: &TestApp, scope: &str) -> String {
    let url = format!(
        "{}/authorize?response_type=code&client_id=portal&redirect_uri={}&scope={}&state=s1&acr_values={}",
        app.base,
        urlencode(REDIRECT_URI),
        urlencode(scope),
        urlencode(ESIGN_ACR)
    );
    let location = app
        .location(app.browser.get(&url).send().await.unwrap())
        .await;
    assert!(location.contains("/login/esign?request="), "{location}");
    location
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

fn data_challenge(html: &str) -> String {
    let at = html
        .find("data-challenge=\"")
        .expect("challenge on the page")
        + 16;
    html[at..at + html[at..].find('"').unwrap()].to_owned()
}

/// Loads the page, signs its challenge as `who`, posts it; returns the response.
async fn sign_in(app: &TestApp, pki: &TestPki, page_url: &str, who: &str) -> reqwest::Response {
    let html = app.page(page_url).await;
    let signature = pki.sign(who, &data_challenge(&html));
    post_signature(app, &html, &signature).await
}

async fn post_signature(app: &TestApp, html: &str, signature: &str) -> reqwest::Response {
    app.browser
        .post(app.url("/login/esign"))
        .form(&[
            ("request", hidden_field(html, "request")),
            ("csrf", hidden_field(html, "csrf")),
            ("pkcs7", signature.to_owned()),
        ])
        .send()
        .await
        .unwrap()
}

async fn latest_outcome(app: &TestApp) -> String {
    let attempts = app
        .state
        .provider
        .store
        .recent_esign_attempts(1)
        .await
        .unwrap();
    attempts[0].outcome.clone()
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn company_esign_signs_in_with_organization_sqlite() {
    company_esign_flow(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn company_esign_signs_in_with_organization_postgres() {
    company_esign_flow(Backend::Postgres).await;
}

/// The whole flow: authorize with `acr_values` = e-signature, sign with a company certificate,
/// consent, redeem the code; the tokens say e-signature and carry the organisation.
async fn company_esign_flow(backend: Backend) {
    let pki = make_pki();
    let Some(app) = esign_app(backend, &pki).await else {
        return;
    };
    let page = esign_page_url(&app, "openid profile organization").await;
    let response = sign_in(&app, &pki, &page, "company").await;
    let next = app.location(response).await;
    assert!(next.contains("/consent?request="), "{next}");
    let callback = app.location(app.submit_consent(&next, "allow").await).await;
    let callback = url::Url::parse(&callback).unwrap();
    assert!(callback.as_str().starts_with(REDIRECT_URI));
    let code = query(&callback, "code").expect("code");
    let tokens: Value = app
        .http
        .post(app.url("/token"))
        .basic_auth("portal", Some(SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = claims(tokens["id_token"].as_str().expect("id token"));
    assert_eq!(id["acr"], ESIGN_ACR);
    assert_eq!(id["amr"], serde_json::json!(["esign"]));
    assert_eq!(id["organization"]["tin"], "301234567");
    assert_eq!(id["organization"]["name"], "NAMUNA LLC");
    let userinfo: Value = app
        .http
        .get(app.url("/userinfo"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(userinfo["organization"]["tin"], "301234567");
    assert_eq!(latest_outcome(&app).await, "ok");
}

/// A SQLite app with a test PKI, and an e-signature page for a fresh `openid` request.
async fn openid_esign_page() -> (TestPki, TestApp, String) {
    let pki = make_pki();
    let app = sqlite_esign_app(&pki).await;
    let page = esign_page_url(&app, "openid").await;
    (pki, app, page)
}

/// The attempt was refused: the form is shown again (200) and the audit trail has `outcome`.
async fn assert_refused(app: &TestApp, response: reqwest::Response, outcome: &str) {
    assert_eq!(response.status(), 200, "the form is shown again");
    assert_eq!(latest_outcome(app).await, outcome);
}

async fn sqlite_esign_app(pki: &TestPki) -> TestApp {
    esign_app(Backend::Sqlite, pki).await.expect("sqlite app")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn citizen_certificate_without_organization_scope_gets_no_organization() {
    let (pki, app, page) = openid_esign_page().await;
    let password_page = app.page(&page.replace("/login/esign", "/login")).await;
    assert!(
        password_page.contains("href=\"/login/esign?request="),
        "the sign-in page offers the e-signature"
    );
    let next = app
        .location(sign_in(&app, &pki, &page, "citizen").await)
        .await;
    let callback = app.location(app.submit_consent(&next, "allow").await).await;
    assert!(callback.starts_with(REDIRECT_URI), "{callback}");
    assert_eq!(latest_outcome(&app).await, "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_signature_is_refused() {
    let (pki, app, page) = openid_esign_page().await;
    let html = app.page(&page).await;
    let signature = pki.sign("citizen", &data_challenge(&html));
    let first = post_signature(&app, &html, &signature).await;
    assert_eq!(first.status(), 303);
    // Attempts are listed newest first by second: keep the two apart.
    app.clock.advance(1);
    let again = post_signature(&app, &app.page(&page).await, &signature).await;
    assert_eq!(again.status(), 200, "the form is shown again");
    assert!(again.text().await.unwrap().contains("role=\"alert\""));
    assert_eq!(
        latest_outcome(&app).await,
        "challenge_unknown_used_or_expired"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_challenge_from_another_browser_is_refused() {
    let (pki, app, page) = openid_esign_page().await;
    let victim_html = app.page(&page).await;
    let signature = pki.sign("citizen", &data_challenge(&victim_html));
    // Another browser (its own CSRF cookie) posts the signature over the victim's challenge.
    let other = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let other_html = other.get(&page).send().await.unwrap().text().await.unwrap();
    let response = other
        .post(app.url("/login/esign"))
        .form(&[
            ("request", hidden_field(&other_html, "request")),
            ("csrf", hidden_field(&other_html, "csrf")),
            ("pkcs7", signature),
        ])
        .send()
        .await
        .unwrap();
    assert_refused(&app, response, "challenge_unknown_used_or_expired").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_challenge_is_refused() {
    let (pki, app, page) = openid_esign_page().await;
    let html = app.page(&page).await;
    let signature = pki.sign("citizen", &data_challenge(&html));
    app.clock.advance(121);
    let response = post_signature(&app, &html, &signature).await;
    assert_refused(&app, response, "challenge_unknown_used_or_expired").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_that_is_not_the_challenge_is_refused() {
    let (pki, app, page) = openid_esign_page().await;
    let html = app.page(&page).await;
    let signature = pki.sign("citizen", "I agree to something else");
    let response = post_signature(&app, &html, &signature).await;
    assert_refused(&app, response, "challenge_unknown_used_or_expired").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_pinfl_is_refused_by_default() {
    let (pki, app, page) = openid_esign_page().await;
    let response = sign_in(&app, &pki, &page, "stranger").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(
        !html.contains("unknown_pinfl"),
        "the browser only sees the generic message"
    );
    assert_eq!(latest_outcome(&app).await, "unknown_pinfl");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_signatures_are_refused_without_a_server_error() {
    let (_pki, app, page) = openid_esign_page().await;
    for garbage in ["", "not base64 at all!", "AAAA", &"QUJD".repeat(30_000)] {
        let html = app.page(&page).await;
        let response = post_signature(&app, &html, garbage).await;
        assert!(
            response.status().is_success() || response.status() == 413,
            "{}",
            response.status()
        );
    }
}
