//! The I/O of hand-offs (`app/handoff.rs` decides what): the OSC 52 sequence that puts text
//! on the terminal's clipboard, whether the terminal is known to refuse it, and the ad-hoc
//! queries' history file under `$XDG_STATE_HOME/capcom/`.

use std::path::{Path, PathBuf};

use base64::Engine as _;

/// The history file's name in the state directory.
pub const HISTORY_FILE: &str = "queries";

/// The most of the history file read: 100 queries of a few hundred bytes each, many times
/// over.
pub const HISTORY_MAX_BYTES: u64 = 256 * 1024;

/// The OSC 52 sequence that asks the terminal to put `text` on the clipboard:
/// `ESC ] 52 ; c ; <base64> BEL`. The text is base64, so nothing in it can act as a control
/// sequence; the app refuses text with control characters before it gets here.
#[must_use]
pub fn osc52(text: &str) -> Vec<u8> {
    let mut out = b"\x1b]52;c;".to_vec();
    out.extend(
        base64::engine::general_purpose::STANDARD
            .encode(text)
            .into_bytes(),
    );
    out.push(0x07);
    out
}

/// Why OSC 52 will not reach a clipboard, when it can be told from the environment: inside
/// tmux whose `set-clipboard` is not `on` (`tmux show -gv set-clipboard`), or on the Linux
/// console, which has no clipboard. Other terminals cannot be asked: a copy is sent and
/// hoped for.
#[must_use]
pub fn clipboard_refused() -> Option<String> {
    if std::env::var("TERM").is_ok_and(|t| t == "linux") {
        return Some("the Linux console has no clipboard (OSC 52)".into());
    }
    std::env::var_os("TMUX").filter(|t| !t.is_empty())?;
    let out = std::process::Command::new("tmux")
        .args(["show", "-gv", "set-clipboard"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    tmux_refuses(&String::from_utf8_lossy(&out.stdout))
}

/// Why tmux, whose `set-clipboard` is `setting`, refuses an application's OSC 52, if it does
/// (`external` and `off` both ignore it).
#[must_use]
pub fn tmux_refuses(setting: &str) -> Option<String> {
    match setting.trim() {
        "on" | "" => None,
        other => Some(format!(
            "tmux's set-clipboard is {}; run tmux set -g set-clipboard on",
            crate::text::safe_line(other, 12)
        )),
    }
}

/// Where the ad-hoc queries' history is kept: `$XDG_STATE_HOME/capcom/queries`, or
/// `~/.local/state/capcom/queries`.
#[must_use]
pub fn history_path() -> Option<PathBuf> {
    crate::logging::log_dir().map(|d| d.join(HISTORY_FILE))
}

/// The history at `path`, oldest first, at most `max` queries (the newest), read with a cap;
/// none when the file is missing or unreadable.
#[must_use]
pub fn load_history(path: &Path, max: usize) -> Vec<String> {
    let Ok(bytes) = crate::config::read_capped_to(path, HISTORY_MAX_BYTES) else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let skip = lines.len().saturating_sub(max);
    lines.into_iter().skip(skip).collect()
}

/// Writes `history` to `path`, one query a line, atomically: a temporary file in the same
/// folder, synced, renamed over the old one; the folder made if missing.
///
/// # Errors
/// The folder or the file cannot be written.
pub fn save_history(path: &Path, history: &[String]) -> std::io::Result<()> {
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
    // One query a line: a line break typed or pasted into one is a space.
    let mut text = String::new();
    for q in history {
        text.push_str(&q.replace(['\n', '\r'], " "));
        text.push('\n');
    }
    crate::config::write_atomically(path, text.as_bytes(), 0o600)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_is_the_sequence_with_the_text_in_base64() {
        assert_eq!(
            osc52("4bf92f35"),
            b"\x1b]52;c;NGJmOTJmMzU=\x07".to_vec(),
            "base64 of the id between ESC ] 52 ; c ; and BEL"
        );
        let hostile = osc52("ab\x1b]52;c;x\x07");
        assert_eq!(
            hostile.iter().filter(|&&b| b == 0x1b || b == 0x07).count(),
            2,
            "only the sequence's own ESC and BEL: {hostile:?}"
        );
    }

    #[test]
    fn tmux_takes_a_copy_only_with_set_clipboard_on() {
        assert_eq!(tmux_refuses("on\n"), None);
        for s in ["off", "external"] {
            let why = tmux_refuses(s).expect("refused");
            assert!(why.contains("set -g set-clipboard on"), "{why}");
        }
    }

    #[test]
    fn the_history_survives_a_restart_capped_and_written_atomically() {
        let dir = std::env::temp_dir().join(format!("capcom-history-{}", std::process::id()));
        let path = dir.join("capcom").join(HISTORY_FILE);
        let many: Vec<String> = (0..150).map(|i| format!("rate(x{i}[1m])")).collect();
        save_history(&path, &many).expect("saved");
        let back = load_history(&path, 100);
        assert_eq!(back.len(), 100);
        assert_eq!(back[0], "rate(x50[1m])");
        assert_eq!(back[99], "rate(x149[1m])");
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().expect("dir"))
            .expect("read")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers, [HISTORY_FILE], "no temporary file left");
        // A huge file is read only up to its cap, not into memory whole.
        let huge = "up\n".repeat(200_000);
        std::fs::write(&path, huge).expect("write");
        assert!(
            load_history(&path, 100).is_empty(),
            "larger than the cap: none"
        );
        assert!(load_history(&dir.join("missing"), 100).is_empty());
        std::fs::remove_dir_all(&dir).expect("clean");
    }
}
