//! Popups drawn over the dashboard: the help overlay, and the notice shown instead of a layout
//! when the terminal is too small for it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Widget, Wrap};

use crate::app::App;
use crate::model::LimitLevel;
use crate::ui::layout::{MIN_SIZE, centered};

/// The border of everything drawn over the dashboard: `title` at the top, the keys that work
/// in it at the bottom right. Small popups are `Rounded`, full-screen views `Thick`.
#[must_use]
pub fn panel<'a>(app: &App, kind: BorderType, title: String, keys: &'a str) -> Block<'a> {
    Block::bordered()
        .border_type(kind)
        .border_style(app.theme.border_focused)
        .title(Line::styled(title, app.theme.title))
        .title_bottom(Line::styled(keys, app.theme.dim).right_aligned())
}

/// The help overlay: every key, from the same tables the keymap dispatches with.
pub fn help(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let (rows, width) = crate::keymap::help_rows(area.width);
    let key_w = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line> = rows
        .into_iter()
        .map(|(keys, what)| {
            Line::from(vec![
                Span::styled(format!(" {keys:<key_w$}  "), theme.key),
                Span::styled(what, theme.overlay),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    let mut ladder = vec![Span::styled(" limits: ", theme.overlay)];
    for l in LimitLevel::ALL {
        ladder.push(Span::styled(l.word(), theme.limit(Some(l), theme.text)));
        ladder.push(Span::raw(" "));
    }
    lines.push(Line::from(ladder));
    let rect = centered(area, width, lines.len() as u16 + 2);
    // Taller than the screen (80×24), it scrolls, and its border says which way there is more.
    let height = usize::from(rect.height.saturating_sub(2));
    let scroll = app.help_scroll.min(lines.len().saturating_sub(height));
    let more = lines.len() > scroll + height;
    let keys = match (scroll > 0, more) {
        (_, true) => " more ↓ j k PgDn · Esc or ? to close ",
        (true, false) => " ↑ more k PgUp · Esc or ? to close ",
        (false, false) => " Esc or ? to close ",
    };
    Clear.render(rect, buf);
    Paragraph::new(lines.split_off(scroll.min(lines.len())))
        .style(theme.overlay)
        .block(panel(app, BorderType::Rounded, " keys ".into(), keys))
        .render(rect, buf);
}

/// Said instead of the dashboard when the terminal is smaller than [`MIN_SIZE`].
pub fn too_small(app: &App, area: Rect, buf: &mut Buffer) {
    let text = format!(
        "terminal too small: {}×{}, capcom needs at least {}×{} — enlarge it, or q to quit",
        area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
    );
    Paragraph::new(text)
        .style(app.theme.text)
        .wrap(Wrap { trim: true })
        .render(area, buf);
}

/// One event's whole document, pretty-printed and made safe, scrolled `scroll` lines down.
pub fn event_detail(
    app: &App,
    event: &crate::model::event::Event,
    scroll: usize,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = &app.theme;
    let pretty =
        serde_json::to_string_pretty(&*event.doc).unwrap_or_else(|_| event.doc.to_string());
    let text = crate::text::safe_text(&pretty);
    let lines: Vec<Line> = text
        .lines()
        .skip(scroll)
        .map(|l| Line::styled(l.to_owned(), theme.overlay))
        .collect();
    let title = format!(
        " {} / {} ",
        crate::text::safe_line(&event.index, 40),
        crate::text::safe_line(&event.id, 40)
    );
    full_view(
        app,
        lines,
        title,
        " j k scroll · t trace · Esc back ",
        area,
        buf,
    );
}

/// A view drawn over all of `area`: `lines` in a thick panel titled `title`, `keys` at its
/// bottom right.
pub fn full_view(
    app: &App,
    lines: Vec<Line>,
    title: String,
    keys: &str,
    area: Rect,
    buf: &mut Buffer,
) {
    Clear.render(area, buf);
    Paragraph::new(lines)
        .style(app.theme.overlay)
        .block(panel(app, BorderType::Thick, title, keys))
        .render(area, buf);
}
