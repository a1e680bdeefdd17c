//! The `capcom` binary: parse the command line, set up error reports, run.

use clap::Parser;

fn main() -> color_eyre::Result<()> {
    color_eyre::install()?;
    let cli = capcom::cli::Cli::parse();
    let code = capcom::cli::run(cli)?;
    std::process::exit(code);
}
