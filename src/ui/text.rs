//! Text from outside (documents, server messages) made safe to draw: nothing in it may reach
//! the terminal as a control sequence or break the layout. Escape is shown as `␛`, other
//! control characters as `�`, newlines and tabs as spaces; bidirectional overrides and
//! zero-width characters are dropped (they reorder or hide what is shown). Cutting goes by
//! display width, so wide characters never overflow a column.

use unicode_width::UnicodeWidthChar;

/// Whether `c` is a bidirectional control or a zero-width character.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{FEFF}' | '\u{180E}')
}

/// The character drawn for `c`, if any.
fn shown(c: char) -> Option<char> {
    match c {
        '\u{1b}' => Some('␛'),
        '\n' | '\r' | '\t' => Some(' '),
        c if c.is_control() => Some('�'),
        c if invisible(c) => None,
        c => Some(c),
    }
}

/// `text` as one safe line of at most `width` display columns, with `…` when cut.
#[must_use]
pub fn safe_line(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    let mut chars = text.chars().filter_map(shown).peekable();
    while let Some(c) = chars.next() {
        let w = c.width().unwrap_or(0);
        let room_for_ellipsis = usize::from(chars.peek().is_some());
        if used + w + room_for_ellipsis > width {
            if used < width {
                out.push('…');
            }
            break;
        }
        out.push(c);
        used += w;
    }
    out
}

/// `text` made safe but kept whole, line breaks included, for a detail view.
#[must_use]
pub fn safe_text(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\t' => Some(' '),
            c => shown(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_harmless_text() {
        let hostile = "ok\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[31mred\u{9b}1m";
        let line = safe_line(hostile, 80);
        assert_eq!(line, "ok␛]0;pwned�␛[2J␛[31mred�1m");
        assert!(!line.chars().any(char::is_control));
    }

    #[test]
    fn bidi_and_zero_width_are_dropped_tabs_and_newlines_are_spaces() {
        assert_eq!(safe_line("a\u{202E}b\u{200B}c\td\ne", 80), "abc d e");
    }

    #[test]
    fn cutting_goes_by_display_width_with_an_ellipsis() {
        assert_eq!(safe_line("abcdef", 4), "abc…");
        assert_eq!(safe_line("abcd", 4), "abcd");
        assert_eq!(safe_line("火星探査車", 5), "火星…");
        assert_eq!(safe_line("x", 0), "");
    }

    #[test]
    fn the_detail_view_keeps_lines() {
        assert_eq!(safe_text("a\nb\u{1b}[0m"), "a\nb␛[0m");
    }
}
