//! Keys and mouse to actions: one bindings table per context (the global keys, the dashboard,
//! each pane kind and each view that has keys of its own). A key is looked up in the top
//! view's table, then, where that view lets the dashboard's keys through, the focused pane's
//! and the dashboard's, then the global one. The help overlay (and the README) list the same
//! tables, so help cannot drift from what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use crate::action::Action;
use crate::app::{App, View};
use crate::config::PaneKind;

/// A key as a binding names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A key pressed without Ctrl (Shift and Alt are not told apart).
    Code(KeyCode),
    /// A letter pressed with Ctrl.
    Ctrl(char),
    /// The left mouse button.
    Click,
}

/// One line of the help overlay: the keys as shown to users, and what they do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Help {
    /// The keys, as shown to users.
    pub keys: &'static str,
    /// What they do.
    pub what: &'static str,
}

/// Keys that ask for one action in a context, and the help line that lists them.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    /// The keys.
    pub keys: &'static [Key],
    /// What they ask for.
    pub action: Action,
    /// Where help lists them; `None` for a view that shows its own keys on its border.
    pub help: Option<&'static Help>,
}

/// The keys of one context.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    /// What the keys talk to, for tests and messages.
    pub name: &'static str,
    /// Its bindings.
    pub bindings: &'static [Binding],
    /// Whether a character no binding takes is typed into a line.
    pub typing: bool,
}

/// A context's table that takes no typing: `context!("name", [bindings…])`. (A macro, as a
/// `const fn`'s argument would not live long enough to be borrowed for `'static`.)
macro_rules! context {
    ($name:literal, [$($binding:expr),* $(,)?]) => {
        Context {
            name: $name,
            bindings: &[$($binding),*],
            typing: false,
        }
    };
}

const fn code(c: KeyCode) -> Key {
    Key::Code(c)
}

const fn ch(c: char) -> Key {
    Key::Code(KeyCode::Char(c))
}

const fn bind(keys: &'static [Key], action: Action, help: &'static Help) -> Binding {
    Binding {
        keys,
        action,
        help: Some(help),
    }
}

const fn unlisted(keys: &'static [Key], action: Action) -> Binding {
    Binding {
        keys,
        action,
        help: None,
    }
}

const FOCUS: Help = Help {
    keys: "Tab / Shift-Tab",
    what: "focus the next / previous pane",
};
const CLICK: Help = Help {
    keys: "click",
    what: "focus the pane under the mouse and select the row under it",
};
const DRILL_IN: Help = Help {
    keys: "Enter",
    what: "drill in: an SLO's failed traces, a trace, a span, an event, a fault; else zoom",
};
const DRILL_OUT: Help = Help {
    keys: "Esc",
    what: "drill out: back one level, close help",
};
const ZOOM: Help = Help {
    keys: "z",
    what: "zoom the focused pane to full screen and back",
};
const SELECT: Help = Help {
    keys: "j k / ↓ ↑",
    what: "select the next / previous row (events: newer / older)",
};
const PAUSE: Help = Help {
    keys: "Space",
    what: "pause the time conductor / follow now again",
};
const SCRUB: Help = Help {
    keys: "h l / ← →",
    what: "scrub the window back / forward (pauses)",
};
const WINDOW: Help = Help {
    keys: "+ -",
    what: "wider / narrower window: 5m 15m 1h 6h 1d 7d",
};
const LIVE: Help = Help {
    keys: "L / End",
    what: "follow now again (End in a list: its last row)",
};
const JUMP: Help = Help {
    keys: "@",
    what: "jump to a time (09:05, 2026-11-26T09:05Z, -3h) or bounds (09:00..09:30); pauses",
};
const ORIGINAL_TIME: Help = Help {
    keys: "O",
    what: "replay: show its original recorded times / shifted to now",
};
const EVENTS_FILTER: Help = Help {
    keys: "/",
    what: "events: filter the list (Enter keeps, Esc clears)",
};
const EVENTS_QUERY: Help = Help {
    keys: "f",
    what: "events: edit the server-side query (live)",
};
const EVENT_TRACE: Help = Help {
    keys: "t",
    what: "events: open the trace of the selected event",
};
const TRACES: Help = Help {
    keys: "/ f s",
    what: "traces: filter / search form / sort by time or duration",
};
// One line for the faults' keys and the detail's `t`: at 80×24 help has no row to spare.
const FAULTS: Help = Help {
    keys: "a s u f, c t",
    what: "faults: ack/shelve/undo/filter; a fault's c chart, t traces",
};
const FOLD: Help = Help {
    keys: "← h / → / Space",
    what: "waterfall: collapse or go to parent / expand / toggle",
};
const TRACE_EVENTS: Help = Help {
    keys: "l",
    what: "traces, waterfall, span: the events carrying the trace's id",
};
const LIST: Help = Help {
    keys: "g G / Home End / PgUp PgDn",
    what: "a list's first / last row, a page up / down; the wheel scrolls",
};
const NOTE: Help = Help {
    keys: "n / N",
    what: "notebook: write a note at the conductor's time / list the notes",
};
const EXPORT: Help = Help {
    keys: "e",
    what: "export: a chart as PNG+SVG+CSV, events as NDJSON, a trace as JSON",
};
const COPY: Help = Help {
    keys: "y / o",
    what: "copy the selected id or query / show and copy its web UI link",
};
const AD_HOC: Help = Help {
    keys: ":",
    what: "chart a PromQL query over the window (↑ ↓ earlier queries)",
};
const ERRORS: Help = Help {
    keys: "E",
    what: "each source's full last error",
};
const WHY: Help = Help {
    keys: "w",
    what: "why: this SLO, fault or window against the time before it",
};
const WHY_ROWS: Help = Help {
    keys: "Tab / Enter",
    what: "why view: next section / the row's traces, its events, its chart",
};
const HELP: Help = Help {
    keys: "?",
    what: "help: every key, as here",
};
const QUIT: Help = Help {
    keys: "q / Ctrl-C",
    what: "quit",
};

const ESC: Binding = bind(&[code(KeyCode::Esc)], Action::DrillOut, &DRILL_OUT);
const DOWN: Binding = bind(&[ch('j'), code(KeyCode::Down)], Action::SelectNext, &SELECT);
const UP: Binding = bind(&[ch('k'), code(KeyCode::Up)], Action::SelectPrev, &SELECT);
const OPEN_TRACE: Binding = bind(&[ch('t')], Action::OpenTrace, &EVENT_TRACE);
const FIRST: Binding = bind(&[ch('g'), code(KeyCode::Home)], Action::SelectFirst, &LIST);
const LAST: Binding = bind(&[ch('G')], Action::SelectLast, &LIST);
const LAST_END: Binding = bind(&[ch('G'), code(KeyCode::End)], Action::SelectLast, &LIST);
const PAGE_DOWN: Binding = bind(&[code(KeyCode::PageDown)], Action::PageDown, &LIST);
const PAGE_UP: Binding = bind(&[code(KeyCode::PageUp)], Action::PageUp, &LIST);

/// Every context but one being typed in: help and quit.
pub const GLOBAL: Context = context!(
    "global",
    [
        bind(&[ch('?')], Action::ToggleHelp, &HELP),
        bind(&[ch('q')], Action::Quit, &QUIT),
    ]
);

/// Evidence and hand-offs, wherever something is shown (not while typing, not under help):
/// a note, an export, a copy, a link, an ad-hoc query, the sources' errors.
pub const EVIDENCE: Context = context!(
    "evidence",
    [
        bind(&[ch('n')], Action::AddNote, &NOTE),
        bind(&[ch('N')], Action::OpenNotebook, &NOTE),
        bind(&[ch('e')], Action::Export, &EXPORT),
        bind(&[ch('y')], Action::Copy, &COPY),
        bind(&[ch('o')], Action::ShowLink, &COPY),
        bind(&[ch(':')], Action::AdHocQuery, &AD_HOC),
        bind(&[ch('E')], Action::OpenErrors, &ERRORS),
        bind(&[ch('w')], Action::Why, &WHY),
    ]
);

/// Always, even while typing.
pub const ALWAYS: Context = context!("always", [bind(&[Key::Ctrl('c')], Action::Quit, &QUIT)]);

/// The dashboard, a pane full screen, an event's document: focus, drill, select, time.
pub const DASHBOARD: Context = context!(
    "dashboard",
    [
        bind(&[code(KeyCode::Tab)], Action::FocusNext, &FOCUS),
        bind(&[code(KeyCode::BackTab)], Action::FocusPrev, &FOCUS),
        bind(&[Key::Click], Action::FocusAt { column: 0, row: 0 }, &CLICK),
        bind(&[code(KeyCode::Enter)], Action::DrillIn, &DRILL_IN),
        ESC,
        bind(&[ch('z')], Action::ToggleZoom, &ZOOM),
        DOWN,
        UP,
        bind(&[ch(' ')], Action::TogglePause, &PAUSE),
        bind(&[ch('h'), code(KeyCode::Left)], Action::ScrubBack, &SCRUB),
        bind(
            &[ch('l'), code(KeyCode::Right)],
            Action::ScrubForward,
            &SCRUB,
        ),
        bind(&[ch('+'), ch('=')], Action::WindowWider, &WINDOW),
        bind(&[ch('-'), ch('_')], Action::WindowNarrower, &WINDOW),
        bind(&[ch('L'), code(KeyCode::End)], Action::GoLive, &LIVE),
        bind(&[ch('@')], Action::JumpToTime, &JUMP),
        FIRST,
        LAST,
        PAGE_DOWN,
        PAGE_UP,
        bind(&[ch('O')], Action::ToggleOriginalTime, &ORIGINAL_TIME),
        bind(&[ch('/')], Action::Filter, &EVENTS_FILTER),
        bind(&[ch('f')], Action::EditQuery, &EVENTS_QUERY),
    ]
);

/// The Events pane focused.
pub const EVENTS_PANE: Context = context!("events pane", [OPEN_TRACE, LAST_END]);

/// The Traces pane focused: its own filter and search instead of the events'.
pub const TRACES_PANE: Context = context!(
    "traces pane",
    [
        bind(&[ch('/')], Action::Filter, &TRACES),
        bind(&[ch('f')], Action::EditQuery, &TRACES),
        bind(&[ch('s')], Action::ToggleSort, &TRACES),
        bind(&[ch('l')], Action::TraceEvents, &TRACE_EVENTS),
        LAST_END,
    ]
);

/// The Faults pane focused: acknowledge, shelve, undo, filter (its own `f` and `s`).
pub const FAULTS_PANE: Context = context!(
    "faults pane",
    [
        bind(&[ch('a')], Action::Acknowledge, &FAULTS),
        bind(&[ch('s')], Action::Shelve, &FAULTS),
        bind(&[ch('u')], Action::Undo, &FAULTS),
        bind(&[ch('f')], Action::CycleFilter, &FAULTS),
        LAST_END,
    ]
);

/// A pane that lists rows without keys of its own (an SLO pane, a table): `End` is its
/// last row, as in the other lists.
pub const LIST_PANE: Context = context!("list pane", [LAST_END]);

/// A fault's detail.
pub const FAULT_DETAIL: Context = context!(
    "fault detail",
    [
        ESC,
        DOWN,
        UP,
        FIRST,
        LAST_END,
        PAGE_DOWN,
        PAGE_UP,
        bind(&[ch('t')], Action::OpenTrace, &FAULTS),
        bind(&[ch('c')], Action::ChartAlert, &FAULTS),
    ]
);

/// A query charted full screen: a fault's rule, an ad-hoc query.
pub const ALERT_CHART: Context = context!(
    "alert chart",
    [
        ESC,
        bind(&[ch('t')], Action::OpenTrace, &FAULTS),
        // The chart follows the conductor, as the dashboard's charts do.
        bind(&[ch(' ')], Action::TogglePause, &PAUSE),
        bind(&[ch('h'), code(KeyCode::Left)], Action::ScrubBack, &SCRUB),
        bind(
            &[ch('l'), code(KeyCode::Right)],
            Action::ScrubForward,
            &SCRUB
        ),
        bind(&[ch('+'), ch('=')], Action::WindowWider, &WINDOW),
        bind(&[ch('-'), ch('_')], Action::WindowNarrower, &WINDOW),
        bind(&[ch('L'), code(KeyCode::End)], Action::GoLive, &LIVE),
        bind(&[ch('@')], Action::JumpToTime, &JUMP),
    ]
);

/// The notebook's list; its border lists these keys.
pub const NOTEBOOK: Context = context!(
    "notebook",
    [
        unlisted(&[code(KeyCode::Enter)], Action::DrillIn),
        unlisted(&[code(KeyCode::Esc)], Action::DrillOut),
        unlisted(&[ch('j'), code(KeyCode::Down)], Action::SelectNext),
        unlisted(&[ch('k'), code(KeyCode::Up)], Action::SelectPrev),
        unlisted(&[ch('g'), code(KeyCode::Home)], Action::SelectFirst),
        unlisted(&[ch('G'), code(KeyCode::End)], Action::SelectLast),
        unlisted(&[code(KeyCode::PageDown)], Action::PageDown),
        unlisted(&[code(KeyCode::PageUp)], Action::PageUp),
    ]
);

/// The shelf chooser; its border lists these keys.
pub const SHELVE_CHOOSER: Context = context!(
    "shelve chooser",
    [
        unlisted(&[code(KeyCode::Enter)], Action::DrillIn),
        unlisted(&[code(KeyCode::Esc)], Action::DrillOut),
        unlisted(&[ch('j'), code(KeyCode::Down)], Action::SelectNext),
        unlisted(&[ch('k'), code(KeyCode::Up)], Action::SelectPrev),
    ]
);

/// An event's whole document (the dashboard's keys work beneath it).
pub const EVENT_DETAIL: Context = context!("event detail", [OPEN_TRACE, LAST_END]);

/// A trace's waterfall.
pub const WATERFALL: Context = context!(
    "waterfall",
    [
        bind(&[code(KeyCode::Enter)], Action::DrillIn, &DRILL_IN),
        ESC,
        DOWN,
        UP,
        bind(&[ch('h'), code(KeyCode::Left)], Action::Collapse, &FOLD),
        bind(&[code(KeyCode::Right)], Action::Expand, &FOLD),
        bind(&[ch(' ')], Action::ToggleCollapse, &FOLD),
        bind(&[ch('l')], Action::TraceEvents, &TRACE_EVENTS),
        FIRST,
        LAST_END,
        PAGE_DOWN,
        PAGE_UP,
    ]
);

/// A span's detail.
pub const SPAN: Context = context!(
    "span",
    [
        ESC,
        DOWN,
        UP,
        FIRST,
        LAST_END,
        PAGE_DOWN,
        PAGE_UP,
        bind(&[ch('l')], Action::TraceEvents, &TRACE_EVENTS),
    ]
);

/// The help overlay: it takes no key but these and the global ones; the list keys scroll it.
pub const HELP_OVERLAY: Context =
    context!("help", [ESC, DOWN, UP, FIRST, LAST_END, PAGE_DOWN, PAGE_UP]);

/// The errors view: the list keys scroll it.
pub const ERRORS_VIEW: Context = context!(
    "errors",
    [ESC, DOWN, UP, FIRST, LAST_END, PAGE_DOWN, PAGE_UP]
);

/// The Why view: one selection across its sections' rows, `Tab` to the next section, `Enter`
/// follows a row.
pub const WHY_VIEW: Context = context!(
    "why view",
    [
        bind(&[code(KeyCode::Tab)], Action::FocusNext, &WHY_ROWS),
        unlisted(&[code(KeyCode::BackTab)], Action::FocusPrev),
        bind(&[code(KeyCode::Enter)], Action::DrillIn, &WHY_ROWS),
        ESC,
        DOWN,
        UP,
        FIRST,
        LAST_END,
        PAGE_DOWN,
        PAGE_UP,
    ]
);

/// A Why row's traces; its border lists these keys: a list's, as the notebook's.
pub const WHY_TRACES: Context = Context {
    name: "why traces",
    bindings: NOTEBOOK.bindings,
    typing: false,
};

const COMMIT: Binding = unlisted(&[code(KeyCode::Enter)], Action::TextCommit);
const CANCEL: Binding = unlisted(&[code(KeyCode::Esc)], Action::TextCancel);
const BACKSPACE: Binding = unlisted(&[code(KeyCode::Backspace)], Action::TextBackspace);
const LEFT: Binding = unlisted(&[code(KeyCode::Left)], Action::TextLeft);
const RIGHT: Binding = unlisted(&[code(KeyCode::Right)], Action::TextRight);
const HOME: Binding = unlisted(&[code(KeyCode::Home), Key::Ctrl('a')], Action::TextHome);
const END: Binding = unlisted(&[code(KeyCode::End), Key::Ctrl('e')], Action::TextEnd);
const KILL_LINE: Binding = unlisted(&[Key::Ctrl('u')], Action::TextKillLine);
const KILL_WORD: Binding = unlisted(&[Key::Ctrl('w')], Action::TextKillWord);

/// The trace search form; its border lists these keys.
pub const SEARCH_FORM: Context = Context {
    name: "search form",
    bindings: &[
        COMMIT,
        CANCEL,
        BACKSPACE,
        LEFT,
        RIGHT,
        HOME,
        END,
        KILL_LINE,
        KILL_WORD,
        unlisted(
            &[code(KeyCode::Tab), code(KeyCode::Down)],
            Action::FocusNext,
        ),
        unlisted(
            &[code(KeyCode::BackTab), code(KeyCode::Up)],
            Action::FocusPrev,
        ),
    ],
    typing: true,
};

/// A line typed at the bottom of the screen; the status bar lists these keys.
pub const PROMPT: Context = Context {
    name: "prompt",
    bindings: &[
        COMMIT,
        CANCEL,
        BACKSPACE,
        LEFT,
        RIGHT,
        HOME,
        END,
        KILL_LINE,
        KILL_WORD,
        unlisted(&[code(KeyCode::Up)], Action::TextHistoryPrev),
        unlisted(&[code(KeyCode::Down)], Action::TextHistoryNext),
        unlisted(&[Key::Ctrl('s')], Action::NoteScreen),
    ],
    typing: true,
};

/// Every context, in the order help lists their lines.
pub const CONTEXTS: &[&Context] = &[
    &DASHBOARD,
    &EVENTS_PANE,
    &TRACES_PANE,
    &FAULTS_PANE,
    &EVENT_DETAIL,
    &FAULT_DETAIL,
    &ALERT_CHART,
    &SHELVE_CHOOSER,
    &WATERFALL,
    &SPAN,
    &EVIDENCE,
    &NOTEBOOK,
    &HELP_OVERLAY,
    &ERRORS_VIEW,
    &WHY_VIEW,
    &WHY_TRACES,
    &LIST_PANE,
    &SEARCH_FORM,
    &PROMPT,
    &GLOBAL,
    &ALWAYS,
];

/// The contexts a key is looked up in, first to last, for the model as it is.
#[must_use]
pub fn contexts(app: &App) -> Vec<&'static Context> {
    let mut out: Vec<&'static Context> = vec![&ALWAYS];
    match app.views.last() {
        Some(View::Help) => out.extend([&HELP_OVERLAY, &GLOBAL]),
        Some(View::Prompt { .. }) => out.push(&PROMPT),
        Some(View::Search(_)) => out.push(&SEARCH_FORM),
        Some(View::Trace(_)) => out.extend([&WATERFALL, &EVIDENCE, &GLOBAL]),
        Some(View::Span { .. }) => out.extend([&SPAN, &EVIDENCE, &GLOBAL]),
        Some(View::FaultDetail { .. }) => out.extend([&FAULT_DETAIL, &EVIDENCE, &GLOBAL]),
        Some(View::AlertChart(_)) => out.extend([&ALERT_CHART, &EVIDENCE, &GLOBAL]),
        Some(View::ShelveChoice { .. }) => out.extend([&SHELVE_CHOOSER, &GLOBAL]),
        Some(View::Notebook { .. }) => out.extend([&NOTEBOOK, &GLOBAL]),
        Some(View::Errors { .. }) => out.extend([&ERRORS_VIEW, &GLOBAL]),
        Some(View::Why(_)) => out.extend([&WHY_VIEW, &EVIDENCE, &GLOBAL]),
        Some(View::WhyTraces(_)) => out.extend([&WHY_TRACES, &EVIDENCE, &GLOBAL]),
        top => {
            if matches!(top, Some(View::EventDetail { .. })) {
                out.push(&EVENT_DETAIL);
            }
            match app.config.panes.get(app.focus).map(|p| &p.kind) {
                Some(PaneKind::Events) => out.push(&EVENTS_PANE),
                Some(PaneKind::Traces) => out.push(&TRACES_PANE),
                Some(PaneKind::Faults) => out.push(&FAULTS_PANE),
                Some(PaneKind::Slo | PaneKind::Table(_)) => out.push(&LIST_PANE),
                _ => {}
            }
            out.extend([&DASHBOARD, &EVIDENCE, &GLOBAL]);
        }
    }
    out
}

/// The help overlay's lines: each table's, in [`CONTEXTS`] order, each line once.
#[must_use]
pub fn help_lines() -> Vec<&'static Help> {
    let mut out: Vec<&'static Help> = Vec::new();
    for b in CONTEXTS.iter().flat_map(|c| c.bindings) {
        if let Some(h) = b.help
            && !out.contains(&h)
        {
            out.push(h);
        }
    }
    out
}

/// The help overlay's rows on a screen `width` columns wide, and the overlay's width: each
/// line of [`help_lines`] as its keys and what they do, the text wrapped under its own column
/// where the screen is too narrow for it (the keys are empty on a text's later rows).
#[must_use]
pub fn help_rows(width: u16) -> (Vec<(&'static str, String)>, u16) {
    let lines = help_lines();
    let widest = |of: fn(&Help) -> &str| {
        let widths = lines.iter().map(|h| of(h).chars().count());
        widths.max().unwrap_or(0)
    };
    let (key_w, text_w) = (widest(|h| h.keys), widest(|h| h.what));
    // A border and a space each side, the keys and two spaces, the text.
    let natural = u16::try_from(key_w + text_w + 6).unwrap_or(u16::MAX);
    let overlay = natural.min(width);
    let room = usize::from(overlay).saturating_sub(key_w + 6).max(12);
    let mut rows = Vec::new();
    for h in lines {
        for (i, part) in crate::text::wrap(h.what, room).into_iter().enumerate() {
            rows.push((if i == 0 { h.keys } else { "" }, part));
        }
    }
    (rows, overlay)
}

/// How many rows the help overlay has on a screen `width` columns wide: its keys, a blank and
/// the limits' ladder.
#[must_use]
pub fn help_len(width: u16) -> usize {
    help_rows(width).0.len() + 2
}

/// The action `key` asks for of the model as it is, if any.
#[must_use]
pub fn key_action(app: &App, key: KeyEvent) -> Option<Action> {
    let want = match key.code {
        KeyCode::Char(c) if key.modifiers.contains(KeyModifiers::CONTROL) => Key::Ctrl(c),
        _ if key.modifiers.contains(KeyModifiers::CONTROL) => return None,
        code => Key::Code(code),
    };
    for context in contexts(app) {
        if let Some(b) = context.bindings.iter().find(|b| b.keys.contains(&want)) {
            return Some(b.action.clone());
        }
        if let (true, Key::Code(KeyCode::Char(c))) = (context.typing, want) {
            return Some(Action::TextInput(c));
        }
    }
    None
}

/// The action a mouse event asks for, if any: a left click focuses (and selects the row under
/// it), the wheel scrolls a list, wherever the keys are (the model ignores it where there is
/// nothing under the mouse).
#[must_use]
pub fn mouse_action(event: MouseEvent) -> Option<Action> {
    let bound = DASHBOARD
        .bindings
        .iter()
        .any(|b| b.keys.contains(&Key::Click));
    let (column, row) = (event.column, event.row);
    match event.kind {
        MouseEventKind::Down(MouseButton::Left) if bound => Some(Action::FocusAt { column, row }),
        MouseEventKind::ScrollDown => Some(Action::Wheel {
            column,
            row,
            down: true,
        }),
        MouseEventKind::ScrollUp => Some(Action::Wheel {
            column,
            row,
            down: false,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_each_line_once_in_the_tables_order() {
        let lines = help_lines();
        let keys: Vec<&str> = lines.iter().map(|h| h.keys).collect();
        assert_eq!(keys.first(), Some(&"Tab / Shift-Tab"));
        assert_eq!(keys.last(), Some(&"q / Ctrl-C"));
        assert_eq!(lines.len(), 29, "{keys:?}");
    }

    #[test]
    fn no_context_binds_one_key_twice() {
        for c in CONTEXTS {
            let keys: Vec<Key> = c.bindings.iter().flat_map(|b| b.keys).copied().collect();
            for (i, k) in keys.iter().enumerate() {
                assert!(!keys[..i].contains(k), "{}: {k:?} twice", c.name);
            }
        }
    }
}
