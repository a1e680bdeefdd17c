//! The table pane (Internal): a latest-available-data table, as Open MCT's LAD tables. One row per
//! series: its name, the value at the window's end (so scrubbing back shows the past), the limit
//! word, and a gauge bar when the series has a full scale.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::{format_value, legend};
use crate::app::App;
use crate::config::{PaneId, QueryId};
use crate::model::LimitLevel;

/// Eighth blocks, for gauge bars finer than a cell.
const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

struct Row {
    label: String,
    value: String,
    level: Option<LimitLevel>,
    fraction: Option<f64>,
}

/// Draws the table pane `pane` reading `queries` into `area`.
pub fn render(app: &App, pane: PaneId, queries: &[QueryId], area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    // Following, the latest value is shown even if its timestamp is a hair past our clock
    // (the server's clock, or a sample stamped at evaluation time).
    let end = if app.conductor.paused_at.is_some() {
        app.conductor.end(app.now)
    } else {
        f64::INFINITY
    };
    let rows: Vec<Row> = queries
        .iter()
        .flat_map(|&q| {
            let query = &app.config.queries[q];
            app.queries[q].set.iter().map(move |(labels, series)| {
                let v = series.latest_at(end).map(|p| p.v);
                Row {
                    label: legend(&query.legend, labels),
                    value: format_value(v, query.precision, &query.unit),
                    level: v.and_then(|v| query.limits.level(v)),
                    fraction: query.max.zip(v).map(|(max, v)| (v / max).clamp(0.0, 1.0)),
                }
            })
        })
        .collect();
    if rows.is_empty() {
        Line::styled("waiting for data…", theme.dim).render(area, buf);
        return;
    }
    let width = usize::from(area.width);
    let value_w = rows
        .iter()
        .map(|r| r.value.chars().count())
        .max()
        .unwrap_or(0);
    let word_w = rows
        .iter()
        .filter_map(|r| r.level)
        .map(|l| l.word().len())
        .max()
        .unwrap_or(0);
    let label_w = rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0)
        .min(width * 45 / 100)
        .min(width.saturating_sub(value_w + word_w + 2));
    let bar_w = width.saturating_sub(label_w + value_w + word_w + 3);
    // When the rows overflow, the last line is the `+N more` mark's alone: drawn over a
    // row's end it cut the value mid-number (`motor LF  11. +5 more`).
    let height = match usize::from(area.height) {
        h if rows.len() > h && h > 1 => h - 1,
        h => h,
    };
    let selected = app.selected[pane].min(rows.len() - 1);
    let first = crate::layout::first_shown(selected, height);
    for (i, row) in rows.iter().enumerate().skip(first).take(height) {
        let mut spans = vec![
            Span::styled(fit(&row.label, label_w), theme.text),
            Span::raw(" "),
            Span::styled(
                format!("{:>value_w$}", row.value),
                theme.limit(row.level, theme.text),
            ),
            Span::raw(" "),
            Span::styled(
                format!("{:<word_w$}", row.level.map_or("", LimitLevel::word)),
                theme.limit(row.level, theme.text),
            ),
        ];
        if bar_w >= 3
            && let Some(f) = row.fraction
        {
            spans.push(Span::raw(" "));
            spans.extend(bar(
                f,
                bar_w,
                theme.limit(row.level, theme.gauge_fill),
                theme.gauge_empty,
            ));
        }
        let mut line = Line::from(spans);
        if app.focus == pane && i == selected {
            line = line.patch_style(theme.selection);
        }
        let y = area.y + (i - first) as u16;
        line.render(Rect::new(area.x, y, area.width, 1), buf);
    }
    super::more_mark(app, rows.len().saturating_sub(height), area, buf);
}

/// `text` cut to `width` characters with an ellipsis, or padded to it.
///
/// The ellipsis goes a third of the way in, keeping more of the end: in a set of series named
/// from a template (`wear {{wheel}}`), the end is what tells rows apart (`w…LM`, `w…RM`).
fn fit(text: &str, width: usize) -> String {
    let len = text.chars().count();
    if len <= width {
        return format!("{text:<width$}");
    }
    if width == 0 {
        return String::new();
    }
    let keep = width.saturating_sub(1);
    let head = keep / 3;
    let tail = keep - head;
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(len - tail).collect();
    format!("{start}…{end}")
}

/// A gauge of `width` cells filled to `fraction`, in eighths of a cell.
fn bar(fraction: f64, width: usize, fill: Style, empty: Style) -> [Span<'static>; 2] {
    let eighths = (fraction * (width * 8) as f64).round() as usize;
    let whole = eighths / 8;
    let mut filled: String = "█".repeat(whole);
    if whole < width && !eighths.is_multiple_of(8) {
        filled.push(EIGHTHS[eighths % 8]);
    }
    let rest = width - filled.chars().count();
    [
        Span::styled(filled, fill),
        Span::styled("░".repeat(rest), empty),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_fill_in_eighths() {
        let [f, e] = bar(0.5, 4, Style::new(), Style::new());
        assert_eq!((f.content.as_ref(), e.content.as_ref()), ("██", "░░"));
        let [f, e] = bar(0.3, 4, Style::new(), Style::new());
        assert_eq!(format!("{}{}", f.content, e.content), "█▎░░");
        let [f, _] = bar(1.0, 3, Style::new(), Style::new());
        assert_eq!(f.content, "███");
    }

    #[test]
    fn long_labels_get_an_ellipsis() {
        assert_eq!(fit("battery", 4), "b…ry");
        assert_eq!(fit("wear LM", 4), "w…LM");
        assert_eq!(fit("motor LF", 6), "m…r LF");
        assert_eq!(fit("x", 0), "");
        assert_eq!(fit("cpu", 5), "cpu  ");
    }
}
