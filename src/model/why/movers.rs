//! Which metrics moved: each series scored by how far the window's median departs from the
//! baseline's, in robust standard deviations of the baseline:
//!
//! `score = |median(window) − median(baseline)| / max(1.4826 · MAD(baseline), 1 % of the larger
//! median's magnitude)`
//!
//! Medians and the MAD (median absolute deviation; × 1.4826 it estimates a normal standard
//! deviation) ignore the odd spike, so one bad scrape does not make a mover. A flat baseline
//! has a MAD of zero and would make any wobble infinite: the floor (1 % of the value) keeps
//! a constant 10 that becomes 10.05 a non-event and a constant 0 that becomes 5 a big one.

use std::fmt;

use super::{NamedSeries, Window, median};
use crate::model::series::Labels;

/// A series moved when its score is at least this: three robust standard deviations, the
/// usual bar for "not the baseline's noise".
pub const MIN_SCORE: f64 = 3.0;
/// Finite points each side needs to be scored at all: a median of one or two points is a
/// sample, not a level.
pub const MIN_POINTS: usize = 3;
/// The MAD's factor to a normal standard deviation.
pub const MAD_SCALE: f64 = 1.4826;
/// The flat baseline's floor, as a share of the larger median's magnitude.
pub const FLAT_FLOOR: f64 = 0.01;
/// Values kept for a sparkline, over baseline and window.
pub const SPARK_POINTS: usize = 24;
/// Rows returned.
pub const MAX_ROWS: usize = 50;

/// Which way it moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Higher in the window.
    Up,
    /// Lower.
    Down,
    /// The same median.
    Flat,
}

/// One series and how far it moved.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The dashboard's name for it.
    pub name: String,
    /// Its labels.
    pub labels: Labels,
    /// The baseline's median.
    pub before: f64,
    /// The window's median.
    pub after: f64,
    /// Which way.
    pub direction: Direction,
    /// Robust standard deviations moved.
    pub score: f64,
    /// At least [`MIN_SCORE`].
    pub significant: bool,
    /// Means of [`SPARK_POINTS`] equal stretches from the baseline's start to the window's
    /// end (`NaN` where there is no point).
    pub spark: Vec<f64>,
}

impl fmt::Display for Row {
    /// `motor temperature {wheel="LM"} 41.2 → 62.9 (up, 8.4σ)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        let labels: Vec<String> = self
            .labels
            .iter()
            .filter(|(k, _)| *k != "__name__")
            .map(|(k, v)| format!("{k}=\"{v}\""))
            .collect();
        if !labels.is_empty() {
            write!(f, " {{{}}}", labels.join(","))?;
        }
        let way = match self.direction {
            Direction::Up => "up",
            Direction::Down => "down",
            Direction::Flat => "flat",
        };
        write!(
            f,
            " {:.3} → {:.3} ({way}, {:.1}σ)",
            self.before, self.after, self.score
        )
    }
}

/// Scores every series; notes those without points enough in `unused`.
#[must_use]
pub fn rank(
    series: &[NamedSeries],
    window: Window,
    baseline: Window,
    unused: &mut Vec<String>,
) -> Vec<Row> {
    let mut rows = Vec::with_capacity(series.len());
    let mut thin = 0;
    for s in series {
        let values = |w: Window| -> Vec<f64> {
            s.points
                .iter()
                .filter(|p| p.v.is_finite() && w.contains(p.t))
                .map(|p| p.v)
                .collect()
        };
        let (mut before, mut after) = (values(baseline), values(window));
        if before.len() < MIN_POINTS || after.len() < MIN_POINTS {
            thin += 1;
            continue;
        }
        let (Some(mb), Some(mw)) = (median(&mut before), median(&mut after)) else {
            continue;
        };
        let mut dev: Vec<f64> = before.iter().map(|v| (v - mb).abs()).collect();
        let mad = median(&mut dev).unwrap_or(0.0);
        let scale = (MAD_SCALE * mad)
            .max(FLAT_FLOOR * mb.abs().max(mw.abs()))
            .max(f64::MIN_POSITIVE);
        let score = (mw - mb).abs() / scale;
        rows.push(Row {
            name: s.name.clone(),
            labels: s.labels.clone(),
            before: mb,
            after: mw,
            direction: match mw.total_cmp(&mb) {
                std::cmp::Ordering::Greater => Direction::Up,
                std::cmp::Ordering::Less => Direction::Down,
                std::cmp::Ordering::Equal => Direction::Flat,
            },
            score,
            significant: score >= MIN_SCORE,
            spark: spark(
                s,
                baseline.from.min(window.from),
                window.to.max(baseline.to),
            ),
        });
    }
    if thin > 0 {
        unused.push(format!(
            "{thin} series with fewer than {MIN_POINTS} points in the window or its baseline"
        ));
    }
    rows.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.name.cmp(&b.name)));
    rows.truncate(MAX_ROWS);
    rows
}

/// Means of [`SPARK_POINTS`] equal stretches of `[from, to)`.
fn spark(s: &NamedSeries, from: f64, to: f64) -> Vec<f64> {
    let mut sums = [(0.0, 0u32); SPARK_POINTS];
    let width = (to - from) / SPARK_POINTS as f64;
    if width > 0.0 {
        for p in s.points.iter().filter(|p| p.v.is_finite()) {
            let i = ((p.t - from) / width).floor();
            if i >= 0.0 && i < SPARK_POINTS as f64 {
                let b = &mut sums[i as usize];
                b.0 += p.v;
                b.1 += 1;
            }
        }
    }
    sums.iter()
        .map(|&(sum, n)| if n == 0 { f64::NAN } else { sum / f64::from(n) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::series::Point;

    const BASELINE: Window = Window {
        from: 0.0,
        to: 300.0,
    };
    const WINDOW: Window = Window {
        from: 300.0,
        to: 600.0,
    };

    /// A small deterministic noise in −1…1.
    fn noise(seed: u64, i: u64) -> f64 {
        let x = (seed.wrapping_mul(6_364_136_223_846_793_005)
            ^ i.wrapping_mul(1_442_695_040_888_963_407))
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (x >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }

    fn series(name: &str, f: impl Fn(u64) -> f64) -> NamedSeries {
        NamedSeries {
            name: name.into(),
            labels: Labels::from([("wheel".to_owned(), name.to_owned())]),
            points: (0..300)
                .map(|i| Point {
                    t: 2.0 * i as f64,
                    v: f(i),
                })
                .collect(),
        }
    }

    /// Thirty series wandering around their own levels with their own amplitudes.
    fn wanderers() -> Vec<NamedSeries> {
        (0..30)
            .map(|k| {
                series(&format!("s{k:02}"), move |i| {
                    10.0 * k as f64 + (1.0 + k as f64) * noise(k, i)
                })
            })
            .collect()
    }

    #[test]
    fn a_metric_that_jumps_ranks_first_among_many_that_wander() {
        let mut all = wanderers();
        all.push(series("motor LM", |i| {
            let base = if i >= 150 { 62.0 } else { 41.0 };
            base + noise(99, i)
        }));
        let rows = rank(&all, WINDOW, BASELINE, &mut Vec::new());
        assert_eq!(rows[0].name, "motor LM");
        assert_eq!(rows[0].direction, Direction::Up);
        assert!(rows[0].significant && rows[0].score > 10.0);
        assert!((rows[0].before - 41.0).abs() < 0.5 && (rows[0].after - 62.0).abs() < 0.5);
        assert_eq!(
            rows.iter().filter(|r| r.significant).count(),
            1,
            "{:?}",
            &rows[..3]
        );
        assert_eq!(rows[0].spark.len(), SPARK_POINTS);
        assert!(rows[0].spark[0] < 45.0 && rows[0].spark[SPARK_POINTS - 1] > 58.0);
        assert!(
            rows[0]
                .to_string()
                .starts_with("motor LM {wheel=\"motor LM\"} 41.")
        );
    }

    #[test]
    fn a_quiet_window_ranks_nothing_as_significant() {
        let rows = rank(&wanderers(), WINDOW, BASELINE, &mut Vec::new());
        assert_eq!(rows.len(), 30);
        assert!(rows.iter().all(|r| !r.significant), "{:?}", &rows[0]);
    }

    #[test]
    fn flat_baselines_and_thin_series() {
        let flat = series("flat", |i| if i >= 150 { 10.05 } else { 10.0 });
        let from_zero = series("from zero", |i| if i >= 150 { 5.0 } else { 0.0 });
        let zero = series("zero", |_| 0.0);
        let mut thin = series("thin", |i| i as f64);
        thin.points.truncate(151);
        let mut unused = Vec::new();
        let rows = rank(
            &[flat, from_zero, zero, thin],
            WINDOW,
            BASELINE,
            &mut unused,
        );
        let score = |n: &str| rows.iter().find(|r| r.name == n).map(|r| r.score);
        assert!(score("flat").is_some_and(|s| s < 1.0));
        assert!(score("from zero").is_some_and(|s| s > 50.0));
        assert_eq!(score("zero"), Some(0.0));
        assert_eq!(score("thin"), None);
        assert_eq!(
            unused,
            ["1 series with fewer than 3 points in the window or its baseline"]
        );
    }

    #[test]
    fn counter_example_a_steady_ramp_scores_the_same_whatever_its_slope() {
        // A battery draining steadily departs from its baseline's median by 150 steps, and
        // the baseline's own MAD is 37.5 steps: every straight ramp scores 150 / (1.4826 ·
        // 37.5) ≈ 2.7, just under the bar, whether it drains 0.1 or 10 a step. The score
        // compares levels against the baseline's spread, not trends. (A ramp too gentle to
        // reach the flat-baseline floor scores less still.)
        for slope in [0.1, 10.0] {
            let drain = series("battery", |i| 90.0 - slope * i as f64);
            let rows = rank(&[drain], WINDOW, BASELINE, &mut Vec::new());
            assert!(
                (rows[0].score - 150.0 / (MAD_SCALE * 37.5)).abs() < 0.05,
                "{}",
                rows[0].score
            );
            assert!(!rows[0].significant);
        }
    }

    #[test]
    fn counter_example_a_change_of_spread_alone_is_invisible() {
        // The motor current starts swinging ten times wider around the same level: a real
        // change an operator would see on the sparkline, scored near zero (medians only).
        let swing = series("current", |i| {
            5.0 + if i >= 150 { 10.0 } else { 1.0 } * noise(7, i)
        });
        let rows = rank(&[swing], WINDOW, BASELINE, &mut Vec::new());
        assert!(!rows[0].significant, "{}", rows[0].score);
    }
}
