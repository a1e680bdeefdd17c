//! The notebook's entries, newest last: `j` `k` (and `g` `G`, `PgUp` `PgDn`) select one,
//! `Enter` pauses the time conductor at its time with its window, `Esc` closes the list.

use super::{Handled, View};
use crate::action::Action;
use crate::app::App;

pub(super) fn handle(app: &mut App, action: &Action) -> Handled {
    let last = app.notebook.entries.len().saturating_sub(1);
    let page = usize::from(app.size.1 / 3).max(1);
    let Some(View::Notebook { selected }) = app.views.last_mut() else {
        return Handled::Pass;
    };
    match action {
        Action::SelectNext => *selected = (*selected + 1).min(last),
        Action::SelectPrev => *selected = selected.saturating_sub(1),
        Action::SelectFirst => *selected = 0,
        Action::SelectLast => *selected = last,
        Action::PageDown => *selected = (*selected + page).min(last),
        Action::PageUp => *selected = selected.saturating_sub(page),
        Action::DrillIn => {
            let at = *selected;
            return app.go_to_entry(at);
        }
        Action::DrillOut => return Handled::POP,
        _ => return Handled::Pass,
    }
    Handled::DONE
}
