//! Live polling: one task per query, so a slow or failing query never holds up another, and
//! never two requests in flight for the same query (each task waits for its answer). What each
//! query should fetch — a range at a step that gives about one point per chart column, or an
//! instant value — comes from the app as a [`Plan`] on a watch channel.
//!
//! After a full fetch of the window, a following chart asks only for the tail since its last
//! point, plus one step of overlap to absorb late samples, and asks only once a new point is
//! due: Prometheus evaluates a range on its step's grid, so until the next grid time passes a
//! request could only fetch again the points held (a 5-minute chart 44 columns wide has a 7 s
//! step: six of seven polls at 1 s were that). The timer, the backoff after a failure and
//! cancellation are [`runner`]'s.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::{Encoding, PrometheusClient};
use crate::source::SourceUpdate;
use crate::source::runner::{self, Job, Turn};

/// Prometheus refuses range queries of more than 11,000 points per series.
pub const MAX_POINTS_PER_QUERY: f64 = 11_000.0;

/// What the view needs from one query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Want {
    /// Nothing (the query is not on screen).
    Nothing,
    /// A range of `window` seconds at `step`, ending now, or at `paused_end` when paused.
    Range {
        /// Window length, seconds.
        window: f64,
        /// Seconds between points.
        step: f64,
        /// The fixed window end while paused.
        paused_end: Option<f64>,
    },
    /// The value at `at`, or now.
    Instant {
        /// Evaluation time while paused.
        at: Option<f64>,
    },
    /// The values at `at` (the paused screen's time) and at `live` (now's evaluation), in one
    /// answer holding both points: an SLO's alert now stays known while the screen is paused.
    Paired {
        /// The paused evaluation time.
        at: f64,
        /// The live evaluation time.
        live: f64,
    },
}

/// What every query should fetch, indexed by `QueryId`.
pub type Plan = Arc<Vec<Want>>;

/// The step for a range of `window` seconds drawn `columns` wide: about one point per column,
/// in whole seconds, and never more than Prometheus' 11,000 points.
#[must_use]
pub fn step_for(window: f64, columns: u16) -> f64 {
    let per_column = window / f64::from(columns.max(1));
    per_column
        .max(window / MAX_POINTS_PER_QUERY)
        .max(1.0)
        .ceil()
}

/// What a query's buffer holds after a successful fetch.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Covered {
    want: Want,
    /// Time of the newest sample received (or the requested end, if none came).
    last: f64,
    /// Wall time it was asked for.
    asked: f64,
}

/// The longest a following chart goes unasked while no new point of it is due (a 7-day window
/// 44 columns wide has a step of nearly four hours): its source is still heard from once a
/// minute, and its age reads no more than that while the source answers.
pub const MAX_QUIET: f64 = 60.0;

/// The request one poll makes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Request {
    None,
    /// A following range whose next grid time has not come: nothing new to ask yet.
    NotDue,
    Range {
        start: f64,
        end: f64,
        step: f64,
        replace: bool,
    },
    Instant {
        at: Option<f64>,
        replace: bool,
    },
    Paired {
        at: f64,
        live: f64,
    },
}

/// What to ask for, given what is wanted and what is held, at wall time `now`.
fn decide(want: Want, covered: Option<Covered>, now: f64) -> Request {
    match want {
        Want::Nothing => Request::None,
        Want::Range {
            window,
            step,
            paused_end,
        } => {
            let end = paused_end.unwrap_or(now);
            let start = ((end - window) / step).floor() * step;
            match covered {
                Some(c) if c.want == want && paused_end.is_some() => Request::None,
                // Prometheus' newest evaluation would be at the last grid time at or before
                // `end`; at or before the newest point held (within float error), it is held.
                Some(c)
                    if c.want == want
                        && (end / step).floor() * step <= c.last + 1e-6
                        && now - c.asked < MAX_QUIET =>
                {
                    Request::NotDue
                }
                Some(c) if c.want == want => {
                    let tail = ((c.last - step) / step).floor() * step;
                    Request::Range {
                        start: tail.max(start),
                        end,
                        step,
                        replace: false,
                    }
                }
                _ => Request::Range {
                    start,
                    end,
                    step,
                    replace: true,
                },
            }
        }
        Want::Instant { at } => match covered {
            Some(c) if c.want == want && at.is_some() => Request::None,
            _ => Request::Instant {
                at,
                replace: at.is_some(),
            },
        },
        Want::Paired { at, live } => match covered {
            Some(c) if c.want == want => Request::None,
            _ => Request::Paired { at, live },
        },
    }
}

/// Two instant answers as one: each series' points from both, in time order, one per time.
fn pair(a: super::QueryResult, b: super::QueryResult) -> super::QueryResult {
    let mut series = a.series;
    for s in b.series {
        match series.iter_mut().find(|x| x.labels == s.labels) {
            Some(x) => x.points.extend(s.points),
            None => series.push(s),
        }
    }
    for s in &mut series {
        s.points.sort_by(|p, q| p.t.total_cmp(&q.t));
        s.points.dedup_by(|p, q| p.t.total_cmp(&q.t).is_eq());
    }
    let mut warnings = a.warnings;
    warnings.extend(
        b.warnings
            .into_iter()
            .filter(|w| !warnings.contains(w))
            .collect::<Vec<_>>(),
    );
    super::QueryResult { series, warnings }
}

/// Starts one polling task per query; they stop when `cancel` fires or the receiver is gone.
pub fn spawn(
    client: &PrometheusClient,
    queries: &[String],
    plan: &watch::Receiver<Plan>,
    interval: Duration,
    tx: &mpsc::Sender<SourceUpdate>,
    cancel: &CancellationToken,
) {
    for (query, promql) in queries.iter().enumerate() {
        let job = QueryJob {
            client: client.clone(),
            query,
            promql: promql.clone(),
            runtime: None,
            plan: plan.clone(),
            covered: None,
            used: None,
            last_len: None,
        };
        tokio::spawn(runner::run(job, interval, tx.clone(), cancel.clone()));
    }
}

/// Starts the task of the runtime query slot `query` (`App::chart_slot`): as a configured
/// query's, but its `PromQL` is whatever `promql` holds now; a new one is fetched whole at
/// once, and with `None` nothing is fetched.
pub fn spawn_slot(
    client: &PrometheusClient,
    query: usize,
    promql: watch::Receiver<Option<String>>,
    plan: &watch::Receiver<Plan>,
    interval: Duration,
    tx: &mpsc::Sender<SourceUpdate>,
    cancel: &CancellationToken,
) {
    let job = QueryJob {
        client: client.clone(),
        query,
        promql: String::new(),
        runtime: Some(promql),
        plan: plan.clone(),
        covered: None,
        used: None,
        last_len: None,
    };
    tokio::spawn(runner::run(job, interval, tx.clone(), cancel.clone()));
}

/// One query's polling: what it wants from the plan, and what it already holds.
struct QueryJob {
    client: PrometheusClient,
    query: usize,
    promql: String,
    /// The runtime slot's `PromQL`, set while running; `None` for a configured query.
    runtime: Option<watch::Receiver<Option<String>>>,
    plan: watch::Receiver<Plan>,
    covered: Option<Covered>,
    /// The want of the last turn: a plan change that leaves it alone is another query's.
    used: Option<Want>,
    /// The length of the last range answer, plain: a tail after a small one is asked for
    /// plain ([`Encoding::Plain`]).
    last_len: Option<usize>,
}

/// A tail whose last answer was shorter than this is asked for without gzip: a few series'
/// few points, where the gzip stream costs more than the bytes it saves.
const PLAIN_BELOW: usize = 16 * 1024;

impl Job for QueryJob {
    type Wake = ();

    async fn woken(&mut self) -> Option<()> {
        match &mut self.runtime {
            None => self.plan.changed().await.ok(),
            Some(promql) => tokio::select! {
                changed = self.plan.changed() => changed.ok(),
                changed = promql.changed() => changed.ok(),
            },
        }
    }

    async fn turn(&mut self, wake: Option<()>) -> Turn {
        if let Some(runtime) = &mut self.runtime {
            let now = runtime.borrow_and_update().clone().unwrap_or_default();
            if now != self.promql {
                // Another query: what is held is not its, and the turn must fetch.
                (self.promql, self.covered, self.used) = (now, None, None);
            }
            if self.promql.is_empty() {
                return Turn::Idle;
            }
        }
        let want = self
            .plan
            .borrow_and_update()
            .get(self.query)
            .copied()
            .unwrap_or(Want::Nothing);
        if wake.is_some() && self.used == Some(want) {
            return Turn::Unchanged; // another query's plan changed
        }
        self.used = Some(want);
        let now = crate::wall_now();
        let request = decide(want, self.covered, now);
        if request == Request::NotDue {
            return Turn::NotDue;
        }
        let Some((result, replace)) = self.fetch(request).await else {
            return Turn::Idle;
        };
        if let Ok(r) = &result {
            let newest = r
                .series
                .iter()
                .filter_map(|s| s.points.last())
                .map(|p| p.t)
                .reduce(f64::max);
            let last = newest.or(self.covered.map(|c| c.last)).unwrap_or(now);
            self.covered = Some(Covered {
                want,
                last,
                asked: now,
            });
        }
        Turn::Polled(SourceUpdate::MetricsFetched {
            query: self.query,
            fetched_at: now,
            result,
            replace,
        })
    }
}

impl QueryJob {
    async fn fetch(
        &mut self,
        request: Request,
    ) -> Option<(Result<super::QueryResult, crate::source::SourceError>, bool)> {
        let (result, replace) = match request {
            Request::None | Request::NotDue => return None,
            Request::Range {
                start,
                end,
                step,
                replace,
            } => {
                let small = self.last_len.is_some_and(|n| n < PLAIN_BELOW);
                let encoding = if small && !replace {
                    Encoding::Plain
                } else {
                    Encoding::Gzip
                };
                let fetched = self
                    .client
                    .query_range_as(&self.promql, (start, end, step), encoding)
                    .await;
                self.last_len = fetched.as_ref().ok().map(|f| f.body.len());
                (fetched, replace)
            }
            Request::Instant { at, replace } => {
                (self.client.query(&self.promql, at).await, replace)
            }
            Request::Paired { at, live } => {
                let result = match self.client.query(&self.promql, Some(at)).await {
                    Ok(then) => (self.client.query(&self.promql, Some(live)).await)
                        .map(|now| pair(then.result, now.result)),
                    Err(e) => Err(e),
                };
                return Some((result, true));
            }
        };
        Some((result.map(|f| f.result), replace))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: Want = Want::Range {
        window: 900.0,
        step: 15.0,
        paused_end: None,
    };

    #[test]
    fn steps_give_a_point_per_column_within_prometheus_limit() {
        assert_eq!(step_for(900.0, 60), 15.0);
        assert_eq!(step_for(900.0, 7), 129.0);
        assert_eq!(step_for(60.0, 200), 1.0, "never below a second");
        assert!(604_800.0 / step_for(604_800.0, 10_000) <= MAX_POINTS_PER_QUERY);
    }

    #[test]
    fn first_a_full_aligned_window_then_only_the_tail() {
        let now = 10_007.0;
        assert_eq!(
            decide(W, None, now),
            Request::Range {
                start: 9_105.0,
                end: now,
                step: 15.0,
                replace: true
            }
        );
        let held = Some(Covered {
            want: W,
            last: 10_005.0,
            asked: 0.0,
        });
        assert_eq!(
            decide(W, held, now + 15.0),
            Request::Range {
                start: 9_990.0,
                end: now + 15.0,
                step: 15.0,
                replace: false
            },
            "one step of overlap before the last point, on the same grid"
        );
    }

    #[test]
    fn a_following_chart_asks_again_only_once_its_next_grid_time_has_come() {
        // Holding the point at 10,005 (the grid is 15 s): 10,020 is the next one.
        let held = Some(Covered {
            want: W,
            last: 10_005.0,
            asked: 10_005.2,
        });
        for now in [10_005.0, 10_006.0, 10_019.9] {
            assert_eq!(decide(W, held, now), Request::NotDue, "at {now}");
        }
        assert_eq!(
            decide(W, held, 10_020.0),
            Request::Range {
                start: 9_990.0,
                end: 10_020.0,
                step: 15.0,
                replace: false
            },
            "due: the tail from a step before the last point held"
        );
        // A step longer than a minute: asked again a minute after the last ask all the same.
        let week = Want::Range {
            window: 604_800.0,
            step: 13_745.0,
            paused_end: None,
        };
        let held_week = Some(Covered {
            want: week,
            last: 13_745.0 * 100.0,
            asked: 13_745.0 * 100.0 + 1.0,
        });
        let then = 13_745.0 * 100.0 + 1.0;
        assert_eq!(decide(week, held_week, then + 59.0), Request::NotDue);
        assert!(matches!(
            decide(week, held_week, then + MAX_QUIET),
            Request::Range { replace: false, .. }
        ));
        // A series that stopped (its last point older than the last grid time) is asked every
        // turn, as is a window whose answer held no point (last = the end asked).
        let behind = Some(Covered {
            want: W,
            last: 9_975.0,
            asked: 0.0,
        });
        assert!(matches!(
            decide(W, behind, 10_006.0),
            Request::Range { replace: false, .. }
        ));
    }

    #[test]
    fn a_new_window_or_step_refetches_whole_and_a_paused_window_once() {
        let held = Some(Covered {
            want: W,
            last: 100.0,
            asked: 0.0,
        });
        let wider = Want::Range {
            window: 3_600.0,
            step: 60.0,
            paused_end: None,
        };
        assert!(matches!(
            decide(wider, held, 200.0),
            Request::Range { replace: true, .. }
        ));
        let paused = Want::Range {
            window: 900.0,
            step: 15.0,
            paused_end: Some(150.0),
        };
        assert!(matches!(
            decide(paused, held, 200.0),
            Request::Range {
                end: 150.0,
                replace: true,
                ..
            }
        ));
        let held_paused = Some(Covered {
            want: paused,
            last: 150.0,
            asked: 0.0,
        });
        assert_eq!(decide(paused, held_paused, 300.0), Request::None);
    }

    #[test]
    fn instants_follow_now_or_fetch_a_paused_moment_once() {
        let now = Want::Instant { at: None };
        assert_eq!(
            decide(
                now,
                Some(Covered {
                    want: now,
                    last: 1.0,
                    asked: 0.0,
                }),
                5.0
            ),
            Request::Instant {
                at: None,
                replace: false
            }
        );
        let then = Want::Instant { at: Some(3.0) };
        assert_eq!(
            decide(then, None, 5.0),
            Request::Instant {
                at: Some(3.0),
                replace: true
            }
        );
        assert_eq!(
            decide(
                then,
                Some(Covered {
                    want: then,
                    last: 3.0,
                    asked: 0.0,
                }),
                5.0
            ),
            Request::None
        );
    }

    #[test]
    fn a_paired_answer_holds_the_paused_and_the_live_point_of_each_series() {
        use crate::model::series::{Point, Series};
        let one = |t: f64, v: f64| super::super::QueryResult {
            series: vec![Series {
                labels: crate::model::Labels::new(),
                points: vec![Point { t, v }],
            }],
            warnings: vec!["w".into()],
        };
        let both = pair(one(30.0, 0.5), one(10.0, 0.1));
        let points: Vec<(f64, f64)> = both.series[0].points.iter().map(|p| (p.t, p.v)).collect();
        assert_eq!(points, [(10.0, 0.1), (30.0, 0.5)]);
        assert_eq!(both.warnings, ["w"]);
        let want = Want::Paired { at: 3.0, live: 9.0 };
        assert_eq!(
            decide(want, None, 10.0),
            Request::Paired { at: 3.0, live: 9.0 }
        );
        let held = Some(Covered {
            want,
            last: 9.0,
            asked: 0.0,
        });
        assert_eq!(
            decide(want, held, 11.0),
            Request::None,
            "until either time moves"
        );
    }
}
