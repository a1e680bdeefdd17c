//! The errors view: each source's state and full last error, wrapped (the lines come from
//! `App::error_lines`, made safe there), scrolled; the border says where more lines are.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::app::{App, ErrorLineKind};

/// Draws the errors view over `area`, scrolled `scroll` lines down.
pub fn render(app: &App, scroll: usize, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let inner = crate::layout::inner(area);
    let all = app.error_lines(usize::from(inner.width));
    let height = usize::from(inner.height);
    let scroll = scroll.min(all.len().saturating_sub(height));
    let lines: Vec<Line> = all
        .iter()
        .skip(scroll)
        .map(|l| {
            let style = match l.kind {
                ErrorLineKind::Ok => theme.status_ok,
                ErrorLineKind::Stale => theme.status_stale,
                ErrorLineKind::Quiet => theme.dim,
                ErrorLineKind::Warning => theme.limit_warning,
                ErrorLineKind::Text | ErrorLineKind::Blank => theme.overlay,
            };
            Line::styled(l.text.clone(), style)
        })
        .collect();
    let more = all.len() > scroll + height;
    let keys = match (scroll > 0, more) {
        (_, true) => " more ↓ · j k PgUp PgDn scroll · Esc back ",
        (true, false) => " ↑ more · j k PgUp PgDn scroll · Esc back ",
        (false, false) => " Esc back ",
    };
    crate::ui::overlay::full_view(
        app,
        lines,
        " sources and their last errors ".into(),
        keys,
        area,
        buf,
    );
}
