//! What the app knows about its data rather than its screen: how fresh each pane's data is,
//! the health of each source, and what each query should fetch for the screen as it is.

use super::{App, Failure, Freshness, QueryState, STALE_AFTER_POLLS};
use crate::config::PaneId;
use crate::layout;
use crate::source::Reason;
use crate::source::prometheus::poller::{MAX_QUIET, Want, step_for};

/// The least an alert's chart shows, seconds: the last hour.
pub const CHART_WINDOW: f64 = 3_600.0;

impl App {
    /// The runtime query slot: the `QueryId` after the configured queries, whose `PromQL` the
    /// app sets while running (`Effect::ChartQuery`): an alert's chart today.
    #[must_use]
    pub fn chart_slot(&self) -> usize {
        self.config.queries.len()
    }

    /// How often query `q` is asked for as the screen is now: its interval, or a following
    /// chart's step when that is longer, up to a minute (a live poller asks once a new point
    /// is due, and at least every [`MAX_QUIET`]; a replay releases every query at each of its
    /// ticks).
    #[must_use]
    pub fn query_period(&self, q: usize) -> f64 {
        match self.planned.get(q) {
            Some(Want::Range {
                step,
                paused_end: None,
                ..
            }) if self.replay.is_none() => step.min(MAX_QUIET).max(self.poll_interval),
            _ => self.poll_interval,
        }
    }

    /// How fresh the data behind some queries is: the oldest success among them, or the newest
    /// failure when one is newer than its query's success. Stale when a success is older than
    /// [`STALE_AFTER_POLLS`] of its query's periods ([`App::query_period`]).
    #[must_use]
    pub fn freshness(&self, queries: &[usize]) -> Freshness {
        let states: Vec<(usize, &QueryState)> = queries
            .iter()
            .filter_map(|&q| Some((q, self.queries.get(q)?)))
            .collect();
        let failing = states
            .iter()
            .filter_map(|(_, s)| s.error.as_ref())
            .max_by(|a, b| a.at.total_cmp(&b.at));
        let oldest_ok = states
            .iter()
            .map(|(_, s)| s.last_ok)
            .try_fold(f64::INFINITY, |acc, t| t.map(|t| acc.min(t)));
        let newest_ok = states
            .iter()
            .filter_map(|(_, s)| s.last_ok)
            .reduce(f64::max);
        let age = |t: f64| (self.now - t).max(0.0);
        if let Some(f) = failing {
            return Freshness::Stale {
                age: newest_ok.map(age),
                reason: f.reason.clone(),
            };
        }
        let overdue = states.iter().any(|&(q, s)| {
            s.last_ok
                .is_some_and(|t| age(t) > STALE_AFTER_POLLS * self.query_period(q))
        });
        match oldest_ok.filter(|t| t.is_finite()) {
            None => Freshness::Waiting,
            Some(t) if overdue => Freshness::Stale {
                age: Some(age(t)),
                reason: Reason::NoAnswer,
            },
            Some(t) => Freshness::Ok { age: age(t) },
        }
    }

    /// How fresh the events are, as [`App::freshness`] says it for queries.
    #[must_use]
    pub fn events_freshness(&self) -> Freshness {
        if self.config.opensearch.is_none() && self.replay.is_none() {
            return Freshness::Unconfigured(crate::source::SourceId::OpenSearch);
        }
        self.freshness_of(
            self.events.error.as_ref(),
            self.events.last_ok,
            self.poll_interval,
        )
    }

    /// How fresh the Traces pane's list is.
    #[must_use]
    pub fn traces_freshness(&self) -> Freshness {
        if self.config.jaeger.is_none() && self.replay.is_none() {
            return Freshness::Unconfigured(crate::source::SourceId::Jaeger);
        }
        let interval = match (&self.config.jaeger, &self.replay) {
            (Some(j), None) => j.interval,
            _ => self.poll_interval,
        };
        self.freshness_of(self.traces.error.as_ref(), self.traces.last_ok, interval)
    }

    pub(super) fn freshness_of(
        &self,
        error: Option<&Failure>,
        last_ok: Option<f64>,
        interval: f64,
    ) -> Freshness {
        let age = |t: f64| (self.now - t).max(0.0);
        match (error, last_ok) {
            (Some(f), ok) => Freshness::Stale {
                age: ok.map(age),
                reason: f.reason.clone(),
            },
            (None, None) => Freshness::Waiting,
            (None, Some(t)) if age(t) > STALE_AFTER_POLLS * interval => Freshness::Stale {
                age: Some(age(t)),
                reason: Reason::NoAnswer,
            },
            (None, Some(t)) => Freshness::Ok { age: age(t) },
        }
    }

    /// What each query should fetch for the screen as it is: charts a range at about one point
    /// per column of their plot (the zoomed pane at its zoomed width), paths a range at one
    /// point per braille dot column, tables the value at the window's end.
    #[must_use]
    pub fn fetch_plan(&self) -> Vec<Want> {
        use crate::config::PaneKind;
        let mut plan = vec![Want::Nothing; self.queries.len()];
        let screen = ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1);
        let (main, _) = layout::split(screen);
        let window = self.conductor.window;
        let paused_end = self.conductor.paused_at.map(|p| p.min(self.now));
        for (pane, rect) in self.pane_areas(screen) {
            let rect = if self.full_screen() == Some(pane) {
                main
            } else {
                rect
            };
            let inner = rect.width.saturating_sub(2);
            // A following chart jumps ahead of now by up to a tenth of its width (see
            // `chart::plot_range`), so its left edge is up to that much older than the window.
            let range = |columns: u16| Want::Range {
                window: window * 1.1,
                step: step_for(window, columns),
                paused_end,
            };
            match &self.config.panes[pane].kind {
                PaneKind::Chart(qs) => {
                    let want = range(inner.saturating_sub(layout::CHART_GUTTER));
                    for &q in qs {
                        plan[q] = want;
                    }
                }
                PaneKind::Table(qs) => qs
                    .iter()
                    .for_each(|&q| plan[q] = Want::Instant { at: paused_end }),
                PaneKind::Events | PaneKind::Traces | PaneKind::Faults => {}
                PaneKind::Slo => {
                    // The burn-rate history of each SLO: one point per sparkline column, on
                    // its own query, so no burn rate is ever read off this range.
                    let want = range(inner.saturating_sub(layout::SPARK_GUTTER).max(8));
                    for s in &self.config.slos {
                        plan[s.history_query] = want;
                    }
                }
                PaneKind::Path { x, y, heading } => {
                    let want = range(inner.saturating_mul(2));
                    for q in [Some(*x), Some(*y), *heading].into_iter().flatten() {
                        plan[q] = want;
                    }
                }
            }
        }
        // The runtime slot: an alert's chart over the last hour (or the window, if longer), an
        // ad-hoc query's over the window,
        // about one point per column of the full-screen plot, while its view is open.
        if let Some(window) = self.views.iter().find_map(|v| match v {
            super::View::AlertChart(c) => Some(c.window(self.conductor.window)),
            _ => None,
        }) {
            let columns = main.width.saturating_sub(2 + layout::CHART_GUTTER).max(1);
            plan[self.chart_slot()] = Want::Range {
                window: window * 1.1,
                step: step_for(window, columns),
                paused_end,
            };
        }
        // Every SLO's windows and period, whatever is on screen (the status bar shows the
        // worst alert at all times), each an instant at one evaluation time shared by all;
        // while paused, also at the live one, for the alert now.
        let want = match self.conductor.paused_at {
            None => Want::Instant {
                at: Some(self.slo_evaluation_time()),
            },
            Some(_) => Want::Paired {
                at: self.slo_evaluation_time(),
                live: self.live_slo_evaluation_time(),
            },
        };
        for s in &self.config.slos {
            for q in s
                .windows
                .iter()
                .map(|(_, q)| *q)
                .chain([s.period_query, s.data_query])
            {
                plan[q] = want;
            }
        }
        plan
    }

    /// The source's health for the status bar: the freshness of every query whose failure is
    /// not the query's own fault, and how many queries fail on their own (bad PromQL), each
    /// PromQL counted once (an SLO's sparkline repeats one of its windows' queries).
    #[must_use]
    pub fn source_health(&self) -> (Freshness, usize) {
        let (own, rest): (Vec<usize>, Vec<usize>) = (0..self.config.queries.len())
            .partition(|&q| self.queries[q].error.as_ref().is_some_and(|f| f.query_only));
        let mut failing: Vec<&str> = own
            .iter()
            .filter_map(|&q| self.config.queries.get(q))
            .map(|q| q.promql.as_str())
            .collect();
        failing.sort_unstable();
        failing.dedup();
        (self.freshness(&rest), failing.len())
    }

    /// The queries a pane reads.
    #[must_use]
    pub fn pane_queries(&self, pane: PaneId) -> Vec<usize> {
        use crate::config::PaneKind;
        match &self.config.panes[pane].kind {
            PaneKind::Chart(q) | PaneKind::Table(q) => q.clone(),
            PaneKind::Events | PaneKind::Traces | PaneKind::Faults => Vec::new(),
            PaneKind::Slo => self
                .config
                .slos
                .iter()
                .flat_map(|s| {
                    s.windows.iter().map(|(_, q)| *q).chain([
                        s.history_query,
                        s.period_query,
                        s.data_query,
                    ])
                })
                .collect(),
            PaneKind::Path { x, y, heading } => [Some(*x), Some(*y), *heading]
                .into_iter()
                .flatten()
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{NOW, app};
    use super::*;
    use crate::action::Action;

    #[test]
    fn the_fetch_plan_follows_widths_zoom_and_pause() {
        let mut a = app();
        let env = a
            .config
            .queries
            .iter()
            .position(|q| q.promql == "rover_pressure_pascals")
            .expect("q");
        let lad = a
            .config
            .queries
            .iter()
            .position(|q| q.promql == "rover_cpu_load_percent")
            .expect("q");
        let Want::Range {
            step,
            window,
            paused_end: None,
        } = a.fetch_plan()[env]
        else {
            panic!()
        };
        assert_eq!(
            step, 17.0,
            "900 s over the 55-column plot at 160x48, rounded up"
        );
        assert!(
            (window - 990.0).abs() < 1e-6,
            "plus a tenth for the jump slack: {window}"
        );
        assert_eq!(a.fetch_plan()[lad], Want::Instant { at: None });
        while a.config.panes[a.focus].id != "environment" {
            a.update(Action::FocusNext);
        }
        a.update(Action::ToggleZoom);
        let Want::Range { step: zoomed, .. } = a.fetch_plan()[env] else {
            panic!()
        };
        assert!(
            zoomed < step,
            "a zoomed chart asks for a finer step: {zoomed}"
        );
        a.update(Action::TogglePause);
        assert_eq!(a.fetch_plan()[lad], Want::Instant { at: Some(NOW) });
        let Want::Range { paused_end, .. } = a.fetch_plan()[env] else {
            panic!()
        };
        assert_eq!(paused_end, Some(NOW));
    }

    #[test]
    fn update_hands_the_loop_the_plan_when_it_changes_and_only_then() {
        use crate::action::Effect;
        let mut a = app();
        let changed = |e: &[Effect]| e.iter().any(|e| matches!(e, Effect::PlanChanged(_)));
        assert!(!changed(&a.update(Action::FocusNext)));
        while a.config.panes[a.focus].id != "environment" {
            a.update(Action::FocusNext);
        }
        let effects = a.update(Action::ToggleZoom);
        let [Effect::PlanChanged(plan)] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(**plan, a.fetch_plan());
        assert!(!changed(&a.update(Action::SelectNext)), "not sent twice");
        assert!(changed(&a.update(Action::TogglePause)));
        assert!(changed(&a.update(Action::WindowWider)));
        assert!(changed(&a.update(Action::Resize {
            width: 100,
            height: 30
        })));
    }

    #[test]
    fn slo_windows_are_instants_at_one_time_whatever_the_window() {
        let mut a = app();
        let mut seen = Vec::new();
        for _ in 0..6 {
            let plan = a.fetch_plan();
            let at = Some(a.slo_evaluation_time());
            for s in &a.config.slos {
                for q in s
                    .windows
                    .iter()
                    .map(|(_, q)| *q)
                    .chain([s.period_query, s.data_query])
                {
                    assert_eq!(
                        plan[q],
                        Want::Instant { at },
                        "{} at a {} s window",
                        a.config.queries[q].legend,
                        a.conductor.window
                    );
                }
                assert!(
                    matches!(plan[s.history_query], Want::Range { .. }),
                    "the sparkline draws a range of its own"
                );
            }
            seen.push(a.conductor.window);
            a.update(Action::WindowWider);
        }
        seen.dedup();
        assert!(seen.len() >= 4, "the window did change: {seen:?}");
    }
}
