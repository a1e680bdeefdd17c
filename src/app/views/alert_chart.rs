//! A query charted full screen from the runtime query slot: a fault's rule (`c` on its
//! detail: the expression, or its left side when the rule compares it with a number, over the
//! last hour, the number drawn as a limit line at the fault's severity; `t` lists its
//! service's failed traces) or an ad-hoc query (`:`, over the conductor's window). The
//! conductor's keys move it; `Esc` closes it and empties the slot.

use super::{Handled, View};
use crate::action::{Action, Effect};
use crate::app::{App, CHART_WINDOW, FaultRow, Origin, QueryState};
use crate::config::Query;
use crate::model::SeriesSet;
use crate::model::threshold::{Threshold, alert_chart};

/// What the chart view shows.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertChartView {
    /// The fault whose rule it charts, as it was when opened; `None` for an ad-hoc query.
    pub fault: Option<FaultRow>,
    /// The rule's whole expression (or the ad-hoc query), for the title.
    pub expression: String,
    /// What the slot runs, with the threshold as its limits.
    pub query: Query,
    /// The threshold read from the rule, if one could be.
    pub threshold: Option<Threshold>,
}

impl AlertChartView {
    /// An ad-hoc query's chart.
    #[must_use]
    pub fn ad_hoc(promql: &str) -> Self {
        Self {
            fault: None,
            expression: promql.to_owned(),
            query: Query {
                promql: promql.to_owned(),
                legend: String::new(),
                unit: String::new(),
                precision: 2,
                max: None,
                limits: crate::model::Limits::default(),
            },
            threshold: None,
        }
    }

    /// The seconds it shows: the conductor's `window`, at least the last hour for a rule.
    #[must_use]
    pub fn window(&self, window: f64) -> f64 {
        match self.fault {
            Some(_) => window.max(CHART_WINDOW),
            None => window,
        }
    }
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
    let view = AlertChartView {
        fault: Some(fault.clone()),
        expression,
        query,
        threshold: chart.threshold,
    };
    chart_view(app, view)
}

/// Runs `view`'s query in the runtime slot, emptied first, and shows it: in place of a chart
/// already shown (one slot, one chart), else on top.
pub(in crate::app) fn chart_view(app: &mut App, view: AlertChartView) -> Handled {
    let slot = app.chart_slot();
    app.queries[slot] = QueryState {
        set: SeriesSet::new(app.config.max_points),
        last_ok: None,
        error: None,
        warnings: Vec::new(),
    };
    let effects = vec![Effect::ChartQuery(Some(view.query.promql.clone()))];
    if let Some(View::AlertChart(shown)) = app.views.last_mut() {
        **shown = view;
        return Handled::Done(effects);
    }
    Handled::Push(View::AlertChart(Box::new(view)), effects)
}

pub(super) fn handle(app: &mut App, action: &Action) -> Handled {
    let Some(View::AlertChart(view)) = app.views.last() else {
        return Handled::Pass;
    };
    match action {
        Action::OpenTrace => {
            let Some(fault) = view.fault.clone() else {
                app.notice = Some("an ad-hoc query has no traces of its own".into());
                return Handled::DONE;
            };
            app.open_fault_traces(&fault)
        }
        Action::DrillOut | Action::ToggleZoom => Handled::Pop(vec![Effect::ChartQuery(None)]),
        _ => Handled::Pass,
    }
}
