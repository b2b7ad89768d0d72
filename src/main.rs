use clap::Parser;

mod allocator;

fn main() -> std::process::ExitCode {
    allocator::return_freed_memory_at_once();
    let cli = yagona::cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("yagona: cannot start the async runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(yagona::cli::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("yagona: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
