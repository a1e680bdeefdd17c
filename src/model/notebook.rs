//! The operator's notebook: entries pinned to mission time. Plain values; the file they live
//! in is `src/notebook.rs`, writing one is an effect of the app.

use serde::{Deserialize, Serialize};

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// A note the operator wrote.
    Note,
    /// A fault acknowledged.
    Acknowledged,
    /// A fault shelved.
    Shelved,
    /// A fault's acknowledgement undone.
    Unacknowledged,
    /// A fault's shelf undone.
    Unshelved,
}

impl EntryKind {
    /// The word lists and reports use.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            Self::Note => "note",
            Self::Acknowledged => "acknowledged",
            Self::Shelved => "shelved",
            Self::Unacknowledged => "un-acknowledged",
            Self::Unshelved => "un-shelved",
        }
    }
}

/// Where the time conductor was when an entry was written: the moment of the data, not of
/// the writing. In a replay these are the recording's own times, so a note still points at
/// the same moment of the recording after a restart shifts the replay to a new "now".
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MissionTime {
    /// The window's end (Unix seconds).
    pub end: f64,
    /// Whether the conductor was paused there (else it was following now).
    pub paused: bool,
    /// The window's length, seconds.
    pub window: f64,
}

/// One entry of the notebook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Its number in the notebook, unique within one file.
    pub id: u64,
    /// Wall-clock time it was written (Unix seconds).
    pub written: f64,
    /// The conductor's time it is pinned to.
    pub mission: MissionTime,
    /// The focused pane's id (empty when none, as from `capcom notebook add`).
    #[serde(default)]
    pub pane: String,
    /// The focused pane's title.
    #[serde(default)]
    pub pane_title: String,
    /// What it records.
    pub kind: EntryKind,
    /// The text; may hold several lines. Untrusted: whoever can write the file wrote it.
    pub text: String,
    /// The frame as plain text when it was written, if asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen: Option<String>,
}

impl Entry {
    /// Entry `id` of `kind` saying `text`, written at `written` and pinned to `mission`, with
    /// no pane and no screen.
    #[must_use]
    pub fn new(id: u64, written: f64, mission: MissionTime, kind: EntryKind, text: String) -> Self {
        Self {
            id,
            written,
            mission,
            pane: String::new(),
            pane_title: String::new(),
            kind,
            text,
            screen: None,
        }
    }

    /// The first line of the text, and how many lines follow it.
    #[must_use]
    pub fn headline(&self) -> (&str, usize) {
        let mut lines = self.text.lines();
        let first = lines.next().unwrap_or("");
        (first, lines.count())
    }
}

/// The id after every one of `entries`.
#[must_use]
pub fn next_id(entries: &[Entry]) -> u64 {
    entries.iter().map(|e| e.id + 1).max().unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: u64, text: &str) -> Entry {
        let following = MissionTime {
            end: 5.0,
            paused: false,
            window: 300.0,
        };
        Entry::new(id, 10.0, following, EntryKind::Note, text.into())
    }

    #[test]
    fn an_entry_is_one_json_line_and_reads_back_the_same() {
        let e = entry(3, "motor hot\nsecond line");
        let line = serde_json::to_string(&e).expect("json");
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("\"kind\":\"note\""), "{line}");
        assert!(!line.contains("screen"), "no screen asked: {line}");
        assert_eq!(serde_json::from_str::<Entry>(&line).expect("parses"), e);
    }

    #[test]
    fn the_headline_is_the_first_line_and_the_ids_go_on() {
        assert_eq!(entry(1, "a\nb\nc").headline(), ("a", 2));
        assert_eq!(entry(1, "").headline(), ("", 0));
        assert_eq!(next_id(&[]), 1);
        assert_eq!(next_id(&[entry(4, "x"), entry(2, "y")]), 5);
    }
}
