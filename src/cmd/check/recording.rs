//! `capcom check` on a recording: does it answer everything its dashboard asks — each query,
//! the events, the traces and the faults — with every answering file present? It reads the manifest and
//! looks for the files; it parses no body.

use crate::config::{Config, PaneKind, QueryId};
use crate::source::recording::{Manifest, Recording};
use crate::text::{plural, safe_line};

use super::Stdout;

/// A recorded source a pane needs as a whole (Prometheus is answered query by query).
struct Whole {
    /// What the pane shows, for the message.
    what: &'static str,
    /// The pane that shows it.
    pane: fn(&PaneKind) -> bool,
    /// The manifest's files that answer it.
    files: fn(&Manifest) -> Vec<&str>,
}

/// Every recorded source a pane needs as a whole; another one is one more entry.
const WHOLE: [Whole; 3] = [
    Whole {
        what: "events",
        pane: |k| matches!(k, PaneKind::Events),
        files: |m| m.opensearch.iter().map(|e| e.file.as_str()).collect(),
    },
    Whole {
        what: "traces",
        pane: |k| matches!(k, PaneKind::Traces),
        files: |m| m.jaeger.iter().map(|e| e.file.as_str()).collect(),
    },
    Whole {
        what: "faults",
        pane: |k| matches!(k, PaneKind::Faults),
        files: |m| {
            let polls = m.alertmanager.iter();
            polls
                .flat_map(|e| [e.alerts.as_str(), e.silences.as_str()])
                .collect()
        },
    },
];

/// Checks that `rec` answers everything `c` asks — each query (by the replay's own match), and
/// the events, traces or faults when a pane shows them, every answering file present — printing a
/// `FAIL` line naming each gap and who asked, or one `ok` line. Returns how many gaps.
pub(super) fn gaps(c: &Config, rec: &Recording, out: &mut Stdout) -> usize {
    let mut gaps = 0;
    let mut gap = |what: &str, asked: &[String], files: &[&str]| {
        let why = if files.is_empty() {
            String::new()
        } else if let Some(why) = files.iter().find_map(|f| {
            let shown = safe_line(f, 80);
            rec.has_body(f).err().map(|e| {
                if e.is_missing() {
                    format!(": {shown} is missing")
                } else {
                    format!(": {shown} {e}")
                }
            })
        }) {
            why
        } else {
            return;
        };
        let asked = if asked.is_empty() {
            String::new()
        } else {
            format!(" ({})", asked.join(", "))
        };
        gaps += 1;
        out.line(format_args!(
            "FAIL recording: no answer for {what}{asked}{why}"
        ));
    };
    let mut queries: Vec<&str> = Vec::new();
    for q in &c.queries {
        if queries.contains(&q.promql.as_str()) {
            continue;
        }
        queries.push(&q.promql);
        let files: Vec<&str> = rec.manifest.answers(&q.promql).map(|e| &*e.file).collect();
        let what = format!("query {}", safe_line(&q.promql, 200));
        gap(&what, &askers(c, &q.promql), &files);
    }
    let mut answered = vec![format!("all {}", plural(queries.len(), "query"))];
    for whole in &WHOLE {
        let panes: Vec<String> = c
            .panes
            .iter()
            .filter(|p| (whole.pane)(&p.kind))
            .map(|p| format!("pane {}", safe_line(&p.id, 40)))
            .collect();
        if !panes.is_empty() {
            gap(whole.what, &panes, &(whole.files)(&rec.manifest));
            answered.push(format!("the {}", whole.what));
        }
    }
    if gaps == 0 {
        let closing = answered.pop().unwrap_or_default();
        let list = if answered.is_empty() {
            closing
        } else {
            format!("{} and {closing}", answered.join(", "))
        };
        out.line(format_args!(
            "ok   recording {}: answers {list}",
            crate::text::one_line(&rec.origin, 120)
        ));
    }
    gaps
}

/// Who asks for the query `promql`: each pane that shows it, each SLO that reads it.
fn askers(c: &Config, promql: &str) -> Vec<String> {
    let same = |id: QueryId| c.queries.get(id).is_some_and(|q| q.promql == promql);
    let mut out = Vec::new();
    for p in &c.panes {
        let ids: Vec<QueryId> = match &p.kind {
            PaneKind::Chart(ids) | PaneKind::Table(ids) => ids.clone(),
            PaneKind::Path { x, y, heading } => [Some(*x), Some(*y), *heading]
                .into_iter()
                .flatten()
                .collect(),
            _ => Vec::new(),
        };
        if ids.into_iter().any(same) {
            out.push(format!("pane {}", safe_line(&p.id, 40)));
        }
    }
    for s in &c.slos {
        let mut ids =
            (s.windows.iter().map(|w| w.1)).chain([s.period_query, s.data_query, s.history_query]);
        if ids.any(same) {
            out.push(format!("slo {}", safe_line(&s.name, 40)));
        }
    }
    out
}
