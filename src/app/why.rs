//! `w`: the Why view. The app builds a [`Request`] for what is in view (the selected SLO, the
//! fault shown or selected, else the conductor's window), hands it to the loop as
//! `Effect::Why`, and shows the report that comes back as `SourceUpdate::WhyAnalysed`.

use std::sync::Arc;

use super::{App, FaultRow, Handled, Origin, View, WhyView};
use crate::action::Effect;
use crate::model::why::{Why, Window};
use crate::source::why::Request;

/// The shortest window a fault is analysed over, seconds: a fault that began a minute ago
/// still has traces and events enough to compare.
pub const FAULT_MIN_WINDOW: f64 = 900.0;

impl App {
    /// `w`: analyse what is in view — the Why view's own request again, the fault shown (its
    /// detail, its chart) or selected in the Faults pane, the SLO selected in the SLO pane,
    /// else the conductor's window.
    pub(super) fn why_key(&mut self) -> Handled {
        let request = self.why_request();
        self.notice = Some(format!(
            "analysing {}…",
            crate::text::one_line(&request.title, 60)
        ));
        Handled::Done(vec![Effect::Why(Box::new(request))])
    }

    /// What `w` asks about now.
    #[must_use]
    pub fn why_request(&self) -> Request {
        let end = self.conductor.end(self.now);
        let fault = match self.shown_view() {
            Some(View::Why(view)) => return view.request.clone(),
            Some(View::FaultDetail { fault, .. }) => Some(fault.as_ref().clone()),
            Some(View::AlertChart(chart)) => chart.fault.clone(),
            _ if self.on_dashboard() && self.faults_focused() => self.selected_fault(),
            _ => None,
        };
        if let Some(fault) = fault {
            let mut request = fault_request(&fault, end);
            if let Origin::Slo(name) = &fault.origin
                && let Some(slo) = self.config.slos.iter().find(|s| s.name == *name)
            {
                // An SLO's alert fails its traces as the SLO does: slow ones for latency.
                request.rule = Request::for_slo(slo, end).rule;
            }
            return request;
        }
        if self.on_dashboard()
            && self.slo_focused()
            && let Some(slo) = self.config.slos.get(self.selected[self.focus])
        {
            return Request::for_slo(slo, end);
        }
        let window = Window {
            from: self.conductor.start(self.now),
            to: end,
        };
        Request::for_window("the window", window)
    }

    /// A Why analysis came back: its report opens (in place of one shown), or the status bar
    /// says why there is none.
    pub(super) fn why_analysed(&mut self, request: Request, result: Result<Box<Why>, String>) {
        match result {
            Ok(report) => {
                self.notice = None;
                // Moved, not copied: a report keeps every row's trace ids.
                let view = WhyView::new(request, Arc::from(report));
                let shown = self.views.iter_mut().rev().find(|v| !v.is_overlay());
                if let Some(View::Why(old)) = shown {
                    **old = view;
                } else {
                    self.open_beneath_overlays(View::Why(Box::new(view)));
                }
            }
            Err(why) => {
                self.notice = Some(format!(
                    "why {}: {}",
                    crate::text::one_line(&request.title, 40),
                    crate::text::one_line(&why, 120)
                ));
            }
        }
    }
}

/// A fault's request: from when it began (at least [`FAULT_MIN_WINDOW`] back) to the
/// conductor's end, its `service` label's traces, its SLO's budget when it is an SLO's.
fn fault_request(fault: &FaultRow, end: f64) -> Request {
    let from = fault.since.min(end - FAULT_MIN_WINDOW);
    let mut request = Request::for_window(&fault.name, Window { from, to: end });
    request.service = fault
        .labels
        .get("service")
        .filter(|s| !s.is_empty())
        .cloned();
    if let Origin::Slo(name) = &fault.origin {
        request.slo = Some(name.clone());
    }
    request
}
