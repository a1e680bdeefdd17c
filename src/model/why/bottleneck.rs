//! Where the time goes: each trace's critical path (`model::critical_path`, as Jaeger UI
//! computes it) summed as self-time per service and operation, over the failing (or slow)
//! traces and over the others. Ranked by how many more seconds a failing trace spends there
//! than another does (the difference per trace: what the failure adds), then by the failing
//! traces' share of their critical time (where they wait at all).

use std::fmt;
use std::sync::Arc;

use super::FastMap;
use crate::model::critical_path;
use crate::model::span::Trace;
use crate::model::waterfall;

/// A bottleneck needs at least this many failing traces to be significant (as
/// [`super::shared::MIN_FAILING`], for the same reason).
pub const MIN_FAILING: usize = super::shared::MIN_FAILING;
/// …a fifth of the failing traces' critical time: what takes less cannot explain much of it…
pub const MIN_SHARE: f64 = 0.2;
/// …and at least twice as long a failing trace as another: a step every command spends its
/// time in equally is the normal shape, not the failure's.
pub const MIN_RATIO: f64 = 2.0;
/// Rows returned.
pub const MAX_ROWS: usize = 50;

/// One service and operation on the critical path.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The service (`?` when the span names none).
    pub service: String,
    /// The operation.
    pub operation: String,
    /// Seconds on the failing traces' critical paths.
    pub failing_secs: f64,
    /// Seconds on the others'.
    pub others_secs: f64,
    /// Its share of the failing traces' critical time, 0…1.
    pub failing_share: f64,
    /// Seconds a failing trace, on average.
    pub failing_per_trace: f64,
    /// Seconds another trace, on average.
    pub others_per_trace: f64,
    /// Passes [`MIN_FAILING`], [`MIN_SHARE`] and [`MIN_RATIO`].
    pub significant: bool,
}

impl Row {
    /// Seconds more a failing trace spends here than another.
    #[must_use]
    pub fn difference(&self) -> f64 {
        self.failing_per_trace - self.others_per_trace
    }
}

impl fmt::Display for Row {
    /// `rover-fsw drive.segment — 12.0 s a failing trace vs 1.0 s another, 80 % of the failing
    /// traces' critical path`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} — {:.1} s a failing trace vs {:.1} s another, {:.0} % of the failing traces' critical path",
            self.service,
            self.operation,
            self.failing_per_trace,
            self.others_per_trace,
            100.0 * self.failing_share,
        )
    }
}

/// Ranks the critical path's self-time per service and operation (`failing[i]` says whether
/// `traces[i]` fails).
#[must_use]
pub fn rank(traces: &[Arc<Trace>], failing: &[bool]) -> Vec<Row> {
    let mut sums: FastMap<(&str, &str), [f64; 2]> = FastMap::default();
    let mut totals = [0.0; 2];
    for (t, &fail) in traces.iter().zip(failing) {
        let tree = waterfall::tree(t);
        let side = usize::from(!fail);
        for s in critical_path::sections(t, &tree) {
            let span = &t.spans[s.span];
            let secs = (s.end - s.start).max(0.0);
            let key = (span.service.as_deref().unwrap_or("?"), span.name.as_str());
            sums.entry(key).or_default()[side] += secs;
            totals[side] += secs;
        }
    }
    let n_failing = failing.iter().filter(|f| **f).count();
    let n_others = traces.len() - n_failing;
    let per = |secs: f64, n: usize| if n == 0 { 0.0 } else { secs / n as f64 };
    let mut rows: Vec<Row> = sums
        .into_iter()
        .map(|((service, operation), [f, o])| {
            let failing_share = if totals[0] > 0.0 { f / totals[0] } else { 0.0 };
            let (fp, op) = (per(f, n_failing), per(o, n_others));
            Row {
                service: service.to_owned(),
                operation: operation.to_owned(),
                failing_secs: f,
                others_secs: o,
                failing_share,
                failing_per_trace: fp,
                others_per_trace: op,
                significant: n_failing >= MIN_FAILING
                    && failing_share >= MIN_SHARE
                    && fp >= MIN_RATIO * op
                    && fp > 0.0,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.difference()
            .total_cmp(&a.difference())
            .then(b.failing_share.total_cmp(&a.failing_share))
            .then(a.service.cmp(&b.service))
            .then(a.operation.cmp(&b.operation))
    });
    rows.truncate(MAX_ROWS);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::span::Span;

    /// A command: `plan` (0.5 s), then `drive.segment` (`drive` s), then `image` (1 s), each
    /// `gap` s after the last.
    fn command_with_gaps(i: usize, drive: f64, failing: bool, gap: f64) -> Arc<Trace> {
        let total = 0.5 + drive + 1.0 + 2.0 * gap;
        let mut spans = vec![Span::bare("root", None, 0.0, total)];
        let steps = [
            ("plan", 0.0, 0.5),
            ("drive.segment", 0.5 + gap, drive),
            ("image", 0.5 + drive + 2.0 * gap, 1.0),
        ];
        for (id, start, len) in steps {
            let mut s = Span::bare(id, Some("root"), start, len);
            s.service = Some("rover-fsw".into());
            spans.push(s);
        }
        spans[0].service = Some("rover-fsw".into());
        spans[0].name = "command".into();
        spans[2].error = failing;
        Arc::new(Trace {
            trace_id: format!("{i}").into(),
            spans,
            warnings: Vec::new(),
        })
    }

    fn command(i: usize, drive: f64, failing: bool) -> Arc<Trace> {
        command_with_gaps(i, drive, failing, 0.05)
    }

    /// Forty commands, the first ten failing with a drive of `failing_drive` s (the others
    /// 1 s), their steps `gap` s apart; ranked.
    fn incident(failing_drive: f64, gap: f64) -> Vec<Row> {
        let failing: Vec<bool> = (0..40).map(|i| i < 10).collect();
        let traces: Vec<_> = (0..40)
            .map(|i| {
                let drive = if failing[i] { failing_drive } else { 1.0 };
                command_with_gaps(i, drive, failing[i], gap)
            })
            .collect();
        rank(&traces, &failing)
    }

    #[test]
    fn the_span_the_failing_traces_wait_on_ranks_first() {
        let rows = incident(12.0, 0.05);
        assert_eq!(rows[0].operation, "drive.segment");
        assert_eq!(
            rows[0].to_string(),
            "rover-fsw drive.segment — 12.0 s a failing trace vs 1.0 s another, 88 % of the failing traces' critical path"
        );
        assert!(rows[0].significant);
        assert_eq!(rows.iter().filter(|r| r.significant).count(), 1);
        // The critical path is self-time: the command's own is the gaps between its steps.
        let own = rows
            .iter()
            .find(|r| r.operation == "command")
            .expect("command");
        assert!((own.failing_per_trace - 0.1).abs() < 1e-9 && !own.significant);
    }

    #[test]
    fn a_quiet_window_has_no_significant_bottleneck() {
        let traces: Vec<_> = (0..40).map(|i| command(i, 1.0, false)).collect();
        let rows = rank(&traces, &[false; 40]);
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|r| !r.significant));
    }

    #[test]
    fn counter_example_failures_that_are_fast_show_no_bottleneck() {
        // The drive fails at once (0.1 s, not 1 s): the failure is real but the time goes
        // where it always goes, so the section shows nothing significant — it answers "where
        // does the time go", never "what broke".
        let rows = incident(0.1, 0.05);
        assert!(rows.iter().all(|r| !r.significant), "{rows:?}");
    }

    #[test]
    fn counter_example_back_to_back_steps_give_their_time_to_the_parent() {
        // Jaeger UI's walk takes, back in the parent, the child that ended strictly before
        // the one just walked started: a step that ends exactly when the next begins is
        // skipped, and its time is the parent's self-time. Commands whose steps abut show
        // the command itself as the bottleneck, not the drive.
        let rows = incident(12.0, 0.0);
        assert_eq!(rows[0].operation, "command");
        assert!(rows.iter().all(|r| r.operation != "drive.segment"));
    }
}
