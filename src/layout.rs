//! Where things go on screen: the dashboard's columns of panes, the status bar, and the
//! gutters beside a chart's plot and an SLO's sparkline. Pure geometry, below both `app` and
//! `ui`: rendering, mouse clicks and the fetch plan must agree on what is where and how wide.

use ratatui::layout::{Constraint, Layout, Rect};

use crate::config::{Config, PaneId};

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
