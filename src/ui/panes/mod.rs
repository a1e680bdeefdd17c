//! One pane: its border (title, focus, freshness) and, inside, what its kind draws.

pub mod chart;
pub mod events;
pub mod faults;
pub mod path;
pub mod slo;
pub mod table;
pub mod traces;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Widget};

use crate::app::{App, Freshness};
use crate::config::{PaneId, PaneKind};
use crate::model::conductor::format_age;

/// Draws pane `pane` into `area`.
pub fn render(app: &App, pane: PaneId, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let focused = app.focus == pane;
    let spec = &app.config.panes[pane];
    let (border_style, border_type) = if focused {
        (theme.border_focused, BorderType::Thick)
    } else {
        (theme.border, BorderType::Plain)
    };
    let mut title = Line::from(vec![
        Span::raw(" "),
        Span::styled(spec.title.as_str(), theme.title),
        Span::raw(" "),
    ]);
    // The Events pane says which server-side query narrows it: `Events · level:ERROR`.
    if spec.kind == PaneKind::Events && !app.events.query.trim().is_empty() {
        // Up to two thirds of the border: its freshness keeps the rest.
        let room =
            usize::from(area.width) * 2 / 3 - title.width().min(usize::from(area.width) * 2 / 3);
        if room > 4 {
            let query = crate::text::one_line(&app.events.query, room - 3);
            title
                .spans
                .insert(2, Span::styled(format!(" · {query}"), theme.key));
        }
    }
    let room = usize::from(area.width).saturating_sub(title.width() + 4);
    let queries = app.pane_queries(pane);
    let freshness = match spec.kind {
        PaneKind::Events => app.events_freshness(),
        PaneKind::Traces => app.traces_freshness(),
        PaneKind::Faults => app.faults_freshness(),
        _ => app.freshness(&queries),
    };
    let mut fresh = freshness_line(app, &freshness, room);
    // Warnings the backend attached are shown, not dropped: the first, where it fits.
    if let Some(w) = queries
        .iter()
        .find_map(|&q| app.queries[q].warnings.first())
    {
        let left = room.saturating_sub(fresh.width() + 12);
        if left > 8 {
            // (`left` characters and the ellipsis: one_line's width counts the ellipsis.)
            let text = crate::text::one_line(w, left + 1);
            fresh.spans.insert(
                0,
                Span::styled(format!(" warning: {text} ·"), theme.status_stale),
            );
        }
    }
    if crate::layout::is_collapsed(area) {
        // Too little room: a title bar saying what is hidden and how to see it.
        let count = collapsed_count(app, &spec.kind);
        let last = title.spans.len() - 1;
        title.spans[last] = Span::styled(format!(" ·{count} z to zoom "), theme.dim);
        Block::new()
            .borders(Borders::TOP)
            .border_type(border_type)
            .border_style(border_style)
            .title(title)
            .title_top(fresh.right_aligned())
            .render(area, buf);
        return;
    }
    let inner = Block::bordered().inner(area);
    frame(area, buf, (border_type, border_style), title, fresh);
    if inner.is_empty() {
        return;
    }
    match &spec.kind {
        PaneKind::Chart(queries) => chart::render(app, queries, inner, buf),
        PaneKind::Table(queries) => table::render(app, pane, queries, inner, buf),
        PaneKind::Path { x, y, heading } => path::render(app, *x, *y, *heading, inner, buf),
        PaneKind::Events => events::render(app, pane, inner, buf),
        PaneKind::Traces => traces::render(app, pane, inner, buf),
        PaneKind::Slo => slo::render(app, pane, inner, buf),
        PaneKind::Faults => faults::render(app, pane, inner, buf),
    }
}

/// A pane's border with its title on the left and `right` on the right of the top edge, as
/// `Block::bordered()` draws it, edge by edge: a `Block` over the whole pane first styles every
/// cell inside it (with the default style, which changes nothing) — 5 % of capcom's CPU on a
/// live dashboard, for cells the pane then draws over.
fn frame(
    area: Rect,
    buf: &mut Buffer,
    (border_type, border_style): (BorderType, ratatui::style::Style),
    title: Line<'_>,
    right: Line<'_>,
) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    let edge = |borders: Borders| {
        Block::new()
            .borders(borders)
            .border_type(border_type)
            .border_style(border_style)
    };
    let row = |y: u16| Rect::new(area.x, y, area.width, 1);
    edge(Borders::TOP | Borders::LEFT | Borders::RIGHT)
        .title(title)
        .title_top(right.right_aligned())
        .render(row(area.y), buf);
    if area.height > 1 {
        edge(Borders::BOTTOM | Borders::LEFT | Borders::RIGHT).render(row(area.bottom() - 1), buf);
    }
    if area.height > 2 {
        let side = |x: u16| Rect::new(x, area.y + 1, 1, area.height - 2);
        edge(Borders::LEFT).render(side(area.x), buf);
        edge(Borders::RIGHT).render(side(area.right() - 1), buf);
    }
}

/// What a collapsed pane holds, for its title bar: ` 12 ·` (events, traces, faults, SLOs),
/// ` 5 series ·`, nothing for the path.
fn collapsed_count(app: &App, kind: &PaneKind) -> String {
    let series =
        |queries: &[usize]| -> usize { queries.iter().map(|&q| app.queries[q].set.len()).sum() };
    match kind {
        PaneKind::Chart(q) | PaneKind::Table(q) => format!(" {} series ·", series(q)),
        PaneKind::Events => format!(" {} ·", app.events.visible_len()),
        PaneKind::Traces => format!(" {} ·", app.traces.shown().len()),
        PaneKind::Slo => format!(" {} ·", app.config.slos.len()),
        PaneKind::Faults => format!(" {} ·", app.fault_rows().len()),
        PaneKind::Path { .. } => String::new(),
    }
}

/// A list's `+N more` when `hidden` of its rows do not fit, at the bottom right of `area`.
pub fn more_mark(app: &App, hidden: usize, area: Rect, buf: &mut Buffer) {
    if hidden > 0 {
        corner_marks(
            vec![Span::styled(more_text(hidden), app.theme.dim)],
            area,
            buf,
        );
    }
}

/// The text of [`more_mark`]: ` +3 more `.
#[must_use]
pub fn more_text(hidden: usize) -> String {
    format!(" +{hidden} more ")
}

/// Marks about a list (`3 new ↓`, `/filter`, `searching…`) at the bottom right of `area`, cut
/// at its right edge when wider.
pub fn corner_marks(marks: Vec<Span<'_>>, area: Rect, buf: &mut Buffer) {
    if marks.is_empty() || area.height == 0 {
        return;
    }
    let line = Line::from(marks);
    let w = line.width() as u16;
    // Wider than the pane: cut at the right rather than drawn over the border on the left.
    let at = Rect::new(
        area.right().saturating_sub(w).max(area.x),
        area.bottom() - 1,
        w.min(area.width),
        1,
    );
    line.render(at, buf);
}

/// A pane's freshness as a title: ` 3s `, ` waiting… `, ` STALE 41s: timeout `, cut to
/// `room` characters so the pane's own title stays readable.
fn freshness_line<'a>(app: &App, f: &Freshness, room: usize) -> Line<'a> {
    let theme = &app.theme;
    match f {
        Freshness::Waiting => Line::styled(" waiting… ", theme.dim),
        Freshness::Unconfigured(id) => Line::styled(format!(" no [{id}] configured "), theme.dim),
        Freshness::Ok { age } => Line::styled(format!(" {} ", format_age(*age)), theme.dim),
        Freshness::Stale { age, reason } => {
            let age = age
                .map(|a| format!(" {}", format_age(a)))
                .unwrap_or_default();
            let text =
                crate::text::one_line(&format!("STALE{age}: {reason}"), room.saturating_sub(2));
            Line::styled(format!(" {text} "), theme.status_stale)
        }
    }
}

/// The widest a legend is drawn, in columns; no pane is wider.
const LEGEND_MAX: usize = 200;

/// Fills `{{label}}` placeholders of a legend template from a series' labels, made safe to
/// draw: label values are whatever the scraped targets said, bidi overrides and escapes
/// included.
#[must_use]
pub fn legend(template: &str, labels: &crate::model::Labels) -> String {
    crate::text::safe_line(&crate::config::fill_legend(template, labels), LEGEND_MAX)
}

/// A value with its precision and unit, `—` when there is none. The precision is clamped to
/// what configuration allows, so no value can make formatting panic.
#[must_use]
pub fn format_value(v: Option<f64>, precision: usize, unit: &str) -> String {
    let precision = precision.min(*crate::config::PRECISION.end());
    match v {
        Some(v) if v.is_finite() => {
            let sep = if unit.is_empty() || unit.starts_with('°') || unit == "%" {
                ""
            } else {
                " "
            };
            format!("{v:.precision$}{sep}{unit}")
        }
        _ => "—".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Labels;

    #[test]
    fn legends_fill_labels() {
        let labels = Labels::from([("wheel".to_owned(), "LF".to_owned())]);
        assert_eq!(legend("wheel {{wheel}} wear", &labels), "wheel LF wear");
        assert_eq!(legend("{{ missing }}x", &labels), "x");
        assert_eq!(legend("broken {{wheel", &labels), "broken {{wheel");
        let hostile = [(
            "wheel".to_owned(),
            "L\u{202E}F\u{2066}\u{200B}\u{FEFF}\u{1b}]0;x\u{7}".to_owned(),
        )]
        .into_iter()
        .collect();
        assert_eq!(legend("wheel {{wheel}}", &hostile), "wheel LF␛]0;x�");
    }

    #[test]
    fn values_carry_precision_and_unit() {
        assert_eq!(format_value(Some(-63.25), 1, "°C"), "-63.2°C");
        assert_eq!(format_value(Some(412.0), 0, "W"), "412 W");
        assert_eq!(format_value(Some(f64::NAN), 0, "W"), "—");
        assert_eq!(format_value(None, 0, "W"), "—");
    }

    #[test]
    fn an_absurd_precision_is_clamped_not_a_panic() {
        assert_eq!(format_value(Some(1.5), 65_535, ""), "1.500000000000");
        assert_eq!(format_value(Some(1.5), usize::MAX, "W"), "1.500000000000 W");
    }
}
