//! The help overlay: `Esc` or `?` closes it, `q` quits; it takes every other key, so nothing
//! changes unseen beneath it.

use super::Handled;
use crate::action::Action;

pub(super) fn handle(action: &Action) -> Handled {
    match action {
        Action::DrillOut | Action::ToggleHelp => Handled::POP,
        Action::Quit => Handled::Pass,
        _ => Handled::DONE,
    }
}
