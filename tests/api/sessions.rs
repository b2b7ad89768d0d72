//! SSO sessions, the sign-in page and consent: when a session is reused and when the citizen
//! must sign in again (OIDC Core §3.1.2.1 `prompt`, `max_age`), what a failed sign-in shows,
//! throttling, CSRF, cookie flags, and remembered or refused consent.

#![allow(clippy::unwrap_used)] // A test fails loudly on anything unexpected.

use yagona::crypto::token_hash;

use crate::both_backends;
use crate::helpers::{
    PASSWORD, REDIRECT_URI, STATE, TestApp, code_params, error_summary, hidden_field, jwt_part,
    query,
};

/// GETs an authorization URL and returns where it sends the browser.
async fn first_step(app: &TestApp, params: &[(&str, &str)]) -> String {
    let response = app
        .browser
        .get(app.authorize_url(params))
        .send()
        .await
        .unwrap();
    app.location(response).await
}

/// Redirects to the sign-in page for a fresh request, as `/login?request=…`.
async fn login_page_url(app: &TestApp) -> String {
    let next = first_step(app, &code_params("portal", &[])).await;
    assert!(next.starts_with(&app.url("/login?request=")), "{next}");
    next
}

/// Submits the sign-in form and returns the (200) page that came back.
async fn failed_login(app: &TestApp, login_url: &str, login: &str, password: &str) -> String {
    let response = app.submit_login(login_url, login, password).await;
    assert_eq!(
        response.status(),
        200,
        "a failed sign-in shows the form again"
    );
    let html = response.text().await.unwrap();
    assert!(
        html.contains("name=\"password\""),
        "the form is shown again"
    );
    html
}

both_backends!(prompt_login_forces_sign_in_with_a_session, prompt_login);

async fn prompt_login(app: TestApp) {
    app.citizen("aziza").await;
    app.code(&code_params("portal", &[]), "aziza").await;
    // The session and the consent are reused: straight back with a code.
    let again = first_step(&app, &code_params("portal", &[])).await;
    assert!(again.starts_with(REDIRECT_URI), "{again}");
    assert!(again.contains("code="), "{again}");
    // prompt=login ignores the session.
    let forced = first_step(&app, &code_params("portal", &[("prompt", "login")])).await;
    assert!(forced.starts_with(&app.url("/login?request=")), "{forced}");
    let after = app
        .location(app.submit_login(&forced, "aziza", PASSWORD).await)
        .await;
    assert!(
        after.starts_with(REDIRECT_URI),
        "no second consent: {after}"
    );
}

both_backends!(max_age_forces_a_fresh_sign_in, max_age);

async fn max_age(app: TestApp) {
    app.citizen("aziza").await;
    let first_code = app.code(&code_params("portal", &[]), "aziza").await;
    let first = app.tokens("portal", &first_code, None).await;
    let first_auth_time = jwt_part(first["id_token"].as_str().unwrap(), 1)["auth_time"]
        .as_i64()
        .unwrap();

    // Within max_age the session is good enough.
    let recent = first_step(&app, &code_params("portal", &[("max_age", "60")])).await;
    assert!(recent.starts_with(REDIRECT_URI), "{recent}");

    app.clock.advance(30);
    let stale = first_step(&app, &code_params("portal", &[("max_age", "0")])).await;
    assert!(stale.starts_with(&app.url("/login?request=")), "{stale}");
    let callback = app
        .location(app.submit_login(&stale, "aziza", PASSWORD).await)
        .await;
    let callback = url::Url::parse(&callback).unwrap();
    let code = query(&callback, "code").expect("code after the fresh sign-in");
    let second = app.tokens("portal", &code, None).await;
    let second_auth_time = jwt_part(second["id_token"].as_str().unwrap(), 1)["auth_time"]
        .as_i64()
        .unwrap();
    assert!(
        second_auth_time >= first_auth_time + 30,
        "auth_time {second_auth_time} must be the new sign-in, after {first_auth_time}"
    );
}

both_backends!(first_party_client_skips_consent, first_party);

async fn first_party(app: TestApp) {
    app.citizen("aziza").await;
    let login = first_step(
        &app,
        &code_params("firstparty", &[("scope", "openid profile")]),
    )
    .await;
    let next = app
        .location(app.submit_login(&login, "aziza", PASSWORD).await)
        .await;
    assert!(next.starts_with(REDIRECT_URI), "no consent page: {next}");
    assert!(next.contains("code="), "{next}");
}

both_backends!(consent_is_remembered_per_scope, consent_remembered);

async fn consent_remembered(app: TestApp) {
    app.citizen("aziza").await;
    let profile = code_params("portal", &[("scope", "openid profile")]);
    app.code(&profile, "aziza").await;
    let again = first_step(&app, &profile).await;
    assert!(
        again.starts_with(REDIRECT_URI),
        "consent remembered: {again}"
    );
    // A narrower request is covered by the earlier consent ...
    let narrower = first_step(&app, &code_params("portal", &[])).await;
    assert!(narrower.starts_with(REDIRECT_URI), "{narrower}");
    // ... a wider one, or prompt=consent, asks again.
    let wider = first_step(&app, &code_params("portal", &[("scope", "openid email")])).await;
    assert!(wider.starts_with(&app.url("/consent?request=")), "{wider}");
    let forced = first_step(&app, &code_params("portal", &[("prompt", "consent")])).await;
    assert!(
        forced.starts_with(&app.url("/consent?request=")),
        "{forced}"
    );
}

both_backends!(consent_page_names_the_citizen, consent_page_names);

async fn consent_page_names(app: TestApp) {
    let sub = app.citizen("aziza").await;
    let login = first_step(&app, &code_params("portal", &[])).await;
    let consent = app
        .location(app.submit_login(&login, "aziza", PASSWORD).await)
        .await;
    let page = app.page(&consent).await;
    assert!(page.contains("Aziza Yusupova"), "{page}");
    // The page took the account the sign-in had just read; the node's copy has no password
    // hash.
    let remembered = app.state.provider.recent_account(&sub).await.unwrap();
    let remembered = remembered.expect("the account is remembered");
    assert_eq!(remembered.given_name.as_deref(), Some("Aziza"));
    assert!(remembered.password_hash.is_none());
}

both_backends!(denied_consent_redirects_access_denied, denied_consent);

async fn denied_consent(app: TestApp) {
    app.citizen("aziza").await;
    let login = first_step(&app, &code_params("portal", &[])).await;
    let consent = app
        .location(app.submit_login(&login, "aziza", PASSWORD).await)
        .await;
    let denied = app
        .location(app.submit_consent(&consent, "deny").await)
        .await;
    let denied = url::Url::parse(&denied).unwrap();
    assert!(denied.as_str().starts_with(REDIRECT_URI), "{denied}");
    assert_eq!(query(&denied, "error").as_deref(), Some("access_denied"));
    assert_eq!(query(&denied, "state").as_deref(), Some(STATE));
    assert_eq!(query(&denied, "iss").as_deref(), Some(app.base.as_str()));
    assert!(query(&denied, "code").is_none());
    // Nothing was remembered: the next request asks again.
    let again = first_step(&app, &code_params("portal", &[])).await;
    assert!(again.starts_with(&app.url("/consent?request=")), "{again}");
}

both_backends!(
    a_request_ended_on_another_node_yields_no_code,
    ended_elsewhere
);

/// This node keeps the pending request it saved; when another node ends it (here: straight in
/// the shared database), the copy still shows the consent page but can no longer get a code.
async fn ended_elsewhere(app: TestApp) {
    app.citizen("aziza").await;
    let login = first_step(&app, &code_params("portal", &[])).await;
    let consent = app
        .location(app.submit_login(&login, "aziza", PASSWORD).await)
        .await;
    let handle = query(&url::Url::parse(&consent).unwrap(), "request").unwrap();
    let store = &app.state.provider.store;
    assert!(store.take_auth_request(&token_hash(&handle)).await.unwrap());
    let response = app.submit_consent(&consent, "allow").await;
    assert_eq!(response.status(), 400);
    assert!(response.headers().get("location").is_none());
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("already been completed"),
        "the page says why"
    );
}

both_backends!(wrong_password_and_unknown_user_look_the_same, same_failure);

async fn same_failure(app: TestApp) {
    app.citizen("aziza").await;
    let login = login_page_url(&app).await;
    let wrong_password = failed_login(&app, &login, "aziza", "not-the-password").await;
    let unknown_user = failed_login(&app, &login, "nobody-here", PASSWORD).await;
    let wrong_message = error_summary(&wrong_password).expect("error shown");
    let unknown_message = error_summary(&unknown_user).expect("error shown");
    assert!(!wrong_message.is_empty());
    assert_eq!(wrong_message, unknown_message);
    // The typed login is kept, the password is not echoed.
    assert!(unknown_user.contains("value=\"nobody-here\""));
    assert!(!unknown_user.contains(PASSWORD));
}

both_backends!(failed_sign_ins_are_throttled, throttling);

async fn throttling(app: TestApp) {
    app.citizen("aziza").await;
    let login = login_page_url(&app).await;
    let failed = failed_login(&app, &login, "aziza", "wrong-1").await;
    let failed_message = error_summary(&failed).unwrap();
    // Default policy: five free failures.
    for attempt in 2..=5 {
        let html = failed_login(&app, &login, "aziza", &format!("wrong-{attempt}")).await;
        assert_eq!(
            error_summary(&html).unwrap(),
            failed_message,
            "attempt {attempt}"
        );
    }
    // Now even the right password is refused, with another message.
    let throttled = failed_login(&app, &login, "aziza", PASSWORD).await;
    let throttled_message = error_summary(&throttled).unwrap();
    assert_ne!(throttled_message, failed_message);
    // Throttling is per typed login and reveals nothing: an unknown login is free.
    let other = failed_login(&app, &login, "nobody-here", "wrong").await;
    assert_eq!(error_summary(&other).unwrap(), failed_message);

    app.clock.advance(120);
    let response = app.submit_login(&login, "aziza", PASSWORD).await;
    let next = app.location(response).await;
    assert!(next.starts_with(&app.url("/consent?request=")), "{next}");
}

both_backends!(login_without_csrf_is_forbidden, login_csrf);

async fn login_csrf(app: TestApp) {
    app.citizen("aziza").await;
    let login = login_page_url(&app).await;
    let html = app.page(&login).await;
    let request = hidden_field(&html, "request");
    for csrf in [None, Some("forged-token-forged-token-forged-token-1234")] {
        let mut form = vec![
            ("request", request.as_str()),
            ("login", "aziza"),
            ("password", PASSWORD),
        ];
        form.extend(csrf.map(|c| ("csrf", c)));
        let response = app
            .browser
            .post(app.url("/login"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "csrf {csrf:?}");
        assert!(response.headers().get("set-cookie").is_none());
    }
    // A form posted from another origin is refused even with the right token.
    let response = app
        .browser
        .post(app.url("/login"))
        .header("origin", "https://evil.example")
        .form(&[
            ("request", request.as_str()),
            ("csrf", hidden_field(&html, "csrf").as_str()),
            ("login", "aziza"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

both_backends!(session_cookie_is_httponly_and_lax, session_cookie_flags);

async fn session_cookie_flags(app: TestApp) {
    app.citizen("aziza").await;
    let login = login_page_url(&app).await;
    let page = app.browser.get(&login).send().await.unwrap();
    let csrf_cookie = set_cookie(&page, "yagona_csrf").expect("CSRF cookie");
    assert_cookie_flags(&csrf_cookie);

    let response = app.submit_login(&login, "aziza", PASSWORD).await;
    assert_eq!(response.status(), 303);
    let session = set_cookie(&response, "yagona_session").expect("session cookie");
    assert_cookie_flags(&session);
    assert!(session.contains("Path=/"), "{session}");
    assert!(!session.contains("Domain="), "{session}");
}

fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn assert_cookie_flags(cookie: &str) {
    let attributes: Vec<String> = cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    assert!(attributes.iter().any(|a| a == "httponly"), "{cookie}");
    assert!(attributes.iter().any(|a| a == "samesite=lax"), "{cookie}");
}

both_backends!(
    a_session_ended_on_another_node_issues_no_code,
    session_ended_elsewhere
);

/// This node keeps a copy of the sessions it opened, for the authorization flow. Another
/// node's logout deletes the session from the database only: neither the consent form nor a
/// new authorization here may issue a code from the copy; both go back to the sign-in page.
async fn session_ended_elsewhere(app: TestApp) {
    app.citizen("aziza").await;
    let store = &app.state.provider.store;
    let login = login_page_url(&app).await;
    let (session, consent) = sign_in(&app, &login).await;
    assert!(
        consent.starts_with(&app.url("/consent?request=")),
        "{consent}"
    );

    store.delete_session(&session).await.unwrap();
    let refused = app.submit_consent(&consent, "allow").await;
    let next = app.location(refused).await;
    let handle = query(&url::Url::parse(&consent).unwrap(), "request").unwrap();
    assert_eq!(next, app.url(&format!("/login?request={handle}")));
    // The request waits for the new sign-in, which ends in a code.
    let (session, consent) = sign_in(&app, &next).await;
    let callback = app
        .location(app.submit_consent(&consent, "allow").await)
        .await;
    assert!(callback.starts_with(REDIRECT_URI), "{callback}");
    assert!(callback.contains("code="), "{callback}");

    // The new session is reused while it lives, then ended elsewhere.
    let again = first_step(&app, &code_params("portal", &[])).await;
    assert!(again.contains("code="), "{again}");
    store.delete_session(&session).await.unwrap();
    let next = first_step(&app, &code_params("portal", &[])).await;
    assert!(next.starts_with(&app.url("/login?request=")), "{next}");
}

/// Signs in as aziza on the sign-in page at `login`: the new session's id hash, and where the
/// browser goes next.
async fn sign_in(app: &TestApp, login: &str) -> (Vec<u8>, String) {
    let response = app.submit_login(login, "aziza", PASSWORD).await;
    let cookie = set_cookie(&response, "yagona_session").expect("session cookie");
    let (_, value) = cookie.split(';').next().unwrap().split_once('=').unwrap();
    (token_hash(value), app.location(response).await)
}

both_backends!(
    a_pending_request_continues_on_a_node_that_did_not_save_it,
    pending_request_from_the_database
);

/// The node that saves a pending request keeps a copy; any other node reads it from the
/// database. Without the copy, the sign-in page and the whole flow still work.
async fn pending_request_from_the_database(app: TestApp) {
    app.citizen("aziza").await;
    let login = login_page_url(&app).await;
    app.state.provider.pending_requests.clear();
    let (_, consent) = sign_in(&app, &login).await;
    app.state.provider.pending_requests.clear();
    let callback = app
        .location(app.submit_consent(&consent, "allow").await)
        .await;
    assert!(callback.starts_with(REDIRECT_URI), "{callback}");
    assert!(callback.contains("code="), "{callback}");
}
