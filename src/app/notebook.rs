//! The operator's notebook: `n` writes a note stamped with the conductor's time and the
//! focused pane, `N` lists the notes. (Issue 16: being built.)

use super::{App, Handled};
use crate::action::Action;

impl App {
    /// `n` and `N`.
    pub(super) fn notebook_key(&mut self, action: &Action) -> Handled {
        let _ = action;
        self.notice = Some("the notebook is not built yet".into());
        Handled::DONE
    }

    /// The note typed at the prompt, committed.
    pub(super) fn note_committed(&mut self, line: &str) -> Handled {
        self.notice = Some(format!("not built yet: {line}"));
        Handled::POP
    }
}
