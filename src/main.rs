//! The `capcom` binary: parse the command line, run, and turn an error into one readable, safe
//! line on standard error and exit status 2.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // A panic is reported by the standard hook, after the terminal is restored (`tui::init`).
    let cli = capcom::cli::Cli::parse();
    match capcom::cmd::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            capcom::stdio::report_error(&e);
            ExitCode::from(2)
        }
    }
}
