//! Time series as the app keeps them: bounded, sorted buffers keyed by their label set.
//!
//! Memory is bounded by `cap` points per series whatever the session length; the oldest points go
//! first. Non-finite values (`NaN`, `±Inf`) are kept as gaps, never as zeros.

use std::collections::{BTreeMap, VecDeque};

/// Points more than this many steps apart (the step the data comes at) are not joined: the
/// data has a gap there. The strip charts and the exported charts draw gaps alike.
pub const GAP_STEPS: f64 = 2.5;

/// A series' label set, sorted by name (the way Prometheus sorts them).
pub type Labels = BTreeMap<String, String>;

/// One sample: Unix time in seconds and a value (`NaN` marks a gap).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Unix time, seconds.
    pub t: f64,
    /// The value; non-finite values are gaps.
    pub v: f64,
}

/// A parsed series as a source delivers it: labels and points sorted by time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    /// The series' labels, `__name__` included when the backend sends it.
    pub labels: Labels,
    /// Samples in ascending time order.
    pub points: Vec<Point>,
}

/// A bounded buffer of one series' points, sorted by time, contiguous after every merge so the
/// renderer can read it as one slice.
#[derive(Debug, Clone)]
pub struct SeriesBuf {
    cap: usize,
    points: VecDeque<Point>,
    /// The smallest positive gap seen between two consecutive samples (the scrape or query step).
    step: Option<f64>,
}

impl SeriesBuf {
    /// An empty buffer that keeps at most `cap` points (at least 2).
    #[must_use]
    pub fn new(cap: usize) -> Self {
        Self {
            cap: cap.max(2),
            points: VecDeque::new(),
            step: None,
        }
    }

    /// Merges points sorted by time: points newer than the last are appended, points at a time
    /// already held replace it (a re-fetched overlap), and points older than the buffer's first
    /// are dropped. The buffer is then trimmed to its cap and made contiguous. An empty buffer
    /// takes strictly increasing points as they are, in their own allocation: a replay's first
    /// answer (hours of points) is then held once, not copied while the answer is still alive.
    pub fn merge(&mut self, mut incoming: Vec<Point>) {
        if self.points.is_empty() && incoming.windows(2).all(|w| w[0].t < w[1].t) {
            for w in incoming.windows(2) {
                self.note_step(w[1].t - w[0].t);
            }
            // A parser's vector may have grown by doubling: its slack is not kept.
            if incoming.capacity() - incoming.len() > incoming.len() / 8 {
                incoming.shrink_to_fit();
            }
            self.points = VecDeque::from(incoming);
        } else {
            self.merge_each(&incoming);
        }
        let excess = self.points.len().saturating_sub(self.cap);
        self.points.drain(..excess);
        self.points.make_contiguous();
    }

    fn merge_each(&mut self, incoming: &[Point]) {
        // Grown by an eighth at a time rather than doubled: a long answer merged into a
        // buffer already holding points would otherwise leave it up to half empty.
        let room = self.points.capacity() - self.points.len();
        if incoming.len() > room {
            let more = incoming.len().max(self.points.len() / 8);
            self.points
                .reserve_exact(more.min(self.cap + incoming.len()));
        }
        for &p in incoming {
            match self.points.back() {
                None => self.points.push_back(p),
                Some(last) if p.t > last.t => {
                    self.note_step(p.t - last.t);
                    self.points.push_back(p);
                }
                Some(_) => self.replace_existing(p),
            }
        }
    }

    fn replace_existing(&mut self, p: Point) {
        let idx = self.points.partition_point(|q| q.t < p.t);
        if let Some(q) = self.points.get_mut(idx)
            && q.t.total_cmp(&p.t).is_eq()
        {
            q.v = p.v;
        }
    }

    fn note_step(&mut self, gap: f64) {
        if gap > 0.0 {
            self.step = Some(self.step.map_or(gap, |s| s.min(gap)));
        }
    }

    /// All points, oldest first.
    #[must_use]
    pub fn points(&self) -> &[Point] {
        self.points.as_slices().0
    }

    /// The smallest gap seen between samples, if two have been seen.
    #[must_use]
    pub fn step(&self) -> Option<f64> {
        self.step
    }

    /// The last finite sample at or before `t`.
    #[must_use]
    pub fn latest_at(&self, t: f64) -> Option<Point> {
        let pts = self.points();
        let end = pts.partition_point(|p| p.t <= t);
        pts[..end].iter().rev().find(|p| p.v.is_finite()).copied()
    }

    /// The points with `t` in `[from, to]`, plus one point either side when there is one, so a
    /// line can be drawn to the edges of the range.
    #[must_use]
    pub fn window(&self, from: f64, to: f64) -> &[Point] {
        let pts = self.points();
        let lo = pts.partition_point(|p| p.t < from).saturating_sub(1);
        let hi = (pts.partition_point(|p| p.t <= to) + 1).min(pts.len());
        &pts[lo..hi.max(lo)]
    }

    /// The time of the last sample held.
    #[must_use]
    pub fn last_time(&self) -> Option<f64> {
        self.points().last().map(|p| p.t)
    }
}

/// The series one query produced, each in its own bounded buffer, in label order.
#[derive(Debug, Clone)]
pub struct SeriesSet {
    cap: usize,
    series: Vec<(Labels, SeriesBuf)>,
}

impl SeriesSet {
    /// An empty set whose buffers each hold at most `cap` points.
    #[must_use]
    pub fn new(cap: usize) -> Self {
        Self {
            cap,
            series: Vec::new(),
        }
    }

    /// Merges a fetched result: each series into the buffer with the same labels (created when
    /// new, kept in label order). Series absent from this result keep their data.
    pub fn merge(&mut self, fetched: Vec<Series>) {
        for Series { labels, points } in fetched {
            let idx = match self.series.binary_search_by(|(l, _)| l.cmp(&labels)) {
                Ok(i) => i,
                Err(i) => {
                    self.series.insert(i, (labels, SeriesBuf::new(self.cap)));
                    i
                }
            };
            self.series[idx].1.merge(points);
        }
    }

    /// The series held, in label order.
    pub fn iter(&self) -> impl Iterator<Item = (&Labels, &SeriesBuf)> {
        self.series.iter().map(|(l, b)| (l, b))
    }

    /// How many series are held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.series.len()
    }

    /// Whether no series is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// The time of the newest sample in any series.
    #[must_use]
    pub fn last_time(&self) -> Option<f64> {
        self.series
            .iter()
            .filter_map(|(_, b)| b.last_time())
            .reduce(f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pts(v: &[(f64, f64)]) -> Vec<Point> {
        v.iter().map(|&(t, v)| Point { t, v }).collect()
    }

    #[test]
    fn merge_appends_replaces_overlap_and_keeps_order() {
        let mut b = SeriesBuf::new(100);
        b.merge(pts(&[(1.0, 1.0), (2.0, 2.0), (3.0, 3.0)]));
        b.merge(pts(&[(3.0, 30.0), (4.0, 4.0)]));
        assert_eq!(
            b.points(),
            pts(&[(1.0, 1.0), (2.0, 2.0), (3.0, 30.0), (4.0, 4.0)])
        );
        assert_eq!(b.step(), Some(1.0));
    }

    #[test]
    fn cap_bounds_memory_dropping_oldest() {
        let mut b = SeriesBuf::new(3);
        for i in 0..10 {
            b.merge(pts(&[(f64::from(i), f64::from(i))]));
        }
        assert_eq!(b.points(), pts(&[(7.0, 7.0), (8.0, 8.0), (9.0, 9.0)]));
    }

    #[test]
    fn a_large_answer_is_held_without_doubling_and_later_points_grow_it_by_an_eighth() {
        let mut b = SeriesBuf::new(20_000);
        let many: Vec<Point> = (0..1_100)
            .map(|i| Point {
                t: f64::from(i),
                v: 1.0,
            })
            .collect();
        b.merge(many);
        assert_eq!(b.points.capacity(), 1_100, "exactly the answer");
        for i in 1_100..1_200 {
            b.merge(vec![Point {
                t: f64::from(i),
                v: 1.0,
            }]);
        }
        assert_eq!(b.points().len(), 1_200);
        assert!(
            b.points.capacity() <= 1_200 + 1_200 / 8,
            "{}",
            b.points.capacity()
        );
    }

    #[test]
    fn a_first_answer_is_held_in_its_own_allocation_and_an_unordered_one_is_merged() {
        let first = pts(&[(1.0, 1.0), (3.0, 3.0), (4.0, 4.0)]);
        let at = first.as_ptr();
        let mut b = SeriesBuf::new(100);
        b.merge(first);
        assert!(std::ptr::eq(b.points().as_ptr(), at), "not copied");
        assert_eq!(b.step(), Some(1.0));
        let mut b = SeriesBuf::new(100);
        b.merge(pts(&[(1.0, 1.0), (1.0, 5.0), (2.0, 2.0)]));
        assert_eq!(
            b.points(),
            pts(&[(1.0, 5.0), (2.0, 2.0)]),
            "a repeat replaces"
        );
        let mut b = SeriesBuf::new(2);
        b.merge(pts(&[(1.0, 1.0), (2.0, 2.0), (3.0, 3.0)]));
        assert_eq!(b.points(), pts(&[(2.0, 2.0), (3.0, 3.0)]), "still capped");
        let mut roomy = Vec::with_capacity(400);
        roomy.extend(pts(&[(1.0, 1.0), (2.0, 2.0), (3.0, 3.0)]));
        let mut b = SeriesBuf::new(100);
        b.merge(roomy);
        assert_eq!(b.points.capacity(), 3, "a parser's slack is not kept");
    }

    #[test]
    fn latest_at_skips_gaps_and_future_points() {
        let mut b = SeriesBuf::new(10);
        b.merge(pts(&[(1.0, 1.0), (2.0, f64::NAN), (3.0, 3.0)]));
        assert_eq!(b.latest_at(2.5), Some(Point { t: 1.0, v: 1.0 }));
        assert_eq!(b.latest_at(3.0), Some(Point { t: 3.0, v: 3.0 }));
        assert_eq!(b.latest_at(0.5), None);
    }

    #[test]
    fn window_includes_one_neighbour_each_side() {
        let mut b = SeriesBuf::new(10);
        b.merge(pts(&[
            (1.0, 1.0),
            (2.0, 2.0),
            (3.0, 3.0),
            (4.0, 4.0),
            (5.0, 5.0),
        ]));
        let w = b.window(2.5, 3.5);
        assert_eq!(w, pts(&[(2.0, 2.0), (3.0, 3.0), (4.0, 4.0)]));
        assert!(b.window(10.0, 20.0).len() <= 1);
    }

    #[test]
    fn set_keeps_label_order_and_merges_by_labels() {
        let mut set = SeriesSet::new(10);
        let mk = |w: &str, t: f64| Series {
            labels: Labels::from([("wheel".to_owned(), w.to_owned())]),
            points: pts(&[(t, t)]),
        };
        set.merge(vec![mk("RF", 1.0), mk("LF", 1.0)]);
        set.merge(vec![mk("LF", 2.0)]);
        let names: Vec<_> = set
            .iter()
            .map(|(l, b)| (l["wheel"].clone(), b.points().len()))
            .collect();
        assert_eq!(names, vec![("LF".to_owned(), 2), ("RF".to_owned(), 1)]);
        assert_eq!(set.last_time(), Some(2.0));
    }
}
