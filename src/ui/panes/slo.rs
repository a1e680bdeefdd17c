//! The SLO pane: per SLO, its alert state (a word as well as a colour: `PAGE` loudest, then
//! `TICKET`, `UNKNOWN` apart — `UNKNOWN (insufficient data)` when no page rule has data
//! enough — `ok` quiet), name, service and objective; the SLI now, the error budget left as a
//! bar (and over how long, when the data covers less than the period) and a sparkline of the
//! burn rate over the time window; then the burn rate on each window (a rate over its rule's
//! factor stands out, a window its data covers too little of shows `–`).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::{App, SloStatus};
use crate::config::theme::Theme;
use crate::config::{PaneId, Slo, prom_duration};
use crate::model::slo::{Alert, burn_rate, data_span, same_window};
use crate::text::safe_line;

/// Eighth blocks, lowest to highest.
pub(crate) const BLOCKS: [&str; 8] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

/// Lines per SLO.
const ROWS: u16 = crate::layout::SLO_ROWS;

/// What a window's burn rate shows when its data covers too little of it to count.
pub const INSUFFICIENT: &str = "–";

/// The style and word of an SLO's alert: `UNKNOWN (insufficient data)` when that is why.
fn status_look(theme: &Theme, status: &SloStatus) -> (Style, &'static str) {
    if status.insufficient {
        (theme.key, " UNKNOWN (insufficient data) ")
    } else {
        alert_look(theme, status.alert)
    }
}

/// The style and word of an alert.
#[must_use]
pub fn alert_look(theme: &Theme, alert: Alert) -> (Style, &'static str) {
    match alert {
        Alert::Page => (theme.limit_severe, " PAGE "),
        Alert::Ticket => (theme.limit_warning, " TICKET "),
        Alert::Unknown => (theme.key, " UNKNOWN "),
        Alert::Ok => (theme.status_ok, " ok "),
    }
}

fn percent(v: f64) -> String {
    let p = v * 100.0;
    if p >= 99.0 || p <= -99.0 {
        format!("{p:.2}%")
    } else {
        format!("{p:.1}%")
    }
}

fn burn_text(v: f64) -> String {
    if v >= 10.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn head(app: &App, slo: &Slo, status: &SloStatus, width: usize) -> Line<'static> {
    let theme = &app.theme;
    let (style, word) = status_look(theme, status);
    let objective = format!(
        "{}%",
        crate::source::prometheus::format_value(slo.objective * 100.0)
    );
    let about = format!(
        " · {} · {objective} over {} · {}",
        if slo.service.is_empty() {
            "?"
        } else {
            &slo.service
        },
        prom_duration(slo.period),
        slo.sli.kind()
    );
    let used = word.chars().count() + 1;
    let name = safe_line(&slo.name, width.saturating_sub(used + 12));
    let rest = safe_line(
        &about,
        width.saturating_sub(used + ratatui::text::Span::raw(name.as_str()).width()),
    );
    Line::from(vec![
        Span::styled(word, style),
        Span::raw(" "),
        Span::styled(name, theme.title),
        Span::styled(rest, theme.dim),
    ])
}

/// Over how long the budget is computed, when it is less than the period: ` (over 3h12m of
/// 30d)`.
fn budget_span_text(status: &SloStatus, period: f64) -> Option<String> {
    status.budget_span(period).map(|age| {
        format!(
            "(over {} of {})",
            age.map_or_else(|| "?".to_owned(), data_span),
            prom_duration(period)
        )
    })
}

/// The SLI now and the budget left, as numbers and a bar, and over how long when the data
/// covers less than the period.
fn numbers(app: &App, slo: &Slo, status: &SloStatus) -> Line<'static> {
    let theme = &app.theme;
    let budget = status.budget(slo.objective);
    let bar_w = 8usize;
    let filled = budget.map_or(0, |b| (b.clamp(0.0, 1.0) * bar_w as f64).round() as usize);
    let bar_style = match budget {
        Some(b) if b <= 0.0 => theme.limit_severe,
        Some(b) if b < 0.25 => theme.limit_warning,
        _ => theme.text,
    };
    Line::from(vec![
        Span::styled(" SLI ", theme.dim),
        Span::styled(
            format!(
                "{:<7}",
                status.sli().map_or_else(|| "?".to_owned(), percent)
            ),
            theme.text,
        ),
        Span::styled(" budget ", theme.dim),
        Span::styled(
            format!("{:>6} ", budget.map_or_else(|| "?".to_owned(), percent)),
            bar_style,
        ),
        Span::styled("█".repeat(filled), bar_style),
        Span::styled("░".repeat(bar_w - filled), theme.dim),
        Span::styled(
            budget_span_text(status, slo.period)
                .filter(|_| budget.is_some())
                .map_or_else(String::new, |t| format!(" {t}")),
            theme.dim,
        ),
    ])
}

/// The burn rate on each window; one over a rule's factor stands out, one whose data covers
/// too little of it shows [`INSUFFICIENT`].
fn burns(app: &App, slo: &Slo, status: &SloStatus, width: usize) -> Line<'static> {
    let theme = &app.theme;
    let mut spans = vec![Span::styled(" burn", theme.dim)];
    for &(w, ratio) in &status.ratios {
        let enough = status.enough_data(w);
        let hot = enough
            && ratio.is_some_and(|r| {
                let b = burn_rate(r, slo.objective);
                slo.rules.iter().any(|rule| {
                    (same_window(rule.long, w) || same_window(rule.short, w)) && b > rule.factor
                })
            });
        let value = match ratio {
            None => "?".to_owned(),
            Some(_) if !enough => INSUFFICIENT.to_owned(),
            Some(r) => burn_text(burn_rate(r, slo.objective)),
        };
        let style = match (hot, enough) {
            (true, _) => theme.limit_warning,
            (false, false) => theme.dim,
            (false, true) => theme.text,
        };
        let piece = [
            Span::styled(format!("  {}", prom_duration(w)), theme.dim),
            Span::styled(format!(" {value}"), style),
        ];
        let line_w: usize = spans.iter().map(Span::width).sum();
        if line_w + piece.iter().map(Span::width).sum::<usize>() > width {
            break;
        }
        spans.extend(piece);
    }
    Line::from(spans)
}

/// The burn rate over the time window as one row of eighth blocks (each column its highest,
/// a column without a sample carrying the last), red above the page factor unless the data
/// is `insufficient` to page on.
fn sparkline(app: &App, slo: &Slo, insufficient: bool, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let window = slo.history_window();
    let q = slo.history_query;
    let label = format!(" {} ", prom_duration(window));
    let label_w = label.chars().count() as u16;
    Line::styled(label, theme.dim).render(area, buf);
    let plot = Rect {
        x: area.x + label_w,
        width: area.width.saturating_sub(label_w),
        ..area
    };
    if plot.width < 4 {
        return;
    }
    let end = app.conductor.end(app.now);
    let start = end - app.conductor.window;
    let cols = usize::from(plot.width);
    let mut peak = vec![f64::NAN; cols];
    for (_, series) in app.queries[q].set.iter() {
        for p in series.window(start, end) {
            let c = (((p.t - start) / app.conductor.window) * cols as f64) as usize;
            if let Some(slot) = peak.get_mut(c.min(cols - 1)) {
                let b = burn_rate(p.v.clamp(0.0, 1.0), slo.objective);
                *slot = if slot.is_nan() { b } else { slot.max(b) };
            }
        }
    }
    let newest = peak.iter().rposition(|v| !v.is_nan()).unwrap_or(0);
    for i in 1..=newest {
        if peak[i].is_nan() {
            peak[i] = peak[i - 1];
        }
    }
    let top = peak
        .iter()
        .copied()
        .filter(|v| !v.is_nan())
        .fold(1.0, f64::max);
    let page = slo
        .rules
        .iter()
        .filter(|r| same_window(r.long, window))
        .map(|r| r.factor)
        .fold(f64::INFINITY, f64::min);
    for (i, v) in peak.iter().enumerate() {
        if v.is_nan() {
            continue;
        }
        let level = ((v / top) * 7.0).round().clamp(0.0, 7.0) as usize;
        let style = if *v > page && !insufficient {
            theme.limit_severe
        } else {
            theme.text
        };
        buf[(plot.x + i as u16, plot.y)]
            .set_symbol(BLOCKS[level])
            .set_style(style);
    }
}

/// Draws the SLO pane `pane` into `area`.
pub fn render(app: &App, pane: PaneId, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    if app.config.slos.is_empty() {
        Line::styled("no [[slo]] in the configuration", theme.dim).render(area, buf);
        return;
    }
    let focused = app.focus == pane;
    let fits = crate::layout::rows_fit(area, ROWS);
    let selected = app.selected.get(pane).copied().unwrap_or(0);
    let first = crate::layout::first_shown(selected, fits);
    let hidden = app.config.slos.len().saturating_sub(fits);
    // The `+N more` mark takes the right end of the pane's last line: the row drawn there is
    // cut short of it rather than drawn under it (the burn rates lost their last pair to it,
    // `3d 0.+1 more`); the burn line drops whole pairs to fit.
    let mark = if hidden > 0 {
        super::more_text(hidden).chars().count() as u16
    } else {
        0
    };
    let last = area.bottom().saturating_sub(1);
    for (i, slo) in app.config.slos.iter().enumerate().skip(first).take(fits) {
        let y = area.y + (i - first) as u16 * ROWS;
        let status = app.slo_status(slo);
        let row = |k: u16| {
            let cut = if y + k == last { mark } else { 0 };
            Rect::new(area.x, y + k, area.width.saturating_sub(cut), 1).intersection(area)
        };
        let width = |k: u16| usize::from(row(k).width);
        let mut top = head(app, slo, &status, width(0));
        if focused && i == selected {
            top = top.patch_style(theme.selection);
        }
        top.render(row(0), buf);
        let numbers = numbers(app, slo, &status);
        let used = numbers.width() as u16;
        numbers.render(row(1), buf);
        let spark = row(1);
        sparkline(
            app,
            slo,
            status.insufficient,
            Rect {
                x: spark.x + used + 1,
                width: spark.width.saturating_sub(used + 1),
                ..spark
            },
            buf,
        );
        burns(app, slo, &status, width(2)).render(row(2), buf);
    }
    super::more_mark(app, hidden, area, buf);
}
