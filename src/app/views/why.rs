//! The Why view (`w`): one report, full screen, its five sections stacked — what the failing
//! traces share, where their time goes, new or growing log patterns, metrics that moved, the
//! impact. `j` `k` (and the list keys, the wheel) move one selection across every section's
//! rows, `Tab` / `Shift-Tab` jump to the next / previous section, `Esc` closes it. `Enter` on a
//! row follows it: a shared value or a bottleneck lists its traces ([`WhyTraces`], from which
//! `Enter` opens a waterfall), a pattern filters the Events pane to its template, a mover charts
//! its query.

use std::sync::Arc;

use super::{AlertChartView, Handled, View};
use crate::action::Action;
use crate::app::App;
use crate::config::PaneKind;
use crate::model::span::Trace;
use crate::model::why::Why;
use crate::source::why::Request;

/// The most rows one section lists (each section comes ranked, best first).
pub const SECTION_ROWS: usize = 12;

/// One of the report's sections, in the order the view stacks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhySection {
    /// What the failing traces share.
    Shared,
    /// Where their time goes.
    Bottleneck,
    /// New or growing log patterns.
    Patterns,
    /// Metrics that moved.
    Movers,
    /// Failing commands (the section's other lines are not rows).
    Impact,
}

impl WhySection {
    /// Every section, top to bottom.
    pub const ALL: [Self; 5] = [
        Self::Shared,
        Self::Bottleneck,
        Self::Patterns,
        Self::Movers,
        Self::Impact,
    ];

    /// Its title.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Self::Shared => "what the failing traces share",
            Self::Bottleneck => "where their time goes (critical path)",
            Self::Patterns => "log patterns new or growing",
            Self::Movers => "metrics that moved",
            Self::Impact => "impact",
        }
    }
}

/// A row of the view: a section and the index of the row in that section of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WhyItem {
    /// The section.
    pub section: WhySection,
    /// The row's index in the section's list in the report.
    pub index: usize,
}

/// What the Why view shows: the report, what was asked, the selected row.
#[derive(Debug, Clone, PartialEq)]
pub struct WhyView {
    /// What was asked (the title says it).
    pub request: Request,
    /// The report (shared: it holds the traces `Enter` lists).
    pub report: Arc<Why>,
    /// The selected row, an index into [`WhyView::items`].
    pub selected: usize,
}

impl WhyView {
    /// The view of `report`, the first row selected.
    #[must_use]
    pub fn new(request: Request, report: Arc<Why>) -> Self {
        Self {
            request,
            report,
            selected: 0,
        }
    }

    /// How many rows `section` lists (at most [`SECTION_ROWS`]).
    #[must_use]
    pub fn rows_in(&self, section: WhySection) -> usize {
        let r = &self.report;
        let len = match section {
            WhySection::Shared => r.shared.len(),
            WhySection::Bottleneck => r.bottleneck.len(),
            WhySection::Patterns => r.patterns.len(),
            WhySection::Movers => r.movers.len(),
            WhySection::Impact => r.impact.commands.len(),
        };
        len.min(SECTION_ROWS)
    }

    /// Every row the view lists, top to bottom.
    #[must_use]
    pub fn items(&self) -> Vec<WhyItem> {
        WhySection::ALL
            .iter()
            .flat_map(|&section| {
                (0..self.rows_in(section)).map(move |index| WhyItem { section, index })
            })
            .collect()
    }

    /// The selected row, if the report has any.
    #[must_use]
    pub fn selected_item(&self) -> Option<WhyItem> {
        let items = self.items();
        items
            .get(self.selected.min(items.len().saturating_sub(1)))
            .copied()
    }

    /// The first row of the next section with rows after the selected one's (`forward`), or
    /// of the section before it; round the ends.
    fn jump_section(&mut self, forward: bool) {
        let items = self.items();
        let Some(at) = self.selected_item() else {
            return;
        };
        let firsts: Vec<usize> = (0..items.len())
            .filter(|&i| i == 0 || items[i - 1].section != items[i].section)
            .collect();
        let current = firsts
            .iter()
            .rposition(|&f| items[f].section == at.section)
            .unwrap_or(0);
        let n = firsts.len();
        let next = if forward {
            (current + 1) % n
        } else {
            (current + n - 1) % n
        };
        self.selected = firsts[next];
    }

    /// The traces a shared value, a bottleneck or a failing command names, failing ones
    /// first, and what they are: `None` for another kind of row.
    #[must_use]
    pub fn traces_of(&self, item: WhyItem) -> Option<(String, Vec<Arc<Trace>>)> {
        let r = &self.report;
        match item.section {
            WhySection::Shared => {
                let row = r.shared.get(item.index)?;
                Some((format!("{}={}", row.key, row.value), row.traces.clone()))
            }
            WhySection::Bottleneck => {
                let row = r.bottleneck.get(item.index)?;
                let traces = self.traces_where(|t| {
                    t.spans.iter().any(|s| {
                        s.service.as_deref().unwrap_or("?") == row.service
                            && s.name == row.operation
                    })
                });
                Some((format!("{} {}", row.service, row.operation), traces))
            }
            WhySection::Impact => {
                let c = r.impact.commands.get(item.index)?;
                let traces = self.traces_where(|t| {
                    let root = (t.spans.iter())
                        .filter(|s| s.parent_id.is_none())
                        .min_by(|a, b| a.start.total_cmp(&b.start));
                    root.is_some_and(|s| {
                        s.service.as_deref().unwrap_or("?") == c.service && s.name == c.operation
                    })
                });
                Some((format!("command {} {}", c.service, c.operation), traces))
            }
            WhySection::Patterns | WhySection::Movers => None,
        }
    }

    /// The traces the report holds that `keep` accepts, failing ones first. The bottleneck's
    /// and the impact's rows keep no traces of their own: every trace is in the shared rows
    /// (each has a service), so their union is searched.
    fn traces_where(&self, keep: impl Fn(&Trace) -> bool) -> Vec<Arc<Trace>> {
        let mut seen = std::collections::HashSet::new();
        let mut traces: Vec<Arc<Trace>> = (self.report.shared.iter())
            .flat_map(|s| s.traces.iter())
            .filter(|t| seen.insert(&*t.trace_id) && keep(t))
            .cloned()
            .collect();
        let rule = self.request.rule;
        traces.sort_by_key(|t| !rule.fails(t));
        traces
    }
}

/// The traces of one row of the Why view: which row, the traces (failing first), which of them
/// fail, the selection.
#[derive(Debug, Clone, PartialEq)]
pub struct WhyTraces {
    /// The row, as the title says it (`rover.wheel=LM`).
    pub what: String,
    /// The traces.
    pub traces: Vec<Arc<Trace>>,
    /// Whether each fails by the request's rule.
    pub failing: Vec<bool>,
    /// The selected trace.
    pub selected: usize,
}

/// The page the list keys move by: the screen's height less the frame and headings.
fn page(app: &App) -> usize {
    usize::from(app.size.1.saturating_sub(6)).max(1)
}

/// `at` moved by `action` in a list of `len` rows; `None` for another action.
fn moved(app: &App, action: &Action, at: usize, len: usize) -> Option<usize> {
    let last = len.saturating_sub(1);
    let page = page(app);
    let to = match action {
        Action::SelectNext => at + 1,
        Action::SelectPrev => at.saturating_sub(1),
        Action::SelectFirst => 0,
        Action::SelectLast => last,
        Action::PageDown => at + page,
        Action::PageUp => at.saturating_sub(page),
        Action::Wheel { down: true, .. } => at + crate::app::navigate::WHEEL_ROWS,
        Action::Wheel { down: false, .. } => at.saturating_sub(crate::app::navigate::WHEEL_ROWS),
        _ => return None,
    };
    Some(to.min(last))
}

/// The Why view's keys.
pub(super) fn handle(app: &mut App, action: &Action) -> Handled {
    let Some(View::Why(view)) = app.views.last() else {
        return Handled::Pass;
    };
    let len = view.items().len();
    if let Some(to) = moved(app, action, view.selected, len) {
        if let Some(View::Why(view)) = app.views.last_mut() {
            view.selected = to;
        }
        return Handled::DONE;
    }
    match action {
        Action::FocusNext | Action::FocusPrev => {
            if let Some(View::Why(view)) = app.views.last_mut() {
                view.jump_section(*action == Action::FocusNext);
            }
            Handled::DONE
        }
        Action::DrillOut | Action::ToggleZoom => Handled::POP,
        Action::DrillIn => {
            let view = view.as_ref().clone();
            let Some(item) = view.selected_item() else {
                app.notice = Some("the report has no rows to open".into());
                return Handled::DONE;
            };
            follow(app, &view, item)
        }
        _ => Handled::Pass,
    }
}

/// `Enter` on `item`.
fn follow(app: &mut App, view: &WhyView, item: WhyItem) -> Handled {
    match item.section {
        WhySection::Shared | WhySection::Bottleneck | WhySection::Impact => {
            let Some((what, traces)) = view.traces_of(item) else {
                return Handled::DONE;
            };
            if traces.is_empty() {
                app.notice = Some(format!(
                    "no trace the report holds has {}",
                    crate::text::one_line(&what, 60)
                ));
                return Handled::DONE;
            }
            let failing = traces.iter().map(|t| view.request.rule.fails(t)).collect();
            Handled::push(View::WhyTraces(Box::new(WhyTraces {
                what,
                traces,
                failing,
                selected: 0,
            })))
        }
        WhySection::Patterns => {
            let Some(row) = view.report.patterns.get(item.index) else {
                return Handled::DONE;
            };
            filter_events(app, row.template.clone())
        }
        WhySection::Movers => {
            let Some(row) = view.report.movers.get(item.index) else {
                return Handled::DONE;
            };
            chart_mover(app, row)
        }
    }
}

/// The Events pane filtered to `template`, focused, the view closed.
fn filter_events(app: &mut App, template: crate::model::why::patterns::Template) -> Handled {
    let Some(events_pane) = app
        .config
        .panes
        .iter()
        .position(|p| p.kind == PaneKind::Events)
    else {
        app.notice = Some("the layout has no Events pane to filter".into());
        return Handled::DONE;
    };
    app.events.filter.clear();
    app.events.template = Some(template);
    app.events.selected = 0;
    app.events.unseen = 0;
    app.focus = events_pane;
    app.notice = Some(format!(
        "events: {} of this pattern (/ then Esc clears it)",
        app.events.visible_len()
    ));
    Handled::POP
}

/// The ad-hoc chart of the query behind mover `row`, or a notice why there is none.
fn chart_mover(app: &mut App, row: &crate::model::why::movers::Row) -> Handled {
    let Some(promql) = app.query_named(&row.name, &row.labels) else {
        app.notice = Some(format!(
            "{} is none of the dashboard's queries: nothing to chart it with",
            crate::text::one_line(&row.name, 60)
        ));
        return Handled::DONE;
    };
    if app.replay.is_none() && app.config.prometheus.is_none() {
        app.notice = Some("no [prometheus] is configured to chart it with".into());
        return Handled::DONE;
    }
    super::chart(app, AlertChartView::ad_hoc(&promql))
}

impl App {
    /// The `PromQL` of the dashboard's query a Why mover names: its expression, its legend as
    /// written, or its legend filled from `labels`.
    fn query_named(&self, name: &str, labels: &crate::model::Labels) -> Option<String> {
        self.config
            .queries
            .iter()
            .find(|q| {
                q.promql == name
                    || (!q.legend.is_empty()
                        && (q.legend == name
                            || crate::config::fill_legend(&q.legend, labels) == name))
            })
            .map(|q| q.promql.clone())
    }
}

/// The list of a row's traces: `Enter` opens the selected one's waterfall, `Esc` goes back.
pub(super) fn handle_traces(app: &mut App, action: &Action) -> Handled {
    let Some(View::WhyTraces(list)) = app.views.last() else {
        return Handled::Pass;
    };
    if let Some(to) = moved(app, action, list.selected, list.traces.len()) {
        if let Some(View::WhyTraces(list)) = app.views.last_mut() {
            list.selected = to;
        }
        return Handled::DONE;
    }
    match action {
        Action::DrillOut => Handled::POP,
        Action::DrillIn => match list.traces.get(list.selected) {
            Some(t) => Handled::push(View::Trace(Box::new(crate::app::TraceView::new(
                Arc::clone(t),
            )))),
            None => Handled::DONE,
        },
        _ => Handled::Pass,
    }
}
