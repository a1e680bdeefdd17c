//! The notebook view: the entries newest last, one line each (mission time in UTC with its
//! date, pane, kind, the first line of the text), and the selected entry whole beneath them.

use std::fmt::Write as _;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Widget};

use crate::app::App;
use crate::model::notebook::Entry;
use crate::notebook::{mission_text, pane_text, utc};
use crate::text::{plural, safe_line, safe_text};

/// Draws the notebook over `area`, the entry at `selected` highlighted.
pub fn render(app: &App, selected: usize, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let entries = &app.notebook.entries;
    let unsaved = app.notebook.unsaved.len();
    let title = if unsaved > 0 {
        format!(
            " notebook · {} · {unsaved} not yet written ",
            plural(entries.len(), "entry")
        )
    } else {
        format!(" notebook · {} ", plural(entries.len(), "entry"))
    };
    let keys = " j k select · Enter go to its time · Esc back ";
    Clear.render(area, buf);
    let block = crate::ui::overlay::panel(app, BorderType::Thick, title, keys);
    let inner = block.inner(area);
    block.render(area, buf);
    if entries.is_empty() {
        let say = " No entries yet: n writes a note at the conductor's time; acknowledging or \
                   shelving a fault writes one too.";
        Paragraph::new(safe_line(say, usize::from(inner.width)))
            .style(theme.dim)
            .render(inner, buf);
        return;
    }
    let selected = selected.min(entries.len() - 1);
    // The list above, the selected entry beneath: at least a third of the height each.
    let list_h = (entries.len() as u16).clamp(1, inner.height.saturating_sub(inner.height / 3));
    let list = Rect {
        height: list_h,
        ..inner
    };
    let detail = Rect {
        y: inner.y + list_h,
        height: inner.height - list_h,
        ..inner
    };
    let first = (selected + 1).saturating_sub(usize::from(list_h));
    let width = usize::from(inner.width);
    let rows: Vec<Line> = entries
        .iter()
        .enumerate()
        .skip(first)
        .take(usize::from(list_h))
        .map(|(i, e)| {
            let style = if i == selected {
                theme.selection
            } else {
                theme.overlay
            };
            Line::styled(row(e, width), style)
        })
        .collect();
    Paragraph::new(rows).render(list, buf);
    detail_view(app, &entries[selected], detail, buf);
}

/// One entry as a list row: ` 2026-11-26 09:12:03 UTC  Environment  note  first line (+2)`.
fn row(e: &Entry, width: usize) -> String {
    let (head, more) = e.headline();
    let pane_w = if width >= 100 { 16 } else { 11 };
    let mut text = head.to_owned();
    if more > 0 {
        let _ = write!(text, " (+{more})");
    }
    if e.screen.is_some() {
        text.push_str(" [screen]");
    }
    let line = format!(
        " {}  {:<pane_w$}  {:<12} {text}",
        utc(e.mission.end),
        safe_line(pane_text(e), pane_w),
        e.kind.word(),
    );
    // Padded to the width, so the selection's colour runs across the row.
    format!("{:<width$}", safe_line(&line, width))
}

/// The selected entry whole: when, where, the text's every line, and that a screen is kept.
fn detail_view(app: &App, e: &Entry, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let w = usize::from(area.width).saturating_sub(2);
    let head = format!(" #{} {} · ", e.id, e.kind.word());
    let pane = safe_line(
        &format!("{} · written {}", pane_text(e), utc(e.written)),
        w.saturating_sub(head.chars().count()),
    );
    let mut lines = vec![
        Line::from(vec![
            Span::styled(head, theme.key),
            Span::styled(pane, theme.text),
        ]),
        Line::styled(format!(" {}", safe_line(&mission_text(e), w)), theme.dim),
    ];
    for line in safe_text(&e.text).lines() {
        lines.push(Line::styled(
            format!(" {}", safe_line(line, w)),
            theme.overlay,
        ));
    }
    if let Some(screen) = &e.screen {
        lines.push(Line::styled(
            format!(
                " (the screen is kept with it: {}; capcom notebook --export md shows it)",
                plural(screen.lines().count(), "line")
            ),
            theme.dim,
        ));
    }
    Paragraph::new(lines)
        .block(
            Block::default()
                .borders(Borders::TOP)
                .border_style(theme.border),
        )
        .render(area, buf);
}
