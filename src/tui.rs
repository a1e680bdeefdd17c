//! The terminal: raw mode, the alternate screen and mouse capture on, and always off again — on
//! quit, on error (the guard's `Drop`), on panic (the hook restores before the report prints) and
//! on SIGTERM or SIGHUP (the loop ends and the guard drops).

use std::io::{self, Write};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use ratatui::DefaultTerminal;

/// Restores the terminal when dropped.
#[derive(Debug)]
pub struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal in raw mode on the alternate screen with mouse capture, and installs a
/// panic hook that undoes it before the panic is reported. Call after `color_eyre::install`.
///
/// # Errors
/// When the terminal cannot be set up (then it is restored before returning).
pub fn init() -> io::Result<(DefaultTerminal, TerminalGuard)> {
    let terminal = ratatui::try_init()?;
    let guard = TerminalGuard;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(io::stdout(), DisableMouseCapture);
        previous(info);
    }));
    execute!(io::stdout(), EnableMouseCapture)?;
    Ok((terminal, guard))
}

/// Turns mouse capture, raw mode and the alternate screen off, and shows the cursor. Errors are
/// ignored: after a hang-up there may be no terminal left to write to.
pub fn restore() {
    let _ = execute!(io::stdout(), DisableMouseCapture);
    let _ = ratatui::try_restore();
    let _ = io::stdout().flush();
}
