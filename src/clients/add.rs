//! Registering a new client from the command line (`yagona clients add`).

use std::fs::OpenOptions;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::file::ClientFileError;
use super::{AuthMethod, Client, ClientRegistry, GrantType, SecretDigest};
use crate::keys::SigningAlg;

/// The metadata of a client to register, as given to `yagona clients add`.
#[derive(Debug, Clone)]
pub struct NewClient {
    pub client_id: String,
    pub client_name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub grant_types: Vec<GrantType>,
    pub auth_method: AuthMethod,
    /// Space-separated scopes the client may ask for.
    pub scope: String,
    pub first_party: bool,
    pub id_token_alg: SigningAlg,
}

/// The file as written: the same names as the file format, so it reads back unchanged.
#[derive(Serialize)]
struct FileToWrite<'a> {
    client_id: &'a str,
    client_name: &'a str,
    redirect_uris: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    post_logout_redirect_uris: &'a [String],
    grant_types: Vec<&'static str>,
    token_endpoint_auth_method: &'static str,
    scope: &'a str,
    id_token_signed_response_alg: &'static str,
    first_party: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret_sha256: Option<String>,
}

const FILE_HEADER: &str = "# Written by `yagona clients add`. The fields are described in \
                           README.md in this directory.\n\n";

/// Validates `new`, writes `<dir>/<client_id>.toml` (never overwriting a file, and refusing a
/// `client_id` another file already registers) and returns the file's path. For
/// `client_secret_basic` and `client_secret_post` it generates a 256-bit secret, stores only
/// its SHA-256 digest and returns the secret, to be shown once.
///
/// `private_key_jwt` clients are refused: their keys (`jwks` or `jwks_uri`) are added to the
/// file by hand.
pub fn add_client(
    dir: &Path,
    new: &NewClient,
) -> Result<(PathBuf, Option<String>), ClientFileError> {
    let path = dir.join(format!("{}.toml", new.client_id));
    check_file_name(&new.client_id).map_err(|m| ClientFileError::field(&path, "client_id", m))?;
    if new.auth_method == AuthMethod::PrivateKeyJwt {
        return Err(ClientFileError::field(
            &path,
            "token_endpoint_auth_method",
            "private_key_jwt clients need their public keys (jwks or jwks_uri): write the file \
             by hand as described in clients/README.md",
        ));
    }
    let secret = new
        .auth_method
        .uses_secret()
        .then(crate::crypto::random_token);
    let text = render(new, secret.as_deref().map(SecretDigest::of))
        .map_err(|m| ClientFileError::whole(&path, m))?;
    // Exactly the validation start-up will apply to the file.
    Client::from_toml(&path, &text)?;
    let existing = ClientRegistry::load_dir(dir)?;
    if existing.get(&new.client_id).is_some() {
        return Err(ClientFileError::field(
            &path,
            "client_id",
            format!(
                "{:?} is already registered in {}",
                new.client_id,
                dir.display()
            ),
        ));
    }
    write_new_file(dir, &path, &text).map_err(|e| ClientFileError::whole(&path, e))?;
    Ok((path, secret))
}

/// Client ids become file names: ASCII letters, digits, `.`, `_` and `-`, not starting with a
/// dot or a dash, at most 128 characters.
fn check_file_name(client_id: &str) -> Result<(), String> {
    let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    let starts_badly = client_id.starts_with(['.', '-']);
    if client_id.is_empty() || client_id.len() > 128 || starts_badly || !client_id.chars().all(safe)
    {
        return Err(format!(
            "{client_id:?} cannot be used as a file name: use 1 to 128 ASCII letters, digits, \
             '.', '_' or '-', not starting with '.' or '-'"
        ));
    }
    Ok(())
}

fn render(new: &NewClient, digest: Option<SecretDigest>) -> Result<String, String> {
    let file = FileToWrite {
        client_id: &new.client_id,
        client_name: &new.client_name,
        redirect_uris: &new.redirect_uris,
        post_logout_redirect_uris: &new.post_logout_redirect_uris,
        grant_types: new.grant_types.iter().map(|g| g.as_str()).collect(),
        token_endpoint_auth_method: new.auth_method.as_str(),
        scope: &new.scope,
        id_token_signed_response_alg: new.id_token_alg.as_str(),
        first_party: new.first_party,
        client_secret_sha256: digest.map(|d| d.to_hex()),
    };
    let body = toml::to_string(&file).map_err(|e| format!("cannot write TOML: {e}"))?;
    Ok(format!("{FILE_HEADER}{body}"))
}

/// Creates the directory if needed and the file, failing if the file exists.
fn write_new_file(dir: &Path, path: &Path, text: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => {
                "the file already exists; not overwriting it".to_owned()
            }
            _ => format!("cannot create: {e}"),
        })?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("cannot write: {e}"))
}
