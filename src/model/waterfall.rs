//! A trace as a waterfall: its spans as a tree in display order (depth-first, children by start
//! time), which subtrees are collapsed, and which spans are on the critical path
//! (`critical_path.rs`, as Jaeger UI computes it). A running trace — every span names a parent,
//! because the root is written when the command ends — lays out under one placeholder root row,
//! which has no span. Malformed traces still lay out: a span whose parent is missing is a root
//! marked as an orphan, children listed before parents are found, duplicate span ids each get a
//! row, and a parent cycle cannot loop.

use std::collections::{HashMap, HashSet};

use super::critical_path;
use super::span::Trace;

/// One row of the waterfall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent marks of one row, drawn as such"
)]
pub struct Row {
    /// Index into `trace.spans`; `None` for a running trace's placeholder root.
    pub span: Option<usize>,
    /// Nesting depth (roots are 0).
    pub depth: usize,
    /// Whether the span has children (shown or collapsed).
    pub has_children: bool,
    /// Whether its children are hidden.
    pub collapsed: bool,
    /// Whether it lies on the critical path.
    pub critical: bool,
    /// Whether it names a parent that is not in the trace.
    pub orphan: bool,
}

/// A trace's spans as a tree: roots and each span's children, both in start order.
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    /// Spans with no parent in the trace, by start (under the placeholder, if there is one).
    pub roots: Vec<usize>,
    /// Each span's children, by start.
    pub children: Vec<Vec<usize>>,
    /// Whether each span names a parent that is not in the trace.
    pub orphan: Vec<bool>,
    /// The root a running trace waits for, whose children are `roots`.
    pub placeholder: Option<Placeholder>,
}

/// The root of a running trace, not arrived yet: a row without a span, over the spans that have
/// no parent in the trace, spanning the whole trace so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Placeholder {
    /// The span id those spans name as their parent, when they all name the same one.
    pub span_id: Option<String>,
    /// The earliest start, Unix seconds.
    pub start: f64,
    /// The latest end, Unix seconds.
    pub end: f64,
}

/// Whether `trace` is still running: it has spans and every one names a parent, so its root,
/// written when the command ends, has not arrived (or the trace was cut short).
#[must_use]
pub fn running(trace: &Trace) -> bool {
    !trace.spans.is_empty() && trace.spans.iter().all(|s| s.parent_id.is_some())
}

/// Builds `trace`'s tree: the first span with an id is the one children attach to; a span whose
/// parent is missing (or itself) is a root — under a placeholder when the trace is running.
#[must_use]
pub fn tree(trace: &Trace) -> Tree {
    let spans = &trace.spans;
    let mut by_id: HashMap<&str, usize> = HashMap::with_capacity(spans.len());
    for (i, s) in spans.iter().enumerate() {
        by_id.entry(s.span_id.as_str()).or_insert(i);
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); spans.len()];
    let mut roots = Vec::new();
    let mut orphan = vec![false; spans.len()];
    for (i, s) in spans.iter().enumerate() {
        match s.parent_id.as_deref().and_then(|p| by_id.get(p)) {
            Some(&p) if p != i => children[p].push(i),
            _ => {
                orphan[i] = s.parent_id.is_some();
                roots.push(i);
            }
        }
    }
    let by_start = |list: &mut Vec<usize>| {
        list.sort_by(|&a, &b| spans[a].start.total_cmp(&spans[b].start).then(a.cmp(&b)));
    };
    by_start(&mut roots);
    children.iter_mut().for_each(by_start);
    let placeholder = running(trace).then(|| {
        let mut named = roots.iter().filter_map(|&r| spans[r].parent_id.as_deref());
        let first = named.next();
        Placeholder {
            span_id: first.filter(|&f| named.all(|p| p == f)).map(str::to_owned),
            start: spans.iter().map(|s| s.start).fold(f64::INFINITY, f64::min),
            end: spans
                .iter()
                .map(|s| s.start + s.duration)
                .fold(f64::NEG_INFINITY, f64::max),
        }
    });
    Tree {
        roots,
        children,
        orphan,
        placeholder,
    }
}

/// Lays out `trace`, hiding the subtrees of the span indices in `collapsed`.
#[must_use]
pub fn layout<S: std::hash::BuildHasher>(trace: &Trace, collapsed: &HashSet<usize, S>) -> Vec<Row> {
    let spans = &trace.spans;
    let tree = tree(trace);
    let mut critical = vec![false; spans.len()];
    for s in critical_path::sections(trace, &tree) {
        critical[s.span] = true;
    }
    let Tree {
        roots,
        children,
        orphan,
        placeholder,
    } = tree;
    let mut rows = Vec::with_capacity(spans.len() + 1);
    // The placeholder has no span to collapse or to be on the critical path with.
    if placeholder.is_some() {
        rows.push(Row {
            span: None,
            depth: 0,
            has_children: !roots.is_empty(),
            collapsed: false,
            critical: false,
            orphan: false,
        });
    }
    let top = usize::from(placeholder.is_some());
    let mut seen = vec![false; spans.len()];
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&r| (r, top)).collect();
    while let Some((i, depth)) = stack.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue; // a cycle
        }
        let hidden = collapsed.contains(&i);
        rows.push(Row {
            span: Some(i),
            depth,
            has_children: !children[i].is_empty(),
            collapsed: hidden,
            critical: critical[i],
            orphan: orphan[i],
        });
        if !hidden {
            stack.extend(children[i].iter().rev().map(|&c| (c, depth + 1)));
        }
    }
    // Spans only reachable through a parent cycle still get a row (hidden ones do not).
    let mut reachable = vec![false; spans.len()];
    let mut walk = roots.clone();
    while let Some(i) = walk.pop() {
        if !std::mem::replace(&mut reachable[i], true) {
            walk.extend(&children[i]);
        }
    }
    for (i, _) in reachable.iter().enumerate().filter(|(_, r)| !**r) {
        {
            rows.push(Row {
                span: Some(i),
                depth: 0,
                has_children: false,
                collapsed: false,
                critical: false,
                orphan: true,
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::span::Span;

    fn span(id: &str, parent: Option<&str>, start: f64, duration: f64) -> Span {
        Span::bare(id, parent, start, duration)
    }

    fn names(trace: &Trace, rows: &[Row]) -> Vec<(String, usize)> {
        rows.iter()
            .map(|r| {
                let id = r.span.map_or("(placeholder)", |i| &trace.spans[i].span_id);
                (id.to_owned(), r.depth)
            })
            .collect()
    }

    #[test]
    fn children_listed_before_parents_nest_in_start_order() {
        let t = Trace {
            trace_id: "t".into(),
            spans: vec![
                span("c2", Some("root"), 5.0, 1.0),
                span("c1", Some("root"), 1.0, 8.0),
                span("g", Some("c1"), 2.0, 1.0),
                span("root", None, 0.0, 10.0),
            ],
            warnings: vec![],
        };
        let rows = layout(&t, &HashSet::new());
        let want = [("root", 0), ("c1", 1), ("g", 2), ("c2", 1)].map(|(n, d)| (n.to_owned(), d));
        assert_eq!(names(&t, &rows), want);
        let critical: Vec<String> = names(&t, &rows)
            .into_iter()
            .zip(&rows)
            .filter(|(_, r)| r.critical)
            .map(|((id, _), _)| id)
            .collect();
        assert_eq!(
            critical,
            ["root", "c1", "g"],
            "c1 ends last (9 s), then its child"
        );
    }

    #[test]
    fn a_missing_parent_makes_an_orphan_root_and_collapsing_hides_a_subtree() {
        let t = Trace {
            trace_id: "t".into(),
            spans: vec![
                span("a", None, 0.0, 1.0),
                span("b", Some("a"), 0.1, 0.5),
                span("x", Some("gone"), 0.2, 0.1),
            ],
            warnings: vec![],
        };
        let rows = layout(&t, &HashSet::from([0]));
        assert_eq!(names(&t, &rows), [("a".to_owned(), 0), ("x".to_owned(), 0)]);
        assert!(rows[0].collapsed && rows[0].has_children);
        assert!(rows[1].orphan);
    }

    #[test]
    fn duplicates_and_cycles_cannot_lose_a_span_or_loop() {
        let t = Trace {
            trace_id: "t".into(),
            spans: vec![
                span("a", Some("b"), 0.0, 1.0),
                span("b", Some("a"), 0.0, 1.0),
                span("d", None, 0.0, 1.0),
                span("d", None, 0.5, 1.0),
            ],
            warnings: vec![],
        };
        let rows = layout(&t, &HashSet::new());
        let mut shown: Vec<Option<usize>> = rows.iter().map(|r| r.span).collect();
        shown.sort_unstable();
        assert_eq!(
            shown,
            [Some(0), Some(1), Some(2), Some(3)],
            "every span exactly once"
        );
    }

    /// The bundled demo's running drive, cut down: the root (`sequence.execute`, `x`) has not
    /// arrived; two of its children have, one with a child of its own.
    fn running_drive() -> Trace {
        Trace {
            trace_id: "t".into(),
            spans: vec![
                span("seg", Some("x"), 5.0, 120.0),
                span("plan", Some("x"), 0.0, 4.4),
                span("check", Some("seg"), 30.0, 0.1),
            ],
            warnings: vec![],
        }
    }

    #[test]
    fn the_orphans_of_a_running_trace_sit_under_one_placeholder_root() {
        let t = running_drive();
        let tree = tree(&t);
        assert_eq!(
            tree.placeholder,
            Some(Placeholder {
                span_id: Some("x".into()),
                start: 0.0,
                end: 125.0,
            })
        );
        let rows = layout(&t, &HashSet::new());
        let want = [("(placeholder)", 0), ("plan", 1), ("seg", 1), ("check", 2)]
            .map(|(n, d)| (n.to_owned(), d));
        assert_eq!(names(&t, &rows), want);
        assert!(rows[0].has_children && !rows[0].critical && !rows[0].orphan);
        assert!(rows[1].orphan && rows[2].orphan && !rows[3].orphan);
        let critical: Vec<bool> = rows.iter().map(|r| r.critical).collect();
        assert_eq!(critical, [false, true, true, true]);
    }

    #[test]
    fn orphans_naming_different_parents_share_one_placeholder_without_an_id() {
        let mut t = running_drive();
        t.spans.push(span("other", Some("y"), 1.0, 1.0));
        let rows = layout(&t, &HashSet::new());
        assert_eq!(tree(&t).placeholder.and_then(|p| p.span_id), None);
        assert_eq!(rows.iter().filter(|r| r.span.is_none()).count(), 1);
        assert_eq!(rows.iter().filter(|r| r.depth == 1).count(), 3);
    }

    #[test]
    fn a_trace_with_its_root_has_no_placeholder() {
        let mut t = running_drive();
        t.spans.push(span("x", None, 0.0, 130.0));
        assert_eq!(tree(&t).placeholder, None);
        let rows = layout(&t, &HashSet::new());
        assert!(rows.iter().all(|r| r.span.is_some()));
        assert_eq!(rows[0].span, Some(3));
    }
}
