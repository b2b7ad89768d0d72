//! Server-rendered pages: one askama template struct (view-model) per page.
//!
//! Templates live in `templates/`; `base.html` is the shared layout. Every value is
//! HTML-escaped by askama, pages contain no inline script and no inline style (the provider's
//! CSP forbids both; the passkey pages load `/static/passkeys.js`, passing it texts through
//! `data-` attributes), and every text comes from the Fluent translations through [`Tr`].
//! Handlers build a struct and call [`askama::Template::render`] (or [`render_page`]).

use std::sync::Arc;

use askama::Template;

use crate::i18n::{Locale, Translator};

/// The translator plus the locale of the page being rendered, as templates see it.
#[derive(Debug, Clone)]
pub struct Tr {
    /// The shared translations.
    pub translator: Arc<Translator>,
    /// The language of this page.
    pub locale: Locale,
}

impl Tr {
    /// The message `id` in this page's language: `{{ tr.t("login-title") }}`.
    pub fn t(&self, id: &str) -> String {
        self.translator.text(self.locale, id)
    }

    /// The message `id` with one argument: `{{ tr.t_arg("login-intro", "client", client_name) }}`.
    pub fn t_arg(&self, id: &str, name: &str, value: &str) -> String {
        self.translator.text_with(self.locale, id, &[(name, value)])
    }
}

/// One entry of the language switcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LangLink {
    /// The locale's BCP 47 tag (`lang`/`hreflang` of the link).
    pub tag: &'static str,
    /// The language's name in itself.
    pub label: &'static str,
    /// Where the link goes (usually the same page in that language).
    pub href: String,
    /// Whether this is the page's current language (rendered with `aria-current`).
    pub current: bool,
}

/// The language switcher for a page in `current`, with one link per [`Locale::ALL`] entry
/// whose target `href_for` builds (for example with [`href_with_lang`]).
pub fn lang_links(current: Locale, href_for: impl Fn(Locale) -> String) -> Vec<LangLink> {
    Locale::ALL
        .into_iter()
        .map(|locale| LangLink {
            tag: locale.tag(),
            label: locale.native_name(),
            href: href_for(locale),
            current: locale == current,
        })
        .collect()
}

/// `path_and_query` with its `lang` query parameter set to `locale` (replacing any existing
/// one, keeping the other parameters): `href_with_lang("/login?request=abc", Locale::Ru)` is
/// `/login?request=abc&lang=ru`. Meant for same-site relative links.
pub fn href_with_lang(path_and_query: &str, locale: Locale) -> String {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if name != "lang" {
            serializer.append_pair(&name, &value);
        }
    }
    serializer.append_pair("lang", locale.tag());
    format!("{path}?{}", serializer.finish())
}

/// Renders any page; the same as calling [`Template::render`] on it.
pub fn render_page<T: Template>(page: &T) -> Result<String, askama::Error> {
    page.render()
}

/// The password sign-in form (`POST /login`).
#[derive(Debug, Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub tr: Tr,
    pub lang_links: Vec<LangLink>,
    /// Opaque handle of the pending authorization request (hidden field `request`).
    pub request: String,
    /// Anti-forgery token (hidden field `csrf`).
    pub csrf: String,
    /// The portal the citizen is signing in to.
    pub client_name: String,
    /// Prefill of the `login` field (OIDC `login_hint` or the previous attempt).
    pub login_hint: String,
    /// An already-translated error message, shown above the form.
    pub error: Option<String>,
    /// Offer passkey sign-in: the "Sign in with a passkey" button, the browser's passkey
    /// autofill on the login field, and the script (`/static/passkeys.js`).
    pub passkeys: bool,
    /// Show "confirm with your passkey" (the second step after a password) instead of the
    /// password form.
    pub second_factor: bool,
    /// The portal asks for the passkey class: say so above the form.
    pub passkey_required: bool,
    /// Link to e-signature sign-in for the same request, when it is enabled.
    pub esign_href: Option<String>,
}

/// One requested permission on the consent page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeLine {
    /// The OAuth scope value, e.g. `email`.
    pub scope: String,
    /// What the scope gives the portal, already translated (`scope-…` messages).
    pub description: String,
}

/// The consent form (`POST /consent`, `decision=allow|deny`).
#[derive(Debug, Template)]
#[template(path = "consent.html")]
pub struct ConsentPage {
    pub tr: Tr,
    pub lang_links: Vec<LangLink>,
    /// Opaque handle of the pending authorization request (hidden field `request`).
    pub request: String,
    /// Anti-forgery token (hidden field `csrf`).
    pub csrf: String,
    /// The portal asking for the details.
    pub client_name: String,
    /// The permissions requested, in display order.
    pub scopes: Vec<ScopeLine>,
    /// Who is signed in (display name, username or masked identifier).
    pub account_label: String,
}

/// A friendly error page; `title` and `message` are already translated.
#[derive(Debug, Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub tr: Tr,
    pub lang_links: Vec<LangLink>,
    pub title: String,
    pub message: String,
    /// A technical code such as `invalid_request`, shown small for support staff.
    pub code: Option<String>,
}

/// "Do you want to sign out?" (`POST /logout/confirm`, `decision=logout|cancel`).
#[derive(Debug, Template)]
#[template(path = "logout_confirm.html")]
pub struct LogoutConfirmPage {
    pub tr: Tr,
    pub lang_links: Vec<LangLink>,
    /// Anti-forgery token (hidden field `csrf`).
    pub csrf: String,
    /// The portal that asked for the sign-out, if known.
    pub client_name: Option<String>,
    /// Extra hidden fields carried over to the confirmation, as `(name, value)`.
    pub hidden: Vec<(String, String)>,
}

/// "You have been signed out".
#[derive(Debug, Template)]
#[template(path = "signed_out.html")]
pub struct SignedOutPage {
    pub tr: Tr,
    pub lang_links: Vec<LangLink>,
}

/// Home of the built-in demo agency portal (a relying party served by the provider).
#[derive(Debug, Template)]
#[template(path = "demo_home.html")]
pub struct DemoHomePage {
    pub tr: Tr,
    pub lang_links: Vec<LangLink>,
    /// Where "Sign in with Yagona ID" starts the authorization request.
    pub start_href: String,
}

/// What the demo portal received after signing in.
#[derive(Debug, Template)]
#[template(path = "demo_result.html")]
pub struct DemoResultPage {
    pub tr: Tr,
    pub lang_links: Vec<LangLink>,
    /// The verified ID token claims, pretty-printed JSON.
    pub id_token_claims: String,
    /// The UserInfo response, pretty-printed JSON.
    pub userinfo: String,
    /// Where the sign-out link goes (RP-initiated logout).
    pub logout_href: String,
}

/// The citizen's own account page.
#[derive(Debug, Template)]
#[template(path = "account_home.html")]
pub struct AccountHomePage {
    pub tr: Tr,
    pub lang_links: Vec<LangLink>,
    /// Anti-forgery token for the sign-out form.
    pub csrf: String,
    pub display_name: String,
    pub username: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The PINFL with most digits hidden.
    pub pinfl_masked: Option<String>,
    /// Show the passkey section (and load `/static/passkeys.js`).
    pub passkeys_enabled: bool,
    /// The citizen's passkeys, oldest first.
    pub passkeys: Vec<PasskeyLine>,
    /// A password alone is not enough for this account.
    pub require_second_factor: bool,
    /// An already-translated confirmation (after renaming, removing, …).
    pub notice: Option<String>,
    /// An already-translated refusal (e.g. removing the last way to sign in).
    pub error: Option<String>,
}

/// One passkey on the account page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyLine {
    /// The credential id, base64url (used in the rename and remove form actions).
    pub id: String,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub created: String,
    /// `YYYY-MM-DD`, `None` when never used.
    pub last_used: Option<String>,
    /// The passkey may be synced between devices (backup eligible); else device-bound.
    pub synced: bool,
}

#[cfg(test)]
mod tests;

/// E-signature sign-in (`/login/esign`): the challenge to sign, the E-IMZO app through
/// `/static/esign.js` when it is installed, and a form to paste a signature made by any tool.
#[derive(Debug, Template)]
#[template(path = "esign.html")]
pub struct EsignPage {
    pub tr: Tr,
    pub lang_links: Vec<LangLink>,
    pub request: String,
    pub csrf: String,
    pub client_name: String,
    /// The text to sign (also read by the script from `data-challenge`).
    pub challenge: String,
    /// Seconds the challenge stays valid.
    pub ttl: i64,
    pub error: Option<String>,
    /// Back to the password page of the same request.
    pub password_href: String,
}
