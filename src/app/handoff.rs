//! Hand-offs over ssh: `y` copies the selection (a trace's or span's id, an event's id, a
//! query, a fault's labels as a matcher) to the clipboard through the terminal (OSC 52), `o`
//! shows and copies its link in a web UI (Jaeger UI, Prometheus' graph page, OpenSearch
//! Dashboards), `:` charts an ad-hoc `PromQL` query over the conductor's window.

use super::views::{AlertChartView, chart};
use super::{App, Handled, View};
use crate::action::{Action, Effect};
use crate::config::PaneKind;

/// The most ad-hoc queries remembered.
pub const HISTORY_MAX: usize = 100;

/// The longest text copied: far above any id or query, far below what terminals refuse.
const COPY_MAX_BYTES: usize = 32 * 1024;

/// What hand-offs keep: the ad-hoc queries typed (this run's and earlier runs'), and whether
/// the terminal is known to refuse a copy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HandoffState {
    /// Ad-hoc queries typed, oldest first, each once, at most [`HISTORY_MAX`].
    pub history: Vec<String>,
    /// The history entry the ad-hoc prompt shows while `↑` `↓` walk it.
    walking: Option<usize>,
    /// The line being typed before the walk started, shown again past the newest entry.
    draft: String,
    /// Why a copy (OSC 52) will not reach the clipboard, when capcom can tell at start
    /// (inside tmux with `set-clipboard` off, on the Linux console).
    pub clipboard_refused: Option<String>,
}

impl HandoffState {
    /// The line `↑` (`back`) or `↓` shows at the ad-hoc prompt now showing `line`, if it
    /// changes.
    pub(super) fn walk_history(&mut self, line: &str, back: bool) -> Option<String> {
        let last = self.history.len().checked_sub(1)?;
        let to = match (self.walking, back) {
            (None, true) => {
                line.clone_into(&mut self.draft);
                Some(last)
            }
            (None, false) => return None,
            (Some(at), true) => Some(at.saturating_sub(1)),
            (Some(at), false) if at < last => Some(at + 1),
            (Some(_), false) => None,
        };
        self.walking = to;
        Some(match to {
            Some(at) => self.history[at].clone(),
            None => std::mem::take(&mut self.draft),
        })
    }

    /// Remembers `query` as the newest (once: an earlier copy moves up), the oldest dropped
    /// past [`HISTORY_MAX`]; the walk starts over.
    pub(super) fn remember(&mut self, query: &str) {
        self.walking = None;
        self.draft.clear();
        self.history.retain(|q| q != query);
        self.history.push(query.to_owned());
        let extra = self.history.len().saturating_sub(HISTORY_MAX);
        self.history.drain(..extra);
    }
}

/// What `y` copies and `o` links to.
#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    /// A trace.
    Trace(String),
    /// A span of a trace.
    Span {
        /// The trace's id.
        trace: String,
        /// The span's id.
        span: String,
    },
    /// An event: its document's id, index and time.
    Event {
        /// The document's `_id`.
        id: String,
        /// Its index.
        index: String,
        /// Its time, if it has one.
        t: Option<f64>,
    },
    /// `PromQL` queries (a chart's, an ad-hoc one, a rule's).
    Queries(Vec<String>),
    /// A fault's labels, as an Alertmanager / `PromQL` matcher: `{alertname="X", …}`.
    Fault(String),
}

impl Selection {
    /// What is copied, and what it is called in the status bar.
    fn text(&self) -> (String, &'static str) {
        match self {
            Self::Trace(id) => (id.clone(), "trace id"),
            Self::Span { span, .. } => (span.clone(), "span id"),
            Self::Event { id, .. } => (id.clone(), "event id"),
            Self::Queries(q) if q.len() == 1 => (q[0].clone(), "query"),
            Self::Queries(q) => (q.join("\n"), "queries, one a line"),
            Self::Fault(m) => (m.clone(), "fault's labels as a matcher"),
        }
    }
}

/// A label value quoted as `PromQL` and Alertmanager read it: `"…"` with `\`, `"` and line
/// breaks escaped.
fn quote_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 2);
    out.push('"');
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `text` percent-encoded for a URL's query or fragment: RFC 3986's unreserved characters
/// kept, every other byte `%XX`.
#[must_use]
pub fn percent(text: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A Unix time as an ISO 8601 UTC instant, `2026-11-26T09:05:00Z`.
fn iso(t: f64) -> String {
    chrono::DateTime::from_timestamp(t.floor() as i64, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// Prometheus' graph page showing `queries` over `window` seconds ending at `end`: one panel
/// each, `g0.expr`, `g0.range_input`, `g0.end_input` (UTC), URL-encoded.
#[must_use]
pub fn prometheus_link(base: &str, queries: &[String], window: f64, end: f64) -> String {
    let end_input = chrono::DateTime::from_timestamp(end.ceil() as i64, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default();
    let range = format!("{}s", window.round().max(1.0));
    let panels: Vec<String> = queries
        .iter()
        .enumerate()
        .map(|(i, q)| {
            format!(
                "g{i}.expr={}&g{i}.tab=0&g{i}.range_input={}&g{i}.end_input={}",
                percent(q),
                percent(&range),
                percent(&end_input)
            )
        })
        .collect();
    format!("{base}/graph?{}", panels.join("&"))
}

/// Jaeger UI's page of a trace, the span found in it when given.
#[must_use]
pub fn jaeger_link(base: &str, trace: &str, span: Option<&str>) -> String {
    let find = span.map_or(String::new(), |s| format!("?uiFind={}", percent(s)));
    format!("{base}/trace/{}{find}", percent(trace))
}

/// OpenSearch Dashboards' Discover showing one document: its index and `_id` as the query,
/// five minutes either side of its time (the last day without one).
#[must_use]
pub fn dashboards_link(base: &str, index: &str, id: &str, t: Option<f64>, now: f64) -> String {
    // Rison strings are quoted with `'`, in which `!` and `'` are escaped with `!`; inside,
    // the query language's own strings are quoted with `"`.
    let rison = |s: &str| s.replace('!', "!!").replace('\'', "!'");
    let kql = |s: &str| quote_value(s);
    let (from, to) = match t {
        Some(t) => (iso(t - 300.0), iso(t + 300.0)),
        None => (iso(now - 86_400.0), iso(now)),
    };
    let g = format!("(time:(from:'{from}',to:'{to}'))");
    let query = rison(&format!("_index:{} and _id:{}", kql(index), kql(id)));
    let a = format!("(query:(language:kuery,query:'{query}'))");
    format!(
        "{base}/app/discover#/?_g={}&_a={}",
        percent(&g),
        percent(&a)
    )
}

impl App {
    /// `y`, `o` and `:`.
    pub(super) fn handoff_key(&mut self, action: &Action) -> Handled {
        match action {
            Action::AdHocQuery => self.open_ad_hoc(),
            Action::Copy => match self.selection() {
                Ok(sel) => {
                    let (text, what) = sel.text();
                    self.copy(&text, what)
                }
                Err(why) => self.say(why),
            },
            Action::ShowLink => match self.selection().and_then(|s| self.link(&s)) {
                Ok(link) => self.copy(&link, "link"),
                Err(why) => self.say(why),
            },
            _ => Handled::Pass,
        }
    }

    fn say(&mut self, text: String) -> Handled {
        self.notice = Some(text);
        Handled::DONE
    }

    /// The copy of `text` (called `what`): the loop writes it as OSC 52; the status bar
    /// says what was copied, and when the terminal is known not to take it, why.
    fn copy(&mut self, text: &str, what: &str) -> Handled {
        if text.chars().any(|c| c.is_control() && c != '\n') {
            return self.say(format!(
                "not copied: the {what} holds control characters ({})",
                crate::text::safe_line(text, 40)
            ));
        }
        if text.len() > COPY_MAX_BYTES {
            return self.say(format!(
                "not copied: the {what} is longer than {}",
                crate::text::size_text(COPY_MAX_BYTES as u64)
            ));
        }
        let shown = crate::text::safe_line(text, 200);
        let notice = match &self.handoff.clipboard_refused {
            None => format!("copied {what}: {shown}"),
            Some(why) => format!("{what}: {shown} · not copied: {why}"),
        };
        self.notice = Some(notice);
        match self.handoff.clipboard_refused {
            None => Handled::Done(vec![Effect::Clipboard(text.to_owned())]),
            Some(_) => Handled::DONE,
        }
    }

    /// What `y` and `o` act on where the keys are.
    ///
    /// # Errors
    /// Why there is nothing to act on, for the status bar.
    pub fn selection(&self) -> Result<Selection, String> {
        let none = |what: &str| Err(format!("nothing to copy: {what}"));
        match self.shown_view() {
            Some(View::Trace(t)) => Ok(Selection::Trace(t.trace.trace_id.to_string())),
            Some(View::Span { trace, span, .. }) => {
                Ok(match span.and_then(|i| trace.spans.get(i)) {
                    Some(s) => Selection::Span {
                        trace: trace.trace_id.to_string(),
                        span: s.span_id.clone(),
                    },
                    None => Selection::Trace(trace.trace_id.to_string()),
                })
            }
            Some(View::EventDetail { event, .. }) => Ok(Selection::Event {
                id: event.id.clone(),
                index: event.index.clone(),
                t: event.t,
            }),
            Some(View::FaultDetail { fault, .. }) => Ok(Selection::Fault(matcher_of(fault))),
            Some(View::AlertChart(c)) => Ok(Selection::Queries(vec![c.expression.clone()])),
            _ => {
                let pane = self.full_screen().unwrap_or(self.focus);
                match &self.config.panes.get(pane).map(|p| &p.kind) {
                    Some(PaneKind::Traces) => match self.traces.selected_trace() {
                        Some(l) => Ok(Selection::Trace(l.trace.trace_id.to_string())),
                        None => none("no trace is selected"),
                    },
                    Some(PaneKind::Events) => match self.events.selected_event() {
                        Some(e) => Ok(Selection::Event {
                            id: e.id.clone(),
                            index: e.index.clone(),
                            t: e.t,
                        }),
                        None => none("no event is selected"),
                    },
                    Some(PaneKind::Faults) => match self.selected_fault() {
                        Some(f) => Ok(Selection::Fault(matcher_of(&f))),
                        None => none("no fault is selected"),
                    },
                    Some(PaneKind::Chart(qs) | PaneKind::Table(qs)) => Ok(Selection::Queries(
                        qs.iter()
                            .map(|&q| self.config.queries[q].promql.clone())
                            .collect(),
                    )),
                    Some(PaneKind::Path { x, y, heading }) => Ok(Selection::Queries(
                        [Some(*x), Some(*y), *heading]
                            .into_iter()
                            .flatten()
                            .map(|q| self.config.queries[q].promql.clone())
                            .collect(),
                    )),
                    Some(PaneKind::Slo) | None => none(
                        "select a trace, an event, a fault or a chart (the SLO pane has no id)",
                    ),
                }
            }
        }
    }

    /// The web UI's link to `sel`.
    ///
    /// # Errors
    /// Which key to set for one (and, in a replay, why), for the status bar.
    pub fn link(&self, sel: &Selection) -> Result<String, String> {
        let links = &self.config.links;
        let replay = self.replay.is_some();
        // A replay's data is in no backend capcom knows of: the key must point at one.
        let unset = |key: &str, example: &str, what: &str| {
            Err(if replay {
                format!("no link: set {key} to a UI holding the recording's {what}")
            } else {
                format!("no link: set {key} = \"{example}\" in the config")
            })
        };
        match sel {
            Selection::Trace(id) => match &links.jaeger {
                Some(base) => Ok(jaeger_link(base, id, None)),
                None => unset("[jaeger] ui", "http://…:16686", "traces"),
            },
            Selection::Span { trace, span } => match &links.jaeger {
                Some(base) => Ok(jaeger_link(base, trace, Some(span))),
                None => unset("[jaeger] ui", "http://…:16686", "traces"),
            },
            Selection::Event { id, index, t } => match &links.dashboards {
                Some(base) => Ok(dashboards_link(
                    base,
                    index,
                    id,
                    *t,
                    self.original(self.now),
                )),
                None => unset("[opensearch] dashboards", "http://…:5601", "events"),
            },
            Selection::Queries(q) => {
                let base = links.prometheus.clone().or_else(|| {
                    self.config
                        .prometheus
                        .as_ref()
                        .map(|p| p.connection.url.clone())
                });
                match base {
                    Some(base) => {
                        let window = match self.shown_view() {
                            Some(View::AlertChart(c)) => c.window(self.conductor.window),
                            _ => self.conductor.window,
                        };
                        let end = self.original(self.conductor.end(self.now));
                        Ok(prometheus_link(&base, q, window, end))
                    }
                    None => unset("[prometheus] ui", "http://…:9090", "data"),
                }
            }
            Selection::Fault(_) => {
                Err("a fault has no link of its own: y copies its labels as a matcher".into())
            }
        }
    }

    /// Display time `t` as the backends' time: a replay's shift undone.
    fn original(&self, t: f64) -> f64 {
        match self.clock {
            super::Clock::Live => t,
            super::Clock::Replay(c) => t - c.shift(),
        }
    }

    /// `:`: the ad-hoc prompt, holding the query of the ad-hoc chart shown, if any.
    fn open_ad_hoc(&mut self) -> Handled {
        if self.replay.is_none() && self.config.prometheus.is_none() {
            return self.say("no [prometheus] is configured to query".into());
        }
        let line = match self.shown_view() {
            Some(View::AlertChart(c)) if c.fault.is_none() => c.query.promql.clone(),
            _ => String::new(),
        };
        Handled::prompt(super::Editing::AdHoc, line)
    }

    /// The ad-hoc query typed at the prompt, committed: charted full screen from the runtime
    /// slot (in place of a chart shown), and remembered.
    pub(super) fn ad_hoc_committed(&mut self, line: &str) -> Handled {
        let query = line.trim();
        if query.is_empty() {
            return Handled::POP;
        }
        self.handoff.remember(query);
        self.views.pop();
        let save = Effect::SaveQueryHistory(self.handoff.history.clone());
        match chart(self, AlertChartView::ad_hoc(query)) {
            Handled::Push(view, mut effects) => {
                effects.push(save);
                Handled::Push(view, effects)
            }
            Handled::Done(mut effects) => {
                effects.push(save);
                Handled::Done(effects)
            }
            other => other,
        }
    }
}

/// A fault's labels as one matcher string, `{alertname="BatteryLow", severity="warning"}`.
fn matcher_of(fault: &super::FaultRow) -> String {
    let inner: Vec<String> = fault
        .matchers()
        .iter()
        .map(|m| format!("{}={}", m.name, quote_value(&m.value)))
        .collect();
    format!("{{{}}}", inner.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_promql_link_encodes_spaces_quotes_braces_and_the_window() {
        let q = "sum by (job) (rate(x{job=\"a b\",path=~\"/x&y#z\"}[5m]))";
        let link = prometheus_link("http://prom:9090", &[q.to_owned()], 900.0, 1_796_178_800.0);
        assert_eq!(
            link,
            "http://prom:9090/graph?g0.expr=sum%20by%20%28job%29%20%28rate%28x%7Bjob%3D%22a%20b\
             %22%2Cpath%3D~%22%2Fx%26y%23z%22%7D%5B5m%5D%29%29&g0.tab=0&g0.range_input=900s\
             &g0.end_input=2026-12-02%2002%3A33%3A20"
        );
        let two = prometheus_link("http://p", &["a".into(), "b".into()], 60.0, 0.0);
        assert!(
            two.contains("g0.expr=a&") && two.contains("&g1.expr=b&"),
            "{two}"
        );
    }

    #[test]
    fn trace_and_document_links_keep_hostile_values_inside_their_parameter() {
        assert_eq!(
            jaeger_link("http://j:16686", "4bf92f35", Some("00f0")),
            "http://j:16686/trace/4bf92f35?uiFind=00f0"
        );
        assert_eq!(
            jaeger_link("http://j", "a&b#c/../d", None),
            "http://j/trace/a%26b%23c%2F..%2Fd"
        );
        let link = dashboards_link(
            "http://d:5601",
            "ev-1",
            "it's&#1",
            Some(1_796_178_800.0),
            0.0,
        );
        let (head, tail) = link.split_once("#/?_g=").expect("discover");
        assert_eq!(head, "http://d:5601/app/discover");
        assert_eq!(
            tail.matches('&').count(),
            1,
            "only between _g and _a: {tail}"
        );
        assert!(!tail.contains(['#', '\'', ' ']), "{tail}");
        assert!(tail.contains("_id%3A%22it%21%27s%26%231%22"), "{tail}");
        assert!(tail.contains("2026-12-02T02%3A28%3A20Z"), "{tail}");
    }

    #[test]
    fn a_faults_labels_are_one_matcher_with_values_escaped() {
        assert_eq!(quote_value("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
    }
}
