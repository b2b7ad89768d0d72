//! The key manifest, `keys/signing/keys.toml`: which key files exist, their algorithm, kid,
//! creation time and retire time. Status is not stored; it follows from `retire_at` and `now`.
//!
//! ```toml
//! version = 1
//!
//! [[keys]]
//! file = "rs256-1767225600-NzbLsXh8uDCc.pem"
//! alg = "RS256"
//! kid = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
//! created_at = 1767225600
//! retire_at = 1768435200   # absent while the key is active
//! ```

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{KeyError, KeyInfo, KeyStatus, SigningAlg, files};
use crate::clock::UnixTime;

/// File name of the manifest inside the signing directory.
const MANIFEST_FILE: &str = "keys.toml";
/// The only manifest format this code reads and writes.
const FORMAT_VERSION: u32 = 1;
/// Written above the entries so an operator opening the file knows what it is.
const MANIFEST_PREAMBLE: &str = "# Yagona ID signing-key manifest. Edit with care: the server and its key commands write it.\n\
# A key without retire_at is active; with retire_at it is retiring until that Unix time,\n\
# then retired. kid is the RFC 7638 thumbprint of the key in `file`.\n\n";

/// The parsed manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Manifest {
    version: u32,
    #[serde(default)]
    pub(super) keys: Vec<ManifestEntry>,
}

/// One key of the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ManifestEntry {
    /// File name (no directory part) inside the signing directory.
    pub(super) file: String,
    pub(super) alg: SigningAlg,
    pub(super) kid: String,
    pub(super) created_at: UnixTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) retire_at: Option<UnixTime>,
}

impl ManifestEntry {
    /// The key's status at `now`.
    pub(super) fn status(&self, now: UnixTime) -> KeyStatus {
        match self.retire_at {
            None => KeyStatus::Active,
            Some(retire_at) if now < retire_at => KeyStatus::Retiring,
            Some(_) => KeyStatus::Retired,
        }
    }

    /// The public description of this entry at `now`.
    pub(super) fn info(&self, signing_dir: &Path, now: UnixTime) -> KeyInfo {
        KeyInfo {
            kid: self.kid.clone(),
            alg: self.alg,
            status: self.status(now),
            created_at: self.created_at,
            retire_at: self.retire_at,
            file: signing_dir.join(&self.file),
        }
    }
}

impl Manifest {
    /// Reads and validates the manifest of `signing_dir`; a missing file is an empty manifest.
    pub(super) fn read(signing_dir: &Path) -> Result<Self, KeyError> {
        let path = manifest_path(signing_dir);
        let Some(text) = files::read_optional_string(&path)? else {
            return Ok(Self::empty());
        };
        let manifest: Self = toml::from_str(&text).map_err(|error| KeyError::Manifest {
            path: path.clone(),
            reason: error.to_string(),
        })?;
        manifest.validate(&path)?;
        Ok(manifest)
    }

    /// Validates and atomically replaces the manifest of `signing_dir`.
    pub(super) fn write(&self, signing_dir: &Path) -> Result<(), KeyError> {
        let path = manifest_path(signing_dir);
        self.validate(&path)?;
        let body = toml::to_string(self).map_err(|error| KeyError::Manifest {
            path: path.clone(),
            reason: error.to_string(),
        })?;
        files::write_atomically(&path, format!("{MANIFEST_PREAMBLE}{body}").as_bytes())
    }

    /// The active entry (no `retire_at`) for `alg`, if any.
    pub(super) fn active_entry(&self, alg: SigningAlg) -> Option<&ManifestEntry> {
        self.keys
            .iter()
            .find(|entry| entry.alg == alg && entry.retire_at.is_none())
    }

    /// Gives every active key the retire time `retire_at`, making it retiring.
    pub(super) fn retire_active(&mut self, retire_at: UnixTime) {
        for entry in &mut self.keys {
            if entry.retire_at.is_none() {
                entry.retire_at = Some(retire_at);
            }
        }
    }

    fn empty() -> Self {
        Self {
            version: FORMAT_VERSION,
            keys: Vec::new(),
        }
    }

    /// Checks the format version, that file names stay inside the signing directory, that
    /// kids and files are unique, and that each algorithm has at most one active key.
    fn validate(&self, path: &Path) -> Result<(), KeyError> {
        let invalid = |reason: String| KeyError::Manifest {
            path: path.to_path_buf(),
            reason,
        };
        if self.version != FORMAT_VERSION {
            return Err(invalid(format!(
                "unsupported version {} (expected {FORMAT_VERSION})",
                self.version
            )));
        }
        let mut kids = HashSet::new();
        let mut file_names = HashSet::new();
        let mut active_algs = HashSet::new();
        for entry in &self.keys {
            if !is_plain_file_name(&entry.file) {
                return Err(invalid(format!(
                    "file {:?} is not a plain file name",
                    entry.file
                )));
            }
            if entry.kid.is_empty() || !kids.insert(entry.kid.as_str()) {
                return Err(invalid(format!("kid {:?} is empty or repeated", entry.kid)));
            }
            if !file_names.insert(entry.file.as_str()) {
                return Err(invalid(format!("file {:?} is listed twice", entry.file)));
            }
            if entry.retire_at.is_none() && !active_algs.insert(entry.alg) {
                return Err(invalid(format!("more than one active {} key", entry.alg)));
            }
        }
        Ok(())
    }
}

fn manifest_path(signing_dir: &Path) -> PathBuf {
    signing_dir.join(MANIFEST_FILE)
}

/// A name of a file directly inside the signing directory: no separators, not hidden, not `..`.
fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\'])
        && Path::new(name).file_name() == Some(std::ffi::OsStr::new(name))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn entry(file: &str, alg: SigningAlg, kid: &str, retire_at: Option<i64>) -> ManifestEntry {
        ManifestEntry {
            file: file.to_owned(),
            alg,
            kid: kid.to_owned(),
            created_at: 100,
            retire_at,
        }
    }

    fn manifest(keys: Vec<ManifestEntry>) -> Manifest {
        Manifest {
            version: FORMAT_VERSION,
            keys,
        }
    }

    #[test]
    fn status_follows_retire_at() {
        let active = entry("a.pem", SigningAlg::RS256, "a", None);
        let retiring = entry("b.pem", SigningAlg::RS256, "b", Some(200));
        assert_eq!(active.status(1_000), KeyStatus::Active);
        assert_eq!(retiring.status(199), KeyStatus::Retiring);
        assert_eq!(retiring.status(200), KeyStatus::Retired);
    }

    #[test]
    fn round_trips_through_toml() {
        let dir = tempfile::tempdir().unwrap();
        let written = manifest(vec![
            entry("a.pem", SigningAlg::RS256, "a", Some(500)),
            entry("b.pem", SigningAlg::ES256, "b", None),
        ]);
        written.write(dir.path()).unwrap();
        assert_eq!(Manifest::read(dir.path()).unwrap(), written);
    }

    #[test]
    fn missing_manifest_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Manifest::read(dir.path()).unwrap().keys.is_empty());
    }

    #[test]
    fn rejects_path_traversal_duplicates_and_two_active_keys() {
        let dir = tempfile::tempdir().unwrap();
        let bad = [
            manifest(vec![entry("../x.pem", SigningAlg::RS256, "a", None)]),
            manifest(vec![entry("/etc/x.pem", SigningAlg::RS256, "a", None)]),
            manifest(vec![
                entry("a.pem", SigningAlg::RS256, "a", Some(1)),
                entry("b.pem", SigningAlg::ES256, "a", None),
            ]),
            manifest(vec![
                entry("a.pem", SigningAlg::RS256, "a", None),
                entry("b.pem", SigningAlg::RS256, "b", None),
            ]),
        ];
        for manifest in bad {
            let error = manifest.write(dir.path()).unwrap_err();
            assert!(matches!(error, KeyError::Manifest { .. }), "{error}");
        }
    }

    #[test]
    fn rejects_unknown_version_and_fields_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(MANIFEST_FILE);
        for text in ["version = 2\n", "version = 1\nsurprise = true\n"] {
            std::fs::write(&path, text).unwrap();
            let error = Manifest::read(dir.path()).unwrap_err();
            assert!(error.to_string().contains("keys.toml"), "{error}");
        }
    }
}
