//! One trace as a waterfall: move, fold and unfold spans, `Enter` opens a span, `l` the
//! events carrying the trace's id, `Esc` closes it.

use std::sync::Arc;

use super::{Handled, View};
use crate::action::Action;
use crate::app::App;

pub(super) fn handle(app: &mut App, action: &Action) -> Handled {
    let Some(View::Trace(view)) = app.views.last_mut() else {
        return Handled::Pass;
    };
    match action {
        Action::DrillIn => {
            let Some(row) = view.row() else {
                return Handled::Pass;
            };
            return Handled::push(View::Span {
                trace: Arc::clone(&view.trace),
                span: row.span,
                scroll: 0,
            });
        }
        Action::SelectNext => view.step(1),
        Action::SelectPrev => view.step(-1),
        Action::Collapse => view.collapse(),
        Action::Expand => view.expand(),
        Action::ToggleCollapse => view.toggle(),
        Action::TraceEvents => {
            let trace_id = view.trace.trace_id.to_string();
            return app.open_trace_events(trace_id);
        }
        Action::DrillOut => return Handled::POP,
        _ => return Handled::Pass,
    }
    Handled::DONE
}
