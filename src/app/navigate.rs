//! Moving about: focus between panes (keys and clicks), the selection within the focused pane
//! or the view on top, and what the keys are talking to.

use super::{App, SEARCH_FIELDS, SearchForm, View};
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
        if self.zoomed().is_some() {
            self.views.pop();
            self.views.push(View::Zoom(self.focus));
        }
    }

    pub(super) fn focus_at(&mut self, column: u16, row: u16) {
        if self.full_screen().is_some() || self.help {
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

    /// Whether the dashboard (or one pane of it, zoomed) is what the keys talk to.
    pub(super) fn on_dashboard(&self) -> bool {
        match self.views.last() {
            None | Some(View::SloTraces { .. } | View::TraceEvents { .. }) => true,
            Some(View::Zoom(_)) => self.views.len() == 1,
            _ => false,
        }
    }

    pub(super) fn form_mut(&mut self) -> Option<&mut SearchForm> {
        match self.views.last_mut() {
            Some(View::Search(f)) => Some(f),
            _ => None,
        }
    }

    pub(super) fn move_selection(&mut self, step: isize) {
        match self.views.last_mut() {
            Some(View::EventDetail { scroll, .. } | View::Span { scroll, .. }) => {
                *scroll = scroll.saturating_add_signed(step);
                return;
            }
            Some(View::Trace(v)) => {
                v.step(step);
                return;
            }
            Some(View::Search(f)) => {
                f.at = (f.at as isize + step).rem_euclid(SEARCH_FIELDS.len() as isize) as usize;
                return;
            }
            _ => {}
        }
        if self.traces_focused() {
            let max = self.traces.shown().len().saturating_sub(1);
            self.traces.selected = self.traces.selected.saturating_add_signed(step).min(max);
        } else if self.events_focused() {
            self.events.scroll(-step);
        } else {
            let last = self.selectable_rows(self.focus).saturating_sub(1);
            if let Some(sel) = self.selected.get_mut(self.focus) {
                *sel = sel.saturating_add_signed(step).min(last);
            }
        }
    }

    /// How many rows `pane` lists to select from: a Table's series, the SLOs; none elsewhere.
    pub(super) fn selectable_rows(&self, pane: PaneId) -> usize {
        match self.config.panes.get(pane).map(|p| &p.kind) {
            Some(PaneKind::Table(queries)) => {
                queries.iter().map(|&q| self.queries[q].set.len()).sum()
            }
            Some(PaneKind::Slo) => self.config.slos.len(),
            _ => 0,
        }
    }
}
