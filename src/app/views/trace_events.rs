//! A trace's events, full screen: the Events pane's keys work as on the dashboard, and `Esc`
//! (or `z`) restores the pane and the filter the operator had before.

use super::{Handled, View};
use crate::action::Action;
use crate::app::App;

pub(super) fn handle(app: &mut App, action: &Action) -> Handled {
    let Some(View::TraceEvents {
        from,
        previous_filter,
    }) = app.views.last_mut()
    else {
        return Handled::Pass;
    };
    if *action != Action::DrillOut {
        return Handled::Pass;
    }
    app.focus = *from;
    app.events.filter = std::mem::take(previous_filter);
    app.events.selected = 0;
    Handled::POP
}
