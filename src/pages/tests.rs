//! Rendering tests for every page: all locales, escaping, and the CSP rules.

#![allow(clippy::unwrap_used)]

use super::*;

const HOSTILE: &str = "<script>alert(\"x\")</script>";

fn tr(locale: Locale) -> Tr {
    Tr {
        translator: Arc::new(Translator::new()),
        locale,
    }
}

fn links(locale: Locale) -> Vec<LangLink> {
    lang_links(locale, |l| href_with_lang("/login?request=r1", l))
}

/// Every page, filled with `text` wherever a caller-provided string goes.
fn all_pages(locale: Locale, text: &str) -> Vec<(&'static str, String)> {
    let s = || text.to_owned();
    let rendered = [
        (
            "login",
            LoginPage {
                tr: tr(locale),
                lang_links: links(locale),
                request: s(),
                csrf: s(),
                client_name: s(),
                login_hint: s(),
                error: Some(s()),
                passkeys: true,
                second_factor: false,
                passkey_required: true,
                esign_href: None,
            }
            .render(),
        ),
        (
            "login_second_factor",
            LoginPage {
                tr: tr(locale),
                lang_links: links(locale),
                request: s(),
                csrf: s(),
                client_name: s(),
                login_hint: s(),
                error: Some(s()),
                passkeys: true,
                second_factor: true,
                passkey_required: true,
                esign_href: None,
            }
            .render(),
        ),
        (
            "consent",
            ConsentPage {
                tr: tr(locale),
                lang_links: links(locale),
                request: s(),
                csrf: s(),
                client_name: s(),
                scopes: vec![ScopeLine {
                    scope: s(),
                    description: s(),
                }],
                account_label: s(),
            }
            .render(),
        ),
        (
            "error",
            ErrorPage {
                tr: tr(locale),
                lang_links: links(locale),
                title: s(),
                message: s(),
                code: Some(s()),
            }
            .render(),
        ),
        (
            "logout_confirm",
            LogoutConfirmPage {
                tr: tr(locale),
                lang_links: links(locale),
                csrf: s(),
                client_name: Some(s()),
                hidden: vec![(s(), s())],
            }
            .render(),
        ),
        (
            "signed_out",
            SignedOutPage {
                tr: tr(locale),
                lang_links: links(locale),
            }
            .render(),
        ),
        (
            "demo_home",
            DemoHomePage {
                tr: tr(locale),
                lang_links: links(locale),
                start_href: s(),
            }
            .render(),
        ),
        (
            "demo_result",
            DemoResultPage {
                tr: tr(locale),
                lang_links: links(locale),
                id_token_claims: s(),
                userinfo: s(),
                logout_href: s(),
            }
            .render(),
        ),
        (
            "account_home",
            AccountHomePage {
                tr: tr(locale),
                lang_links: links(locale),
                csrf: s(),
                display_name: s(),
                username: Some(s()),
                email: Some(s()),
                phone: Some(s()),
                pinfl_masked: Some(s()),
                passkeys_enabled: true,
                passkeys: vec![PasskeyLine {
                    id: s(),
                    name: s(),
                    created: s(),
                    last_used: Some(s()),
                    synced: true,
                }],
                require_second_factor: false,
                notice: Some(s()),
                error: Some(s()),
            }
            .render(),
        ),
    ];
    rendered
        .into_iter()
        .map(|(name, html)| (name, html.unwrap_or_else(|e| panic!("{name}: {e}"))))
        .collect()
}

#[test]
fn every_page_renders_in_every_locale_with_its_language() {
    for locale in Locale::ALL {
        for (name, html) in all_pages(locale, "value") {
            let lang = format!("<html lang=\"{}\">", locale.tag());
            assert!(html.contains(&lang), "{name} {locale}");
            assert!(html.contains("href=\"/static/yagona.css\""), "{name}");
            assert!(html.contains("Yagona ID"), "{name}");
            // No message id leaked through untranslated.
            for fragment in [
                "login-", "consent-", "error-", "logout-", "demo-", "account-", "footer-",
            ] {
                assert!(
                    !html.contains(&format!(">{fragment}")),
                    "{name} {locale}: {fragment}"
                );
            }
        }
    }
}

/// The only script tag a page may carry: our own passkey script, loaded from `'self'`.
const PASSKEY_SCRIPT_TAG: &str = "<script src=\"/static/passkeys.js\" defer></script>";

/// The page without its allowed passkey script tag.
fn without_own_script(html: &str) -> String {
    html.replace(PASSKEY_SCRIPT_TAG, "")
}

#[test]
fn user_provided_strings_are_escaped() {
    for (name, html) in all_pages(Locale::En, HOSTILE) {
        let html = without_own_script(&html);
        assert!(!html.contains("<script"), "{name}: {html}");
        // The signed-out page shows no caller-provided text at all.
        if name != "signed_out" {
            assert!(
                html.contains("&#60;script&#62;alert(&#34;x&#34;)"),
                "{name}"
            );
        }
    }
}

/// Whether the markup has an `on…=` attribute (an inline event handler such as `onclick=`).
fn has_event_handler_attribute(html: &str) -> bool {
    html.split(|c: char| c.is_whitespace() || c == '<')
        .any(|word| {
            word.strip_prefix("on").is_some_and(|rest| {
                rest.split_once('=').is_some_and(|(name, _)| {
                    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphabetic())
                })
            })
        })
}

#[test]
fn event_handler_detection_works() {
    assert!(has_event_handler_attribute("<button onclick=\"x()\">"));
    assert!(!has_event_handler_attribute(
        "<p>Sign out on this device</p>"
    ));
}

#[test]
fn no_inline_style_or_script_anywhere() {
    for locale in Locale::ALL {
        for (name, html) in all_pages(locale, "plain") {
            let lower = without_own_script(&html).to_lowercase();
            assert!(!lower.contains("style="), "{name}");
            assert!(!lower.contains("<style"), "{name}");
            assert!(!lower.contains("<script"), "{name}");
            assert!(!has_event_handler_attribute(&lower), "{name}");
            assert!(!lower.contains("javascript:"), "{name}");
        }
    }
}

#[test]
fn login_page_has_labelled_fields_and_hidden_values() {
    let page = LoginPage {
        tr: tr(Locale::En),
        lang_links: links(Locale::En),
        request: "req-123".to_owned(),
        csrf: "csrf-456".to_owned(),
        client_name: "Soliq portal".to_owned(),
        login_hint: "ali@example.uz".to_owned(),
        error: None,
        passkeys: false,
        second_factor: false,
        passkey_required: false,
        esign_href: None,
    };
    let html = page.render().unwrap();
    assert!(html.contains("<form method=\"post\" action=\"/login\""));
    assert!(html.contains("name=\"request\" value=\"req-123\""));
    assert!(html.contains("name=\"csrf\" value=\"csrf-456\""));
    assert!(html.contains("<label for=\"login\">"));
    assert!(html.contains("id=\"login\" name=\"login\" type=\"text\" value=\"ali@example.uz\""));
    assert!(html.contains("<label for=\"password\">"));
    assert!(html.contains("autocomplete=\"current-password\""));
    assert!(html.contains("Sign in to continue to Soliq portal."));
    assert!(
        !html.contains("role=\"alert\""),
        "no error box without an error"
    );
}

#[test]
fn login_page_offers_passkeys_with_autofill_and_the_script() {
    let page = LoginPage {
        tr: tr(Locale::En),
        lang_links: links(Locale::En),
        request: "req-1".to_owned(),
        csrf: "csrf-1".to_owned(),
        client_name: "Soliq".to_owned(),
        login_hint: String::new(),
        error: None,
        passkeys: true,
        second_factor: false,
        passkey_required: true,
        esign_href: None,
    };
    let html = page.render().unwrap();
    assert!(html.contains("autocomplete=\"username webauthn\""));
    assert!(html.contains("data-flow=\"login\" data-request=\"req-1\" data-csrf=\"csrf-1\""));
    assert!(html.contains(">Sign in with a passkey</button>"));
    assert!(html.contains("This service asks you to sign in with a passkey."));
    assert!(html.contains("data-msg-cancelled=\"The passkey request was cancelled"));
    assert_eq!(html.matches(PASSKEY_SCRIPT_TAG).count(), 1);
    assert!(
        html.contains("name=\"password\""),
        "the password form stays"
    );
}

#[test]
fn second_factor_step_replaces_the_password_form() {
    let page = LoginPage {
        tr: tr(Locale::Ru),
        lang_links: links(Locale::Ru),
        request: "r".to_owned(),
        csrf: "c".to_owned(),
        client_name: "Soliq".to_owned(),
        login_hint: String::new(),
        error: None,
        passkeys: true,
        second_factor: true,
        passkey_required: true,
        esign_href: None,
    };
    let html = page.render().unwrap();
    assert!(html.contains("data-flow=\"second_factor\""));
    assert!(html.contains("Подтвердить ключом доступа"));
    assert!(!html.contains("name=\"password\""));
    assert_eq!(html.matches(PASSKEY_SCRIPT_TAG).count(), 1);
}

#[test]
fn account_page_lists_passkeys_with_rename_and_remove() {
    let page = AccountHomePage {
        tr: tr(Locale::En),
        lang_links: links(Locale::En),
        csrf: "c".to_owned(),
        display_name: "Ali".to_owned(),
        username: None,
        email: None,
        phone: None,
        pinfl_masked: None,
        passkeys_enabled: true,
        passkeys: vec![PasskeyLine {
            id: "Y3JlZA".to_owned(),
            name: "My phone".to_owned(),
            created: "2026-01-02".to_owned(),
            last_used: None,
            synced: false,
        }],
        require_second_factor: true,
        notice: None,
        error: Some("Refused".to_owned()),
    };
    let html = page.render().unwrap();
    assert!(html.contains("action=\"/account/passkeys/Y3JlZA/rename\""));
    assert!(html.contains("action=\"/account/passkeys/Y3JlZA/delete\""));
    assert!(html.contains("value=\"My phone\""));
    assert!(html.contains("2026-01-02") && html.contains(">Never</dd>"));
    assert!(html.contains("Kept on one device"));
    assert!(html.contains("data-flow=\"register\""));
    assert!(html.contains("name=\"required\" value=\"off\""));
    assert!(html.contains("role=\"alert\""));
    assert_eq!(html.matches(PASSKEY_SCRIPT_TAG).count(), 1);
}

#[test]
fn login_error_is_announced() {
    let translator = Arc::new(Translator::new());
    let message = translator.text(Locale::UzLatn, "error-login-failed");
    let page = LoginPage {
        tr: Tr {
            translator,
            locale: Locale::UzLatn,
        },
        lang_links: links(Locale::UzLatn),
        request: String::new(),
        csrf: String::new(),
        client_name: "Soliq".to_owned(),
        login_hint: String::new(),
        error: Some(message),
        passkeys: false,
        second_factor: false,
        passkey_required: false,
        esign_href: None,
    };
    let html = page.render().unwrap();
    assert!(html.contains("role=\"alert\""));
    assert!(html.contains("Login yoki parol notoʻgʻri."));
    assert!(html.contains("«Soliq» xizmatiga"));
}

#[test]
fn consent_page_lists_scopes_and_both_decisions() {
    let page = ConsentPage {
        tr: tr(Locale::Ru),
        lang_links: links(Locale::Ru),
        request: "r".to_owned(),
        csrf: "c".to_owned(),
        client_name: "Soliq".to_owned(),
        scopes: vec![
            ScopeLine {
                scope: "email".to_owned(),
                description: "Адрес".to_owned(),
            },
            ScopeLine {
                scope: "phone".to_owned(),
                description: "Телефон".to_owned(),
            },
        ],
        account_label: "Ali Valiyev".to_owned(),
    };
    let html = page.render().unwrap();
    assert!(html.contains("action=\"/consent\""));
    assert!(
        html.contains("<li data-scope=\"email\">Адрес</li>")
            && html.contains("<li data-scope=\"phone\">Телефон</li>")
    );
    assert!(html.contains("name=\"decision\" value=\"allow\""));
    assert!(html.contains("name=\"decision\" value=\"deny\""));
    assert!(html.contains("Вы вошли как Ali Valiyev."));
}

#[test]
fn logout_confirm_carries_hidden_fields() {
    let page = LogoutConfirmPage {
        tr: tr(Locale::En),
        lang_links: links(Locale::En),
        csrf: "c".to_owned(),
        client_name: None,
        hidden: vec![("state".to_owned(), "s1".to_owned())],
    };
    let html = page.render().unwrap();
    assert!(html.contains("action=\"/logout/confirm\""));
    assert!(html.contains("<input type=\"hidden\" name=\"state\" value=\"s1\">"));
    assert!(html.contains("value=\"logout\"") && html.contains("value=\"cancel\""));
    assert!(!html.contains("has asked to sign you out"));
}

#[test]
fn account_page_shows_missing_values_as_not_provided() {
    let page = AccountHomePage {
        tr: tr(Locale::UzCyrl),
        lang_links: links(Locale::UzCyrl),
        csrf: "c".to_owned(),
        display_name: "Ali".to_owned(),
        username: Some("ali".to_owned()),
        email: None,
        phone: None,
        pinfl_masked: Some("3xxxxxxxxxx012".to_owned()),
        passkeys_enabled: false,
        passkeys: Vec::new(),
        require_second_factor: false,
        notice: None,
        error: None,
    };
    let html = page.render().unwrap();
    assert_eq!(html.matches("Кўрсатилмаган").count(), 2);
    assert!(html.contains("3xxxxxxxxxx012"));
    assert!(html.contains("name=\"decision\" value=\"logout\""));
}

#[test]
fn language_switcher_marks_the_current_locale() {
    let html = SignedOutPage {
        tr: tr(Locale::Ru),
        lang_links: links(Locale::Ru),
    }
    .render()
    .unwrap();
    assert_eq!(html.matches("aria-current").count(), 1);
    assert!(html.contains("href=\"/login?request=r1&#38;lang=ru\" lang=\"ru\" hreflang=\"ru\" aria-current=\"true\">Русский</a>"));
    assert!(html.contains(">Oʻzbekcha</a>") && html.contains(">Ўзбекча</a>"));
}

#[test]
fn href_with_lang_replaces_only_the_lang_parameter() {
    assert_eq!(href_with_lang("/demo", Locale::En), "/demo?lang=en");
    assert_eq!(
        href_with_lang("/login?request=a%2Fb&lang=ru", Locale::UzCyrl),
        "/login?request=a%2Fb&lang=uz-Cyrl"
    );
    assert_eq!(
        href_with_lang("/x?lang=en&a=1", Locale::UzLatn),
        "/x?a=1&lang=uz"
    );
}

#[test]
fn lang_links_follow_locale_order() {
    let links = lang_links(Locale::En, |l| format!("/?lang={}", l.tag()));
    let tags: Vec<_> = links.iter().map(|l| l.tag).collect();
    assert_eq!(tags, ["uz", "uz-Cyrl", "ru", "en"]);
    assert_eq!(links.iter().filter(|l| l.current).count(), 1);
    assert!(links[3].current);
}

#[test]
fn every_message_id_used_by_a_template_is_translated() {
    let templates = [
        include_str!("../../templates/base.html"),
        include_str!("../../templates/login.html"),
        include_str!("../../templates/passkey_signin.html"),
        include_str!("../../templates/consent.html"),
        include_str!("../../templates/error.html"),
        include_str!("../../templates/logout_confirm.html"),
        include_str!("../../templates/signed_out.html"),
        include_str!("../../templates/demo_home.html"),
        include_str!("../../templates/demo_result.html"),
        include_str!("../../templates/account_home.html"),
    ];
    let translator = Translator::new();
    let mut checked = 0;
    for source in templates {
        for call in ["tr.t(\"", "tr.t_arg(\""] {
            for (_, rest) in source
                .match_indices(call)
                .map(|(i, _)| source.split_at(i + call.len()))
            {
                let id = rest.split('"').next().unwrap();
                for locale in Locale::ALL {
                    assert_ne!(translator.text(locale, id), id, "{id} missing in {locale}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 40, "only {checked} ids found");
}
