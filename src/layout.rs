//! Where things go on screen: the dashboard's columns of panes, the status bar, and the
//! gutters beside a chart's plot and an SLO's sparkline. Pure geometry, below both `app` and
//! `ui`: rendering, mouse clicks and the fetch plan must agree on what is where and how wide.

use ratatui::layout::{Constraint, Layout, Margin, Rect};

use crate::config::{Config, PaneId, PaneKind};

/// Columns left of a chart's plot for the value range labels.
pub const CHART_GUTTER: u16 = 7;
/// Columns before an SLO's sparkline on its line (the SLI and the budget).
pub const SPARK_GUTTER: u16 = 38;

/// The smallest terminal the dashboard draws in; below it a message says so.
pub const MIN_SIZE: (u16, u16) = (40, 12);

/// Splits the screen into the panes' area and the status bar (the last row).
#[must_use]
pub fn split(area: Rect) -> (Rect, Rect) {
    let [main, status] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    (main, status)
}

/// Each pane's rectangle on a screen of `area`, in focus order.
#[must_use]
pub fn pane_areas(config: &Config, area: Rect) -> Vec<(PaneId, Rect)> {
    let (main, _) = split(area);
    let columns =
        Layout::horizontal(config.layout.iter().map(|c| Constraint::Fill(c.width))).split(main);
    let mut out = Vec::new();
    for (col, rect) in config.layout.iter().zip(columns.iter()) {
        let rows =
            Layout::vertical(col.panes.iter().map(|(_, h)| Constraint::Fill(*h))).split(*rect);
        out.extend(
            col.panes
                .iter()
                .zip(rows.iter())
                .map(|((p, _), r)| (*p, *r)),
        );
    }
    out
}

/// Lines one fault takes in the Faults pane: its name, then its state and summary.
pub const FAULT_ROWS: u16 = 2;
/// Lines one SLO takes in the SLO pane: its head, its numbers and sparkline, its burn rates.
pub const SLO_ROWS: u16 = 3;

/// The inside of a bordered pane or view.
#[must_use]
pub fn inner(rect: Rect) -> Rect {
    rect.inner(Margin::new(1, 1))
}

/// Where a pane of `kind` drawn in `rect` (its border included) lists its rows, and how many
/// lines each row takes; `None` for a pane that lists nothing (a chart, the path).
#[must_use]
pub fn list_body(kind: &PaneKind, rect: Rect) -> Option<(Rect, u16)> {
    let inner = inner(rect);
    match kind {
        PaneKind::Events | PaneKind::Table(_) => Some((inner, 1)),
        // The Traces pane's first line is its column header.
        PaneKind::Traces => Some((
            Rect {
                y: inner.y + inner.height.min(1),
                height: inner.height.saturating_sub(1),
                ..inner
            },
            1,
        )),
        PaneKind::Faults => Some((inner, FAULT_ROWS)),
        PaneKind::Slo => Some((inner, SLO_ROWS)),
        PaneKind::Chart(_) | PaneKind::Path { .. } => None,
    }
}

/// How many rows of `per_row` lines fit in `body`: at least one.
#[must_use]
pub fn rows_fit(body: Rect, per_row: u16) -> usize {
    usize::from(body.height / per_row.max(1)).max(1)
}

/// The first row a list of which `fits` rows show draws: lists scroll only as far as the
/// selection needs to stay on screen.
#[must_use]
pub fn first_shown(selected: usize, fits: usize) -> usize {
    selected.saturating_sub(fits.max(1) - 1)
}

/// The waterfall's span rows inside the view drawn in `area`: below its summary and time
/// axis.
#[must_use]
pub fn waterfall_body(area: Rect) -> Rect {
    let inner = inner(area);
    Rect {
        y: inner.y + inner.height.min(2),
        height: inner.height.saturating_sub(2),
        ..inner
    }
}

/// Whether a screen of `area` is big enough for the dashboard.
#[must_use]
pub fn fits(area: Rect) -> bool {
    area.width >= MIN_SIZE.0 && area.height >= MIN_SIZE.1
}

/// A rectangle of `width` × `height` centred in `area`, clipped to it.
#[must_use]
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
