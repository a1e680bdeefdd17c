//! What a replay holds of one recorded series: the part it has still to release (what it
//! released is read again from the recording when wanted, `Track`). A recording's
//! `query_range` answers sit on their step (a regular grid from the first point, with gaps
//! where the recording has none), so a series on its grid keeps only its values: half the
//! memory of time-and-value points (the bundled sol's 126,000 points, 2.0 → 1.0 MB). A series
//! off any grid keeps its points. Times come back bit for bit as the points had them: the
//! grid's time plus each shift in the order it was applied, as the points would have been
//! shifted one by one.

use crate::model::series::Labels;
use crate::model::{Point, Series};

/// A value slot on the grid with no recorded point. A NaN with a payload no parser produces
/// (Prometheus' own staleness marker is such a NaN too): a recorded `NaN` value stays a value.
const ABSENT: u64 = 0x7ff8_cafe_0000_0001;

fn absent(v: f64) -> bool {
    v.to_bits() == ABSENT
}

/// A recorded series, on its grid or as points.
#[derive(Debug, Clone)]
pub(super) struct Held {
    pub labels: Labels,
    body: Body,
    /// What was added to every recorded time, in order (the start's shift, then retimes).
    shifts: Vec<f64>,
}

#[derive(Debug, Clone)]
enum Body {
    /// `values[i]` is at `t0 + i * step` (recorded time).
    Grid {
        t0: f64,
        step: f64,
        values: Vec<f64>,
    },
    /// Off any grid: the points, recorded times.
    Points(Vec<Point>),
}

impl Held {
    /// Holds `series` (points sorted by time, no repeats), on its grid when it has one.
    pub fn new(series: Series) -> Self {
        let Series { labels, points } = series;
        Self {
            labels,
            body: grid(&points).unwrap_or_else(|| {
                let mut points = points;
                points.shrink_to_fit();
                Body::Points(points)
            }),
            shifts: Vec::new(),
        }
    }

    /// Adds `delta` to every time.
    pub fn shift(&mut self, delta: f64) {
        self.shifts.push(delta);
    }

    /// How many slots: the cursor [`Self::points`] and [`Self::upto`] count in.
    pub fn len(&self) -> usize {
        match &self.body {
            Body::Grid { values, .. } => values.len(),
            Body::Points(p) => p.len(),
        }
    }

    fn time(&self, i: usize) -> f64 {
        let recorded = match &self.body {
            Body::Grid { t0, step, .. } => t0 + i as f64 * step,
            Body::Points(p) => p[i].t,
        };
        self.shifts.iter().fold(recorded, |t, d| t + d)
    }

    fn value(&self, i: usize) -> f64 {
        match &self.body {
            Body::Grid { values, .. } => values[i],
            Body::Points(p) => p[i].v,
        }
    }

    /// The first slot after time `t` (slots at or before it come before).
    pub fn upto(&self, t: f64) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.time(mid) <= t {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The points of slots `from..to`, shifted. Allocated once, for every slot: collected
    /// through the filter, hours of points would grow by doubling, up to twice their size.
    pub fn points(&self, from: usize, to: usize) -> Vec<Point> {
        let to = to.min(self.len());
        let mut out = Vec::with_capacity(to.saturating_sub(from));
        out.extend(
            (from..to)
                .filter(|&i| !absent(self.value(i)))
                .map(|i| Point {
                    t: self.time(i),
                    v: self.value(i),
                }),
        );
        out
    }

    /// Every point, shifted.
    pub fn all(&self) -> Vec<Point> {
        self.points(0, self.len())
    }
}

/// `points` as values on a grid, when every time is exactly `t0 + i * step` for a step the
/// smallest gap between them and no more than a quarter of the slots would be empty.
fn grid(points: &[Point]) -> Option<Body> {
    let t0 = points.first()?.t;
    let step = points
        .windows(2)
        .map(|w| w[1].t - w[0].t)
        .fold(f64::INFINITY, f64::min);
    if !(step.is_finite() && step > 0.0) {
        return None;
    }
    let last = points.last()?.t;
    let slots = ((last - t0) / step).round() as usize + 1;
    if slots > points.len() + points.len() / 4 + 1 {
        return None;
    }
    let mut values = vec![f64::from_bits(ABSENT); slots];
    for p in points {
        let i = ((p.t - t0) / step).round() as usize;
        if i >= slots || (t0 + i as f64 * step).to_bits() != p.t.to_bits() || absent(p.v) {
            return None;
        }
        values[i] = p.v;
    }
    Some(Body::Grid { t0, step, values })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(points: &[(f64, f64)]) -> Series {
        Series {
            labels: Labels::new(),
            points: points.iter().map(|&(t, v)| Point { t, v }).collect(),
        }
    }

    fn is_grid(h: &Held) -> bool {
        matches!(h.body, Body::Grid { .. })
    }

    #[test]
    fn a_series_on_its_step_with_a_gap_comes_back_as_it_went_in_shifted_in_order() {
        // Eight points on a 30 s step, the slot at 190 empty.
        let pts: Vec<(f64, f64)> = (0..9)
            .filter(|&i| i != 3)
            .map(|i| {
                (
                    100.0 + 30.0 * f64::from(i),
                    if i == 1 { f64::NAN } else { 0.5 * f64::from(i) },
                )
            })
            .collect();
        let mut h = Held::new(series(&pts));
        assert!(is_grid(&h), "{:?}", h.body);
        let (a, b) = (1_234.567_89, -0.1);
        h.shift(a);
        h.shift(b);
        let back = h.all();
        assert_eq!(back.len(), 8);
        for (p, &(t, v)) in back.iter().zip(&pts) {
            assert_eq!(
                p.t.to_bits(),
                ((t + a) + b).to_bits(),
                "as shifted one by one"
            );
            assert_eq!(p.v.to_bits(), v.to_bits(), "a recorded NaN stays a value");
        }
        assert_eq!(
            h.upto(190.0 + a + b),
            4,
            "slots 0..=3, the last of them empty"
        );
        assert_eq!(h.points(0, 4).len(), 3);
        assert_eq!(h.points(3, 4).len(), 0, "the gap");
    }

    #[test]
    fn released_points_take_one_allocation_of_their_slots() {
        let pts: Vec<(f64, f64)> = (0..1_000).map(|i| (30.0 * f64::from(i), 1.0)).collect();
        let h = Held::new(series(&pts));
        let all = h.all();
        assert_eq!(all.len(), 1_000);
        assert_eq!(all.capacity(), 1_000, "not grown by doubling");
    }

    #[test]
    fn a_series_off_any_grid_or_mostly_empty_keeps_its_points() {
        let off = Held::new(series(&[(0.0, 1.0), (1.0, 2.0), (2.5, 3.0)]));
        assert!(!is_grid(&off));
        assert_eq!(off.all().len(), 3);
        let sparse = Held::new(series(&[(0.0, 1.0), (1.0, 2.0), (100.0, 3.0)]));
        assert!(!is_grid(&sparse), "98 empty slots for 3 points");
        assert_eq!(sparse.upto(1.0), 2);
        let fractional = Held::new(series(&[(0.1, 1.0), (0.2, 2.0), (0.3, 3.0)]));
        // 0.1 + 2 × 0.1 is not 0.3 in binary: kept as points, not rounded onto a grid.
        assert!(!is_grid(&fractional));
        assert_eq!(fractional.all()[2].t, 0.3);
    }
}
