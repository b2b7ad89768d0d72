//! The `yagona` command line.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};

use crate::app::{App, AppOptions};
use crate::auth::PasswordHasher;
use crate::auth::accounts::{MIN_PASSWORD_CHARS, NewAccount, create_account};
use crate::auth::normalize_login;
use crate::clients::{AuthMethod, ClientRegistry, GrantType, NewClient, add_client};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::keys::{KeyRing, SigningAlg};
use crate::store;

#[derive(Debug, Parser)]
#[command(
    name = "yagona",
    version,
    about = "Yagona ID: single sign-on for public services"
)]
pub struct Cli {
    /// A TOML configuration file (environment variables YAGONA_* override it).
    #[arg(long, global = true, env = "YAGONA_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the provider.
    Serve {
        /// Seed a demo citizen and serve a demo agency portal at /demo (localhost issuers only).
        #[arg(long)]
        demo: bool,
    },
    /// Manage citizen accounts.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Manage client (agency portal) registrations in the clients directory.
    #[command(subcommand)]
    Clients(ClientsCommand),
    /// Manage signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Database maintenance.
    #[command(subcommand)]
    Db(DbCommand),
    /// Import accounts from the old IdP's export (docs/import.md).
    Import(crate::import::command::ImportArgs),
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create an account. The password is read from standard input (one line), never from
    /// an argument.
    Create(CreateUser),
    /// Set a new password (read from standard input, one line) for an account found by login
    /// (username, e-mail, phone or PINFL). The path for imported accounts flagged
    /// `must_reset_password`, whose legacy password could not be kept.
    SetPassword {
        /// The account's username, e-mail, phone or PINFL.
        #[arg(long)]
        login: String,
    },
}

#[derive(Debug, Args)]
pub struct CreateUser {
    #[arg(long)]
    pub username: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    /// Personal identification number (14 digits).
    #[arg(long)]
    pub pinfl: Option<String>,
    #[arg(long)]
    pub given_name: Option<String>,
    #[arg(long)]
    pub family_name: Option<String>,
    #[arg(long)]
    pub middle_name: Option<String>,
    /// YYYY-MM-DD.
    #[arg(long)]
    pub birthdate: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ClientsCommand {
    /// Write a new client file; prints the generated secret once.
    Add(AddClient),
    /// List the registered clients.
    List,
}

#[derive(Debug, Args)]
pub struct AddClient {
    #[arg(long)]
    pub client_id: String,
    #[arg(long)]
    pub name: String,
    /// Repeat for several URIs.
    #[arg(long = "redirect-uri")]
    pub redirect_uris: Vec<String>,
    #[arg(long = "post-logout-redirect-uri")]
    pub post_logout_redirect_uris: Vec<String>,
    /// authorization_code, refresh_token or client_credentials; repeat for several.
    #[arg(long = "grant-type", default_values = ["authorization_code"])]
    pub grant_types: Vec<String>,
    /// client_secret_basic, client_secret_post or none (for private_key_jwt, write the file
    /// with the client's keys by hand: see clients/README.md).
    #[arg(long, default_value = "client_secret_basic")]
    pub auth_method: String,
    #[arg(long, default_value = "openid profile")]
    pub scope: String,
    /// A first-party portal skips the consent page.
    #[arg(long)]
    pub first_party: bool,
    /// RS256 or ES256.
    #[arg(long, default_value = "RS256")]
    pub id_token_alg: String,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List signing keys with their status.
    List,
    /// Add a new signing key per algorithm; the old ones keep verifying until they retire.
    Rotate,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Apply pending schema migrations.
    Migrate,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(cli.config.as_deref())?;
    init_tracing(&config);
    match cli.command {
        Command::Serve { demo } => serve(config, demo).await,
        Command::Users(UsersCommand::Create(args)) => create_user(&config, args).await,
        Command::Users(UsersCommand::SetPassword { login }) => set_password(&config, &login).await,
        Command::Import(args) => crate::import::command::import_command(&config, args).await,
        Command::Clients(ClientsCommand::Add(args)) => add(&config, args),
        Command::Clients(ClientsCommand::List) => list_clients(&config),
        Command::Keys(KeysCommand::List) => list_keys(&config),
        Command::Keys(KeysCommand::Rotate) => rotate_keys(&config),
        Command::Db(DbCommand::Migrate) => migrate(&config).await,
    }
}

/// Logs go to stderr; `YAGONA_LOG` filters them (default `info`).
fn init_tracing(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("YAGONA_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if config.log_format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let issuer = config.issuer();
    let app = App::build(
        config,
        AppOptions {
            demo,
            ..AppOptions::default()
        },
    )
    .await?;
    println!(
        "Yagona ID is listening on {} (issuer {issuer})",
        app.local_addr()
    );
    if demo {
        let (user, password) = (
            crate::http::demo_credentials::DEMO_USERNAME,
            crate::http::demo_credentials::DEMO_PASSWORD,
        );
        println!("Demo portal: {issuer}/demo  (sign in as {user} / {password})");
    }
    app.run_until_stopped().await?;
    Ok(())
}

async fn create_user(config: &Config, args: CreateUser) -> anyhow::Result<()> {
    let password = read_password()?;
    let store = store::connect(&config.database_url, 1).await?;
    store.migrate().await?;
    let hasher = PasswordHasher::new(&config.password)?;
    let new = NewAccount {
        username: args.username,
        email: args.email,
        phone: args.phone,
        pinfl: args.pinfl,
        given_name: args.given_name,
        family_name: args.family_name,
        middle_name: args.middle_name,
        birthdate: args.birthdate,
    };
    let account = create_account(store.as_ref(), &hasher, new, password, SystemClock.now()).await?;
    println!("created account {}", account.id);
    Ok(())
}

async fn set_password(config: &Config, login: &str) -> anyhow::Result<()> {
    let password = read_password()?;
    if password.chars().count() < MIN_PASSWORD_CHARS {
        bail!("the password must have at least {MIN_PASSWORD_CHARS} characters");
    }
    let store = store::connect(&config.database_url, 1).await?;
    store.migrate().await?;
    let Some(account) = store.account_by_login(&normalize_login(login)).await? else {
        bail!("no account signs in as {login:?}");
    };
    let hash = PasswordHasher::new(&config.password)?
        .hash(password)
        .await?;
    store
        .reset_password(&account.id, &hash, SystemClock.now())
        .await?;
    println!("new password set for account {}", account.id);
    Ok(())
}

/// One line from standard input, without its line ending. Prompts when on a terminal.
fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password (input is visible; pipe it in to avoid that): ");
        std::io::stderr().flush()?;
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("reading the password from stdin")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!(
            "no password on standard input (for example: printf '%s' \"$PASSWORD\" | yagona users create …)"
        );
    }
    Ok(password)
}

fn add(config: &Config, args: AddClient) -> anyhow::Result<()> {
    let grant_types = args
        .grant_types
        .iter()
        .map(|g| g.parse::<GrantType>().map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let new = NewClient {
        client_id: args.client_id,
        client_name: args.name,
        redirect_uris: args.redirect_uris,
        post_logout_redirect_uris: args.post_logout_redirect_uris,
        grant_types,
        auth_method: args
            .auth_method
            .parse::<AuthMethod>()
            .map_err(anyhow::Error::msg)?,
        scope: args.scope,
        first_party: args.first_party,
        id_token_alg: args
            .id_token_alg
            .parse::<SigningAlg>()
            .map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    let (path, secret) = add_client(&config.clients_dir, &new)?;
    println!("wrote {}", path.display());
    if let Some(secret) = secret {
        println!("client_secret: {secret}");
        println!("(shown once: only its SHA-256 digest is stored)");
    }
    Ok(())
}

fn list_clients(config: &Config) -> anyhow::Result<()> {
    let registry = ClientRegistry::load_dir(&config.clients_dir)?;
    if registry.all().is_empty() {
        println!("no clients in {}", config.clients_dir.display());
    }
    for client in registry.all() {
        let grants: Vec<&str> = client.grant_types.iter().map(|g| g.as_str()).collect();
        println!(
            "{}\t{}\t{}\t{}\t{}",
            client.client_id,
            client.client_name,
            client.auth_method.as_str(),
            grants.join(","),
            client.redirect_uris.join(" ")
        );
    }
    Ok(())
}

fn list_keys(config: &Config) -> anyhow::Result<()> {
    let ring = KeyRing::load(&config.keys_dir, SystemClock.now())?;
    for key in ring.keys() {
        println!(
            "{}\t{}\t{}\t{}",
            key.kid,
            key.alg,
            key.status,
            key.file.display()
        );
    }
    Ok(())
}

fn rotate_keys(config: &Config) -> anyhow::Result<()> {
    let keys = KeyRing::rotate(
        &config.keys_dir,
        SystemClock.now(),
        config.key_retiring_period,
    )?;
    for key in keys {
        println!("{}\t{}\t{}", key.kid, key.alg, key.status);
    }
    println!("restart the provider (every node) to start signing with the new keys");
    Ok(())
}

async fn migrate(config: &Config) -> anyhow::Result<()> {
    let store = store::connect(&config.database_url, 1).await?;
    store.migrate().await?;
    println!("{} schema is up to date", store.backend());
    let _ = Arc::clone(&store);
    Ok(())
}
