//! Signing and verification: round trips, tampering, `alg` confusion, malformed input and
//! interoperability with jsonwebtoken.
#![allow(clippy::unwrap_used)]

use serde_json::{Value, json};

use super::*;

/// A token with the given header and claims and an arbitrary signature.
fn forged(header: &Value, claims: &Value, signature: &[u8]) -> String {
    let header = b64url(header.to_string().as_bytes());
    let claims = b64url(claims.to_string().as_bytes());
    format!("{header}.{claims}.{}", b64url(signature))
}

#[test]
fn signs_and_verifies_with_each_alg() {
    let ring = &shared().ring;
    for alg in SigningAlg::ALL {
        let token = ring.sign(alg, "at+jwt", &claims()).unwrap();
        let header = header_of(&token);
        let kid = active_kid(ring, alg);
        assert_eq!(
            header,
            json!({ "alg": alg.as_str(), "typ": "at+jwt", "kid": kid })
        );
        let verified = ring.verify(&token).unwrap();
        assert_eq!(verified.typ.as_deref(), Some("at+jwt"));
        assert_eq!((verified.alg, verified.kid.as_str()), (alg, kid.as_str()));
        assert_eq!(verified.claims, claims());
    }
}

#[test]
fn tampered_tokens_are_refused() {
    let ring = &shared().ring;
    for alg in SigningAlg::ALL {
        let token = ring.sign(alg, "JWT", &claims()).unwrap();
        let segments: Vec<&str> = token.split('.').collect();
        let other_claims = b64url(json!({ "sub": "admin" }).to_string().as_bytes());
        let swapped_payload = format!("{}.{other_claims}.{}", segments[0], segments[2]);
        assert!(matches!(
            ring.verify(&swapped_payload),
            Err(KeyError::BadSignature)
        ));
        let mut signature = b64url_decode(segments[2]).unwrap();
        signature[10] ^= 1;
        let bad_signature = format!("{}.{}.{}", segments[0], segments[1], b64url(&signature));
        assert!(matches!(
            ring.verify(&bad_signature),
            Err(KeyError::BadSignature)
        ));
    }
}

#[test]
fn alg_none_hmac_and_alg_swaps_are_refused() {
    let ring = &shared().ring;
    let rsa_kid = active_kid(ring, SigningAlg::RS256);
    for alg in ["none", "HS256", "RS512"] {
        let token = forged(&json!({ "alg": alg, "kid": rsa_kid }), &claims(), b"");
        let error = ring.verify(&token).unwrap_err();
        assert!(
            matches!(error, KeyError::UnsupportedAlg(ref name) if name == alg),
            "{error}"
        );
    }
    let swapped = forged(
        &json!({ "alg": "ES256", "kid": rsa_kid }),
        &claims(),
        &[0; 64],
    );
    assert!(matches!(
        ring.verify(&swapped),
        Err(KeyError::AlgMismatch {
            header: SigningAlg::ES256,
            key: SigningAlg::RS256
        })
    ));
}

#[test]
fn malformed_tokens_are_errors_not_panics() {
    let ring = &shared().ring;
    let kid = active_kid(ring, SigningAlg::ES256);
    let valid = ring.sign(SigningAlg::ES256, "JWT", &claims()).unwrap();
    let signature = valid.rsplit('.').next().unwrap();
    let header_b64 = valid.split('.').next().unwrap();
    let malformed = [
        String::new(),
        "abc".to_owned(),
        "a.b".to_owned(),
        format!("{valid}.extra"),
        "!!!.e30.AAAA".to_owned(),
        format!("{}.e30.AAAA", b64url(b"not json")),
        format!("{}.e30.AAAA", b64url(b"[\"ES256\"]")),
        format!("{header_b64}.e30.%%%"),
        format!("{header_b64}.!!!.{signature}"),
        forged(&json!({ "alg": "ES256" }), &claims(), b""),
        forged(&json!({ "alg": "ES256", "kid": 7 }), &claims(), b""),
        forged(&json!({ "alg": "ES256", "kid": "unknown" }), &claims(), b""),
        forged(
            &json!({ "alg": "ES256", "kid": kid, "crit": ["b64"] }),
            &claims(),
            b"",
        ),
        forged(&json!({ "alg": "ES256", "kid": kid }), &claims(), &[0; 64]),
        forged(&json!({ "alg": "ES256", "kid": kid }), &claims(), &[]),
    ];
    for token in &malformed {
        assert!(ring.verify(token).is_err(), "accepted {token:?}");
    }
    assert!(matches!(
        ring.verify(&malformed[11]),
        Err(KeyError::UnknownKid)
    ));
    assert!(matches!(
        ring.verify(&malformed[12]),
        Err(KeyError::UnsupportedCriticalHeader)
    ));
}

#[test]
fn claims_must_be_an_object() {
    let ring = &shared().ring;
    let error = ring
        .sign(SigningAlg::RS256, "JWT", &json!(["x"]))
        .unwrap_err();
    assert!(matches!(error, KeyError::ClaimsNotObject));
}

#[test]
fn jsonwebtoken_verifies_our_tokens_with_our_jwks() {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
    let ring = &shared().ring;
    let set: JwkSet = serde_json::from_str(ring.jwks_json()).unwrap();
    for (alg, theirs) in [
        (SigningAlg::RS256, Algorithm::RS256),
        (SigningAlg::ES256, Algorithm::ES256),
    ] {
        let token = ring.sign(alg, "JWT", &claims()).unwrap();
        let kid = jsonwebtoken::decode_header(&token).unwrap().kid.unwrap();
        let key = DecodingKey::from_jwk(set.find(&kid).unwrap()).unwrap();
        let mut validation = Validation::new(theirs);
        validation.set_audience(&["rp"]);
        let decoded = jsonwebtoken::decode::<Value>(&token, &key, &validation).unwrap();
        assert_eq!(decoded.claims, claims());
    }
}
