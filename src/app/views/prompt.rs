//! A line typed at the bottom of the screen: a filter, applied as it is typed (`Esc` clears
//! it), the events' server-side query, sent on `Enter` when it changed, a time to jump to,
//! read on `Enter`, or a fault's shelf length and then its comment, which makes the silence.

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
                Editing::FaultComment | Editing::ShelveFor => app.faults.pending = None,
                Editing::Query | Editing::Jump | Editing::Note | Editing::AdHoc => {}
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
        Action::TextCommit if what == Editing::FaultComment => {
            let line = line.clone();
            return Handled::Pop(app.comment_committed(&line));
        }
        Action::TextCommit if what == Editing::Note => {
            let line = line.clone();
            return app.note_committed(&line);
        }
        Action::TextCommit if what == Editing::AdHoc => {
            let line = line.clone();
            return app.ad_hoc_committed(&line);
        }
        // Cursor editing and history (issue 16: being built).
        Action::TextLeft
        | Action::TextRight
        | Action::TextHome
        | Action::TextEnd
        | Action::TextKillLine
        | Action::TextKillWord
        | Action::TextHistoryPrev
        | Action::TextHistoryNext => return Handled::DONE,
        Action::TextCommit if what == Editing::ShelveFor => {
            match parse_shelf(line) {
                Ok(secs) => app.shelf_chosen(secs),
                Err(e) => {
                    app.faults.pending = None;
                    app.notice = Some(e);
                    return Handled::POP;
                }
            }
            return Handled::DONE;
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
        Editing::Query
        | Editing::Jump
        | Editing::FaultComment
        | Editing::ShelveFor
        | Editing::Note
        | Editing::AdHoc => {}
    }
    Handled::DONE
}

/// The longest shelf a typed length may ask for: a week.
const MAX_SHELF_SECS: f64 = 7.0 * 86_400.0;

/// A typed shelf length in seconds, read as the config reads durations (`20m`, `1h`).
fn parse_shelf(line: &str) -> Result<f64, String> {
    let bad = || {
        format!(
            "shelve for `{}`: not a length up to a week; write e.g. 20m, 1h",
            line.trim()
        )
    };
    let secs = humantime::parse_duration(line.trim())
        .map_err(|_| bad())?
        .as_secs_f64();
    (secs > 0.0 && secs <= MAX_SHELF_SECS)
        .then_some(secs)
        .ok_or_else(bad)
}
