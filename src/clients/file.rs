//! Reading client files: one TOML file per client, RFC 7591 metadata names.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::validate::{FieldError, build_client};
use super::{AuthMethod, Client, ClientRegistry, GrantType};
use crate::keys::SigningAlg;

/// One client file as written, before validation. Unknown fields are refused so that a typo
/// (`redirect_uri` for `redirect_uris`) stops start-up instead of being silently ignored.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ClientFile {
    pub(super) client_id: String,
    pub(super) client_name: Option<String>,
    #[serde(default)]
    pub(super) redirect_uris: Vec<String>,
    #[serde(default)]
    pub(super) post_logout_redirect_uris: Vec<String>,
    #[serde(default = "default_grant_types")]
    pub(super) grant_types: Vec<GrantType>,
    #[serde(default = "default_auth_method")]
    pub(super) token_endpoint_auth_method: AuthMethod,
    #[serde(default = "default_scope")]
    pub(super) scope: String,
    /// A JWK Set as a TOML table (`[[jwks.keys]]`); checked in `jwks::parse_inline`.
    pub(super) jwks: Option<serde_json::Value>,
    pub(super) jwks_uri: Option<String>,
    pub(super) id_token_signed_response_alg: Option<SigningAlg>,
    pub(super) client_secret_sha256: Option<String>,
    #[serde(default)]
    pub(super) first_party: bool,
}

fn default_grant_types() -> Vec<GrantType> {
    vec![GrantType::AuthorizationCode]
}

fn default_auth_method() -> AuthMethod {
    AuthMethod::ClientSecretBasic
}

fn default_scope() -> String {
    "openid".to_owned()
}

/// A client file that cannot be used. Start-up stops with it; `Display` reads
/// `clients/portal.toml: redirect_uris: "http://x" must use https`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientFileError {
    pub file: PathBuf,
    /// The offending field, when the problem is about one field.
    pub field: Option<String>,
    pub message: String,
}

impl ClientFileError {
    pub(super) fn field(file: &Path, field: &str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }

    pub(super) fn whole(file: &Path, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            field: None,
            message: message.into(),
        }
    }

    fn from_field_error(file: &Path, error: FieldError) -> Self {
        Self::field(file, error.field, error.message)
    }
}

impl fmt::Display for ClientFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.file.display())?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ClientFileError {}

/// Parses and validates one client file's text.
pub(super) fn parse_client(file: &Path, text: &str) -> Result<Client, ClientFileError> {
    // toml's message already says where (line, column, the offending key).
    let raw: ClientFile =
        toml::from_str(text).map_err(|e| ClientFileError::whole(file, e.to_string().trim_end()))?;
    build_client(raw).map_err(|e| ClientFileError::from_field_error(file, e))
}

/// Loads every `*.toml` file of `dir`, in file-name order. A `client_id` used by two files is
/// an error on the second.
pub(super) fn load_dir(dir: &Path) -> Result<ClientRegistry, ClientFileError> {
    let paths = match client_files(dir) {
        Ok(paths) => paths,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(ClientRegistry::default()),
        Err(e) => return Err(ClientFileError::whole(dir, format!("cannot list: {e}"))),
    };
    let mut defined_in: HashMap<String, PathBuf> = HashMap::new();
    let mut clients = Vec::with_capacity(paths.len());
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| ClientFileError::whole(&path, format!("cannot read: {e}")))?;
        let client = parse_client(&path, &text)?;
        if let Some(first) = defined_in.get(&client.client_id) {
            return Err(ClientFileError::field(
                &path,
                "client_id",
                format!(
                    "{:?} is already registered in {}",
                    client.client_id,
                    first.display()
                ),
            ));
        }
        defined_in.insert(client.client_id.clone(), path);
        clients.push(client);
    }
    Ok(ClientRegistry::from_clients(clients))
}

/// The files of `dir` whose names end in `.toml`, sorted. Everything else (README.md,
/// `*.sample`, editor backups) is ignored.
fn client_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let is_toml = path.extension().is_some_and(|ext| ext == "toml");
        if is_toml && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}
