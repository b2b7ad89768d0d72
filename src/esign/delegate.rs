//! Delegated verification: the whole check is done by a licensed e-imzo-server
//! (`POST /backend/auth`, `shared/reference/esign.md` §3). Use it where the national O'z DSt
//! algorithms are needed; e-imzo-server may only be used under a contract with its vendor.
//!
//! Note: e-imzo-server also checks that the signed content is a challenge it issued itself
//! (`/frontend/challenge`), and deletes it.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use base64::Engine as _;
use serde::Deserialize;

use super::certificate::ParsedCertificate;
use super::cms;
use super::identity::{OID_ORGANIZATION_TIN, OID_PINFL, check_pinfl};
use super::native::locate_signer_certificate;
use super::{EsignFailure, SignatureVerifier, VerifiedSigner};

/// Where and how to reach e-imzo-server.
#[derive(Debug, Clone)]
pub struct DelegateConfig {
    /// Base URL of e-imzo-server, e.g. `http://127.0.0.1:8080`.
    pub base_url: url::Url,
    /// The site domain sent as the `Host` header (e-imzo-server keys API access by it).
    pub site_host: String,
    /// `X-Real-IP` sent when the caller does not know the user's address.
    pub default_client_ip: IpAddr,
    /// Whole-request timeout.
    pub timeout: Duration,
}

impl DelegateConfig {
    /// Settings with a 10 s timeout and `127.0.0.1` as the fallback client address.
    pub fn new(base_url: url::Url, site_host: impl Into<String>) -> Self {
        Self {
            base_url,
            site_host: site_host.into(),
            default_client_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            timeout: Duration::from_secs(10),
        }
    }
}

/// A [`SignatureVerifier`] that posts the signature to e-imzo-server.
#[derive(Debug, Clone)]
pub struct DelegateVerifier {
    client: reqwest::Client,
    config: DelegateConfig,
}

/// The `/backend/auth` answer.
#[derive(Debug, Deserialize)]
struct AuthAnswer {
    status: i32,
    #[serde(default)]
    message: Option<String>,
    #[serde(rename = "subjectCertificateInfo", default)]
    subject_certificate_info: Option<SubjectCertificateInfo>,
}

#[derive(Debug, Deserialize)]
struct SubjectCertificateInfo {
    #[serde(rename = "serialNumber", default)]
    serial_number: Option<String>,
    #[serde(rename = "subjectName", default)]
    subject_name: HashMap<String, String>,
}

impl DelegateVerifier {
    /// A delegate using `client` (build it without redirects) and `config`.
    pub fn new(client: reqwest::Client, config: DelegateConfig) -> Self {
        Self { client, config }
    }

    async fn post_auth(&self, input: &[u8], client_ip: IpAddr) -> Result<AuthAnswer, EsignFailure> {
        let unavailable = |e: reqwest::Error| EsignFailure::DelegateUnavailable(e.to_string());
        let url = self
            .config
            .base_url
            .join("backend/auth")
            .map_err(|e| EsignFailure::DelegateUnavailable(e.to_string()))?;
        let body = base64::engine::general_purpose::STANDARD.encode(input);
        let response = self
            .client
            .post(url)
            .timeout(self.config.timeout)
            .header(reqwest::header::HOST, &self.config.site_host)
            .header("X-Real-IP", client_ip.to_string())
            .header(reqwest::header::CONTENT_TYPE, "text/plain")
            .body(body)
            .send()
            .await
            .map_err(unavailable)?;
        if !response.status().is_success() {
            return Err(EsignFailure::DelegateUnavailable(format!(
                "HTTP {}",
                response.status()
            )));
        }
        response.json::<AuthAnswer>().await.map_err(unavailable)
    }
}

#[async_trait::async_trait]
impl SignatureVerifier for DelegateVerifier {
    async fn verify(
        &self,
        pkcs7_der_or_ber: &[u8],
        now: i64,
    ) -> Result<VerifiedSigner, EsignFailure> {
        let client_ip = self.config.default_client_ip;
        self.verify_for_client(pkcs7_der_or_ber, now, client_ip)
            .await
    }

    async fn verify_for_client(
        &self,
        pkcs7_der_or_ber: &[u8],
        _now: i64,
        client_ip: IpAddr,
    ) -> Result<VerifiedSigner, EsignFailure> {
        // Decode locally first: it bounds the input and gives the audit fields (issuer, serial,
        // certificate digest) from the certificate itself. No cryptography is done here.
        let leaf = signer_certificate(pkcs7_der_or_ber)?;
        let answer = self.post_auth(pkcs7_der_or_ber, client_ip).await?;
        signer_from_answer(answer, &leaf)
    }
}

fn signer_certificate(input: &[u8]) -> Result<ParsedCertificate, EsignFailure> {
    let message = cms::decode_signed_message(input)?;
    let [signer] = message.signers.as_slice() else {
        return Err(EsignFailure::SignerCount(message.signers.len()));
    };
    let certificates = message
        .certificates
        .into_iter()
        .map(|der| ParsedCertificate::from_der(der).map_err(EsignFailure::Malformed))
        .collect::<Result<Vec<_>, _>>()?;
    locate_signer_certificate(&signer.sid, &certificates).cloned()
}

fn signer_from_answer(
    answer: AuthAnswer,
    leaf: &ParsedCertificate,
) -> Result<VerifiedSigner, EsignFailure> {
    if answer.status != 1 {
        return Err(EsignFailure::DelegateRejected {
            status: answer.status,
            message: answer.message.unwrap_or_default(),
        });
    }
    let info = answer
        .subject_certificate_info
        .ok_or_else(|| EsignFailure::DelegateUnavailable("no subjectCertificateInfo".into()))?;
    if let Some(serial) = &info.serial_number
        && !same_serial(serial, &leaf.serial_hex())
    {
        return Err(EsignFailure::DelegateUnavailable(
            "answer names a different certificate".into(),
        ));
    }
    let field = |key: &str| info.subject_name.get(key).map(|v| v.trim().to_string());
    let pinfl = field(&OID_PINFL.to_string()).ok_or(EsignFailure::MissingPinfl)?;
    check_pinfl(&pinfl)?;
    Ok(VerifiedSigner {
        pinfl,
        personal_tin: field("UID"),
        organization_tin: field(&OID_ORGANIZATION_TIN.to_string()),
        organization_name: field("O"),
        common_name: field("CN"),
        issuer_dn: leaf.issuer_text(),
        serial_hex: leaf.serial_hex(),
        certificate_sha256_hex: leaf.sha256_hex(),
        signing_time: None,
    })
}

/// Hex serials compared case-insensitively, ignoring leading zeros (`0218711a92` = `218711A92`).
fn same_serial(a: &str, b: &str) -> bool {
    let normal = |s: &str| s.trim().trim_start_matches('0').to_ascii_lowercase();
    normal(a) == normal(b)
}

#[cfg(test)]
mod tests {
    use super::same_serial;

    #[test]
    fn serials_compare_without_leading_zeros_or_case() {
        assert!(same_serial("0218711A92", "218711a92"));
        assert!(!same_serial("218711a93", "218711a92"));
    }
}
