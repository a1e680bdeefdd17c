//! Logging to a file under the XDG state directory, never to the screen (the screen is the
//! dashboard). Level from `$CAPCOM_LOG`, else `$RUST_LOG`, else `info`.

use std::path::PathBuf;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Where the log goes: `$XDG_STATE_HOME/capcom/capcom.log`, or `~/.local/state/capcom/`.
#[must_use]
pub fn log_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(base.join("capcom"))
}

/// Starts logging; keep the guard alive until exit so the last lines are written. `None` when
/// the log directory cannot be made (capcom then runs without a log).
#[must_use]
pub fn init() -> Option<WorkerGuard> {
    let dir = log_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
    let filter = std::env::var("CAPCOM_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info".to_owned());
    let (writer, guard) =
        tracing_appender::non_blocking(tracing_appender::rolling::never(dir, "capcom.log"));
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(filter))
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}
