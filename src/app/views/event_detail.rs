//! One event's whole document: `j` `k` scroll it, `t` opens its trace, `Esc` closes it.

use super::{Handled, View};
use crate::action::Action;
use crate::app::App;

pub(super) fn handle(app: &mut App, action: &Action) -> Handled {
    let Some(View::EventDetail { event, .. }) = app.views.last_mut() else {
        return Handled::Pass;
    };
    match action {
        Action::SelectNext => app.scroll_text(1),
        Action::SelectPrev => app.scroll_text(-1),
        Action::OpenTrace => {
            let event = event.as_ref().clone();
            app.open_trace_of(Some(event))
        }
        Action::DrillOut => Handled::POP,
        _ => Handled::Pass,
    }
}
