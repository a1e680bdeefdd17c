//! Untrusted text has one way out. Everything from outside (server bodies, label values, span
//! attributes, event documents, config and manifest lines) passes through here before it
//! reaches a terminal, standard error or a log: nothing in it may act as a control sequence,
//! reorder or hide what is shown, or break the layout. Escape is shown as `␛`, other control
//! characters as `�`, newlines and tabs as spaces; bidirectional controls and zero-width
//! characters are dropped. Cutting goes by display width, so wide characters never overflow a
//! column.
//!
//! Secrets are redacted here too: the credentials a connection read (registered by
//! [`register_secret`]) and the values of `Authorization`-, `Cookie`-like headers a server
//! echoes back are replaced with [`REDACTED`] before an error text is kept at all.

use std::borrow::Cow;
use std::sync::{Mutex, PoisonError};

use unicode_width::UnicodeWidthChar;

/// What a secret is replaced with.
pub const REDACTED: &str = "‹redacted›";

/// Whether `c` is a bidirectional control or a zero-width character.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{FEFF}' | '\u{180E}' | '\u{034F}'
        | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' | '\u{3164}' | '\u{FFA0}'
        | '\u{FFF9}'..='\u{FFFB}' | '\u{E0000}'..='\u{E007F}')
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

/// A message from outside (a server's error body, a transport error) as one safe line of at
/// most `width` columns: secrets redacted, runs of white space folded, trimmed.
#[must_use]
pub fn one_line(text: &str, width: usize) -> String {
    let redacted = redact(text);
    let mut folded = String::with_capacity(redacted.len().min(width.saturating_mul(4) + 8));
    let mut last_space = true;
    for c in redacted.chars().filter_map(shown) {
        if c == ' ' {
            if !last_space {
                folded.push(' ');
            }
            last_space = true;
        } else {
            folded.push(c);
            last_space = false;
        }
        // Enough kept to cut by width; the rest of a huge body is never copied.
        if folded.len() > width.saturating_mul(4) + 8 {
            break;
        }
    }
    safe_line(folded.trim_end(), width)
}

/// The secrets read this run: credentials, never printed.
static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Remembers a secret (a password, a token, an encoded credential) so that [`redact`] replaces
/// it wherever it appears. Values shorter than four characters are too common to redact
/// without destroying messages; they are still never printed by capcom itself.
pub fn register_secret(secret: &str) {
    if secret.chars().count() < 4 {
        return;
    }
    let mut secrets = SECRETS.lock().unwrap_or_else(PoisonError::into_inner);
    if !secrets.iter().any(|s| s == secret) {
        secrets.push(secret.to_owned());
        // Longest first, so a secret that contains another is replaced whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }
}

/// Header names whose values are credentials, lower case.
const SECRET_HEADERS: [&str; 6] = [
    "proxy-authorization",
    "authorization",
    "set-cookie",
    "cookie",
    "x-api-key",
    "x-auth-token",
];

/// `text` with every registered secret and every credential-bearing header value replaced by
/// [`REDACTED`].
#[must_use]
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    {
        let secrets = SECRETS.lock().unwrap_or_else(PoisonError::into_inner);
        for secret in secrets.iter() {
            if out.contains(secret.as_str()) {
                out = Cow::Owned(out.replace(secret.as_str(), REDACTED));
            }
        }
    }
    match redact_headers(&out) {
        Some(cleaned) => Cow::Owned(cleaned),
        None => out,
    }
}

/// Replaces the values of credential headers (`Authorization: Basic …`,
/// `"cookie": "…"`, `authorization=[Bearer …]`), or `None` when there are none.
fn redact_headers(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let mut out = String::new();
    let mut copied = 0;
    let mut from = 0;
    while let Some((start, name)) = next_header(&lower, from) {
        let after_name = start + name.len();
        // The separator: quotes, colon, equals, brackets and blanks between name and value.
        let value_start = after_name
            + lower[after_name..]
                .find(|c: char| !matches!(c, '"' | '\'' | ':' | '=' | ' ' | '\t' | '[' | '{'))
                .unwrap_or(lower.len() - after_name);
        let separator = &lower[after_name..value_start];
        if !separator.contains([':', '=']) {
            from = after_name;
            continue;
        }
        let value_end = value_start
            + lower[value_start..]
                .find(['"', '\'', '\n', '\r', ']', '}', ','])
                .unwrap_or(lower.len() - value_start);
        if value_end > value_start {
            out.push_str(&text[copied..value_start]);
            out.push_str(REDACTED);
            copied = value_end;
        }
        from = value_end.max(after_name);
    }
    (copied > 0).then(|| {
        out.push_str(&text[copied..]);
        out
    })
}

/// The next credential header name in `lower` at or after `from`, as a whole word.
fn next_header(lower: &str, from: usize) -> Option<(usize, &'static str)> {
    let mut best: Option<(usize, &'static str)> = None;
    for name in SECRET_HEADERS {
        let mut at = from;
        while let Some(i) = lower[at..].find(name) {
            let start = at + i;
            let before = lower[..start].chars().next_back();
            let word_start = !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-');
            if word_start {
                if best.is_none_or(|(b, _)| start < b) {
                    best = Some((start, name));
                }
                break;
            }
            at = start + name.len();
        }
    }
    best
}

/// `n` and the word for it, singular or plural: "1 service", "2 services", "0 queries",
/// "3 series". Every count printed goes through here.
#[must_use]
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 || word.ends_with("series") {
        return format!("{n} {word}");
    }
    match word.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'i', 'o', 'u']) => format!("{n} {stem}ies"),
        _ => format!("{n} {word}s"),
    }
}

/// `text` (already made safe, one line) in lines of at most `width` display columns, broken
/// at spaces where it can, a word longer than a line split.
#[must_use]
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let (mut line, mut used) = (String::new(), 0);
    // Where `line` may break: the byte index of its last space.
    let mut space: Option<usize> = None;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            let rest = match space {
                Some(at) if at > 0 => line.split_off(at + 1),
                _ => String::new(),
            };
            out.push(line.trim_end().to_owned());
            used = rest.chars().filter_map(UnicodeWidthChar::width).sum();
            line = rest;
            space = None;
        }
        if c == ' ' {
            if line.is_empty() {
                continue;
            }
            space = Some(line.len());
        }
        line.push(c);
        used += w;
    }
    if !line.trim().is_empty() {
        out.push(line.trim_end().to_owned());
    }
    out
}

/// A size as people say it: `64 MiB`, `512 KiB`, `100 bytes`.
#[must_use]
pub fn size_text(bytes: u64) -> String {
    const KIB: u64 = 1024;
    match bytes {
        b if b >= KIB * KIB * KIB && b.is_multiple_of(KIB * KIB * KIB) => {
            format!("{} GiB", b / (KIB * KIB * KIB))
        }
        b if b >= KIB * KIB => format!("{:.0} MiB", b as f64 / (KIB * KIB) as f64),
        b if b >= KIB => format!("{:.0} KiB", b as f64 / KIB as f64),
        b => format!("{b} bytes"),
    }
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
        for c in [
            '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{FEFF}', '\u{200B}',
        ] {
            assert_eq!(one_line(&format!("x{c}y"), 80), "xy", "{:X}", c as u32);
        }
    }

    #[test]
    fn cutting_goes_by_display_width_with_an_ellipsis() {
        assert_eq!(safe_line("abcdef", 4), "abc…");
        assert_eq!(safe_line("abcd", 4), "abcd");
        assert_eq!(safe_line("火星探査車", 5), "火星…");
        assert_eq!(safe_line("x", 0), "");
        assert_eq!(one_line("火星探査車", 5), "火星…");
    }

    #[test]
    fn the_detail_view_keeps_lines() {
        assert_eq!(safe_text("a\nb\u{1b}[0m"), "a\nb␛[0m");
    }

    #[test]
    fn a_server_message_is_folded_onto_one_visible_line() {
        assert_eq!(
            one_line("  <html>\n\n  <b>bad\u{1b}]52;c;aGk=\u{7}</b>  \r\n", 80),
            "<html> <b>bad␛]52;c;aGk=�</b>"
        );
        let huge = "x".repeat(10_000_000);
        assert_eq!(one_line(&huge, 10).chars().count(), 10);
    }

    #[test]
    fn echoed_credential_headers_are_redacted_in_every_spelling() {
        for (echo, kept) in [
            (
                "authorization: Basic Y2FwOmh1bnRlcjI=\nhost: x",
                "\nhost: x",
            ),
            (
                "{\"Authorization\":\"Bearer abc.def\",\"x\":1}",
                "\",\"x\":1}",
            ),
            ("headers: map[Authorization:[Bearer t0k]]", "]]"),
            ("Proxy-Authorization: Basic cXE6cXE=", ""),
            ("Cookie: session=abc; other=def\r\n", "\r\n"),
        ] {
            let r = redact(echo);
            assert!(r.contains(REDACTED), "{echo} -> {r}");
            assert!(r.ends_with(kept), "{echo} -> {r}");
            for secret in ["Y2Fw", "abc.def", "t0k", "cXE6", "session=abc"] {
                assert!(!r.contains(secret), "{echo} -> {r}");
            }
        }
        assert_eq!(
            redact("no authorization required"),
            "no authorization required"
        );
        assert_eq!(redact("unauthorized: 401"), "unauthorized: 401");
    }

    #[test]
    fn registered_secrets_are_redacted_anywhere() {
        register_secret("s3cr3t-token-for-text-tests");
        assert_eq!(
            one_line("GET /?t=s3cr3t-token-for-text-tests failed", 80),
            format!("GET /?t={REDACTED} failed")
        );
        register_secret("abc");
        assert_eq!(redact("abc"), "abc", "too short to redact safely");
    }

    #[test]
    fn counts_take_the_right_word() {
        assert_eq!(super::plural(1, "service"), "1 service");
        assert_eq!(super::plural(2, "service"), "2 services");
        assert_eq!(super::plural(0, "event"), "0 events");
        assert_eq!(super::plural(1, "query"), "1 query");
        assert_eq!(super::plural(17, "query"), "17 queries");
        assert_eq!(super::plural(2, "key"), "2 keys");
        assert_eq!(super::plural(3, "series"), "3 series");
    }
}
