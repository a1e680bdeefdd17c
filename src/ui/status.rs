//! The status bar: LIVE / REPLAY (and READ-ONLY), the worst SLO alert, how many faults fire
//! unacknowledged, PAUSED, the time window and its end, each source's freshness, and the way
//! to help. Only the clock and ages change each second: a few cells.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::app::{App, Clock, Freshness};
use crate::model::conductor::{format_age, format_span};
use crate::model::slo::Alert;
use crate::source::SourceId;

/// One part of the status bar: its forms from the fullest to the shortest, and the rank at
/// which each gives way to the next (the last to nothing). A part with no ranks is never
/// dropped. When the bar is too narrow, the part whose next rank is lowest shortens first.
struct Part {
    forms: Vec<Vec<Span<'static>>>,
    ranks: Vec<u8>,
    /// A source's freshness: counted in `+N more` when dropped.
    source: bool,
}

impl Part {
    fn new(spans: Vec<Span<'static>>, rank: Option<u8>) -> Self {
        Self {
            forms: vec![spans],
            ranks: rank.into_iter().collect(),
            source: false,
        }
    }
}

/// What the parts drop at (higher stays longer): the badges and the page are never dropped; a
/// source that is not ok goes after everything else.
mod rank {
    pub const SOURCE_NOT_OK: u8 = 90;
    pub const PAUSED: u8 = 88;
    pub const TLS: u8 = 85;
    pub const FAULTS: u8 = 80;
    pub const CLOCK: u8 = 70;
    pub const WINDOW: u8 = 50;
    pub const SOURCE_REASON: u8 = 45;
    pub const CLOCK_SECONDS: u8 = 40;
    pub const CLOCK_DATE: u8 = 30;
    pub const SOURCE_OK: u8 = 20;
    pub const HELP: u8 = 15;
    pub const REPLAY: u8 = 10;
    pub const TITLE: u8 = 5;
}

/// Draws the status bar into the one-row `area`.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    if render_prompt(app, area, buf) {
        return;
    }
    let mut parts = Vec::with_capacity(16);
    let badge = match (&app.replay, app.clock) {
        (Some(_), _) | (None, Clock::Replay(_)) => Span::styled(" REPLAY ", theme.badge_replay),
        (None, Clock::Live) => Span::styled(" LIVE ", theme.badge_live),
    };
    parts.push(Part::new(vec![badge], None));
    if app.config.read_only {
        parts.push(Part::new(
            vec![Span::styled(" READ-ONLY ", theme.badge_paused)],
            None,
        ));
    }
    let mut slo = Vec::new();
    slo_spans(app, &mut slo);
    parts.push(Part::new(slo, None));
    let (unacknowledged, worst) = app.unacknowledged_faults();
    if unacknowledged > 0 {
        parts.push(Part::new(
            vec![Span::styled(
                format!(" FAULTS {unacknowledged} "),
                theme.limit(worst, theme.text),
            )],
            Some(rank::FAULTS),
        ));
    }
    // Sources that are not ok come first, so that no width hides them.
    let (ok, not_ok): (Vec<_>, Vec<_>) = sources(app).into_iter().partition(|(ok, _)| *ok);
    for (_, spans) in not_ok {
        // Its reason may go (`STALE 41s` stays); the source itself only after all else.
        let short: Vec<Span<'static>> = spans
            .iter()
            .map(|s| match s.content.split_once(": ") {
                Some((head, _)) => Span::styled(head.to_owned(), s.style),
                None => s.clone(),
            })
            .collect();
        parts.push(Part {
            forms: vec![spans, short],
            ranks: vec![rank::SOURCE_REASON, rank::SOURCE_NOT_OK],
            source: true,
        });
    }
    if app.conductor.paused_at.is_none() {
        parts.push(Part::new(
            vec![Span::styled(
                format!(" ⏵ {}", format_span(app.conductor.window)),
                theme.text,
            )],
            Some(rank::WINDOW),
        ));
    } else {
        let behind = app.now - app.conductor.end(app.now);
        parts.push(Part::new(
            vec![Span::raw(" "), Span::styled(" PAUSED ", theme.badge_paused)],
            Some(rank::PAUSED),
        ));
        parts.push(Part::new(
            vec![Span::styled(
                format!(
                    " {} −{}",
                    format_span(app.conductor.window),
                    format_age(behind)
                ),
                theme.text,
            )],
            Some(rank::WINDOW),
        ));
    }
    parts.push(clock(app));
    for (_, spans) in ok {
        parts.push(Part {
            source: true,
            ..Part::new(spans, Some(rank::SOURCE_OK))
        });
    }
    trailing_parts(app, &mut parts);
    let (spans, help) = fit(app, parts, usize::from(area.width));
    Line::from(spans).render(area, buf);
    if let Some(help) = help {
        Line::from(help).right_aligned().render(area, buf);
    }
}

/// After the clock and the sources: TLS UNVERIFIED, the replay's name, the title, the help.
fn trailing_parts(app: &App, parts: &mut Vec<Part>) {
    let theme = &app.theme;
    let c = &app.config;
    let insecure = [
        c.prometheus.as_ref().map(|p| &p.connection),
        c.opensearch.as_ref().map(|o| &o.connection),
        c.jaeger.as_ref().map(|j| &j.connection),
    ]
    .into_iter()
    .flatten()
    .any(|conn| conn.insecure_skip_verify);
    if insecure && app.replay.is_none() {
        parts.push(Part::new(
            vec![Span::styled(" · TLS UNVERIFIED", theme.status_stale)],
            Some(rank::TLS),
        ));
    }
    if let Some(r) = &app.replay {
        let state = if r.finished { " · ended" } else { "" };
        parts.push(Part::new(
            vec![Span::styled(
                format!(" · {} ×{}{state}", r.name, r.speed),
                theme.dim,
            )],
            Some(rank::REPLAY),
        ));
    }
    parts.push(Part::new(
        vec![Span::styled(format!(" · {}", app.config.title), theme.dim)],
        Some(rank::TITLE),
    ));
    let help = Part::new(
        vec![
            Span::raw(" "),
            Span::styled("?", theme.key),
            Span::styled(" help ", theme.dim),
        ],
        Some(rank::HELP),
    );
    parts.push(help);
}

/// The clock at the window's end, whole or not at all: ` · 2026-12-02 10:15:16 UTC` (with
/// dates), ` · 10:15:16 UTC`, ` · 10:15`.
fn clock(app: &App) -> Part {
    let end = app.conductor.end(app.now);
    let Some(d) = chrono::DateTime::from_timestamp(end.floor() as i64, 0) else {
        return Part::new(Vec::new(), None);
    };
    let mut forms = Vec::new();
    let mut ranks = Vec::new();
    if app.shows_dates() {
        forms.push(d.format(" · %Y-%m-%d %H:%M:%S UTC").to_string());
        ranks.push(rank::CLOCK_DATE);
    }
    forms.push(d.format(" · %H:%M:%S UTC").to_string());
    ranks.push(rank::CLOCK_SECONDS);
    forms.push(d.format(" · %H:%M").to_string());
    ranks.push(rank::CLOCK);
    Part {
        forms: forms
            .into_iter()
            .map(|f| vec![Span::styled(f, app.theme.text)])
            .collect(),
        ranks,
        source: false,
    }
}

/// Part `i` in its form `form[i]`; `None` once dropped.
fn shown<'a>(parts: &'a [Part], form: &[usize], i: usize) -> Option<&'a Vec<Span<'static>>> {
    parts[i].forms.get(form[i])
}

/// Shortens and drops `parts` (the last is the help, drawn at the right) until they fit in
/// `width` columns with `+N more` for the sources dropped; the spans, and the help's if kept.
fn fit(
    app: &App,
    mut parts: Vec<Part>,
    width: usize,
) -> (Vec<Span<'static>>, Option<Vec<Span<'static>>>) {
    let span_width = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>();
    let mut form = vec![0usize; parts.len()];
    let more = |parts: &[Part], form: &[usize]| -> Option<Span<'static>> {
        let dropped: Vec<&Part> = (0..parts.len())
            .filter(|&i| parts[i].source && shown(parts, form, i).is_none())
            // The sources that are fine may go unsaid.
            .filter(|&i| parts[i].ranks.last() == Some(&rank::SOURCE_NOT_OK))
            .map(|i| &parts[i])
            .collect();
        if dropped.is_empty() {
            return None;
        }
        Some(Span::styled(
            format!(" · +{} more", dropped.len()),
            app.theme.status_stale,
        ))
    };
    loop {
        let used: usize = (0..parts.len())
            .filter_map(|i| shown(&parts, &form, i))
            .map(|s| span_width(s))
            .sum::<usize>()
            + more(&parts, &form).map_or(0, |s| s.width());
        if used <= width {
            break;
        }
        // The part whose next step ranks lowest gives way; of equals, the rightmost.
        let next = (0..parts.len())
            .filter_map(|i| parts[i].ranks.get(form[i]).map(|&r| (r, i)))
            .min_by_key(|&(r, i)| (r, std::cmp::Reverse(i)));
        match next {
            Some((_, i)) => form[i] += 1,
            None => break,
        }
    }
    // What was dropped to make room but fits in what is left comes back: the help whole,
    // then the replay's name and the title cut into the room (they say what is shown).
    for wanted in [rank::HELP, rank::REPLAY, rank::TITLE] {
        let used: usize = (0..parts.len())
            .filter_map(|i| shown(&parts, &form, i))
            .map(|s| span_width(s))
            .sum::<usize>()
            + more(&parts, &form).map_or(0, |s| s.width());
        let spare = width.saturating_sub(used);
        let Some(i) = (0..parts.len()).find(|&i| parts[i].ranks == [wanted]) else {
            continue;
        };
        if shown(&parts, &form, i).is_some() {
            continue;
        }
        if wanted == rank::HELP {
            if span_width(&parts[i].forms[0]) <= spare {
                form[i] = 0;
            }
        } else if spare >= 8 {
            let whole: String = parts[i].forms[0]
                .iter()
                .map(|s| s.content.as_ref())
                .collect();
            let cut = crate::text::safe_line(&whole, spare);
            parts[i].forms.push(vec![Span::styled(cut, app.theme.dim)]);
            form[i] = parts[i].forms.len() - 1;
        }
    }
    let mark = more(&parts, &form);
    let last = parts.len() - 1;
    let help = shown(&parts, &form, last).cloned();
    parts.truncate(last);
    let mut spans: Vec<Span<'static>> = parts
        .into_iter()
        .zip(form)
        .filter_map(|(mut p, f)| (f < p.forms.len()).then(|| p.forms.swap_remove(f)))
        .flatten()
        .collect();
    spans.extend(mark);
    (spans, help)
}

/// Each source's health, whether it is ok and its spans: Prometheus (and how many queries
/// fail on their own), OpenSearch, Jaeger and Alertmanager when they are configured or have
/// answered.
fn sources(app: &App) -> Vec<(bool, Vec<Span<'static>>)> {
    let theme = &app.theme;
    let mut out = Vec::new();
    if !app.config.queries.is_empty() {
        let (health, failing) = app.source_health();
        let ok = matches!(health, Freshness::Ok { .. }) && failing == 0;
        let mut spans = vec![
            Span::styled(" · ", theme.dim),
            Span::styled(format!("{} ", SourceId::Prometheus.name()), theme.dim),
            freshness_span(app, health, SourceId::Prometheus),
        ];
        if failing > 0 {
            let s = if failing == 1 { "y" } else { "ies" };
            spans.push(Span::styled(
                format!(" · {failing} quer{s} failing"),
                theme.status_stale,
            ));
        }
        out.push((ok, spans));
    }
    let (c, events, traces, faults) = (&app.config, &app.events, &app.traces, &app.faults);
    let others = [
        (
            SourceId::OpenSearch,
            c.opensearch.is_some() || events.last_ok.is_some() || events.error.is_some(),
        ),
        (
            SourceId::Jaeger,
            c.jaeger.is_some() || traces.last_ok.is_some() || traces.error.is_some(),
        ),
        (
            SourceId::Alertmanager,
            c.alertmanager.is_some() || faults.last_ok.is_some() || faults.error.is_some(),
        ),
    ];
    for (id, _) in others.into_iter().filter(|(_, shown)| *shown) {
        let freshness = match id {
            SourceId::OpenSearch => app.events_freshness(),
            SourceId::Jaeger => app.traces_freshness(),
            _ => app.faults_freshness(),
        };
        let ok = matches!(freshness, Freshness::Ok { .. });
        out.push((
            ok,
            vec![
                Span::styled(format!(" · {} ", id.name()), theme.dim),
                freshness_span(app, freshness, id),
            ],
        ));
    }
    out
}

/// The worst SLO alert now, right after the LIVE/REPLAY badge so no width hides it, even
/// while the screen is paused: `PAGE` or `TICKET` with the SLO's name, `SLO ok`, `SLO
/// UNKNOWN`; `(stale 20s)` while its source fails and the last known alert is held; and, when
/// paused on a time whose worst alert differs, that one after `at HH:MM:`.
fn slo_spans(app: &App, spans: &mut Vec<Span<'static>>) {
    let theme = &app.theme;
    let Some(live) = app.live_alert() else {
        return;
    };
    spans.push(Span::raw(" "));
    alert_spans(app, live.alert, &live.slo.name, "SLO", spans);
    if let Some(age) = live.stale.filter(|_| live.alert != Alert::Unknown) {
        spans.push(Span::styled(
            format!("(stale {}) ", format_age(age)),
            theme.status_stale,
        ));
    }
    let Some((then, slo)) = app
        .worst_slo()
        .filter(|_| app.conductor.paused_at.is_some())
    else {
        return;
    };
    let same_name = then == Alert::Page || then == Alert::Ticket;
    if then == live.alert && (!same_name || slo.name == live.slo.name) {
        return;
    }
    let at = chrono::DateTime::from_timestamp(app.conductor.end(app.now).floor() as i64, 0)
        .map(|d| d.format("%H:%M").to_string())
        .unwrap_or_default();
    spans.push(Span::styled(format!("· at {at}:"), theme.dim));
    alert_spans(app, then, &slo.name, "", spans);
}

/// An alert's word in its colour, and the SLO's name when it pages or tickets.
fn alert_spans(app: &App, alert: Alert, name: &str, prefix: &str, spans: &mut Vec<Span<'static>>) {
    let (style, word) = crate::ui::panes::slo::alert_look(&app.theme, alert);
    spans.push(Span::styled(format!("{prefix}{}", word.trim_end()), style));
    if matches!(alert, Alert::Page | Alert::Ticket) {
        spans.push(Span::styled(
            format!(" {} ", crate::text::safe_line(name, 30)),
            style,
        ));
    } else {
        spans.push(Span::styled(" ", style));
    }
}

/// The line being typed, or a notice, in place of the status bar; whether one was drawn.
fn render_prompt(app: &App, area: Rect, buf: &mut Buffer) -> bool {
    let theme = &app.theme;
    if let Some((what, line)) = app.prompt() {
        let prompt = match what {
            crate::app::Editing::Filter => " filter events: ".to_owned(),
            crate::app::Editing::Query => " opensearch query: ".to_owned(),
            crate::app::Editing::TraceFilter => " filter traces: ".to_owned(),
            crate::app::Editing::Jump => " jump to (09:05, -3h, 09:00..09:30): ".to_owned(),
            crate::app::Editing::FaultComment | crate::app::Editing::ShelveFor => {
                fault_prompt(app, what)
            }
            crate::app::Editing::Note if app.notebook.with_screen => {
                " note + screen (^S drops it): ".to_owned()
            }
            crate::app::Editing::Note => " note (^S adds the screen): ".to_owned(),
            crate::app::Editing::AdHoc => " promql: ".to_owned(),
        };
        let keys = "  Enter apply · Esc cancel";
        let room = usize::from(area.width).saturating_sub(prompt.len() + keys.len());
        let cursor = app.prompt_cursor().unwrap_or(0);
        let mut spans = vec![Span::styled(prompt, theme.key)];
        spans.extend(edited_spans(line, cursor, room.max(8), theme.text));
        spans.push(Span::styled(keys, theme.dim));
        Line::from(spans).render(area, buf);
        return true;
    }
    if let Some(notice) = &app.notice {
        Line::styled(
            format!(
                " {}",
                crate::text::safe_line(notice, usize::from(area.width))
            ),
            theme.status_stale,
        )
        .render(area, buf);
        return true;
    }
    false
}

/// A line being edited, in at most `width` columns, made safe, with the cell under the
/// cursor reversed; scrolled (`…` at the cut) so the cursor stays in view.
pub(crate) fn edited_spans(
    line: &str,
    cursor: usize,
    width: usize,
    style: ratatui::style::Style,
) -> Vec<Span<'static>> {
    use unicode_width::UnicodeWidthStr as _;
    let shown: Vec<String> = line
        .chars()
        .map(|c| crate::text::safe_line(c.encode_utf8(&mut [0; 4]), 2))
        .collect();
    let cursor = cursor.min(shown.len());
    let under = shown.get(cursor).cloned().unwrap_or_else(|| " ".into());
    let width = width.max(4);
    // The cursor's cell and the text after it must fit: drop characters from the start
    // (leaving a column for `…`) until the text before the cursor fits beside it.
    let room = width.saturating_sub(under.width().max(1));
    let mut start = cursor;
    let mut used = 0;
    while start > 0 && used + shown[start - 1].width() <= room {
        used += shown[start - 1].width();
        start -= 1;
    }
    // Cut: one more character makes room for the `…`.
    if start > 0 && used + 1 > room {
        start += 1;
    }
    let mut before: String = if start > 0 {
        "…".into()
    } else {
        String::new()
    };
    before.extend(shown[start..cursor].iter().map(String::as_str));
    let used = before.width() + under.width().max(1);
    let after: String = shown.get(cursor + 1..).unwrap_or_default().concat();
    let after = crate::text::safe_line(&after, width.saturating_sub(used));
    vec![
        Span::styled(before, style),
        Span::styled(
            under,
            style.add_modifier(ratatui::style::Modifier::REVERSED),
        ),
        Span::styled(after, style),
    ]
}

/// What a fault's prompt asks: ` acknowledge BatteryLow for 24 h, comment: `, ` shelve
/// BatteryLow for (20m, 1h): `.
fn fault_prompt(app: &App, what: crate::app::Editing) -> String {
    let Some(p) = &app.faults.pending else {
        return " comment: ".to_owned();
    };
    let name = crate::text::safe_line(&p.name, 30);
    match (what, p.shelf) {
        (crate::app::Editing::ShelveFor, _) => format!(" shelve {name} for (20m, 1h): "),
        (_, None) => format!(
            " acknowledge {name} for {}, comment: ",
            crate::app::format_length(crate::app::ACK_SECS)
        ),
        (_, Some(secs)) => format!(
            " shelve {name} for {}, comment: ",
            crate::app::format_length(secs)
        ),
    }
}

/// A source's freshness: `ok 2s`, `waiting`, or `STALE 41s: <reason>` without the source's
/// name, which the status bar has just said.
fn freshness_span(app: &App, f: Freshness, source: SourceId) -> Span<'static> {
    let theme = &app.theme;
    match f {
        Freshness::Waiting => Span::styled("waiting", theme.dim),
        Freshness::Unconfigured(_) => Span::styled("not configured", theme.dim),
        Freshness::Ok { age } => Span::styled(format!("ok {}", format_age(age)), theme.status_ok),
        Freshness::Stale { age, reason } => {
            let age = age
                .map(|a| format!(" {}", format_age(a)))
                .unwrap_or_default();
            let reason = reason.after_name(source);
            Span::styled(format!("STALE{age}: {reason}"), theme.status_stale)
        }
    }
}

#[cfg(test)]
mod edit_tests {
    use super::edited_spans;
    use ratatui::style::{Modifier, Style};
    use unicode_width::UnicodeWidthStr as _;

    /// The three parts drawn: before the cursor, under it (reversed), after it.
    fn parts(line: &str, cursor: usize, width: usize) -> [String; 3] {
        let spans = edited_spans(line, cursor, width, Style::default());
        assert!(spans[1].style.add_modifier.contains(Modifier::REVERSED));
        let total: usize = spans.iter().map(|s| s.content.width()).sum();
        assert!(total <= width, "{total} > {width}: {spans:?}");
        [0, 1, 2].map(|i| spans[i].content.to_string())
    }

    #[test]
    fn a_long_line_scrolls_to_keep_the_cursor_in_view_and_hostile_text_is_made_safe() {
        let line: String = ('a'..='z').cycle().take(200).collect();
        let [before, under, after] = parts(&line, 150, 40);
        assert!(before.starts_with('…'), "{before}");
        assert_eq!(under, line[150..151]);
        assert!(before.ends_with(&line[140..150]), "{before}");
        assert_eq!(after, "", "no room after a cursor at the right edge");
        let [before, under, after] = parts(&line, 0, 40);
        assert_eq!((before.as_str(), under.as_str()), ("", "a"));
        assert!(after.ends_with('…'), "{after}");
        let [before, under, _] = parts("日本語🚀", 4, 10);
        assert_eq!((before.as_str(), under.as_str()), ("日本語🚀", " "));
        let [before, ..] = parts("a\u{1b}[2Jb", 5, 20);
        assert_eq!(before, "a␛[2J");
    }
}
