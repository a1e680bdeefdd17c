//! Logging to a file under the XDG state directory, never to the screen (the screen is the
//! dashboard). Level from `$CAPCOM_LOG`, else `$RUST_LOG`, else `info`: a level (`debug`), or
//! targets and levels (`info,capcom::source=debug`). Span and field filters (`[span]`, which
//! `EnvFilter` reads) are not taken: `Targets` parses without `regex`, 0.7 MB of code less to
//! keep resident; a value it cannot read logs at `info`.
//!
//! Lines are written to the file as they come, under a mutex, rather than through a writer
//! thread (`tracing_appender::non_blocking`): capcom logs a few lines a minute to a local file,
//! and that thread with its default 128,000-line queue added 1 MiB to peak memory
//! (`tools/tui-measure` at 160×48: 13.4 MiB with it, 12.4 MiB without).

use std::path::PathBuf;
use std::sync::Mutex;

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Where the log goes: `$XDG_STATE_HOME/capcom/`, or `~/.local/state/capcom/`.
#[must_use]
pub fn log_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(base.join("capcom"))
}

/// Opens the log for appending, readable by its owner alone: it names hosts, queries and
/// errors, which are nobody else's business on a shared ground-station host. A log left by an
/// older version with wider permissions is narrowed.
fn open_private(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    if file.metadata()?.permissions().mode() & 0o077 != 0 {
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

/// Starts logging to `capcom.log` in [`log_dir`]. Returns the file's path, or `None` when it
/// cannot be opened (capcom then runs without a log).
#[must_use]
pub fn init() -> Option<PathBuf> {
    let dir = log_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join("capcom.log");
    let file = open_private(&path).ok()?;
    let filter = std::env::var("CAPCOM_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok();
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(Mutex::new(file))
                .with_ansi(false),
        )
        .with(targets(filter.as_deref()))
        .try_init()
        .ok()?;
    Some(path)
}

/// The filter `$CAPCOM_LOG` (or `$RUST_LOG`) asks for; `info` when unset, empty or unreadable.
fn targets(spec: Option<&str>) -> Targets {
    let info = || Targets::new().with_default(tracing::Level::INFO);
    match spec.map(str::trim) {
        None | Some("") => info(),
        Some(s) => s.parse().unwrap_or_else(|_| info()),
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use tracing::Level;
    use tracing_subscriber::filter::LevelFilter;

    #[test]
    fn the_level_comes_from_a_level_or_targets_and_info_otherwise() {
        let default = |spec| super::targets(spec).default_level();
        assert_eq!(default(None), Some(LevelFilter::INFO));
        assert_eq!(default(Some("  ")), Some(LevelFilter::INFO));
        assert_eq!(default(Some("debug")), Some(LevelFilter::DEBUG));
        assert_eq!(default(Some("capcom=loud")), Some(LevelFilter::INFO));
        let t = super::targets(Some("warn,capcom::source=trace"));
        assert!(t.would_enable("capcom::source::http", &Level::TRACE));
        assert!(!t.would_enable("capcom::app", &Level::INFO));
        assert!(t.would_enable("capcom::app", &Level::WARN));
    }

    #[test]
    fn the_log_is_its_owners_alone_new_or_old() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("capcom.log");
        super::open_private(&path).expect("opens");
        let mode = |p| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        super::open_private(&path).expect("opens");
        assert_eq!(mode(&path), 0o600);
    }
}
