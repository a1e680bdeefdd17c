//! One event's whole document: `j` `k` scroll it, `t` opens its trace, `Esc` closes it.

use super::{Handled, View};
use crate::action::Action;
use crate::app::App;

pub(super) fn handle(app: &mut App, action: &Action) -> Handled {
    let Some(View::EventDetail { event, scroll }) = app.views.last_mut() else {
        return Handled::Pass;
    };
    match action {
        Action::SelectNext => *scroll = scroll.saturating_add(1),
        Action::SelectPrev => *scroll = scroll.saturating_sub(1),
        Action::OpenTrace => {
            let event = event.as_ref().clone();
            return app.open_trace_of(Some(event));
        }
        Action::DrillOut => return Handled::POP,
        _ => return Handled::Pass,
    }
    Handled::DONE
}
