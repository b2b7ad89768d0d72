//! OpenID Provider Metadata (OIDC Discovery 1.0 §3, RFC 8414, RFC 9207 §3): only what the
//! provider really supports.

use serde_json::json;

use crate::auth::login::acr;
use crate::keys::KeyRing;

pub const AUTHORIZE_PATH: &str = "/authorize";
pub const TOKEN_PATH: &str = "/token";
pub const USERINFO_PATH: &str = "/userinfo";
pub const JWKS_PATH: &str = "/jwks";
pub const INTROSPECT_PATH: &str = "/introspect";
pub const REVOKE_PATH: &str = "/revoke";
pub const LOGOUT_PATH: &str = "/logout";

pub const CLAIMS_SUPPORTED: [&str; 21] = [
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "azp",
    "at_hash",
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "preferred_username",
    "birthdate",
    "locale",
    "updated_at",
    "email",
    "email_verified",
];

pub fn document(issuer: &str, keys: &KeyRing) -> String {
    let endpoint = |path: &str| format!("{issuer}{path}");
    let mut claims: Vec<&str> = CLAIMS_SUPPORTED.to_vec();
    claims.extend([
        "phone_number",
        "phone_number_verified",
        "pinfl",
        "organization",
    ]);
    let algs: Vec<&str> = keys.algs().iter().map(|a| a.as_str()).collect();
    let client_auth = [
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
        "none",
    ];
    let assertion_algs = ["RS256", "PS256", "ES256"];
    json!({
        "issuer": issuer,
        "authorization_endpoint": endpoint(AUTHORIZE_PATH),
        "token_endpoint": endpoint(TOKEN_PATH),
        "userinfo_endpoint": endpoint(USERINFO_PATH),
        "jwks_uri": endpoint(JWKS_PATH),
        "introspection_endpoint": endpoint(INTROSPECT_PATH),
        "revocation_endpoint": endpoint(REVOKE_PATH),
        "end_session_endpoint": endpoint(LOGOUT_PATH),
        "scopes_supported": ["openid", "profile", "email", "phone", "pinfl", "organization", "offline_access"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": algs,
        "token_endpoint_auth_methods_supported": client_auth,
        "token_endpoint_auth_signing_alg_values_supported": assertion_algs,
        "introspection_endpoint_auth_methods_supported": &client_auth[..3],
        "introspection_endpoint_auth_signing_alg_values_supported": assertion_algs,
        "revocation_endpoint_auth_methods_supported": client_auth,
        "revocation_endpoint_auth_signing_alg_values_supported": assertion_algs,
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": claims,
        "acr_values_supported": acr::LADDER,
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "ui_locales_supported": ["uz", "uz-Cyrl", "ru", "en"],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "require_request_uri_registration": false,
        "authorization_response_iss_parameter_supported": true,
        "frontchannel_logout_supported": false,
        "backchannel_logout_supported": false,
    })
    .to_string()
}
