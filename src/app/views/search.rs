//! The trace search form: typing goes into the field at the cursor (edited as a prompt is:
//! `←` `→`, `Home` `End`, Ctrl-U, Ctrl-W), `Tab` and the arrows move between fields, each
//! entered at its end; `Enter` runs the search (or says which field is wrong), `Esc` closes it.

use super::{Handled, View};
use crate::action::{Action, Effect};
use crate::app::{App, SEARCH_FIELDS, SearchForm};

pub(super) fn handle(app: &mut App, action: &Action) -> Handled {
    let Some(View::Search(form)) = app.views.last_mut() else {
        return Handled::Pass;
    };
    let step =
        |at: usize, by: isize| (at as isize + by).rem_euclid(SEARCH_FIELDS.len() as isize) as usize;
    if let Some(changed) =
        super::prompt::edit(form.fields.get_mut(form.at), &mut form.cursor, action)
    {
        if changed {
            form.error = None;
        }
        return Handled::DONE;
    }
    let to_field = |form: &mut SearchForm, at: usize| {
        form.at = at;
        form.cursor = form.fields.get(at).chars().count();
    };
    match action {
        Action::FocusNext | Action::SelectNext => to_field(form, step(form.at, 1)),
        Action::FocusPrev | Action::SelectPrev => to_field(form, step(form.at, -1)),
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
        _ => return Handled::Pass,
    }
    Handled::DONE
}

#[cfg(test)]
mod tests {
    use super::super::super::traces::tests::focused_on_traces;
    use super::*;

    #[test]
    fn fields_are_edited_at_the_cursor_and_entered_at_their_end() {
        let mut a = focused_on_traces();
        a.update(Action::EditQuery);
        let form = |a: &App| match a.views.last() {
            Some(View::Search(f)) => (f.at, f.fields.get(f.at).to_owned(), f.cursor),
            other => panic!("{other:?}"),
        };
        a.update(Action::TextKillLine);
        for c in "rover flight".chars() {
            a.update(Action::TextInput(c));
        }
        a.update(Action::TextKillWord);
        a.update(Action::TextHome);
        a.update(Action::TextInput('é'));
        assert_eq!(form(&a), (0, "érover ".into(), 1));
        a.update(Action::FocusNext);
        a.update(Action::TextInput('x'));
        assert_eq!(form(&a).0, 1);
        assert!(form(&a).1.ends_with('x'), "{:?}", form(&a));
        a.update(Action::FocusPrev);
        assert_eq!(form(&a).2, 7, "back at the end of the field");
    }
}
