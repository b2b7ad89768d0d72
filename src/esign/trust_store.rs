//! Trust anchors, intermediate CA certificates and CRLs for e-signature verification, loaded
//! from the directory layout documented in `keys/README.md`:
//!
//! ```text
//! keys/esign/roots/*.pem|*.crt|*.cer|*.der           trust anchors (required, at least one)
//! keys/esign/intermediates/*.pem|*.crt|*.cer|*.der   intermediate CA certificates (optional)
//! keys/esign/crls/*.pem|*.crl|*.der                  CRLs (optional)
//! ```
//!
//! PEM files may hold several blocks; DER files hold one certificate or CRL.

use std::path::{Path, PathBuf};

use super::certificate::{ParsedCertificate, ParsedCrl};

const CERTIFICATE_EXTENSIONS: [&str; 4] = ["pem", "crt", "cer", "der"];
const CRL_EXTENSIONS: [&str; 3] = ["pem", "crl", "der"];

/// Why the trust store could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TrustStoreError {
    /// A directory or file could not be read.
    #[error("reading {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file is not a certificate / CRL in PEM or DER.
    #[error("parsing {path}: {reason}")]
    Parse { path: PathBuf, reason: String },
    /// `roots/` holds no certificate: nothing could ever verify.
    #[error("no trust anchors in {0}")]
    NoTrustAnchors(PathBuf),
}

/// The certificates and CRLs the native verifier trusts and uses. Immutable once loaded;
/// reload by building a new one.
#[derive(Debug, Clone)]
pub struct TrustStore {
    anchors: Vec<ParsedCertificate>,
    intermediates: Vec<ParsedCertificate>,
    crls: Vec<ParsedCrl>,
}

impl TrustStore {
    /// Load `dir/roots`, `dir/intermediates` and `dir/crls` (`dir` is usually `keys/esign`).
    pub fn load(dir: &Path) -> Result<Self, TrustStoreError> {
        let roots_dir = dir.join("roots");
        let anchors = load_certificates(&roots_dir, true)?;
        if anchors.is_empty() {
            return Err(TrustStoreError::NoTrustAnchors(roots_dir));
        }
        let intermediates = load_certificates(&dir.join("intermediates"), false)?;
        let crls = load_crls(&dir.join("crls"))?;
        Ok(Self {
            anchors,
            intermediates,
            crls,
        })
    }

    /// Build a store from DER certificates and CRLs (tests, or configuration from elsewhere).
    pub fn from_der(
        anchors: &[Vec<u8>],
        intermediates: &[Vec<u8>],
        crls: &[Vec<u8>],
    ) -> Result<Self, TrustStoreError> {
        let parse_error = |reason| TrustStoreError::Parse {
            path: PathBuf::from("<memory>"),
            reason,
        };
        let certificates = |list: &[Vec<u8>]| {
            list.iter()
                .map(|der| ParsedCertificate::from_der(der.clone()).map_err(parse_error))
                .collect::<Result<Vec<_>, _>>()
        };
        let anchors = certificates(anchors)?;
        if anchors.is_empty() {
            return Err(TrustStoreError::NoTrustAnchors(PathBuf::from("<memory>")));
        }
        let intermediates = certificates(intermediates)?;
        let crls = crls
            .iter()
            .map(|der| ParsedCrl::from_der(der).map_err(parse_error))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            anchors,
            intermediates,
            crls,
        })
    }

    /// Number of trust anchors, intermediates and CRLs loaded (for the start-up log).
    pub fn counts(&self) -> (usize, usize, usize) {
        (
            self.anchors.len(),
            self.intermediates.len(),
            self.crls.len(),
        )
    }

    pub(crate) fn anchors(&self) -> &[ParsedCertificate] {
        &self.anchors
    }

    pub(crate) fn intermediates(&self) -> &[ParsedCertificate] {
        &self.intermediates
    }

    pub(crate) fn crls(&self) -> &[ParsedCrl] {
        &self.crls
    }
}

fn load_certificates(
    dir: &Path,
    required: bool,
) -> Result<Vec<ParsedCertificate>, TrustStoreError> {
    let mut certificates = Vec::new();
    for path in list_files(dir, &CERTIFICATE_EXTENSIONS, required)? {
        for der in read_blocks(&path, "CERTIFICATE")? {
            let parsed =
                ParsedCertificate::from_der(der).map_err(|reason| TrustStoreError::Parse {
                    path: path.clone(),
                    reason,
                })?;
            certificates.push(parsed);
        }
    }
    Ok(certificates)
}

fn load_crls(dir: &Path) -> Result<Vec<ParsedCrl>, TrustStoreError> {
    let mut crls = Vec::new();
    for path in list_files(dir, &CRL_EXTENSIONS, false)? {
        for der in read_blocks(&path, "X509 CRL")? {
            let parsed = ParsedCrl::from_der(&der).map_err(|reason| TrustStoreError::Parse {
                path: path.clone(),
                reason,
            })?;
            crls.push(parsed);
        }
    }
    Ok(crls)
}

/// Regular files in `dir` with one of `extensions`, sorted by name. A missing optional
/// directory is empty.
fn list_files(
    dir: &Path,
    extensions: &[&str],
    required: bool,
) -> Result<Vec<PathBuf>, TrustStoreError> {
    let io_error = |source| TrustStoreError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => return Ok(Vec::new()),
        Err(e) => return Err(io_error(e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(io_error)?.path();
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let wanted = extension.is_some_and(|e| extensions.contains(&e.as_str()));
        if wanted && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The DER blocks of a file: every PEM block labelled `label`, or the whole file as DER.
fn read_blocks(path: &Path, label: &str) -> Result<Vec<Vec<u8>>, TrustStoreError> {
    let bytes = std::fs::read(path).map_err(|source| TrustStoreError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let Some(text) = std::str::from_utf8(&bytes)
        .ok()
        .filter(|t| t.contains("-----BEGIN "))
    else {
        return Ok(vec![bytes]);
    };
    let parse_error = |reason: String| TrustStoreError::Parse {
        path: path.to_path_buf(),
        reason,
    };
    let mut blocks = Vec::new();
    for block in pem_blocks(text) {
        let (found, der) = x509_cert::der::pem::decode_vec(block.as_bytes())
            .map_err(|e| parse_error(e.to_string()))?;
        if found != label {
            return Err(parse_error(format!("PEM label {found}, expected {label}")));
        }
        blocks.push(der);
    }
    Ok(blocks)
}

/// Each `-----BEGIN …-----` … `-----END …-----` block of `text`, text between blocks ignored.
fn pem_blocks(text: &str) -> Vec<&str> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let from_begin = &rest[start..];
        let Some(end_marker) = from_begin.find("-----END ") else {
            break;
        };
        let after_end = &from_begin[end_marker + "-----END ".len()..];
        let Some(close) = after_end.find("-----") else {
            break;
        };
        let block_len = end_marker + "-----END ".len() + close + "-----".len();
        blocks.push(&from_begin[..block_len]);
        rest = &from_begin[block_len..];
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_blocks_splits_several_blocks_and_ignores_text_between() {
        let text = "comment\n-----BEGIN A-----\nQUJD\n-----END A-----\nmore\n-----BEGIN B-----\nREVG\n-----END B-----\n";
        let blocks = pem_blocks(text);
        assert_eq!(blocks.len(), 2);
        assert!(
            blocks[0].starts_with("-----BEGIN A-----") && blocks[0].ends_with("-----END A-----")
        );
        assert!(
            blocks[1].starts_with("-----BEGIN B-----") && blocks[1].ends_with("-----END B-----")
        );
    }

    #[test]
    fn missing_roots_directory_is_an_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(matches!(
            TrustStore::load(dir.path()),
            Err(TrustStoreError::Io { .. })
        ));
        std::fs::create_dir(dir.path().join("roots")).expect("mkdir");
        assert!(matches!(
            TrustStore::load(dir.path()),
            Err(TrustStoreError::NoTrustAnchors(_))
        ));
    }
}
