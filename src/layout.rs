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

/// Rows a collapsed pane takes: its title bar.
pub const COLLAPSED: u16 = 1;

/// Whether a pane drawn in `rect` is collapsed to its title bar.
#[must_use]
pub fn is_collapsed(rect: Rect) -> bool {
    rect.height <= COLLAPSED
}

/// Each pane's rectangle on a screen of `area`, in focus order. `need` says how many rows
/// (border included) a pane can fill, `None` for any number: a pane given more than it needs
/// hands the rest to its neighbours.
///
/// Columns share the width by their `width`; while one is narrower than its widest pane's
/// `min-width`, it is stacked onto its neighbour (the two become one column, one above the
/// other). Panes share a column's height by their `height`, each at least its `min-height` and
/// at most its need; when the column cannot give every pane its `min-height`, the panes of
/// lowest `priority` collapse to a one-line title bar ([`COLLAPSED`]) until the rest fit.
#[must_use]
pub fn pane_areas(
    config: &Config,
    area: Rect,
    need: &dyn Fn(PaneId) -> Option<u16>,
) -> Vec<(PaneId, Rect)> {
    let (main, _) = split(area);
    let fit = |p: PaneId| config.panes[p].fit;
    let mut columns: Vec<(u32, Vec<(PaneId, u32)>)> = config
        .layout
        .iter()
        .map(|c| {
            let panes = c.panes.iter().map(|&(p, h)| (p, u32::from(h))).collect();
            (u32::from(c.width), panes)
        })
        .collect();
    let widths = loop {
        let widths = Layout::horizontal(columns.iter().map(|(w, _)| Constraint::Fill(*w as u16)))
            .split(main);
        let deficit = |(i, rect): (usize, &Rect)| {
            let widest = columns[i]
                .1
                .iter()
                .map(|&(p, _)| fit(p).min_width)
                .max()
                .unwrap_or(0);
            (widest > rect.width).then(|| (widest - rect.width, i))
        };
        let worst = widths.iter().enumerate().filter_map(deficit).max();
        match worst {
            Some((_, i)) if columns.len() > 1 => stack(&mut columns, i),
            _ => break widths,
        }
    };
    let mut out = Vec::new();
    for ((_, panes), rect) in columns.iter().zip(widths.iter()) {
        let heights = heights(rect.height, panes, &fit, need);
        let mut y = rect.y;
        for (&(p, _), h) in panes.iter().zip(heights) {
            out.push((
                p,
                Rect {
                    y,
                    height: h,
                    ..*rect
                },
            ));
            y += h;
        }
    }
    out.sort_by_key(|&(p, _)| focus_rank(config, p));
    out
}

/// Where pane `p` comes in the layout file's order (columns left to right, each top to
/// bottom): the focus order, whatever stacking did.
fn focus_rank(config: &Config, p: PaneId) -> usize {
    config
        .layout
        .iter()
        .flat_map(|c| c.panes.iter().map(|(q, _)| *q))
        .position(|q| q == p)
        .unwrap_or(usize::MAX)
}

/// Stacks column `i` onto its narrower neighbour: one column whose width is both, `i`'s panes
/// below (or above) the neighbour's, each column's panes keeping their share of the height.
fn stack(columns: &mut Vec<(u32, Vec<(PaneId, u32)>)>, i: usize) {
    let j = match (i.checked_sub(1), (i + 1 < columns.len()).then_some(i + 1)) {
        (Some(a), Some(b)) => {
            if columns[a].0 <= columns[b].0 {
                a
            } else {
                b
            }
        }
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => return,
    };
    let (top, bottom) = (i.min(j), i.max(j));
    let below = columns.remove(bottom);
    let above = &mut columns[top];
    let sum = |panes: &[(PaneId, u32)]| panes.iter().map(|(_, h)| *h).sum::<u32>().max(1);
    let (sum_above, sum_below) = (sum(&above.1), sum(&below.1));
    for (_, h) in &mut above.1 {
        *h *= sum_below;
    }
    above
        .1
        .extend(below.1.into_iter().map(|(p, h)| (p, h * sum_above)));
    above.0 += below.0;
}

/// The rows each of `panes` (with their relative heights) takes in a column `height` rows
/// high: see [`pane_areas`].
fn heights(
    height: u16,
    panes: &[(PaneId, u32)],
    fit: &dyn Fn(PaneId) -> crate::config::Fit,
    need: &dyn Fn(PaneId) -> Option<u16>,
) -> Vec<u16> {
    let n = panes.len();
    // A pane needs at least a border and a line; it never asks for less than that.
    let min: Vec<u16> = panes
        .iter()
        .map(|&(p, _)| {
            let m = fit(p).min_height;
            need(p).map_or(m, |n| m.min(n.max(3)))
        })
        .collect();
    let cap: Vec<u16> = panes
        .iter()
        .zip(&min)
        .map(|(&(p, _), &m)| need(p).map_or(u16::MAX, |n| n.max(m)))
        .collect();
    // Collapse the lowest priority (the lowest, then the last) until the rest fit.
    let mut open = vec![true; n];
    let total = |open: &[bool]| -> u32 {
        (0..n)
            .map(|i| u32::from(if open[i] { min[i] } else { COLLAPSED }))
            .sum()
    };
    while total(&open) > u32::from(height) {
        let lowest = (0..n)
            .filter(|&i| open[i])
            .min_by_key(|&i| (fit(panes[i].0).priority, std::cmp::Reverse(i)));
        match lowest {
            Some(i) => open[i] = false,
            None => break,
        }
    }
    // Share the height by weight among the open panes; a pane whose share is under its
    // minimum gets its minimum, one over its need gets its need, and the others share the rest.
    let mut out: Vec<Option<u16>> = (0..n).map(|i| (!open[i]).then_some(COLLAPSED)).collect();
    loop {
        let free: i64 =
            i64::from(height) - out.iter().flatten().map(|&h| i64::from(h)).sum::<i64>();
        let unfixed: Vec<usize> = (0..n).filter(|&i| out[i].is_none()).collect();
        if unfixed.is_empty() {
            break;
        }
        let weight: u64 = unfixed.iter().map(|&i| u64::from(panes[i].1.max(1))).sum();
        let share = |i: usize| free.max(0) as f64 * f64::from(panes[i].1.max(1)) / weight as f64;
        let under: Vec<usize> = unfixed
            .iter()
            .copied()
            .filter(|&i| share(i) < f64::from(min[i]))
            .collect();
        let fix: Vec<(usize, u16)> = if under.is_empty() {
            unfixed
                .iter()
                .filter(|&&i| share(i) > f64::from(cap[i]))
                .map(|&i| (i, cap[i]))
                .collect()
        } else {
            under.iter().map(|&i| (i, min[i])).collect()
        };
        if fix.is_empty() {
            // The rest share what is left, the remainder a row each to the first.
            let free = free.max(0) as u64;
            let mut given = 0;
            for &i in &unfixed {
                let h = free * u64::from(panes[i].1.max(1)) / weight;
                out[i] = Some(h as u16);
                given += h;
            }
            for &i in unfixed.iter().take((free - given) as usize) {
                out[i] = out[i].map(|h| h + 1);
            }
            break;
        }
        for (i, h) in fix {
            out[i] = Some(h);
        }
    }
    let mut out: Vec<u16> = out.into_iter().map(Option::unwrap_or_default).collect();
    // Rows nobody needs go to the last open pane, below what it lists.
    let used: u32 = out.iter().map(|&h| u32::from(h)).sum();
    if let Some(last) = (0..n).rev().find(|&i| open[i]) {
        let spare = u32::from(height).saturating_sub(used) as u16;
        out[last] += spare;
    }
    // Never more than the column: when even the title bars do not fit, the last go.
    let mut left = height;
    for h in &mut out {
        *h = (*h).min(left);
        left -= *h;
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
