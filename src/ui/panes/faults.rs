//! The Faults pane: two lines per fault, most severe first, then newest — the severity as a
//! word of the limit ladder in its colour, the state (`firing`, `acked`, `shelved`,
//! `silenced`, `resolved`), since when, the name with its service and wheel; then who
//! acknowledged or shelved it (until when, why) and its summary. The filter is named in the
//! corner. Also the shelf chooser and a fault's detail, drawn over the dashboard. Every
//! label, annotation and comment goes through `text.rs`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{BorderType, Clear, Paragraph, Widget};

use crate::app::{App, FaultFilter, FaultRow, FaultState, Note, Origin, SHELF_CHOICES};
use crate::config::PaneId;
use crate::text::{one_line, safe_line};
use crate::ui::layout::centered;
use crate::ui::overlay::panel;

/// Lines per fault.
const ROWS: usize = crate::layout::FAULT_ROWS as usize;

/// Who quieted a fault and until when: `by flight till 08:10:00: swapping batteries`, the
/// date before the time when it ends on another day.
fn note_text(app: &App, note: &Note, narrow: bool) -> String {
    // A day's acknowledgement ends tomorrow: the date says so.
    let day = |t: f64| (t / 86_400.0).floor() as i64;
    let dated = app.shows_dates() || day(note.until) != day(app.now);
    let until = super::events::time(Some(note.until), narrow, dated);
    let comment = note.comment.trim();
    let by = safe_line(&note.by, 24);
    if comment.is_empty() {
        format!("by {by} till {until}")
    } else {
        format!("by {by} till {until}: {}", one_line(comment, 200))
    }
}

/// The labels that say where a fault is: its service and wheel.
fn place(row: &FaultRow) -> String {
    ["service", "wheel"]
        .iter()
        .filter_map(|k| row.labels.get(*k))
        .map(|v| safe_line(v, 16))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A fault's two lines: severity, state and name (with where); then since when, who
/// quieted it and why, and its summary. Narrow, the state moves to the second line so the
/// name keeps the first.
fn lines(app: &App, row: &FaultRow, width: usize) -> [Line<'static>; 2] {
    let theme = &app.theme;
    let narrow = width < 50;
    let text = if row.state == FaultState::Resolved {
        theme.dim
    } else {
        theme.text
    };
    let word = format!("{:<6} ", row.severity.word());
    let state = format!("{:<8} ", row.state.word());
    let mut first = vec![Span::styled(
        word,
        theme.limit(Some(row.severity), theme.text),
    )];
    if !narrow {
        first.push(Span::styled(state.clone(), text));
    }
    let name_room = width.saturating_sub(Line::from(first.clone()).width());
    let name = safe_line(&row.name, name_room);
    let place = place(row);
    let place_room = name_room.saturating_sub(name.chars().count() + 3);
    first.push(Span::styled(name, text));
    if !place.is_empty() && place_room > 2 {
        first.push(Span::styled(
            format!(" · {}", safe_line(&place, place_room)),
            theme.dim,
        ));
    }
    let since = super::events::time(Some(row.since), narrow, app.shows_dates());
    let mut second = format!("  {since} ");
    if narrow {
        second.push_str(row.state.word());
        second.push(' ');
    }
    let note = (row.shelf.as_ref())
        .or(row.ack.as_ref())
        .or(row.silence.as_ref());
    if let Some(n) = note {
        second.push_str(&note_text(app, n, narrow));
        second.push_str(" · ");
    }
    second.push_str(&one_line(&row.summary, 400));
    let style = if note.is_some() { text } else { theme.dim };
    [
        Line::from(first),
        Line::styled(safe_line(&second, width), style),
    ]
}

/// Draws the Faults pane `pane` into `area`.
pub fn render(app: &App, pane: PaneId, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let all = app.fault_rows();
    let filter = app.faults.filter;
    let rows: Vec<&FaultRow> = all.iter().filter(|r| filter.shows(r.state)).collect();
    if rows.is_empty() {
        let what = if all.is_empty() {
            "no faults".to_owned()
        } else {
            format!("no faults under \"{}\" (f: filter)", filter.label())
        };
        Line::styled(what, theme.dim).render(area, buf);
    }
    let focused = app.focus == pane;
    let selected = app.selected[pane].min(rows.len().saturating_sub(1));
    let fits = crate::layout::rows_fit(area, crate::layout::FAULT_ROWS);
    let start = crate::layout::first_shown(selected, fits);
    let width = usize::from(area.width);
    for (i, row) in rows.iter().skip(start).take(fits).enumerate() {
        let lines = lines(app, row, width);
        for (j, line) in lines.into_iter().enumerate() {
            let y = area.y + (i * ROWS + j) as u16;
            if y >= area.bottom() {
                break;
            }
            let line = if focused && start + i == selected {
                line.patch_style(theme.selection)
            } else {
                line
            };
            line.render(Rect::new(area.x, y, area.width, 1), buf);
        }
    }
    let shelved = all
        .iter()
        .filter(|r| r.state == FaultState::Shelved)
        .count();
    let mut mark = format!(" {} ", filter.label());
    if filter == FaultFilter::Default && shelved > 0 {
        mark = format!(" {}· {shelved} shelved ", mark.trim_start());
        mark.insert(0, ' ');
    }
    let hidden = rows.len().saturating_sub(fits);
    if hidden > 0 {
        mark = format!(" +{hidden} more ·{mark}");
    }
    super::corner_marks(vec![Span::styled(mark, theme.key)], area, buf);
}

/// The shelf chooser over the dashboard: 5, 10, 15 minutes or a typed length.
pub fn shelve_chooser(app: &App, selected: usize, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let name = app
        .faults
        .pending
        .as_ref()
        .map_or_else(String::new, |p| safe_line(&p.name, 30));
    let mut lines: Vec<Line> = SHELF_CHOICES
        .iter()
        .map(|&s| format!(" {:>6} ", crate::app::format_length(s)))
        .chain([" custom… (20m, 1h) ".to_owned()])
        .enumerate()
        .map(|(i, text)| {
            let line = Line::styled(text, theme.overlay);
            if i == selected {
                line.patch_style(theme.selection)
            } else {
                line
            }
        })
        .collect();
    lines.insert(0, Line::raw(""));
    let title = format!(" shelve {name} for ");
    let width = (title.chars().count().max(22) + 2) as u16;
    let rect = centered(area, width, lines.len() as u16 + 2);
    Clear.render(rect, buf);
    Paragraph::new(lines)
        .style(theme.overlay)
        .block(panel(app, BorderType::Rounded, title, " Enter · Esc "))
        .render(rect, buf);
}

/// One fault in full, over the dashboard: its labels, annotations, silences and expression.
pub fn fault_detail(app: &App, row: &FaultRow, scroll: usize, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let w = usize::from(area.width).saturating_sub(4);
    let mut out: Vec<Line> = Vec::new();
    let mut say = |key: &str, value: String| {
        let text = format!(" {key:<12}{}", one_line(&value, w.saturating_sub(13)));
        out.push(Line::styled(text, theme.overlay));
    };
    say(
        "severity",
        format!("{} ({})", row.severity.word(), row.severity.name()),
    );
    let since = super::events::time(Some(row.since), false, app.shows_dates());
    say("state", format!("{} · since {since}", row.state.word()));
    say("summary", row.summary.clone());
    for (what, note) in [
        ("shelved", &row.shelf),
        ("acked", &row.ack),
        ("silenced", &row.silence),
    ] {
        if let Some(n) = note {
            say(
                what,
                format!("{} · silence {}", note_text(app, n, false), n.id),
            );
        }
    }
    for (k, v) in &row.labels {
        say(&one_line(k, 11), format!("= {v}"));
    }
    match &row.origin {
        Origin::Alert(f) => {
            for (k, v) in &f.annotations {
                say(&one_line(k, 11), format!(": {v}"));
            }
            if let Some(expr) = crate::app::rule_expression(&f.generator_url) {
                say("expression", expr);
            }
            say("source", f.generator_url.clone());
        }
        Origin::Slo(name) => say("from", format!("capcom's SLO {name}")),
    }
    let lines: Vec<Line> = out.into_iter().skip(scroll).collect();
    let title = format!(" fault: {} ", safe_line(&row.name, 60));
    let keys = " j k scroll · c chart · t its service's failed traces · Esc back ";
    crate::ui::overlay::full_view(app, lines, title, keys, area, buf);
}
