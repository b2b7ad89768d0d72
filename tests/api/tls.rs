//! TLS: with a certificate and key configured, the provider serves HTTPS (rustls) and its
//! discovery document names the https issuer.

use std::process::Command;
use std::sync::Arc;

use openidconnect::reqwest;
use yagona::app::{App, AppOptions};
use yagona::config::Config;

use crate::helpers::shared_keys_dir;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_https_with_the_configured_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "2", "-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl is installed");
    assert!(made.success());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let issuer = format!("https://localhost:{port}");
    let config = Config {
        issuer: issuer.clone(),
        listen: listener.local_addr().unwrap(),
        database_url: format!("sqlite://{}", dir.path().join("y.db").display()),
        keys_dir: shared_keys_dir(),
        clients_dir: dir.path().join("clients"),
        tls_cert: Some(cert.clone()),
        tls_key: Some(key),
        ..Config::default()
    };
    let app = App::build(
        config,
        AppOptions {
            listener: Some(Arc::new(listener)),
            ..AppOptions::default()
        },
    )
    .await
    .unwrap();
    tokio::spawn(app.run_until_stopped());

    let trusted = reqwest::Certificate::from_pem(&std::fs::read(&cert).unwrap()).unwrap();
    let client = reqwest::Client::builder()
        .add_root_certificate(trusted)
        .build()
        .unwrap();
    let discovery: serde_json::Value = client
        .get(format!("{issuer}/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(discovery["issuer"], issuer);
    assert_eq!(discovery["token_endpoint"], format!("{issuer}/token"));

    // Plain HTTP on the TLS port gets no answer.
    let plain = reqwest::Client::new()
        .get(format!("http://localhost:{port}/health"))
        .send()
        .await;
    assert!(plain.map(|r| !r.status().is_success()).unwrap_or(true));
}
