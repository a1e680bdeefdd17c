//! Standard output and error of the non-interactive subcommands (`check`, `slo`, `snapshot`)
//! and of the binary's last words. A reader that went away (`capcom check | head -1`) is a
//! normal end of the output, not a panic: Rust ignores `SIGPIPE`, so a write returns `EPIPE`,
//! which `println!` turns into a panic. Everything goes through one lock, and every error line
//! through [`crate::text`].

use std::fmt;
use std::io::{self, Write};

/// The widest the binary's error line gets: a configuration error's file name and message
/// ([`crate::config::MESSAGE_WIDTH`]) fit, a runaway chain of causes does not.
pub const ERROR_WIDTH: usize = 400;

/// Output that ends quietly when its reader goes away. Lines written after that are
/// dropped; any other write error is kept for [`Out::finish`].
pub struct Out<W: Write> {
    writer: W,
    closed: bool,
    error: Option<io::Error>,
}

impl Out<io::StdoutLock<'static>> {
    /// Standard output, locked for as long as this lives.
    #[must_use]
    pub fn stdout() -> Self {
        Self::new(io::stdout().lock())
    }
}

impl<W: Write> Out<W> {
    /// Output to `writer`.
    pub fn new(writer: W) -> Self {
        Self {
            writer,
            closed: false,
            error: None,
        }
    }

    /// Writes one line, made safe by [`crate::text::safe_line`] (a configured query or a
    /// server's name may hold anything), and flushes it so progress shows as it happens.
    pub fn line(&mut self, args: fmt::Arguments<'_>) {
        let line = crate::text::safe_line(&args.to_string(), usize::MAX);
        self.write(format!("{line}\n").as_bytes());
    }

    /// Writes `text` as it is: for output capcom made itself (a drawn screen, JSON).
    pub fn text(&mut self, text: &str) {
        self.write(text.as_bytes());
    }

    fn write(&mut self, bytes: &[u8]) {
        if self.closed || self.error.is_some() {
            return;
        }
        match self
            .writer
            .write_all(bytes)
            .and_then(|()| self.writer.flush())
        {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => self.closed = true,
            Err(e) => self.error = Some(e),
        }
    }

    /// Whether the reader went away.
    #[must_use]
    pub fn closed(&self) -> bool {
        self.closed
    }

    /// Ends the output.
    ///
    /// # Errors
    /// A write failed for another reason than a reader gone (a full disk, say).
    pub fn finish(mut self) -> io::Result<()> {
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Prints `capcom: <error>` on standard error as one safe line: controls shown, not obeyed,
/// secrets redacted, cut to [`ERROR_WIDTH`]. A closed standard error is ignored: there is no one
/// left to tell.
pub fn report_error(e: &eyre::Report) {
    let line = error_line(e);
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// What [`report_error`] prints.
#[must_use]
pub fn error_line(e: &eyre::Report) -> String {
    format!(
        "capcom: {}",
        crate::text::one_line(&format!("{e:#}"), ERROR_WIDTH)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that takes `room` bytes, then is gone.
    struct Pipe {
        taken: Vec<u8>,
        room: usize,
    }

    impl Write for Pipe {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.taken.len() >= self.room {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            self.taken.extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_reader_gone_ends_the_output_quietly() {
        let mut out = Out::new(Pipe {
            taken: Vec::new(),
            room: 1,
        });
        out.line(format_args!("ok   first"));
        out.line(format_args!("ok   second"));
        out.text("third\n");
        assert!(out.closed());
        assert_eq!(out.writer.taken, b"ok   first\n");
        assert!(out.finish().is_ok());
    }

    #[test]
    fn other_write_errors_are_kept() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::other("disk full"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut out = Out::new(Full);
        out.line(format_args!("x"));
        assert_eq!(out.finish().expect_err("kept").to_string(), "disk full");
    }

    #[test]
    fn lines_are_made_safe_but_keep_their_alignment() {
        let mut out = Out::new(Vec::new());
        out.line(format_args!(
            "ok   query {}: 1 series",
            "up\u{1b}]0;x\u{7}\u{202e}"
        ));
        assert_eq!(
            String::from_utf8(out.writer).expect("utf-8"),
            "ok   query up␛]0;x�: 1 series\n"
        );
    }

    #[test]
    fn the_error_line_is_one_safe_line() {
        let e =
            eyre::eyre!("c.toml:2:1: bad \u{1b}[2J\nsecond line\u{202e}").wrap_err("cannot start");
        let line = error_line(&e);
        assert_eq!(
            line,
            "capcom: cannot start: c.toml:2:1: bad ␛[2J second line"
        );
        let huge = eyre::eyre!("{}", "x".repeat(70_000));
        assert_eq!(
            error_line(&huge).chars().count(),
            "capcom: ".len() + ERROR_WIDTH
        );
    }
}
