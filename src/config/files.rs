//! Reading the files a user names (a configuration, a theme, a secret, a CA bundle) with a
//! bound on their size, and writing capcom's own files (a report, a history) whole or not at
//! all.

use std::path::Path;

/// The largest configuration, theme or credential file read: far above any real one.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Reads a file the user named (a configuration, a theme, a secret, a CA bundle), at most
/// `MAX_FILE_BYTES` of it, so a mistaken `/dev/zero` or a huge file is an error rather than
/// all of memory. A pipe is allowed (`--config <(…)` is one); a recording's files are read by
/// the stricter `source::recording` instead.
///
/// # Errors
/// The file cannot be read, or is larger than the limit.
pub fn read_capped(path: &Path) -> std::io::Result<Vec<u8>> {
    read_capped_to(path, MAX_FILE_BYTES)
}

/// Writes `bytes` to `path` whole or not at all: a temporary file beside it (created with
/// permissions `mode`, less the umask), `fsync`, rename over `path`. The temporary file is
/// removed if any step fails.
///
/// # Errors
/// The temporary file cannot be written or renamed over `path`.
pub fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("not a file name"))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = dir.join(tmp_name);
    let written = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// [`read_capped`] with a smaller cap of `max` bytes, for a file of capcom's own (a history)
/// that is never large.
///
/// # Errors
/// The file cannot be read, or is larger than `max`.
pub fn read_capped_to(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(std::io::Error::other(format!(
            "larger than {}; is it the right file?",
            crate::text::size_text(max)
        )));
    }
    Ok(bytes)
}

/// [`read_capped`] as text (invalid UTF-8 is an error, as `read_to_string`'s).
///
/// # Errors
/// As [`read_capped`], or text that is not UTF-8.
pub fn read_capped_text(path: &Path) -> std::io::Result<String> {
    String::from_utf8(read_capped(path)?)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))
}
