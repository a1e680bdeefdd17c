//! What each subcommand runs, one file each, and the dispatch from the parsed command line.
//! The subcommands share `session.rs` (what to open) and `sources.rs` (starting what was
//! opened); the interactive dashboard's loop is `event.rs`.

pub mod check;
pub mod dashboard;
pub mod export;
pub mod notebook;
pub mod record;
pub mod simulate;
pub mod slo;
pub mod snapshot;
pub mod sources;
pub mod why;

use eyre::Result;

use crate::cli::{Cli, Command};
use crate::session::Session;

/// Runs what the command line asks; returns the process exit code.
///
/// # Errors
/// Anything that stops capcom from starting, with a message for the user.
pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        None => dashboard::run(&cli.open),
        Some(Command::Snapshot { size }) => snapshot::run(&cli.open, size),
        Some(Command::Record {
            out,
            duration,
            since,
            step,
            chunk,
        }) => {
            let session = Session::prepare(&cli.open)?;
            let plan = record::Plan {
                duration,
                since,
                step,
                chunk,
            };
            record::run(&session, &out, &plan)?;
            Ok(0)
        }
        Some(Command::Export(args)) => export::run(&cli.open, &args),
        Some(Command::Check) => check::run(&cli.open),
        Some(Command::Why(args)) => why::run(&cli.open, &args),
        Some(Command::Notebook {
            export,
            out,
            command,
        }) => notebook::run(&cli.open, export, out.as_deref(), command.as_ref()),
        Some(Command::Slo { json }) => Ok(slo::run(&cli.open, json)),
        Some(Command::Simulate { args }) => {
            if cli.open.replay.is_some() {
                eyre::bail!("simulate writes a recording; --replay does not apply");
            }
            simulate::run(&args)
        }
    }
}
