//! The notebook's file: one per dashboard, JSON lines, under the XDG data directory
//! (`$XDG_DATA_HOME/capcom/notebooks/<dashboard>.jsonl`, else
//! `~/.local/share/capcom/notebooks/`), and its Markdown and HTML exports.
//!
//! One entry is one line, appended with `O_APPEND` and `fsync`ed before the write is reported
//! done. Appending rather than rewriting the whole file through a temporary: a note costs one
//! short write however long the notebook is, the file stays `tail -f`-able and greppable,
//! and a crash or `SIGKILL` in the middle of a write can only tear the line being written —
//! every earlier line is already on disk and is never touched again. A torn last line is
//! reported and skipped when the file is read, and kept as it is; the next append starts on a
//! new line (it adds the missing newline first), so a torn line never swallows a whole one.

use std::fmt::Write as _;
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use crate::model::notebook::Entry;

/// Where a dashboard's notebook lives, with the file name made from `title`; `None` when
/// neither `$XDG_DATA_HOME` nor `$HOME` is set.
#[must_use]
pub fn path_for(title: &str) -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(base.join("capcom/notebooks").join(file_name(title)))
}

/// A dashboard's title as a file name: lower-case letters, digits, `-` and `_`, every other
/// run of characters one `-`, at most 64 characters; `dashboard` when nothing is left.
#[must_use]
pub fn file_name(title: &str) -> String {
    let mut name = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            name.push(c.to_ascii_lowercase());
        } else if !name.is_empty() && !name.ends_with('-') {
            name.push('-');
        }
        if name.len() >= 64 {
            break;
        }
    }
    let name = name.trim_end_matches('-');
    let name = if name.is_empty() { "dashboard" } else { name };
    format!("{name}.jsonl")
}

/// What reading a notebook found.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Loaded {
    /// The whole entries, in the file's order.
    pub entries: Vec<Entry>,
    /// One line per line skipped (torn or not an entry) or per failure to read: safe to show.
    pub warnings: Vec<String>,
}

/// One notebook file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Store {
    /// The file.
    pub path: PathBuf,
}

impl Store {
    /// The notebook at `path`.
    #[must_use]
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    /// Reads the notebook, at most [`crate::config::MAX_FILE_BYTES`] of it. Never
    /// fails: a missing file is an empty notebook, a line that is not a whole entry is
    /// skipped with a warning (and left in the file), a file that cannot be read is a warning.
    #[must_use]
    pub fn load(&self) -> Loaded {
        let bytes = match crate::config::read_capped(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::default(),
            Err(e) => {
                return Loaded {
                    entries: Vec::new(),
                    warnings: vec![format!(
                        "notebook {}: {}",
                        self.shown(),
                        crate::text::one_line(&e.to_string(), 200)
                    )],
                };
            }
        };
        let mut out = Loaded::default();
        for (n, line) in bytes.split(|&b| b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice::<Entry>(line) {
                Ok(e) => out.entries.push(e),
                Err(e) => out.warnings.push(format!(
                    "notebook {} line {}: not a whole entry, skipped and kept in the file ({})",
                    self.shown(),
                    n + 1,
                    crate::text::one_line(&e.to_string(), 80)
                )),
            }
        }
        out
    }

    /// Appends `entry` as one line and waits for it to reach the disk. Creates the folder
    /// and the file (readable by its owner alone) when they are missing.
    ///
    /// # Errors
    /// The folder or file cannot be created, opened or written, or the disk is full.
    pub fn append(&self, entry: &Entry) -> std::io::Result<()> {
        use std::os::unix::fs::OpenOptionsExt as _;
        let mut line = serde_json::to_string(entry).map_err(std::io::Error::other)?;
        line.push('\n');
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .mode(0o600)
            .open(&self.path)?;
        // A torn last line (a crash mid-write) ends without a newline: start on a new one.
        if file.metadata()?.len() > 0 {
            let mut last = [0u8];
            file.seek(SeekFrom::End(-1))?;
            file.read_exact(&mut last)?;
            if last[0] != b'\n' {
                line.insert(0, '\n');
            }
        }
        file.write_all(line.as_bytes())?;
        file.sync_data()
    }

    /// The path as it can be shown.
    #[must_use]
    pub fn shown(&self) -> String {
        crate::text::one_line(&self.path.display().to_string(), 200)
    }
}

/// A time as reports give it: `2026-11-26 09:12:03 UTC`.
#[must_use]
pub fn utc(t: f64) -> String {
    chrono::DateTime::from_timestamp(t.floor() as i64, 0).map_or_else(
        || "(no time)".to_owned(),
        |d| d.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    )
}

/// A window's length as reports give it: `15 min`, `1 h`.
fn window_text(secs: f64) -> String {
    let s = secs.round().max(0.0) as u64;
    match s {
        s if s >= 86_400 && s % 86_400 == 0 => format!("{} d", s / 86_400),
        s if s >= 3_600 && s % 3_600 == 0 => format!("{} h", s / 3_600),
        s if s >= 60 && s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// How an entry's time is said: `paused at 2026-… UTC, window 15 min`.
#[must_use]
pub fn mission_text(e: &Entry) -> String {
    let how = if e.mission.paused {
        "paused at"
    } else {
        "following, at"
    };
    format!(
        "{how} {}, window {}",
        utc(e.mission.end),
        window_text(e.mission.window)
    )
}

/// The pane an entry names, as shown: its title, else its id, else `-`.
#[must_use]
pub fn pane_text(e: &Entry) -> &str {
    [e.pane_title.as_str(), e.pane.as_str()]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or("-")
}

/// A code fence longer than any run of backticks in `text`.
fn fence(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// The notebook as a Markdown hand-over report. Every text from the file is made safe
/// (`text::safe_text`): the report may be printed to a terminal.
#[must_use]
pub fn markdown(title: &str, entries: &[Entry]) -> String {
    let safe = crate::text::safe_text;
    let mut out = format!(
        "# Notebook: {}\n\n{}\n",
        crate::text::safe_line(title, 200),
        crate::text::plural(entries.len(), "entry")
    );
    for e in entries {
        let _ = write!(
            out,
            "\n## {} · {} · {}\n\n",
            utc(e.mission.end),
            safe(pane_text(e)),
            e.kind.word()
        );
        let _ = writeln!(
            out,
            "_{} · written {} · #{}_\n",
            mission_text(e),
            utc(e.written),
            e.id
        );
        for line in safe(&e.text).lines() {
            let _ = writeln!(out, "> {line}");
        }
        if let Some(screen) = &e.screen {
            let screen = safe(screen);
            let fence = fence(&screen);
            let _ = write!(out, "\nThe screen:\n\n{fence}text\n{screen}");
            if !screen.ends_with('\n') {
                out.push('\n');
            }
            let _ = writeln!(out, "{fence}");
        }
    }
    out
}

/// `text` made safe and escaped for HTML.
fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in crate::text::safe_text(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The notebook as one HTML page: every text from the file escaped (notes are untrusted).
#[must_use]
pub fn html(title: &str, entries: &[Entry]) -> String {
    let title = html_escape(title);
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Notebook: {title}</title>\n<style>\nbody {{ font-family: sans-serif; \
         max-width: 60rem; margin: 2rem auto; }}\npre {{ white-space: pre-wrap; }}\n\
         .meta {{ color: #555; font-size: 0.9em; }}\n</style>\n</head>\n<body>\n\
         <h1>Notebook: {title}</h1>\n<p>{}</p>\n",
        crate::text::plural(entries.len(), "entry")
    );
    for e in entries {
        let _ = write!(
            out,
            "<section id=\"entry-{}\">\n<h2>{} · {} · {}</h2>\n<p class=\"meta\">{} · written \
             {} · #{}</p>\n<pre class=\"note\">{}</pre>\n",
            e.id,
            utc(e.mission.end),
            html_escape(pane_text(e)),
            e.kind.word(),
            mission_text(e),
            utc(e.written),
            e.id,
            html_escape(&e.text)
        );
        if let Some(screen) = &e.screen {
            let _ = writeln!(
                out,
                "<details><summary>the screen</summary>\n<pre class=\"screen\">{}</pre>\n</details>",
                html_escape(screen)
            );
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// Writes `text` to `path` whole or not at all (a report: readable as the umask allows).
///
/// # Errors
/// The temporary file cannot be written or renamed over `path`.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    crate::config::write_atomically(path, text.as_bytes(), 0o666)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_becomes_a_safe_file_name() {
        assert_eq!(file_name("Mars rover · sol 1"), "mars-rover-sol-1.jsonl");
        assert_eq!(file_name("../../etc/passwd"), "etc-passwd.jsonl");
        assert_eq!(file_name("\u{1b}[2J"), "2j.jsonl");
        assert_eq!(file_name("···"), "dashboard.jsonl");
        assert!(file_name(&"x".repeat(500)).len() <= 70);
    }

    #[test]
    fn an_atomic_write_replaces_the_file_whole() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("r.md");
        write_atomically(&path, "old").expect("writes");
        write_atomically(&path, "new").expect("writes");
        assert_eq!(std::fs::read_to_string(&path).expect("reads"), "new");
        assert_eq!(std::fs::read_dir(dir.path()).expect("lists").count(), 1);
    }
}
