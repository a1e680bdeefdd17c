//! Keys and mouse to actions, in one place. The help overlay and the README list the same
//! [`BINDINGS`] table, so they cannot drift from what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use crate::action::Action;

/// What the keyboard is talking to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The dashboard.
    Normal,
    /// The help overlay is open.
    Help,
    /// A line of text is being typed (a filter, a query).
    Text,
    /// The trace search form is open.
    Form,
    /// A trace's waterfall or a span's detail is open.
    Trace,
}

/// One documented binding: the keys as shown in help, and what they do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    /// The keys, as shown to users.
    pub keys: &'static str,
    /// What they do.
    pub what: &'static str,
}

/// Every binding, in the order help shows them.
pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: "Tab / Shift-Tab",
        what: "focus the next / previous pane",
    },
    Binding {
        keys: "click",
        what: "focus the pane under the mouse",
    },
    Binding {
        keys: "Enter",
        what: "drill in: an SLO's failed traces, a trace, a span, an event; else zoom",
    },
    Binding {
        keys: "Esc",
        what: "drill out: back one level, close help",
    },
    Binding {
        keys: "z",
        what: "zoom the focused pane to full screen and back",
    },
    Binding {
        keys: "j k / ↓ ↑",
        what: "select the next / previous row (events: newer / older)",
    },
    Binding {
        keys: "Space",
        what: "pause the time conductor / follow now again",
    },
    Binding {
        keys: "h l / ← →",
        what: "scrub the window back / forward (pauses)",
    },
    Binding {
        keys: "+ -",
        what: "wider / narrower window: 5m 15m 1h 6h 1d 7d",
    },
    Binding {
        keys: "n / End",
        what: "follow now again",
    },
    Binding {
        keys: "/",
        what: "events: filter the list (Enter keeps, Esc clears)",
    },
    Binding {
        keys: "f",
        what: "events: edit the server-side query (live)",
    },
    Binding {
        keys: "t",
        what: "events: open the trace of the selected event",
    },
    Binding {
        keys: "/ f s",
        what: "traces: filter / search form / sort by time or duration",
    },
    Binding {
        keys: "← h / → / Space",
        what: "waterfall: collapse or go to parent / expand / toggle",
    },
    Binding {
        keys: "l",
        what: "waterfall, span: the events carrying this trace's id",
    },
    Binding {
        keys: "?",
        what: "help: every key, as here",
    },
    Binding {
        keys: "q / Ctrl-C",
        what: "quit",
    },
];

/// The action a key asks for in `mode`, if any.
#[must_use]
pub fn key_action(mode: Mode, key: KeyEvent) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return matches!(key.code, KeyCode::Char('c')).then_some(Action::Quit);
    }
    if mode == Mode::Text {
        return match key.code {
            KeyCode::Char(c) => Some(Action::TextInput(c)),
            KeyCode::Backspace => Some(Action::TextBackspace),
            KeyCode::Enter => Some(Action::TextCommit),
            KeyCode::Esc => Some(Action::TextCancel),
            _ => None,
        };
    }
    if mode == Mode::Form {
        return match key.code {
            KeyCode::Char(c) => Some(Action::TextInput(c)),
            KeyCode::Backspace => Some(Action::TextBackspace),
            KeyCode::Enter => Some(Action::TextCommit),
            KeyCode::Esc => Some(Action::TextCancel),
            KeyCode::Tab | KeyCode::Down => Some(Action::FocusNext),
            KeyCode::BackTab | KeyCode::Up => Some(Action::FocusPrev),
            _ => None,
        };
    }
    if mode == Mode::Trace {
        return Some(match key.code {
            KeyCode::Char('q') => Action::Quit,
            KeyCode::Enter => Action::DrillIn,
            KeyCode::Esc => Action::DrillOut,
            KeyCode::Char('j') | KeyCode::Down => Action::SelectNext,
            KeyCode::Char('k') | KeyCode::Up => Action::SelectPrev,
            KeyCode::Char('h') | KeyCode::Left => Action::Collapse,
            KeyCode::Right => Action::Expand,
            KeyCode::Char(' ') => Action::ToggleCollapse,
            KeyCode::Char('l') => Action::TraceEvents,
            KeyCode::Char('?') => Action::ToggleHelp,
            _ => return None,
        });
    }
    if mode == Mode::Help {
        return match key.code {
            KeyCode::Esc | KeyCode::Char('?') => Some(Action::ToggleHelp),
            KeyCode::Char('q') => Some(Action::Quit),
            _ => None,
        };
    }
    Some(match key.code {
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Tab => Action::FocusNext,
        KeyCode::BackTab => Action::FocusPrev,
        KeyCode::Enter => Action::DrillIn,
        KeyCode::Esc => Action::DrillOut,
        KeyCode::Char('z') => Action::ToggleZoom,
        KeyCode::Char(' ') => Action::TogglePause,
        KeyCode::Char('+' | '=') => Action::WindowWider,
        KeyCode::Char('-' | '_') => Action::WindowNarrower,
        KeyCode::Char('h') | KeyCode::Left => Action::ScrubBack,
        KeyCode::Char('l') | KeyCode::Right => Action::ScrubForward,
        KeyCode::Char('j') | KeyCode::Down => Action::SelectNext,
        KeyCode::Char('k') | KeyCode::Up => Action::SelectPrev,
        KeyCode::Char('n') | KeyCode::End => Action::GoLive,
        KeyCode::Char('?') => Action::ToggleHelp,
        KeyCode::Char('/') => Action::Filter,
        KeyCode::Char('f') => Action::EditQuery,
        KeyCode::Char('t') => Action::OpenTrace,
        KeyCode::Char('s') => Action::ToggleSort,
        _ => return None,
    })
}

/// The action a mouse event asks for, if any: a left click focuses.
#[must_use]
pub fn mouse_action(event: MouseEvent) -> Option<Action> {
    matches!(event.kind, MouseEventKind::Down(MouseButton::Left)).then_some(Action::FocusAt {
        column: event.column,
        row: event.row,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn vim_keys_and_arrows_do_the_same() {
        for (a, b) in [
            (KeyCode::Char('h'), KeyCode::Left),
            (KeyCode::Char('l'), KeyCode::Right),
            (KeyCode::Char('j'), KeyCode::Down),
            (KeyCode::Char('k'), KeyCode::Up),
        ] {
            assert_eq!(
                key_action(Mode::Normal, key(a)),
                key_action(Mode::Normal, key(b))
            );
        }
    }

    #[test]
    fn help_mode_swallows_dashboard_keys_but_quits() {
        assert_eq!(key_action(Mode::Help, key(KeyCode::Tab)), None);
        assert_eq!(
            key_action(Mode::Help, key(KeyCode::Esc)),
            Some(Action::ToggleHelp)
        );
        assert_eq!(
            key_action(Mode::Help, key(KeyCode::Char('q'))),
            Some(Action::Quit)
        );
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(key_action(Mode::Normal, ctrl_c), Some(Action::Quit));
    }
}
