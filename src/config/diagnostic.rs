//! How a configuration error is said: one line, `FILE:LINE:COL: message`, made safe for a
//! terminal and cut to a readable width, whatever the file holds. Shared by the configuration,
//! the theme file and a recording's manifest.

use crate::text::{one_line, safe_line};

/// The widest a message gets, in display columns: the first line of an error stays readable
/// in a terminal and a log, whatever the file holds.
pub const MESSAGE_WIDTH: usize = 240;
/// The widest a file name is shown in a message.
const PATH_WIDTH: usize = 160;
/// The widest a value from the file is echoed in a message: enough to recognise it.
pub const VALUE_WIDTH: usize = 48;

/// A configuration that could not be read, with where and why. Shown, it is one line that
/// starts with the file, `FILE: ` or `FILE:LINE:COL: `, made safe for a terminal by
/// [`crate::text`] and cut to [`MESSAGE_WIDTH`].
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read at all.
    #[error("{}: {}", one_line(path, PATH_WIDTH), one_line(&error.to_string(), MESSAGE_WIDTH))]
    Io {
        /// The file.
        path: String,
        /// Why.
        error: std::io::Error,
    },
    /// The TOML is malformed, has a wrong or unknown key, or a meaning that does not hold
    /// together.
    #[error(
        "{}:{line}:{column}: {}",
        one_line(path, PATH_WIDTH),
        one_line(message, MESSAGE_WIDTH)
    )]
    Invalid {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What is wrong, for a user.
        message: String,
    },
}

/// An error at byte `offset` of `text` (the file named `origin`): its line and column, and
/// `message` with every value it quotes cut to [`VALUE_WIDTH`]. For any file capcom reads as
/// TOML (the configuration, a theme, a recording's manifest).
#[must_use]
pub fn error_at(origin: &str, text: &str, offset: usize, message: &str) -> ConfigError {
    located(origin, text, offset, message.to_owned())
}

pub(super) fn located(origin: &str, text: &str, offset: usize, message: String) -> ConfigError {
    let (line, column) = line_column(text, offset);
    ConfigError::Invalid {
        path: origin.to_owned(),
        line,
        column,
        message: shorten_quoted(message),
    }
}

/// The 1-based line and column (in characters) of byte `offset` of `text`, for messages that
/// point into a TOML file (the configuration, a theme, a recording's manifest).
#[must_use]
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// toml's error as one line, `FILE:LINE:COL: message`, instead of its multi-line diagnostic
/// that echoes the offending line raw.
#[must_use]
pub fn toml_error(origin: &str, text: &str, e: &toml::de::Error) -> ConfigError {
    let offset = e.span().map_or(0, |s| s.start);
    error_at(origin, text, offset, e.message())
}

/// A bound of a duration's range as a user writes it: `100ms`, `10s`, `1d`, `366d`.
#[must_use]
pub fn human_secs(secs: f64) -> String {
    if secs < 1.0 {
        format!("{}ms", (secs * 1000.0).round())
    } else {
        super::slo::prom_duration(secs)
    }
}

/// `value` as a message quotes it: made safe and cut to [`VALUE_WIDTH`], in double quotes.
#[must_use]
pub fn quoted(value: &str) -> String {
    format!("{:?}", safe_line(value, VALUE_WIDTH))
}

/// `message` with every `backquoted` run (how toml and serde quote a value) cut to
/// [`VALUE_WIDTH`], so a huge value cannot push out the rest of the message.
fn shorten_quoted(message: String) -> String {
    let too_long = |(i, part): (usize, &str)| i % 2 == 1 && part.chars().count() > VALUE_WIDTH;
    if !message.split('`').enumerate().any(too_long) {
        return message;
    }
    message
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if too_long((i, part)) {
                safe_line(part, VALUE_WIDTH)
            } else {
                part.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}
