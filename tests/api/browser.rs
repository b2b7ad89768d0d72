//! The real-browser test: headless Chromium, driven over the DevTools protocol, with a virtual
//! authenticator (resident keys, user verification). It clicks through the actual pages: sign
//! in with a password through a portal's authorization request, register a passkey in "My
//! account", sign out, then sign in with the passkey alone through a new authorization request
//! and land on the portal's redirect URI with a code.
//!
//! Skipped (with a `SKIPPED:` line) when Chromium is not installed; CI installs it.

use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

use crate::cdp::{Cdp, Chromium, chromium};
use crate::helpers::{PASSWORD, REDIRECT_URI, STATE, TestApp, code_params, jwt_part, query};

/// The portal's redirect URI is not served: the browser's request to it is intercepted. Only
/// the callback: the page answered there makes the browser ask for `/favicon.ico` too, which
/// must not be taken for the next redirect.
const REDIRECT_PATTERN: &str = "http://localhost:9/callback*";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passkey_registration_and_sign_in_in_a_real_browser() {
    let Some(binary) = chromium() else {
        // Written to the process stderr directly: the test harness hides a passing test's
        // eprintln! output, and a skip must be seen.
        {
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: browser test (chromium not installed)"
            );
        }
        return;
    };
    let app = crate::helpers::sqlite_app().await;
    app.citizen("aziza").await;
    let browser = Chromium::launch(&binary).await;
    let mut page = Cdp::open_page(&browser.websocket_url).await;
    tokio::time::timeout(Duration::from_secs(180), run(&app, &mut page))
        .await
        .expect("the browser test finished in time");
}

async fn run(app: &TestApp, page: &mut Cdp) {
    let authenticator = prepare(page).await;

    // 1. A portal sends the citizen to sign in; password, then consent.
    page.navigate(&authorize_url(app, "n-1")).await;
    page.wait_for(&on_page(app, "/login", "#password"), 20)
        .await;
    page.evaluate(&format!(
        "document.getElementById('login').value = 'aziza';\
             document.getElementById('password').value = '{PASSWORD}';\
             document.querySelector('form[action=\"/login\"] button[type=submit]').click(); true"
    ))
    .await;
    page.wait_for(&on_page(app, "/consent", "button[value=allow]"), 20)
        .await;
    page.evaluate("document.querySelector('button[value=allow]').click(); true")
        .await;
    let first = redirect_to_portal(page).await;
    assert!(query(&first, "code").is_some(), "{first}");

    // 2. "My account": add a passkey.
    page.navigate(&app.url("/account")).await;
    page.wait_for(&on_page(app, "/account", "#passkey-button"), 20)
        .await;
    page.evaluate(
        "document.getElementById('passkey-name').value = 'Test laptop';\
         document.getElementById('passkey-button').click(); true",
    )
    .await;
    page.wait_for("location.search.includes('message=added')", 30)
        .await;
    page.wait_for(
        "document.body.innerText.includes('Test laptop') || \
         !!document.querySelector('input[value=\"Test laptop\"]')",
        10,
    )
    .await;
    let credentials = page
        .call(
            "WebAuthn.getCredentials",
            json!({ "authenticatorId": authenticator }),
        )
        .await;
    let credentials = credentials["credentials"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(credentials.len(), 1, "{credentials:?}");
    assert_eq!(credentials[0]["isResidentCredential"], true);

    // 3. Sign out from "My account".
    page.evaluate(
        "document.querySelector('form[action=\"/logout/confirm\"] button[type=submit]').click(); true",
    )
    .await;
    page.wait_for("location.pathname === '/logout/confirm'", 20)
        .await;

    // 4. A new authorization request: the passkey alone signs in, either through the sign-in
    // page's autofill request (conditional mediation, which Chromium's virtual authenticator
    // answers by itself) or the passkey button.
    page.navigate(&authorize_url(app, "n-2")).await;
    passkey_sign_in(app, page).await;
    let second = redirect_to_portal(page).await;
    assert_eq!(query(&second, "state").as_deref(), Some(STATE));
    let code = query(&second, "code").expect("a code");
    let tokens = app.tokens("portal", &code, None).await;
    let claims = jwt_part(tokens["id_token"].as_str().unwrap(), 1);
    assert_eq!(claims["acr"], "urn:yagona:acr:passkey");
    assert_eq!(claims["amr"], json!(["hwk", "user"]));
}

/// Waits for the passkey sign-in on the sign-in page: done when the browser already heads for
/// the portal (autofill), else the citizen presses the passkey button.
async fn passkey_sign_in(app: &TestApp, page: &mut Cdp) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let on_login_page = on_page(app, "/login", "#passkey-button");
    loop {
        if page.has_event("Fetch.requestPaused") {
            return;
        }
        if page.evaluate(&on_login_page).await == Some(Value::Bool(true)) {
            page.evaluate("document.getElementById('passkey-button').click(); true")
                .await;
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "neither the sign-in page nor the portal's redirect came"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Enables the page domains, adds the virtual authenticator and intercepts the portal's
/// redirect URI; returns the authenticator id.
async fn prepare(page: &mut Cdp) -> Value {
    page.call("Page.enable", json!({})).await;
    page.call("Runtime.enable", json!({})).await;
    page.call("WebAuthn.enable", json!({ "enableUI": false }))
        .await;
    let added = page
        .call(
            "WebAuthn.addVirtualAuthenticator",
            json!({ "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": true,
                "hasUserVerification": true,
                "isUserVerified": true,
                "automaticPresenceSimulation": true,
            }}),
        )
        .await;
    page.call(
        "Fetch.enable",
        json!({ "patterns": [{ "urlPattern": REDIRECT_PATTERN }] }),
    )
    .await;
    added["authenticatorId"].clone()
}

/// The portal's authorization request, in English.
fn authorize_url(app: &TestApp, nonce: &str) -> String {
    let params = code_params("portal", &[("nonce", nonce), ("ui_locales", "en")]);
    app.authorize_url(&params)
}

/// JavaScript that is true once the page at `path` has loaded and shows `selector`.
fn on_page(app: &TestApp, path: &str, selector: &str) -> String {
    format!(
        "location.origin === '{}' && location.pathname === '{path}' && \
         document.readyState === 'complete' && !!document.querySelector('{selector}')",
        app.base
    )
}

/// Waits for the browser to go to the portal's redirect URI, answers it, and returns the URL.
async fn redirect_to_portal(page: &mut Cdp) -> url::Url {
    let paused = page.event("Fetch.requestPaused", 30).await;
    let params = &paused["params"];
    let url = params["request"]["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(REDIRECT_URI), "{url}");
    let body = base64::engine::general_purpose::STANDARD.encode("portal");
    page.call(
        "Fetch.fulfillRequest",
        json!({ "requestId": params["requestId"], "responseCode": 200, "body": body }),
    )
    .await;
    url::Url::parse(&url).unwrap()
}
