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
}

impl AppState {
    pub fn new(
        provider: Provider,
        translator: Arc<Translator>,
        demo: Option<DemoPortal>,
        trust_forwarded_for: bool,
    ) -> Self {
        Self(Arc::new(Inner {
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
