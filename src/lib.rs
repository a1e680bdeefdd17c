//! capcom: mission control for telemetry, in a terminal. The binary (`main.rs`) is a thin shell
//! over this library, which tests and benchmarks drive directly. See `ARCHITECTURE.md` for the
//! tasks and channels.

#![cfg_attr(test, allow(clippy::float_cmp))]

pub mod action;
pub mod app;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod event;
pub mod export;
pub mod handoff;
pub mod keymap;
pub mod layout;
pub mod logging;
pub mod model;
pub mod notebook;
pub mod num;
pub mod session;
pub mod source;
pub mod stdio;
pub mod text;
pub mod tui;
pub mod ui;

/// The bundled rover dashboard: what opens with no configuration (the bundled recording was
/// made for it), and what `--prometheus` alone reads.
pub const DASHBOARD_TOML: &str = include_str!("dashboard.toml");

/// Wall-clock time as Unix seconds; the one place the app reads the system clock.
#[must_use]
pub fn wall_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}
