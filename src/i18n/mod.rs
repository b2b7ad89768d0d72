//! Translations: the four page languages, language negotiation and Fluent message lookup.
//!
//! Every text a citizen sees goes through [`Translator`], which holds one Fluent bundle per
//! [`Locale`], parsed once at start-up from the `.ftl` files embedded in the binary.

mod locale;

use std::borrow::Cow;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::{LanguageIdentifier, langid};

pub use locale::{Locale, negotiate};

/// The Fluent sources, embedded at compile time, in [`Locale::ALL`] order.
const SOURCES: [(Locale, &str); 4] = [
    (Locale::UzLatn, include_str!("../../locales/uz.ftl")),
    (Locale::UzCyrl, include_str!("../../locales/uz-Cyrl.ftl")),
    (Locale::Ru, include_str!("../../locales/ru.ftl")),
    (Locale::En, include_str!("../../locales/en.ftl")),
];

/// The locale used when a message is missing from the requested one.
const FALLBACK: Locale = Locale::En;

/// The Fluent language identifier of a locale (drives plural rules in Fluent selectors).
fn language_identifier(locale: Locale) -> LanguageIdentifier {
    match locale {
        Locale::UzLatn => langid!("uz-Latn"),
        Locale::UzCyrl => langid!("uz-Cyrl"),
        Locale::Ru => langid!("ru"),
        Locale::En => langid!("en"),
    }
}

/// All translation bundles, shareable across threads (wrap it in an `Arc`).
pub struct Translator {
    /// One bundle per locale, indexed by [`Locale::index`].
    bundles: [FluentBundle<FluentResource>; 4],
}

impl Translator {
    /// Parses the embedded `.ftl` files.
    ///
    /// # Panics
    /// Only if an embedded `.ftl` file has a syntax error or a duplicate message id; the unit
    /// tests parse every file, so a release build cannot hit this.
    pub fn new() -> Self {
        // Embedded, compile-time content that the unit tests check: a failure here is a
        // programming error, not a run-time condition.
        Self::from_sources(SOURCES).unwrap_or_else(|problem| panic!("{problem}"))
    }

    /// Builds the bundles from `(locale, ftl source)` pairs given in [`Locale::ALL`] order.
    fn from_sources(sources: [(Locale, &str); 4]) -> Result<Self, String> {
        let mut bundles = Vec::with_capacity(sources.len());
        for (index, (locale, source)) in sources.into_iter().enumerate() {
            if locale.index() != index {
                return Err(format!(
                    "translations for {} are out of order",
                    locale.tag()
                ));
            }
            let bundle = build_bundle(locale, source).map_err(|problem| {
                format!("invalid translations for {}: {problem}", locale.tag())
            })?;
            bundles.push(bundle);
        }
        let bundles = bundles
            .try_into()
            .map_err(|_| "expected exactly four translation bundles".to_owned())?;
        Ok(Self { bundles })
    }

    /// The message `id` in `locale`, without arguments.
    ///
    /// Falls back to English, then to the id itself (logging a warning), so a missing
    /// translation never breaks a page.
    pub fn text(&self, locale: Locale, id: &str) -> String {
        self.format(locale, id, None)
    }

    /// The message `id` in `locale` with named arguments, e.g. `&[("client", "Soliq")]` for a
    /// message that uses `{ $client }`. Same fallback as [`Translator::text`].
    pub fn text_with(&self, locale: Locale, id: &str, args: &[(&str, &str)]) -> String {
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            fluent_args.set(*name, *value);
        }
        self.format(locale, id, Some(&fluent_args))
    }

    fn format(&self, locale: Locale, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        if let Some(text) = self.format_in(locale, id, args) {
            return text;
        }
        tracing::warn!(
            message_id = id,
            locale = locale.tag(),
            "missing translation"
        );
        if locale != FALLBACK
            && let Some(text) = self.format_in(FALLBACK, id, args)
        {
            return text;
        }
        id.to_owned()
    }

    /// Formats `id` from one bundle; `None` if the bundle has no such message (or no value).
    fn format_in(&self, locale: Locale, id: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
        let bundle = &self.bundles[locale.index()];
        let pattern = bundle.get_message(id)?.value()?;
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            // Usually a missing argument: the text is still usable (Fluent shows `{$name}`).
            tracing::warn!(
                message_id = id,
                locale = locale.tag(),
                ?errors,
                "translation formatting error"
            );
        }
        Some(Cow::into_owned(text))
    }
}

impl Default for Translator {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Translator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Translator").finish_non_exhaustive()
    }
}

/// Parses one `.ftl` source into a bundle, describing the first problem found.
fn build_bundle(locale: Locale, source: &str) -> Result<FluentBundle<FluentResource>, String> {
    let resource = FluentResource::try_new(source.to_owned())
        .map_err(|(_, errors)| format!("syntax errors: {errors:?}"))?;
    let mut bundle = FluentBundle::new_concurrent(vec![language_identifier(locale)]);
    // Pages are HTML or plain text: no Unicode bidi isolation marks around arguments.
    bundle.set_use_isolating(false);
    bundle
        .add_resource(resource)
        .map_err(|errors| format!("bundle errors: {errors:?}"))?;
    Ok(bundle)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Message ids defined in an `.ftl` source: lines that start with an identifier and `=`.
    /// Terms (`-name`), comments, attributes and continuation lines are not messages.
    fn message_ids(source: &str) -> BTreeSet<String> {
        source
            .lines()
            .filter(|line| line.starts_with(|c: char| c.is_ascii_alphabetic()))
            .filter_map(|line| line.split_once('='))
            .map(|(id, _)| id.trim().to_owned())
            .collect()
    }

    fn source_of(locale: Locale) -> &'static str {
        SOURCES
            .iter()
            .find(|(l, _)| *l == locale)
            .map(|(_, source)| *source)
            .unwrap()
    }

    #[test]
    fn every_file_parses_without_errors() {
        for (locale, source) in SOURCES {
            if let Err(problem) = build_bundle(locale, source) {
                panic!("{}: {problem}", locale.tag());
            }
        }
    }

    #[test]
    fn sources_are_in_locale_order() {
        for (index, (locale, _)) in SOURCES.iter().enumerate() {
            assert_eq!(locale.index(), index);
            assert_eq!(Locale::ALL[index], *locale);
        }
    }

    #[test]
    fn every_locale_has_exactly_the_english_message_ids() {
        let english = message_ids(source_of(Locale::En));
        assert!(english.len() > 50, "scanner found too few ids: {english:?}");
        for locale in Locale::ALL {
            let ids = message_ids(source_of(locale));
            let missing: Vec<_> = english.difference(&ids).collect();
            let extra: Vec<_> = ids.difference(&english).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", locale.tag());
            assert!(
                extra.is_empty(),
                "{} has ids not in en: {extra:?}",
                locale.tag()
            );
        }
    }

    #[test]
    fn scanned_ids_are_real_messages_with_text() {
        let translator = Translator::new();
        for locale in Locale::ALL {
            let bundle = &translator.bundles[locale.index()];
            for id in message_ids(source_of(locale)) {
                let message = bundle.get_message(&id);
                assert!(
                    message.is_some_and(|m| m.value().is_some()),
                    "{}: {id}",
                    locale.tag()
                );
            }
        }
    }

    #[test]
    fn ids_used_by_handlers_exist() {
        let required = [
            "app-name",
            "tagline",
            "scope-openid",
            "scope-profile",
            "scope-email",
            "scope-phone",
            "scope-pinfl",
            "scope-offline_access",
            "error-login-failed",
            "error-throttled",
            "error-login-required-fields",
            "error-title",
            "error-invalid-client",
            "error-request-expired",
            "error-csrf",
            "error-bad-request",
            "error-not-found",
            "error-internal",
            "error-logout-invalid",
        ];
        let english = message_ids(source_of(Locale::En));
        for id in required {
            assert!(english.contains(id), "{id}");
        }
    }

    #[test]
    fn uzbek_latin_uses_the_turned_comma_letters() {
        let uz = source_of(Locale::UzLatn);
        assert!(uz.contains("o\u{02BB}"));
        // The ASCII apostrophe and the right single quote are not Uzbek letters.
        assert!(!uz.contains("o'") && !uz.contains("g'"));
        assert!(!uz.contains("o\u{2019}") && !uz.contains("g\u{2019}"));
    }

    #[test]
    fn text_translates_each_locale() {
        let translator = Translator::new();
        assert_eq!(translator.text(Locale::En, "login-title"), "Sign in");
        assert_eq!(
            translator.text(Locale::UzLatn, "login-title"),
            "Tizimga kirish"
        );
        assert_eq!(
            translator.text(Locale::UzCyrl, "login-title"),
            "Тизимга кириш"
        );
        assert_eq!(translator.text(Locale::Ru, "login-title"), "Вход");
    }

    #[test]
    fn text_with_substitutes_arguments_without_isolation_marks() {
        let translator = Translator::new();
        let text = translator.text_with(Locale::En, "login-intro", &[("client", "Soliq")]);
        assert_eq!(text, "Sign in to continue to Soliq.");
        let text = translator.text_with(Locale::Ru, "login-intro", &[("client", "Soliq")]);
        assert!(text.contains("«Soliq»"), "{text}");
    }

    #[test]
    fn message_missing_in_a_locale_falls_back_to_english() {
        let translator = Translator::from_sources([
            (Locale::UzLatn, "greeting = Salom, { $name }!\n"),
            (Locale::UzCyrl, "greeting = Салом, { $name }!\n"),
            (Locale::Ru, "other = Другое\n"),
            (Locale::En, "greeting = Hello, { $name }!\n"),
        ])
        .unwrap();
        let text = translator.text_with(Locale::Ru, "greeting", &[("name", "Ali")]);
        assert_eq!(text, "Hello, Ali!");
        // Missing in both the locale and English: the id itself.
        assert_eq!(translator.text(Locale::UzCyrl, "other"), "other");
        assert_eq!(translator.text(Locale::Ru, "other"), "Другое");
    }

    #[test]
    fn invalid_sources_are_reported_not_panicked() {
        let broken = Translator::from_sources([
            (Locale::UzLatn, "ok = fine\n"),
            (Locale::UzCyrl, "ok = fine\n"),
            (Locale::Ru, "= no id\n"),
            (Locale::En, "ok = fine\n"),
        ]);
        assert!(broken.is_err_and(|problem| problem.contains("ru")));
        let out_of_order = Translator::from_sources([
            (Locale::En, "ok = fine\n"),
            (Locale::UzCyrl, "ok = fine\n"),
            (Locale::Ru, "ok = fine\n"),
            (Locale::UzLatn, "ok = fine\n"),
        ]);
        assert!(out_of_order.is_err());
    }

    #[test]
    fn unknown_id_falls_back_to_the_id() {
        let translator = Translator::new();
        assert_eq!(
            translator.text(Locale::Ru, "no-such-message"),
            "no-such-message"
        );
    }

    #[test]
    fn translator_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Translator>();
    }
}
