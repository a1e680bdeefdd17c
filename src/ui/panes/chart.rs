//! The chart pane (Environment): one strip per series, stacked, sharing a time axis. Each strip
//! has a header (legend, unit, the value at the window's end with its limit word) and a braille
//! line with its own value range, so series of different units read side by side.
//!
//! The time range is quantised to whole columns: between two column boundaries the line stays
//! put, so a following chart repaints only when a column's worth of time has passed.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::{format_value, legend};
use ratatui::widgets::{BorderType, Clear};

use crate::app::{AlertChartView, App};
use crate::config::{Query, QueryId};
use crate::model::{Labels, SeriesBuf};
use crate::text::{one_line, safe_line};
use crate::ui::overlay::panel;
use crate::ui::widgets::strip::{Strip, value_range};

use crate::layout::CHART_GUTTER as GUTTER;
/// Rows a strip needs: a header and at least one of plot.
const MIN_STRIP_ROWS: u16 = 2;

/// Share of the plot a following chart scrolls by at once.
const JUMP_FRACTION: u16 = 10;

/// The time range of a plot `width` columns wide: the conductor's window, its end rounded up to
/// a column boundary when paused, and to a tenth of the width when following now.
///
/// Following, the chart jumps a tenth of its width at a time and new points fill in towards the
/// right edge in between, rather than scrolling by one column every few seconds: every scroll
/// repaints the whole plot, which on a slow ssh link costs more than the data itself.
#[must_use]
pub fn plot_range(app: &App, width: u16) -> (f64, f64) {
    plot_range_over(app, app.conductor.window, width)
}

/// [`plot_range`] over a `window` other than the conductor's (an alert's chart's hour).
fn plot_range_over(app: &App, window: f64, width: u16) -> (f64, f64) {
    let width = width.max(1);
    let columns = if app.conductor.paused_at.is_some() {
        1
    } else {
        (width / JUMP_FRACTION).max(1)
    };
    let step = window / f64::from(width) * f64::from(columns);
    let end = (app.conductor.end(app.now) / step).ceil() * step;
    (end - window, end)
}

/// Draws the chart pane's series into `area`.
pub fn render(app: &App, queries: &[QueryId], area: Rect, buf: &mut Buffer) {
    let strips: Vec<(&Query, String, &SeriesBuf)> = queries
        .iter()
        .flat_map(|&q| {
            let query = &app.config.queries[q];
            app.queries[q]
                .set
                .iter()
                .map(move |(l, b)| (query, legend(&query.legend, l), b))
        })
        .collect();
    if strips.is_empty() {
        Line::styled("waiting for data…", app.theme.dim).render(area, buf);
        return;
    }
    draw_strips(app, &strips, app.conductor.window, Scale::Data, area, buf);
}

/// A query charted from the runtime slot, full screen: a fault's rule (titled with its
/// expression, the threshold as a limit line) or an ad-hoc query (titled with it, over the
/// conductor's window); one strip per series, its labels the legend; a failure said above the
/// strips, or in their place when nothing arrived.
pub fn alert_chart(app: &App, view: &AlertChartView, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let state = &app.queries[app.chart_slot()];
    let window = view.window(app.conductor.window);
    let (title, keys) = match view.fault {
        Some(_) => (
            format!(" chart: {} ", one_line(&view.expression, 100)),
            " t its service's failed traces · Esc back ",
        ),
        None => (
            format!(" query: {} ", one_line(&view.expression, 100)),
            " : edit · y copy · o link · Esc back ",
        ),
    };
    Clear.render(area, buf);
    let block = panel(app, BorderType::Thick, title, keys);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height < 2 {
        return;
    }
    let head = Rect::new(inner.x, inner.y, inner.width, 1);
    let said = match (&view.fault, view.threshold) {
        (Some(fault), Some(t)) => {
            let op = if t.above { "above" } else { "below" };
            format!(
                " {} · fires {op} {} ({}, dotted)",
                one_line(&view.query.promql, 60),
                t.value,
                fault.severity.word()
            )
        }
        (Some(_), None) => format!(
            " {} · no threshold read from the rule",
            one_line(&view.query.promql, 60)
        ),
        (None, _) => format!(
            " {} over the window · {}",
            crate::model::conductor::format_span(window),
            crate::text::plural(state.set.iter().count(), "series")
        ),
    };
    let failed = state.error.as_ref().map(|f| f.reason.to_string());
    let unrecorded = app.replay.is_some() && state.error.as_ref().is_some_and(|f| f.query_only);
    let mut head_spans = vec![Span::styled(said, theme.dim)];
    if let Some(why) = failed.as_ref().filter(|_| !state.set.is_empty()) {
        head_spans.push(Span::styled(
            format!(" · STALE: {}", one_line(why, usize::from(head.width))),
            theme.status_stale,
        ));
    }
    Line::from(head_spans).render(head, buf);
    let plot = Rect::new(
        inner.x + 1,
        inner.y + 1,
        inner.width.saturating_sub(2),
        inner.height - 1,
    );
    let all: Vec<&Labels> = state.set.iter().map(|(l, _)| l).collect();
    let strips: Vec<(&Query, String, &SeriesBuf)> = state
        .set
        .iter()
        .map(|(l, b)| (&view.query, labels_legend(l, &all), b))
        .collect();
    if strips.is_empty() {
        let (text, style) = match &failed {
            Some(why) => (one_line(why, usize::from(plot.width)), theme.status_stale),
            None if state.last_ok.is_some() => ("no series in the window".into(), theme.dim),
            None => ("waiting for data…".into(), theme.dim),
        };
        Line::styled(text, style).render(plot, buf);
        if unrecorded && plot.height > 1 {
            let next = Rect::new(plot.x, plot.y + 1, plot.width, 1);
            Line::styled("a replay answers only the queries it recorded", theme.dim)
                .render(next, buf);
        }
        return;
    }
    // A rule's threshold is the point of its chart: keep it in view.
    draw_strips(app, &strips, window, Scale::DataAndLimits, plot, buf);
}

/// A series' labels as its legend, `{k="v", …}`, made safe to draw: with several series, only
/// the labels that tell them apart (as Grafana's Explore does), so `wheel="LM"` is not cut off
/// behind the `__name__`, `instance` and `job` every series shares.
fn labels_legend(labels: &Labels, all: &[&Labels]) -> String {
    let varies = |k: &String| all.iter().any(|o| o.get(k) != labels.get(k));
    let mut shown: Vec<String> = labels
        .iter()
        .filter(|(k, _)| all.len() < 2 || varies(k))
        .map(|(k, v)| format!("{k}=\"{v}\""))
        .collect();
    if shown.is_empty() {
        shown = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    }
    safe_line(&format!("{{{}}}", shown.join(", ")), 80)
}

/// What a strip's value axis spans.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scale {
    /// The data in the window: a limit outside it is not drawn.
    Data,
    /// The data and every limit bound, so each limit line is drawn.
    DataAndLimits,
}

/// Stacked strips over `window` seconds, sharing a time axis along the bottom of `area`.
fn draw_strips(
    app: &App,
    strips: &[(&Query, String, &SeriesBuf)],
    window: f64,
    scale: Scale,
    area: Rect,
    buf: &mut Buffer,
) {
    if area.width <= GUTTER + 4 || area.height < MIN_STRIP_ROWS + 1 {
        return;
    }
    let plot_w = area.width - GUTTER;
    let (start, end) = plot_range_over(app, window, plot_w);
    let rows = area.height - 1;
    let shown = strips.len().min(usize::from(rows / MIN_STRIP_ROWS));
    let (each, extra) = (rows / shown as u16, rows % shown as u16);
    let mut top = area.y;
    for (i, (query, name, series)) in strips.iter().take(shown).enumerate() {
        // Rows left over go one each to the first strips, so all are within a row of each other.
        let height = each + u16::from((i as u16) < extra);
        let strip_area = Rect::new(area.x, top, area.width, height);
        top += height;
        let span = (start, end);
        render_strip(app, (query, name, series), i, span, scale, strip_area, buf);
    }
    if shown < strips.len() {
        let note = format!(" +{} more (z to zoom) ", strips.len() - shown);
        let w = note.chars().count() as u16;
        let at = Rect::new(
            area.right().saturating_sub(w).max(area.x),
            area.y + rows - 1,
            w.min(area.width),
            1,
        );
        Line::styled(note, app.theme.dim).render(at, buf);
    }
    let axis = Rect::new(area.x + GUTTER, area.bottom() - 1, plot_w, 1);
    render_time_axis(app, start, end, axis, buf);
}

fn render_strip(
    app: &App,
    (query, name, series): (&Query, &str, &SeriesBuf),
    index: usize,
    (start, end): (f64, f64),
    scale: Scale,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = &app.theme;
    let style = theme.series_style(index);
    let value = series.latest_at(end).map(|p| p.v);
    let level = value.and_then(|v| query.limits.level(v));
    let mut right = vec![Span::styled(
        format_value(value, query.precision, &query.unit),
        theme.limit(level, theme.text),
    )];
    if let Some(l) = level {
        right.push(Span::styled(
            format!(" {}", l.word()),
            theme.limit(level, theme.text),
        ));
    }
    let right = Line::from(right);
    let right_w = right.width() as u16;
    let header = Rect::new(area.x, area.y, area.width, 1);
    let left = Line::from(vec![
        Span::styled(name.to_owned(), style),
        Span::styled(
            if query.unit.is_empty() {
                String::new()
            } else {
                format!(" {}", query.unit)
            },
            theme.dim,
        ),
    ]);
    left.render(
        Rect {
            width: area.width.saturating_sub(right_w + 1),
            ..header
        },
        buf,
    );
    right.right_aligned().render(header, buf);
    let plot = Rect::new(
        area.x + GUTTER,
        area.y + 1,
        area.width - GUTTER,
        area.height - 1,
    );
    let points = series.window(start, end);
    let Some(mut y_range) = value_range(points, start, end) else {
        Line::styled("no data in window", theme.dim).render(plot, buf);
        return;
    };
    if scale == Scale::DataAndLimits {
        for (_, bound) in query.limits.bounds() {
            y_range = (y_range.0.min(bound), y_range.1.max(bound));
        }
    }
    let mut gutter = |row: u16, v: f64| {
        let text = axis_label(v, query.precision.min(2), usize::from(GUTTER - 1));
        Line::styled(text, theme.dim)
            .right_aligned()
            .render(Rect::new(area.x, row, GUTTER - 1, 1), buf);
    };
    gutter(plot.y, y_range.1);
    if plot.height > 1 {
        gutter(plot.bottom() - 1, y_range.0);
    }
    let step = series.step().unwrap_or(app.poll_interval);
    let col = (end - start) / f64::from(plot.width) / 2.0;
    Strip {
        points,
        start,
        end,
        y_range,
        max_gap: (step * crate::model::series::GAP_STEPS).max(col * 2.0),
        limits: &query.limits,
        style,
    }
    .render(plot, buf, theme);
}

/// Tick steps for the time axis, seconds.
const TICK_STEPS: [f64; 14] = [
    60.0, 120.0, 300.0, 600.0, 900.0, 1_800.0, 3_600.0, 7_200.0, 10_800.0, 21_600.0, 43_200.0,
    86_400.0, 172_800.0, 604_800.0,
];

fn render_time_axis(app: &App, start: f64, end: f64, area: Rect, buf: &mut Buffer) {
    let per_col = (end - start) / f64::from(area.width.max(1));
    let label_w = 6.0;
    let step = TICK_STEPS
        .iter()
        .copied()
        .find(|s| s / per_col >= label_w + 4.0)
        .unwrap_or(604_800.0);
    let fmt = if step < 86_400.0 { "%H:%M" } else { "%m-%d" };
    let mut t = (start / step).ceil() * step;
    let mut next_free = 0u16;
    while t <= end {
        let col = ((t - start) / per_col).round() as u16;
        let label = chrono::DateTime::from_timestamp(t as i64, 0)
            .map(|d| format!("└{}", d.format(fmt)))
            .unwrap_or_default();
        let w = label.chars().count() as u16;
        if col >= next_free && col + w <= area.width {
            Line::styled(label, app.theme.dim).render(Rect::new(area.x + col, area.y, w, 1), buf);
            next_free = col + w + 1;
        }
        t += step;
    }
}

/// A value that fits `width` characters: fewer decimals first, then scientific notation.
fn axis_label(v: f64, precision: usize, width: usize) -> String {
    (0..=precision)
        .rev()
        .map(|p| format!("{v:.p$}"))
        .find(|s| s.len() <= width)
        .unwrap_or_else(|| format!("{v:.0e}"))
}

#[cfg(test)]
mod tests {
    use super::{Labels, axis_label, labels_legend};

    #[test]
    fn axis_labels_fit_their_gutter() {
        assert_eq!(axis_label(-63.25, 1, 6), "-63.2");
        assert_eq!(axis_label(123_456.7, 1, 6), "123457");
        assert_eq!(axis_label(12_345_678.0, 1, 6), "1e7");
    }

    #[test]
    fn several_series_are_told_apart_by_the_labels_that_differ() {
        let labels = |wheel: &str| -> Labels {
            [("__name__", "motor"), ("job", "rover"), ("wheel", wheel)]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        };
        let (lm, rr) = (labels("LM"), labels("RR"));
        assert_eq!(labels_legend(&lm, &[&lm, &rr]), "{wheel=\"LM\"}");
        assert_eq!(
            labels_legend(&lm, &[&lm]),
            "{__name__=\"motor\", job=\"rover\", wheel=\"LM\"}",
            "one series keeps all its labels"
        );
    }
}
