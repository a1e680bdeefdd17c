//! One pane full screen: `Esc` or `z` puts it back; every other key is the pane's, as on the
//! dashboard.

use super::Handled;
use crate::action::Action;

pub(super) fn handle(action: &Action) -> Handled {
    match action {
        Action::DrillOut | Action::ToggleZoom => Handled::POP,
        _ => Handled::Pass,
    }
}
