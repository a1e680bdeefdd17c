//! The terminal: raw mode, the alternate screen and mouse capture on, and always off again — on
//! quit, on error (the guard's `Drop`), on panic (the hook restores before the report prints) and
//! on SIGTERM or SIGHUP (the loop ends and the guard drops).

use std::io::{self, Write};

mod lean;

pub use lean::Lean;

/// The terminal capcom draws on: ratatui's, through a backend that keeps the style between
/// frames ([`Lean`]).
pub type Screen = ratatui::Terminal<Lean<io::Stdout>>;

/// Turns on mouse reports of presses, releases and the wheel (1000) in SGR form (1006), and
/// nothing else: no motion (1002/1003, which flood input over ssh and take text selection
/// from the terminal) and no legacy or urxvt encodings. crossterm's `EnableMouseCapture`
/// turns on all of them.
pub const MOUSE_ON: &str = "\x1b[?1000h\x1b[?1006h";
/// Turns the mouse reports [`MOUSE_ON`] turned on off again, in reverse order.
pub const MOUSE_OFF: &str = "\x1b[?1006l\x1b[?1000l";

/// All attributes off: [`Lean`] leaves the last frame's style set.
const STYLE_OFF: &str = "\x1b[0m";

fn mouse(on: bool) -> io::Result<()> {
    let mut out = io::stdout();
    if on {
        out.write_all(MOUSE_ON.as_bytes())?;
    } else {
        out.write_all(MOUSE_OFF.as_bytes())?;
        out.write_all(STYLE_OFF.as_bytes())?;
    }
    out.flush()
}

/// Restores the terminal when dropped.
#[derive(Debug)]
pub struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal in raw mode on the alternate screen with mouse capture, and installs a
/// panic hook that undoes it before the panic is reported.
///
/// # Errors
/// When the terminal cannot be set up (then it is restored before returning).
pub fn init() -> io::Result<(Screen, TerminalGuard)> {
    // ratatui's set-up (raw mode, the alternate screen, its panic hook), drawn through Lean.
    drop(ratatui::try_init()?);
    let guard = TerminalGuard;
    let terminal = ratatui::Terminal::new(Lean::new(io::stdout()))?;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = mouse(false);
        previous(info);
    }));
    mouse(true)?;
    Ok((terminal, guard))
}

/// Turns mouse capture, the last frame's style, raw mode and the alternate screen off, and shows
/// the cursor. Errors are ignored: after a hang-up there may be no terminal left to write to.
pub fn restore() {
    let _ = mouse(false);
    let _ = ratatui::try_restore();
    let _ = io::stdout().flush();
}
