//! The critical path as Jaeger UI computes it: the stretches of time, span by span, that decided
//! how long the trace took.
//!
//! From each root: the child that finished last is on the path from its end to the parent's
//! end; inside it the same again; when a span has no child left, the path walks back up to its
//! parent and takes the child that finished before that span *started*, and so on until the
//! parent's own start. So a long `image.compress` that ends just before a short
//! `downlink.queue` is on the path, not only the last one to end.
//!
//! Before walking, each child is fitted into its parent's time (children that lie wholly outside
//! are dropped with their subtrees), and a consumer under a producer is left out: it does not
//! block its parent. Times are compared exactly as they arrive; nothing is rounded.
//!
//! A running trace (its root not arrived) is walked from its placeholder root as if it were the
//! root, over the whole trace's time; having no span, the placeholder gets no section of its own.

use super::span::{SpanKind, Trace};
use super::waterfall::Tree;

/// One stretch of the critical path: span `span` (an index into `trace.spans`) was what the
/// trace waited on from `start` to `end` (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Section {
    /// Index into `trace.spans`.
    pub span: usize,
    /// Start, Unix seconds.
    pub start: f64,
    /// End, Unix seconds.
    pub end: f64,
}

/// The critical path of `trace`, from the end of each root backwards (Jaeger UI's order), roots
/// by start time; a running trace's from the end of its placeholder root.
#[must_use]
pub fn sections(trace: &Trace, tree: &Tree) -> Vec<Section> {
    let mut out = Vec::new();
    if tree.placeholder.is_some() {
        let root = trace.spans.len();
        walk(&Blocking::new(trace, tree, root), root, &mut out);
        return out;
    }
    for &root in &tree.roots {
        walk(&Blocking::new(trace, tree, root), root, &mut out);
    }
    out
}

/// The blocking subtree under one root, every span fitted into its parent's time. Index
/// `trace.spans.len()` is the placeholder root of a running trace, whose children are the
/// tree's roots.
struct Blocking {
    /// Children on the path's tree, in start order; empty for spans not in it.
    children: Vec<Vec<usize>>,
    /// Parent on the path's tree.
    parent: Vec<Option<usize>>,
    /// Start and end after fitting.
    start: Vec<f64>,
    end: Vec<f64>,
    /// The placeholder's index, which has no span (and so no section).
    placeholder: usize,
}

impl Blocking {
    fn new(trace: &Trace, tree: &Tree, root: usize) -> Self {
        let n = trace.spans.len();
        let (p_start, p_end) = tree
            .placeholder
            .as_ref()
            .map_or((0.0, 0.0), |p| (p.start, p.end));
        let mut b = Self {
            children: vec![Vec::new(); n + 1],
            parent: vec![None; n + 1],
            start: trace
                .spans
                .iter()
                .map(|s| s.start)
                .chain([p_start])
                .collect(),
            end: (trace.spans.iter().map(|s| s.start + s.duration))
                .chain([p_end])
                .collect(),
            placeholder: n,
        };
        let kind = |i: usize| trace.spans.get(i).map(|s| s.kind);
        let blocks = |parent: usize, child: usize| {
            !(kind(parent) == Some(SpanKind::Producer) && kind(child) == Some(SpanKind::Consumer))
        };
        // Depth-first from the root, parents before their children, so each child is fitted
        // into its parent's already fitted time.
        let mut seen = vec![false; n + 1];
        let mut stack = vec![root];
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue; // a cycle
            }
            let children = tree.children.get(i).unwrap_or(&tree.roots);
            for &c in children {
                if seen[c] || !blocks(i, c) || !b.fit(c, i) {
                    continue;
                }
                b.children[i].push(c);
                b.parent[c] = Some(i);
            }
            stack.extend(b.children[i].iter().rev());
        }
        b
    }

    /// Fits child `c` into parent `p`'s time; false when it lies wholly outside (dropped).
    fn fit(&mut self, c: usize, p: usize) -> bool {
        let (ps, pe) = (self.start[p], self.end[p]);
        let (cs, ce) = (self.start[c], self.end[c]);
        if cs >= pe || (cs < ps && ce <= ps) {
            return false;
        }
        self.start[c] = cs.max(ps);
        self.end[c] = ce.min(pe);
        true
    }

    /// The child of `span` that finished last, or last before `before`.
    fn last_finishing(&self, span: usize, before: Option<f64>) -> Option<usize> {
        let mut best: Option<usize> = None;
        for &c in &self.children[span] {
            let end = self.end[c];
            if before.is_some_and(|t| end >= t) {
                continue;
            }
            if best.is_none_or(|b| end > self.end[b]) {
                best = Some(c);
            }
        }
        best
    }
}

/// Jaeger UI's walk (recursive there, a loop here): down through last-finishing children, back
/// up to the parent with the time the child started.
fn walk(b: &Blocking, root: usize, out: &mut Vec<Section>) {
    let mut at = root;
    let mut returning: Option<f64> = None;
    // Each span is entered once from above and once per child returning to it.
    for _ in 0..2 * b.start.len() + 2 {
        let end = returning.unwrap_or(b.end[at]);
        let mut push = |span: usize, start: f64| {
            if span != b.placeholder {
                push(out, span, start, end);
            }
        };
        if let Some(child) = b.last_finishing(at, returning) {
            push(at, b.end[child]);
            at = child;
            returning = None;
        } else {
            push(at, b.start[at]);
            match b.parent[at] {
                Some(p) => {
                    returning = Some(b.start[at]);
                    at = p;
                }
                None => return,
            }
        }
    }
}

fn push(out: &mut Vec<Section>, span: usize, start: f64, end: f64) {
    #[expect(clippy::float_cmp, reason = "Jaeger UI drops exactly empty sections")]
    if start != end {
        out.push(Section { span, start, end });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::span::Span;
    use crate::model::waterfall::tree;

    fn span(id: &str, parent: Option<&str>, start: f64, duration: f64, kind: SpanKind) -> Span {
        Span {
            kind,
            ..Span::bare(id, parent, start, duration)
        }
    }

    type Case = (
        &'static str,
        &'static [(&'static str, Option<&'static str>, f64, f64, SpanKind)],
        &'static [(&'static str, f64, f64)],
    );

    use SpanKind::{Consumer as C, Internal as I, Producer as P};

    /// Jaeger UI's own critical-path cases (`packages/jaeger-ui/src/components/TracePage/
    /// CriticalPath/testCases/test1.js` … `test9.js`), restated as data: each trace's spans as
    /// (id, parent, start, duration, kind), and the sections Jaeger UI expects, in its order.
    /// (test5's consumer names its producer through `FOLLOWS_FROM`, which Jaeger UI takes as
    /// the parent when there is no `CHILD_OF`.)
    const JAEGER_UI: &[Case] = &[
        (
            "test1: the path walks back from E to C to D",
            &[
                ("E", Some("C"), 50.0, 10.0, I),
                ("C", None, 1.0, 100.0, I),
                ("D", Some("C"), 20.0, 20.0, I),
            ],
            &[
                ("C", 60.0, 101.0),
                ("E", 50.0, 60.0),
                ("C", 40.0, 50.0),
                ("D", 20.0, 40.0),
                ("C", 1.0, 20.0),
            ],
        ),
        (
            "test2: overlapping children, the one ending last wins",
            &[
                ("X", None, 1.0, 100.0, I),
                ("A", Some("X"), 10.0, 40.0, I),
                ("C", Some("X"), 20.0, 40.0, I),
            ],
            &[("X", 60.0, 101.0), ("C", 20.0, 60.0), ("X", 1.0, 20.0)],
        ),
        (
            "test3: a child starting after its parent ended is dropped",
            &[
                ("006c3cf93508f205", None, 100.0, 40.0, I),
                (
                    "2dc4b796e2127e32",
                    Some("006c3cf93508f205"),
                    200.0,
                    300.0,
                    I,
                ),
            ],
            &[("006c3cf93508f205", 100.0, 140.0)],
        ),
        (
            "test4: a dropped child's children are dropped too",
            &[
                ("A", None, 1.0, 30.0, I),
                ("B", Some("A"), 40.0, 40.0, I),
                ("c", Some("B"), 50.0, 10.0, I),
            ],
            &[("A", 1.0, 31.0)],
        ),
        (
            "test5: a consumer does not block its producer",
            &[
                ("A", None, 1.0, 30.0, P),
                ("B", Some("A"), 10.0, 10.0, C),
                ("C", Some("B"), 12.0, 2.0, I),
            ],
            &[("A", 1.0, 31.0)],
        ),
        (
            "test6: children overflowing their parent are cut to it",
            &[
                ("A", None, 1.0, 29.0, I),
                ("B", Some("A"), 15.0, 20.0, I),
                ("C", Some("B"), 10.0, 15.0, I),
            ],
            &[("B", 25.0, 30.0), ("C", 15.0, 25.0), ("A", 1.0, 15.0)],
        ),
        (
            "test7: a child ending after its cut parent",
            &[
                ("A", None, 1.0, 29.0, I),
                ("B", Some("A"), 15.0, 20.0, I),
                ("C", Some("B"), 20.0, 20.0, I),
            ],
            &[("C", 20.0, 30.0), ("B", 15.0, 20.0), ("A", 1.0, 15.0)],
        ),
        (
            "test8: a child wider than its parent on both sides",
            &[("A", None, 10.0, 20.0, I), ("B", Some("A"), 5.0, 30.0, I)],
            &[("B", 10.0, 30.0)],
        ),
        (
            "test9: a child ending before its parent started is dropped",
            &[("A", None, 10.0, 20.0, I), ("B", Some("A"), 1.0, 4.0, I)],
            &[("A", 10.0, 30.0)],
        ),
    ];

    fn path(spans: Vec<Span>) -> Vec<(String, f64, f64)> {
        let t = Trace {
            trace_id: "t".into(),
            spans,
            warnings: vec![],
        };
        sections(&t, &tree(&t))
            .iter()
            .map(|s| (t.spans[s.span].span_id.clone(), s.start, s.end))
            .collect()
    }

    #[test]
    fn jaeger_uis_own_cases() {
        for (name, spans, want) in JAEGER_UI {
            let spans = spans
                .iter()
                .map(|&(id, parent, start, duration, kind)| span(id, parent, start, duration, kind))
                .collect();
            let want: Vec<(String, f64, f64)> = want
                .iter()
                .map(|&(id, s, e)| (id.to_owned(), s, e))
                .collect();
            assert_eq!(path(spans), want, "{name}");
        }
    }

    #[test]
    fn the_long_child_before_the_last_one_is_on_the_path() {
        // The navcam shape: compress takes 2.49 s, then a 5.6 ms queue ends last.
        let got = path(vec![
            span("capture", None, 0.0, 2.6, I),
            span("compress", Some("capture"), 0.05, 2.49, I),
            span("queue", Some("capture"), 2.55, 0.0056, I),
        ]);
        let on: Vec<&str> = got.iter().map(|(id, _, _)| id.as_str()).collect();
        assert!(on.contains(&"compress"), "{got:?}");
        assert!(on.contains(&"queue"), "{got:?}");
    }

    #[test]
    fn a_running_trace_is_walked_under_its_placeholder_without_a_section_of_its_own() {
        // The demo's drive before its root arrives: every span names the missing `x`. The walk
        // starts at the last to end (seg2), steps back through seg1 and ack to plan; assess
        // ends after plan started, so it is off the path. The gaps are the placeholder's.
        let got = path(vec![
            span("plan", Some("x"), 0.0, 4.0, I),
            span("assess", Some("x"), 0.25, 3.0, I),
            span("ack", Some("x"), 4.5, 0.25, I),
            span("seg1", Some("x"), 5.0, 119.0, I),
            span("seg2", Some("x"), 125.0, 118.0, I),
            span("check", Some("seg2"), 150.0, 0.5, I),
        ]);
        let want = [
            ("seg2", 150.5, 243.0),
            ("check", 150.0, 150.5),
            ("seg2", 125.0, 150.0),
            ("seg1", 5.0, 124.0),
            ("ack", 4.5, 4.75),
            ("plan", 0.0, 4.0),
        ];
        let got: Vec<(&str, f64, f64)> = got.iter().map(|(i, s, e)| (i.as_str(), *s, *e)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_parent_cycle_or_an_orphan_cannot_loop() {
        let got = path(vec![
            span("a", Some("b"), 0.0, 1.0, I),
            span("b", Some("a"), 0.0, 1.0, I),
            span("x", Some("gone"), 0.0, 2.0, I),
        ]);
        assert_eq!(got, [("x".to_owned(), 0.0, 2.0)]);
    }
}
