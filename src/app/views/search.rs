//! The trace search form: typing goes into the field at the cursor, `Tab` and the arrows move
//! between fields, `Enter` runs the search (or says which field is wrong), `Esc` closes it.

use super::{Handled, View};
use crate::action::{Action, Effect};
use crate::app::{App, SEARCH_FIELDS};

pub(super) fn handle(app: &mut App, action: &Action) -> Handled {
    let Some(View::Search(form)) = app.views.last_mut() else {
        return Handled::Pass;
    };
    let step =
        |at: usize, by: isize| (at as isize + by).rem_euclid(SEARCH_FIELDS.len() as isize) as usize;
    match action {
        Action::FocusNext | Action::SelectNext => form.at = step(form.at, 1),
        Action::FocusPrev | Action::SelectPrev => form.at = step(form.at, -1),
        Action::TextInput(c) => {
            form.error = None;
            form.fields.get_mut(form.at).push(*c);
        }
        Action::TextBackspace => {
            form.error = None;
            form.fields.get_mut(form.at).pop();
        }
        Action::TextCommit => match form.query() {
            Ok(q) => {
                app.traces.searching = true;
                app.traces.selected = 0;
                app.traces.query = q.clone();
                return Handled::Pop(vec![Effect::SearchTraces(q)]);
            }
            Err(e) => form.error = Some(e),
        },
        Action::TextCancel | Action::DrillOut => return Handled::POP,
        // Cursor editing (issue 16: being built).
        Action::TextLeft
        | Action::TextRight
        | Action::TextHome
        | Action::TextEnd
        | Action::TextKillLine
        | Action::TextKillWord => {}
        _ => return Handled::Pass,
    }
    Handled::DONE
}
