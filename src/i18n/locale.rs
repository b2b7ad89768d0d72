//! The supported page languages and how a request's language is chosen.

/// A language the pages are available in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Locale {
    /// Uzbek in Latin script, the default.
    UzLatn,
    /// Uzbek in Cyrillic script.
    UzCyrl,
    /// Russian.
    Ru,
    /// English.
    En,
}

impl Locale {
    /// Every locale, in the order the language switcher shows them.
    pub const ALL: [Locale; 4] = [Locale::UzLatn, Locale::UzCyrl, Locale::Ru, Locale::En];

    /// The locale used when nothing else matches.
    pub const DEFAULT: Locale = Locale::UzLatn;

    /// The BCP 47 tag: used in `<html lang>`, in links and in the saved language choice.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::UzLatn => "uz",
            Locale::UzCyrl => "uz-Cyrl",
            Locale::Ru => "ru",
            Locale::En => "en",
        }
    }

    /// The language's name in itself, as shown in the language switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::UzLatn => "O\u{02BB}zbekcha",
            Locale::UzCyrl => "Ўзбекча",
            Locale::Ru => "Русский",
            Locale::En => "English",
        }
    }

    /// Position in [`Locale::ALL`].
    pub(crate) fn index(self) -> usize {
        match self {
            Locale::UzLatn => 0,
            Locale::UzCyrl => 1,
            Locale::Ru => 2,
            Locale::En => 3,
        }
    }

    /// Parses a BCP 47 language tag leniently (RFC 5646 §2.1): case-insensitive, `_` accepted
    /// as a separator, region and other subtags ignored.
    ///
    /// `uz`, `uz-Latn`, `uz-UZ` give Uzbek Latin; `uz-Cyrl` (with any region) gives Uzbek
    /// Cyrillic; `ru-RU` gives Russian; `en-GB` gives English. Uzbek in another script
    /// (`uz-Arab`), other languages and malformed tags give `None`.
    pub fn parse(tag: &str) -> Option<Locale> {
        let mut subtags = tag.trim().split(['-', '_']);
        let language = subtags.next()?;
        let rest: Vec<&str> = subtags.collect();
        let well_formed = rest
            .iter()
            .chain(std::iter::once(&language))
            .all(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()));
        if !well_formed {
            return None;
        }
        // The script subtag, when present, is the 4-letter subtag right after the language.
        let script = rest
            .first()
            .filter(|s| s.len() == 4 && s.bytes().all(|b| b.is_ascii_alphabetic()));
        if language.eq_ignore_ascii_case("uz") {
            match script {
                None => Some(Locale::UzLatn),
                Some(s) if s.eq_ignore_ascii_case("latn") => Some(Locale::UzLatn),
                Some(s) if s.eq_ignore_ascii_case("cyrl") => Some(Locale::UzCyrl),
                Some(_) => None,
            }
        } else if language.eq_ignore_ascii_case("ru") {
            Some(Locale::Ru)
        } else if language.eq_ignore_ascii_case("en") {
            Some(Locale::En)
        } else {
            None
        }
    }
}

impl std::fmt::Display for Locale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.tag())
    }
}

/// Chooses the page language for a request.
///
/// Order: the `ui_locales` authorization parameter (space-separated, first supported tag wins;
/// OIDC Core §3.1.2.1), then the citizen's saved choice (cookie or account), then the
/// `Accept-Language` header (highest q-value first, `q=0` meaning "not acceptable";
/// RFC 9110 §12.5.4), then Uzbek Latin.
pub fn negotiate(
    ui_locales: Option<&str>,
    choice: Option<&str>,
    accept_language: Option<&str>,
) -> Locale {
    ui_locales
        .and_then(|tags| tags.split_whitespace().find_map(Locale::parse))
        .or_else(|| choice.and_then(Locale::parse))
        .or_else(|| accept_language.and_then(from_accept_language))
        .unwrap_or(Locale::DEFAULT)
}

/// The supported locale the browser prefers most, from an `Accept-Language` header value.
fn from_accept_language(header: &str) -> Option<Locale> {
    let mut ranges: Vec<(f32, &str)> = header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let range = parts.next()?.trim();
            let quality = parts
                .find_map(|param| {
                    let (name, value) = param.split_once('=')?;
                    name.trim().eq_ignore_ascii_case("q").then(|| value.trim())
                })
                .map_or(Some(1.0), parse_quality)?;
            (quality > 0.0).then_some((quality, range))
        })
        .collect();
    // Stable sort: equal weights keep the header's order.
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranges
        .into_iter()
        .find_map(|(_, range)| Locale::parse(range))
}

/// A q-value between 0 and 1 (RFC 9110 §12.4.2); anything else makes the entry ignored.
fn parse_quality(value: &str) -> Option<f32> {
    let quality: f32 = value.parse().ok()?;
    (0.0..=1.0).contains(&quality).then_some(quality)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip() {
        for locale in Locale::ALL {
            assert_eq!(Locale::parse(locale.tag()), Some(locale));
        }
    }

    #[test]
    fn parse_is_lenient() {
        let cases = [
            ("uz", Some(Locale::UzLatn)),
            ("uz-Latn", Some(Locale::UzLatn)),
            ("uz-UZ", Some(Locale::UzLatn)),
            ("UZ-latn-uz", Some(Locale::UzLatn)),
            ("uz-Cyrl", Some(Locale::UzCyrl)),
            ("uz-cyrl-UZ", Some(Locale::UzCyrl)),
            ("uz_Cyrl", Some(Locale::UzCyrl)),
            ("ru-RU", Some(Locale::Ru)),
            ("RU", Some(Locale::Ru)),
            ("en-GB", Some(Locale::En)),
            ("en-Latn-US", Some(Locale::En)),
            (" en ", Some(Locale::En)),
            ("uz-Arab", None),
            ("kk", None),
            ("uzb", None),
            ("", None),
            ("*", None),
            ("en-", None),
            ("en-toolongsubtag", None),
        ];
        for (tag, expected) in cases {
            assert_eq!(Locale::parse(tag), expected, "{tag:?}");
        }
    }

    #[test]
    fn native_names_use_the_right_letters() {
        assert_eq!(Locale::UzLatn.native_name(), "Oʻzbekcha");
        assert_eq!(Locale::UzCyrl.native_name(), "Ўзбекча");
    }

    #[test]
    fn ui_locales_wins_with_first_supported_tag() {
        let locale = negotiate(Some("fr de-DE ru en"), Some("en"), Some("uz-Cyrl"));
        assert_eq!(locale, Locale::Ru);
    }

    #[test]
    fn unsupported_ui_locales_falls_through_to_the_saved_choice() {
        assert_eq!(
            negotiate(Some("fr"), Some("uz-Cyrl"), Some("en")),
            Locale::UzCyrl
        );
        assert_eq!(negotiate(None, Some("en"), Some("ru")), Locale::En);
    }

    #[test]
    fn accept_language_respects_q_values() {
        let header = "en;q=0.5, ru;q=0.9, uz-Cyrl;q=0.7";
        assert_eq!(negotiate(None, None, Some(header)), Locale::Ru);
        assert_eq!(
            negotiate(None, Some("xx"), Some("fr-FR,fr;q=0.9,en;q=0.8")),
            Locale::En
        );
        assert_eq!(
            negotiate(None, None, Some("ru-RU,ru;q=0.9,en-US;q=0.8")),
            Locale::Ru
        );
    }

    #[test]
    fn accept_language_excludes_q_zero_and_keeps_order_on_ties() {
        assert_eq!(negotiate(None, None, Some("ru;q=0, en;q=0.1")), Locale::En);
        assert_eq!(negotiate(None, None, Some("en;q=0.000")), Locale::UzLatn);
        assert_eq!(negotiate(None, None, Some("uz-Cyrl, ru")), Locale::UzCyrl);
        assert_eq!(
            negotiate(None, None, Some("ru;Q=0.8, en;q=0.8")),
            Locale::Ru
        );
    }

    #[test]
    fn malformed_accept_language_entries_are_ignored() {
        assert_eq!(
            negotiate(None, None, Some("ru;q=abc, en;q=2, uz-Cyrl;q=0.3")),
            Locale::UzCyrl
        );
        assert_eq!(negotiate(None, None, Some(";;,,*")), Locale::UzLatn);
    }

    #[test]
    fn default_is_uzbek_latin() {
        assert_eq!(negotiate(None, None, None), Locale::UzLatn);
        assert_eq!(negotiate(Some(""), Some(""), Some("")), Locale::UzLatn);
    }
}
