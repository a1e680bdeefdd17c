//! Moving about: focus between panes (keys and clicks), the selection within the focused pane
//! or the view on top, and what the keys are talking to.

use ratatui::layout::{Position, Rect};

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

    /// A click: focuses the pane under it, then selects the row under it if that is a list's
    /// row (in the waterfall, a span's row; a zoomed or full-screen pane keeps its focus).
    pub(super) fn focus_at(&mut self, column: u16, row: u16) {
        if matches!(self.views.last(), Some(View::Trace(_))) {
            self.select_at(column, row);
            return;
        }
        if !self.on_dashboard() {
            return;
        }
        if self.full_screen().is_none() {
            let area = Rect::new(0, 0, self.size.0, self.size.1);
            let hit = self
                .pane_areas(area)
                .into_iter()
                .find(|(_, r)| r.contains(Position::new(column, row)));
            if let Some((pane, _)) = hit {
                self.focus = pane;
            }
        }
        self.select_at(column, row);
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

/// How many rows one notch of the mouse wheel moves a list (or scrolls a view).
pub const WHEEL_ROWS: usize = 3;

/// Where a list key moves a selection (or a view's scroll).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Move {
    /// The first row (the top).
    First,
    /// The last row (the bottom).
    Last,
    /// This many pages down (negative: up).
    Pages(isize),
    /// This many rows down (negative: up).
    Rows(isize),
}

impl Move {
    /// `at` moved in a list of `len` rows of which `page` show, clamped to the list. Down is
    /// towards the last row.
    fn from(self, at: usize, len: usize, page: usize) -> usize {
        let last = len.saturating_sub(1);
        match self {
            Self::First => 0,
            Self::Last => last,
            Self::Pages(n) => at.saturating_add_signed(n * page.max(1) as isize).min(last),
            Self::Rows(n) => at.saturating_add_signed(n).min(last),
        }
    }
}

/// Lists: first, last, a page, the wheel, a click on a row; `l` on a trace; the errors view.
impl App {
    pub(super) fn list_key(&mut self, action: &Action) -> Handled {
        let how = match action {
            Action::OpenErrors => return Handled::push(View::Errors { scroll: 0 }),
            Action::TraceEvents => return self.selected_trace_events(),
            Action::SelectFirst => Move::First,
            Action::SelectLast => Move::Last,
            Action::PageDown => Move::Pages(1),
            Action::PageUp => Move::Pages(-1),
            Action::Wheel { column, row, down } => {
                let rows = if *down {
                    WHEEL_ROWS
                } else {
                    WHEEL_ROWS.wrapping_neg()
                } as isize;
                return self.wheel(*column, *row, rows);
            }
            _ => return Handled::Pass,
        };
        self.move_shown(how)
    }

    /// `l` on the Traces pane: the events carrying the selected trace's id, as `l` in its
    /// waterfall and span views.
    fn selected_trace_events(&mut self) -> Handled {
        if !self.traces_focused() || !self.on_dashboard() {
            return Handled::Pass;
        }
        if let Some(l) = self.traces.selected_trace() {
            let id = l.trace.trace_id.to_string();
            return self.open_trace_events(id);
        }
        self.notice = Some("no trace is selected".into());
        Handled::DONE
    }

    /// The screen's area above the status bar: where views and a full-screen pane draw.
    fn main_area(&self) -> Rect {
        layout::split(Rect::new(0, 0, self.size.0, self.size.1)).0
    }

    /// Where pane `pane` is drawn now, border included: the whole main area when it is full
    /// screen; `None` when another pane is.
    pub(super) fn pane_rect(&self, pane: PaneId) -> Option<Rect> {
        match self.full_screen() {
            Some(p) if p == pane => Some(self.main_area()),
            Some(_) => None,
            None => self
                .pane_areas(Rect::new(0, 0, self.size.0, self.size.1))
                .into_iter()
                .find_map(|(p, r)| (p == pane).then_some(r)),
        }
    }

    /// Each pane's rectangle on a screen of `area` as things are now: a list with few rows
    /// (the SLOs, the faults, a table) takes no more than it needs.
    #[must_use]
    pub fn pane_areas(&self, area: Rect) -> Vec<(PaneId, Rect)> {
        layout::pane_areas(&self.config, area, &|p| self.pane_need(p))
    }

    /// The rows (border included) pane `pane` can fill now; `None` for any number.
    #[must_use]
    pub fn pane_need(&self, pane: PaneId) -> Option<u16> {
        use crate::config::PaneKind;
        let rows = |n: usize, per: u16| {
            u16::try_from(n.max(1))
                .unwrap_or(u16::MAX)
                .saturating_mul(per)
        };
        let need = match &self.config.panes.get(pane)?.kind {
            PaneKind::Table(queries) => {
                rows(queries.iter().map(|&q| self.queries[q].set.len()).sum(), 1)
            }
            PaneKind::Slo => rows(self.config.slos.len(), layout::SLO_ROWS),
            // And a line for the filter's mark in the bottom corner.
            PaneKind::Faults => {
                let filter = self.faults.filter;
                let shown = self
                    .fault_rows()
                    .iter()
                    .filter(|r| filter.shows(r.state))
                    .count();
                rows(shown, layout::FAULT_ROWS).saturating_add(1)
            }
            PaneKind::Chart(_) | PaneKind::Path { .. } | PaneKind::Events | PaneKind::Traces => {
                return None;
            }
        };
        Some(need.saturating_add(2))
    }

    /// Where pane `pane` lists its rows now and how many lines each takes.
    fn list_body(&self, pane: PaneId) -> Option<(Rect, u16)> {
        let kind = &self.config.panes.get(pane)?.kind;
        layout::list_body(kind, self.pane_rect(pane)?)
    }

    /// How many rows of pane `pane`'s list show at once: a page.
    fn page_of(&self, pane: PaneId) -> usize {
        self.list_body(pane)
            .map_or(1, |(body, per)| layout::rows_fit(body, per))
    }

    /// The line count of the text view on top (a detail, the errors) and its scroll, if the
    /// top view is one.
    fn top_text(&mut self) -> Option<(usize, &mut usize)> {
        let width = usize::from(layout::inner(self.main_area()).width);
        let len = match self.views.last()? {
            View::EventDetail { event, .. } => super::views::event_detail_len(event),
            View::Span { trace, span, .. } => super::views::span_detail_len(trace, *span),
            View::FaultDetail { fault, .. } => super::views::fault_detail_len(fault),
            View::Errors { .. } => self.error_lines(width).len(),
            _ => return None,
        };
        match self.views.last_mut()? {
            View::EventDetail { scroll, .. }
            | View::Span { scroll, .. }
            | View::FaultDetail { scroll, .. }
            | View::Errors { scroll } => Some((len, scroll)),
            _ => None,
        }
    }

    /// `j` / `k` in a text view on top (a detail, the errors): scrolls it by `rows`, stopping
    /// at its last page.
    pub(super) fn scroll_text(&mut self, rows: isize) -> Handled {
        self.move_shown(Move::Rows(rows))
    }

    /// The help overlay's keys: `j` `k`, the list keys scroll it when it is taller than the
    /// screen.
    pub(super) fn scroll_help(&mut self, action: &Action) -> Handled {
        let how = match action {
            Action::SelectNext => Move::Rows(1),
            Action::SelectPrev => Move::Rows(-1),
            Action::SelectFirst => Move::First,
            Action::SelectLast => Move::Last,
            Action::PageDown => Move::Pages(1),
            Action::PageUp => Move::Pages(-1),
            Action::Wheel { down, .. } => Move::Rows(if *down { 3 } else { -3 }),
            _ => return Handled::Pass,
        };
        let page = usize::from(layout::inner(self.main_area()).height);
        let stops = (self.help_len)(self.size.0).saturating_sub(page) + 1;
        self.help_scroll = how.from(self.help_scroll, stops, page);
        Handled::DONE
    }

    /// Moves the selection of what is shown: the text view on top, the waterfall, or the
    /// focused pane's list (on the dashboard, zoomed, or full screen).
    fn move_shown(&mut self, how: Move) -> Handled {
        let page = usize::from(layout::inner(self.main_area()).height);
        if let Some((len, scroll)) = self.top_text() {
            // The last page shows the last line at the bottom: scrolling stops there.
            *scroll = how.from(*scroll, len.saturating_sub(page) + 1, page);
            return Handled::DONE;
        }
        let rows = usize::from(layout::waterfall_body(self.main_area()).height);
        if let Some(View::Trace(view)) = self.views.last_mut() {
            view.selected = how.from(view.selected, view.rows.len(), rows);
            return Handled::DONE;
        }
        if !self.on_dashboard() {
            return Handled::Pass;
        }
        self.move_in_pane(self.focus, how)
    }

    /// Moves the selection of pane `pane`'s list. The Events pane counts from the newest, at
    /// the bottom: its last row follows the tail again. A pane that lists nothing (a chart,
    /// the path) takes `G` as follow-now, as `End`, and pages through time a window at a time.
    fn move_in_pane(&mut self, pane: PaneId, how: Move) -> Handled {
        let rows = self.page_of(pane);
        let Some(kind) = self.config.panes.get(pane).map(|p| p.kind.clone()) else {
            return Handled::Pass;
        };
        match kind {
            PaneKind::Events => {
                let len = self.events.visible_len();
                // Row 0 of the selection is the newest, the list's last row.
                let from_top = len.saturating_sub(1).saturating_sub(self.events.selected);
                let to = how.from(from_top, len, rows);
                self.events.scroll(from_top as isize - to as isize);
            }
            PaneKind::Traces => {
                let len = self.traces.shown().len();
                self.traces.selected = how.from(self.traces.selected, len, rows);
            }
            PaneKind::Table(_) | PaneKind::Slo | PaneKind::Faults => {
                let len = self.selectable_rows(pane);
                if let Some(sel) = self.selected.get_mut(pane) {
                    *sel = how.from(*sel, len, rows);
                }
            }
            PaneKind::Chart(_) | PaneKind::Path { .. } => match how {
                Move::Last => self.conductor.paused_at = None,
                Move::Pages(n) => self.conductor.scrub(n as f64, self.now),
                Move::First | Move::Rows(_) => {
                    self.notice = Some(
                        "this pane lists nothing: ← → scrub its time, L or End follows now".into(),
                    );
                }
            },
        }
        Handled::DONE
    }

    /// The wheel turned over (`column`, `row`): the list or view under the mouse scrolls by
    /// `rows` (its selection moves), without moving the focus.
    fn wheel(&mut self, column: u16, row: u16, rows: isize) -> Handled {
        if self.top_text().is_some() || matches!(self.views.last(), Some(View::Trace(_))) {
            return self.move_shown(Move::Rows(rows));
        }
        if !self.on_dashboard() {
            return Handled::DONE;
        }
        let at = Position::new(column, row);
        let under = (self.config.panes.iter().enumerate())
            .map(|(pane, _)| pane)
            .find(|&p| self.pane_rect(p).is_some_and(|r| r.contains(at)));
        match under {
            // A chart under the wheel keeps its time: the wheel moves lists only.
            Some(pane) if self.list_body(pane).is_some() => {
                self.move_in_pane(pane, Move::Rows(rows))
            }
            _ => Handled::DONE,
        }
    }

    /// A click at (`column`, `row`) on the row of a list (or of the waterfall) selects it.
    /// Says whether a row was there.
    pub(super) fn select_at(&mut self, column: u16, row: u16) -> bool {
        let at = Position::new(column, row);
        if let Some(View::Trace(view)) = self.views.last_mut() {
            let body =
                layout::waterfall_body(layout::split(Rect::new(0, 0, self.size.0, self.size.1)).0);
            if !body.contains(at) {
                return false;
            }
            let first = layout::first_shown(view.selected, usize::from(body.height));
            let i = first + usize::from(row - body.y);
            if i < view.rows.len() {
                view.selected = i;
                return true;
            }
            return false;
        }
        let pane = self.focus;
        let Some((body, per)) = self.list_body(pane).filter(|(b, _)| b.contains(at)) else {
            return false;
        };
        let line = usize::from((row - body.y) / per.max(1));
        let fits = layout::rows_fit(body, per);
        match self.config.panes[pane].kind {
            PaneKind::Events => {
                // As the pane draws: rows end at the selected event when it would be off
                // screen, else at the newest, which is at the bottom.
                let len = self.events.visible_len();
                let newest_shown = layout::first_shown(self.events.selected, fits);
                let end = len.saturating_sub(newest_shown);
                let start = end.saturating_sub(fits);
                if start + line >= end {
                    return false;
                }
                let from_newest = len - 1 - (start + line);
                self.events
                    .scroll(from_newest as isize - self.events.selected as isize);
            }
            PaneKind::Traces => {
                let i = layout::first_shown(self.traces.selected, fits) + line;
                if i >= self.traces.shown().len() {
                    return false;
                }
                self.traces.selected = i;
            }
            PaneKind::Table(_) | PaneKind::Slo | PaneKind::Faults => {
                let len = self.selectable_rows(pane);
                let sel = self.selected[pane].min(len.saturating_sub(1));
                let i = layout::first_shown(sel, fits) + line;
                if i >= len {
                    return false;
                }
                self.selected[pane] = i;
            }
            PaneKind::Chart(_) | PaneKind::Path { .. } => return false,
        }
        true
    }
}
