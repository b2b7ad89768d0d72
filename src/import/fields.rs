//! Checks and normalisation of single fields, per `legacy-import.md` §6: PINFL structure,
//! dates, phone numbers, passports and e-mail addresses.

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// A real calendar date, or `None` (`31.02.1990`, `00.05.1990`, `15.13.1990`).
    pub fn new(year: i32, month: u32, day: u32) -> Option<Self> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days_in_month)
            .contains(&day)
            .then_some(Self { year, month, day })
    }

    /// `YYYY-MM-DD`.
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn days_since_epoch(&self) -> i64 {
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let month = i64::from(self.month);
        let day_of_year =
            (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }
}

fn number(text: &str, len: usize) -> Option<u32> {
    (text.len() == len && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// `DD.MM.YYYY`; `Err(())` when it has that shape but is not a real date, `Ok(None)` for
/// another shape.
pub fn parse_dotted_date(text: &str) -> Result<Option<Date>, ()> {
    let mut parts = text.split('.');
    let (Some(d), Some(m), Some(y), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Ok(None);
    };
    match (number(d, 2), number(m, 2), number(y, 4)) {
        (Some(d), Some(m), Some(y)) => Date::new(y as i32, m, d).map(Some).ok_or(()),
        _ => Ok(None),
    }
}

/// `YYYY-MM-DD`, with the same answers as [`parse_dotted_date`].
pub fn parse_iso_date(text: &str) -> Result<Option<Date>, ()> {
    let mut parts = text.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Ok(None);
    };
    match (number(y, 4), number(m, 2), number(d, 2)) {
        (Some(y), Some(m), Some(d)) => Date::new(y as i32, m, d).map(Some).ok_or(()),
        _ => Ok(None),
    }
}

/// `YYYY-MM-DD HH:MM:SS` (or with `T`) wall-clock time at `utc_offset` seconds → Unix seconds.
pub fn parse_timestamp(text: &str, utc_offset: i64) -> Option<i64> {
    let (date, time) = text.split_once([' ', 'T'])?;
    let date = parse_iso_date(date).ok()??;
    let mut parts = time.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    let (h, m, s) = (number(h, 2)?, number(m, 2)?, number(s.get(..2)?, 2)?);
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    let seconds = date.days_since_epoch() * 86_400 + i64::from(h * 3600 + m * 60 + s);
    Some(seconds - utc_offset)
}

/// What the structure of a 14-digit PINFL says, per the convention in legacy-import.md §6
/// (unverified against an official specification, hence warnings only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinflFacts {
    /// Birth date from digits 2–7 and the century in digit 1, if it is a real date.
    pub birth_date: Option<Date>,
    /// `Some(true)` male (odd digit 1), `Some(false)` female, `None` outside 1–6.
    pub male: Option<bool>,
    /// Everything that does not hold: `pinfl_check_digit`, `pinfl_structure`.
    pub problems: Vec<&'static str>,
}

/// Whether `text` is a PINFL at all: exactly 14 ASCII digits (the one hard rule).
pub fn is_pinfl(text: &str) -> bool {
    text.len() == 14 && text.bytes().all(|b| b.is_ascii_digit())
}

/// Reads the structure of a PINFL that passed [`is_pinfl`].
pub fn pinfl_facts(pinfl: &str) -> PinflFacts {
    let digits: Vec<u32> = pinfl.bytes().map(|b| u32::from(b - b'0')).collect();
    let mut problems = Vec::new();
    let first = digits[0];
    let male = (1..=6).contains(&first).then_some(first % 2 == 1);
    // ((d1 + 1) div 2 + 17) × 100: 3/4 → 1900, 5/6 → 2000.
    let century = (first.div_ceil(2) + 17) * 100;
    let two = |i: usize| digits[i] * 10 + digits[i + 1];
    let birth_date = male.and_then(|_| Date::new((century + two(5)) as i32, two(3), two(1)));
    if male.is_none() || birth_date.is_none() {
        problems.push("pinfl_structure");
    }
    if &pinfl[7..10] == "000" || &pinfl[10..13] == "000" {
        problems.push("pinfl_structure");
    }
    let weights = [7, 3, 1];
    let sum: u32 = digits[..13]
        .iter()
        .enumerate()
        .map(|(i, d)| d * weights[i % 3])
        .sum();
    if sum % 10 != digits[13] {
        problems.push("pinfl_check_digit");
    }
    problems.dedup();
    PinflFacts {
        birth_date,
        male,
        problems,
    }
}

/// A PINFL for reports: the first digit and the last two, the rest hidden.
pub fn mask_pinfl(pinfl: &str) -> String {
    let chars: Vec<char> = pinfl.chars().collect();
    if chars.len() < 4 {
        return "*".repeat(chars.len());
    }
    let mut masked = String::with_capacity(chars.len());
    masked.push(chars[0]);
    masked.extend(std::iter::repeat_n('*', chars.len() - 3));
    masked.extend(&chars[chars.len() - 2..]);
    masked
}

/// Upper-case, spaces removed; `Ok` when it is two Latin letters and seven digits (the OneID
/// format), `Err(normalised)` otherwise (ID cards and foreign documents may differ: a warning).
pub fn normalize_passport(text: &str) -> Result<String, String> {
    let normalised: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect();
    let bytes = normalised.as_bytes();
    let ok = bytes.len() == 9
        && bytes[..2].iter().all(u8::is_ascii_uppercase)
        && bytes[2..].iter().all(u8::is_ascii_digit);
    if ok { Ok(normalised) } else { Err(normalised) }
}

/// Lower-cased e-mail address when its syntax is plausible: one `@`, a non-empty local part, a
/// dotted domain of letters, digits and hyphens, no spaces, at most 254 characters.
pub fn normalize_email(text: &str) -> Option<String> {
    let email = text.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let domain_ok = domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local.chars().all(|c| {
            !c.is_whitespace() && !c.is_control() && !matches!(c, '@' | '"' | ',' | '<' | '>')
        });
    (domain_ok && local_ok && email.len() <= 254).then_some(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinfl_structure_of_the_readme_example() {
        let facts = pinfl_facts("32203961242248");
        assert_eq!(facts.problems, Vec::<&str>::new());
        assert_eq!(facts.male, Some(true));
        assert_eq!(facts.birth_date, Date::new(1996, 3, 22));
        assert_eq!(
            pinfl_facts("32203961242249").problems,
            vec!["pinfl_check_digit"]
        );
        assert!(
            pinfl_facts("93102961242248")
                .problems
                .contains(&"pinfl_structure")
        );
        assert!(
            pinfl_facts("32203960002248")
                .problems
                .contains(&"pinfl_structure")
        );
        assert!(is_pinfl("32203961242248"));
        assert!(!is_pinfl("3220396124224"));
        assert!(!is_pinfl("3220396124224O"));
    }

    #[test]
    fn dates_must_be_real() {
        assert_eq!(parse_dotted_date("22.03.1996"), Ok(Date::new(1996, 3, 22)));
        assert_eq!(parse_dotted_date("29.02.2000"), Ok(Date::new(2000, 2, 29)));
        for impossible in [
            "31.02.1990",
            "29.02.1991",
            "31.04.1990",
            "00.05.1990",
            "15.13.1990",
        ] {
            assert_eq!(parse_dotted_date(impossible), Err(()), "{impossible}");
        }
        assert_eq!(parse_dotted_date("1990-01-01"), Ok(None));
        assert_eq!(parse_iso_date("1990-01-31"), Ok(Date::new(1990, 1, 31)));
    }

    #[test]
    fn timestamps_are_unix_seconds() {
        assert_eq!(parse_timestamp("1970-01-01 05:00:00", 5 * 3600), Some(0));
        assert_eq!(
            parse_timestamp("2024-02-29 12:30:15", 0),
            Some(1_709_209_815)
        );
        assert_eq!(parse_timestamp("2024-02-30 12:30:15", 0), None);
    }

    #[test]
    fn masks_keep_three_digits() {
        assert_eq!(mask_pinfl("32203961242248"), "3***********48");
    }

    #[test]
    fn passports_and_emails() {
        assert_eq!(normalize_passport("aa 1234567"), Ok("AA1234567".into()));
        assert_eq!(normalize_passport("I-AB 123"), Err("I-AB123".into()));
        assert_eq!(
            normalize_email(" Aziz1990@Gmail.com"),
            Some("aziz1990@gmail.com".into())
        );
        for bad in ["nope", "a@b", "a b@c.uz", "@c.uz", "a@-c.uz", "a@c..uz"] {
            assert_eq!(normalize_email(bad), None, "{bad}");
        }
    }
}
