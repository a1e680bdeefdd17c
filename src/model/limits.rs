//! Limits, after Open MCT's ladder: watch < warning < distress < critical < severe. A value is in
//! the most severe level whose low bound it is at or below, or whose high bound it is at or above.

use serde::Deserialize;

/// A rung of the limit ladder, least severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LimitLevel {
    /// Worth watching.
    Watch,
    /// Outside the normal range.
    Warning,
    /// Needs attention soon.
    Distress,
    /// Needs attention now.
    Critical,
    /// Damage likely.
    Severe,
}

impl LimitLevel {
    /// All levels, least severe first.
    pub const ALL: [LimitLevel; 5] = [
        Self::Watch,
        Self::Warning,
        Self::Distress,
        Self::Critical,
        Self::Severe,
    ];

    /// The short word shown beside a value, so a level never depends on colour alone.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            Self::Watch => "WATCH",
            Self::Warning => "WARN",
            Self::Distress => "DIST",
            Self::Critical => "CRIT",
            Self::Severe => "SEVERE",
        }
    }

    /// The level's name as written in configuration.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Watch => "watch",
            Self::Warning => "warning",
            Self::Distress => "distress",
            Self::Critical => "critical",
            Self::Severe => "severe",
        }
    }
}

/// The bounds of one level: a value at or below `low`, or at or above `high`, is in it.
#[derive(Debug, Clone, Copy, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Values at or below this are in the level.
    pub low: Option<f64>,
    /// Values at or above this are in the level.
    pub high: Option<f64>,
}

/// The limits of one series: a band per level, each optional.
#[derive(Debug, Clone, Copy, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Bounds of the watch level.
    pub watch: Option<Band>,
    /// Bounds of the warning level.
    pub warning: Option<Band>,
    /// Bounds of the distress level.
    pub distress: Option<Band>,
    /// Bounds of the critical level.
    pub critical: Option<Band>,
    /// Bounds of the severe level.
    pub severe: Option<Band>,
}

impl Limits {
    fn band(&self, level: LimitLevel) -> Option<Band> {
        match level {
            LimitLevel::Watch => self.watch,
            LimitLevel::Warning => self.warning,
            LimitLevel::Distress => self.distress,
            LimitLevel::Critical => self.critical,
            LimitLevel::Severe => self.severe,
        }
    }

    /// Every bound set, least severe level first: the values charts draw limit lines at.
    pub fn bounds(&self) -> impl Iterator<Item = (LimitLevel, f64)> + '_ {
        LimitLevel::ALL.into_iter().flat_map(move |l| {
            let b = self.band(l).unwrap_or_default();
            [b.low, b.high]
                .into_iter()
                .flatten()
                .filter(|v| v.is_finite())
                .map(move |v| (l, v))
        })
    }

    /// The most severe level `v` is in, or `None` when it is nominal (or not a number).
    #[must_use]
    pub fn level(&self, v: f64) -> Option<LimitLevel> {
        if !v.is_finite() {
            return None;
        }
        LimitLevel::ALL.iter().rev().copied().find(|&l| {
            self.band(l).is_some_and(|b| {
                b.low.is_some_and(|lo| v <= lo) || b.high.is_some_and(|hi| v >= hi)
            })
        })
    }

    /// The open interval of values that are in no level: above every `low` bound and below
    /// every `high` bound. A cheap test before [`Limits::level`].
    #[must_use]
    pub fn nominal_range(&self) -> (f64, f64) {
        let mut range = (f64::NEG_INFINITY, f64::INFINITY);
        for band in LimitLevel::ALL.iter().filter_map(|&l| self.band(l)) {
            if let Some(lo) = band.low {
                range.0 = range.0.max(lo);
            }
            if let Some(hi) = band.high {
                range.1 = range.1.min(hi);
            }
        }
        range
    }

    /// Checks that each level is at least as extreme as the one below it, so the ladder reads
    /// the same way up as down. Returns a message for users when it is not.
    ///
    /// # Errors
    /// When a more severe level's bound is inside a less severe one's.
    pub fn validate(&self) -> Result<(), String> {
        let mut prev: Option<(LimitLevel, Band)> = None;
        for level in LimitLevel::ALL {
            let Some(band) = self.band(level) else {
                continue;
            };
            if let (Some(lo), Some(hi)) = (band.low, band.high)
                && lo >= hi
            {
                return Err(format!(
                    "{}: low ({lo}) must be below high ({hi})",
                    level.name()
                ));
            }
            if let Some((pl, pb)) = prev {
                if let (Some(a), Some(b)) = (pb.high, band.high)
                    && b < a
                {
                    return Err(format!(
                        "{}.high ({b}) must be at or above {}.high ({a})",
                        level.name(),
                        pl.name()
                    ));
                }
                if let (Some(a), Some(b)) = (pb.low, band.low)
                    && b > a
                {
                    return Err(format!(
                        "{}.low ({b}) must be at or below {}.low ({a})",
                        level.name(),
                        pl.name()
                    ));
                }
            }
            prev = Some((level, band));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ladder() -> Limits {
        Limits {
            warning: Some(Band {
                low: Some(-80.0),
                high: Some(30.0),
            }),
            critical: Some(Band {
                low: Some(-95.0),
                high: Some(45.0),
            }),
            ..Limits::default()
        }
    }

    #[test]
    fn the_most_severe_crossed_level_wins() {
        let l = ladder();
        assert_eq!(l.level(0.0), None);
        assert_eq!(l.level(30.0), Some(LimitLevel::Warning));
        assert_eq!(l.level(50.0), Some(LimitLevel::Critical));
        assert_eq!(l.level(-85.0), Some(LimitLevel::Warning));
        assert_eq!(l.level(-100.0), Some(LimitLevel::Critical));
        assert_eq!(l.level(f64::NAN), None);
        assert_eq!(l.nominal_range(), (-80.0, 30.0));
        assert_eq!(
            Limits::default().nominal_range(),
            (f64::NEG_INFINITY, f64::INFINITY)
        );
    }

    #[test]
    fn validate_rejects_an_inverted_ladder() {
        assert!(ladder().validate().is_ok());
        let bad = Limits {
            warning: Some(Band {
                low: None,
                high: Some(40.0),
            }),
            critical: Some(Band {
                low: None,
                high: Some(30.0),
            }),
            ..Limits::default()
        };
        let err = bad.validate().unwrap_err();
        assert!(
            err.contains("critical.high (30) must be at or above warning.high (40)"),
            "{err}"
        );
    }
}
