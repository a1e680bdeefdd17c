//! `capcom simulate ARGS`: runs the rover simulator, the separate `capcom-sim` binary, with
//! the same arguments. The simulator is its own crate so the dashboard carries none of its
//! dependencies (OpenTelemetry's SDK, prometheus-client); this keeps the old command working.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;

use eyre::{Result, bail};

/// The simulator's executable name.
const SIM: &str = "capcom-sim";

/// Runs `capcom-sim` with `args` and returns its exit code; on Unix it replaces this process,
/// so signals (SIGTERM from `docker stop`) reach the simulator itself.
///
/// # Errors
/// When `capcom-sim` is neither next to this executable nor on `PATH`, saying how to get it.
pub fn run(args: &[OsString]) -> Result<u8> {
    let beside = std::env::current_exe().ok();
    let program = find(beside.as_deref(), std::env::var_os("PATH").as_deref());
    let Some(program) = program else {
        bail!(
            "capcom simulate runs the separate {SIM} binary, which is not installed: \
             `cargo install --path sim`, or `cargo build --release -p {SIM}` (next to capcom)"
        );
    };
    let mut command = Command::new(program);
    command.args(args);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        let e = command.exec();
        bail!("cannot run {SIM}: {e}");
    }
    #[cfg(not(unix))]
    {
        let status = command.status()?;
        Ok(status.code().map_or(2, |c| u8::try_from(c).unwrap_or(2)))
    }
}

/// Where `capcom-sim` is: beside the executable `exe` first, then in a directory of `path`.
fn find(exe: Option<&Path>, path: Option<&OsStr>) -> Option<PathBuf> {
    let name = format!("{SIM}{}", std::env::consts::EXE_SUFFIX);
    let beside = exe.and_then(Path::parent).map(|dir| dir.join(&name));
    let on_path = path
        .into_iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(&name));
    beside.into_iter().chain(on_path).find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simulator_is_found_beside_the_executable_first_then_on_path() {
        let beside = tempfile::tempdir().expect("tempdir");
        let on_path = tempfile::tempdir().expect("tempdir");
        let exe = beside.path().join("capcom");
        let sim = |dir: &Path| dir.join(format!("{SIM}{}", std::env::consts::EXE_SUFFIX));
        let path = std::env::join_paths([on_path.path()]).expect("path");
        assert_eq!(find(Some(&exe), Some(&path)), None);
        std::fs::write(sim(on_path.path()), "").expect("write");
        assert_eq!(find(Some(&exe), Some(&path)), Some(sim(on_path.path())));
        std::fs::write(sim(beside.path()), "").expect("write");
        assert_eq!(find(Some(&exe), Some(&path)), Some(sim(beside.path())));
    }
}
