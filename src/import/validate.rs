//! One record → an account candidate, or the reason it is rejected, plus warnings. Only what
//! the record itself says is checked here; duplicates across records are `plan`'s job and
//! identifiers already taken in the database the writer's.

use super::fields::{
    self, Date, is_pinfl, normalize_email, normalize_passport, parse_dotted_date, parse_iso_date,
    parse_timestamp, pinfl_facts,
};
use super::mapping::{DateFormat, Field, Mapping};
use super::read::{RawRecord, StructureProblem};
use super::report::{Finding, Severity};
use crate::auth::login::normalize_phone;
use crate::auth::password::legacy::{LegacyHashError, encode_legacy};

/// The legacy account's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyStatus {
    Active,
    /// Imported disabled.
    Blocked,
    /// Imported disabled, so its login, PINFL and legacy id stay reserved.
    Deleted,
}

impl LegacyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LegacyStatus::Active => "active",
            LegacyStatus::Blocked => "blocked",
            LegacyStatus::Deleted => "deleted",
        }
    }
}

/// A record that passed validation: normalised values, ready to become an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub line: u64,
    pub record: u64,
    pub legacy_id: String,
    /// Lower-case login.
    pub username: String,
    pub pinfl: Option<String>,
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub middle_name: Option<String>,
    /// `YYYY-MM-DD`.
    pub birthdate: Option<String>,
    /// The stored form of the legacy hash (`crate::auth::password::legacy`); `None` for `none`.
    pub password_hash: Option<String>,
    /// The export's scheme name (`md5_salt`, …, `none`).
    pub scheme: String,
    pub status: LegacyStatus,
    pub created_at: i64,
    /// SHA-256 of the normalised content, to tell an unchanged row on a re-run.
    pub digest: Vec<u8>,
}

/// The verdict on one record.
#[derive(Debug, Clone)]
pub struct Validated {
    pub outcome: Result<Candidate, Finding>,
    pub warnings: Vec<Finding>,
}

/// Options that change how strict validation is.
#[derive(Debug, Clone, Copy, Default)]
pub struct Strictness {
    /// Placeholder PINFLs (test data): skip the PINFL structure and agreement warnings; the
    /// 14-digit rule stays.
    pub lenient_pinfl: bool,
}

struct Ctx<'a> {
    raw: &'a RawRecord<'a>,
    warnings: Vec<Finding>,
}

impl Ctx<'_> {
    fn finding(&self, severity: Severity, reason: &'static str, detail: String) -> Finding {
        Finding {
            line: self.raw.line,
            record: self.raw.record,
            legacy_id: self.raw.get(Field::LegacyId).to_owned(),
            severity,
            reason,
            detail,
        }
    }

    fn warn(&mut self, reason: &'static str, detail: String) {
        let finding = self.finding(Severity::Warn, reason, detail);
        self.warnings.push(finding);
    }

    fn reject(&self, reason: &'static str, detail: String) -> Finding {
        self.finding(Severity::Reject, reason, detail)
    }
}

fn optional(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

/// Validates one record against the rules of legacy-import.md §6.
pub fn validate(raw: &RawRecord<'_>, mapping: &Mapping, now: i64, strict: Strictness) -> Validated {
    let mut ctx = Ctx {
        raw,
        warnings: Vec::new(),
    };
    let outcome = candidate(&mut ctx, mapping, now, strict);
    Validated {
        outcome,
        warnings: ctx.warnings,
    }
}

fn candidate(
    ctx: &mut Ctx<'_>,
    mapping: &Mapping,
    now: i64,
    strict: Strictness,
) -> Result<Candidate, Finding> {
    let raw = ctx.raw;
    if let Some(problem) = &raw.problem {
        return Err(match problem {
            StructureProblem::WrongColumnCount { found, expected } => ctx.reject(
                "wrong_column_count",
                format!("{found} columns, the header has {expected}"),
            ),
            StructureProblem::MalformedJson => {
                ctx.reject("malformed_json", "not one JSON object".into())
            }
            StructureProblem::InvalidUtf8 { column } => {
                ctx.reject("invalid_utf8", format!("{column} is not UTF-8"))
            }
        });
    }
    let legacy_id = raw.get(Field::LegacyId).to_owned();
    if legacy_id.is_empty() {
        return Err(ctx.reject("legacy_id_missing", "no legacy id".into()));
    }
    let username = login(ctx)?;
    let (pinfl, pinfl_birth) = pinfl(ctx, mapping, strict)?;
    let birthdate = birth_date(ctx, mapping)?;
    if let (Some(from_pinfl), Some(given)) = (pinfl_birth, birthdate)
        && from_pinfl != given
    {
        ctx.warn(
            "birth_date_mismatch",
            format!("birth date {} disagrees with the PINFL", given.iso()),
        );
    }
    let passport = match normalize_passport(raw.get(Field::Passport)) {
        Ok(passport) => passport,
        Err(other) if other.is_empty() => other,
        Err(other) => {
            ctx.warn("passport_format", "not two letters and seven digits".into());
            other
        }
    };
    let phone = match raw.get(Field::Phone) {
        "" => None,
        text => normalize_phone(text).or_else(|| {
            ctx.warn(
                "phone_unparseable",
                "not +998 and nine digits; imported without phone".into(),
            );
            None
        }),
    };
    let email = match raw.get(Field::Email) {
        "" => None,
        text => normalize_email(text).or_else(|| {
            ctx.warn(
                "email_invalid",
                "not an e-mail address; imported without e-mail".into(),
            );
            None
        }),
    };
    let (scheme, password_hash) = password(ctx)?;
    let status = status(ctx, mapping)?;
    let created_at = match raw.get(Field::Created) {
        "" => now,
        text => parse_timestamp(text, mapping.created_utc_offset).unwrap_or_else(|| {
            ctx.warn(
                "created_invalid",
                "creation time unreadable; import time used".into(),
            );
            now
        }),
    };
    let mut candidate = Candidate {
        line: raw.line,
        record: raw.record,
        legacy_id,
        username,
        pinfl,
        email,
        phone,
        given_name: optional(raw.get(Field::GivenName)),
        family_name: optional(raw.get(Field::FamilyName)),
        middle_name: optional(raw.get(Field::MiddleName)),
        birthdate: birthdate.map(|d| d.iso()),
        password_hash,
        scheme,
        status,
        created_at,
        digest: Vec::new(),
    };
    candidate.digest = digest(&candidate, &passport, raw.get(Field::Created));
    Ok(candidate)
}

/// Lower-case; 3–64 of `a-z 0-9 . _ -`, not only digits (the rule `yagona users create` uses).
fn login(ctx: &mut Ctx<'_>) -> Result<String, Finding> {
    let login = ctx.raw.get(Field::Login).to_lowercase();
    if login.is_empty() {
        return Err(ctx.reject("login_empty", "no login".into()));
    }
    let ok = (3..=64).contains(&login.len())
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && !login.chars().all(|c| c.is_ascii_digit());
    if ok {
        Ok(login)
    } else {
        Err(ctx.reject(
            "login_invalid",
            "3-64 characters: latin letters, digits, '.', '_' or '-', not only digits".into(),
        ))
    }
}

type PinflParts = (Option<String>, Option<Date>);

fn pinfl(ctx: &mut Ctx<'_>, mapping: &Mapping, strict: Strictness) -> Result<PinflParts, Finding> {
    let text = ctx.raw.get(Field::Pinfl);
    if text.is_empty() {
        return Ok((None, None));
    }
    if !is_pinfl(text) {
        return Err(ctx.reject(
            "pinfl_malformed",
            format!("not 14 digits ({} characters)", text.chars().count()),
        ));
    }
    if strict.lenient_pinfl {
        return Ok((Some(text.to_owned()), None));
    }
    let facts = pinfl_facts(text);
    for problem in &facts.problems {
        let detail = match *problem {
            "pinfl_check_digit" => "check digit does not match",
            _ => "century, birth date, area or serial digits are not plausible",
        };
        ctx.warn(problem, format!("{} {detail}", fields::mask_pinfl(text)));
    }
    let sex = ctx.raw.get(Field::Sex);
    let declared_male = if sex == mapping.sex_male {
        Some(true)
    } else if sex == mapping.sex_female {
        Some(false)
    } else {
        None
    };
    if let (Some(declared), Some(from_pinfl)) = (declared_male, facts.male)
        && declared != from_pinfl
    {
        ctx.warn(
            "sex_mismatch",
            "sex disagrees with the PINFL's first digit".into(),
        );
    }
    Ok((Some(text.to_owned()), facts.birth_date))
}

fn birth_date(ctx: &mut Ctx<'_>, mapping: &Mapping) -> Result<Option<Date>, Finding> {
    let text = ctx.raw.get(Field::BirthDate);
    if text.is_empty() {
        return Ok(None);
    }
    let parsed = match mapping.birth_date_format {
        DateFormat::DayMonthYear => parse_dotted_date(text),
        DateFormat::Iso => parse_iso_date(text),
    };
    match parsed {
        Ok(Some(date)) => Ok(Some(date)),
        Ok(None) => Err(ctx.reject("birth_date_invalid", format!("{text:?} is not a date"))),
        Err(()) => Err(ctx.reject(
            "birth_date_impossible",
            format!("{text} is not a calendar date"),
        )),
    }
}

fn password(ctx: &mut Ctx<'_>) -> Result<(String, Option<String>), Finding> {
    let raw = ctx.raw;
    let scheme = raw.get(Field::HashAlgo).to_ascii_lowercase();
    let hash = raw.get(Field::PasswordHash);
    if (scheme == "none" || scheme.is_empty()) && hash.is_empty() {
        return Ok(("none".into(), None));
    }
    match encode_legacy(&scheme, hash, raw.get(Field::Salt)) {
        Ok(stored) => Ok((scheme, Some(stored))),
        Err(LegacyHashError::UnknownScheme(name)) => Err(ctx.reject(
            "hash_algo_unknown",
            format!("password scheme {name:?} is not supported"),
        )),
        Err(error) => Err(ctx.reject("hash_malformed", error.to_string())),
    }
}

fn status(ctx: &mut Ctx<'_>, mapping: &Mapping) -> Result<LegacyStatus, Finding> {
    let text = ctx.raw.get(Field::Status);
    let is = |values: &[String]| values.iter().any(|v| v.eq_ignore_ascii_case(text));
    if is(&mapping.status_active) {
        Ok(LegacyStatus::Active)
    } else if is(&mapping.status_blocked) {
        Ok(LegacyStatus::Blocked)
    } else if is(&mapping.status_deleted) {
        Ok(LegacyStatus::Deleted)
    } else {
        Err(ctx.reject("status_unknown", format!("status {text:?} is not known")))
    }
}

/// SHA-256 over the normalised values, separated by a unit separator (U+001F). The creation
/// time enters as written, so a missing one (replaced by the import time) digests the same on
/// every run.
fn digest(c: &Candidate, passport: &str, created: &str) -> Vec<u8> {
    let none = String::new();
    let parts = [
        &c.legacy_id,
        &c.username,
        c.pinfl.as_ref().unwrap_or(&none),
        c.email.as_ref().unwrap_or(&none),
        c.phone.as_ref().unwrap_or(&none),
        c.given_name.as_ref().unwrap_or(&none),
        c.family_name.as_ref().unwrap_or(&none),
        c.middle_name.as_ref().unwrap_or(&none),
        c.birthdate.as_ref().unwrap_or(&none),
        &passport.to_owned(),
        c.password_hash.as_ref().unwrap_or(&none),
        &c.status.as_str().to_owned(),
        &created.to_owned(),
    ];
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    for part in parts {
        context.update(part.as_bytes());
        context.update(b"\x1f");
    }
    context.finish().as_ref().to_vec()
}

#[cfg(test)]
mod tests;
