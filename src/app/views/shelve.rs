//! How long to shelve a fault for: `j` `k` choose among 5, 10, 15 minutes and a typed
//! length, `Enter` takes it (then the comment is asked), `Esc` shelves nothing. It takes
//! every other key but quit, so nothing changes unseen beneath it.

use super::{Editing, Handled, View};
use crate::action::Action;
use crate::app::{App, SHELF_CHOICES};

pub(super) fn handle(app: &mut App, action: &Action) -> Handled {
    let Some(View::ShelveChoice { selected }) = app.views.last_mut() else {
        return Handled::Pass;
    };
    match action {
        Action::SelectNext => *selected = (*selected + 1).min(SHELF_CHOICES.len()),
        Action::SelectPrev => *selected = selected.saturating_sub(1),
        Action::DrillIn => match SHELF_CHOICES.get(*selected) {
            Some(&secs) => app.shelf_chosen(secs),
            None => {
                if let Some(top) = app.views.last_mut() {
                    *top = View::Prompt {
                        what: Editing::ShelveFor,
                        line: String::new(),
                        cursor: 0,
                    };
                }
            }
        },
        Action::DrillOut => {
            app.faults.pending = None;
            return Handled::POP;
        }
        Action::Quit => return Handled::Pass,
        _ => {}
    }
    Handled::DONE
}
