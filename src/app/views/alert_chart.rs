//! A fault's rule as a chart: the expression (or its left side, when the rule compares it
//! with a number) run in the runtime query slot over the last hour, the number drawn as a
//! limit line at the fault's severity. `t` lists its service's failed traces, `Esc` closes it
//! and empties the slot.

use super::{Handled, View};
use crate::action::{Action, Effect};
use crate::app::{App, FaultRow, Origin, QueryState};
use crate::config::Query;
use crate::model::SeriesSet;
use crate::model::threshold::{Threshold, alert_chart};

/// What the chart view shows.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertChartView {
    /// The fault, as it was when opened.
    pub fault: FaultRow,
    /// The rule's whole expression, for the title.
    pub expression: String,
    /// What the slot runs, with the threshold as its limits.
    pub query: Query,
    /// The threshold read from the rule, if one could be.
    pub threshold: Option<Threshold>,
}

/// The chart of `fault`'s rule, or a notice why there is none.
pub(super) fn open(app: &mut App, fault: &FaultRow) -> Handled {
    let expression = match &fault.origin {
        Origin::Alert(f) => crate::app::rule_expression(&f.generator_url),
        Origin::Slo(_) => None,
    };
    let Some(expression) = expression.filter(|e| !e.trim().is_empty()) else {
        app.notice = Some(format!("{} has no rule expression to chart", fault.name));
        return Handled::DONE;
    };
    if app.replay.is_none() && app.config.prometheus.is_none() {
        app.notice = Some("no [prometheus] is configured to chart the rule with".into());
        return Handled::DONE;
    }
    let chart = alert_chart(&expression);
    let query = Query {
        promql: chart.promql.clone(),
        legend: String::new(),
        unit: String::new(),
        precision: 2,
        max: None,
        limits: chart
            .threshold
            .map(|t| t.limits(fault.severity))
            .unwrap_or_default(),
    };
    let slot = app.chart_slot();
    app.queries[slot] = QueryState {
        set: SeriesSet::new(app.config.max_points),
        last_ok: None,
        error: None,
        warnings: Vec::new(),
    };
    let view = AlertChartView {
        fault: fault.clone(),
        expression,
        query,
        threshold: chart.threshold,
    };
    Handled::Push(
        View::AlertChart(Box::new(view)),
        vec![Effect::ChartQuery(Some(chart.promql))],
    )
}

pub(super) fn handle(app: &mut App, action: &Action) -> Handled {
    let Some(View::AlertChart(view)) = app.views.last() else {
        return Handled::Pass;
    };
    match action {
        Action::OpenTrace => {
            let fault = view.fault.clone();
            app.open_fault_traces(&fault)
        }
        Action::DrillOut | Action::ToggleZoom => Handled::Pop(vec![Effect::ChartQuery(None)]),
        _ => Handled::Pass,
    }
}
