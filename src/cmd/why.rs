//! `capcom why`: the Why view's analysis for scripts, as text or JSON.
//!
//! CONTRACT (issue 17 phase 2): the GATHER helper's.

use color_eyre::eyre::{Result, bail};

use crate::cli::{OpenArgs, WhyArgs};

/// Runs `capcom why`; returns the exit code.
///
/// # Errors
/// Not built yet.
pub fn run(open: &OpenArgs, args: &WhyArgs) -> Result<u8> {
    let _ = (open, args);
    bail!("capcom why is not built yet")
}
