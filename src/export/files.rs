//! Where exports go and what they are called: `<pane>-<UTC time stamp>.<ext>` in the export
//! folder, the pane id made safe (it comes from a config file: `../` or a slash must not lead
//! out of the folder), never over an existing file, each written atomically (a temporary file
//! in the same folder, synced, then linked into place).

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{ExportError, Format};

/// The longest a pane id is kept in a file name.
const NAME_MAX: usize = 48;

/// A pane id as a file name's stem: ASCII letters, digits, `-` and `_` kept, anything else `_`,
/// never empty, never starting with a dot.
#[must_use]
pub fn safe_stem(id: &str) -> String {
    let s: String = id
        .chars()
        .take(NAME_MAX)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "pane".into() } else { s }
}

/// `at` (Unix seconds) as a file name's time stamp: `20261126T091030Z`.
#[must_use]
pub fn stamp(at: f64) -> String {
    chrono::DateTime::from_timestamp(at.floor() as i64, 0)
        .map_or_else(|| "0".into(), |d| d.format("%Y%m%dT%H%M%SZ").to_string())
}

/// The default export folder: `$XDG_DATA_HOME/capcom/exports`, or
/// `~/.local/share/capcom/exports`; `None` with neither variable set.
#[must_use]
pub fn default_folder(xdg_data_home: Option<&str>, home: Option<&str>) -> Option<PathBuf> {
    let base = match (xdg_data_home.filter(|s| !s.is_empty()), home) {
        (Some(x), _) => PathBuf::from(x),
        (None, Some(h)) if !h.is_empty() => Path::new(h).join(".local").join("share"),
        _ => return None,
    };
    Some(base.join("capcom").join("exports"))
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, synced, then hard-linked
/// into place (which fails rather than replace a file already there) and the temporary removed.
///
/// # Errors
/// The folder cannot be written, or `path` exists (with `replace` false).
pub fn write_atomic(path: &Path, bytes: &[u8], replace: bool) -> Result<(), ExportError> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = folder.join(format!(".{name}.{}.tmp", std::process::id()));
    let io = |what: &str, e: &std::io::Error| ExportError::Io(format!("{what}: {e}"));
    let written = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(io(&format!("cannot write in {}", folder.display()), &e));
    }
    let placed = if replace {
        fs::rename(&tmp, path)
    } else {
        fs::hard_link(&tmp, path)
    };
    let _ = fs::remove_file(&tmp);
    placed.map_err(|e| io(&format!("cannot create {}", path.display()), &e))?;
    if let Ok(dir) = fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Writes each `(format, bytes)` into `folder` (created if missing) as `<pane>-<stamp>.<ext>`,
/// the stem numbered `-2`, `-3`, … when a file of that name is there; returns the paths.
///
/// # Errors
/// The folder cannot be created or written.
pub fn write_all(
    folder: &Path,
    pane: &str,
    at: f64,
    outputs: &[(Format, Vec<u8>)],
) -> Result<Vec<PathBuf>, ExportError> {
    fs::create_dir_all(folder)
        .map_err(|e| ExportError::Io(format!("cannot create {}: {e}", folder.display())))?;
    let base = format!("{}-{}", safe_stem(pane), stamp(at));
    for n in 1..1000 {
        let stem = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        let paths: Vec<PathBuf> = outputs
            .iter()
            .map(|(f, _)| folder.join(format!("{stem}.{}", f.extension())))
            .collect();
        if paths.iter().any(|p| p.exists()) {
            continue;
        }
        let mut done = Vec::new();
        for (p, (_, bytes)) in paths.iter().zip(outputs) {
            match write_atomic(p, bytes, false) {
                Ok(()) => done.push(p.clone()),
                // Someone took the name between the look and the write: try the next stem.
                Err(_) if p.exists() => break,
                Err(e) => return Err(e),
            }
        }
        if done.len() == paths.len() {
            return Ok(done);
        }
    }
    Err(ExportError::Io(format!(
        "too many exports named {base} in {}",
        folder.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pane_id_cannot_name_a_path() {
        assert_eq!(safe_stem("../../etc/passwd"), "______etc_passwd");
        assert_eq!(safe_stem(""), "pane");
        assert_eq!(safe_stem(".."), "__");
        assert_eq!(safe_stem("motor temp ✓"), "motor_temp__");
        assert_eq!(stamp(1_764_148_230.9), "20251126T091030Z");
    }

    #[test]
    fn the_default_folder_is_under_the_data_home() {
        assert_eq!(
            default_folder(Some("/d"), Some("/h")),
            Some(PathBuf::from("/d/capcom/exports"))
        );
        assert_eq!(
            default_folder(None, Some("/h")),
            Some(PathBuf::from("/h/.local/share/capcom/exports"))
        );
        assert_eq!(default_folder(Some(""), None), None);
    }
}
