//! A line typed at the bottom of the screen: a filter, applied as it is typed (`Esc` clears
//! it), the events' server-side query, sent on `Enter` when it changed, a time to jump to,
//! read on `Enter`, a fault's shelf length and then its comment, which makes the silence, a
//! note, or an ad-hoc `PromQL` query (`↑` `↓` walk the earlier ones). Every prompt edits at a
//! cursor: `←` `→`, `Home` `End` (Ctrl-A Ctrl-E), Ctrl-U deletes to the start, Ctrl-W the word
//! before the cursor.

use super::{Editing, Handled, View};
use crate::action::{Action, Effect};
use crate::app::App;
#[cfg(test)]
use crate::app::HISTORY_MAX;

pub(super) fn handle(app: &mut App, action: &Action) -> Handled {
    if matches!(action, Action::TextHistoryPrev | Action::TextHistoryNext) {
        return history(app, matches!(action, Action::TextHistoryPrev));
    }
    let Some(View::Prompt { what, line, cursor }) = app.views.last_mut() else {
        return Handled::Pass;
    };
    let what = *what;
    if let Some(changed) = edit(line, cursor, action) {
        if !changed {
            return Handled::DONE;
        }
    } else {
        match action {
            Action::TextCancel => {
                match what {
                    Editing::Filter => {
                        app.events.filter.clear();
                        app.events.template = None;
                    }
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

/// `↑` (`back`) or `↓` at the ad-hoc prompt: the line becomes the query typed before (after)
/// the one shown, the line being typed coming back past the newest; other prompts keep no
/// history.
fn history(app: &mut App, back: bool) -> Handled {
    let Some(View::Prompt {
        what: Editing::AdHoc,
        line,
        cursor,
    }) = app.views.last_mut()
    else {
        return Handled::DONE;
    };
    if let Some(shown) = app.handoff.walk_history(line, back) {
        *cursor = shown.chars().count();
        *line = shown;
    }
    Handled::DONE
}

/// The byte offset of character `at` of `line` (its end past the last).
fn byte_at(line: &str, at: usize) -> usize {
    line.char_indices().nth(at).map_or(line.len(), |(i, _)| i)
}

/// Applies an editing action to `line` with its `cursor` (in characters): `Some(whether the
/// text changed)`, or `None` for an action that is not editing.
pub(super) fn edit(line: &mut String, cursor: &mut usize, action: &Action) -> Option<bool> {
    let len = line.chars().count();
    *cursor = (*cursor).min(len);
    let at = byte_at(line, *cursor);
    match action {
        Action::TextInput(c) => {
            line.insert(at, *c);
            *cursor += 1;
        }
        Action::TextBackspace => {
            if *cursor == 0 {
                return Some(false);
            }
            *cursor -= 1;
            line.remove(byte_at(line, *cursor));
        }
        Action::TextKillLine => {
            if *cursor == 0 {
                return Some(false);
            }
            line.replace_range(..at, "");
            *cursor = 0;
        }
        Action::TextKillWord => {
            // As a shell's Ctrl-W: the blanks before the cursor, then the word before them.
            let before: Vec<char> = line[..at].chars().collect();
            let blanks = before
                .iter()
                .rev()
                .take_while(|c| c.is_whitespace())
                .count();
            let word = before[..before.len() - blanks]
                .iter()
                .rev()
                .take_while(|c| !c.is_whitespace())
                .count();
            if blanks + word == 0 {
                return Some(false);
            }
            *cursor -= blanks + word;
            line.replace_range(byte_at(line, *cursor)..at, "");
        }
        Action::TextLeft => {
            *cursor = cursor.saturating_sub(1);
            return Some(false);
        }
        Action::TextRight => {
            *cursor = (*cursor + 1).min(len);
            return Some(false);
        }
        Action::TextHome => {
            *cursor = 0;
            return Some(false);
        }
        Action::TextEnd => {
            *cursor = len;
            return Some(false);
        }
        _ => return None,
    }
    Some(true)
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

#[cfg(test)]
mod tests {
    use super::super::super::tests::app;
    use super::*;

    /// `line` edited by `actions` from the cursor at `at`: the line and the cursor after.
    fn edited(line: &str, at: usize, actions: &[Action]) -> (String, usize) {
        let (mut line, mut cursor) = (line.to_owned(), at);
        for a in actions {
            assert!(edit(&mut line, &mut cursor, a).is_some(), "{a:?} edits");
        }
        (line, cursor)
    }

    #[test]
    fn typing_and_deleting_go_at_the_cursor_counted_in_characters() {
        use Action::{TextBackspace, TextEnd, TextHome, TextInput, TextLeft, TextRight};
        // Two-byte and four-byte characters: a byte cursor would split them and panic.
        let (line, at) = edited("héllo", 5, &[TextLeft, TextLeft, TextInput('🚀')]);
        assert_eq!((line.as_str(), at), ("hél🚀lo", 4));
        let (line, at) = edited(&line, at, &[TextBackspace, TextLeft, TextBackspace]);
        assert_eq!((line.as_str(), at), ("hllo", 1));
        let (line, at) = edited(
            &line,
            at,
            &[TextHome, TextInput('ß'), TextEnd, TextInput('!')],
        );
        assert_eq!((line.as_str(), at), ("ßhllo!", 6));
        assert_eq!(
            edited("ab", 2, &[TextRight, TextRight]).1,
            2,
            "stops at the end"
        );
        assert_eq!(
            edited("ab", 0, &[TextLeft, TextBackspace]),
            ("ab".into(), 0)
        );
    }

    #[test]
    fn ctrl_u_deletes_to_the_start_and_ctrl_w_the_word_before_the_cursor() {
        use Action::{TextKillLine, TextKillWord};
        let q = "rate(x[5m])  by (ünit)";
        assert_eq!(
            edited(q, 22, &[TextKillWord]),
            ("rate(x[5m])  by ".into(), 16)
        );
        assert_eq!(
            edited(q, 16, &[TextKillWord]),
            ("rate(x[5m])  (ünit)".into(), 13),
            "the blanks before the cursor go with the word"
        );
        assert_eq!(edited(q, 13, &[TextKillLine]), ("by (ünit)".into(), 0));
        assert_eq!(
            edited("abc", 0, &[TextKillWord, TextKillLine]),
            ("abc".into(), 0)
        );
    }

    #[test]
    fn a_filter_applies_as_typed_wherever_the_cursor_is() {
        let mut a = app();
        a.update(Action::Filter);
        for c in "pwr".chars() {
            a.update(Action::TextInput(c));
        }
        a.update(Action::TextLeft);
        a.update(Action::TextLeft);
        a.update(Action::TextInput('o'));
        assert_eq!(a.events.filter, "powr");
        a.update(Action::TextKillLine);
        assert_eq!(a.events.filter, "wr");
        assert_eq!(a.prompt_cursor(), Some(0));
    }

    #[test]
    fn up_and_down_walk_the_ad_hoc_history_and_come_back_to_the_line_typed() {
        let mut a = app();
        a.handoff.remember("up");
        a.handoff.remember("rate(x[1m])");
        a.handoff.remember("up");
        assert_eq!(
            a.handoff.history,
            ["rate(x[1m])", "up"],
            "once each, newest last"
        );
        a.views.push(View::Prompt {
            what: Editing::AdHoc,
            line: "sum(".into(),
            cursor: 4,
        });
        let walk = |a: &mut App, action| {
            handle(a, &action);
            a.prompt().map(|(_, l)| l.to_owned())
        };
        assert_eq!(walk(&mut a, Action::TextHistoryPrev).as_deref(), Some("up"));
        assert_eq!(
            walk(&mut a, Action::TextHistoryPrev).as_deref(),
            Some("rate(x[1m])")
        );
        assert_eq!(
            walk(&mut a, Action::TextHistoryPrev).as_deref(),
            Some("rate(x[1m])")
        );
        assert_eq!(a.prompt_cursor(), Some(11), "at the end of the line shown");
        assert_eq!(walk(&mut a, Action::TextHistoryNext).as_deref(), Some("up"));
        assert_eq!(
            walk(&mut a, Action::TextHistoryNext).as_deref(),
            Some("sum(")
        );
        assert_eq!(
            walk(&mut a, Action::TextHistoryNext).as_deref(),
            Some("sum(")
        );
        for i in 0..HISTORY_MAX + 5 {
            a.handoff.remember(&format!("q{i}"));
        }
        assert_eq!(a.handoff.history.len(), HISTORY_MAX);
        assert_eq!(a.handoff.history.last().map(String::as_str), Some("q104"));
    }
}
