//! The delegate verifier against a stand-in e-imzo-server on 127.0.0.1.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use base64::Engine as _;
use serde_json::{Value, json};

use super::pki::{PERSONAL_TIN, PINFL, Pki};
use super::signing::sign;
use crate::esign::{DelegateConfig, DelegateVerifier, EsignFailure, SignatureVerifier};

/// What the stand-in received: `Host`, `X-Real-IP` and the decoded body.
type Seen = Arc<Mutex<Vec<(String, String, Vec<u8>)>>>;

async fn backend_auth(
    State((seen, answer)): State<(Seen, Value)>,
    headers: HeaderMap,
    body: String,
) -> axum::Json<Value> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .unwrap_or_default();
    seen.lock()
        .expect("lock")
        .push((header("host"), header("x-real-ip"), decoded));
    axum::Json(answer)
}

/// Start a stand-in answering every `/backend/auth` with `answer`.
async fn stand_in(answer: Value) -> (url::Url, Seen) {
    let seen: Seen = Arc::default();
    let app = axum::Router::new()
        .route("/backend/auth", post(backend_auth))
        .with_state((Arc::clone(&seen), answer));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    (
        url::Url::parse(&format!("http://{address}/")).expect("url"),
        seen,
    )
}

fn delegate(base_url: url::Url) -> DelegateVerifier {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    DelegateVerifier::new(client, DelegateConfig::new(base_url, "id.example.uz"))
}

#[tokio::test]
async fn delegate_maps_a_successful_answer() {
    let pki = Pki::new(false);
    let message = sign(b"challenge", &pki.citizen, &pki.intermediate);
    let (url, seen) = stand_in(json!({
        "status": 1,
        "message": "",
        "subjectCertificateInfo": {
            "serialNumber": "64",
            "subjectName": {"1.2.860.3.16.1.2": PINFL, "CN": "TOSHMATOV ALI", "UID": PERSONAL_TIN},
            "validFrom": "2026-04-28 00:00:00",
            "validTo": "2027-04-28 00:00:00"
        }
    }))
    .await;
    let client_ip = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7));
    let signer = delegate(url)
        .verify_for_client(&message, 0, client_ip)
        .await
        .expect("accepted");
    assert_eq!(signer.pinfl, PINFL);
    assert_eq!(signer.common_name.as_deref(), Some("TOSHMATOV ALI"));
    assert_eq!(signer.personal_tin.as_deref(), Some(PERSONAL_TIN));
    assert_eq!(signer.serial_hex, "64");
    assert_eq!(signer.issuer_dn, "CN=Test Citizen CA,O=Test CA");
    let seen = seen.lock().expect("lock");
    assert_eq!(
        seen.as_slice(),
        &[(
            "id.example.uz".to_string(),
            "203.0.113.7".to_string(),
            message
        )]
    );
}

#[tokio::test]
async fn delegate_reports_the_servers_failure_status() {
    let pki = Pki::new(false);
    let message = sign(b"challenge", &pki.citizen, &pki.intermediate);
    let (url, _) = stand_in(json!({"status": -11, "message": "certificate invalid"})).await;
    let failure = delegate(url)
        .verify(&message, 0)
        .await
        .expect_err("refused");
    assert_eq!(
        failure,
        EsignFailure::DelegateRejected {
            status: -11,
            message: "certificate invalid".into()
        }
    );
    assert_eq!(failure.esign_status(), -11);
    assert_eq!(failure.code(), "delegate_rejected");
}

#[tokio::test]
async fn delegate_refuses_an_answer_without_a_valid_pinfl() {
    let pki = Pki::new(false);
    let message = sign(b"challenge", &pki.citizen, &pki.intermediate);
    let (url, _) = stand_in(json!({
        "status": 1,
        "subjectCertificateInfo": {"serialNumber": "64", "subjectName": {"1.2.860.3.16.1.2": "1111111111111"}}
    }))
    .await;
    assert_eq!(
        delegate(url).verify(&message, 0).await,
        Err(EsignFailure::MalformedPinfl)
    );
}

#[tokio::test]
async fn delegate_does_not_post_malformed_input_and_reports_unreachable_servers() {
    let (url, seen) = stand_in(json!({"status": 1})).await;
    let failure = delegate(url)
        .verify(b"garbage", 0)
        .await
        .expect_err("refused");
    assert_eq!(failure.code(), "malformed");
    assert!(seen.lock().expect("lock").is_empty());

    let pki = Pki::new(false);
    let message = sign(b"challenge", &pki.citizen, &pki.intermediate);
    let closed = url::Url::parse("http://127.0.0.1:9/").expect("url");
    let failure = delegate(closed)
        .verify(&message, 0)
        .await
        .expect_err("refused");
    assert_eq!(failure.code(), "delegate_unavailable");
}
