//! Logging to a file under the XDG state directory, never to the screen (the screen is the
//! dashboard). Level from `$CAPCOM_LOG`, else `$RUST_LOG`, else `info`.
//!
//! Lines are written to the file as they come, under a mutex, rather than through a writer
//! thread (`tracing_appender::non_blocking`): capcom logs a few lines a minute to a local file,
//! and that thread with its default 128,000-line queue added 1 MiB to peak memory
//! (`tools/tui-measure` at 160×48: 13.4 MiB with it, 12.4 MiB without).

use std::path::PathBuf;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

/// Where the log goes: `$XDG_STATE_HOME/capcom/`, or `~/.local/state/capcom/`.
#[must_use]
pub fn log_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(base.join("capcom"))
}

/// Starts logging to `capcom.log` in [`log_dir`]. Returns the file's path, or `None` when it
/// cannot be opened (capcom then runs without a log).
#[must_use]
pub fn init() -> Option<PathBuf> {
    let dir = log_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join("capcom.log");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .ok()?;
    let filter = std::env::var("CAPCOM_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info".to_owned());
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(filter))
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(path)
}
