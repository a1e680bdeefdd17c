//! The Events pane: one event per line — time, level (coloured *and* worded), service,
//! message — newest at the bottom. It follows the tail unless the operator has scrolled up,
//! and then says how many new events arrived. All document text goes through `ui::text`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::App;
use crate::config::PaneId;
use crate::config::theme::Theme;
use crate::model::event::{Event, Level};
use crate::text::safe_line;

/// The style of a level: errors loud, warnings next, the rest quiet.
#[must_use]
pub fn level_style(theme: &Theme, level: Level) -> Style {
    match level {
        Level::Fatal => theme.limit_severe,
        Level::Error => theme.limit_critical,
        Level::Warn => theme.limit_warning,
        Level::Info => theme.text,
        Level::Debug | Level::Trace | Level::Unknown => theme.dim,
    }
}

/// An event's time of day (UTC), after its date when `dated`; minutes only when the pane is
/// narrow.
pub(super) fn time(t: Option<f64>, narrow: bool, dated: bool) -> String {
    let (fmt, none) = match (narrow, dated) {
        (true, false) => ("%H:%M", "--:--"),
        (false, false) => ("%H:%M:%S", "--:--:--"),
        (true, true) => ("%m-%d %H:%M", "--:-- --:--"),
        (false, true) => ("%m-%d %H:%M:%S", "--:-- --:--:--"),
    };
    t.and_then(|t| chrono::DateTime::from_timestamp(t.floor() as i64, 0))
        .map_or_else(|| none.to_owned(), |d| d.format(fmt).to_string())
}

fn row(app: &App, e: &Event, width: usize, selected: bool) -> Line<'static> {
    let theme = &app.theme;
    // Narrow, the message matters more than the service.
    let service = match &e.service {
        Some(s) if width >= 50 => safe_line(s, 12),
        _ => String::new(),
    };
    let head = format!("{} ", time(e.t, width < 40, app.shows_dates()));
    let mark = if e.trace_id.is_some() { 2 } else { 0 };
    let used = head.chars().count()
        + 6
        + service.chars().count()
        + usize::from(!service.is_empty())
        + mark;
    let mut spans = vec![
        Span::styled(head, theme.dim),
        Span::styled(format!("{} ", e.level.word()), level_style(theme, e.level)),
        Span::styled(
            if service.is_empty() {
                String::new()
            } else {
                format!("{service} ")
            },
            theme.dim,
        ),
        Span::styled(
            safe_line(&e.message, width.saturating_sub(used)),
            theme.text,
        ),
    ];
    if mark > 0 {
        spans.push(Span::styled(" ⌁", theme.key));
    }
    let line = Line::from(spans);
    if selected {
        line.patch_style(theme.selection)
    } else {
        line
    }
}

/// Draws the Events pane `pane` into `area`.
pub fn render(app: &App, pane: PaneId, area: Rect, buf: &mut Buffer) {
    let ev = &app.events;
    let theme = &app.theme;
    let height = usize::from(area.height);
    let visible: Vec<&Event> = ev.visible().collect();
    if visible.is_empty() {
        let what = match app.events_freshness() {
            crate::app::Freshness::Unconfigured(id) => format!("no [{id}] configured"),
            _ if ev.log.is_empty() => "no events yet".to_owned(),
            _ => "no event matches the filter".to_owned(),
        };
        Line::styled(what, theme.dim).render(area, buf);
    }
    let focused = app.focus == pane;
    // Rows end at the selected event when it would be off screen, else at the newest.
    let newest_shown = ev.selected.saturating_sub(height.saturating_sub(1));
    let end = visible.len().saturating_sub(newest_shown);
    let start = end.saturating_sub(height);
    for (i, e) in visible[start..end].iter().enumerate() {
        let index_from_newest = visible.len() - 1 - (start + i);
        let selected = focused && index_from_newest == ev.selected && ev.selected > 0;
        let line = row(
            app,
            e,
            usize::from(area.width),
            selected || (focused && ev.selected == 0 && index_from_newest == 0),
        );
        line.render(Rect::new(area.x, area.y + i as u16, area.width, 1), buf);
    }
    let mut marks = Vec::new();
    if ev.unseen > 0 {
        marks.push(Span::styled(
            format!(" {} new ↓ ", ev.unseen),
            theme.badge_paused,
        ));
    }
    if !ev.filter.is_empty() {
        marks.push(Span::styled(
            format!(" /{} ", safe_line(&ev.filter, 20)),
            theme.key,
        ));
    }
    if let Some(t) = &ev.template {
        let text = crate::ui::why::template_text(t);
        marks.push(Span::styled(
            format!(" pattern {} ", safe_line(&text, 24)),
            theme.key,
        ));
    }
    super::corner_marks(marks, area, buf);
}
