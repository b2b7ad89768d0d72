//! Passkeys through the real HTTP endpoints, with `webauthn-authenticator-rs`'s `SoftPasskey`
//! as the authenticator: registration from "My account", passwordless sign-in, a passkey as
//! the second factor (asked for by `acr_values`, by the account, or to step up a session), and
//! the refusals (replayed response, wrong origin, unknown credential, bad input, removing the
//! last way to sign in).

use std::sync::Arc;

use reqwest::cookie::Jar;
use serde_json::{Value, json};
use url::Url;
use webauthn_authenticator_rs::WebauthnAuthenticator as _;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs_proto::{
    AllowCredentials, CreationChallengeResponse, PublicKeyCredential, RequestChallengeResponse,
};
use yagona::auth::AuthContext;
use yagona::auth::passkeys::user_handle;
use yagona::store::Account;

use crate::both_backends;
use crate::helpers::{
    PASSWORD, REDIRECT_URI, TestApp, code_params, hidden_field, jwt_part, query, with_query,
};

const PASSKEY_ACR: &str = "urn:yagona:acr:passkey";

/// A browser with its own cookies (no redirects followed, pages in English) and the page
/// origin it runs on.
struct Browser {
    client: reqwest::Client,
    jar: Arc<Jar>,
    origin: Url,
}

impl Browser {
    fn new(app: &TestApp) -> Self {
        let jar = Arc::new(Jar::default());
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ACCEPT_LANGUAGE,
            reqwest::header::HeaderValue::from_static("en"),
        );
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            client,
            jar,
            origin: Url::parse(&app.base).unwrap(),
        }
    }

    async fn get(&self, url: &str) -> reqwest::Response {
        self.client.get(url).send().await.unwrap()
    }

    async fn page(&self, url: &str) -> String {
        let response = self.get(url).await;
        assert_eq!(response.status(), 200, "GET {url}");
        response.text().await.unwrap()
    }

    /// `Location` of a 303, made absolute.
    fn location(&self, response: &reqwest::Response) -> String {
        assert_eq!(
            response.status(),
            303,
            "expected a redirect from {}",
            response.url()
        );
        let location = response.headers()["location"].to_str().unwrap();
        self.origin.join(location).unwrap().to_string()
    }

    /// POSTs JSON as the passkey script does: CSRF token in `X-CSRF-Token`.
    async fn post_json(&self, path: &str, csrf: &str, body: &Value) -> (u16, Value) {
        let response = self
            .client
            .post(self.origin.join(path).unwrap())
            .header("x-csrf-token", csrf)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let url = self.origin.join(path).unwrap();
        self.client.post(url).form(form).send().await.unwrap()
    }

    /// Signs in with the password on the login page at `login_url`; returns the next URL.
    async fn password(&self, login_url: &str, login: &str) -> String {
        let html = self.page(login_url).await;
        let form = [
            ("request", hidden_field(&html, "request")),
            ("csrf", hidden_field(&html, "csrf")),
            ("login", login.to_owned()),
            ("password", PASSWORD.to_owned()),
        ];
        let response = self
            .client
            .post(self.origin.join("/login").unwrap())
            .form(&form);
        let response = response.send().await.unwrap();
        self.location(&response)
    }

    /// Opens "My account", signing in with the password through the `yagona-account` client.
    async fn open_account(&self, app: &TestApp, login: &str) -> String {
        let authorize = self.location(&self.get(&app.url("/account")).await);
        assert!(
            authorize.contains("client_id=yagona-account"),
            "{authorize}"
        );
        let mut next = self.location(&self.get(&authorize).await);
        if next.starts_with(&app.url("/login")) {
            next = self.password(&next, login).await;
        }
        assert!(next.starts_with(&app.url("/account/callback")), "{next}");
        let account = self.location(&self.get(&next).await);
        assert_eq!(account, app.url("/account"));
        self.page(&account).await
    }

    fn set_session(&self, value: &str) {
        let cookie = format!("yagona_session={value}; Path=/");
        self.jar.add_cookie_str(&cookie, &self.origin);
    }
}

/// The value of `data-NAME="…"` in a page.
fn data_attr(html: &str, name: &str) -> String {
    let marker = format!("data-{name}=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no data-{name} in\n{html}"))
        + marker.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end].replace("&#61;", "=").replace("&amp;", "&")
}

/// Registers a SoftPasskey from the account page open in `browser`; returns the status and
/// body of the finish request.
async fn register(
    browser: &Browser,
    authenticator: &mut SoftPasskey,
    origin: &Url,
    name: &str,
) -> (u16, Value) {
    let html = browser
        .page(browser.origin.join("/account").unwrap().as_str())
        .await;
    let csrf = data_attr(&html, "csrf");
    let (status, started) = browser
        .post_json("/account/passkeys/register/start", &csrf, &json!({}))
        .await;
    assert_eq!(status, 200, "{started}");
    let options: CreationChallengeResponse =
        serde_json::from_value(started["options"].clone()).unwrap();
    let credential = authenticator
        .do_registration(origin.clone(), options)
        .expect("authenticator registers");
    let body = json!({ "ceremony": started["ceremony"], "name": name, "credential": credential });
    browser
        .post_json("/account/passkeys/register/finish", &csrf, &body)
        .await
}

/// The passkey's credential id and the account's user handle, for the discoverable flow
/// (SoftPasskey keeps no resident keys: see crate-notes §2).
struct Discoverable {
    credential_id: Vec<u8>,
    user_handle: Vec<u8>,
}

async fn discoverable(app: &TestApp, account_id: &str) -> Discoverable {
    let passkeys = app
        .state
        .provider
        .store
        .passkeys_for_account(account_id)
        .await
        .unwrap();
    Discoverable {
        credential_id: passkeys.last().expect("a passkey").credential_id.clone(),
        user_handle: user_handle(account_id).as_bytes().to_vec(),
    }
}

/// Answers a sign-in ceremony with `authenticator`. For a passwordless one (`known` given) the
/// credential is named in `allowCredentials` and the user handle added afterwards, as a
/// resident key would.
fn answer(
    authenticator: &mut SoftPasskey,
    origin: &Url,
    options: &Value,
    known: Option<&Discoverable>,
) -> PublicKeyCredential {
    let mut options: RequestChallengeResponse = serde_json::from_value(options.clone()).unwrap();
    if let Some(known) = known {
        options.public_key.allow_credentials = vec![AllowCredentials {
            type_: "public-key".into(),
            id: known.credential_id.clone(),
            transports: None,
        }];
    }
    let mut credential = authenticator
        .do_authentication(origin.clone(), options)
        .expect("authenticator signs");
    if let Some(known) = known {
        credential.response.user_handle = Some(known.user_handle.clone());
    }
    credential
}

/// Runs a passkey ceremony on the login page at `login_url` (`mode` `modal` or
/// `second_factor`); returns the finish request's status and body, and that body's request.
async fn passkey_sign_in(
    browser: &Browser,
    authenticator: &mut SoftPasskey,
    login_url: &str,
    mode: &str,
    known: Option<&Discoverable>,
) -> ((u16, Value), Value) {
    let html = browser.page(login_url).await;
    let csrf = data_attr(&html, "csrf");
    let request = data_attr(&html, "request");
    let (status, started) = browser
        .post_json(
            "/passkeys/login/start",
            &csrf,
            &json!({ "request": request, "mode": mode }),
        )
        .await;
    assert_eq!(status, 200, "{started}");
    let credential = answer(authenticator, &browser.origin, &started["options"], known);
    let body = json!({
        "request": request,
        "mode": mode,
        "ceremony": started["ceremony"],
        "credential": credential,
    });
    (
        browser
            .post_json("/passkeys/login/finish", &csrf, &body)
            .await,
        body,
    )
}

/// Starts an authorization request for `firstparty` (no consent) and returns the login URL.
async fn authorize_firstparty(app: &TestApp, browser: &Browser, extra: &[(&str, &str)]) -> String {
    let mut params = code_params("firstparty", &[("nonce", "n-1")]);
    params.extend_from_slice(extra);
    let url = with_query(&app.url("/authorize"), &params);
    let next = browser.location(&browser.get(&url).await);
    assert!(next.starts_with(&app.url("/login")), "{next}");
    next
}

/// The ID token claims of a redirect that carries a code for `firstparty`.
async fn claims_of(app: &TestApp, redirect: &str) -> Value {
    assert!(
        redirect.starts_with(REDIRECT_URI),
        "not the client: {redirect}"
    );
    let code = query(&Url::parse(redirect).unwrap(), "code").expect("code");
    let tokens = app.tokens("firstparty", &code, None).await;
    jwt_part(tokens["id_token"].as_str().unwrap(), 1)
}

/// A citizen with a registered passkey, and the authenticator holding it.
async fn citizen_with_passkey(app: &TestApp, login: &str) -> (String, SoftPasskey) {
    let sub = app.citizen(login).await;
    let browser = Browser::new(app);
    browser.open_account(app, login).await;
    let mut authenticator = SoftPasskey::new(true);
    let (status, body) = register(&browser, &mut authenticator, &browser.origin, "My laptop").await;
    assert_eq!(status, 200, "{body}");
    (sub, authenticator)
}

both_backends!(passkey_registration_from_my_account, registration);

async fn registration(app: TestApp) {
    let sub = app.citizen("aziza").await;
    let browser = Browser::new(&app);
    let html = browser.open_account(&app, "aziza").await;
    assert!(html.contains("data-flow=\"register\""));
    let mut authenticator = SoftPasskey::new(true);
    let (status, body) = register(&browser, &mut authenticator, &browser.origin, " Laptop ").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["redirect"], "/account?message=added");

    let html = browser.page(&app.url("/account?message=added")).await;
    assert!(html.contains("The passkey was added."), "{html}");
    assert!(html.contains("value=\"Laptop\""), "the name is trimmed");
    assert!(html.contains("Kept on one device"));
    let stored = app
        .state
        .provider
        .store
        .passkeys_for_account(&sub)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].backup_eligible);

    // The same authenticator cannot register the same passkey twice (excludeCredentials).
    let html = browser.page(&app.url("/account")).await;
    let csrf = data_attr(&html, "csrf");
    let (_, started) = browser
        .post_json("/account/passkeys/register/start", &csrf, &json!({}))
        .await;
    let excluded = &started["options"]["publicKey"]["excludeCredentials"];
    assert_eq!(excluded.as_array().map(Vec::len), Some(1), "{started}");

    // Rename, then remove (the password remains, so removal is allowed).
    let id = yagona::crypto::b64url(&stored[0].credential_id);
    let renamed = browser
        .post_form(
            &format!("/account/passkeys/{id}/rename"),
            &[("csrf", &csrf), ("name", "Work laptop")],
        )
        .await;
    assert_eq!(
        browser.location(&renamed),
        app.url("/account?message=renamed")
    );
    assert!(
        browser
            .page(&app.url("/account"))
            .await
            .contains("value=\"Work laptop\"")
    );
    let removed = browser
        .post_form(
            &format!("/account/passkeys/{id}/delete"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(
        browser.location(&removed),
        app.url("/account?message=removed")
    );
    assert!(
        app.state
            .provider
            .store
            .passkeys_for_account(&sub)
            .await
            .unwrap()
            .is_empty()
    );
}

both_backends!(passwordless_sign_in_gives_passkey_acr, passwordless);

async fn passwordless(app: TestApp) {
    let (sub, mut authenticator) = citizen_with_passkey(&app, "aziza").await;
    let known = discoverable(&app, &sub).await;
    let browser = Browser::new(&app);
    let login = authorize_firstparty(&app, &browser, &[]).await;
    let html = browser.page(&login).await;
    assert!(html.contains("autocomplete=\"username webauthn\""));
    assert!(html.contains("<script src=\"/static/passkeys.js\" defer></script>"));
    let ((status, body), _) =
        passkey_sign_in(&browser, &mut authenticator, &login, "modal", Some(&known)).await;
    assert_eq!(status, 200, "{body}");
    let claims = claims_of(&app, body["redirect"].as_str().unwrap()).await;
    assert_eq!(claims["sub"], sub.as_str());
    assert_eq!(claims["acr"], PASSKEY_ACR);
    assert_eq!(claims["amr"], json!(["hwk", "user"]));
    let stored = app
        .state
        .provider
        .store
        .passkeys_for_account(&sub)
        .await
        .unwrap();
    assert!(stored[0].last_used_at.is_some(), "last use recorded");
}

both_backends!(
    password_then_passkey_for_acr_values,
    second_factor_for_acr_values
);

async fn second_factor_for_acr_values(app: TestApp) {
    let (sub, mut authenticator) = citizen_with_passkey(&app, "aziza").await;
    let browser = Browser::new(&app);
    let login = authorize_firstparty(&app, &browser, &[("acr_values", PASSKEY_ACR)]).await;
    assert!(
        browser
            .page(&login)
            .await
            .contains("This service asks you to sign in with a passkey.")
    );
    // The password alone does not finish: the same request comes back to the sign-in page,
    // now asking to confirm with the passkey.
    let next = browser.password(&login, "aziza").await;
    assert_eq!(next, login);
    let html = browser.page(&next).await;
    assert!(html.contains("data-flow=\"second_factor\""), "{html}");
    assert!(!html.contains("name=\"password\""));
    let ((status, body), _) =
        passkey_sign_in(&browser, &mut authenticator, &next, "second_factor", None).await;
    assert_eq!(status, 200, "{body}");
    let claims = claims_of(&app, body["redirect"].as_str().unwrap()).await;
    assert_eq!(claims["sub"], sub.as_str());
    assert_eq!(claims["acr"], PASSKEY_ACR);
    assert_eq!(claims["amr"], json!(["pwd", "hwk", "user", "mfa"]));
}

both_backends!(existing_password_session_steps_up, step_up);

async fn step_up(app: TestApp) {
    let (_, mut authenticator) = citizen_with_passkey(&app, "aziza").await;
    let browser = Browser::new(&app);
    let login = authorize_firstparty(&app, &browser, &[]).await;
    let redirect = browser.password(&login, "aziza").await;
    let claims = claims_of(&app, &redirect).await;
    assert_eq!(claims["acr"], "urn:yagona:acr:password");

    // The portal now asks for more: the existing session is confirmed, not replaced by a
    // new password sign-in.
    let login = authorize_firstparty(&app, &browser, &[("acr_values", PASSKEY_ACR)]).await;
    let html = browser.page(&login).await;
    assert!(html.contains("data-flow=\"second_factor\""), "{html}");
    let ((status, body), _) =
        passkey_sign_in(&browser, &mut authenticator, &login, "second_factor", None).await;
    assert_eq!(status, 200, "{body}");
    let claims = claims_of(&app, body["redirect"].as_str().unwrap()).await;
    assert_eq!(claims["acr"], PASSKEY_ACR);
    assert_eq!(claims["amr"], json!(["pwd", "hwk", "user", "mfa"]));

    // The stepped-up session now satisfies the passkey class without asking again.
    let mut params = code_params("firstparty", &[("acr_values", PASSKEY_ACR)]);
    params.push(("nonce", "n-2"));
    let again = browser.location(
        &browser
            .get(&with_query(&app.url("/authorize"), &params))
            .await,
    );
    assert!(again.starts_with(REDIRECT_URI), "{again}");
}

both_backends!(
    account_requiring_second_factor_needs_the_passkey,
    required_second_factor
);

async fn required_second_factor(app: TestApp) {
    let (sub, mut authenticator) = citizen_with_passkey(&app, "aziza").await;
    let provider = &app.state.provider;
    provider
        .store
        .set_require_second_factor(&sub, true, provider.now())
        .await
        .unwrap();
    let browser = Browser::new(&app);
    let login = authorize_firstparty(&app, &browser, &[]).await;
    let next = browser.password(&login, "aziza").await;
    assert_eq!(next, login, "a password alone never finishes");
    // Nor does the password session open "My account".
    let account = browser.location(&browser.get(&app.url("/account")).await);
    assert!(account.contains("client_id=yagona-account"), "{account}");
    let ((status, body), _) =
        passkey_sign_in(&browser, &mut authenticator, &next, "second_factor", None).await;
    assert_eq!(status, 200, "{body}");
    let claims = claims_of(&app, body["redirect"].as_str().unwrap()).await;
    assert_eq!(claims["amr"], json!(["pwd", "hwk", "user", "mfa"]));
}

both_backends!(replayed_passkey_response_is_refused, replay);

async fn replay(app: TestApp) {
    let (sub, mut authenticator) = citizen_with_passkey(&app, "aziza").await;
    let known = discoverable(&app, &sub).await;
    let browser = Browser::new(&app);
    let login = authorize_firstparty(&app, &browser, &[]).await;
    let ((status, _), body) =
        passkey_sign_in(&browser, &mut authenticator, &login, "modal", Some(&known)).await;
    assert_eq!(status, 200);

    // The same response again: its ceremony is spent.
    let attacker = Browser::new(&app);
    let login = authorize_firstparty(&app, &attacker, &[]).await;
    let attacker_html = attacker.page(&login).await;
    let attacker_csrf = data_attr(&attacker_html, "csrf");
    let mut replayed = body.clone();
    replayed["request"] = json!(data_attr(&attacker_html, "request"));
    let (status, refusal) = attacker
        .post_json("/passkeys/login/finish", &attacker_csrf, &replayed)
        .await;
    assert_eq!(status, 400, "{refusal}");
    assert_eq!(refusal["code"], "expired");

    // Sent as the answer to a fresh ceremony, it answers the wrong challenge.
    let (_, started) = attacker
        .post_json(
            "/passkeys/login/start",
            &attacker_csrf,
            &json!({ "request": replayed["request"], "mode": "modal" }),
        )
        .await;
    replayed["ceremony"] = started["ceremony"].clone();
    let (status, refusal) = attacker
        .post_json("/passkeys/login/finish", &attacker_csrf, &replayed)
        .await;
    assert_eq!(status, 400, "{refusal}");
    assert_eq!(refusal["code"], "rejected");
    assert!(
        refusal["error"].as_str().unwrap().contains("challenge"),
        "{refusal}"
    );
}

both_backends!(response_from_another_origin_is_refused, wrong_origin);

async fn wrong_origin(app: TestApp) {
    let sub = app.citizen("aziza").await;
    let browser = Browser::new(&app);
    browser.open_account(&app, "aziza").await;
    let mut authenticator = SoftPasskey::new(true);
    // Same host, another port: a different origin for WebAuthn.
    let phishing = Url::parse("http://localhost:1").unwrap();
    let (status, body) = register(&browser, &mut authenticator, &phishing, "x").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "rejected");
    assert!(body["error"].as_str().unwrap().contains("origin"), "{body}");
    assert!(
        app.state
            .provider
            .store
            .passkeys_for_account(&sub)
            .await
            .unwrap()
            .is_empty()
    );

    // A registered passkey answering from the other origin is refused too.
    let (status, _) = register(&browser, &mut authenticator, &browser.origin, "ok").await;
    assert_eq!(status, 200);
    let known = discoverable(&app, &sub).await;
    let other = Browser::new(&app);
    let login = authorize_firstparty(&app, &other, &[]).await;
    let html = other.page(&login).await;
    let csrf = data_attr(&html, "csrf");
    let request = data_attr(&html, "request");
    let (_, started) = other
        .post_json(
            "/passkeys/login/start",
            &csrf,
            &json!({ "request": request, "mode": "modal" }),
        )
        .await;
    let credential = answer(
        &mut authenticator,
        &phishing,
        &started["options"],
        Some(&known),
    );
    let body = json!({
        "request": request, "mode": "modal", "ceremony": started["ceremony"],
        "credential": credential,
    });
    let (status, refusal) = other
        .post_json("/passkeys/login/finish", &csrf, &body)
        .await;
    assert_eq!(status, 400, "{refusal}");
    assert_eq!(refusal["code"], "rejected");
}

both_backends!(bad_passkey_input_is_a_clear_400, bad_input);

async fn bad_input(app: TestApp) {
    let (sub, mut authenticator) = citizen_with_passkey(&app, "aziza").await;
    let known = discoverable(&app, &sub).await;
    let browser = Browser::new(&app);
    let login = authorize_firstparty(&app, &browser, &[]).await;
    let html = browser.page(&login).await;
    let csrf = data_attr(&html, "csrf");
    let finish = browser.origin.join("/passkeys/login/finish").unwrap();

    let malformed = browser
        .client
        .post(finish.clone())
        .header("x-csrf-token", &csrf)
        .header("content-type", "application/json")
        .body("{\"request\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    let body: Value = malformed.json().await.unwrap();
    assert_eq!(body["code"], "malformed");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .starts_with("malformed request")
    );

    let no_csrf = browser
        .client
        .post(finish.clone())
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_csrf.status(), 403);
    let other_site = browser
        .client
        .post(finish)
        .header("x-csrf-token", &csrf)
        .header("origin", "https://evil.example")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(other_site.status(), 403);

    let (status, body) = browser
        .post_json(
            "/passkeys/login/start",
            &csrf,
            &json!({ "request": "no-such-request", "mode": "modal" }),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (400, Some("expired")));

    // A credential the provider does not know (removed since) changes nothing.
    app.state
        .provider
        .store
        .remove_passkey(&sub, &known.credential_id, 0)
        .await
        .unwrap();
    let ((status, body), _) =
        passkey_sign_in(&browser, &mut authenticator, &login, "modal", Some(&known)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "unknown_credential");
    let session = browser.get(&app.url("/account")).await;
    assert_eq!(session.status(), 303, "still signed out");
}

both_backends!(removing_the_last_sign_in_method_is_refused, last_method);

async fn last_method(app: TestApp) {
    let provider = &app.state.provider;
    let now = provider.now();
    let account = Account {
        id: "passwordless-1".into(),
        username: Some("nodir".into()),
        email: None,
        email_verified: false,
        phone: None,
        phone_verified: false,
        pinfl: None,
        given_name: Some("Nodir".into()),
        family_name: None,
        middle_name: None,
        birthdate: None,
        password_hash: None,
        locale: None,
        disabled: false,
        created_at: now,
        updated_at: now,
    };
    provider.store.create_account(&account).await.unwrap();
    let session = provider
        .start_session(&account.id, &AuthContext::password())
        .await
        .unwrap();
    let browser = Browser::new(&app);
    browser.set_session(&session.cookie_value);
    browser.page(&app.url("/account")).await;
    let mut first = SoftPasskey::new(true);
    assert_eq!(
        register(&browser, &mut first, &browser.origin, "One")
            .await
            .0,
        200
    );

    let stored = provider
        .store
        .passkeys_for_account(&account.id)
        .await
        .unwrap();
    let id = yagona::crypto::b64url(&stored[0].credential_id);
    let html = browser.page(&app.url("/account")).await;
    let csrf = hidden_field(&html, "csrf");
    let refused = browser
        .post_form(
            &format!("/account/passkeys/{id}/delete"),
            &[("csrf", &csrf)],
        )
        .await;
    let explained = browser.page(&browser.location(&refused)).await;
    assert!(
        explained.contains("it is the only way to sign in to your account"),
        "{explained}"
    );
    assert_eq!(
        provider
            .store
            .passkeys_for_account(&account.id)
            .await
            .unwrap()
            .len(),
        1
    );

    // With a second passkey, the first can go.
    let mut second = SoftPasskey::new(true);
    assert_eq!(
        register(&browser, &mut second, &browser.origin, "Two")
            .await
            .0,
        200
    );
    let removed = browser
        .post_form(
            &format!("/account/passkeys/{id}/delete"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(
        browser.location(&removed),
        app.url("/account?message=removed")
    );
    let left = provider
        .store
        .passkeys_for_account(&account.id)
        .await
        .unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].name, "Two");
}
