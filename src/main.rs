use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = yagona::cli::Cli::parse();
    match yagona::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("yagona: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
