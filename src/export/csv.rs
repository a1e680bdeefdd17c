//! CSV: one row per point capcom holds in the window, exactly as held (no resampling): time
//! in RFC 3339 UTC, the series' legend, its labels, the value (empty for a gap) and the unit.

use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat};

use super::{Chart, Path};
use crate::model::{Labels, Point};

/// A Unix time as RFC 3339 UTC (`2026-11-26T09:10:30Z`, fractions only when there are some).
#[must_use]
pub fn rfc3339(t: f64) -> String {
    // Milliseconds: what Prometheus keeps; finer digits would be the float's noise.
    let ms = (t * 1000.0).round() as i64;
    let format = if ms % 1000 == 0 {
        SecondsFormat::Secs
    } else {
        SecondsFormat::Millis
    };
    DateTime::from_timestamp_millis(ms)
        .map(|d| d.to_rfc3339_opts(format, true))
        .unwrap_or_default()
}

/// A field quoted when it holds a comma, a quote or a line break (RFC 4180).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// A value as Rust writes the shortest text that reads back to the same `f64`; a gap empty.
fn value(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

/// Labels as Prometheus writes them: `{k="v", …}`.
#[must_use]
pub fn labels_text(labels: &Labels) -> String {
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    format!("{{{}}}", inner.join(", "))
}

/// The points of `points` inside `[from, to]`.
fn inside(points: &[Point], from: f64, to: f64) -> impl Iterator<Item = &Point> {
    points.iter().filter(move |p| p.t >= from && p.t <= to)
}

/// A chart's or table's points: `time,series,labels,value,unit`, panel by panel.
#[must_use]
pub fn chart(c: &Chart) -> String {
    let mut out = String::from("time,series,labels,value,unit\n");
    for panel in &c.panels {
        for line in &panel.lines {
            let (series, labels) = (field(&line.legend), field(&labels_text(&line.labels)));
            let unit = field(&panel.unit);
            for p in inside(&line.points, c.from, c.to) {
                let _ = writeln!(
                    out,
                    "{},{series},{labels},{},{unit}",
                    rfc3339(p.t),
                    value(p.v)
                );
            }
        }
    }
    out
}

/// The path's points: `time,x_m,y_m,heading_deg`, a row per time east is known at, north and
/// heading from the sample at the same time (empty when there is none).
#[must_use]
pub fn path(p: &Path) -> String {
    let at = |points: &[Point], t: f64| {
        let i = points.partition_point(|q| q.t < t);
        points
            .get(i)
            .filter(|q| q.t.total_cmp(&t).is_eq())
            .map_or_else(String::new, |q| value(q.v))
    };
    let mut out = String::from("time,x_m,y_m,heading_deg\n");
    for x in inside(&p.x, p.from, p.to) {
        let _ = writeln!(
            out,
            "{},{},{},{}",
            rfc3339(x.t),
            value(x.v),
            at(&p.y, x.t),
            at(&p.heading, x.t)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_and_fields_with_commas_are_quoted() {
        assert_eq!(rfc3339(1_764_148_230.0), "2025-11-26T09:10:30Z");
        assert_eq!(rfc3339(1_764_148_230.5), "2025-11-26T09:10:30.500Z");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(value(f64::NAN), "");
        assert_eq!(value(0.1 + 0.2), "0.30000000000000004");
    }
}
