//! The import report: totals by outcome, password scheme, status and reason, and every rejected
//! or doubtful row with its line, legacy id and reason. PINFLs appear only masked.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The row is not imported.
    Reject,
    /// The row is held until an operator resolves it (conflicts-resolution file).
    Conflict,
    /// The row is imported; something about it is reported.
    Warn,
}

/// One rejected or doubtful row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub line: u64,
    pub record: u64,
    pub legacy_id: String,
    pub severity: Severity,
    /// A stable code, e.g. `pinfl_malformed`, `duplicate_pinfl`, `email_shared`.
    pub reason: &'static str,
    /// Human-readable detail; never a clear PINFL, password or hash.
    pub detail: String,
}

/// What happened to the rows, by outcome. Every record is in exactly one of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcomes {
    /// Imported by this run (or, when resumed, by the interrupted run it continues).
    pub new: u64,
    /// Imported before with the same content: nothing to do.
    pub unchanged: u64,
    /// Imported before with other content: reported, not applied.
    pub changed: u64,
    /// An operator chose to skip it: its legacy id is recorded, no account made.
    pub skipped: u64,
    pub rejected: u64,
    /// Held: same PINFL on several legacy accounts or on an existing account.
    pub conflict: u64,
}

impl Outcomes {
    pub fn total(&self) -> u64 {
        self.new + self.unchanged + self.changed + self.skipped + self.rejected + self.conflict
    }

    pub fn add(&mut self, other: &Outcomes) {
        self.new += other.new;
        self.unchanged += other.unchanged;
        self.changed += other.changed;
        self.skipped += other.skipped;
        self.rejected += other.rejected;
        self.conflict += other.conflict;
    }
}

/// One group of legacy accounts sharing a PINFL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConflictGroup {
    pub pinfl_masked: String,
    /// `(line, legacy id)` of every member, in file order.
    pub members: Vec<(u64, String)>,
}

/// The whole report, written as JSON by `--report` and summarised on standard output.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub file: String,
    pub source: String,
    pub file_sha256: String,
    pub dry_run: bool,
    /// Set when this run continued an interrupted one after this record.
    pub resumed_after_record: Option<u64>,
    pub records: u64,
    pub outcomes: Outcomes,
    /// Valid rows by the export's password scheme; `none` will need a password reset.
    pub password_schemes: BTreeMap<String, u64>,
    /// Accounts (new in this run) without a usable password, flagged `must_reset_password`.
    pub needs_password_reset: u64,
    /// Valid rows by legacy status (`active`, `blocked`, `deleted`).
    pub statuses: BTreeMap<String, u64>,
    pub rejections_by_reason: BTreeMap<String, u64>,
    pub warnings_by_reason: BTreeMap<String, u64>,
    /// Unresolved PINFL conflicts (see `--conflicts-resolution`).
    pub conflicts: Vec<ConflictGroup>,
    /// Every rejected, held or doubtful row, by line.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Adds findings, counting them by reason.
    pub fn add_findings(&mut self, findings: impl IntoIterator<Item = Finding>) {
        for finding in findings {
            let counter = match finding.severity {
                Severity::Reject => &mut self.rejections_by_reason,
                Severity::Conflict | Severity::Warn => &mut self.warnings_by_reason,
            };
            *counter.entry(finding.reason.to_owned()).or_default() += 1;
            self.findings.push(finding);
        }
    }

    /// Sorts the findings by line (then severity) for reading.
    pub fn sort(&mut self) {
        self.findings.sort_by_key(|f| (f.record, f.severity));
    }

    pub fn write_json(&self, path: &Path) -> std::io::Result<()> {
        let file = std::io::BufWriter::new(std::fs::File::create(path)?);
        serde_json::to_writer_pretty(file, self).map_err(std::io::Error::other)
    }

    /// A few lines for the terminal.
    pub fn summary(&self) -> String {
        let o = &self.outcomes;
        let mut text = format!(
            "{} {} records from {}{}\n\
             new {}  unchanged {}  changed (not applied) {}  skipped {}  rejected {}  conflict {}\n",
            if self.dry_run { "dry run:" } else { "import:" },
            self.records,
            self.file,
            self.resumed_after_record
                .map(|r| format!(" (resumed after record {r})"))
                .unwrap_or_default(),
            o.new,
            o.unchanged,
            o.changed,
            o.skipped,
            o.rejected,
            o.conflict,
        );
        let list = |map: &BTreeMap<String, u64>| {
            map.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        text.push_str(&format!(
            "password schemes: {}\n",
            list(&self.password_schemes)
        ));
        text.push_str(&format!("statuses: {}\n", list(&self.statuses)));
        if !self.rejections_by_reason.is_empty() {
            text.push_str(&format!("rejected: {}\n", list(&self.rejections_by_reason)));
        }
        if !self.warnings_by_reason.is_empty() {
            text.push_str(&format!("reported: {}\n", list(&self.warnings_by_reason)));
        }
        if self.needs_password_reset > 0 {
            text.push_str(&format!(
                "{} new accounts have no usable password (must_reset_password): \
                 yagona users set-password\n",
                self.needs_password_reset
            ));
        }
        if !self.conflicts.is_empty() {
            text.push_str(&format!(
                "{} PINFL conflicts wait for --conflicts-resolution\n",
                self.conflicts.len()
            ));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_are_counted_by_reason() {
        let finding = |severity, reason| Finding {
            line: 3,
            record: 2,
            legacy_id: "7".into(),
            severity,
            reason,
            detail: String::new(),
        };
        let mut report = Report::default();
        report.add_findings([
            finding(Severity::Reject, "login_empty"),
            finding(Severity::Warn, "phone_unparseable"),
            finding(Severity::Warn, "phone_unparseable"),
        ]);
        assert_eq!(report.rejections_by_reason["login_empty"], 1);
        assert_eq!(report.warnings_by_reason["phone_unparseable"], 2);
        let outcomes = Outcomes {
            new: 2,
            rejected: 1,
            ..Outcomes::default()
        };
        assert_eq!(outcomes.total(), 3);
        report.outcomes = outcomes;
        assert!(report.summary().contains("new 2"));
    }
}
