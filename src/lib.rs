//! Yagona ID: a single sign-on OpenID Connect provider.
//!
//! `App` builds everything from a `Config`; `http` adapts requests to the protocol logic in
//! `oidc` and `auth`; `store` hides SQLite and PostgreSQL behind narrow traits.

#![forbid(unsafe_code)]

pub mod app;
pub mod auth;
pub mod cli;
pub mod clients;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod esign;
pub mod http;
pub mod i18n;
pub mod import;
pub mod keys;
pub mod oidc;
pub mod pages;
pub mod store;

pub use app::{App, AppOptions};
pub use config::Config;
