//! Data arriving: each source update applied to the model — points merged or a failure kept
//! beside the last good data, events appended, a trace list replaced, a fetched trace opened.

use crate::model::SeriesSet;
use crate::source::{Reason, SourceUpdate};

use super::{App, Failure};

impl App {
    /// Whether `query` is the runtime slot while no chart is open to show it.
    fn closed_chart(&self, query: usize) -> bool {
        query == self.chart_slot()
            && !self
                .views
                .iter()
                .any(|v| matches!(v, super::View::AlertChart(_)))
    }

    pub(super) fn apply_source(&mut self, update: SourceUpdate) {
        match update {
            // The runtime slot's answer for a chart already closed.
            SourceUpdate::MetricsFetched { query, .. } if self.closed_chart(query) => {}
            SourceUpdate::MetricsFetched {
                query,
                fetched_at,
                result,
                replace,
            } => {
                let cap = self.config.max_points;
                let Some(state) = self.queries.get_mut(query) else {
                    return;
                };
                match result {
                    Ok(r) => {
                        if replace {
                            state.set = SeriesSet::new(cap);
                        }
                        state.set.merge(r.series);
                        state.last_ok = Some(fetched_at);
                        state.error = None;
                        state.warnings = r.warnings;
                    }
                    Err(e) => {
                        state.error = Some(Failure {
                            at: fetched_at,
                            query_only: e.is_query_only(),
                            reason: Reason::Failed(e),
                        });
                    }
                }
            }
            SourceUpdate::EventsFetched {
                fetched_at,
                result,
                replace,
            } => match result {
                Ok(batch) => {
                    if replace {
                        self.events.log.clear();
                        self.events.selected = 0;
                        self.events.unseen = 0;
                    }
                    self.events.arrive(batch.events);
                    // A fetch up to an end has no lower bound; a replay's first answer holds
                    // the whole recording so far; a live tail's, the configured window.
                    let from = if self.events.asked.is_some() || self.replay.is_some() {
                        f64::NEG_INFINITY
                    } else {
                        fetched_at - self.config.window
                    };
                    let cap = self
                        .config
                        .opensearch
                        .as_ref()
                        .map_or(crate::config::DEFAULT_MAX_EVENTS, |o| o.max_events);
                    self.events.note_held(replace, from, cap);
                    self.events.last_ok = Some(fetched_at);
                    self.events.error = None;
                    self.events.warnings = batch.warnings;
                }
                Err(e) => {
                    self.events.error = Some(Failure {
                        at: fetched_at,
                        query_only: e.is_query_only(),
                        reason: Reason::Failed(e),
                    });
                }
            },
            SourceUpdate::TracesFetched { fetched_at, result } => {
                self.traces.searching = false;
                match result {
                    Ok(list) => {
                        self.traces.arrive(list);
                        self.renew_open_traces();
                        self.traces.last_ok = Some(fetched_at);
                        self.traces.error = None;
                    }
                    Err(e) => {
                        self.traces.error = Some(Failure {
                            at: fetched_at,
                            query_only: e.is_query_only(),
                            reason: Reason::Failed(e),
                        });
                    }
                }
            }
            SourceUpdate::TraceFetched { trace_id, result } => {
                self.trace_arrived(&trace_id, result);
            }
            SourceUpdate::FaultsFetched { fetched_at, result } => {
                self.faults_fetched(fetched_at, result);
            }
            SourceUpdate::SilenceWritten { write, result } => self.silence_written(&write, result),
            SourceUpdate::NoteWritten { entry, result } => self.note_written(*entry, result),
            SourceUpdate::ReplayFinished => {
                if let Some(r) = &mut self.replay {
                    r.finished = true;
                }
            }
            SourceUpdate::Exported { pane, result } => self.exported(&pane, &result),
            SourceUpdate::WhyAnalysed { request, result } => self.why_analysed(*request, result),
        }
    }
}
