//! The conflicts-resolution file: for legacy accounts that share a PINFL, which one to import
//! (`keep`) and which to leave out (`skip`). The import writes a template listing the open
//! conflicts; an operator fills it in and passes it to the next run.
//!
//! ```toml
//! [resolve]
//! "988703" = "keep"
//! "989145" = "skip"
//! ```

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use super::report::ConflictGroup;

/// An operator's decision for one legacy id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Resolution {
    Keep,
    Skip,
}

/// Decisions by legacy id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolutions(HashMap<String, Resolution>);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResolutionFile {
    #[serde(default)]
    resolve: HashMap<String, Resolution>,
}

#[derive(Debug, thiserror::Error)]
pub enum ResolutionError {
    #[error("cannot read the conflicts-resolution file: {0}")]
    Io(#[from] std::io::Error),
    #[error("conflicts-resolution file: {0}")]
    Toml(#[from] toml::de::Error),
}

impl Resolutions {
    pub fn load(path: &Path) -> Result<Self, ResolutionError> {
        Self::parse(&std::fs::read_to_string(path)?)
    }

    pub fn parse(text: &str) -> Result<Self, ResolutionError> {
        let file: ResolutionFile = toml::from_str(text)?;
        Ok(Self(file.resolve))
    }

    /// The decisions for a group of legacy ids, when the group is fully resolved: every member
    /// has a decision and at most one is kept. `None` leaves the group in conflict.
    pub fn for_group(&self, legacy_ids: &[&str]) -> Option<Vec<Resolution>> {
        let decisions: Option<Vec<Resolution>> = legacy_ids
            .iter()
            .map(|id| self.0.get(*id).copied())
            .collect();
        decisions.filter(|d| d.iter().filter(|r| **r == Resolution::Keep).count() <= 1)
    }
}

/// A resolution file listing the open conflicts, every line commented out for the operator to
/// choose.
pub fn template(conflicts: &[ConflictGroup]) -> String {
    let mut text = String::from(
        "# yagona import: legacy accounts that share a PINFL. For each group, keep at most one\n\
         # legacy id (\"keep\") and skip the others (\"skip\"), uncomment the lines, and run the\n\
         # import again with --conflicts-resolution pointing at this file.\n[resolve]\n",
    );
    for group in conflicts {
        let lines: Vec<String> = group.members.iter().map(|(l, _)| l.to_string()).collect();
        text.push_str(&format!(
            "\n# PINFL {}, lines {}\n",
            group.pinfl_masked,
            lines.join(", ")
        ));
        for (index, (_, legacy_id)) in group.members.iter().enumerate() {
            let choice = if index == 0 { "keep" } else { "skip" };
            text.push_str(&format!("# \"{legacy_id}\" = \"{choice}\"\n"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_is_resolved_only_completely() {
        let r =
            Resolutions::parse("[resolve]\n\"1\" = \"keep\"\n\"2\" = \"skip\"\n\"3\" = \"keep\"\n")
                .unwrap();
        assert_eq!(
            r.for_group(&["1", "2"]),
            Some(vec![Resolution::Keep, Resolution::Skip])
        );
        assert_eq!(r.for_group(&["1", "4"]), None);
        assert_eq!(r.for_group(&["1", "3"]), None);
        assert!(Resolutions::parse("[resolve]\n\"1\" = \"merge\"\n").is_err());
    }

    #[test]
    fn the_template_parses_once_uncommented() {
        let text = template(&[ConflictGroup {
            pinfl_masked: "3***********48".into(),
            members: vec![(82, "988703".into()), (408, "989145".into())],
        }]);
        assert!(text.contains("3***********48"));
        let uncommented = text.replace("# \"", "\"");
        let r = Resolutions::parse(&uncommented).unwrap();
        assert_eq!(
            r.for_group(&["988703", "989145"]),
            Some(vec![Resolution::Keep, Resolution::Skip])
        );
    }
}
