//! The first pass over the file: every record validated, the file's SHA-256 computed, and the
//! decisions that need the whole file — duplicate legacy ids, legacy accounts sharing a PINFL
//! (held as conflicts unless resolved), a login used twice, and e-mail addresses and phones
//! shared by several accounts (kept on the first, dropped from the later ones). The second
//! pass (`writer`) applies these decisions, so the outcome of a record never depends on where
//! a chunk boundary or an interrupted run fell.

use super::fields::mask_pinfl;
use super::hash::{FastMap, FastSet};
use super::read::{ReadError, for_each_record};
use super::report::{ConflictGroup, Finding, Report, Severity};
use super::resolution::{Resolution, Resolutions};
use super::validate::{Strictness, validate};
use super::{ImportOptions, Progress};

/// What the second pass does with a valid record besides importing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Not imported: a conflict or a file-level rejection (already reported).
    Hold,
    /// An operator resolved a conflict by skipping this legacy id.
    Skip,
}

/// The result of the first pass.
#[derive(Debug, Default)]
pub struct Plan {
    pub file_sha256: Vec<u8>,
    pub records: u64,
    pub decisions: FastMap<u64, Decision>,
    pub drop_email: FastSet<u64>,
    pub drop_phone: FastSet<u64>,
    /// Findings, rejections and conflicts of the whole file; schemes and statuses of the rows
    /// to import.
    pub report: Report,
}

/// A valid record, remembered for the cross-record checks.
struct Seen {
    record: u64,
    line: u64,
    legacy_id: Box<str>,
    username: Box<str>,
    pinfl: Option<Box<str>>,
    email: Option<Box<str>>,
    phone: Option<Box<str>>,
    scheme: Box<str>,
    status: &'static str,
}

impl Seen {
    fn finding(&self, severity: Severity, reason: &'static str, detail: String) -> Finding {
        Finding {
            line: self.line,
            record: self.record,
            legacy_id: self.legacy_id.to_string(),
            severity,
            reason,
            detail,
        }
    }
}

/// Reads and validates the whole file once.
pub fn plan(
    options: &ImportOptions,
    resolutions: &Resolutions,
    now: i64,
    progress: &Progress,
) -> Result<Plan, ReadError> {
    let mut plan = Plan::default();
    let mut seen: Vec<Seen> = Vec::new();
    let mut owners: FastSet<Box<str>> = FastSet::default();
    let mut hash = ring::digest::Context::new(&ring::digest::SHA256);
    let strict = Strictness {
        lenient_pinfl: options.lenient_pinfl,
    };
    let mut findings = Vec::new();
    for_each_record(
        &options.file,
        options.format,
        &options.mapping,
        Some(&mut hash),
        |raw| {
            plan.records += 1;
            progress.scanned(plan.records);
            let verdict = validate(&raw, &options.mapping, now, strict);
            findings.extend(verdict.warnings);
            let first_owner = owners.insert(raw.get(super::Field::LegacyId).into());
            match verdict.outcome {
                Err(rejection) => findings.push(rejection),
                Ok(c) if !first_owner => {
                    plan.decisions.insert(c.record, Decision::Hold);
                    findings.push(Finding {
                        line: c.line,
                        record: c.record,
                        legacy_id: c.legacy_id,
                        severity: Severity::Reject,
                        reason: "duplicate_legacy_id",
                        detail: "the same legacy id appears earlier in the file".into(),
                    });
                }
                Ok(c) => seen.push(Seen {
                    record: c.record,
                    line: c.line,
                    legacy_id: c.legacy_id.into(),
                    username: c.username.into(),
                    pinfl: c.pinfl.map(Into::into),
                    email: c.email.map(Into::into),
                    phone: c.phone.map(Into::into),
                    scheme: c.scheme.into(),
                    status: c.status.as_str(),
                }),
            }
            true
        },
    )?;
    plan.file_sha256 = hash.finish().as_ref().to_vec();
    plan.report.outcomes.rejected = findings
        .iter()
        .filter(|f| f.severity == Severity::Reject)
        .count() as u64;
    plan.report.add_findings(findings);
    pinfl_conflicts(&mut plan, &seen, resolutions);
    duplicate_logins(&mut plan, &seen);
    shared_contacts(&mut plan, &seen);
    for row in seen
        .iter()
        .filter(|r| !plan.decisions.contains_key(&r.record))
    {
        *plan
            .report
            .password_schemes
            .entry(row.scheme.to_string())
            .or_default() += 1;
        *plan
            .report
            .statuses
            .entry(row.status.to_owned())
            .or_default() += 1;
    }
    plan.report.records = plan.records;
    Ok(plan)
}

/// Index lists of rows sharing a value, for values held by more than one row, in file order.
fn groups<'a>(rows: impl Iterator<Item = (usize, &'a str)>) -> Vec<Vec<usize>> {
    let mut by_value: FastMap<&str, Vec<usize>> = FastMap::default();
    let mut order = Vec::new();
    for (index, value) in rows {
        let members = by_value.entry(value).or_default();
        if members.len() == 1 {
            order.push(value);
        }
        members.push(index);
    }
    order
        .into_iter()
        .filter_map(|value| by_value.remove(value))
        .collect()
}

fn pinfl_conflicts(plan: &mut Plan, seen: &[Seen], resolutions: &Resolutions) {
    let with_pinfl = seen
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.pinfl.as_deref().map(|p| (i, p)));
    let mut findings = Vec::new();
    for group in groups(with_pinfl) {
        let ids: Vec<&str> = group.iter().map(|i| &*seen[*i].legacy_id).collect();
        if let Some(decisions) = resolutions.for_group(&ids) {
            for (index, decision) in group.iter().zip(decisions) {
                if decision == Resolution::Skip {
                    plan.decisions.insert(seen[*index].record, Decision::Skip);
                }
            }
            continue;
        }
        let pinfl = seen[group[0]].pinfl.as_deref().unwrap_or_default();
        let members: Vec<(u64, String)> = group
            .iter()
            .map(|i| (seen[*i].line, seen[*i].legacy_id.to_string()))
            .collect();
        for index in &group {
            let row = &seen[*index];
            let others: Vec<String> = members
                .iter()
                .filter(|(_, id)| **id != *row.legacy_id)
                .map(|(line, id)| format!("{id} (line {line})"))
                .collect();
            findings.push(row.finding(
                Severity::Conflict,
                "duplicate_pinfl",
                format!(
                    "PINFL {} also on legacy id {}",
                    mask_pinfl(pinfl),
                    others.join(", ")
                ),
            ));
            plan.decisions.insert(row.record, Decision::Hold);
        }
        plan.report.conflicts.push(ConflictGroup {
            pinfl_masked: mask_pinfl(pinfl),
            members,
        });
    }
    plan.report.outcomes.conflict += findings.len() as u64;
    plan.report.add_findings(findings);
}

/// Rows still to be imported (not held, not skipped).
fn importable<'a>(plan: &'a Plan, seen: &'a [Seen]) -> impl Iterator<Item = (usize, &'a Seen)> {
    seen.iter()
        .enumerate()
        .filter(|(_, r)| !plan.decisions.contains_key(&r.record))
}

fn duplicate_logins(plan: &mut Plan, seen: &[Seen]) {
    let logins: Vec<(usize, &str)> = importable(plan, seen)
        .map(|(i, r)| (i, &*r.username))
        .collect();
    let mut findings = Vec::new();
    for group in groups(logins.into_iter()) {
        let first = &seen[group[0]];
        for index in &group[1..] {
            let row = &seen[*index];
            findings.push(row.finding(
                Severity::Reject,
                "duplicate_login",
                format!(
                    "login already used by legacy id {} (line {})",
                    first.legacy_id, first.line
                ),
            ));
            plan.decisions.insert(row.record, Decision::Hold);
        }
    }
    plan.report.outcomes.rejected += findings.len() as u64;
    plan.report.add_findings(findings);
}

/// A shared e-mail or phone stays on the first account that has it and is dropped from the
/// later ones; every one of them is reported.
fn shared_contacts(plan: &mut Plan, seen: &[Seen]) {
    let mut findings = Vec::new();
    for (reason, field) in [("email_shared", true), ("phone_shared", false)] {
        let values: Vec<(usize, &str)> = importable(plan, seen)
            .filter_map(|(i, r)| {
                let value = if field { &r.email } else { &r.phone };
                value.as_deref().map(|v| (i, v))
            })
            .collect();
        for group in groups(values.into_iter()) {
            let first = &seen[group[0]];
            let later: Vec<String> = group[1..]
                .iter()
                .map(|i| format!("{} (line {})", seen[*i].legacy_id, seen[*i].line))
                .collect();
            findings.push(first.finding(
                Severity::Warn,
                reason,
                format!("kept here; dropped from legacy id {}", later.join(", ")),
            ));
            for index in &group[1..] {
                let row = &seen[*index];
                findings.push(row.finding(
                    Severity::Warn,
                    reason,
                    format!(
                        "dropped; kept on legacy id {} (line {})",
                        first.legacy_id, first.line
                    ),
                ));
                let drops = if field {
                    &mut plan.drop_email
                } else {
                    &mut plan.drop_phone
                };
                drops.insert(row.record);
            }
        }
    }
    plan.report.add_findings(findings);
}
