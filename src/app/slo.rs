//! What each SLO says now — error ratios per window read off its instant queries at the
//! window's end (never off the sparkline's range), how far back its data reaches, burn rates,
//! the budget left, the alert — and the walk from an alerting SLO to the traces behind it,
//! then from a trace to its events.

use crate::action::{Action, Effect};
use crate::config::{PaneKind, Slo};
use crate::model::slo::{self, Alert};
use crate::model::traces::TraceQuery;

use super::{App, Handled, STALE_AFTER_POLLS, TraceSort, View};

/// One SLO's state at the time conductor's end.
#[derive(Debug, Clone, PartialEq)]
pub struct SloStatus {
    /// Error ratio per window the rules use (shortest first); `None` without data.
    pub ratios: Vec<(f64, Option<f64>)>,
    /// The error ratio over the whole period.
    pub period_ratio: Option<f64>,
    /// The alert.
    pub alert: Alert,
    /// The rule that fires, if one does (the loudest).
    pub firing: Option<slo::Rule>,
    /// How many seconds back the SLI's data reaches (`None`: not known).
    pub data_age: Option<f64>,
    /// Unknown because no page rule has data enough: `UNKNOWN (insufficient data)`.
    pub insufficient: bool,
}

impl SloStatus {
    /// The SLI now: one minus the error ratio over the shortest window.
    #[must_use]
    pub fn sli(&self) -> Option<f64> {
        self.ratios.first().and_then(|(_, r)| *r).map(|r| 1.0 - r)
    }

    /// The error budget left over the period, as a share (negative when overspent).
    #[must_use]
    pub fn budget(&self, objective: f64) -> Option<f64> {
        self.period_ratio
            .map(|r| slo::budget_remaining(r, objective))
    }

    /// Whether data covers enough of `window` for its burn rate to count.
    #[must_use]
    pub fn enough_data(&self, window: f64) -> bool {
        slo::enough_data(self.data_age, window)
    }

    /// How much of a `period` the budget is computed over, seconds, when the data covers
    /// less than all of it (`Some(None)`: not known how much); `None` when it covers it all.
    #[must_use]
    pub fn budget_span(&self, period: f64) -> Option<Option<f64>> {
        match self.data_age {
            Some(a) if a >= period => None,
            age => Some(age),
        }
    }
}

/// How long after an instant its scrapes are taken as stored: a following SLO is evaluated at
/// least this far in the past.
pub const SLO_SETTLE_SECS: f64 = 1.0;

/// Error ratios are clamped to [0, 1]: rounding in `1 - good/total` can go a hair below 0.
fn clean(v: f64) -> Option<f64> {
    v.is_finite().then_some(v.clamp(0.0, 1.0))
}

/// The alert an SLO raises now, whatever time the screen shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LiveAlert<'a> {
    /// The alert.
    pub alert: Alert,
    /// The SLO raising it.
    pub slo: &'a Slo,
    /// Seconds since its source last answered, when it is failing or late: the alert is the
    /// last one known, held for [`App::slo_hold_secs`].
    pub stale: Option<f64>,
}

impl App {
    /// How long an SLO's last answer stands once its source stops answering: a blip keeps the
    /// last known alert (marked stale) rather than flipping it to UNKNOWN. A minute, or three
    /// poll intervals when that is longer.
    #[must_use]
    pub fn slo_hold_secs(&self) -> f64 {
        (STALE_AFTER_POLLS * self.poll_interval).max(60.0)
    }

    /// The error ratio of query `q` at time `t`, clamped to [0, 1], as [`App::latest_at`].
    fn value_at(&self, q: usize, t: f64) -> Option<f64> {
        self.latest_at(q, t).and_then(clean)
    }

    /// The latest value of query `q` at time `t`, as it came (the largest, when the query has
    /// several series), or `None` when it has none, or has been failing for longer than
    /// [`App::slo_hold_secs`].
    fn latest_at(&self, q: usize, t: f64) -> Option<f64> {
        let state = self.queries.get(q)?;
        let held = state
            .last_ok
            .is_some_and(|ok| self.now - ok <= self.slo_hold_secs());
        if state.error.is_some() && !held {
            return None;
        }
        state
            .set
            .iter()
            .filter_map(|(_, buf)| buf.latest_at(t + 1.0))
            .map(|p| p.v)
            .filter(|v| !v.is_nan())
            .reduce(f64::max)
    }

    /// When every SLO window and period is evaluated (one instant for all, so they always
    /// describe the same data): the conductor's end while paused; following, the last whole
    /// poll interval at least [`SLO_SETTLE_SECS`] old — the last complete evaluation. It
    /// never depends on the time window.
    #[must_use]
    pub fn slo_evaluation_time(&self) -> f64 {
        if self.conductor.paused_at.is_some() {
            return self.conductor.end(self.now);
        }
        self.live_slo_evaluation_time()
    }

    /// The live evaluation time: the last whole poll interval at least [`SLO_SETTLE_SECS`]
    /// old, paused or not.
    #[must_use]
    pub fn live_slo_evaluation_time(&self) -> f64 {
        let every = self.poll_interval.max(1.0);
        ((self.now - SLO_SETTLE_SECS) / every).floor() * every
    }

    /// What SLO `slo` says at the time conductor's end.
    #[must_use]
    pub fn slo_status(&self, slo: &Slo) -> SloStatus {
        self.slo_status_at(slo, self.conductor.end(self.now))
    }

    /// What SLO `slo` says now, whatever time the screen shows.
    #[must_use]
    pub fn live_slo_status(&self, slo: &Slo) -> SloStatus {
        self.slo_status_at(slo, self.now)
    }

    /// What SLO `slo` said at time `t`, from the instants held.
    fn slo_status_at(&self, slo: &Slo, t: f64) -> SloStatus {
        let ratios: Vec<(f64, Option<f64>)> = slo
            .windows
            .iter()
            .map(|&(w, q)| (w, self.value_at(q, t)))
            .collect();
        let ratio = |w: f64| {
            ratios
                .iter()
                .find(|(win, _)| slo::same_window(*win, w))
                .and_then(|(_, r)| *r)
        };
        let data_age = self
            .latest_at(slo.data_query, t)
            .filter(|a| a.is_finite())
            .map(|a| a.max(0.0));
        let verdict = slo::verdict(slo.objective, &slo.rules, ratio, data_age);
        SloStatus {
            ratios,
            period_ratio: self.value_at(slo.period_query, t),
            alert: verdict.alert,
            firing: verdict.firing,
            data_age,
            insufficient: verdict.insufficient,
        }
    }

    /// The loudest alert of all SLOs at the time conductor's end, and the first SLO raising
    /// it (`None` without SLOs).
    #[must_use]
    pub fn worst_slo(&self) -> Option<(Alert, &Slo)> {
        self.config
            .slos
            .iter()
            .map(|s| (self.slo_status(s).alert, s))
            .min_by_key(|(a, _)| *a)
    }

    /// The loudest alert of all SLOs now, paused or not, and the first SLO raising it.
    #[must_use]
    pub fn live_alert(&self) -> Option<LiveAlert<'_>> {
        self.config
            .slos
            .iter()
            .map(|slo| LiveAlert {
                alert: self.live_slo_status(slo).alert,
                slo,
                stale: self.slo_stale(slo),
            })
            .min_by_key(|l| l.alert)
    }

    /// Seconds since SLO `slo`'s queries last all answered, when one of them is failing or
    /// late; `None` while they are fresh (or never answered: then the alert is UNKNOWN).
    fn slo_stale(&self, slo: &Slo) -> Option<f64> {
        let states: Vec<&super::QueryState> = slo
            .windows
            .iter()
            .map(|(_, q)| *q)
            .chain([slo.period_query])
            .filter_map(|q| self.queries.get(q))
            .collect();
        let oldest = states
            .iter()
            .map(|s| s.last_ok)
            .try_fold(f64::INFINITY, |acc, t| t.map(|t| acc.min(t)))?;
        let age = (self.now - oldest).max(0.0);
        let failing = states.iter().any(|s| s.error.is_some());
        (failing || age > STALE_AFTER_POLLS * self.poll_interval).then_some(age)
    }

    /// Whether the focused pane is the SLO pane.
    #[must_use]
    pub fn slo_focused(&self) -> bool {
        matches!(
            self.config.panes.get(self.focus).map(|p| &p.kind),
            Some(PaneKind::Slo)
        )
    }

    /// `Enter` on an SLO: the traces of its service over the firing rule's long window (or
    /// the hour, when nothing fires) — failed ones, or for a latency SLO those slower than
    /// its threshold (in seconds, as Prometheus histograms are) — slowest first, full screen,
    /// without the pane's local filter (`Esc` restores it).
    fn open_slo_traces(&mut self) -> Handled {
        let Some(slo) = self.config.slos.get(self.selected[self.focus]).cloned() else {
            return Handled::DONE;
        };
        let status = self.slo_status(&slo);
        let lookback = status.firing.map_or(3_600.0, |r| r.long);
        // A latency SLO's bad events are slow, not failed: search by the threshold instead.
        let slow = match &slo.sli {
            crate::config::Sli::Latency { le_secs, .. } => Some(*le_secs),
            _ => None,
        };
        let query = TraceQuery {
            services: if slo.service.is_empty() {
                Vec::new()
            } else {
                vec![slo.service.clone()]
            },
            attributes: if slow.is_some() {
                Vec::new()
            } else {
                vec![("error".into(), "true".into())]
            },
            min_duration: slow,
            lookback,
            limit: self.traces.query.limit,
            ..TraceQuery::default()
        };
        self.show_traces(query, "this SLO's")
    }

    /// The Traces pane full screen on `query`, slowest first, without its local filter;
    /// `Esc` restores the search, order, filter and focus from before. `whose` says whose
    /// traces they would have been when the layout has no Traces pane.
    pub(super) fn show_traces(&mut self, query: TraceQuery, whose: &str) -> Handled {
        let Some(traces_pane) = self
            .config
            .panes
            .iter()
            .position(|p| p.kind == PaneKind::Traces)
        else {
            self.notice = Some(format!(
                "the layout has no Traces pane to show {whose} traces"
            ));
            return Handled::DONE;
        };
        let view = View::SloTraces {
            from: self.focus,
            previous: Box::new(std::mem::replace(&mut self.traces.query, query.clone())),
            sort: self.traces.sort,
            filter: std::mem::take(&mut self.traces.filter),
        };
        self.focus = traces_pane;
        self.traces.sort = TraceSort::Duration;
        self.traces.selected = 0;
        self.traces.searching = true;
        Handled::Push(view, vec![Effect::SearchTraces(query)])
    }

    /// The SLO pane's keys: `Enter` opens the selected SLO's traces.
    pub(super) fn handle_slo_pane(&mut self, action: &Action) -> Handled {
        match action {
            Action::DrillIn if self.on_dashboard() => self.open_slo_traces(),
            _ => Handled::Pass,
        }
    }

    /// `l` on a trace or span: the events carrying its trace id, full screen.
    pub(super) fn open_trace_events(&mut self, trace_id: String) -> Handled {
        let Some(events_pane) = self
            .config
            .panes
            .iter()
            .position(|p| p.kind == PaneKind::Events)
        else {
            self.notice = Some("the layout has no Events pane".into());
            return Handled::DONE;
        };
        let view = View::TraceEvents {
            from: self.focus,
            previous_filter: std::mem::replace(&mut self.events.filter, trace_id),
        };
        self.focus = events_pane;
        self.events.selected = 0;
        self.events.unseen = 0;
        Handled::push(view)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{NOW, app};
    use super::*;
    use crate::action::Action;

    #[test]
    fn slos_are_evaluated_at_the_last_whole_interval_or_the_paused_end() {
        let mut a = app();
        let every = a.poll_interval;
        for now in [NOW, NOW + 0.5, NOW + 1.0, NOW + 3.7, NOW + every + 1.2] {
            a.update(Action::Tick { wall: now });
            let t = a.slo_evaluation_time();
            assert!(t <= now - SLO_SETTLE_SECS, "{t} is settled at {now}");
            assert!(now - t < every + SLO_SETTLE_SECS, "{t} is recent at {now}");
            assert_eq!(t % every, 0.0, "{t} is on the interval's grid");
        }
        a.update(Action::TogglePause);
        assert_eq!(a.slo_evaluation_time(), a.conductor.end(a.now));
    }

    #[test]
    fn paused_the_plan_asks_for_the_shown_and_the_live_time_and_each_status_reads_its_own() {
        use crate::model::{Labels, Point, Series};
        use crate::source::SourceUpdate;
        use crate::source::prometheus::QueryResult;
        use crate::source::prometheus::poller::Want;
        let mut a = app();
        a.update(Action::Tick { wall: NOW + 7.0 });
        a.update(Action::ScrubBack);
        let (then, live) = (a.slo_evaluation_time(), a.live_slo_evaluation_time());
        assert!(then < live);
        let slo = a.config.slos[0].clone();
        let plan = a.fetch_plan();
        let instants: Vec<usize> = (a.config.slos.iter())
            .flat_map(|s| s.windows.iter().map(|(_, q)| *q).chain([s.period_query]))
            .collect();
        for q in instants {
            assert_eq!(plan[q], Want::Paired { at: then, live });
            // What the poller sends back: the paused point all bad, the live one all good.
            let series = vec![Series {
                labels: Labels::new(),
                points: vec![Point { t: then, v: 1.0 }, Point { t: live, v: 0.0 }],
            }];
            let result = Ok(QueryResult {
                series,
                warnings: Vec::new(),
            });
            a.update(Action::Source(SourceUpdate::MetricsFetched {
                query: q,
                fetched_at: a.now,
                result,
                replace: true,
            }));
        }
        // How far back each SLO's data reaches: far more than every window, at both times.
        for s in a.config.slos.clone() {
            assert_eq!(plan[s.data_query], Want::Paired { at: then, live });
            let series = vec![Series {
                labels: Labels::new(),
                points: vec![Point { t: then, v: 1e8 }, Point { t: live, v: 1e8 }],
            }];
            a.update(Action::Source(SourceUpdate::MetricsFetched {
                query: s.data_query,
                fetched_at: a.now,
                result: Ok(QueryResult {
                    series,
                    warnings: Vec::new(),
                }),
                replace: true,
            }));
        }
        assert_eq!(a.slo_status(&slo).alert, Alert::Page, "the time shown");
        assert_eq!(a.live_slo_status(&slo).alert, Alert::Ok, "now");
        let worst = a.live_alert().expect("SLOs");
        assert_eq!((worst.alert, worst.stale), (Alert::Ok, None));
    }
}
