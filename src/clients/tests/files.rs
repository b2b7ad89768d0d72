//! Client files: parsing, defaults, and each validation rule naming the file and the field.

use std::path::Path;

use super::{TestKey, secret_sha256};
use crate::clients::{AuthMethod, Client, ClientFileError, ClientRegistry, GrantType};
use crate::keys::SigningAlg;

fn parse(toml: &str) -> Result<Client, ClientFileError> {
    Client::from_toml(Path::new("clients/portal.toml"), toml)
}

fn portal_toml() -> String {
    format!(
        r#"
        client_id = "soliq-portal"
        client_name = "Soliq qo'mitasi portali"
        redirect_uris = ["https://my.soliq.uz/oidc/callback", "http://localhost:8080/cb"]
        post_logout_redirect_uris = ["https://my.soliq.uz/"]
        grant_types = ["authorization_code", "refresh_token"]
        token_endpoint_auth_method = "client_secret_basic"
        scope = "openid profile pinfl"
        id_token_signed_response_alg = "ES256"
        client_secret_sha256 = "{}"
        first_party = true
        "#,
        secret_sha256("secret")
    )
}

#[test]
fn parses_a_good_file() {
    let client = parse(&portal_toml()).unwrap();
    assert_eq!(client.client_id, "soliq-portal");
    assert_eq!(client.client_name, "Soliq qo'mitasi portali");
    assert!(client.has_redirect_uri("https://my.soliq.uz/oidc/callback"));
    assert!(client.has_redirect_uri("http://localhost:8080/cb"));
    assert!(client.has_post_logout_redirect_uri("https://my.soliq.uz/"));
    assert_eq!(
        client.grant_types,
        [GrantType::AuthorizationCode, GrantType::RefreshToken]
    );
    assert!(client.allows_grant(GrantType::RefreshToken));
    assert!(!client.allows_grant(GrantType::ClientCredentials));
    assert_eq!(client.auth_method, AuthMethod::ClientSecretBasic);
    assert_eq!(client.scopes, ["openid", "profile", "pinfl"]);
    assert!(client.allows_scope("pinfl"));
    assert!(!client.allows_scope("email"));
    assert_eq!(client.id_token_alg, SigningAlg::ES256);
    assert!(client.first_party);
    assert!(!client.is_public());
    assert!(client.secret_digest().unwrap().matches("secret"));
}

#[test]
fn applies_defaults() {
    let client = parse(&format!(
        "client_id = \"min\"\nredirect_uris = [\"https://a.uz/cb\"]\nclient_secret_sha256 = \"{}\"",
        secret_sha256("x")
    ))
    .unwrap();
    assert_eq!(client.client_name, "min");
    assert_eq!(client.grant_types, [GrantType::AuthorizationCode]);
    assert_eq!(client.auth_method, AuthMethod::ClientSecretBasic);
    assert_eq!(client.scopes, ["openid"]);
    assert_eq!(client.id_token_alg, SigningAlg::RS256);
    assert!(!client.first_party);
    assert!(client.post_logout_redirect_uris.is_empty());
}

#[test]
fn redirect_uris_match_exactly() {
    let client = parse(&portal_toml()).unwrap();
    assert!(!client.has_redirect_uri("https://my.soliq.uz/oidc/callback/"));
    assert!(!client.has_redirect_uri("https://MY.soliq.uz/oidc/callback"));
    assert!(!client.has_redirect_uri("https://my.soliq.uz/oidc/callback?x=1"));
    assert!(!client.has_post_logout_redirect_uri("https://my.soliq.uz"));
}

#[test]
fn accepts_loopback_http_and_private_use_schemes() {
    for uri in [
        "http://localhost/cb",
        "http://127.0.0.1:9000/cb",
        "http://[::1]:9000/cb",
        "uz.gov.app:/callback",
        "https://portal.uz/cb?tenant=1",
    ] {
        let toml = format!(
            "client_id = \"app\"\nredirect_uris = [\"{uri}\"]\ntoken_endpoint_auth_method = \"none\""
        );
        let client = parse(&toml).unwrap_or_else(|e| panic!("{uri}: {e}"));
        assert!(client.is_public());
    }
}

#[test]
fn display_names_file_field_and_value() {
    let toml = portal_toml().replace("https://my.soliq.uz/oidc/callback", "http://x.uz/cb");
    let error = parse(&toml).unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"clients/portal.toml: redirect_uris: "http://x.uz/cb" must use https"#
    );
}

/// `(what to replace in the good file, replacement, field, part of the message)`.
const FIELD_ERRORS: &[(&str, &str, &str, &str)] = &[
    (
        r#"client_id = "soliq-portal""#,
        r#"client_id = """#,
        "client_id",
        "must not be empty",
    ),
    (
        r#"client_id = "soliq-portal""#,
        r#"client_id = "a b""#,
        "client_id",
        "without spaces",
    ),
    (
        r#"client_name = "Soliq qo'mitasi portali""#,
        r#"client_name = " ""#,
        "client_name",
        "blank",
    ),
    (
        "https://my.soliq.uz/oidc/callback",
        "https://my.soliq.uz/cb#top",
        "redirect_uris",
        "fragment",
    ),
    (
        "https://my.soliq.uz/oidc/callback",
        "/oidc/callback",
        "redirect_uris",
        "not an absolute URL",
    ),
    (
        "https://my.soliq.uz/oidc/callback",
        "myapp:/callback",
        "redirect_uris",
        "private-use scheme",
    ),
    (
        "https://my.soliq.uz/oidc/callback",
        "javascript:alert(1)",
        "redirect_uris",
        "must use https",
    ),
    (
        "https://my.soliq.uz/oidc/callback",
        "https://u:p@my.soliq.uz/cb",
        "redirect_uris",
        "password",
    ),
    (
        "https://my.soliq.uz/oidc/callback",
        "https://my.soliq.uz/a b",
        "redirect_uris",
        "spaces",
    ),
    (
        r#"post_logout_redirect_uris = ["https://my.soliq.uz/"]"#,
        r#"post_logout_redirect_uris = ["http://my.soliq.uz/"]"#,
        "post_logout_redirect_uris",
        "must use https",
    ),
    (
        r#"["https://my.soliq.uz/oidc/callback", "http://localhost:8080/cb"]"#,
        "[]",
        "redirect_uris",
        "at least one",
    ),
    (
        r#"["authorization_code", "refresh_token"]"#,
        "[]",
        "grant_types",
        "at least one",
    ),
    (
        r#"["authorization_code", "refresh_token"]"#,
        r#"["refresh_token", "client_credentials"]"#,
        "grant_types",
        "refresh_token",
    ),
    (
        r#"scope = "openid profile pinfl""#,
        r#"scope = "profile pinfl""#,
        "scope",
        "must include openid",
    ),
    (
        r#"scope = "openid profile pinfl""#,
        r#"scope = "openid pro\"file""#,
        "scope",
        "not a valid scope",
    ),
    (
        r#"scope = "openid profile pinfl""#,
        r#"scope = " ""#,
        "scope",
        "at least one",
    ),
    (
        "client_secret_sha256 = ",
        "# no secret: ",
        "client_secret_sha256",
        "is required",
    ),
];

#[test]
fn each_validation_error_names_the_file_and_the_field() {
    let good = portal_toml();
    for (from, to, field, message) in FIELD_ERRORS {
        assert!(good.contains(from), "fixture lacks {from}");
        let error = parse(&good.replacen(from, to, 1)).unwrap_err();
        assert_eq!(error.file, Path::new("clients/portal.toml"), "{error}");
        assert_eq!(error.field.as_deref(), Some(*field), "{to}: {error}");
        assert!(error.message.contains(message), "{to}: {error}");
        assert!(
            error
                .to_string()
                .starts_with(&format!("clients/portal.toml: {field}: "))
        );
    }
}

fn expect_field_error(toml: &str, field: &str, message: &str) {
    let error = parse(toml).unwrap_err();
    assert_eq!(error.field.as_deref(), Some(field), "{error}");
    assert!(error.message.contains(message), "{error}");
}

#[test]
fn secret_digest_must_be_64_hex_characters() {
    let good = portal_toml();
    let digest = secret_sha256("secret");
    let short = good.replace(&digest, &digest[..63]);
    expect_field_error(&short, "client_secret_sha256", "64 hex characters");
    let not_hex = good.replace(&digest, &format!("{}zz", &digest[..62]));
    expect_field_error(&not_hex, "client_secret_sha256", "64 hex characters");
}

#[test]
fn public_clients_have_no_secret_and_no_client_credentials() {
    let base = "client_id = \"app\"\nredirect_uris = [\"uz.gov.app:/cb\"]\ntoken_endpoint_auth_method = \"none\"\n";
    let with_secret = format!("{base}client_secret_sha256 = \"{}\"", secret_sha256("x"));
    expect_field_error(&with_secret, "client_secret_sha256", "not used");
    let with_cc = format!("{base}grant_types = [\"authorization_code\", \"client_credentials\"]");
    expect_field_error(&with_cc, "grant_types", "client_credentials");
}

#[test]
fn private_key_jwt_needs_exactly_one_key_source() {
    let key = TestKey::generate("k1");
    let base = "client_id = \"svc\"\ngrant_types = [\"client_credentials\"]\ntoken_endpoint_auth_method = \"private_key_jwt\"\n";
    expect_field_error(base, "jwks", "jwks or jwks_uri");
    let both = format!(
        "{base}jwks_uri = \"https://svc.uz/jwks\"\n{}",
        key.toml_entry()
    );
    expect_field_error(&both, "jwks_uri", "not both");
    let digest = format!(
        "{base}jwks_uri = \"https://svc.uz/jwks\"\nclient_secret_sha256 = \"{}\"",
        secret_sha256("x")
    );
    expect_field_error(&digest, "client_secret_sha256", "not used");
    let http_uri = format!("{base}jwks_uri = \"http://svc.uz/jwks\"");
    expect_field_error(&http_uri, "jwks_uri", "must use https");
    let hmac = format!("{base}[[jwks.keys]]\nkty = \"oct\"\nk = \"c2VjcmV0\"\n");
    expect_field_error(&hmac, "jwks", "only RSA and EC P-256");
    let enc = format!("{base}{}use = \"enc\"\n", key.toml_entry());
    expect_field_error(&enc, "jwks", "\"use\" must be \"sig\"");
    let empty = format!("{base}jwks = {{ keys = [] }}");
    expect_field_error(&empty, "jwks", "at least one key");

    let inline = parse(&format!("{base}{}", key.toml_entry())).unwrap();
    assert_eq!(inline.auth_method, AuthMethod::PrivateKeyJwt);
    assert!(parse(&format!("{base}jwks_uri = \"https://svc.uz/jwks\"")).is_ok());
}

#[test]
fn keys_are_refused_for_secret_methods() {
    let key = TestKey::generate("k1");
    let toml = format!("{}\n{}", portal_toml(), key.toml_entry());
    expect_field_error(&toml, "jwks", "only used with private_key_jwt");
}

#[test]
fn toml_errors_keep_the_file_name_and_say_where() {
    let unknown = portal_toml().replace("redirect_uris", "redirect_uri");
    let error = parse(&unknown).unwrap_err();
    assert_eq!(error.field, None);
    assert!(
        error.message.contains("unknown field `redirect_uri`"),
        "{error}"
    );
    assert!(error.message.contains("line 4"), "{error}");
    assert!(error.to_string().starts_with("clients/portal.toml: "));

    let bad_grant = portal_toml().replace("\"refresh_token\"]", "\"implicit\"]");
    assert!(
        parse(&bad_grant)
            .unwrap_err()
            .message
            .contains("unknown variant `implicit`")
    );
    let bad_alg = portal_toml().replace("\"ES256\"", "\"HS256\"");
    assert!(parse(&bad_alg).unwrap_err().message.contains("HS256"));
    let missing_id = portal_toml().replace(r#"client_id = "soliq-portal""#, "");
    assert!(
        parse(&missing_id)
            .unwrap_err()
            .message
            .contains("missing field `client_id`")
    );
}

#[test]
fn load_dir_reads_toml_files_only_and_sorts_clients() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("b.toml", &portal_toml());
    write(
        "a.toml",
        "client_id = \"app\"\nredirect_uris = [\"uz.gov.app:/cb\"]\ntoken_endpoint_auth_method = \"none\"",
    );
    write("README.md", "# not a client");
    write("example.toml.sample", "not = \"a client\"");
    let registry = ClientRegistry::load_dir(dir.path()).unwrap();
    let ids: Vec<_> = registry.all().iter().map(|c| c.client_id.clone()).collect();
    assert_eq!(ids, ["app", "soliq-portal"]);
    assert!(registry.get("soliq-portal").unwrap().first_party);
    assert!(registry.get("nobody").is_none());
}

#[test]
fn load_dir_of_a_missing_directory_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let registry = ClientRegistry::load_dir(&dir.path().join("absent")).unwrap();
    assert!(registry.is_empty());
}

#[test]
fn load_dir_refuses_a_client_id_used_twice() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.toml"), portal_toml()).unwrap();
    std::fs::write(dir.path().join("b.toml"), portal_toml()).unwrap();
    let error = ClientRegistry::load_dir(dir.path()).unwrap_err();
    assert_eq!(error.file, dir.path().join("b.toml"));
    assert_eq!(error.field.as_deref(), Some("client_id"));
    assert!(error.message.contains("a.toml"), "{error}");
}

#[test]
fn load_dir_reports_the_broken_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.toml"), portal_toml()).unwrap();
    let broken = portal_toml()
        .replace("soliq-portal", "other")
        .replace("https://my.soliq.uz/", "http://my.soliq.uz/");
    std::fs::write(dir.path().join("portal.toml"), broken).unwrap();
    let error = ClientRegistry::load_dir(dir.path()).unwrap_err();
    assert_eq!(error.file, dir.path().join("portal.toml"));
    assert_eq!(error.field.as_deref(), Some("redirect_uris"));
}

/// The examples in `clients/README.md` and `clients/example.toml.sample` must stay valid.
#[test]
fn documented_examples_are_valid_client_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("clients");
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    let examples: Vec<&str> = readme
        .split("```toml\n")
        .skip(1)
        .filter_map(|block| block.split("```").next())
        .collect();
    assert_eq!(examples.len(), 3);
    for example in examples {
        parse(example).unwrap_or_else(|e| panic!("{e}\n{example}"));
    }
    let sample = std::fs::read_to_string(dir.join("example.toml.sample")).unwrap();
    parse(&sample).unwrap();
}
