//! File-system side of the key ring: the signing directory (0700), private key files (0600,
//! never overwritten) and atomic manifest replacement. Every error names its path.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};

use rsa::pkcs8::der::zeroize::Zeroizing;

use super::KeyError;

/// Name of the private-key subfolder of the keys directory.
const SIGNING_SUBDIR: &str = "signing";

/// `dir/signing`.
pub(super) fn signing_dir(keys_dir: &Path) -> PathBuf {
    keys_dir.join(SIGNING_SUBDIR)
}

/// Creates `keys_dir/signing` if needed (mode 0700 on unix) and returns its path.
pub(super) fn ensure_signing_dir(keys_dir: &Path) -> Result<PathBuf, KeyError> {
    let dir = signing_dir(keys_dir);
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&dir).map_err(io_error(&dir))?;
    Ok(dir)
}

/// The file's text, or `None` if it does not exist.
pub(super) fn read_optional_string(path: &Path) -> Result<Option<String>, KeyError> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(None),
        Err(error) => Err(io_error(path)(error)),
    }
}

/// Reads a private key file; its buffer is wiped when dropped. Warns if group or others may
/// read it.
pub(super) fn read_private_key(path: &Path) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let contents = Zeroizing::new(fs::read(path).map_err(io_error(path))?);
    warn_if_readable_by_others(path);
    Ok(contents)
}

/// Creates a new private key file with mode 0600 (unix) and writes `contents` to disk. Fails
/// rather than overwrite an existing file.
pub(super) fn write_private_key(path: &Path, contents: &[u8]) -> Result<(), KeyError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io_error(path))?;
    write_and_sync(&mut file, contents).map_err(io_error(path))
}

/// Replaces `path` with `contents` through a temporary file and a rename, so readers see
/// either the old or the new file, never a partial one.
pub(super) fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), KeyError> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    let mut file = File::create(&temporary).map_err(io_error(&temporary))?;
    write_and_sync(&mut file, contents).map_err(io_error(&temporary))?;
    fs::rename(&temporary, path).map_err(io_error(path))
}

fn write_and_sync(file: &mut File, contents: &[u8]) -> std::io::Result<()> {
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    if let Ok(metadata) = fs::metadata(path) {
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(path = %path.display(), mode = format!("{mode:o}"),
                "signing key file is accessible to group or others; chmod 600 it");
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

/// Maps an I/O error to [`KeyError::Io`] naming `path`.
pub(super) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    }
}
