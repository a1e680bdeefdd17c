//! Hand-offs over ssh: `y` copies, `o` shows a web UI's link, `:` charts an ad-hoc query.
//! (Issue 16: being built.)

use super::{App, Handled};
use crate::action::Action;

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
