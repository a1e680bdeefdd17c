//! One query of a replay: its recorded series, what is still to be released of each (held
//! on its grid, `held.rs`), and what was read up to the replay's start, handed on by the
//! first release.

use super::held::Held;
use crate::model::{Point, Series};
use crate::source::SourceUpdate;
use crate::source::prometheus::QueryResult;

/// One query's recorded series, parsed, with how much of each has been delivered.
#[derive(Debug)]
pub(super) struct Track {
    pub(super) query: usize,
    /// The `PromQL` it answers, trimmed.
    pub(super) promql: String,
    /// What is still to be released, for the whole replay: on its grid a series keeps only
    /// its values.
    pub(super) series: Vec<Held>,
    /// Each series' points up to the display time it was loaded at, shifted, until a release
    /// hands them on (by value: the app's buffer adopts them). What has been sent is not
    /// kept: a retime, the runtime slot and Why read it again from the recording, so the
    /// sol's hours before the replay's start are held once, by the app, not twice.
    pub(super) head: Vec<Vec<Point>>,
    pub(super) warnings: Vec<String>,
    pub(super) sent: Vec<usize>,
}

impl Track {
    /// `r` with every time moved by each of `shifts` in turn; the points up to display time
    /// `split` go to the head, the rest are held.
    pub(super) fn new(
        query: usize,
        promql: &str,
        r: QueryResult,
        shifts: &[f64],
        split: f64,
    ) -> Self {
        let QueryResult { series, warnings } = r;
        let shifted = |t: f64| shifts.iter().fold(t, |t, d| t + d);
        let (head, series): (Vec<Vec<Point>>, Vec<Held>) = series
            .into_iter()
            .map(|s| {
                let Series { labels, mut points } = s;
                let tail = match points.partition_point(|p| shifted(p.t) <= split) {
                    0 => std::mem::take(&mut points),
                    at => points.split_off(at),
                };
                for p in &mut points {
                    p.t = shifted(p.t);
                }
                points.shrink_to_fit();
                let mut held = Held::new(Series {
                    labels,
                    points: tail,
                });
                for &d in shifts {
                    held.shift(d);
                }
                (points, held)
            })
            .unzip();
        Self {
            query,
            promql: promql.trim().to_owned(),
            sent: vec![0; series.len()],
            head,
            series,
            warnings,
        }
    }

    /// The points display time `now` has reached since the last call.
    pub(super) fn release(&mut self, now: f64) -> SourceUpdate {
        let series = self
            .series
            .iter()
            .zip(&mut self.head)
            .zip(&mut self.sent)
            .map(|((s, head), sent)| {
                let upto = s.upto(now).max(*sent);
                let held = s.points(*sent, upto);
                *sent = upto;
                // The head up to `now` (all of it, unless display time went back), then
                // what the held slots add, in one allocation.
                let later = head.split_off(head.partition_point(|p| p.t <= now));
                let mut fresh = std::mem::replace(head, later);
                if fresh.is_empty() {
                    fresh = held;
                } else if !held.is_empty() {
                    fresh.reserve_exact(held.len());
                    fresh.extend(held);
                }
                Series {
                    labels: s.labels.clone(),
                    points: fresh,
                }
            })
            .collect();
        SourceUpdate::MetricsFetched {
            query: self.query,
            fetched_at: now,
            result: Ok(QueryResult {
                series,
                warnings: self.warnings.clone(),
            }),
            replace: false,
        }
    }

    /// Moves every time `delta` seconds, when the recording cannot be read again: what was
    /// sent is gone, so only what is still held is sent again.
    pub(super) fn retime(&mut self, delta: f64) {
        for s in &mut self.series {
            s.shift(delta);
        }
        for p in self.head.iter_mut().flatten() {
            p.t += delta;
        }
        self.sent.fill(0);
    }
}
