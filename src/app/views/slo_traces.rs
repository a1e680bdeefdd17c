//! An SLO's failed traces, full screen: the Traces pane's keys work as on the dashboard, and
//! `Esc` restores the pane, order and search the operator had before.

use super::{Handled, View};
use crate::action::{Action, Effect};
use crate::app::App;

pub(super) fn handle(app: &mut App, action: &Action) -> Handled {
    let Some(View::SloTraces {
        from,
        previous,
        sort,
    }) = app.views.last()
    else {
        return Handled::Pass;
    };
    if *action != Action::DrillOut {
        return Handled::Pass;
    }
    app.focus = *from;
    app.traces.sort = *sort;
    app.traces.selected = 0;
    app.traces.searching = true;
    app.traces.query = previous.as_ref().clone();
    Handled::Pop(vec![Effect::SearchTraces(app.traces.query.clone())])
}
