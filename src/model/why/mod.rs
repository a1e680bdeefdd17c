//! Why: from a window of trouble to its likely cause. The incident window is compared with a
//! baseline (usually the same length just before it) five ways, each a ranked section whose
//! rows carry their counts so an operator can judge them:
//!
//! - [`shared`]: what the failing traces share (span and resource attributes, services,
//!   operations), by how much more often each value occurs among them than among the others;
//! - [`bottleneck`]: where their time goes (critical-path self-time per service and operation);
//! - [`patterns`]: which log patterns are new or growing (a small Drain over event messages);
//! - [`movers`]: which metrics moved (median and MAD of the baseline);
//! - [`impact`]: failing traces and commands, services touched, error budget spent.
//!
//! Plain values in ([`Input`], all `Send`: it is analysed on tokio's blocking pool), one owned
//! [`Why`] out; nothing here fetches or draws. Each section marks the rows that pass its
//! significance thresholds (constants in each file, with their reasons), so a quiet window
//! ranks nothing as significant.

pub mod bottleneck;
pub mod impact;
pub mod movers;
pub mod patterns;
pub mod shared;

use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use super::event::Event;
use super::series::{Labels, Point};
use super::span::Trace;

/// A stretch of time, Unix seconds: `from` included, `to` excluded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    /// Start.
    pub from: f64,
    /// End.
    pub to: f64,
}

impl Window {
    /// Its length in seconds (never negative).
    #[must_use]
    pub fn len(&self) -> f64 {
        (self.to - self.from).max(0.0)
    }

    /// Whether `t` lies in it.
    #[must_use]
    pub fn contains(&self, t: f64) -> bool {
        t >= self.from && t < self.to
    }

    /// The window of the same length just before this one: the usual baseline.
    #[must_use]
    pub fn before(&self) -> Self {
        Self {
            from: self.from - self.len(),
            to: self.from,
        }
    }
}

/// Which traces count as failing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FailRule {
    /// A span anywhere in the trace has an error status (an availability SLO).
    Error,
    /// The root span (or, without one, the longest span) lasted longer than this many seconds
    /// (a latency SLO's threshold).
    SlowerThan(f64),
}

impl FailRule {
    /// Whether `trace` fails by this rule.
    #[must_use]
    pub fn fails(self, trace: &Trace) -> bool {
        match self {
            Self::Error => trace.spans.iter().any(|s| s.error),
            Self::SlowerThan(threshold) => root_duration(trace) > threshold,
        }
    }
}

/// The duration of the trace's root span: the earliest span naming no parent, or the longest
/// span when every span names one (a running trace).
#[must_use]
pub fn root_duration(trace: &Trace) -> f64 {
    let root = trace
        .spans
        .iter()
        .filter(|s| s.parent_id.is_none())
        .min_by(|a, b| a.start.total_cmp(&b.start));
    match root {
        Some(r) => r.duration,
        None => trace.spans.iter().map(|s| s.duration).fold(0.0, f64::max),
    }
}

/// One series of the dashboard, with points over both the baseline and the window.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedSeries {
    /// What the dashboard calls it (the chart's title or query name).
    pub name: String,
    /// Its labels.
    pub labels: Labels,
    /// Its points, oldest first; non-finite values are gaps.
    pub points: Vec<Point>,
}

/// An SLO's error budget, for the impact section: the objective, and the good and total
/// counts the caller measured over the window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// The objective, e.g. 0.99.
    pub objective: f64,
    /// Good events in the window.
    pub good: f64,
    /// All events in the window.
    pub total: f64,
    /// The SLO's period, seconds (e.g. 30 days).
    pub period: f64,
}

/// Everything one analysis looks at.
#[derive(Debug, Clone)]
pub struct Input {
    /// The incident window.
    pub window: Window,
    /// What it is compared with.
    pub baseline: Window,
    /// The window's traces.
    pub traces: Vec<Arc<Trace>>,
    /// Which of them fail.
    pub rule: FailRule,
    /// The window's events.
    pub events: Vec<Event>,
    /// The baseline's events.
    pub baseline_events: Vec<Event>,
    /// The dashboard's series, over baseline and window.
    pub series: Vec<NamedSeries>,
    /// The SLO's budget, when the window is an SLO's.
    pub budget: Option<Budget>,
    /// What the caller could not fetch, said in its own words (carried into the report).
    pub missing: Vec<String>,
}

/// How much one analysis looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LookedAt {
    /// Traces.
    pub traces: usize,
    /// Of which failing.
    pub failing: usize,
    /// Their spans.
    pub spans: usize,
    /// Events in the window.
    pub events: usize,
    /// Events in the baseline.
    pub baseline_events: usize,
    /// Series.
    pub series: usize,
}

/// The report.
#[derive(Debug, Clone, PartialEq)]
pub struct Why {
    /// What the failing traces share, best first.
    pub shared: Vec<shared::Row>,
    /// Where the time goes, best first.
    pub bottleneck: Vec<bottleneck::Row>,
    /// New or growing log patterns, best first.
    pub patterns: Vec<patterns::Row>,
    /// Metrics that moved, best first.
    pub movers: Vec<movers::Row>,
    /// Who and what was hurt.
    pub impact: impact::Impact,
    /// How much was looked at.
    pub looked_at: LookedAt,
    /// What could not be used: the caller's missing data, then what the analysis set aside
    /// (identifying attributes, series without data enough, events past the template cap).
    pub unused: Vec<String>,
}

/// Compares the window with its baseline.
#[must_use]
pub fn analyse(input: &Input) -> Why {
    let failing: Vec<bool> = input.traces.iter().map(|t| input.rule.fails(t)).collect();
    let mut unused = input.missing.clone();
    let shared = shared::rank(&input.traces, &failing, &mut unused);
    let bottleneck = bottleneck::rank(&input.traces, &failing);
    let patterns = patterns::rank(
        &input.events,
        &input.baseline_events,
        input.window,
        input.baseline,
        &mut unused,
    );
    let movers = movers::rank(&input.series, input.window, input.baseline, &mut unused);
    let impact = impact::impact(&input.traces, &failing, input.budget, input.window.len());
    Why {
        shared,
        bottleneck,
        patterns,
        movers,
        impact,
        looked_at: LookedAt {
            traces: input.traces.len(),
            failing: failing.iter().filter(|f| **f).count(),
            spans: input.traces.iter().map(|t| t.spans.len()).sum(),
            events: input.events.len(),
            baseline_events: input.baseline_events.len(),
            series: input.series.len(),
        },
        unused,
    }
}

/// A hash map with a fast, non-keyed hash (Firefox's and rustc's "Fx" mix): the analysis
/// hashes hundreds of thousands of short strings it was handed, where the standard library's
/// DoS-resistant `SipHash` costs most of the time budget and buys nothing (the keys come from
/// the operator's own telemetry, and every map is bounded).
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The Fx hash: per word, rotate, xor, multiply.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// The median of `v` (reordered); `None` when empty.
pub(crate) fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mid = v.len() / 2;
    let (_, &mut m, _) = v.select_nth_unstable_by(mid, f64::total_cmp);
    if v.len() % 2 == 1 {
        return Some(m);
    }
    let below = v[..mid].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some(f64::midpoint(below, m))
}

/// A share as a whole percentage, for rows' text.
#[must_use]
pub fn percent(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        100.0 * n as f64 / of as f64
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Builders the sections' tests share.
    use std::sync::Arc;

    use crate::model::span::{AttrValue, Attribute, Span, Trace};

    /// A span of service `svc`, operation `op`, with string attributes.
    pub fn span(
        id: &str,
        parent: Option<&str>,
        svc: &str,
        op: &str,
        attrs: &[(&str, &str)],
    ) -> Span {
        let mut s = Span::bare(id, parent, 0.0, 1.0);
        s.service = Some(svc.into());
        s.name = op.into();
        s.attributes = attrs
            .iter()
            .map(|(k, v)| ((*k).into(), AttrValue::Str((*v).into())))
            .collect();
        s
    }

    /// A trace of a root `cmd` span in `rover-fsw` with `attrs`, and a child span in `svc`
    /// (resource `resource`), failing when `error`.
    pub fn trace(
        id: usize,
        error: bool,
        attrs: &[(&str, &str)],
        resource: &[(&str, &str)],
    ) -> Arc<Trace> {
        let tid: Arc<str> = format!("{id:032x}").into();
        let mut root = span("r", None, "rover-fsw", "command", attrs);
        root.trace_id.clone_from(&tid);
        let mut child = span("c", Some("r"), "camera", "capture", &[]);
        child.trace_id.clone_from(&tid);
        child.error = error;
        let res: Vec<Attribute> = resource
            .iter()
            .map(|(k, v)| ((*k).into(), AttrValue::Str((*v).into())))
            .collect();
        child.resource = res.into();
        Arc::new(Trace {
            trace_id: tid,
            spans: vec![root, child],
            warnings: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::span::Span;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
    }

    #[test]
    fn both_rules_for_failing() {
        let mut root = Span::bare("r", None, 0.0, 2.0);
        let child = Span::bare("c", Some("r"), 0.5, 0.1);
        let ok = Trace {
            spans: vec![root.clone(), child.clone()],
            ..Trace::default()
        };
        assert!(!FailRule::Error.fails(&ok));
        assert!(FailRule::SlowerThan(1.5).fails(&ok));
        assert!(!FailRule::SlowerThan(2.5).fails(&ok));
        root.error = true;
        let bad = Trace {
            spans: vec![child, root],
            ..Trace::default()
        };
        assert!(FailRule::Error.fails(&bad));
        // A running trace (no root yet) is judged by its longest span.
        let running = Trace {
            spans: vec![Span::bare("c", Some("gone"), 0.0, 3.0)],
            ..Trace::default()
        };
        assert!(FailRule::SlowerThan(2.0).fails(&running));
    }

    #[test]
    fn the_input_can_go_to_another_thread_and_the_report_come_back() {
        fn send<T: Send + 'static>() {}
        send::<Input>();
        send::<Why>();
    }

    #[test]
    fn the_baseline_before_a_window() {
        let w = Window {
            from: 100.0,
            to: 160.0,
        };
        assert_eq!(
            w.before(),
            Window {
                from: 40.0,
                to: 100.0
            }
        );
        assert!(w.contains(100.0) && !w.contains(160.0));
    }
}
