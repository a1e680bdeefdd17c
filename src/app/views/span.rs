//! One span's detail: `j` `k` scroll it, `l` opens the events carrying its trace's id, `Esc`
//! goes back to the waterfall.

use super::{Handled, View};
use crate::action::Action;
use crate::app::App;

pub(super) fn handle(app: &mut App, action: &Action) -> Handled {
    let Some(View::Span { trace, .. }) = app.views.last_mut() else {
        return Handled::Pass;
    };
    match action {
        Action::SelectNext => app.scroll_text(1),
        Action::SelectPrev => app.scroll_text(-1),
        Action::TraceEvents => {
            let trace_id = trace.trace_id.to_string();
            app.open_trace_events(trace_id)
        }
        Action::DrillOut => Handled::POP,
        _ => Handled::Pass,
    }
}
