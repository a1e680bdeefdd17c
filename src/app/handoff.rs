//! Hand-offs over ssh: `y` copies, `o` shows a web UI's link, `:` charts an ad-hoc query.
//! (Issue 16: being built.)

use super::{App, Handled};
use crate::action::Action;

/// The most ad-hoc queries remembered.
pub const HISTORY_MAX: usize = 100;

/// What hand-offs keep: the ad-hoc queries typed (this run's and earlier runs'), and whether
/// the terminal is known to refuse a copy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HandoffState {
    /// Ad-hoc queries typed, oldest first, each once, at most [`HISTORY_MAX`].
    pub history: Vec<String>,
    /// The history entry the ad-hoc prompt shows while `↑` `↓` walk it.
    walking: Option<usize>,
    /// The line being typed before the walk started, shown again past the newest entry.
    draft: String,
    /// Why a copy (OSC 52) will not reach the clipboard, when capcom can tell at start
    /// (inside tmux with `set-clipboard` off, on the Linux console).
    pub clipboard_refused: Option<String>,
}

impl HandoffState {
    /// The line `↑` (`back`) or `↓` shows at the ad-hoc prompt now showing `line`, if it
    /// changes.
    pub(super) fn walk_history(&mut self, line: &str, back: bool) -> Option<String> {
        let last = self.history.len().checked_sub(1)?;
        let to = match (self.walking, back) {
            (None, true) => {
                self.draft = line.to_owned();
                Some(last)
            }
            (None, false) => return None,
            (Some(at), true) => Some(at.saturating_sub(1)),
            (Some(at), false) if at < last => Some(at + 1),
            (Some(_), false) => None,
        };
        self.walking = to;
        Some(match to {
            Some(at) => self.history[at].clone(),
            None => std::mem::take(&mut self.draft),
        })
    }

    /// Remembers `query` as the newest (once: an earlier copy moves up), the oldest dropped
    /// past [`HISTORY_MAX`]; the walk starts over.
    pub(super) fn remember(&mut self, query: &str) {
        self.walking = None;
        self.draft.clear();
        self.history.retain(|q| q != query);
        self.history.push(query.to_owned());
        let extra = self.history.len().saturating_sub(HISTORY_MAX);
        self.history.drain(..extra);
    }
}

impl App {
    /// `y`, `o` and `:`.
    pub(super) fn handoff_key(&mut self, action: &Action) -> Handled {
        let _ = action;
        self.notice = Some("not built yet".into());
        Handled::DONE
    }

    /// The ad-hoc query typed at the prompt, committed.
    pub(super) fn ad_hoc_committed(&mut self, line: &str) -> Handled {
        self.notice = Some(format!("not built yet: {line}"));
        Handled::POP
    }
}
