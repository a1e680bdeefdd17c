//! The Traces pane's state (the listed traces, their order and local filter, the search that
//! chose them), the drill-down into one trace — its waterfall, then one span's detail — and
//! the search form.

use std::collections::HashSet;
use std::sync::Arc;

use crate::action::{Action, Effect};
use crate::model::span::Trace;
use crate::model::traces::{Listed, TraceQuery};
use crate::model::waterfall::{self, Row};

use super::{App, Editing, Failure, Handled, View};

/// The order of the Traces pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceSort {
    /// Newest first.
    Time,
    /// Longest first.
    Duration,
}

/// Everything the Traces pane shows and remembers.
#[derive(Debug, Clone)]
pub struct TracesState {
    /// The last search's traces, newest first.
    pub list: Vec<Listed>,
    /// Display time of the last successful search.
    pub last_ok: Option<f64>,
    /// The last failure, if newer than the last success.
    pub error: Option<Failure>,
    /// Selected row of the shown list.
    pub selected: usize,
    /// The order shown.
    pub sort: TraceSort,
    /// The local filter (case-insensitive substring of service, operation or trace id).
    pub filter: String,
    /// The search the source runs.
    pub query: TraceQuery,
    /// A new search was sent and has not been answered yet.
    pub searching: bool,
    /// A trace asked for by id (from an event), not yet arrived.
    pub pending: Option<String>,
    /// The search last handed to the source, bounded by the conductor's window while paused.
    pub sent: TraceQuery,
}

impl TracesState {
    /// An empty state running `query`.
    #[must_use]
    pub fn new(query: TraceQuery) -> Self {
        Self {
            list: Vec::new(),
            last_ok: None,
            error: None,
            selected: 0,
            sort: TraceSort::Time,
            filter: String::new(),
            query: query.clone(),
            searching: false,
            pending: None,
            sent: query,
        }
    }

    /// Whether a listed trace passes the local filter.
    #[must_use]
    pub fn matches(&self, l: &Listed) -> bool {
        if self.filter.is_empty() {
            return true;
        }
        let needle = self.filter.to_lowercase();
        let s = &l.summary;
        std::iter::once(&*s.trace_id)
            .chain([&*s.root_service, s.root_operation.as_str()])
            .chain(s.services.iter().map(|s| &**s))
            .any(|h| h.to_lowercase().contains(&needle))
            || (needle == "error" && s.errors > 0)
    }

    /// Whether a listed trace started in the window last searched, when it has an end (the
    /// conductor paused): until the answer comes, the list held may be of another window.
    #[must_use]
    pub fn in_window(&self, l: &Listed) -> bool {
        let start = l.summary.start;
        self.sent
            .end
            .is_none_or(|end| start <= end && start >= end - self.sent.lookback)
    }

    /// The traces shown, in the chosen order.
    #[must_use]
    pub fn shown(&self) -> Vec<&Listed> {
        let mut v: Vec<&Listed> = self
            .list
            .iter()
            .filter(|l| self.matches(l) && self.in_window(l))
            .collect();
        if self.sort == TraceSort::Duration {
            v.sort_by(|a, b| b.summary.duration.total_cmp(&a.summary.duration));
        }
        v
    }

    /// The selected trace.
    #[must_use]
    pub fn selected_trace(&self) -> Option<&Listed> {
        self.shown().get(self.selected).copied()
    }

    /// A trace by id, if listed.
    #[must_use]
    pub fn find(&self, trace_id: &str) -> Option<&Listed> {
        let want = trace_id.trim().to_ascii_lowercase();
        self.list
            .iter()
            .find(|l| l.summary.trace_id.trim_start_matches('0') == want.trim_start_matches('0'))
    }

    /// Takes a new answer, keeping the same trace selected when it is still there.
    pub fn arrive(&mut self, list: Vec<Listed>) {
        let keep = self.selected_trace().map(|l| l.summary.trace_id.clone());
        self.list = list;
        let shown = self.shown();
        self.selected = keep
            .and_then(|id| shown.iter().position(|l| l.summary.trace_id == id))
            .unwrap_or(self.selected)
            .min(shown.len().saturating_sub(1));
    }
}

/// One trace opened as a waterfall.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceView {
    /// The trace.
    pub trace: Arc<Trace>,
    /// Span indices whose subtrees are hidden.
    pub collapsed: HashSet<usize>,
    /// The rows as laid out for `collapsed`.
    pub rows: Vec<Row>,
    /// The selected row.
    pub selected: usize,
}

impl TraceView {
    /// Opens a trace with every subtree expanded, the first failing span selected (else the
    /// root), so a failed command shows its failure at once.
    #[must_use]
    pub fn new(trace: Arc<Trace>) -> Self {
        let collapsed = HashSet::new();
        let rows = waterfall::layout(&trace, &collapsed);
        let selected = rows
            .iter()
            .position(|r| r.span.is_some_and(|i| trace.spans[i].error))
            .unwrap_or(0);
        Self {
            trace,
            collapsed,
            rows,
            selected,
        }
    }

    /// Takes a newer copy of the same trace (more spans arrived), keeping the same spans
    /// collapsed and the same span selected.
    pub fn renew(&mut self, trace: Arc<Trace>) {
        let id = |t: &Trace, i: usize| t.spans[i].span_id.clone();
        let collapsed: HashSet<String> =
            self.collapsed.iter().map(|&i| id(&self.trace, i)).collect();
        // The placeholder (no span) stays selected while the root has not arrived.
        let selected = self.row().map(|r| r.span.map(|i| id(&self.trace, i)));
        self.collapsed = (0..trace.spans.len())
            .filter(|&i| collapsed.contains(&trace.spans[i].span_id))
            .collect();
        self.trace = trace;
        self.rows = waterfall::layout(&self.trace, &self.collapsed);
        self.selected = selected
            .and_then(|s| {
                self.rows
                    .iter()
                    .position(|r| r.span.map(|i| &self.trace.spans[i].span_id) == s.as_ref())
            })
            .unwrap_or(0);
    }

    /// The selected row.
    #[must_use]
    pub fn row(&self) -> Option<&Row> {
        self.rows.get(self.selected)
    }

    fn relayout(&mut self) {
        let span = self.row().map(|r| r.span);
        self.rows = waterfall::layout(&self.trace, &self.collapsed);
        if let Some(s) = span {
            self.selected = self.rows.iter().position(|r| r.span == s).unwrap_or(0);
        }
    }

    /// Hides the selected span's subtree; on a leaf or a collapsed span, moves to its parent.
    pub fn collapse(&mut self) {
        let Some(&row) = self.row() else { return };
        if let Some(span) = row.span
            && row.has_children
            && !row.collapsed
        {
            self.collapsed.insert(span);
            self.relayout();
        } else if row.depth > 0 {
            // The parent is the nearest row above at a lesser depth.
            if let Some(p) = self.rows[..self.selected]
                .iter()
                .rposition(|r| r.depth < row.depth)
            {
                self.selected = p;
            }
        }
    }

    /// Shows the selected span's subtree.
    pub fn expand(&mut self) {
        if let Some(&row) = self.row()
            && let Some(span) = row.span
            && row.collapsed
        {
            self.collapsed.remove(&span);
            self.relayout();
        }
    }

    /// Collapses or expands the selected span's subtree.
    pub fn toggle(&mut self) {
        match self.row() {
            Some(r) if r.collapsed => self.expand(),
            Some(r) if r.has_children => self.collapse(),
            _ => {}
        }
    }

    /// Moves the selection by `step` rows.
    pub fn step(&mut self, step: isize) {
        let max = self.rows.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(step).min(max);
    }
}

/// The search form's fields, in order.
pub const SEARCH_FIELDS: [&str; 7] = [
    "service",
    "operation",
    "attributes",
    "min duration",
    "max duration",
    "lookback",
    "limit",
];

/// The text of each field of the search form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchFields {
    /// Services, separated by spaces or commas.
    pub services: String,
    /// The operation.
    pub operation: String,
    /// `key=value` pairs, separated by spaces.
    pub attributes: String,
    /// The shortest duration, e.g. `250ms`.
    pub min_duration: String,
    /// The longest duration.
    pub max_duration: String,
    /// How far back to search, e.g. `1h`.
    pub lookback: String,
    /// How many traces at most.
    pub limit: String,
}

impl SearchFields {
    /// The field at `at`, in the order of [`SEARCH_FIELDS`].
    #[must_use]
    pub fn get(&self, at: usize) -> &str {
        match at {
            0 => &self.services,
            1 => &self.operation,
            2 => &self.attributes,
            3 => &self.min_duration,
            4 => &self.max_duration,
            5 => &self.lookback,
            _ => &self.limit,
        }
    }

    /// The field at `at`, to type into.
    pub fn get_mut(&mut self, at: usize) -> &mut String {
        match at {
            0 => &mut self.services,
            1 => &mut self.operation,
            2 => &mut self.attributes,
            3 => &mut self.min_duration,
            4 => &mut self.max_duration,
            5 => &mut self.lookback,
            _ => &mut self.limit,
        }
    }
}

/// The search form: one line of text per field, the field being typed, and what was wrong
/// with the last attempt to run it.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchForm {
    /// The text of each field.
    pub fields: SearchFields,
    /// The field being typed, an index into [`SEARCH_FIELDS`].
    pub at: usize,
    /// Where typing goes in that field, in characters.
    pub cursor: usize,
    /// Why the form was not run, naming the field.
    pub error: Option<String>,
}

impl SearchForm {
    /// The form showing `q`.
    #[must_use]
    pub fn of(q: &TraceQuery) -> Self {
        let dur = |d: Option<f64>| d.map(format_duration).unwrap_or_default();
        Self {
            fields: SearchFields {
                services: q.services.join(" "),
                operation: q.operation.clone(),
                attributes: q
                    .attributes
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                min_duration: dur(q.min_duration),
                max_duration: dur(q.max_duration),
                lookback: format_duration(q.lookback),
                limit: q.limit.to_string(),
            },
            at: 0,
            cursor: q.services.join(" ").chars().count(),
            error: None,
        }
    }

    /// The search the form says.
    ///
    /// # Errors
    /// A field that does not read, named with what to write instead.
    pub fn query(&self) -> Result<TraceQuery, String> {
        let f = &self.fields;
        let duration = |name: &str, text: &str| -> Result<Option<f64>, String> {
            let t = text.trim();
            if t.is_empty() {
                return Ok(None);
            }
            humantime::parse_duration(t)
                .map(|d| Some(d.as_secs_f64()))
                .map_err(|_| format!("{name}: {t:?} is not a duration; write e.g. 250ms, 2s, 1h"))
        };
        let mut attributes = Vec::new();
        for pair in f.attributes.split_whitespace() {
            let Some((k, v)) = pair.split_once('=').filter(|(k, _)| !k.is_empty()) else {
                return Err(format!(
                    "attributes: {pair:?} is not key=value (e.g. error=true)"
                ));
            };
            attributes.push((k.to_owned(), v.to_owned()));
        }
        let lookback = duration("lookback", &f.lookback)?
            .unwrap_or(crate::model::traces::DEFAULT_LOOKBACK_SECS);
        if lookback <= 0.0 {
            return Err("lookback must be longer than zero".into());
        }
        let limit = match f.limit.trim() {
            "" => crate::model::traces::DEFAULT_LIMIT,
            t => t
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=1_000).contains(n))
                .ok_or_else(|| format!("limit: {t:?} is not a number from 1 to 1000"))?,
        };
        let (min_duration, max_duration) = (
            duration("min duration", &f.min_duration)?,
            duration("max duration", &f.max_duration)?,
        );
        if let (Some(a), Some(b)) = (min_duration, max_duration)
            && a > b
        {
            return Err("min duration is longer than max duration".into());
        }
        Ok(TraceQuery {
            services: f
                .services
                .split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            operation: f.operation.trim().to_owned(),
            attributes,
            min_duration,
            max_duration,
            lookback,
            end: None,
            limit,
        })
    }
}

/// A duration as the form shows it: `250ms`, `2s`, `1h` (humantime's words, run together).
#[must_use]
pub fn format_duration(secs: f64) -> String {
    let d = std::time::Duration::from_millis((secs * 1000.0).round() as u64);
    humantime::format_duration(d).to_string().replace(' ', "")
}

/// Opens `trace` as a waterfall.
fn open_waterfall(trace: &Arc<Trace>) -> Handled {
    Handled::push(View::Trace(Box::new(TraceView::new(Arc::clone(trace)))))
}

/// The Traces pane's keys and the drill-down into a trace.
impl App {
    /// Whether the focused pane is a Traces pane.
    #[must_use]
    pub fn traces_focused(&self) -> bool {
        matches!(
            self.config.panes.get(self.focus).map(|p| &p.kind),
            Some(crate::config::PaneKind::Traces)
        )
    }

    /// The Traces pane's keys: `Enter` opens the selected trace, `/` filters, `f` opens the
    /// search form, `s` switches the order.
    pub(super) fn handle_traces_pane(&mut self, action: &Action) -> Handled {
        match action {
            Action::ToggleSort => {
                self.traces.sort = match self.traces.sort {
                    TraceSort::Time => TraceSort::Duration,
                    TraceSort::Duration => TraceSort::Time,
                };
                self.traces.selected = 0;
                Handled::DONE
            }
            Action::DrillIn if self.on_dashboard() => self
                .traces
                .selected_trace()
                .map_or(Handled::DONE, |l| open_waterfall(&l.trace)),
            Action::Filter => Handled::prompt(Editing::TraceFilter, self.traces.filter.clone()),
            Action::EditQuery => {
                Handled::push(View::Search(Box::new(SearchForm::of(&self.traces.query))))
            }
            _ => Handled::Pass,
        }
    }

    /// Opens the trace with `id`: at once when it is listed, else asks the source for it.
    pub(super) fn open_trace_id(&mut self, id: &str) -> Handled {
        if let Some(l) = self.traces.find(id) {
            return open_waterfall(&l.trace);
        }
        if self.config.jaeger.is_none() && self.replay.is_none() {
            self.notice = Some("no [jaeger] is configured: traces cannot be fetched".into());
            return Handled::DONE;
        }
        self.traces.pending = Some(id.to_owned());
        self.notice = Some(format!(
            "fetching trace {}…",
            crate::text::safe_line(id, 40)
        ));
        Handled::Done(vec![Effect::FetchTrace(id.to_owned())])
    }

    /// A search answered: an open waterfall whose trace it lists with more spans (a running
    /// trace's spans arriving) takes the newer copy, so list and waterfall agree.
    pub(super) fn renew_open_traces(&mut self) {
        let traces = &self.traces;
        for view in &mut self.views {
            let View::Trace(v) = view else { continue };
            if let Some(l) = traces.find(&v.trace.trace_id)
                && l.trace.spans.len() > v.trace.spans.len()
            {
                v.renew(Arc::clone(&l.trace));
            }
        }
    }

    /// A trace asked for by id arrived, or could not be had.
    pub(super) fn trace_arrived(
        &mut self,
        trace_id: &str,
        result: Result<Arc<Trace>, crate::source::SourceError>,
    ) {
        if self.traces.pending.as_deref() != Some(trace_id) {
            return; // asked for, then abandoned
        }
        self.traces.pending = None;
        match result {
            Ok(trace) => {
                self.notice = None;
                self.open_beneath_overlays(View::Trace(Box::new(TraceView::new(trace))));
            }
            Err(e) => self.notice = Some(e.to_string()),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::tests::{NOW, app};
    use super::*;
    use crate::action::Action;
    use crate::model::span::{Span, SpanKind};
    use crate::source::SourceUpdate;

    fn span(trace: &str, id: &str, parent: Option<&str>, start: f64, error: bool) -> Span {
        Span {
            trace_id: trace.into(),
            span_id: id.into(),
            parent_id: parent.map(str::to_owned),
            links: vec![],
            name: format!("op-{id}"),
            service: Some("rover-fsw".into()),
            kind: SpanKind::Server,
            error,
            status_message: String::new(),
            start,
            duration: 1.0,
            attributes: vec![],
            events: vec![],
            resource: vec![].into(),
        }
    }

    /// Two traces: `aa` (older, with a failing grandchild) and `bb`.
    pub(in crate::app) fn listed() -> Vec<Listed> {
        let aa = Trace {
            trace_id: "aa".into(),
            spans: vec![
                span("aa", "r", None, NOW - 60.0, false),
                span("aa", "c", Some("r"), NOW - 59.5, false),
                span("aa", "g", Some("c"), NOW - 59.0, true),
            ],
            warnings: vec![],
        };
        let bb = Trace {
            trace_id: "bb".into(),
            spans: vec![span("bb", "r", None, NOW - 10.0, false)],
            warnings: vec![],
        };
        vec![Listed::new(bb), Listed::new(aa)]
    }

    pub(in crate::app) fn focused_on_traces() -> App {
        let mut a = app();
        while !a.traces_focused() {
            a.update(Action::FocusNext);
        }
        a.update(Action::Source(SourceUpdate::TracesFetched {
            fetched_at: NOW,
            result: Ok(listed()),
        }));
        a
    }

    #[test]
    fn enter_walks_from_a_trace_to_its_failing_span_and_esc_walks_back() {
        let mut a = focused_on_traces();
        a.update(Action::SelectNext);
        assert_eq!(
            a.traces.selected_trace().map(|l| &*l.summary.trace_id),
            Some("aa")
        );
        a.update(Action::DrillIn);
        assert!(matches!(a.views.last(), Some(View::Trace(_))));
        let Some(View::Trace(v)) = a.views.last() else {
            panic!("{:?}", a.views)
        };
        assert_eq!(v.rows.len(), 3);
        assert_eq!(v.selected, 2, "the failing span is selected at once");
        a.update(Action::DrillIn);
        assert!(matches!(
            a.views.last(),
            Some(View::Span { span: Some(2), .. })
        ));
        a.update(Action::DrillOut);
        a.update(Action::SelectPrev);
        a.update(Action::Collapse);
        let Some(View::Trace(v)) = a.views.last() else {
            panic!()
        };
        assert_eq!(
            (v.rows.len(), v.selected),
            (2, 1),
            "c's subtree hidden, c still selected"
        );
        a.update(Action::ToggleCollapse);
        let Some(View::Trace(v)) = a.views.last() else {
            panic!()
        };
        assert_eq!(v.rows.len(), 3);
        a.update(Action::DrillOut);
        assert!(a.views.is_empty());
    }

    #[test]
    fn sort_filter_and_a_new_answer_keep_the_selected_trace() {
        let mut a = focused_on_traces();
        a.update(Action::SelectNext);
        a.update(Action::Source(SourceUpdate::TracesFetched {
            fetched_at: NOW + 5.0,
            result: Ok(listed().into_iter().rev().collect()),
        }));
        assert_eq!(
            a.traces.selected_trace().map(|l| &*l.summary.trace_id),
            Some("aa")
        );
        a.update(Action::ToggleSort);
        assert_eq!(a.traces.sort, TraceSort::Duration);
        assert_eq!(
            &*a.traces.shown()[0].summary.trace_id,
            "aa",
            "2.5 s is longest"
        );
        a.update(Action::Filter);
        "bb".chars()
            .for_each(|c| drop(a.update(Action::TextInput(c))));
        assert_eq!(a.traces.shown().len(), 1);
        a.update(Action::TextCancel);
        assert_eq!(a.traces.shown().len(), 2);
    }

    #[test]
    fn the_search_form_sends_a_new_search_or_says_what_is_wrong() {
        let mut a = focused_on_traces();
        a.update(Action::EditQuery);
        assert!(matches!(a.views.last(), Some(View::Search(_))));
        "nav"
            .chars()
            .for_each(|c| drop(a.update(Action::TextInput(c))));
        a.update(Action::FocusNext);
        a.update(Action::FocusNext);
        a.update(Action::FocusNext);
        "soon"
            .chars()
            .for_each(|c| drop(a.update(Action::TextInput(c))));
        assert!(a.update(Action::TextCommit).is_empty());
        let Some(View::Search(f)) = a.views.last() else {
            panic!()
        };
        assert!(
            f.error
                .as_deref()
                .is_some_and(|e| e.starts_with("min duration"))
        );
        for _ in 0..4 {
            a.update(Action::TextBackspace);
        }
        "2s".chars()
            .for_each(|c| drop(a.update(Action::TextInput(c))));
        let effects = a.update(Action::TextCommit);
        let [Effect::SearchTraces(q)] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(
            (q.services.as_slice(), q.min_duration),
            (&["nav".to_owned()][..], Some(2.0))
        );
        assert!(a.traces.searching && a.views.is_empty());
    }

    #[test]
    fn t_on_an_event_opens_its_trace_or_asks_the_source_for_it() {
        let mut a = focused_on_traces();
        a.config.jaeger = Some(crate::config::JaegerConfig {
            connection: crate::config::Connection::to_url("http://127.0.0.1:16686"),
            api: crate::config::JaegerApi::Auto,
            query: TraceQuery::default(),
            interval: 15.0,
        });
        let event = |id: &str| crate::model::event::Event {
            t: Some(NOW),
            level: crate::model::event::Level::Info,
            level_text: "info".into(),
            message: "command acknowledged".into(),
            service: None,
            trace_id: Some(id.into()),
            id: id.into(),
            index: "i".into(),
            doc: serde_json::Value::Null.into(),
        };
        a.events.arrive(vec![event("bb")]);
        while !a.events_focused() {
            a.update(Action::FocusNext);
        }
        assert!(a.update(Action::OpenTrace).is_empty());
        assert!(matches!(a.views.last(), Some(View::Trace(v)) if &*v.trace.trace_id == "bb"));
        a.update(Action::DrillOut);
        a.events.arrive(vec![event("cc")]);
        assert_eq!(
            a.update(Action::OpenTrace),
            vec![Effect::FetchTrace("cc".into())]
        );
        a.update(Action::Source(SourceUpdate::TraceFetched {
            trace_id: "zz".into(),
            result: Ok(Arc::new(Trace::default())),
        }));
        assert!(
            a.views.is_empty(),
            "an answer nobody waits for opens nothing"
        );
        a.update(Action::Source(SourceUpdate::TraceFetched {
            trace_id: "cc".into(),
            result: Err(crate::source::SourceError::NotRecorded("trace cc".into())),
        }));
        assert_eq!(a.notice.as_deref(), Some("not in the recording: trace cc"));
    }

    #[test]
    fn the_form_reads_back_what_it_shows_and_names_a_bad_field() {
        let q = TraceQuery {
            services: vec!["ground-station".into(), "nav".into()],
            operation: "uplink".into(),
            attributes: vec![("error".into(), "true".into())],
            min_duration: Some(0.25),
            max_duration: None,
            lookback: 7_200.0,
            end: None,
            limit: 20,
        };
        let form = SearchForm::of(&q);
        assert_eq!(form.fields.min_duration, "250ms");
        assert_eq!(form.fields.lookback, "2h");
        assert_eq!(form.query(), Ok(q));
        let mut bad = form.clone();
        bad.fields.max_duration = "soon".into();
        assert!(bad.query().is_err_and(|e| e.starts_with("max duration:")));
        bad.fields.max_duration = "100ms".into();
        assert_eq!(
            bad.query(),
            Err("min duration is longer than max duration".into())
        );
        let mut bad = form;
        bad.fields.attributes = "error".into();
        assert!(bad.query().is_err_and(|e| e.starts_with("attributes:")));
    }
}
