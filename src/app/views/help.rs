//! The help overlay: `Esc` or `?` closes it, `q` quits, `j` `k` and the list keys scroll it
//! when it is taller than the screen; it takes every other key, so nothing changes unseen
//! beneath it.

use super::Handled;
use crate::action::Action;
use crate::app::App;

pub(super) fn handle(app: &mut App, action: &Action) -> Handled {
    match action {
        Action::DrillOut | Action::ToggleHelp => Handled::POP,
        Action::Quit => Handled::Pass,
        _ => match app.scroll_help(action) {
            Handled::Pass => Handled::DONE,
            handled => handled,
        },
    }
}
