//! State shared by every handler.

use std::ops::Deref;
use std::sync::Arc;

use super::demo::DemoPortal;
use crate::i18n::Translator;
use crate::oidc::Provider;

#[derive(Debug, Clone)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
pub struct Inner {
    pub provider: Provider,
    pub translator: Arc<Translator>,
    pub demo: Option<DemoPortal>,
    /// Use `X-Forwarded-For` for the client address (behind a trusted proxy only).
    pub trust_forwarded_for: bool,
    /// The discovery document and the JWKS, serialised once and served without copying.
    pub discovery_body: axum::body::Bytes,
    pub jwks_body: axum::body::Bytes,
}

impl AppState {
    pub fn new(
        provider: Provider,
        translator: Arc<Translator>,
        demo: Option<DemoPortal>,
        trust_forwarded_for: bool,
    ) -> Self {
        let discovery_body = axum::body::Bytes::from(provider.discovery_json.to_string());
        let jwks_body = axum::body::Bytes::from(provider.keys.jwks_json().to_owned());
        Self(Arc::new(Inner {
            discovery_body,
            jwks_body,
            provider,
            translator,
            demo,
            trust_forwarded_for,
        }))
    }
}

impl Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
