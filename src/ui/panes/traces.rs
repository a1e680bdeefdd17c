//! The Traces pane: one trace per line — start, an error mark (a word, not only a colour), root
//! service and operation, duration, span and service counts — newest first or longest first.
//! All text from the backend goes through `ui::text`.

use std::fmt::Write as _;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::{App, TraceSort};
use crate::config::PaneId;
use crate::model::traces::Listed;
use crate::text::safe_line;

/// A duration, short: `840µs`, `12.5ms`, `312ms`, `1.24s`, `2m05s`.
#[must_use]
pub fn short_duration(secs: f64) -> String {
    let secs = secs.max(0.0);
    if secs < 0.001 {
        format!("{:.0}µs", secs * 1e6)
    } else if secs < 0.1 {
        format!("{:.1}ms", secs * 1e3)
    } else if secs < 1.0 {
        format!("{:.0}ms", secs * 1e3)
    } else if secs < 60.0 {
        format!("{secs:.2}s")
    } else {
        let whole = secs.round() as u64;
        format!("{}m{:02}s", whole / 60, whole % 60)
    }
}

/// A trace's start: its time of day (UTC), after its date when `dated`.
fn start_time(t: f64, dated: bool) -> String {
    let (fmt, none) = if dated {
        ("%m-%d %H:%M:%S", "--:-- --:--:--")
    } else {
        ("%H:%M:%S", "--:--:--")
    };
    chrono::DateTime::from_timestamp(t.floor() as i64, 0)
        .map_or_else(|| none.to_owned(), |d| d.format(fmt).to_string())
}

/// The time column's width, with its space: wider when it shows dates.
fn time_width(dated: bool) -> usize {
    if dated { 15 } else { 9 }
}

/// Column widths: (duration, spans, services); the root takes the rest.
fn columns(width: usize) -> (usize, usize, usize) {
    if width >= 60 { (9, 6, 5) } else { (9, 0, 0) }
}

/// The root column's width: what the time, error mark and other columns leave.
fn root_width(width: usize, dated: bool) -> usize {
    let (dw, sw, vw) = columns(width);
    width.saturating_sub(time_width(dated) + 4 + 1 + dw + sw + vw)
}

fn row(app: &App, l: &Listed, width: usize, selected: bool) -> Line<'static> {
    let theme = &app.theme;
    let s = &l.summary;
    let (dw, sw, vw) = columns(width);
    let dated = app.shows_dates();
    let root_w = root_width(width, dated);
    let running = if s.running { " ⋯ running" } else { "" };
    let root = safe_line(
        &format!("{}: {}{running}", s.root_service, s.root_operation),
        root_w,
    );
    let pad = root_w.saturating_sub(ratatui::text::Span::raw(root.as_str()).width());
    let mut spans = vec![
        Span::styled(format!("{} ", start_time(s.start, dated)), theme.dim),
        if s.errors > 0 {
            Span::styled("ERR ", theme.limit_critical)
        } else {
            Span::raw("    ")
        },
        Span::styled(format!("{root}{}", " ".repeat(pad)), theme.text),
        Span::styled(
            format!(" {:>w$}", short_duration(s.duration), w = dw),
            theme.text,
        ),
    ];
    if sw > 0 {
        spans.push(Span::styled(format!("{:>sw$}", s.spans), theme.dim));
        spans.push(Span::styled(
            format!("{:>vw$}", s.services.len()),
            theme.dim,
        ));
    }
    let line = Line::from(spans);
    if selected {
        line.patch_style(theme.selection)
    } else {
        line
    }
}

/// The search's filters in a few words (`nav · error=true · ≥2s`), so a narrowed list says
/// why it is narrow; empty when it lists everything.
fn search_said(q: &crate::model::traces::TraceQuery) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !q.operation.is_empty() {
        parts.push(q.operation.clone());
    }
    parts.extend(q.attributes.iter().map(|(k, v)| format!("{k}={v}")));
    if let Some(d) = q.min_duration {
        parts.push(format!("≥{}", short_duration(d)));
    }
    if let Some(d) = q.max_duration {
        parts.push(format!("≤{}", short_duration(d)));
    }
    parts.join(" · ")
}

/// Draws the Traces pane `pane` into `area`.
pub fn render(app: &App, pane: PaneId, area: Rect, buf: &mut Buffer) {
    let tr = &app.traces;
    let theme = &app.theme;
    let width = usize::from(area.width);
    let shown = tr.shown();
    let (dw, sw, vw) = columns(width);
    let arrow = |on: bool| if on { "↓" } else { " " };
    let dated = app.shows_dates();
    let root_w = root_width(width, dated);
    let tw = time_width(dated);
    let mut header = format!(
        "{:<tw$}    {:<root_w$} {:>dw$}",
        format!("time{}", arrow(tr.sort == TraceSort::Time)),
        // Cut to its column, so the duration's header stays over the durations.
        safe_line("root service: operation", root_w),
        format!("{}duration", arrow(tr.sort == TraceSort::Duration)),
    );
    if sw > 0 {
        let _ = write!(header, "{:>sw$}{:>vw$}", "spans", "svcs");
    }
    Line::styled(safe_line(&header, width), theme.dim).render(area, buf);
    let body = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    if shown.is_empty() {
        let what = if let crate::app::Freshness::Unconfigured(id) = app.traces_freshness() {
            format!("no [{id}] configured")
        } else if tr.list.iter().any(|l| tr.in_window(l)) {
            "no trace matches the filter".to_owned()
        } else if tr.last_ok.is_some() {
            let who = if tr.query.services.is_empty() {
                "any service".to_owned()
            } else {
                tr.query.services.join(", ")
            };
            match tr.sent.end {
                Some(end) => format!(
                    "{} {who} in the {} before {}",
                    if tr.searching {
                        "searching"
                    } else {
                        "no traces of"
                    },
                    crate::app::format_duration(tr.sent.lookback),
                    start_time(end, dated)
                ),
                None => format!(
                    "no traces of {who} in the last {}",
                    crate::app::format_duration(tr.query.lookback)
                ),
            }
        } else {
            "no traces yet".to_owned()
        };
        Line::styled(safe_line(&what, width), theme.dim).render(body, buf);
    }
    let height = usize::from(body.height);
    let focused = app.focus == pane;
    let start = crate::layout::first_shown(tr.selected, height);
    for (i, l) in shown.iter().skip(start).take(height).enumerate() {
        let selected = focused && start + i == tr.selected;
        row(app, l, width, selected)
            .render(Rect::new(body.x, body.y + i as u16, body.width, 1), buf);
    }
    let mut marks = Vec::new();
    if tr.searching {
        marks.push(Span::styled(" searching… ", theme.badge_paused));
    }
    let said = search_said(&tr.query);
    if !said.is_empty() {
        marks.push(Span::styled(
            format!(" {} ", safe_line(&said, width / 2)),
            theme.dim,
        ));
    }
    if !tr.filter.is_empty() {
        marks.push(Span::styled(
            format!(" /{} ", safe_line(&tr.filter, 20)),
            theme.key,
        ));
    }
    super::corner_marks(marks, body, buf);
}

#[cfg(test)]
mod tests {
    use super::{search_said, short_duration};
    use crate::model::traces::TraceQuery;

    #[test]
    fn a_narrowed_search_says_how() {
        assert_eq!(search_said(&TraceQuery::default()), "");
        let q = TraceQuery {
            operation: "uplink".into(),
            attributes: vec![("error".into(), "true".into())],
            min_duration: Some(2.0),
            ..TraceQuery::default()
        };
        assert_eq!(search_said(&q), "uplink · error=true · ≥2.00s");
    }

    #[test]
    fn durations_read_at_a_glance() {
        assert_eq!(short_duration(0.000_84), "840µs");
        assert_eq!(short_duration(0.0125), "12.5ms");
        assert_eq!(short_duration(0.312), "312ms");
        assert_eq!(short_duration(1.236), "1.24s");
        assert_eq!(short_duration(125.0), "2m05s");
    }
}
