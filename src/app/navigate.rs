//! Moving about: focus between panes (keys and clicks), the selection within the focused pane
//! or the view on top, and what the keys are talking to.

use super::{App, Handled, View};
use crate::action::Action;
use crate::config::{PaneId, PaneKind};
use crate::layout;

impl App {
    pub(super) fn cycle_focus(&mut self, step: isize) {
        let order = self.focus_order();
        let Some(pos) = order.iter().position(|&p| p == self.focus) else {
            return;
        };
        let len = order.len() as isize;
        self.focus = order[(pos as isize + step).rem_euclid(len) as usize];
        let focus = self.focus;
        if let Some(View::Zoom(pane)) = self.views.iter_mut().rev().find(|v| !v.is_overlay()) {
            *pane = focus;
        }
    }

    pub(super) fn focus_at(&mut self, column: u16, row: u16) {
        if self.full_screen().is_some() {
            return;
        }
        let area = ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1);
        let hit = layout::pane_areas(&self.config, area)
            .into_iter()
            .find(|(_, r)| r.contains(ratatui::layout::Position::new(column, row)));
        if let Some((pane, _)) = hit {
            self.focus = pane;
        }
    }

    /// Whether the dashboard (or one pane of it, full screen) is what the keys talk to.
    pub(super) fn on_dashboard(&self) -> bool {
        matches!(
            self.shown_view(),
            None | Some(View::Zoom(_) | View::SloTraces { .. } | View::TraceEvents { .. })
        )
    }

    /// The focused pane's answer to `action`: its own keys, and moving its selection.
    pub(super) fn handle_pane(&mut self, action: &Action) -> Handled {
        let step = match action {
            Action::SelectNext => 1,
            Action::SelectPrev => -1,
            _ if self.traces_focused() => return self.handle_traces_pane(action),
            _ if self.events_focused() => return self.handle_events_pane(action),
            _ if self.slo_focused() => return self.handle_slo_pane(action),
            _ if self.faults_focused() => return self.handle_faults_pane(action),
            _ => return Handled::Pass,
        };
        if self.traces_focused() {
            let max = self.traces.shown().len().saturating_sub(1);
            self.traces.selected = self.traces.selected.saturating_add_signed(step).min(max);
        } else if self.events_focused() {
            self.events.scroll(-step);
        } else {
            let rows = self.selectable_rows(self.focus);
            let Some(sel) = self.selected.get_mut(self.focus).filter(|_| rows > 0) else {
                return Handled::Pass;
            };
            *sel = sel.saturating_add_signed(step).min(rows - 1);
        }
        Handled::DONE
    }

    /// How many rows `pane` lists to select from: a Table's series, the SLOs, the faults
    /// shown; none elsewhere.
    pub(super) fn selectable_rows(&self, pane: PaneId) -> usize {
        match self.config.panes.get(pane).map(|p| &p.kind) {
            Some(PaneKind::Table(queries)) => {
                queries.iter().map(|&q| self.queries[q].set.len()).sum()
            }
            Some(PaneKind::Slo) => self.config.slos.len(),
            Some(PaneKind::Faults) => self.shown_faults().len(),
            _ => 0,
        }
    }
}

/// Lists: first, last, a page, the wheel; `l` on a trace; the errors view. (Issue 16: being
/// built.)
impl App {
    pub(super) fn list_key(&mut self, action: &Action) -> Handled {
        let _ = action;
        self.notice = Some("not built yet".into());
        Handled::DONE
    }
}
