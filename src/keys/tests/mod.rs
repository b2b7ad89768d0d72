//! Key ring tests. RSA generation is slow, so one ring is generated per test process and
//! shared; the rotation test copies it and generates the only other RSA key.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::OnceLock;

use serde_json::{Value, json};
use tempfile::TempDir;

use super::public_key::{ec_thumbprint, rsa_thumbprint};
use super::*;
use crate::crypto::{b64url, b64url_decode};

/// 2026-01-01T00:00:00Z.
const T0: i64 = 1_767_225_600;
const TWO_WEEKS: i64 = 14 * 24 * 3600;

pub(super) struct Shared {
    dir: TempDir,
    pub(super) ring: KeyRing,
}

/// The ring generated once for all tests that do not modify their directory.
pub(super) fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let ring = KeyRing::load_or_generate(dir.path(), T0).unwrap();
        Shared { dir, ring }
    })
}

/// A private copy of the shared keys directory, for tests that change it.
fn copy_of_shared_dir() -> TempDir {
    let copy = tempfile::tempdir().unwrap();
    let target = copy.path().join("signing");
    std::fs::create_dir(&target).unwrap();
    for file in std::fs::read_dir(shared().dir.path().join("signing")).unwrap() {
        let file = file.unwrap();
        std::fs::copy(file.path(), target.join(file.file_name())).unwrap();
    }
    copy
}

fn claims() -> Value {
    json!({ "iss": "https://id.example.uz", "sub": "u-1", "aud": "rp", "exp": 4_000_000_000_i64 })
}

fn kids(keys: &[KeyInfo]) -> Vec<&str> {
    keys.iter().map(|key| key.kid.as_str()).collect()
}

fn active_kid(ring: &KeyRing, alg: SigningAlg) -> String {
    let keys = ring.keys();
    let active = keys
        .iter()
        .find(|key| key.alg == alg && key.status == KeyStatus::Active);
    active.unwrap().kid.clone()
}

fn jwks(ring: &KeyRing) -> Vec<Value> {
    let set: Value = serde_json::from_str(ring.jwks_json()).unwrap();
    set["keys"].as_array().unwrap().clone()
}

fn header_of(token: &str) -> Value {
    let header_b64 = token.split('.').next().unwrap();
    serde_json::from_slice(&b64url_decode(header_b64).unwrap()).unwrap()
}

mod tokens;

#[test]
fn generates_one_active_key_per_alg_and_reloads_the_same_kids() {
    let shared = shared();
    let generated = shared.ring.keys();
    assert_eq!(generated.len(), 2);
    assert!(generated.iter().all(|key| key.status == KeyStatus::Active));
    assert!(
        generated
            .iter()
            .all(|key| key.created_at == T0 && key.retire_at.is_none())
    );
    assert_eq!(
        shared.ring.algs(),
        vec![SigningAlg::RS256, SigningAlg::ES256]
    );

    let reloaded = KeyRing::load(shared.dir.path(), T0 + 60).unwrap();
    assert_eq!(kids(&reloaded.keys()), kids(&generated));
    let again = KeyRing::load_or_generate(shared.dir.path(), T0 + 60).unwrap();
    assert_eq!(
        kids(&again.keys()),
        kids(&generated),
        "nothing new is generated"
    );
    assert_eq!(again.jwks_json(), shared.ring.jwks_json());
}

#[cfg(unix)]
#[test]
fn key_files_are_0600_in_a_0700_directory() {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let shared = shared();
    for key in shared.ring.keys() {
        assert_eq!(mode(&key.file), 0o600, "{}", key.file.display());
        let pem = std::fs::read_to_string(&key.file).unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    }
    assert_eq!(mode(&shared.dir.path().join("signing")), 0o700);
}

#[test]
fn rfc7638_example_thumbprint() {
    // RFC 7638 §3.1.
    let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    assert_eq!(
        rsa_thumbprint(n, "AQAB"),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
}

#[test]
fn jwks_publishes_both_public_keys_with_thumbprint_kids() {
    let ring = &shared().ring;
    let keys = jwks(ring);
    assert_eq!(keys.len(), 2);
    for jwk in &keys {
        assert_eq!(jwk["use"], "sig");
        let thumbprint = match jwk["kty"].as_str().unwrap() {
            "RSA" => {
                assert_eq!(jwk["alg"], "RS256");
                assert_eq!(jwk["e"], "AQAB");
                assert_eq!(
                    b64url_decode(jwk["n"].as_str().unwrap()).unwrap().len(),
                    256
                );
                rsa_thumbprint(jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap())
            }
            "EC" => {
                assert_eq!(
                    (&jwk["alg"], &jwk["crv"]),
                    (&json!("ES256"), &json!("P-256"))
                );
                let (x, y) = (jwk["x"].as_str().unwrap(), jwk["y"].as_str().unwrap());
                assert_eq!(b64url_decode(x).unwrap().len(), 32);
                assert_eq!(b64url_decode(y).unwrap().len(), 32);
                ec_thumbprint(x, y)
            }
            other => panic!("unexpected kty {other}"),
        };
        assert_eq!(jwk["kid"], thumbprint.as_str());
        let alg = jwk["alg"].as_str().unwrap().parse().unwrap();
        assert_eq!(thumbprint, active_kid(ring, alg));
        for private_member in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(jwk.get(private_member).is_none(), "{private_member} leaked");
        }
    }
}

#[test]
fn rotation_keeps_old_keys_verifying_until_they_retire() {
    let dir = copy_of_shared_dir();
    let old = &shared().ring;
    let old_tokens: Vec<String> = SigningAlg::ALL
        .into_iter()
        .map(|alg| old.sign(alg, "JWT", &claims()).unwrap())
        .collect();
    let rotated_at = T0 + 3600;
    let retire_at = rotated_at + TWO_WEEKS;

    let after_rotate = KeyRing::rotate(dir.path(), rotated_at, TWO_WEEKS).unwrap();
    assert_eq!(after_rotate.len(), 4);
    for key in &after_rotate {
        let was_old = kids(&old.keys()).contains(&key.kid.as_str());
        let expected = if was_old {
            KeyStatus::Retiring
        } else {
            KeyStatus::Active
        };
        assert_eq!(key.status, expected, "{}", key.kid);
        assert_eq!(key.retire_at, was_old.then_some(retire_at));
    }

    let during = KeyRing::load_or_generate(dir.path(), retire_at - 1).unwrap();
    assert_eq!(during.keys().len(), 4, "no extra keys generated");
    assert_eq!(jwks(&during).len(), 4);
    for token in &old_tokens {
        assert!(during.verify(token).is_ok());
    }
    for alg in SigningAlg::ALL {
        let token = during.sign(alg, "JWT", &claims()).unwrap();
        assert_ne!(header_of(&token)["kid"], active_kid(old, alg).as_str());
        assert_eq!(during.verify(&token).unwrap().kid, active_kid(&during, alg));
    }

    let after = KeyRing::load(dir.path(), retire_at).unwrap();
    let published: Vec<Value> = jwks(&after).iter().map(|jwk| jwk["kid"].clone()).collect();
    assert_eq!(published.len(), 2);
    for old_key in old.keys() {
        assert!(!published.contains(&json!(old_key.kid)));
        let status = after
            .keys()
            .into_iter()
            .find(|key| key.kid == old_key.kid)
            .unwrap()
            .status;
        assert_eq!(status, KeyStatus::Retired);
    }
    for token in &old_tokens {
        assert!(matches!(after.verify(token), Err(KeyError::UnknownKid)));
    }
}

#[test]
fn loading_an_empty_directory_gives_an_empty_ring() {
    let dir = tempfile::tempdir().unwrap();
    let ring = KeyRing::load(dir.path(), T0).unwrap();
    assert!(ring.keys().is_empty() && ring.algs().is_empty());
    assert_eq!(ring.jwks_json(), r#"{"keys":[]}"#);
    let error = ring.sign(SigningAlg::ES256, "JWT", &claims()).unwrap_err();
    assert!(matches!(error, KeyError::NoActiveKey(SigningAlg::ES256)));
    assert!(
        !dir.path().join("signing").exists(),
        "load does not create anything"
    );
}

#[test]
fn key_files_that_do_not_match_the_manifest_are_rejected() {
    let dir = copy_of_shared_dir();
    let file_of = |alg: SigningAlg| {
        let keys = shared().ring.keys();
        let key = keys.iter().find(|key| key.alg == alg).unwrap();
        dir.path()
            .join("signing")
            .join(key.file.file_name().unwrap())
    };
    let (rsa_file, ec_file) = (file_of(SigningAlg::RS256), file_of(SigningAlg::ES256));
    std::fs::copy(&ec_file, &rsa_file).unwrap();
    let error = KeyRing::load(dir.path(), T0).unwrap_err();
    assert!(matches!(
        error,
        KeyError::InvalidKey {
            alg: SigningAlg::RS256,
            ..
        }
    ));
    assert!(
        error.to_string().contains(&*rsa_file.to_string_lossy()),
        "{error}"
    );

    let ec_only = tempfile::tempdir().unwrap();
    let ec_only_signing = ec_only.path().join("signing");
    std::fs::create_dir(&ec_only_signing).unwrap();
    let ec_file_name = ec_file.file_name().unwrap().to_str().unwrap();
    std::fs::copy(&ec_file, ec_only_signing.join(ec_file_name)).unwrap();
    let manifest = format!(
        "version = 1\n[[keys]]\nfile = \"{ec_file_name}\"\nalg = \"ES256\"\n\
         kid = \"some-other-kid\"\ncreated_at = {T0}\n"
    );
    std::fs::write(ec_only_signing.join("keys.toml"), manifest).unwrap();
    let error = KeyRing::load(ec_only.path(), T0).unwrap_err();
    let ec_kid = active_kid(&shared().ring, SigningAlg::ES256);
    assert!(
        matches!(&error, KeyError::KidMismatch { path, expected, actual }
            if expected == "some-other-kid" && *actual == ec_kid && path.ends_with(ec_file_name)),
        "{error}"
    );

    std::fs::remove_file(&rsa_file).unwrap();
    let error = KeyRing::load(dir.path(), T0).unwrap_err();
    assert!(
        matches!(error, KeyError::Io { ref path, .. } if *path == rsa_file),
        "{error}"
    );
}

#[test]
fn negative_retiring_period_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let error = KeyRing::rotate(dir.path(), T0, -1).unwrap_err();
    assert!(matches!(error, KeyError::NegativeRetiringPeriod(-1)));
}

#[test]
fn debug_output_shows_kids_but_no_key_material() {
    let ring = &shared().ring;
    let debug = format!("{ring:?}");
    for key in ring.keys() {
        assert!(debug.contains(&key.kid));
        let pem = std::fs::read_to_string(&key.file).unwrap();
        let body_line = pem.lines().nth(1).unwrap();
        assert!(!debug.contains(body_line));
    }
    let n = jwks(ring)[0]["n"].as_str().unwrap().to_owned();
    assert!(!debug.contains(&n[..20]));
}

#[test]
fn alg_and_status_names() {
    assert_eq!("RS256".parse::<SigningAlg>().unwrap(), SigningAlg::RS256);
    assert_eq!(SigningAlg::ES256.to_string(), "ES256");
    assert!(matches!(
        "none".parse::<SigningAlg>(),
        Err(KeyError::UnsupportedAlg(_))
    ));
    assert_eq!(KeyStatus::Retiring.to_string(), "retiring");
}

#[test]
fn key_ring_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<KeyRing>();
}
