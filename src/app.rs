//! The model: what capcom knows (series per query, source health, the time conductor, focus and
//! the view stack) and the one place it changes, [`App::update`]. `update` does no I/O: it returns
//! [`Effect`]s for the loop to carry out. Rendering only reads an `&App`.

use crate::action::{Action, Effect};
use crate::config::{Config, PaneId};
use crate::keymap::Mode;
use crate::model::{Conductor, SeriesSet};
use crate::source::SourceUpdate;
use crate::source::fixture::ReplayClock;
use crate::theme::Theme;
use crate::ui;

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
    /// The last failure, if it is newer than the last success: display time and reason.
    pub error: Option<(f64, String)>,
    /// Warnings the backend attached to the last answer.
    pub warnings: Vec<String>,
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

/// A level of the drill-down stack, drawn over the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// One pane full screen.
    Zoom(PaneId),
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
    /// Data is old or failing.
    Stale {
        /// Seconds since the last good answer, if there was one.
        age: Option<f64>,
        /// Why, in one line.
        reason: String,
    },
}

/// The whole model.
#[derive(Debug, Clone)]
pub struct App {
    /// The dashboard.
    pub config: Config,
    /// The theme.
    pub theme: Theme,
    /// Per query, indexed by `QueryId`.
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
    /// Drill-down stack; empty is the dashboard.
    pub views: Vec<View>,
    /// Whether help is open.
    pub help: bool,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// Set while replaying.
    pub replay: Option<ReplayInfo>,
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
        let queries = config
            .queries
            .iter()
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
            help: false,
            size: (80, 24),
            replay,
        };
        app.now = app.display_time(wall);
        app
    }

    fn display_time(&self, wall: f64) -> f64 {
        match self.clock {
            Clock::Live => wall,
            Clock::Replay(c) => c.display(wall),
        }
    }

    /// The keyboard's mode.
    #[must_use]
    pub fn mode(&self) -> Mode {
        if self.help { Mode::Help } else { Mode::Normal }
    }

    /// The pane shown full screen, if any.
    #[must_use]
    pub fn zoomed(&self) -> Option<PaneId> {
        self.views.iter().rev().map(|View::Zoom(p)| *p).next()
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

    /// Applies one action and returns the work it asks of the loop.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Tick { wall } => self.now = self.display_time(wall).max(self.now),
            Action::Source(update) => self.apply_source(update),
            Action::Resize { width, height } => self.size = (width, height),
            Action::Quit => return vec![Effect::Quit],
            Action::FocusNext => self.cycle_focus(1),
            Action::FocusPrev => self.cycle_focus(-1),
            Action::FocusAt { column, row } => self.focus_at(column, row),
            Action::DrillIn | Action::ToggleZoom if self.zoomed().is_none() => {
                self.views.push(View::Zoom(self.focus));
            }
            Action::DrillIn => {}
            Action::DrillOut if self.help => self.help = false,
            Action::ToggleZoom | Action::DrillOut => drop(self.views.pop()),
            Action::ToggleHelp => self.help = !self.help,
            Action::TogglePause => self.conductor.toggle_pause(self.now),
            Action::WindowWider => self.conductor.zoom(true),
            Action::WindowNarrower => self.conductor.zoom(false),
            Action::ScrubBack => self.conductor.scrub(-SCRUB_FRACTION, self.now),
            Action::ScrubForward => self.conductor.scrub(SCRUB_FRACTION, self.now),
            Action::GoLive => self.conductor.paused_at = None,
            Action::SelectNext => self.move_selection(1),
            Action::SelectPrev => self.move_selection(-1),
        }
        Vec::new()
    }

    fn apply_source(&mut self, update: SourceUpdate) {
        match update {
            SourceUpdate::MetricsFetched {
                query,
                fetched_at,
                result,
            } => {
                let Some(state) = self.queries.get_mut(query) else {
                    return;
                };
                match result {
                    Ok(r) => {
                        state.set.merge(&r.series);
                        state.last_ok = Some(fetched_at);
                        state.error = None;
                        state.warnings = r.warnings;
                    }
                    Err(e) => state.error = Some((fetched_at, e.to_string())),
                }
            }
            SourceUpdate::ReplayFinished => {
                if let Some(r) = &mut self.replay {
                    r.finished = true;
                }
            }
        }
    }

    fn cycle_focus(&mut self, step: isize) {
        let order = self.focus_order();
        let Some(pos) = order.iter().position(|&p| p == self.focus) else {
            return;
        };
        let len = order.len() as isize;
        self.focus = order[(pos as isize + step).rem_euclid(len) as usize];
        if self.zoomed().is_some() {
            self.views.pop();
            self.views.push(View::Zoom(self.focus));
        }
    }

    fn focus_at(&mut self, column: u16, row: u16) {
        if self.zoomed().is_some() || self.help {
            return;
        }
        let area = ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1);
        let hit = ui::layout::pane_areas(&self.config, area)
            .into_iter()
            .find(|(_, r)| r.contains(ratatui::layout::Position::new(column, row)));
        if let Some((pane, _)) = hit {
            self.focus = pane;
        }
    }

    fn move_selection(&mut self, step: isize) {
        if let Some(sel) = self.selected.get_mut(self.focus) {
            *sel = sel.saturating_add_signed(step);
        }
    }

    /// How fresh the data behind some queries is: the oldest success among them, or the newest
    /// failure when one is newer than its query's success.
    #[must_use]
    pub fn freshness(&self, queries: &[usize]) -> Freshness {
        let states: Vec<&QueryState> = queries
            .iter()
            .filter_map(|&q| self.queries.get(q))
            .collect();
        let failing = states
            .iter()
            .filter_map(|s| s.error.as_ref())
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let oldest_ok = states
            .iter()
            .map(|s| s.last_ok)
            .try_fold(f64::INFINITY, |acc, t| t.map(|t| acc.min(t)));
        let newest_ok = states.iter().filter_map(|s| s.last_ok).reduce(f64::max);
        let age = |t: f64| (self.now - t).max(0.0);
        if let Some((_, reason)) = failing {
            return Freshness::Stale {
                age: newest_ok.map(age),
                reason: reason.clone(),
            };
        }
        match oldest_ok.filter(|t| t.is_finite()) {
            None => Freshness::Waiting,
            Some(t) if age(t) > STALE_AFTER_POLLS * self.poll_interval => Freshness::Stale {
                age: Some(age(t)),
                reason: "no answer".into(),
            },
            Some(t) => Freshness::Ok { age: age(t) },
        }
    }

    /// Every query of the dashboard, for the status bar's per-source line.
    #[must_use]
    pub fn all_queries(&self) -> Vec<usize> {
        (0..self.queries.len()).collect()
    }

    /// The queries a pane reads.
    #[must_use]
    pub fn pane_queries(&self, pane: PaneId) -> Vec<usize> {
        use crate::config::PaneKind;
        match &self.config.panes[pane].kind {
            PaneKind::Chart(q) | PaneKind::Table(q) => q.clone(),
            PaneKind::Path { x, y, heading } => [Some(*x), Some(*y), *heading]
                .into_iter()
                .flatten()
                .collect(),
        }
    }
}
