//! HTTP adapters: each handler parses the request, calls `crate::oidc` / `crate::auth`, and maps
//! the result to a response. No protocol decisions are made here.

mod account;
mod account_signin;
mod authorize;
mod consent;
mod cookies;
mod csrf;
mod demo;
mod discovery;
mod error;
mod esign;
mod extract;
mod login;
mod logout;
mod pages;
mod passkeys;
mod security;
mod state;
mod token;
mod userinfo;

use axum::Router;
use axum::routing::{get, post};

pub use account_signin::account_client;
pub use demo::DemoPortal;
/// The demo citizen's sign-in, printed by `yagona serve --demo`.
pub mod demo_credentials {
    pub use super::demo::{DEMO_PASSWORD, DEMO_USERNAME};
}
pub use state::AppState;

use crate::oidc::discovery::{
    AUTHORIZE_PATH, INTROSPECT_PATH, JWKS_PATH, LOGOUT_PATH, REVOKE_PATH, TOKEN_PATH, USERINFO_PATH,
};

/// Largest request body accepted anywhere (forms, token requests).
const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    let demo_enabled = state.demo.is_some();
    let mut router = Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(discovery::configuration),
        )
        .route(JWKS_PATH, get(discovery::jwks))
        .route(AUTHORIZE_PATH, get(authorize::get).post(authorize::post))
        .route("/login", get(login::show).post(login::submit))
        .route("/consent", get(consent::show).post(consent::submit))
        .route(TOKEN_PATH, post(token::token))
        .route(
            USERINFO_PATH,
            get(userinfo::userinfo).post(userinfo::userinfo),
        )
        .route(INTROSPECT_PATH, post(token::introspect))
        .route(REVOKE_PATH, post(token::revoke))
        .route(LOGOUT_PATH, get(logout::start).post(logout::start))
        .route("/logout/confirm", post(logout::confirm))
        .route("/account", get(account::show))
        .route("/account/callback", get(account_signin::callback))
        .route("/account/second-factor", post(account::set_second_factor))
        .route(
            "/account/passkeys/register/start",
            post(passkeys::register_start),
        )
        .route(
            "/account/passkeys/register/finish",
            post(passkeys::register_finish),
        )
        .route(
            "/account/passkeys/{id}/rename",
            post(account::rename_passkey),
        )
        .route(
            "/account/passkeys/{id}/delete",
            post(account::delete_passkey),
        )
        .route("/passkeys/login/start", post(passkeys::login_start))
        .route("/passkeys/login/finish", post(passkeys::login_finish))
        .route("/static/yagona.css", get(pages::stylesheet))
        .route("/static/passkeys.js", get(pages::passkeys_script))
        .route("/static/esign.js", get(pages::esign_script))
        .route("/login/esign", get(esign::show).post(esign::submit))
        .route("/health", get(|| async { "ok" }));
    if demo_enabled {
        router = router
            .route("/demo", get(demo::home))
            .route("/demo/start", get(demo::start))
            .route("/demo/callback", get(demo::callback));
    }
    security::layers(
        router.fallback(error::not_found).with_state(state),
        MAX_BODY_BYTES,
    )
}
