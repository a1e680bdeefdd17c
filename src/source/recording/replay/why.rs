//! A replay's answer to a Why request: the recorded traces, events and series of the window
//! and its baseline, as display time `now` has reached them — what the live sources would
//! have answered at that moment (`so_far`'s traces, released events and points), in display
//! time (the recording's times already carry the replay's shift).

use std::sync::Arc;

use super::{Replay, Track, so_far};
use crate::model::why::{Input, NamedSeries, Window};
use crate::model::{Point, traces::newest_first};
use crate::source::why::{Request, budget_of_ratio};
use crate::text::one_line;

impl Replay {
    /// What `request` needs, from the recording as display time `now` has reached it.
    #[must_use]
    pub fn why_input(&self, request: &Request, now: f64) -> Input {
        let mut missing = Vec::new();
        let window = request.window;
        let baseline = request.baseline;
        let traces = self.why_traces(request, now, &mut missing);
        let (events, baseline_events) = if let Some((events, _)) = &self.events {
            (
                in_window(events, window, now),
                in_window(events, baseline, now),
            )
        } else {
            missing.push("events: none recorded".to_owned());
            (Vec::new(), Vec::new())
        };
        let span = Window {
            from: baseline.from.min(window.from),
            to: baseline.to.max(window.to),
        };
        // What was sent is not held (`Track::head`): each query's series are read again, one
        // query at a time.
        let series = self
            .tracks
            .iter()
            .flat_map(|t| {
                let Some(all) = self.reread(t.query, &t.promql) else {
                    missing.push(format!(
                        "series: {} could not be read again",
                        one_line(&t.promql, 60)
                    ));
                    return Vec::new();
                };
                self.named(&all, span, now)
            })
            .collect();
        let budget = request.slo.as_deref().and_then(|name| {
            let Some(slo) = self.dashboard.slo(name) else {
                missing.push(format!("budget: no SLO named {}", one_line(name, 60)));
                return None;
            };
            let promql = slo.sli.error_ratio(window.len());
            let promql = promql.trim();
            // Read from the recording, as the runtime slot reads it.
            let ratio = self.reread(self.slot_id, promql).and_then(|t| {
                t.series
                    .first()
                    .and_then(|s| latest(&s.all(), window.to.min(now)))
            });
            if ratio.is_none() {
                missing.push(format!(
                    "budget: the recording holds no error ratio of {} over {}",
                    one_line(name, 60),
                    crate::config::prom_duration(window.len())
                ));
            }
            ratio.map(|r| budget_of_ratio(slo, r))
        });
        Input {
            window,
            baseline,
            traces,
            rule: request.rule,
            events,
            baseline_events,
            series,
            budget,
            missing,
        }
    }

    /// The window's traces of the request's service as Jaeger would list them at `now`,
    /// newest first, at most the request's limit (how many more there were said in
    /// `missing`).
    fn why_traces(
        &self,
        request: &Request,
        now: f64,
        missing: &mut Vec<String>,
    ) -> Vec<Arc<crate::model::span::Trace>> {
        let Some(recorded) = &self.traces else {
            missing.push("traces: none recorded".to_owned());
            return Vec::new();
        };
        let of_service = |t: &crate::model::span::Trace| {
            request
                .service
                .as_deref()
                .is_none_or(|want| t.spans.iter().any(|s| s.service.as_deref() == Some(want)))
        };
        let mut list: Vec<_> = recorded
            .iter()
            .filter(|l| request.window.contains(l.summary.start))
            .filter_map(|l| so_far(l, now))
            .filter(|l| of_service(&l.trace))
            .collect();
        let found = list.len();
        newest_first(&mut list, request.trace_limit);
        let list: Vec<_> = list.into_iter().map(std::borrow::Cow::into_owned).collect();
        if found > list.len() {
            missing.push(format!(
                "traces: {} older traces of the window left out (the limit is {})",
                found - list.len(),
                request.trace_limit
            ));
        }
        list.into_iter().map(|l| l.trace).collect()
    }

    /// `track`'s series over `span` as released by `now`, named as the dashboard names them;
    /// none when no pane shows the query.
    fn named(&self, track: &Track, span: Window, now: f64) -> Vec<NamedSeries> {
        track
            .series
            .iter()
            .filter_map(|s| {
                let name = self.dashboard.name(track.query, &s.labels)?;
                let from = s.upto(span.from).saturating_sub(1);
                let points: Vec<Point> = s
                    .points(from, s.upto(span.to.min(now)))
                    .into_iter()
                    .filter(|p| span.contains(p.t) && p.t <= now)
                    .collect();
                Some(NamedSeries {
                    name,
                    labels: s.labels.clone(),
                    points,
                })
            })
            .collect()
    }
}

/// The events of `w` that `now` has reached, oldest first (events without a time are in no
/// window).
fn in_window(
    events: &[crate::model::event::Event],
    w: Window,
    now: f64,
) -> Vec<crate::model::event::Event> {
    let from = events.partition_point(|e| e.t.is_none_or(|t| t < w.from));
    events[from..]
        .iter()
        .take_while(|e| e.t.is_some_and(|t| t < w.to && t <= now))
        .cloned()
        .collect()
}

/// The value of the latest finite point at or before `t`.
fn latest(points: &[Point], t: f64) -> Option<f64> {
    let upto = points.partition_point(|p| p.t <= t);
    points[..upto]
        .iter()
        .rev()
        .map(|p| p.v)
        .find(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::super::ReplayClock;
    use super::*;
    use crate::source::recording::Recording;

    /// The bundled recording replayed shifted so it starts at display time 0, and the time
    /// its replay opens at.
    fn bundled() -> (Replay, crate::config::Config, f64) {
        let rec = Recording::bundled().expect("bundled");
        let config = rec.config().expect("config");
        let clock = ReplayClock {
            wall_origin: 0.0,
            rec_origin: rec.manifest.started,
            speed: 1.0,
            original: false,
        };
        let (replay, _) = Replay::new(&rec, &config, clock);
        (replay, config, rec.manifest.replay_from)
    }

    #[test]
    fn the_pages_window_holds_its_traces_events_series_and_budget() {
        let (replay, config, start) = bundled();
        let slo = config
            .slos
            .iter()
            .find(|s| s.name == "mobility commands")
            .expect("the demo's SLO");
        let request = Request::for_slo(slo, start);
        let input = replay.why_input(&request, start);
        assert!(input.missing.is_empty(), "{:?}", input.missing);
        assert!(!input.traces.is_empty());
        for t in &input.traces {
            assert!(
                t.spans
                    .iter()
                    .any(|s| s.service.as_deref() == Some("mobility"))
            );
            assert!(t.spans.iter().all(|s| s.start + s.duration <= start));
        }
        assert!(
            input
                .events
                .iter()
                .chain(&input.baseline_events)
                .all(|e| e.t.is_some_and(|t| t < request.window.to))
        );
        assert!(
            input
                .events
                .iter()
                .all(|e| e.t.is_some_and(|t| request.window.contains(t)))
        );
        assert!(
            input
                .baseline_events
                .iter()
                .all(|e| e.t.is_some_and(|t| request.baseline.contains(t)))
        );
        let names: Vec<&str> = input.series.iter().map(|s| s.name.as_str()).collect();
        assert!(names.contains(&"motor LM"), "{names:?}");
        assert!(names.contains(&"battery"), "{names:?}");
        assert!(
            !names.iter().any(|n| n.contains("rate(")),
            "the SLOs' own queries are not movers: {names:?}"
        );
        for s in &input.series {
            assert!(
                s.points
                    .iter()
                    .all(|p| p.t >= request.baseline.from && p.t < request.window.to),
                "{}",
                s.name
            );
        }
        let budget = input.budget.expect("the recorded 1 h error ratio");
        assert!((budget.objective - 0.995).abs() < 1e-12);
        assert!(budget.good <= budget.total);
    }

    #[test]
    fn the_limit_keeps_the_newest_and_says_how_many_were_left_out() {
        let (replay, _, start) = bundled();
        let mut request = Request::for_window(
            "the window",
            Window {
                from: start - 6.0 * 3600.0,
                to: start,
            },
        );
        let all = replay.why_input(&request, start).traces;
        assert!(all.len() > 3, "{}", all.len());
        request.trace_limit = 3;
        let input = replay.why_input(&request, start);
        assert_eq!(input.traces.len(), 3);
        let ids = |v: &[Arc<crate::model::span::Trace>]| {
            v.iter().map(|t| t.trace_id.clone()).collect::<Vec<_>>()
        };
        assert_eq!(ids(&input.traces), ids(&all[..3]), "the newest");
        assert!(
            input
                .missing
                .iter()
                .any(|m| m.contains(&format!("{} older traces", all.len() - 3))),
            "{:?}",
            input.missing
        );
    }

    #[test]
    fn nothing_past_now_and_an_unknown_slo_is_missing() {
        let (replay, _, start) = bundled();
        let mut request = Request::for_window(
            "later",
            Window {
                from: start,
                to: start + 3600.0,
            },
        );
        request.slo = Some("no such\u{1b}[2J".into());
        let input = replay.why_input(&request, start);
        // Only what has happened by now: an event stamped at the very start has.
        assert!(input.traces.is_empty());
        assert!(
            input.events.iter().all(|e| e.t == Some(start)),
            "{:?}",
            input.events.iter().map(|e| e.t).collect::<Vec<_>>()
        );
        let later = replay.why_input(&request, start + 3600.0);
        assert!(later.events.len() > input.events.len() && !later.traces.is_empty());
        assert!(
            input
                .series
                .iter()
                .flat_map(|s| &s.points)
                .all(|p| p.t <= start)
        );
        assert_eq!(input.budget, None);
        assert!(
            input
                .missing
                .iter()
                .any(|m| m.starts_with("budget: no SLO named") && !m.contains('\u{1b}')),
            "{:?}",
            input.missing
        );
    }
}
