//! Drawing. `render` only reads the model; one file per pane under `panes/`. The default layout,
//! from the recorded dashboard:
//!
//! ```text
//! ┏ Internal ━━━━━━━━━━━┓┌ Environment ───────────────────┐┌ Rover path ───────────┐
//! ┃ battery   71.2 %  ██ ┃│ air temp °C           -63.2 °C │ x 12.0 y -3.4 m ↗ 45°│
//! ┃ power in   412 W     ┃│  -20 ⣀⡠⠔⠊⠉⠑⠢⢄                  ││        ···●          │
//! ┃ wheel LF  18.0 %  ▌  ┃│  -80          ⠑⠢⣀⡠⠔           ││ ··                   │
//! ┃ …                    ┃│ pressure Pa ...                ││            ├──┤ 50 m │
//! ┗━━━━━━━━━━━━━━━━━━━━━━┛└ 12:00    12:05    12:10 ────────┘└──────────────────────┘
//!  REPLAY ⏵ 15m · 12:13:41 UTC · prometheus ok 2s · mars-rover ×1              ? help
//! ```

pub use crate::layout;
pub mod errors;
pub mod notebook;
pub mod overlay;
pub mod panes;
pub mod status;
pub mod trace;
pub mod why;
pub mod widgets;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};

use crate::app::{App, View};

/// Draws the whole screen from the model.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    draw(app, area, frame.buffer_mut());
}

/// Draws the whole screen into a buffer (what [`render`] does, without a terminal).
pub fn draw(app: &App, area: Rect, buf: &mut Buffer) {
    draw_layers(app, area, buf);
    paint_background(app, area, buf);
}

/// Renders the app at `size` and returns the frame as text, one line per row, trailing blanks
/// trimmed.
#[must_use]
pub fn frame_text(app: &App, size: (u16, u16)) -> String {
    let area = Rect::new(0, 0, size.0, size.1);
    let mut buf = Buffer::empty(area);
    crate::ui::draw(app, area, &mut buf);
    let mut out = String::with_capacity(usize::from(size.0 + 1) * usize::from(size.1) * 3);
    for y in 0..size.1 {
        let mut line = String::new();
        let mut skip = 0usize;
        for x in 0..size.0 {
            let symbol = buf[(x, y)].symbol();
            if skip == 0 {
                line.push_str(symbol);
            }
            skip = skip
                .max(ratatui::text::Span::raw(symbol).width())
                .saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Gives every cell that names no colour of its own the theme's background and ink — under
/// panes, borders, the status bar and cleared overlays alike — so a light theme reads the same
/// in a dark terminal and the reverse. A theme without them (`mono`) leaves the terminal's.
///
/// ratatui sends only the cells that changed, each colour change as one sequence holding both
/// colours, so a blank cell takes the ink of the cell before it (it shows no ink): a run of
/// text and spaces then needs no change of colour.
fn paint_background(app: &App, area: Rect, buf: &mut Buffer) {
    let ground = app.theme.background;
    if ground.fg.is_none() && ground.bg.is_none() {
        return;
    }
    let shows_ink = Modifier::REVERSED | Modifier::UNDERLINED | Modifier::CROSSED_OUT;
    for y in area.top()..area.bottom() {
        let mut before = ground.fg;
        for x in area.left()..area.right() {
            let cell = &mut buf[(x, y)];
            if let Some(bg) = ground.bg
                && cell.bg == Color::Reset
            {
                cell.bg = bg;
            }
            if cell.fg == Color::Reset {
                let blank = cell.symbol() == " " && !cell.modifier.intersects(shows_ink);
                if let Some(fg) = if blank { before } else { ground.fg } {
                    cell.fg = fg;
                }
            }
            before = Some(cell.fg);
        }
    }
}

/// The panes, the view on top, the status bar and the help, in that order.
fn draw_layers(app: &App, area: Rect, buf: &mut Buffer) {
    if !layout::fits(area) {
        overlay::too_small(app, area, buf);
        return;
    }
    let (main, status_area) = layout::split(area);
    match app.full_screen() {
        Some(pane) => panes::render(app, pane, main, buf),
        None => {
            for (pane, rect) in app.pane_areas(area) {
                panes::render(app, pane, rect, buf);
            }
        }
    }
    match app.shown_view() {
        Some(View::EventDetail { event, scroll }) => {
            overlay::event_detail(app, event, *scroll, main, buf);
        }
        Some(View::Trace(view)) => trace::waterfall(app, view, main, buf),
        Some(View::Span {
            trace,
            span,
            scroll,
        }) => trace::span_detail(app, trace, *span, *scroll, main, buf),
        Some(View::Search(form)) => {
            // The form sits over what it searches: the waterfall or the dashboard beneath.
            let mut shown = app.views.iter().rev().filter(|v| !v.is_overlay());
            if let Some(View::Trace(view)) = shown.nth(1) {
                trace::waterfall(app, view, main, buf);
            }
            trace::search_form(app, form, main, buf);
        }
        Some(View::FaultDetail { fault, scroll }) => {
            panes::faults::fault_detail(app, fault, *scroll, main, buf);
        }
        Some(View::AlertChart(view)) => panes::chart::alert_chart(app, view, main, buf),
        Some(View::Notebook { selected }) => notebook::render(app, *selected, main, buf),
        Some(View::Errors { scroll }) => errors::render(app, *scroll, main, buf),
        Some(View::Why(view)) => why::render(app, view, main, buf),
        Some(View::WhyTraces(list)) => why::traces(app, list, main, buf),
        Some(
            View::Zoom(_)
            | View::ShelveChoice { .. }
            | View::SloTraces { .. }
            | View::TraceEvents { .. }
            | View::Help
            | View::Prompt { .. },
        )
        | None => {}
    }
    status::render(app, status_area, buf);
    if let Some(View::ShelveChoice { selected }) = app.views.last() {
        panes::faults::shelve_chooser(app, *selected, main, buf);
    }
    if app.help_open() {
        overlay::help(app, main, buf);
    }
}
