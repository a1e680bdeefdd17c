//! A line typed at the bottom of the screen: a filter, applied as it is typed (`Esc` clears
//! it), the events' server-side query, sent on `Enter` when it changed, or a time to jump to,
//! read on `Enter`.

use super::{Editing, Handled, View};
use crate::action::{Action, Effect};
use crate::app::App;

pub(super) fn handle(app: &mut App, action: &Action) -> Handled {
    let Some(View::Prompt { what, line }) = app.views.last_mut() else {
        return Handled::Pass;
    };
    let what = *what;
    match action {
        Action::TextInput(c) => line.push(*c),
        Action::TextBackspace => drop(line.pop()),
        Action::TextCancel => {
            match what {
                Editing::Filter => app.events.filter.clear(),
                Editing::TraceFilter => app.traces.filter.clear(),
                Editing::Query | Editing::Jump => {}
            }
            return Handled::POP;
        }
        Action::TextCommit if what == Editing::Jump => {
            let (now, end) = (app.now, app.conductor.end(app.now));
            match crate::model::conductor::parse_jump(line, now, end) {
                Ok(jump) => app.conductor.jump(jump, now),
                Err(e) => app.notice = Some(e),
            }
            return Handled::POP;
        }
        Action::TextCommit => {
            if what == Editing::Query && *line != app.events.query {
                app.events.query.clone_from(line);
                return Handled::Pop(vec![Effect::SetEventQuery(line.clone())]);
            }
            return Handled::POP;
        }
        _ => return Handled::Pass,
    }
    let line = line.clone();
    match what {
        Editing::Filter => {
            app.events.filter = line;
            app.events.selected = 0;
            app.events.unseen = 0;
        }
        Editing::TraceFilter => {
            app.traces.filter = line;
            app.traces.selected = 0;
        }
        Editing::Query | Editing::Jump => {}
    }
    Handled::DONE
}
