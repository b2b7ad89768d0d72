//! RP-Initiated Logout 1.0: with a valid `id_token_hint` the citizen is signed out and sent to
//! a registered `post_logout_redirect_uri` with `state`; otherwise the citizen confirms first.

#![allow(clippy::unwrap_used)] // A test fails loudly on anything unexpected.

use crate::both_backends;
use crate::helpers::{PASSWORD, REDIRECT_URI, TestApp, code_params, hidden_field, query};

const BYE: &str = "http://localhost:9/bye";

/// A citizen signed in through `portal` in the browser: their ID token and the value of the
/// session cookie (to check from outside the browser that the session really ended).
async fn signed_in(app: &TestApp) -> (String, String) {
    app.citizen("aziza").await;
    let first = app
        .browser
        .get(app.authorize_url(&code_params("portal", &[])))
        .send()
        .await
        .unwrap();
    let login = app.location(first).await;
    let response = app.submit_login(&login, "aziza", PASSWORD).await;
    let session = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("yagona_session="))
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_owned();
    let consent = app.location(response).await;
    let callback = app
        .location(app.submit_consent(&consent, "allow").await)
        .await;
    let code = query(&url::Url::parse(&callback).unwrap(), "code").expect("code");
    let tokens = app.tokens("portal", &code, None).await;
    (tokens["id_token"].as_str().unwrap().to_owned(), session)
}

/// Whether the session with this cookie value is still alive: a silent authorization
/// (`prompt=none`) sent with only that cookie returns a code.
async fn session_alive(app: &TestApp, session: &str) -> bool {
    let response = app
        .http
        .get(app.authorize_url(&code_params("portal", &[("prompt", "none")])))
        .header("cookie", format!("yagona_session={session}"))
        .send()
        .await
        .unwrap();
    let location = url::Url::parse(&app.location(response).await).unwrap();
    assert!(location.as_str().starts_with(REDIRECT_URI), "{location}");
    match query(&location, "error").as_deref() {
        None => true,
        Some("login_required") => false,
        Some(other) => panic!("unexpected error {other}"),
    }
}

both_backends!(logout_with_hint_redirects_with_state, logout_with_hint);

async fn logout_with_hint(app: TestApp) {
    let (id_token, session) = signed_in(&app).await;
    assert!(session_alive(&app, &session).await);
    // The hint may have expired (RP-Initiated Logout §2).
    app.clock
        .advance(app.state.provider.lifetimes.id_token + 60);
    let url = crate::helpers::with_query(
        &app.url("/logout"),
        &[
            ("id_token_hint", id_token.as_str()),
            ("post_logout_redirect_uri", BYE),
            ("state", "bye-state"),
        ],
    );
    let response = app.browser.get(url).send().await.unwrap();
    let cleared = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with("yagona_session=;") && v.contains("Max-Age=0"));
    assert!(cleared, "the session cookie is cleared");
    let location = url::Url::parse(&app.location(response).await).unwrap();
    assert!(location.as_str().starts_with(BYE), "{location}");
    assert_eq!(query(&location, "state").as_deref(), Some("bye-state"));

    assert!(
        !session_alive(&app, &session).await,
        "session ended on the server"
    );
    let next = app
        .location(
            app.browser
                .get(app.authorize_url(&code_params("portal", &[])))
                .send()
                .await
                .unwrap(),
        )
        .await;
    assert!(next.starts_with(&app.url("/login?request=")), "{next}");
}

both_backends!(
    unregistered_post_logout_redirect_uri_is_refused,
    unregistered_uri
);

async fn unregistered_uri(app: TestApp) {
    let (id_token, session) = signed_in(&app).await;
    for uri in ["https://evil.example/", REDIRECT_URI] {
        let url = crate::helpers::with_query(
            &app.url("/logout"),
            &[
                ("id_token_hint", id_token.as_str()),
                ("post_logout_redirect_uri", uri),
            ],
        );
        let response = app.browser.get(url).send().await.unwrap();
        assert_eq!(response.status(), 400, "{uri}");
        assert!(response.headers().get("location").is_none());
        let html = response.text().await.unwrap();
        assert!(html.contains("<html"), "an error page");
    }
    // Nobody was signed out.
    assert!(session_alive(&app, &session).await);

    // A hint issued to another client than the client_id named is refused too.
    let url = crate::helpers::with_query(
        &app.url("/logout"),
        &[
            ("id_token_hint", id_token.as_str()),
            ("client_id", "otherportal"),
        ],
    );
    assert_eq!(app.browser.get(url).send().await.unwrap().status(), 400);
    let forged = crate::helpers::with_query(
        &app.url("/logout"),
        &[("id_token_hint", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")],
    );
    assert_eq!(app.browser.get(forged).send().await.unwrap().status(), 400);
    assert!(session_alive(&app, &session).await);
}

/// Opens `/logout` with `params` and returns the confirmation form's fields.
async fn confirmation_form(app: &TestApp, params: &[(&str, &str)]) -> Vec<(String, String)> {
    let url = crate::helpers::with_query(&app.url("/logout"), params);
    let response = app.browser.get(url).send().await.unwrap();
    assert_eq!(response.status(), 200, "a confirmation page");
    let html = response.text().await.unwrap();
    assert!(html.contains("action=\"/logout/confirm\""), "{html}");
    let mut fields = vec![("csrf".to_owned(), hidden_field(&html, "csrf"))];
    for (name, _) in params {
        fields.push(((*name).to_owned(), hidden_field(&html, name)));
    }
    fields
}

both_backends!(logout_without_hint_asks_for_confirmation, confirmed_logout);

async fn confirmed_logout(app: TestApp) {
    let (_, session) = signed_in(&app).await;
    let fields = confirmation_form(&app, &[]).await;
    assert!(session_alive(&app, &session).await, "not yet signed out");
    let mut form = fields.clone();
    form.push(("decision".into(), "logout".into()));
    let response = app
        .browser
        .post(app.url("/logout/confirm"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "the signed-out page");
    assert!(!session_alive(&app, &session).await);
}

both_backends!(
    confirmed_logout_returns_to_the_client,
    confirmed_logout_redirect
);

async fn confirmed_logout_redirect(app: TestApp) {
    let (_, session) = signed_in(&app).await;
    let params = [
        ("client_id", "portal"),
        ("post_logout_redirect_uri", BYE),
        ("state", "s-1"),
    ];
    let mut form = confirmation_form(&app, &params).await;
    form.push(("decision".into(), "logout".into()));
    let response = app
        .browser
        .post(app.url("/logout/confirm"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let location = url::Url::parse(&app.location(response).await).unwrap();
    assert!(location.as_str().starts_with(BYE), "{location}");
    assert_eq!(query(&location, "state").as_deref(), Some("s-1"));
    assert!(!session_alive(&app, &session).await);
}

both_backends!(logout_confirmation_needs_csrf, confirm_without_csrf);

async fn confirm_without_csrf(app: TestApp) {
    let (_, session) = signed_in(&app).await;
    confirmation_form(&app, &[]).await;
    for csrf in [None, Some("forged-forged-forged-forged-forged-forged-123")] {
        let mut form = vec![("decision", "logout")];
        form.extend(csrf.map(|c| ("csrf", c)));
        let response = app
            .browser
            .post(app.url("/logout/confirm"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "csrf {csrf:?}");
    }
    assert!(session_alive(&app, &session).await, "still signed in");
}
