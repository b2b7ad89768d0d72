//! Integration tests: the real server on a random port, driven over HTTP, on SQLite and (when
//! `YAGONA_TEST_POSTGRES_URL` is set) PostgreSQL.

// Tests fail loudly by unwrapping.
#![allow(clippy::unwrap_used)]

mod helpers;

mod authorize_errors;
mod browser;
mod cdp;
mod code_flow;
mod esign;
mod import;
mod introspect_revoke;
mod logout;
mod pages;
mod passkeys;
mod refresh;
mod sessions;
mod startup;
mod tls;
mod token_errors;
mod userinfo;
