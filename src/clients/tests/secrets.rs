//! Secret-based and public client authentication, and the rules common to every method.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{
    MemoryReplayStore, NOW, SECRET, authenticate, authenticator, public_client, secret_client,
};
use crate::clients::{AuthMethod, ClientAuthError, ClientCredentials};

fn basic(id: &str, secret: &str) -> ClientCredentials {
    ClientCredentials {
        basic: Some((id.to_owned(), secret.to_owned())),
        ..ClientCredentials::default()
    }
}

fn post(id: &str, secret: &str) -> ClientCredentials {
    ClientCredentials {
        client_id: Some(id.to_owned()),
        client_secret: Some(secret.to_owned()),
        ..ClientCredentials::default()
    }
}

fn client_id_only(id: &str) -> ClientCredentials {
    ClientCredentials {
        client_id: Some(id.to_owned()),
        ..ClientCredentials::default()
    }
}

async fn run(creds: &ClientCredentials) -> Result<String, ClientAuthError> {
    let auth = authenticator(vec![
        secret_client("basic-portal", "client_secret_basic"),
        secret_client("post-portal", "client_secret_post"),
        public_client("mobile-app"),
    ]);
    authenticate(&auth, creds, &MemoryReplayStore::default(), NOW).await
}

#[tokio::test]
async fn client_secret_basic_accepts_the_right_secret_only() {
    assert_eq!(
        run(&basic("basic-portal", SECRET)).await.unwrap(),
        "basic-portal"
    );
    let wrong = run(&basic("basic-portal", "guess")).await.unwrap_err();
    assert!(matches!(wrong, ClientAuthError::WrongSecret(_)), "{wrong}");
    let empty = run(&basic("basic-portal", "")).await.unwrap_err();
    assert!(matches!(empty, ClientAuthError::WrongSecret(_)), "{empty}");
}

#[tokio::test]
async fn client_secret_post_accepts_the_right_secret_only() {
    assert_eq!(
        run(&post("post-portal", SECRET)).await.unwrap(),
        "post-portal"
    );
    let wrong = run(&post("post-portal", &format!("{SECRET}x")))
        .await
        .unwrap_err();
    assert!(matches!(wrong, ClientAuthError::WrongSecret(_)), "{wrong}");
}

#[tokio::test]
async fn unknown_client_and_wrong_secret_look_the_same_to_the_client() {
    let unknown = run(&basic("nobody", SECRET)).await.unwrap_err();
    let wrong = run(&basic("basic-portal", "guess")).await.unwrap_err();
    assert!(
        matches!(unknown, ClientAuthError::UnknownClient(_)),
        "{unknown}"
    );
    assert_eq!(unknown.description(), wrong.description());
    assert!(!wrong.description().contains(SECRET));
    assert!(!unknown.is_internal() && !wrong.is_internal());
}

#[tokio::test]
async fn the_registered_method_must_be_used() {
    let error = run(&post("basic-portal", SECRET)).await.unwrap_err();
    assert!(
        matches!(
            error,
            ClientAuthError::MethodMismatch {
                registered: AuthMethod::ClientSecretBasic,
                used: AuthMethod::ClientSecretPost,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(error.description(), "client authentication failed");
    let error = run(&basic("post-portal", SECRET)).await.unwrap_err();
    assert!(
        matches!(error, ClientAuthError::MethodMismatch { .. }),
        "{error}"
    );
    // A confidential client cannot skip authentication by sending only its id.
    let error = run(&client_id_only("basic-portal")).await.unwrap_err();
    assert!(
        matches!(error, ClientAuthError::MethodMismatch { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn two_methods_in_one_request_are_refused() {
    let mut creds = basic("basic-portal", SECRET);
    creds.client_secret = Some(SECRET.to_owned());
    let error = run(&creds).await.unwrap_err();
    assert!(matches!(error, ClientAuthError::MultipleMethods), "{error}");

    let mut creds = post("post-portal", SECRET);
    creds.client_assertion_type = Some(super::JWT_BEARER.to_owned());
    creds.client_assertion = Some("a.b.c".to_owned());
    let error = run(&creds).await.unwrap_err();
    assert!(matches!(error, ClientAuthError::MultipleMethods), "{error}");
}

#[tokio::test]
async fn client_id_parameter_must_match_basic_credentials() {
    let mut creds = basic("basic-portal", SECRET);
    creds.client_id = Some("basic-portal".to_owned());
    assert_eq!(run(&creds).await.unwrap(), "basic-portal");
    creds.client_id = Some("post-portal".to_owned());
    let error = run(&creds).await.unwrap_err();
    assert!(
        matches!(error, ClientAuthError::ClientIdMismatch),
        "{error}"
    );
}

#[tokio::test]
async fn public_clients_send_only_their_client_id() {
    assert_eq!(
        run(&client_id_only("mobile-app")).await.unwrap(),
        "mobile-app"
    );
    let error = run(&post("mobile-app", "anything")).await.unwrap_err();
    assert!(
        matches!(error, ClientAuthError::MethodMismatch { .. }),
        "{error}"
    );
    let error = run(&basic("mobile-app", "")).await.unwrap_err();
    assert!(
        matches!(error, ClientAuthError::MethodMismatch { .. }),
        "{error}"
    );
    let error = run(&client_id_only("unknown-app")).await.unwrap_err();
    assert!(
        matches!(error, ClientAuthError::UnknownClient(_)),
        "{error}"
    );
}

#[tokio::test]
async fn requests_without_credentials_are_refused() {
    let error = run(&ClientCredentials::default()).await.unwrap_err();
    assert!(matches!(error, ClientAuthError::NoCredentials), "{error}");
    let secret_only = ClientCredentials {
        client_secret: Some(SECRET.to_owned()),
        ..ClientCredentials::default()
    };
    let error = run(&secret_only).await.unwrap_err();
    assert!(matches!(error, ClientAuthError::MissingClientId), "{error}");
}

#[test]
fn basic_header_is_base64_of_form_encoded_id_and_secret() {
    let header = format!("Basic {}", STANDARD.encode("my%3Aapp:p%40ss+word%2B"));
    let (id, secret) = ClientCredentials::from_basic_header(&header).unwrap();
    assert_eq!(id, "my:app");
    assert_eq!(secret, "p@ss word+");
    // Scheme is case-insensitive; padding is optional; a stray % is kept.
    let header = format!("basic {}", STANDARD.encode("app:50%").trim_end_matches('='));
    assert_eq!(
        ClientCredentials::from_basic_header(&header).unwrap(),
        ("app".to_owned(), "50%".to_owned())
    );
}

#[test]
fn malformed_basic_headers_are_refused() {
    for header in [
        "Bearer abc".to_owned(),
        "Basic".to_owned(),
        "Basic !!!".to_owned(),
        format!("Basic {}", STANDARD.encode("no-colon")),
        format!("Basic {}", STANDARD.encode(":secret-without-id")),
        format!("Basic {}", STANDARD.encode([0xff, b':', b'x'])),
    ] {
        let result = ClientCredentials::from_basic_header(&header);
        assert!(
            matches!(result, Err(ClientAuthError::MalformedBasicHeader)),
            "{header}"
        );
    }
}

#[test]
fn debug_output_hides_secrets() {
    let mut creds = basic("portal", "top-secret-1");
    creds.client_assertion = Some("eyJ.assertion.sig".to_owned());
    let debug = format!("{creds:?}");
    assert!(debug.contains("portal"));
    assert!(
        !debug.contains("top-secret-1") && !debug.contains("eyJ"),
        "{debug}"
    );
    let client = secret_client("portal", "client_secret_basic").with_secret("top-secret-2");
    assert!(!format!("{client:?}").contains(&super::secret_sha256("top-secret-2")));
}
