//! The drill-down stack: what a level is ([`View`]), what it answers an action with
//! ([`Handled`]), and which file handles each kind. Keys reach the top view first, then the
//! focused pane, then the global handler (see [`App::update`]); a view that does not handle an
//! action passes it on.

use std::sync::Arc;

use crate::action::{Action, Effect};
use crate::config::PaneId;
use crate::model::event::Event;
use crate::model::span::Trace;
use crate::model::traces::TraceQuery;

use super::{App, FaultRow, SearchForm, TraceSort, TraceView};

mod alert_chart;
mod errors;
mod event_detail;
mod fault_detail;
mod help;
mod notebook;
mod prompt;
mod search;
mod shelve;
mod slo_traces;
mod span;
mod trace_events;
mod waterfall;
mod why;
mod zoom;

pub use alert_chart::AlertChartView;
pub(super) use alert_chart::chart_view as chart;
pub use errors::{ErrorLine, ErrorLineKind};
pub(super) use errors::{event_detail_len, fault_detail_len, span_detail_len};
pub use why::{SECTION_ROWS, WhyItem, WhySection, WhyTraces, WhyView};

/// A level of the drill-down stack, drawn over the dashboard.
#[derive(Debug, Clone, PartialEq)]
pub enum View {
    /// One pane full screen.
    Zoom(PaneId),
    /// One event's whole document, scrolled `scroll` lines down.
    EventDetail {
        /// The event.
        event: Box<Event>,
        /// Lines scrolled.
        scroll: usize,
    },
    /// One trace as a waterfall.
    Trace(Box<TraceView>),
    /// One span's detail, scrolled `scroll` lines down.
    Span {
        /// Its trace.
        trace: Arc<Trace>,
        /// Index into the trace's spans; `None` is a running trace's placeholder root, which
        /// has no span.
        span: Option<usize>,
        /// Lines scrolled.
        scroll: usize,
    },
    /// The trace search form.
    Search(Box<SearchForm>),
    /// An SLO's failed traces, full screen: what to restore on the way back.
    SloTraces {
        /// The pane focused before (the SLO pane).
        from: PaneId,
        /// The search the Traces pane ran before.
        previous: Box<TraceQuery>,
        /// Its order before.
        sort: TraceSort,
        /// Its local filter before, cleared while the SLO's traces show: a filter set for
        /// something else would hide them, and "no trace matches" reads as "no failures".
        filter: String,
    },
    /// A trace's events, full screen: what to restore on the way back.
    TraceEvents {
        /// The pane focused before.
        from: PaneId,
        /// The Events pane's filter before.
        previous_filter: String,
    },
    /// One fault's labels, annotations, silences and expression, scrolled `scroll` lines.
    FaultDetail {
        /// The fault, as it was when opened.
        fault: Box<FaultRow>,
        /// Lines scrolled.
        scroll: usize,
    },
    /// A query charted from the runtime query slot: a fault's rule over the last hour, its
    /// threshold as a limit line, or an ad-hoc query over the conductor's window.
    AlertChart(Box<AlertChartView>),
    /// How long to shelve a fault for: 5, 10, 15 minutes or a typed length, over whatever
    /// is beneath.
    ShelveChoice {
        /// The choice the selection is on (the last is "custom").
        selected: usize,
    },
    /// The notebook's entries, newest last.
    Notebook {
        /// The entry the selection is on.
        selected: usize,
    },
    /// The help overlay, over whatever is beneath.
    Help,
    /// Each source's state, age and full last error, scrolled `scroll` lines down.
    Errors {
        /// Lines scrolled.
        scroll: usize,
    },
    /// A line of text typed at the bottom of the screen, and what it is for.
    Prompt {
        /// What the line is for.
        what: Editing,
        /// The line so far.
        line: String,
        /// Where typing goes, in characters from the start (not bytes: any Unicode is typed).
        cursor: usize,
    },
    /// A Why report (`w`), full screen.
    Why(Box<WhyView>),
    /// The traces of one row of a Why report.
    WhyTraces(Box<WhyTraces>),
}

impl View {
    /// Whether the view is drawn over the others without hiding them (help, a prompt): what
    /// is beneath is still what the screen shows.
    #[must_use]
    pub fn is_overlay(&self) -> bool {
        matches!(
            self,
            Self::Help | Self::Prompt { .. } | Self::ShelveChoice { .. }
        )
    }
}

/// What a line of text typed at the bottom of the screen is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Editing {
    /// The Events pane's local filter.
    Filter,
    /// The server-side query the events tail uses.
    Query,
    /// The Traces pane's local filter.
    TraceFilter,
    /// A time to jump to, or fixed bounds for the window.
    Jump,
    /// The comment of a fault's acknowledgement or shelf.
    FaultComment,
    /// A shelf's length, typed (`20m`, `1h`).
    ShelveFor,
    /// A note for the notebook.
    Note,
    /// An ad-hoc `PromQL` query to chart.
    AdHoc,
}

/// What a view, a pane or the global handler answers an action with.
#[derive(Debug, Clone, PartialEq)]
pub enum Handled {
    /// Done; the stack stays as it is.
    Done(Vec<Effect>),
    /// Done; the view on top closes.
    Pop(Vec<Effect>),
    /// Done; this view opens on top.
    Push(View, Vec<Effect>),
    /// Not this handler's: the next one down may take it.
    Pass,
}

impl Handled {
    /// Done, with nothing for the loop.
    pub(super) const DONE: Self = Self::Done(Vec::new());
    /// The top view closes, with nothing for the loop.
    pub(super) const POP: Self = Self::Pop(Vec::new());

    /// `view` opens, with nothing for the loop.
    pub(super) fn push(view: View) -> Self {
        Self::Push(view, Vec::new())
    }

    /// The prompt for `what` opens, starting from `line`.
    pub(super) fn prompt(what: Editing, line: String) -> Self {
        let cursor = line.chars().count();
        Self::push(View::Prompt { what, line, cursor })
    }
}

impl App {
    /// The top view's answer to `action`.
    pub(super) fn handle_view(&mut self, action: &Action) -> Handled {
        match self.views.last() {
            None => Handled::Pass,
            Some(View::Zoom(_)) => zoom::handle(action),
            Some(View::EventDetail { .. }) => event_detail::handle(self, action),
            Some(View::Trace(_)) => waterfall::handle(self, action),
            Some(View::Span { .. }) => span::handle(self, action),
            Some(View::Search(_)) => search::handle(self, action),
            Some(View::SloTraces { .. }) => slo_traces::handle(self, action),
            Some(View::TraceEvents { .. }) => trace_events::handle(self, action),
            Some(View::FaultDetail { .. }) => fault_detail::handle(self, action),
            Some(View::AlertChart(_)) => alert_chart::handle(self, action),
            Some(View::ShelveChoice { .. }) => shelve::handle(self, action),
            Some(View::Notebook { .. }) => notebook::handle(self, action),
            Some(View::Help) => help::handle(self, action),
            Some(View::Errors { .. }) => errors::handle(self, action),
            Some(View::Prompt { .. }) => prompt::handle(self, action),
            Some(View::Why(_)) => why::handle(self, action),
            Some(View::WhyTraces(_)) => why::handle_traces(self, action),
        }
    }

    /// Carries out what a handler answered; returns the effects for the loop.
    pub(super) fn settle(&mut self, handled: Handled) -> Vec<Effect> {
        match handled {
            Handled::Done(effects) => effects,
            Handled::Pop(effects) => {
                self.views.pop();
                effects
            }
            Handled::Push(view, effects) => {
                self.views.push(view);
                effects
            }
            Handled::Pass => Vec::new(),
        }
    }

    /// Opens `view` beneath help or a prompt on top, which stay where the keys go: for a view
    /// that data opens (a trace fetched by id) rather than a key.
    pub(super) fn open_beneath_overlays(&mut self, view: View) {
        let at = self
            .views
            .iter()
            .rposition(|v| !v.is_overlay())
            .map_or(0, |i| i + 1);
        self.views.insert(at, view);
    }

    /// The top view that is not help or a prompt: what the screen shows beneath them.
    #[must_use]
    pub fn shown_view(&self) -> Option<&View> {
        self.views.iter().rev().find(|v| !v.is_overlay())
    }

    /// Whether the help overlay is open.
    #[must_use]
    pub fn help_open(&self) -> bool {
        matches!(self.views.last(), Some(View::Help))
    }

    /// The line being typed, and what for.
    #[must_use]
    pub fn prompt(&self) -> Option<(Editing, &str)> {
        match self.views.last() {
            Some(View::Prompt { what, line, .. }) => Some((*what, line)),
            _ => None,
        }
    }

    /// Where the cursor of the line being typed is, in characters.
    #[must_use]
    pub fn prompt_cursor(&self) -> Option<usize> {
        match self.views.last() {
            Some(View::Prompt { cursor, .. }) => Some(*cursor),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::super::tests::{NOW, app};
    use super::super::traces::tests::focused_on_traces;
    use super::*;
    use crate::keymap::{self, CONTEXTS, Context, Key};

    /// Presses `code` (with `modifiers`) through the keymap into `update`.
    fn press_with(a: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Vec<Effect> {
        keymap::key_action(a, KeyEvent::new(code, modifiers))
            .map(|action| a.update(action))
            .unwrap_or_default()
    }

    fn press(a: &mut App, code: KeyCode) -> Vec<Effect> {
        press_with(a, code, KeyModifiers::NONE)
    }

    fn type_text(a: &mut App, text: &str) {
        text.chars().for_each(|c| drop(press(a, KeyCode::Char(c))));
    }

    #[test]
    fn keys_walk_into_a_span_and_back_and_open_and_close_help() {
        let mut a = focused_on_traces();
        while a.focus != a.focus_order()[0] {
            press(&mut a, KeyCode::Tab);
        }
        while !a.traces_focused() {
            press(&mut a, KeyCode::Tab);
        }
        press(&mut a, KeyCode::Enter);
        assert!(
            matches!(a.views.last(), Some(View::Trace(_))),
            "{:?}",
            a.views
        );
        press(&mut a, KeyCode::Enter);
        assert!(matches!(a.views.last(), Some(View::Span { .. })));
        press(&mut a, KeyCode::Esc);
        assert!(matches!(a.views.last(), Some(View::Trace(_))));
        press(&mut a, KeyCode::Esc);
        assert!(a.views.is_empty());
        press(&mut a, KeyCode::Char('?'));
        assert!(a.help_open());
        let focus = a.focus;
        press(&mut a, KeyCode::Tab);
        assert_eq!(a.focus, focus, "help takes the dashboard's keys");
        press(&mut a, KeyCode::Esc);
        assert!(a.views.is_empty());
    }

    #[test]
    fn typed_filters_apply_as_typed_and_ctrl_c_quits_even_then() {
        let mut a = focused_on_traces();
        press(&mut a, KeyCode::Char('/'));
        type_text(&mut a, "bbq?");
        press(&mut a, KeyCode::Backspace);
        press(&mut a, KeyCode::Backspace);
        assert_eq!(a.prompt(), Some((Editing::TraceFilter, "bb")));
        assert_eq!(a.traces.shown().len(), 1);
        press(&mut a, KeyCode::Enter);
        assert!(a.views.is_empty());
        assert_eq!(a.traces.filter, "bb", "Enter keeps the filter");
        while !a.events_focused() {
            press(&mut a, KeyCode::Tab);
        }
        press(&mut a, KeyCode::Char('/'));
        type_text(&mut a, "zz");
        assert_eq!(a.events.filter, "zz");
        press(&mut a, KeyCode::Esc);
        assert_eq!(a.events.filter, "", "Esc clears it");
        press(&mut a, KeyCode::Char('/'));
        let ctrl_c = press_with(&mut a, KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(ctrl_c, vec![Effect::Quit]);
    }

    #[test]
    fn prompt_editing_keys_move_the_cursor_and_delete_through_the_keymap() {
        let mut a = app();
        press(&mut a, KeyCode::Char('/'));
        type_text(&mut a, "ab cd");
        press(&mut a, KeyCode::Left);
        press(&mut a, KeyCode::Left);
        type_text(&mut a, "ü");
        assert_eq!(a.events.filter, "ab ücd");
        press_with(&mut a, KeyCode::Char('w'), KeyModifiers::CONTROL);
        assert_eq!(
            (a.events.filter.as_str(), a.prompt_cursor()),
            ("ab cd", Some(3))
        );
        press(&mut a, KeyCode::End);
        press(&mut a, KeyCode::Right);
        assert_eq!(a.prompt_cursor(), Some(5));
        press(&mut a, KeyCode::Home);
        press_with(&mut a, KeyCode::Char('e'), KeyModifiers::CONTROL);
        press(&mut a, KeyCode::Left);
        press_with(&mut a, KeyCode::Char('u'), KeyModifiers::CONTROL);
        assert_eq!(
            (a.events.filter.as_str(), a.prompt_cursor()),
            ("d", Some(0))
        );
        press_with(&mut a, KeyCode::Char('a'), KeyModifiers::CONTROL);
        assert_eq!(a.prompt_cursor(), Some(0));
    }

    /// The model in each state a context of keys can be reached in.
    fn fixtures() -> Vec<App> {
        let mut out = vec![app()];
        let mut zoomed = app();
        zoomed.update(Action::ToggleZoom);
        out.push(zoomed);
        let traces = focused_on_traces();
        out.push(traces.clone());
        let mut waterfall = traces.clone();
        waterfall.update(Action::SelectNext);
        waterfall.update(Action::DrillIn);
        waterfall.update(Action::SelectPrev);
        out.push(waterfall.clone());
        let mut span = waterfall;
        span.update(Action::DrillIn);
        out.push(span);
        let mut search = traces.clone();
        search.update(Action::EditQuery);
        out.push(search);
        let mut events = traces.clone();
        events.events.arrive(vec![crate::model::event::Event {
            t: Some(NOW),
            level: crate::model::event::Level::Info,
            level_text: "info".into(),
            message: "command acknowledged".into(),
            service: None,
            trace_id: Some("aa".into()),
            id: "e1".into(),
            index: "i".into(),
            doc: serde_json::Value::Null.into(),
        }]);
        while !events.events_focused() {
            events.update(Action::FocusNext);
        }
        out.push(events.clone());
        let mut detail = events;
        detail.update(Action::DrillIn);
        out.push(detail);
        for opens in [Action::ToggleHelp, Action::Filter] {
            let mut a = app();
            a.update(opens);
            out.push(a);
        }
        // A chart focused: End follows now there (a list takes it as its last row).
        let mut chart = app();
        while !matches!(
            chart.config.panes[chart.focus].kind,
            crate::config::PaneKind::Chart(_)
        ) {
            chart.update(Action::FocusNext);
        }
        chart.update(Action::ScrubBack);
        out.push(chart);
        let mut errors = app();
        errors.update(Action::OpenErrors);
        out.push(errors);
        let mut slo = app();
        while !slo.slo_focused() {
            slo.update(Action::FocusNext);
        }
        out.push(slo);
        let mut faults = super::super::faults::tests::with_faults();
        while !faults.faults_focused() {
            faults.update(Action::FocusNext);
        }
        out.push(faults.clone());
        let mut detail = faults.clone();
        detail.update(Action::DrillIn);
        out.push(detail.clone());
        let mut chart = detail;
        chart.config.prometheus = Some(crate::config::PrometheusConfig {
            connection: crate::config::Connection::to_url("http://127.0.0.1:9090"),
            interval: 5.0,
        });
        chart.update(Action::ChartAlert);
        assert!(matches!(chart.views.last(), Some(View::AlertChart(_))));
        out.push(chart);
        let mut chooser = faults;
        chooser.update(Action::Shelve);
        out.push(chooser);
        let mut notebook = app();
        notebook.update(Action::OpenNotebook);
        out.push(notebook);
        let why = with_why_report();
        out.push(why.clone());
        let mut traces = why;
        traces.update(Action::DrillIn);
        assert!(matches!(traces.views.last(), Some(View::WhyTraces(_))));
        out.push(traces);
        out
    }

    /// The app showing a Why report of ten traces, six failing on wheel LM.
    fn with_why_report() -> App {
        use crate::model::why::{FailRule, Input, Window, analyse, testing::trace};
        let window = Window {
            from: NOW - 600.0,
            to: NOW,
        };
        let traces = (0..10)
            .map(|i| trace(i, i < 6, &[("wheel", if i < 6 { "LM" } else { "LF" })], &[]))
            .collect();
        let input = Input {
            window,
            baseline: window.before(),
            traces,
            rule: FailRule::Error,
            events: Vec::new(),
            baseline_events: Vec::new(),
            series: Vec::new(),
            budget: None,
            missing: Vec::new(),
        };
        let mut a = app();
        a.update(Action::Source(crate::source::SourceUpdate::WhyAnalysed {
            request: Box::new(crate::source::why::Request::for_window("t", window)),
            result: Ok(Box::new(analyse(&input))),
        }));
        assert!(matches!(a.views.last(), Some(View::Why(_))));
        a
    }

    /// The action `key` asks for in `a`, and whether the binding asked for it in `context`.
    fn reached(a: &App, context: &'static Context, key: Key, want: &Action) -> Option<Action> {
        let action = match key {
            Key::Click => {
                let event = crossterm::event::MouseEvent {
                    kind: crossterm::event::MouseEventKind::Down(
                        crossterm::event::MouseButton::Left,
                    ),
                    column: 1,
                    row: 1,
                    modifiers: KeyModifiers::NONE,
                };
                keymap::mouse_action(event)?
            }
            Key::Code(code) => keymap::key_action(a, KeyEvent::new(code, KeyModifiers::NONE))?,
            Key::Ctrl(c) => {
                keymap::key_action(a, KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))?
            }
        };
        let shown = keymap::contexts(a).contains(&context);
        let same = std::mem::discriminant(&action) == std::mem::discriminant(want);
        (shown && same).then_some(action)
    }

    #[test]
    fn every_binding_reaches_a_handler_that_acts_on_it_in_its_context() {
        let fixtures = fixtures();
        for context in CONTEXTS {
            assert!(
                fixtures
                    .iter()
                    .any(|a| keymap::contexts(a).contains(context)),
                "no fixture reaches {}",
                context.name
            );
            for binding in context.bindings {
                for &key in binding.keys {
                    let acts = fixtures.iter().any(|a| {
                        reached(a, context, key, &binding.action)
                            .is_some_and(|action| a.clone().handle_key(&action) != Handled::Pass)
                    });
                    assert!(
                        acts,
                        "{}: {key:?} ({:?}) does nothing anywhere it is bound",
                        context.name, binding.action
                    );
                }
            }
        }
    }
}
