//! An SLO's failed traces, full screen: the Traces pane's keys work as on the dashboard, and
//! `Esc` (or `z`) restores the pane, order, local filter and search the operator had before.

use super::{Handled, View};
use crate::action::{Action, Effect};
use crate::app::App;

pub(super) fn handle(app: &mut App, action: &Action) -> Handled {
    let Some(View::SloTraces {
        from,
        previous,
        sort,
        filter,
    }) = app.views.last_mut()
    else {
        return Handled::Pass;
    };
    if *action != Action::DrillOut {
        return Handled::Pass;
    }
    app.focus = *from;
    app.traces.sort = *sort;
    app.traces.filter = std::mem::take(filter);
    app.traces.selected = 0;
    app.traces.searching = true;
    app.traces.query = previous.as_ref().clone();
    Handled::Pop(vec![Effect::SearchTraces(app.traces.query.clone())])
}
