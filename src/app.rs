//! The model: what capcom knows (series per query, source health, the time conductor, focus and
//! the view stack) and the one place it changes, [`App::update`]. `update` does no I/O: it returns
//! [`Effect`]s for the loop to carry out. Rendering only reads an `&App`.

use crate::action::{Action, Effect};
use crate::config::theme::Theme;
use crate::config::{Config, PaneId};
use crate::model::{Conductor, SeriesSet};
use crate::source::recording::ReplayClock;

mod events;
mod export;
mod faults;
mod handoff;
mod navigate;
mod notebook;
pub use notebook::NotebookState;
mod plan;
mod slo;
mod sources;
mod traces;
mod views;
mod why;
pub use events::EventsState;
pub use faults::{
    ACK_PREFIX, ACK_SECS, FaultFilter, FaultRow, FaultState, FaultsState, Note, Origin,
    RESOLVED_KEEP_SECS, SHELF_CHOICES, SHELVE_PREFIX, SLO_LABEL, format_length, rule_expression,
    severity_of,
};
pub use handoff::{HISTORY_MAX, HandoffState};
pub use plan::CHART_WINDOW;
pub use slo::{LiveAlert, SloStatus};
pub use traces::{
    SEARCH_FIELDS, SearchFields, SearchForm, TraceSort, TraceView, TracesState, format_duration,
};
pub use views::{
    AlertChartView, Editing, ErrorLine, ErrorLineKind, Handled, SECTION_ROWS, View, WhyItem,
    WhySection, WhyTraces, WhyView,
};

/// How many poll intervals may pass without an answer before data counts as stale.
const STALE_AFTER_POLLS: f64 = 3.0;
/// How far `h` / `l` move the window, as a share of its length.
const SCRUB_FRACTION: f64 = 0.125;

/// What one query has delivered.
#[derive(Debug, Clone)]
pub struct QueryState {
    /// Its series.
    pub set: SeriesSet,
    /// Display time of the last successful answer.
    pub last_ok: Option<f64>,
    /// The last failure, if it is newer than the last success.
    pub error: Option<Failure>,
    /// Warnings the backend attached to the last answer.
    pub warnings: Vec<String>,
}

/// Why a query's data is not fresh.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// Display time of the failure.
    pub at: f64,
    /// Why, as the source said it.
    pub reason: crate::source::Reason,
    /// The query itself is at fault (bad PromQL, not recorded), not the source.
    pub query_only: bool,
}

/// Where display time comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Clock {
    /// Wall-clock time: a live session.
    Live,
    /// A replay's shifted, possibly sped-up time.
    Replay(ReplayClock),
}

/// What the status bar says about a replay.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayInfo {
    /// The recording's name.
    pub name: String,
    /// Playback speed.
    pub speed: f64,
    /// Whether the recording has played to its end.
    pub finished: bool,
}

/// How recent a pane's or source's data is.
#[derive(Debug, Clone, PartialEq)]
pub enum Freshness {
    /// Nothing has arrived yet.
    Waiting,
    /// Data arrived `age` seconds ago.
    Ok {
        /// Seconds since the last answer.
        age: f64,
    },
    /// No source is configured for it (a live session without its section): nothing will
    /// ever arrive, and that is the setup, not a failure.
    Unconfigured(crate::source::SourceId),
    /// Data is old or failing.
    Stale {
        /// Seconds since the last good answer, if there was one.
        age: Option<f64>,
        /// Why.
        reason: crate::source::Reason,
    },
}

/// The whole model.
#[derive(Debug, Clone)]
pub struct App {
    /// The dashboard.
    pub config: Config,
    /// The theme.
    pub theme: Theme,
    /// Per query, indexed by `QueryId`; the last is the runtime slot (`App::chart_slot`).
    pub queries: Vec<QueryState>,
    /// Where time comes from.
    pub clock: Clock,
    /// Display time now (Unix seconds).
    pub now: f64,
    /// Display seconds between polls, for staleness.
    pub poll_interval: f64,
    /// The shared time window.
    pub conductor: Conductor,
    /// The focused pane.
    pub focus: PaneId,
    /// Selected row per pane.
    pub selected: Vec<usize>,
    /// Drill-down stack; empty is the dashboard. Help and a prompt being typed sit on top.
    pub views: Vec<View>,
    /// The Events pane's state.
    pub events: EventsState,
    /// The Traces pane's state.
    pub traces: TracesState,
    /// The Faults pane's state.
    pub faults: FaultsState,
    /// A one-line message for the status bar, until the next key.
    pub notice: Option<String>,
    /// The ad-hoc queries' history and the clipboard's reach (`y`, `o`, `:`).
    pub handoff: HandoffState,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// Set while replaying.
    pub replay: Option<ReplayInfo>,
    /// The operator's notebook.
    pub notebook: NotebookState,
    /// Lines the help overlay scrolled down.
    pub help_scroll: usize,
    /// How many rows the help overlay has on a screen so wide (`keymap::help_len`, set where
    /// the app is made for a terminal, as the keymap sits above the app); until then none:
    /// help does not scroll.
    pub help_len: fn(u16) -> usize,
    /// The fetch plan last handed to the loop, to tell when it changes.
    planned: Vec<crate::source::prometheus::poller::Want>,
}

impl App {
    /// A fresh model for `config` at wall-clock time `wall`.
    #[must_use]
    pub fn new(
        config: Config,
        theme: Theme,
        clock: Clock,
        replay: Option<ReplayInfo>,
        wall: f64,
    ) -> Self {
        // One per configured query, and the runtime slot after them (`App::chart_slot`).
        let queries = (0..=config.queries.len())
            .map(|_| QueryState {
                set: SeriesSet::new(config.max_points),
                last_ok: None,
                error: None,
                warnings: Vec::new(),
            })
            .collect();
        let focus = config
            .layout
            .first()
            .and_then(|c| c.panes.first())
            .map_or(0, |p| p.0);
        let poll_interval = config
            .prometheus
            .as_ref()
            .map_or(crate::config::DEFAULT_INTERVAL_SECS, |p| p.interval);
        let events = match &config.opensearch {
            Some(o) => EventsState::new(o.max_events, o.query.clone()),
            None => EventsState::new(crate::config::DEFAULT_MAX_EVENTS, String::new()),
        };
        let traces = TracesState::new(
            config
                .jaeger
                .as_ref()
                .map(|j| j.query.clone())
                .unwrap_or_default(),
        );
        let mut app = Self {
            conductor: Conductor::new(config.window),
            selected: vec![0; config.panes.len()],
            queries,
            config,
            theme,
            clock,
            now: wall,
            poll_interval,
            focus,
            views: Vec::new(),
            events,
            traces,
            faults: FaultsState::default(),
            notice: None,
            handoff: HandoffState::default(),
            size: (80, 24),
            replay,
            notebook: NotebookState::default(),
            help_scroll: 0,
            help_len: |_| 0,
            planned: Vec::new(),
        };
        app.now = app.display_time(wall);
        app.planned = app.fetch_plan();
        app
    }

    fn display_time(&self, wall: f64) -> f64 {
        match self.clock {
            Clock::Live => wall,
            Clock::Replay(c) => c.display(wall),
        }
    }

    /// Moves to the replay clock `to`, whose display times are `delta` seconds from the old
    /// one's: the conductor keeps showing the same moment of the recording, ages stay, and the
    /// data held is dropped for the replay to send again at the new times.
    fn retime(&mut self, to: ReplayClock, delta: f64) {
        self.clock = Clock::Replay(to);
        self.now += delta;
        if let Some(p) = &mut self.conductor.paused_at {
            *p += delta;
        }
        let moved = |t: &mut Option<f64>| *t = t.map(|t| t + delta);
        let cap = self.config.max_points;
        for q in &mut self.queries {
            q.set = SeriesSet::new(cap);
            moved(&mut q.last_ok);
            if let Some(e) = &mut q.error {
                e.at += delta;
            }
        }
        let events = &mut self.events;
        events.log.clear();
        (events.selected, events.unseen) = (0, 0);
        (events.held_from, events.asked, events.until) = (f64::INFINITY, None, None);
        moved(&mut events.last_ok);
        self.traces.list.clear();
        moved(&mut self.traces.last_ok);
        self.retime_faults(delta);
        for e in [&mut self.events.error, &mut self.traces.error]
            .into_iter()
            .flatten()
        {
            e.at += delta;
        }
    }

    /// Wall-clock time now: display time, undone by a replay's clock.
    #[must_use]
    pub fn wall_now(&self) -> f64 {
        match self.clock {
            Clock::Live => self.now,
            Clock::Replay(c) => c.wall(self.now),
        }
    }

    /// Whether times on screen need their date: the conductor's window spans more than one
    /// day, or it is not today (a replay at its original times, a day scrubbed back).
    #[must_use]
    pub fn shows_dates(&self) -> bool {
        let (start, end) = (self.conductor.start(self.now), self.conductor.end(self.now));
        crate::model::conductor::needs_date(start, end, self.wall_now())
    }

    /// The pane shown full screen, if any.
    #[must_use]
    pub fn zoomed(&self) -> Option<PaneId> {
        match self.shown_view() {
            Some(View::Zoom(p)) => Some(*p),
            _ => None,
        }
    }

    /// The pane drawn full screen under any overlay: a zoomed pane, an SLO's traces, a trace's
    /// events.
    #[must_use]
    pub fn full_screen(&self) -> Option<PaneId> {
        self.views.iter().rev().find_map(|v| match v {
            View::Zoom(p) => Some(Some(*p)),
            View::SloTraces { .. } | View::TraceEvents { .. } => Some(Some(self.focus)),
            View::Search(_) | View::Help | View::Prompt { .. } | View::ShelveChoice { .. } => None,
            _ => Some(None),
        })?
    }

    /// Panes in focus order: down each column, columns left to right.
    #[must_use]
    pub fn focus_order(&self) -> Vec<PaneId> {
        self.config
            .layout
            .iter()
            .flat_map(|c| c.panes.iter().map(|p| p.0))
            .collect()
    }

    /// Applies one action and returns the work it asks of the loop, with the new fetch plan
    /// when the action changed it.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        let mut effects = self.apply(action);
        self.follow_conductor(&mut effects);
        let plan = self.fetch_plan();
        if plan != self.planned {
            self.planned.clone_from(&plan);
            effects.push(Effect::PlanChanged(std::sync::Arc::new(plan)));
        }
        effects
    }

    /// Keeps Events and Traces on the time conductor's window, as the charts are: paused, the
    /// Events pane shows the events up to its end (asking the source for them when it holds
    /// none that old) and the traces search ends at its end and looks back over its window;
    /// following, both follow the live tail again. Every search sent goes through here.
    fn follow_conductor(&mut self, effects: &mut Vec<Effect>) {
        let paused_end = self
            .conductor
            .paused_at
            .map(|_| self.conductor.end(self.now));
        let has_events = self.replay.is_some() || self.config.opensearch.is_some();
        if let Some(ask) = self.events.show_until(paused_end)
            && has_events
        {
            effects.push(Effect::EventsUntil(ask));
        }
        let asked = effects.len();
        effects.retain(|e| !matches!(e, Effect::SearchTraces(_)));
        let mut search = self.traces.query.clone();
        if let Some(end) = paused_end {
            search.end = Some(end);
            // An SLO's failed traces keep the look-back of the burn window that fired.
            if !self
                .views
                .iter()
                .any(|v| matches!(v, View::SloTraces { .. }))
            {
                search.lookback = self.conductor.window;
            }
        }
        let has_traces = self.replay.is_some() || self.config.jaeger.is_some();
        if effects.len() < asked || (has_traces && search != self.traces.sent) {
            self.traces.searching = true;
            self.traces.sent.clone_from(&search);
            effects.push(Effect::SearchTraces(search));
        }
    }

    /// Data changes the model directly; a key goes to the top view, then the focused pane,
    /// then the global handler, until one of them takes it.
    fn apply(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Tick { wall } => {
                self.now = self.display_time(wall).max(self.now);
                self.track_slo_faults();
                return self.notes_to_retry(wall);
            }
            Action::Source(update) => {
                self.apply_source(update);
                self.track_slo_faults();
            }
            Action::Sources(updates) => {
                for update in updates {
                    self.apply_source(update);
                }
                self.track_slo_faults();
            }
            Action::Resize { width, height } => self.size = (width, height),
            Action::ShowNotice(text) => self.notice = Some(text),
            action => {
                self.notice = None;
                let handled = self.handle_key(&action);
                return self.settle(handled);
            }
        }
        Vec::new()
    }

    /// Who takes a user's action, and what they answer.
    pub(crate) fn handle_key(&mut self, action: &Action) -> Handled {
        match self.handle_view(action) {
            Handled::Pass => match self.handle_pane(action) {
                Handled::Pass => self.handle_global(action),
                handled => handled,
            },
            handled => handled,
        }
    }

    /// What an action means wherever the keys are: quit, focus, zoom, help, the time
    /// conductor, and typing the events' filter or query.
    fn handle_global(&mut self, action: &Action) -> Handled {
        match action {
            Action::Quit => return Handled::Done(vec![Effect::Quit]),
            Action::FocusNext => self.cycle_focus(1),
            Action::FocusPrev => self.cycle_focus(-1),
            Action::FocusAt { column, row } => self.focus_at(*column, *row),
            Action::DrillIn | Action::ToggleZoom if self.views.is_empty() => {
                return Handled::push(View::Zoom(self.focus));
            }
            // Whatever else is open, `z` closes it; leaving an SLO's traces or a trace's events
            // it restores what `Esc` restores, so no filter or search is left behind.
            Action::ToggleZoom => {
                return match self.views.last() {
                    Some(View::SloTraces { .. } | View::TraceEvents { .. }) => {
                        self.handle_view(&Action::DrillOut)
                    }
                    _ => Handled::POP,
                };
            }
            Action::ToggleHelp => {
                self.help_scroll = 0;
                return Handled::push(View::Help);
            }
            Action::TogglePause => self.conductor.toggle_pause(self.now),
            Action::WindowWider => self.conductor.zoom(true),
            Action::WindowNarrower => self.conductor.zoom(false),
            Action::ScrubBack => self.conductor.scrub(-SCRUB_FRACTION, self.now),
            Action::ScrubForward => self.conductor.scrub(SCRUB_FRACTION, self.now),
            Action::GoLive => self.conductor.paused_at = None,
            Action::JumpToTime => return Handled::prompt(Editing::Jump, String::new()),
            Action::ToggleOriginalTime => match self.clock {
                Clock::Replay(c) => {
                    let to = ReplayClock {
                        original: !c.original,
                        ..c
                    };
                    self.retime(to, to.shift() - c.shift());
                    return Handled::Done(vec![Effect::ReTime(to)]);
                }
                Clock::Live => self.notice = Some("only a replay has original times".into()),
            },
            Action::Filter => return Handled::prompt(Editing::Filter, self.events.filter.clone()),
            Action::EditQuery if self.replay.is_some() => {
                self.notice =
                    Some("a replay cannot run a new server-side query; / filters locally".into());
            }
            Action::EditQuery if self.config.opensearch.is_none() => {
                self.notice = Some("no [opensearch] is configured".into());
            }
            Action::EditQuery => return Handled::prompt(Editing::Query, self.events.query.clone()),
            Action::AddNote | Action::OpenNotebook | Action::NoteScreen => {
                return self.notebook_key(action);
            }
            Action::Export => return self.export_key(),
            Action::Why => return self.why_key(),
            Action::Copy | Action::ShowLink | Action::AdHocQuery => {
                return self.handoff_key(action);
            }
            Action::OpenErrors
            | Action::SelectFirst
            | Action::SelectLast
            | Action::PageDown
            | Action::PageUp
            | Action::Wheel { .. }
            | Action::TraceEvents => return self.list_key(action),
            _ => return Handled::Pass,
        }
        Handled::DONE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceError;
    use crate::source::SourceUpdate;
    use crate::source::prometheus::QueryResult;
    use crate::source::prometheus::poller::Want;

    pub(super) const NOW: f64 = 1_000_000.0;

    pub(super) fn app() -> App {
        let config = crate::config::parse(crate::DASHBOARD_TOML, "t").expect("ok");
        let theme = Theme::builtin("mono").expect("theme");
        let mut app = App::new(config, theme, Clock::Live, None, NOW);
        app.update(Action::Resize {
            width: 160,
            height: 48,
        });
        app
    }

    fn fetched(query: usize, at: f64, result: Result<QueryResult, SourceError>) -> Action {
        Action::Source(SourceUpdate::MetricsFetched {
            query,
            fetched_at: at,
            result,
            replace: false,
        })
    }

    #[test]
    fn focus_cycles_through_the_layout_both_ways() {
        let mut a = app();
        let order = a.focus_order();
        assert_eq!(a.focus, order[0]);
        a.update(Action::FocusNext);
        assert_eq!(a.focus, order[1]);
        a.update(Action::FocusPrev);
        a.update(Action::FocusPrev);
        assert_eq!(a.focus, order[order.len() - 1]);
    }

    #[test]
    fn a_click_focuses_the_pane_under_it() {
        let mut a = app();
        a.update(Action::FocusAt {
            column: 150,
            row: 10,
        });
        assert_eq!(a.config.panes[a.focus].id, "path");
        a.update(Action::FocusAt {
            column: 80,
            row: 10,
        });
        assert_eq!(a.config.panes[a.focus].id, "environment");
        a.update(Action::FocusAt {
            column: 80,
            row: 47,
        });
        assert_eq!(
            a.config.panes[a.focus].id, "environment",
            "the status bar is no pane"
        );
    }

    #[test]
    fn zoom_and_drill_form_a_stack_that_esc_unwinds() {
        let mut a = app();
        a.update(Action::DrillIn);
        assert_eq!(a.zoomed(), Some(a.focus));
        a.update(Action::FocusNext);
        assert_eq!(a.zoomed(), Some(a.focus), "zoom follows focus");
        a.update(Action::DrillOut);
        assert_eq!(a.zoomed(), None);
        a.update(Action::ToggleZoom);
        a.update(Action::ToggleZoom);
        assert_eq!(a.zoomed(), None);
    }

    #[test]
    fn esc_closes_help_before_it_leaves_a_zoom() {
        let mut a = app();
        a.update(Action::ToggleZoom);
        a.update(Action::ToggleHelp);
        assert!(a.help_open());
        a.update(Action::DrillOut);
        assert!(!a.help_open());
        assert!(a.zoomed().is_some());
    }

    #[test]
    fn pause_scrub_and_live_move_one_conductor() {
        let mut a = app();
        a.update(Action::ScrubBack);
        let end = a.conductor.end(a.now);
        assert!(end < NOW);
        a.update(Action::Tick { wall: NOW + 60.0 });
        assert_eq!(
            a.conductor.end(a.now),
            end,
            "paused stays put while time passes"
        );
        a.update(Action::GoLive);
        assert_eq!(a.conductor.end(a.now), NOW + 60.0);
        a.update(Action::WindowWider);
        assert_eq!(a.conductor.window, 3_600.0);
    }

    #[test]
    fn an_error_makes_data_stale_with_its_reason_and_keeps_the_data() {
        let mut a = app();
        let series = vec![crate::model::Series {
            labels: crate::model::Labels::new(),
            points: vec![crate::model::Point { t: NOW, v: 1.0 }],
        }];
        a.update(fetched(
            0,
            NOW,
            Ok(QueryResult {
                series,
                warnings: vec![],
            }),
        ));
        assert_eq!(a.freshness(&[0]), Freshness::Ok { age: 0.0 });
        a.update(Action::Tick { wall: NOW + 3.0 });
        let err = SourceError::NotRecorded("x".into());
        a.update(fetched(0, NOW + 3.0, Err(err)));
        let Freshness::Stale { age, reason } = a.freshness(&[0]) else {
            panic!("stale")
        };
        assert_eq!(
            (age, reason.to_string().as_str()),
            (Some(3.0), "not in the recording: x")
        );
        assert_eq!(a.queries[0].set.len(), 1, "the last data is kept");
        assert_eq!(
            a.freshness(&[1]),
            Freshness::Waiting,
            "other queries are unaffected"
        );
    }

    #[test]
    fn silence_longer_than_three_polls_is_stale() {
        let mut a = app();
        a.update(fetched(
            0,
            NOW,
            Ok(QueryResult {
                series: vec![],
                warnings: vec![],
            }),
        ));
        a.update(Action::Tick { wall: NOW + 16.0 });
        assert!(matches!(a.freshness(&[0]), Freshness::Stale { .. }));
    }

    #[test]
    fn a_chart_asked_once_a_step_is_stale_after_three_steps_not_three_intervals() {
        let mut a = app();
        let (q, step) = a
            .planned
            .iter()
            .enumerate()
            .find_map(|(q, w)| match *w {
                Want::Range { step, .. } if step > 3.0 * a.poll_interval => Some((q, step)),
                _ => None,
            })
            .expect("a chart whose step is over three intervals");
        assert_eq!(a.query_period(q), step);
        let empty = || {
            Ok(QueryResult {
                series: vec![],
                warnings: vec![],
            })
        };
        a.update(fetched(q, NOW, empty()));
        a.update(Action::Tick {
            wall: NOW + 3.0 * a.poll_interval + 1.0,
        });
        assert!(
            matches!(a.freshness(&[q]), Freshness::Ok { .. }),
            "its next point is not due yet"
        );
        a.update(Action::Tick {
            wall: NOW + 3.0 * step + 1.0,
        });
        assert!(matches!(a.freshness(&[q]), Freshness::Stale { .. }));
        // Paused, the same chart is asked at the interval.
        a.update(Action::ScrubBack);
        assert_eq!(a.query_period(q), a.poll_interval);
        // Following a week, its step is hours, and it is asked at least once a minute.
        a.update(Action::GoLive);
        for _ in 0..8 {
            a.update(Action::WindowWider);
        }
        let Want::Range { step, .. } = a.planned[q] else {
            panic!("still a range")
        };
        assert!(step > 3_600.0, "a step of {step} s");
        assert_eq!(
            a.query_period(q),
            crate::source::prometheus::poller::MAX_QUIET
        );
    }

    #[test]
    fn updates_that_arrive_together_are_applied_as_one_action() {
        let (mut one, mut each) = (app(), app());
        let updates = || {
            (0..3).map(|q| {
                let result = Ok(QueryResult {
                    series: vec![crate::model::Series {
                        labels: crate::model::Labels::new(),
                        points: vec![crate::model::Point { t: NOW, v: 0.5 }],
                    }],
                    warnings: vec![],
                });
                SourceUpdate::MetricsFetched {
                    query: q,
                    fetched_at: NOW,
                    result,
                    replace: true,
                }
            })
        };
        one.update(Action::Sources(updates().collect()));
        for u in updates() {
            each.update(Action::Source(u));
        }
        for q in 0..3 {
            assert_eq!(one.freshness(&[q]), Freshness::Ok { age: 0.0 });
            assert_eq!(one.queries[q].set.len(), each.queries[q].set.len());
        }
        assert_eq!(one.faults.slo, each.faults.slo);
    }

    #[test]
    fn quit_is_an_effect_for_the_loop() {
        assert_eq!(app().update(Action::Quit), vec![Effect::Quit]);
    }
}
