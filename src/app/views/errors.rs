//! The errors view (`E`): each source with its state, the age of its last answer and its
//! full last error, wrapped — where a pane's title has room for `STALE 14s: prometheus:
//! cannot c…` only — and the warnings its last answer carried. `j` `k`, the list keys and
//! the wheel scroll it; `Esc` closes it. Also the line counts of the other scrolled views,
//! so `G` / `End` stop at their last page.

use super::Handled;
use crate::action::Action;
use crate::app::{App, FaultRow, Freshness, Origin};
use crate::model::conductor::format_age;
use crate::model::event::Event;
use crate::model::span::Trace;
use crate::source::SourceId;

/// The longest error or warning text shown, in characters: far past any real message (the
/// sources keep theirs shorter still), and a bound on what one line can cost.
const TEXT_MAX: usize = 4_000;

/// What a line of the errors view is, for its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorLineKind {
    /// A source's name and state, answering.
    Ok,
    /// A source's name and state, failing or silent.
    Stale,
    /// A source's name and state: nothing to say (waiting, not configured).
    Quiet,
    /// The text of an error.
    Text,
    /// A warning the source's last answer carried.
    Warning,
    /// Between sources.
    Blank,
}

/// One line of the errors view, made safe and cut to its width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorLine {
    /// What it is.
    pub kind: ErrorLineKind,
    /// Its text.
    pub text: String,
}

/// `text` (from outside: redacted, made one safe line) wrapped to lines of at most `width`
/// columns, each after `indent` spaces.
fn wrapped(text: &str, indent: usize, width: usize) -> Vec<String> {
    let text = crate::text::one_line(text, TEXT_MAX);
    let pad = " ".repeat(indent);
    crate::text::wrap(&text, width.saturating_sub(indent).max(8))
        .into_iter()
        .map(|l| format!("{pad}{l}"))
        .collect()
}

impl App {
    /// The errors view's lines for a view `width` columns wide.
    #[must_use]
    pub fn error_lines(&self, width: usize) -> Vec<ErrorLine> {
        let mut out = Vec::new();
        self.prometheus_lines(&mut out, width);
        let sources: [(SourceId, Freshness, Option<f64>, &[String]); 3] = [
            (
                SourceId::OpenSearch,
                self.events_freshness(),
                self.events.error.as_ref().map(|e| e.at),
                &self.events.warnings,
            ),
            (
                SourceId::Jaeger,
                self.traces_freshness(),
                self.traces.error.as_ref().map(|e| e.at),
                &[],
            ),
            (
                SourceId::Alertmanager,
                self.faults_freshness(),
                self.faults.error.as_ref().map(|e| e.at),
                &[],
            ),
        ];
        for (id, freshness, failed_at, warnings) in sources {
            out.push(line(ErrorLineKind::Blank, String::new()));
            let mut head = id.name().to_owned();
            if id == SourceId::OpenSearch && !self.events.query.is_empty() {
                head = format!("{head} · query {}", self.events.query);
            }
            self.source_lines(&mut out, width, &head, &freshness, failed_at);
            warning_lines(&mut out, width, warnings);
        }
        if let Some(r) = &self.replay {
            out.push(line(ErrorLineKind::Blank, String::new()));
            let state = if r.finished {
                "played to its end"
            } else {
                "playing"
            };
            let head = format!("replay · {} ×{} · {state}", r.name, r.speed);
            out.push(line(
                ErrorLineKind::Ok,
                crate::text::safe_line(&head, width),
            ));
        }
        out
    }

    /// Prometheus: each failing (or warned) query with its PromQL, state and whole error, and
    /// the others in one line.
    fn prometheus_lines(&self, out: &mut Vec<ErrorLine>, width: usize) {
        if self.config.prometheus.is_none() && self.replay.is_none() {
            let f = Freshness::Unconfigured(SourceId::Prometheus);
            self.source_lines(out, width, "prometheus", &f, None);
            return;
        }
        let mut fine = Vec::new();
        for (q, state) in self.queries.iter().enumerate() {
            let quiet = state.error.is_none() && state.warnings.is_empty();
            let promql = match self.config.queries.get(q) {
                Some(_) if quiet => {
                    fine.push(q);
                    continue;
                }
                Some(query) => query.promql.as_str(),
                // The runtime slot: only when it has something to say.
                None if quiet => continue,
                None => "(the chart's query)",
            };
            let head = format!("prometheus · query {} · {promql}", q + 1);
            let failed_at = state.error.as_ref().map(|e| e.at);
            self.source_lines(out, width, &head, &self.freshness(&[q]), failed_at);
            warning_lines(out, width, &state.warnings);
        }
        if !fine.is_empty() {
            let all = fine.len() == self.config.queries.len();
            let head = format!(
                "prometheus · {}{}",
                crate::text::plural(fine.len(), "query"),
                if all { "" } else { " more" }
            );
            self.source_lines(out, width, &head, &self.freshness(&fine), None);
        }
    }

    /// A source's head line (`name · state · ages`) and its error, wrapped.
    fn source_lines(
        &self,
        out: &mut Vec<ErrorLine>,
        width: usize,
        name: &str,
        freshness: &Freshness,
        failed_at: Option<f64>,
    ) {
        let age = |t: f64| format_age((self.now - t).max(0.0));
        let (kind, state) = match freshness {
            Freshness::Waiting => (
                ErrorLineKind::Quiet,
                "waiting for a first answer".to_owned(),
            ),
            Freshness::Unconfigured(id) => (ErrorLineKind::Quiet, format!("no [{id}] configured")),
            Freshness::Ok { age: a } => (
                ErrorLineKind::Ok,
                format!("ok · answered {} ago", format_age(*a)),
            ),
            Freshness::Stale { age: a, .. } => {
                let failed = failed_at.map(|t| format!(" · failed {} ago", age(t)));
                let last = a.map_or_else(
                    || " · no answer yet".to_owned(),
                    |a| format!(" · last answer {} ago", format_age(a)),
                );
                let failed = failed.unwrap_or_default();
                (ErrorLineKind::Stale, format!("STALE{failed}{last}"))
            }
        };
        let head = wrapped(&format!("{name} · {state}"), 0, width);
        out.extend(head.into_iter().map(|t| line(kind, t)));
        if let Freshness::Stale { reason, .. } = freshness {
            let lines = wrapped(&reason.to_string(), 4, width);
            out.extend(lines.into_iter().map(|t| line(ErrorLineKind::Text, t)));
        }
    }
}

fn line(kind: ErrorLineKind, text: String) -> ErrorLine {
    ErrorLine { kind, text }
}

/// Each warning of a source's last answer, wrapped.
fn warning_lines(out: &mut Vec<ErrorLine>, width: usize, warnings: &[String]) {
    for w in warnings {
        let lines = wrapped(&format!("warning: {w}"), 4, width);
        out.extend(lines.into_iter().map(|t| line(ErrorLineKind::Warning, t)));
    }
}

/// The errors view's keys: `Esc` closes it; the list keys scroll it (`navigate.rs`).
pub(super) fn handle(app: &mut App, action: &Action) -> Handled {
    match action {
        Action::DrillOut => Handled::POP,
        Action::SelectNext => app.scroll_text(1),
        Action::SelectPrev => app.scroll_text(-1),
        _ => Handled::Pass,
    }
}

/// How many lines an event's detail has: its document, pretty-printed.
pub(in crate::app) fn event_detail_len(event: &Event) -> usize {
    let pretty =
        serde_json::to_string_pretty(&*event.doc).unwrap_or_else(|_| event.doc.to_string());
    crate::text::safe_text(&pretty).lines().count()
}

/// How many lines a span's detail has (`None`: a running trace's placeholder root): its
/// fields, links, and the attributes, events and resource sections, as `ui/trace.rs` draws
/// them.
pub(in crate::app) fn span_detail_len(trace: &Trace, span: Option<usize>) -> usize {
    let Some(span) = span.and_then(|i| trace.spans.get(i)) else {
        return 6;
    };
    let events: usize = span.events.iter().map(|e| 1 + e.attributes.len()).sum();
    8 + span.links.len() + 3 * 2 + span.attributes.len() + events + span.resource.len()
}

/// How many lines a fault's detail has, as `ui/panes/faults.rs` draws it.
pub(in crate::app) fn fault_detail_len(fault: &FaultRow) -> usize {
    let notes = [&fault.shelf, &fault.ack, &fault.silence]
        .iter()
        .filter(|n| n.is_some())
        .count();
    let origin = match &fault.origin {
        Origin::Alert(f) => {
            f.annotations.len()
                + usize::from(crate::app::rule_expression(&f.generator_url).is_some())
                + 1
        }
        Origin::Slo(_) => 1,
    };
    3 + notes + fault.labels.len() + origin
}

#[cfg(test)]
mod tests {
    use super::wrapped;

    #[test]
    fn long_text_wraps_at_spaces_and_keeps_every_word() {
        let text = "prometheus: cannot connect to http://127.0.0.1:9/api/v1/query_range: connection refused (os error 111)";
        let lines = wrapped(text, 4, 40);
        assert!(lines.iter().all(|l| l.chars().count() <= 40), "{lines:#?}");
        assert!(lines.iter().all(|l| l.starts_with("    ")));
        let words = |t: &str| t.split_whitespace().collect::<String>();
        assert_eq!(words(&lines.concat()), words(text), "no character lost");
        assert!(
            lines[0].ends_with("connect to"),
            "broken at a space: {lines:#?}"
        );
    }

    #[test]
    fn a_word_longer_than_the_line_is_split() {
        let lines = wrapped(&"x".repeat(50), 0, 20);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines.concat(), "x".repeat(50));
    }
}
