//! The axes the exported charts draw: time in UTC, ticked on whole minutes, hours or days,
//! and values ticked at round numbers. plotters' own `f64` axis finds its ticks with `log`
//! and `pow`, calls into libm, which the binary does not load (`src/num.rs`).

use std::ops::Range;

use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};

/// Tick steps for the time axis, seconds: the strip charts' steps, down to 10 s.
const TICK_STEPS: [f64; 17] = [
    10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1_800.0, 3_600.0, 7_200.0, 10_800.0,
    21_600.0, 43_200.0, 86_400.0, 172_800.0, 604_800.0,
];

/// The time axis: Unix seconds, ticks on whole minutes, hours or days in UTC.
#[derive(Clone)]
pub(super) struct TimeAxis {
    pub(super) from: f64,
    pub(super) to: f64,
}

impl TimeAxis {
    fn step(&self, max: usize) -> f64 {
        let span = (self.to - self.from).max(1.0);
        TICK_STEPS
            .iter()
            .copied()
            .find(|s| span / s <= max.max(1) as f64)
            .unwrap_or(604_800.0)
    }

    fn label(&self, t: f64) -> String {
        let fmt = if self.to - self.from > 2.0 * 86_400.0 {
            "%m-%d %H:%M"
        } else if self.to - self.from <= 600.0 {
            "%H:%M:%S"
        } else {
            "%H:%M"
        };
        chrono::DateTime::from_timestamp(t.round() as i64, 0)
            .map(|d| d.format(fmt).to_string())
            .unwrap_or_default()
    }
}

/// The pixel between `limit`'s that `value` falls at, from `range.0` to `range.1`.
fn linear(value: f64, range: (f64, f64), limit: (i32, i32)) -> i32 {
    let f = (value - range.0) / (range.1 - range.0).max(f64::MIN_POSITIVE);
    limit.0 + (f * f64::from(limit.1 - limit.0)).round() as i32
}

impl Ranged for TimeAxis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        linear(*value, (self.from, self.to), limit)
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        crate::num::multiples(self.from, self.to, self.step(hint.max_num_points())).collect()
    }

    fn range(&self) -> Range<f64> {
        self.from..self.to
    }
}

impl ValueFormatter<f64> for TimeAxis {
    fn format_ext(&self, value: &f64) -> String {
        self.label(*value)
    }
}

/// A value axis, ticked at round numbers (`num::round_step`) no finer than its labels show.
#[derive(Clone)]
pub(super) struct ValueAxis {
    from: f64,
    to: f64,
    /// The finest step worth a tick: 10⁻ᵖ for labels of p decimals.
    finest: f64,
}

impl ValueAxis {
    pub(super) fn new(range: Range<f64>, precision: usize) -> Self {
        let finest = (0..precision.min(3)).fold(1.0, |f, _| f / 10.0);
        Self {
            from: range.start,
            to: range.end,
            finest,
        }
    }
}

impl Ranged for ValueAxis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        linear(*value, (self.from, self.to), limit)
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        crate::num::round_step(self.from, self.to, hint.max_num_points())
            .map(|step| crate::num::multiples(self.from, self.to, step.max(self.finest)).collect())
            .unwrap_or_default()
    }

    fn range(&self) -> Range<f64> {
        self.from..self.to
    }
}

impl ValueFormatter<f64> for ValueAxis {
    fn format_ext(&self, value: &f64) -> String {
        axis_value(*value, 3)
    }
}

/// A value with up to `precision` decimals (fewer when the axis steps are coarse).
pub(super) fn axis_value(v: f64, precision: usize) -> String {
    let p = precision.min(3);
    let s = format!("{v:.p$}");
    if s.starts_with('-') && s.trim_start_matches(['-', '0', '.']).is_empty() {
        s[1..].to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_fall_on_whole_minutes_in_utc() {
        let axis = TimeAxis {
            from: 1_000_000_030.0,
            to: 1_000_000_930.0,
        };
        let ticks = axis.key_points(12usize);
        assert!(ticks.len() <= 12 && ticks.len() >= 5, "{ticks:?}");
        assert!(ticks.iter().all(|t| t % 60.0 == 0.0), "{ticks:?}");
        assert_eq!(axis.label(1_000_000_020.0), "01:47");
    }
}
