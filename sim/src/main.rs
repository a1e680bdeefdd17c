//! The `capcom-sim` binary: parse the command line and run it. `capcom simulate ARGS` runs
//! this binary with the same arguments. An error ends as one readable line on standard error
//! and exit status 2, as the dashboard's do.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let _ = color_eyre::install();
    match capcom_sim::cli::run(capcom_sim::cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            capcom::stdio::report_error(&e);
            ExitCode::from(2)
        }
    }
}
