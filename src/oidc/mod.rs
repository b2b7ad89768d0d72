//! The OpenID Connect protocol, independent of HTTP: request validation, the sign-in flow's
//! decisions, grants, tokens and claims. Handlers in `crate::http` are thin adapters over this.

pub mod access_tokens;
pub mod authorize;
pub mod discovery;
pub mod error;
pub mod esign_login;
pub mod flow;
pub mod introspect;
pub mod logout;
pub mod passkeys;
pub mod pending;
pub mod pkce;
pub mod provider;
pub mod scope;
pub mod session;
pub mod token_endpoint;
pub mod tokens;
pub mod userinfo;

pub use error::{ErrorCode, OAuthError};
pub use provider::Provider;
