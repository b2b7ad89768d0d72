//! Start-up refuses what it cannot serve safely, with a message that says what to fix.

use yagona::app::{App, AppOptions};
use yagona::config::Config;

use crate::helpers::shared_keys_dir;

fn config(dir: &tempfile::TempDir) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: format!("sqlite://{}", dir.path().join("y.db").display()),
        keys_dir: shared_keys_dir(),
        clients_dir: dir.path().join("clients"),
        ..Config::default()
    }
}

async fn start_error(config: Config, options: AppOptions) -> String {
    match App::build(config, options).await {
        Ok(_) => panic!("start-up should have been refused"),
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn a_malformed_client_file_names_the_file_and_the_field() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("clients")).unwrap();
    std::fs::write(
        dir.path().join("clients/portal.toml"),
        "client_id = \"portal\"\nclient_name = \"Portal\"\nredirect_uris = [\"http://portal.example.uz/cb\"]\n\
         token_endpoint_auth_method = \"none\"\n",
    )
    .unwrap();
    let error = start_error(config(&dir), AppOptions::default()).await;
    assert!(error.contains("portal.toml"), "{error}");
    assert!(error.contains("redirect_uris"), "{error}");
}

#[tokio::test]
async fn plain_http_issuers_must_be_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        issuer: "http://id.example.uz".into(),
        ..config(&dir)
    };
    let error = start_error(config, AppOptions::default()).await;
    assert!(error.contains("https"), "{error}");
}

#[tokio::test]
async fn the_demo_is_refused_off_localhost() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        issuer: "https://id.example.uz".into(),
        ..config(&dir)
    };
    let options = AppOptions {
        demo: true,
        ..AppOptions::default()
    };
    let error = start_error(config, options).await;
    assert!(error.contains("--demo"), "{error}");
}
