//! What an alerting rule's expression charts: `<lhs> <op> <number>` with a comparison at the
//! top level (outside brackets and strings) charts `lhs` with the number as a limit line;
//! anything else charts the whole expression with none.

use super::limits::{Band, LimitLevel, Limits};

/// The query an alert's chart runs, and the threshold read from its rule, if one could be.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertChart {
    /// The `PromQL` charted.
    pub promql: String,
    /// The number the rule compares against, if it is a plain `lhs op number`.
    pub threshold: Option<Threshold>,
}

/// A rule's threshold: the alert fires above it (`>`, `>=`) or below it (`<`, `<=`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    /// The number.
    pub value: f64,
    /// Fires at or above (`>`, `>=`) rather than at or below.
    pub above: bool,
}

impl Threshold {
    /// The threshold as a limit at `level`: a high bound when the alert fires above it, a
    /// low bound when below.
    #[must_use]
    pub fn limits(self, level: LimitLevel) -> Limits {
        let band = if self.above {
            Band {
                low: None,
                high: Some(self.value),
            }
        } else {
            Band {
                low: Some(self.value),
                high: None,
            }
        };
        let mut limits = Limits::default();
        let slot = match level {
            LimitLevel::Watch => &mut limits.watch,
            LimitLevel::Warning => &mut limits.warning,
            LimitLevel::Distress => &mut limits.distress,
            LimitLevel::Critical => &mut limits.critical,
            LimitLevel::Severe => &mut limits.severe,
        };
        *slot = Some(band);
        limits
    }
}

/// Each comparison operator at the top level of `expr`: its byte offset, its text.
fn top_level_comparisons(expr: &str) -> Vec<(usize, &str)> {
    let bytes = expr.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == b'\\' && q != b'`' {
                i += 1; // the escaped character
            } else if b == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        let next = bytes.get(i + 1).copied();
        match b {
            b'"' | b'\'' | b'`' => quote = Some(b),
            b'(' | b'{' | b'[' => depth += 1,
            b')' | b'}' | b']' => depth = depth.saturating_sub(1),
            b'#' => {
                // A comment runs to the end of the line.
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'>' | b'<' | b'=' | b'!' if depth == 0 => {
                let two = next == Some(b'=');
                if (b == b'=' || b == b'!') && !two {
                    i += 1; // `=~`, `!~` and a lone `=` are no comparison here
                    continue;
                }
                let len = if two { 2 } else { 1 };
                out.push((i, &expr[i..i + len]));
                i += len;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Whether `text` has a top-level `and`, `or` or `unless`, which bind looser than a
/// comparison: in `a and b > 5` the comparison is `b > 5`, not `(a and b) > 5`.
fn has_set_operator(text: &str) -> bool {
    // Only words outside brackets count: `sum by (or) (x)` names a label.
    let mut depth = 0usize;
    let mut outside = String::new();
    for c in text.chars() {
        match c {
            '(' | '{' | '[' => depth += 1,
            ')' | '}' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => outside.push(c),
            _ => {}
        }
    }
    outside
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .any(|w| matches!(w.to_ascii_lowercase().as_str(), "and" | "or" | "unless"))
}

/// What to chart for an alert whose rule is `expr`.
#[must_use]
pub fn alert_chart(expr: &str) -> AlertChart {
    let whole = AlertChart {
        promql: expr.trim().to_owned(),
        threshold: None,
    };
    let ops = top_level_comparisons(expr);
    let [(at, op)] = ops[..] else {
        return whole;
    };
    let (lhs, rhs) = (expr[..at].trim(), expr[at + op.len()..].trim());
    let above = match op {
        ">" | ">=" => true,
        "<" | "<=" => false,
        _ => return whole,
    };
    let value = match rhs.parse::<f64>() {
        Ok(v) if v.is_finite() && !rhs.is_empty() => v,
        _ => return whole,
    };
    if lhs.is_empty() || has_set_operator(lhs) {
        return whole;
    }
    AlertChart {
        promql: lhs.to_owned(),
        threshold: Some(Threshold { value, above }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(expr: &str) -> (String, Option<(f64, bool)>) {
        let c = alert_chart(expr);
        (c.promql, c.threshold.map(|t| (t.value, t.above)))
    }

    #[test]
    fn a_plain_comparison_charts_its_left_side_with_the_number_as_threshold() {
        assert_eq!(
            chart("rover_battery_soc_percent < 30"),
            ("rover_battery_soc_percent".into(), Some((30.0, false)))
        );
        assert_eq!(
            chart("max by (wheel) (rover_motor_temperature_celsius) > 60"),
            (
                "max by (wheel) (rover_motor_temperature_celsius)".into(),
                Some((60.0, true))
            )
        );
        assert_eq!(chart("x >= 0.5").1, Some((0.5, true)));
        assert_eq!(chart("x<=-2e1").1, Some((-20.0, false)));
        assert_eq!(
            chart("rate(x{job=\"a\"}[5m]) > 1e-3\n").0,
            "rate(x{job=\"a\"}[5m])"
        );
    }

    #[test]
    fn no_plain_number_on_the_right_charts_the_whole_expression() {
        for expr in [
            "a > on(x) b",
            "a > bool 3",
            "a > b",
            "a == 3",
            "a != 3",
            "3 < a",
            "a > 3 and b",
            "b and a > 3",
            "b unless a < 3",
            "a > 2 > 1",
            "up",
            "a > Inf",
        ] {
            assert_eq!(chart(expr), (expr.trim().into(), None), "{expr}");
        }
    }

    #[test]
    fn brackets_strings_and_matchers_hide_what_is_inside_them() {
        // A number in a label matcher, comparisons inside brackets, `>` in a string.
        assert_eq!(
            chart("x{code=\"500\"} > 5"),
            ("x{code=\"500\"}".into(), Some((5.0, true)))
        );
        assert_eq!(
            chart("count(x > 3) < 2"),
            ("count(x > 3)".into(), Some((2.0, false)))
        );
        assert_eq!(
            chart("x{msg=\"a > 9\", q='<\\'1'} >= 4"),
            ("x{msg=\"a > 9\", q='<\\'1'}".into(), Some((4.0, true)))
        );
        assert_eq!(chart("x{msg=\"a > 9\"}"), ("x{msg=\"a > 9\"}".into(), None));
        assert_eq!(chart("x{a=~\"b\", c!=\"d\"}").1, None);
        assert_eq!(
            chart("sum by (or) (x) > 1"),
            ("sum by (or) (x)".into(), Some((1.0, true)))
        );
    }

    #[test]
    fn a_threshold_is_a_high_bound_above_and_a_low_bound_below() {
        let high = Threshold {
            value: 60.0,
            above: true,
        };
        let limits = high.limits(LimitLevel::Critical);
        assert_eq!(
            limits.bounds().collect::<Vec<_>>(),
            [(LimitLevel::Critical, 60.0)]
        );
        assert_eq!(limits.level(61.0), Some(LimitLevel::Critical));
        assert_eq!(limits.level(59.0), None);
        let low = Threshold {
            value: 30.0,
            above: false,
        }
        .limits(LimitLevel::Warning);
        assert_eq!(low.level(29.0), Some(LimitLevel::Warning));
        assert_eq!(low.level(31.0), None);
    }
}
