//! Traces as the Traces pane lists them: one summary line per trace (start, root service and
//! operation, duration, span count, services touched, errors), and the search that chose them
//! — which a replay also runs, locally, over the traces it recorded. Plain values only.

use std::sync::Arc;

use super::span::{AttrValue, Trace};

/// What to search for: Jaeger's search form.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceQuery {
    /// Services to search (Jaeger searches one service at a time); empty is every service.
    pub services: Vec<String>,
    /// The operation (span name), empty for any.
    pub operation: String,
    /// Attribute (tag) filters, each `key = value`, all of which a span must carry.
    pub attributes: Vec<(String, String)>,
    /// Shortest trace duration, seconds.
    pub min_duration: Option<f64>,
    /// Longest trace duration, seconds.
    pub max_duration: Option<f64>,
    /// How far back from the end, seconds.
    pub lookback: f64,
    /// The end of the searched time (Unix s): the time conductor's end while paused; `None`
    /// is now.
    pub end: Option<f64>,
    /// At most this many traces (Jaeger's search depth).
    pub limit: usize,
}

/// Traces listed unless configured.
pub const DEFAULT_LIMIT: usize = 50;
/// How far back traces are searched unless configured.
pub const DEFAULT_LOOKBACK_SECS: f64 = 3_600.0;

impl Default for TraceQuery {
    fn default() -> Self {
        Self {
            services: Vec::new(),
            operation: String::new(),
            attributes: Vec::new(),
            min_duration: None,
            max_duration: None,
            lookback: DEFAULT_LOOKBACK_SECS,
            end: None,
            limit: DEFAULT_LIMIT,
        }
    }
}

impl TraceQuery {
    /// Whether `trace` (summarised as `s`) answers this query at display time `now`, as
    /// Jaeger decides: some span of one of the services (with the operation, if given) carries
    /// every attribute filter; the trace started within the lookback before the end (or
    /// `now`); its duration is in range.
    #[must_use]
    pub fn matches(&self, trace: &Trace, s: &TraceSummary, now: f64) -> bool {
        let end = self.end.map_or(now, |e| e.min(now));
        if s.start > end || s.start < end - self.lookback {
            return false;
        }
        if self.min_duration.is_some_and(|m| s.duration < m)
            || self.max_duration.is_some_and(|m| s.duration > m)
        {
            return false;
        }
        trace.spans.iter().any(|span| {
            let service = span.service.as_deref().unwrap_or("");
            (self.services.is_empty() || self.services.iter().any(|w| w == service))
                && (self.operation.is_empty() || span.name == self.operation)
                && self
                    .attributes
                    .iter()
                    .all(|(k, v)| attr_matches(span, k, v))
        })
    }
}

/// Jaeger's tag match: `error=true` also matches a failed status; otherwise the attribute's
/// value as text.
fn attr_matches(span: &super::span::Span, key: &str, want: &str) -> bool {
    if key == "error" && want == "true" && span.error {
        return true;
    }
    span.attributes.iter().any(|(k, v)| {
        &**k == key
            && match v {
                AttrValue::Str(s) => &**s == want,
                other => other.to_string() == want,
            }
    })
}

/// One line of the Traces pane.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceSummary {
    /// The trace id.
    pub trace_id: Arc<str>,
    /// Start of its earliest span, Unix seconds.
    pub start: f64,
    /// From the earliest start to the latest end, seconds.
    pub duration: f64,
    /// The root span's service (or, while the root has not arrived, the earliest span's).
    pub root_service: Arc<str>,
    /// The root span's operation.
    pub root_operation: String,
    /// How many spans.
    pub spans: usize,
    /// The services touched, sorted.
    pub services: Vec<Arc<str>>,
    /// Spans that failed.
    pub errors: usize,
    /// No span is a root (every one names a parent): the root, written when the command
    /// ends, has not arrived, so the trace is still running (or was cut short).
    pub running: bool,
}

impl TraceSummary {
    /// Summarises a trace. A trace with no spans has zero duration and no root.
    #[must_use]
    pub fn of(trace: &Trace) -> Self {
        let spans = &trace.spans;
        let start = spans.iter().map(|s| s.start).fold(f64::INFINITY, f64::min);
        let end = spans
            .iter()
            .map(|s| s.start + s.duration)
            .fold(f64::NEG_INFINITY, f64::max);
        let ids: std::collections::HashSet<&str> =
            spans.iter().map(|s| s.span_id.as_str()).collect();
        // The root: no parent, or a parent not in the trace; the earliest such.
        let root = spans
            .iter()
            .filter(|s| s.parent_id.as_deref().is_none_or(|p| !ids.contains(p)))
            .min_by(|a, b| a.start.total_cmp(&b.start))
            .or_else(|| spans.iter().min_by(|a, b| a.start.total_cmp(&b.start)));
        let mut services: Vec<Arc<str>> = spans.iter().filter_map(|s| s.service.clone()).collect();
        services.sort_unstable();
        services.dedup();
        Self {
            trace_id: trace.trace_id.clone(),
            start: if start.is_finite() { start } else { 0.0 },
            duration: if end.is_finite() && start.is_finite() {
                (end - start).max(0.0)
            } else {
                0.0
            },
            root_service: root
                .and_then(|r| r.service.clone())
                .unwrap_or_else(|| "?".into()),
            root_operation: root.map(|r| r.name.clone()).unwrap_or_default(),
            spans: spans.len(),
            services,
            errors: spans.iter().filter(|s| s.error).count(),
            running: super::waterfall::running(trace),
        }
    }
}

/// A listed trace: its summary, and the whole trace to open without another request.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    /// What the pane shows.
    pub summary: TraceSummary,
    /// The trace.
    pub trace: Arc<Trace>,
}

impl Listed {
    /// Summarises and wraps a trace.
    #[must_use]
    pub fn new(trace: Trace) -> Self {
        Self {
            summary: TraceSummary::of(&trace),
            trace: Arc::new(trace),
        }
    }
}

/// Traces newest first, keeping at most `limit`: the order Jaeger's search means. Borrowed
/// traces too, so a search over many clones only those it keeps.
pub fn newest_first<L: std::borrow::Borrow<Listed>>(list: &mut Vec<L>, limit: usize) {
    list.sort_by(|a, b| {
        let (a, b) = (&a.borrow().summary, &b.borrow().summary);
        b.start
            .total_cmp(&a.start)
            .then_with(|| a.trace_id.cmp(&b.trace_id))
    });
    list.dedup_by(|a, b| a.borrow().summary.trace_id == b.borrow().summary.trace_id);
    list.truncate(limit);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::span::{Span, SpanKind};

    pub(crate) fn span(id: &str, parent: Option<&str>, service: &str, start: f64, d: f64) -> Span {
        Span {
            trace_id: "t1".into(),
            span_id: id.into(),
            parent_id: parent.map(str::to_owned),
            links: vec![],
            name: format!("op-{id}"),
            service: Some(service.into()),
            kind: SpanKind::Internal,
            error: false,
            status_message: String::new(),
            start,
            duration: d,
            attributes: vec![("mode".into(), AttrValue::Str("auto".into()))],
            events: vec![],
            resource: vec![].into(),
        }
    }

    fn trace() -> Trace {
        let mut child = span("b", Some("a"), "mobility", 101.0, 5.0);
        child.error = true;
        Trace {
            trace_id: "t1".into(),
            // The child first, and a clock-skewed one starting before its parent.
            spans: vec![
                child,
                span("a", None, "ground-station", 100.0, 3.0),
                span("c", Some("a"), "nav", 99.5, 0.5),
            ],
            warnings: vec![],
        }
    }

    #[test]
    fn a_summary_spans_from_the_earliest_start_to_the_latest_end() {
        let s = TraceSummary::of(&trace());
        assert_eq!(s.start, 99.5);
        assert_eq!(s.duration, 6.5);
        assert_eq!(
            (&*s.root_service, s.root_operation.as_str()),
            ("ground-station", "op-a")
        );
        assert_eq!(
            s.services,
            ["ground-station".into(), "mobility".into(), "nav".into()]
        );
        assert_eq!((s.spans, s.errors), (3, 1));
        let empty = TraceSummary::of(&Trace::default());
        assert_eq!(
            (empty.start, empty.duration, &*empty.root_service),
            (0.0, 0.0, "?")
        );
    }

    #[test]
    fn a_query_matches_as_jaeger_search_does() {
        let t = trace();
        let s = TraceSummary::of(&t);
        let q = |f: &dyn Fn(&mut TraceQuery)| {
            let mut q = TraceQuery::default();
            f(&mut q);
            q.matches(&t, &s, 200.0)
        };
        assert!(q(&|_| {}));
        assert!(q(&|q| q.services = vec!["nav".into()]));
        assert!(!q(&|q| q.services = vec!["camera".into()]));
        assert!(q(&|q| q.operation = "op-b".into()));
        assert!(
            !q(&|q| {
                q.services = vec!["nav".into()];
                q.operation = "op-b".into();
            }),
            "the operation must be the service's"
        );
        assert!(q(&|q| q.attributes = vec![("error".into(), "true".into())]));
        assert!(q(&|q| q.attributes = vec![("mode".into(), "auto".into())]));
        assert!(!q(
            &|q| q.attributes = vec![("mode".into(), "manual".into())]
        ));
        assert!(q(&|q| q.min_duration = Some(6.0)));
        assert!(!q(&|q| q.max_duration = Some(6.0)));
        assert!(!q(&|q| q.lookback = 50.0), "started 100.5 s before now");
        assert!(
            !TraceQuery::default().matches(&t, &s, 99.0),
            "not yet started"
        );
    }

    #[test]
    fn listing_is_newest_first_without_repeats_and_bounded() {
        let mk = |id: &str, start: f64| {
            let mut t = Trace {
                trace_id: id.into(),
                spans: vec![span("a", None, "s", start, 1.0)],
                warnings: vec![],
            };
            t.spans[0].trace_id = id.into();
            Listed::new(t)
        };
        let mut list = vec![mk("x", 1.0), mk("y", 3.0), mk("x", 1.0), mk("z", 2.0)];
        newest_first(&mut list, 2);
        let ids: Vec<&str> = list.iter().map(|l| &*l.summary.trace_id).collect();
        assert_eq!(ids, ["y", "z"]);
    }
}
