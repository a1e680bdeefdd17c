//! One fault's detail: `j` `k` scroll it, `c` charts its rule, `t` lists its service's failed traces over the
//! last hour (as `Enter` on an SLO does), `Esc` closes it.

use super::{Handled, View};
use crate::action::Action;
use crate::app::App;

pub(super) fn handle(app: &mut App, action: &Action) -> Handled {
    let Some(View::FaultDetail { fault, .. }) = app.views.last_mut() else {
        return Handled::Pass;
    };
    match action {
        Action::OpenTrace => {
            let fault = fault.as_ref().clone();
            app.open_fault_traces(&fault)
        }
        Action::ChartAlert => {
            let fault = fault.as_ref().clone();
            super::alert_chart::open(app, &fault)
        }
        Action::SelectNext => app.scroll_text(1),
        Action::SelectPrev => app.scroll_text(-1),
        Action::DrillOut => Handled::POP,
        _ => Handled::Pass,
    }
}
