//! A ratatui backend that remembers the terminal's style between frames. ratatui's
//! `CrosstermBackend` starts every frame from the default style and resets it at the end, so a
//! frame that changes one digit of the clock sends an explicit RGB foreground and background
//! (31 bytes), the digit, four resets (20 bytes) and a hide-cursor (6 bytes): 67 bytes for
//! one character. This one sends the digit and a cursor move, and a style only where it
//! differs from the one the terminal is in, and then only what differs (a new foreground on
//! the same background is one colour, not two). Its screen is the same: `tests/render.rs`
//! draws the dashboard through both and compares what a terminal emulator shows.
//!
//! The style is left set between frames, so nothing but frames may write text; a clear starts
//! from the default style (erasing paints the current background), and `tui::restore` resets
//! it before the terminal is handed back.

use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, IntoCrossterm as _, WindowSize};
use ratatui::buffer::Cell;
use ratatui::crossterm::cursor::{Hide, MoveTo, Show};
use ratatui::crossterm::style::{
    Attribute, Colors, Print, SetAttribute, SetBackgroundColor, SetColors, SetForegroundColor,
};
use ratatui::crossterm::{execute, queue, terminal};
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};

/// The style the terminal is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pen {
    fg: Color,
    bg: Color,
    modifier: Modifier,
}

impl Pen {
    const DEFAULT: Self = Self {
        fg: Color::Reset,
        bg: Color::Reset,
        modifier: Modifier::empty(),
    };
}

/// A crossterm backend writing to `W` that keeps the style and the cursor's visibility from
/// one frame to the next.
#[derive(Debug)]
pub struct Lean<W: Write> {
    out: W,
    pen: Pen,
    cursor_hidden: bool,
}

impl<W: Write> Lean<W> {
    /// A backend writing to `out`, which is in the default style with the cursor shown.
    pub const fn new(out: W) -> Self {
        Self {
            out,
            pen: Pen::DEFAULT,
            cursor_hidden: false,
        }
    }

    /// Moves to `to`'s style from the one the terminal is in.
    fn restyle(&mut self, to: Pen) -> io::Result<()> {
        let from = self.pen;
        if to.modifier != from.modifier {
            modifiers(&mut self.out, from.modifier, to.modifier)?;
        }
        // Only the colour that changes: most cells share the theme's background, and an RGB
        // colour is 19 bytes.
        match (to.fg != from.fg, to.bg != from.bg) {
            (true, true) => queue!(
                self.out,
                SetColors(Colors::new(to.fg.into_crossterm(), to.bg.into_crossterm()))
            )?,
            (true, false) => queue!(self.out, SetForegroundColor(to.fg.into_crossterm()))?,
            (false, true) => queue!(self.out, SetBackgroundColor(to.bg.into_crossterm()))?,
            (false, false) => {}
        }
        self.pen = to;
        Ok(())
    }

    /// Back to the default style (all attributes off).
    fn plain(&mut self) -> io::Result<()> {
        if self.pen != Pen::DEFAULT {
            queue!(self.out, SetAttribute(Attribute::Reset))?;
            self.pen = Pen::DEFAULT;
        }
        Ok(())
    }
}

/// The attribute changes from `from` to `to`, as ratatui's crossterm backend makes them (bold
/// and dim share one "normal intensity" off switch, so the one kept is set again).
fn modifiers(w: &mut impl Write, from: Modifier, to: Modifier) -> io::Result<()> {
    let removed = from - to;
    let added = to - from;
    let intensity_off = removed.intersects(Modifier::BOLD | Modifier::DIM);
    if removed.contains(Modifier::REVERSED) {
        queue!(w, SetAttribute(Attribute::NoReverse))?;
    }
    if intensity_off {
        queue!(w, SetAttribute(Attribute::NormalIntensity))?;
        if to.contains(Modifier::DIM) {
            queue!(w, SetAttribute(Attribute::Dim))?;
        }
        if to.contains(Modifier::BOLD) {
            queue!(w, SetAttribute(Attribute::Bold))?;
        }
    }
    for (flag, off) in [
        (Modifier::ITALIC, Attribute::NoItalic),
        (Modifier::UNDERLINED, Attribute::NoUnderline),
        (Modifier::CROSSED_OUT, Attribute::NotCrossedOut),
        (Modifier::HIDDEN, Attribute::NoHidden),
    ] {
        if removed.contains(flag) {
            queue!(w, SetAttribute(off))?;
        }
    }
    if removed.intersects(Modifier::SLOW_BLINK | Modifier::RAPID_BLINK) {
        queue!(w, SetAttribute(Attribute::NoBlink))?;
    }
    for (flag, on) in [
        (Modifier::REVERSED, Attribute::Reverse),
        (Modifier::BOLD, Attribute::Bold),
        (Modifier::ITALIC, Attribute::Italic),
        (Modifier::UNDERLINED, Attribute::Underlined),
        (Modifier::DIM, Attribute::Dim),
        (Modifier::CROSSED_OUT, Attribute::CrossedOut),
        (Modifier::SLOW_BLINK, Attribute::SlowBlink),
        (Modifier::RAPID_BLINK, Attribute::RapidBlink),
        (Modifier::HIDDEN, Attribute::Hidden),
    ] {
        let set_again = intensity_off && (flag == Modifier::BOLD || flag == Modifier::DIM);
        if added.contains(flag) && !set_again {
            queue!(w, SetAttribute(on))?;
        }
    }
    Ok(())
}

/// Bytes that are not a frame (the loop's OSC 52 hand-offs), written as they are: they must
/// not be text, which would take the last frame's style.
impl<W: Write> Write for Lean<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl<W: Write> Backend for Lean<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let mut last: Option<Position> = None;
        for (x, y, cell) in content {
            if !matches!(last, Some(p) if x == p.x + 1 && y == p.y) {
                queue!(self.out, MoveTo(x, y))?;
            }
            last = Some(Position { x, y });
            self.restyle(Pen {
                fg: cell.fg,
                bg: cell.bg,
                modifier: cell.modifier,
            })?;
            queue!(self.out, Print(cell.symbol()))?;
        }
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if !self.cursor_hidden {
            execute!(self.out, Hide)?;
            self.cursor_hidden = true;
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.cursor_hidden = false;
        execute!(self.out, Show)
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        ratatui::crossterm::cursor::position()
            .map(|(x, y)| Position { x, y })
            .map_err(io::Error::other)
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let Position { x, y } = position.into();
        execute!(self.out, MoveTo(x, y))
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        // Erasing paints the current background: the default one, as the screen began.
        self.plain()?;
        execute!(
            self.out,
            terminal::Clear(match clear_type {
                ClearType::All => terminal::ClearType::All,
                ClearType::AfterCursor => terminal::ClearType::FromCursorDown,
                ClearType::BeforeCursor => terminal::ClearType::FromCursorUp,
                ClearType::CurrentLine => terminal::ClearType::CurrentLine,
                ClearType::UntilNewLine => terminal::ClearType::UntilNewLine,
            })
        )
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.plain()?;
        for _ in 0..n {
            queue!(self.out, Print("\n"))?;
        }
        self.out.flush()
    }

    fn size(&self) -> io::Result<Size> {
        let (width, height) = terminal::size()?;
        Ok(Size { width, height })
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        let terminal::WindowSize {
            columns,
            rows,
            width,
            height,
        } = terminal::window_size()?;
        Ok(WindowSize {
            columns_rows: Size {
                width: columns,
                height: rows,
            },
            pixels: Size { width, height },
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
