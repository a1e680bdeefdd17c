//! The Why view: what was compared in the title, how much was looked at and what could not be
//! used beneath it, then the five sections stacked, each a titled block of ranked rows with
//! their counts — significant rows marked `◆` and bright, the rest dim. Narrow, rows are cut
//! with `…` and the view scrolls to keep the selection in sight; wide, rows say more (the kind
//! of a shared value, seconds per trace, first and last seen). Also a row's traces
//! ([`traces`]).
//!
//! ```text
//! ┏ why · mobility commands · 09:00–10:00 vs 08:00–09:00 UTC ━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
//! ┃ looked at 173 traces (33 failing) · 8650 spans · 412 events (380 before) · 24 series  ┃
//! ┃── what the failing traces share · 2 of 40 significant ─────────────────────────────── ┃
//! ┃◆ rover.wheel=LM          31 of 33 failing (94 %) · 2 of 140 others (1 %)             ┃
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{BorderType, Clear, Paragraph, Widget};

use crate::app::{App, WhySection, WhyTraces, WhyView};
use crate::config::theme::Theme;
use crate::model::why::movers::Direction;
use crate::model::why::patterns::WILD;
use crate::model::why::{Why, Window, percent};
use crate::text::{one_line, plural, safe_line};

/// The mark of a significant row.
const MARK: &str = "◆ ";
/// How a template shows where its messages differ.
const WILD_SHOWN: &str = "‹*›";

/// A line of the view, and the row it shows (an index into [`WhyView::items`]), if any.
type Tagged = (Line<'static>, Option<usize>);

/// `from`–`to` of `w` as the title says it: `09:00–10:00` (with seconds when a bound has
/// them, with the date when `dated`).
fn span_text(w: Window, dated: bool) -> String {
    let fmt = |t: f64| {
        let secs = t.floor() as i64;
        let pattern = match (dated, secs % 60 != 0) {
            (true, true) => "%m-%d %H:%M:%S",
            (true, false) => "%m-%d %H:%M",
            (false, true) => "%H:%M:%S",
            (false, false) => "%H:%M",
        };
        chrono::DateTime::from_timestamp(secs, 0)
            .map_or_else(|| "?".to_owned(), |d| d.format(pattern).to_string())
    };
    format!("{}–{}", fmt(w.from), fmt(w.to))
}

/// The view's title: `why · mobility commands · 09:00–10:00 vs 08:00–09:00 UTC`.
#[must_use]
pub fn title(view: &WhyView) -> String {
    let r = &view.request;
    let day = |t: f64| (t / 86_400.0).floor() as i64;
    let dated = day(r.baseline.from) != day(r.window.to - 1.0);
    format!(
        "why · {} · {} vs {} UTC",
        one_line(&r.title, 60),
        span_text(r.window, dated),
        span_text(r.baseline, dated)
    )
}

/// A time of day: `09:41:07`.
fn clock(t: Option<f64>) -> String {
    t.and_then(|t| chrono::DateTime::from_timestamp(t.floor() as i64, 0))
        .map_or_else(|| "–".to_owned(), |d| d.format("%H:%M:%S").to_string())
}

/// `left` cut to `left_w` columns and padded, two spaces, then `right`; the whole cut to
/// `width`, padded so a selection's colour runs across the row.
fn columns(left: &str, left_w: usize, right: &str, width: usize) -> String {
    let left = safe_line(left, left_w);
    let pad = left_w.saturating_sub(unicode_width::UnicodeWidthStr::width(left.as_str()));
    let line = format!("{left}{}  {right}", " ".repeat(pad));
    format!("{:<width$}", safe_line(&line, width))
}

/// How wide the left column of a section is: its widest text, leaving `right` columns.
fn left_width(lefts: &[String], right: usize, width: usize) -> usize {
    let widest = lefts
        .iter()
        .map(|l| unicode_width::UnicodeWidthStr::width(l.as_str()))
        .max()
        .unwrap_or(0);
    widest
        .min(width.saturating_sub(right + 2))
        .max(12.min(width))
}

/// The style of a row: the selection, bright when significant, else dim.
fn row_style(theme: &Theme, significant: bool, selected: bool) -> Style {
    if selected {
        theme.selection
    } else if significant {
        theme.text.add_modifier(Modifier::BOLD)
    } else {
        theme.dim
    }
}

fn mark(significant: bool) -> &'static str {
    if significant { MARK } else { "  " }
}

/// A section's heading: `── what the failing traces share · 2 of 40 significant ────`.
fn heading(theme: &Theme, text: &str, width: usize) -> Line<'static> {
    let head = safe_line(&format!("── {text} "), width);
    let rest = width.saturating_sub(unicode_width::UnicodeWidthStr::width(head.as_str()));
    Line::from(vec![
        Span::styled(head, theme.title),
        Span::styled("─".repeat(rest), theme.border),
    ])
}

/// How many of `rows` are significant, as a heading says it.
fn counted(total: usize, significant: usize, shown: usize) -> String {
    let more = if total > shown {
        format!(", top {shown}")
    } else {
        String::new()
    };
    format!("{significant} of {total} significant{more}")
}

/// A template as text: made safe, `<*>` shown as `‹*›`.
#[must_use]
pub fn template_text(template: &crate::model::why::patterns::Template) -> String {
    let words: Vec<String> = template
        .tokens
        .iter()
        .map(|t| {
            if t == WILD {
                WILD_SHOWN.to_owned()
            } else {
                t.replace(WILD, WILD_SHOWN)
            }
        })
        .collect();
    one_line(&words.join(" "), 400)
}

/// A number short: `62.9`, `1234`, `0.0042`.
fn short(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let a = v.abs();
    if a >= 1000.0 || a == 0.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 0.1 {
        format!("{v:.2}")
    } else {
        format!("{v:.2e}")
    }
}

/// A duration short: `64.3 s`, `780 ms`, `2.1 ms`, `0 s`.
fn seconds(v: f64) -> String {
    if v.is_finite() && v != 0.0 && v.abs() < 1.0 {
        format!("{} ms", short(v * 1000.0))
    } else {
        format!("{} s", short(v))
    }
}

/// `values` as a line of block characters, gaps blank.
fn sparkline(values: &[f64]) -> String {
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let blocks = crate::ui::panes::slo::BLOCKS;
    values
        .iter()
        .map(|&v| {
            if !v.is_finite() {
                " "
            } else if hi > lo {
                let level = ((v - lo) / (hi - lo) * 7.0).round() as usize;
                blocks[level.min(7)]
            } else {
                blocks[3]
            }
        })
        .collect()
}

/// Every line of the report at `width`, each row tagged with its index in the view's items.
fn document(app: &App, view: &WhyView, width: usize) -> Vec<Tagged> {
    let theme = &app.theme;
    let report: &Why = &view.report;
    let wide = width >= 120;
    let mut out: Vec<Tagged> = Vec::new();
    let l = &report.looked_at;
    let looked = format!(
        "looked at {} ({} failing) · {} · {} ({} before) · {}",
        plural(l.traces, "trace"),
        l.failing,
        plural(l.spans, "span"),
        plural(l.events, "event"),
        l.baseline_events,
        plural(l.series, "series"),
    );
    out.push((Line::styled(safe_line(&looked, width), theme.text), None));
    if !report.unused.is_empty() {
        let text = one_line(&report.unused.join(" · "), 2_000);
        let lines = crate::text::wrap(&format!("not used: {text}"), width.max(8));
        let keep = if wide { 3 } else { 1 };
        let cut = lines.len() > keep;
        for (i, line) in lines.into_iter().take(keep).enumerate() {
            let line = if cut && i + 1 == keep {
                safe_line(&format!("{line} …"), width)
            } else {
                safe_line(&line, width)
            };
            out.push((Line::styled(line, theme.status_stale), None));
        }
    }
    let mut item = 0usize;
    let sel = view.selected.min(view.items().len().saturating_sub(1));
    for section in WhySection::ALL {
        let shown = view.rows_in(section);
        let (total, significant) = match section {
            WhySection::Shared => tally(&report.shared, |r| r.significant),
            WhySection::Bottleneck => tally(&report.bottleneck, |r| r.significant),
            WhySection::Patterns => tally(&report.patterns, |r| r.significant),
            WhySection::Movers => tally(&report.movers, |r| r.significant),
            WhySection::Impact => (0, 0),
        };
        let head = match section {
            WhySection::Impact => section.title().to_owned(),
            _ => format!(
                "{} · {}",
                section.title(),
                counted(total, significant, shown)
            ),
        };
        out.push((heading(theme, &head, width), None));
        let rows = section_rows(report, section, shown, width, wide);
        if rows.is_empty() && section != WhySection::Impact {
            out.push((Line::styled("  nothing to compare", theme.dim), None));
        }
        if section == WhySection::Impact {
            for text in impact_lines(report, width) {
                out.push((Line::styled(text, theme.text), None));
            }
        }
        for (text, significant) in rows {
            let style = row_style(theme, significant, item == sel);
            out.push((Line::styled(text, style), Some(item)));
            item += 1;
        }
    }
    out
}

/// How many rows, and how many of them `significant` says are.
fn tally<T>(rows: &[T], significant: impl Fn(&T) -> bool) -> (usize, usize) {
    (rows.len(), rows.iter().filter(|r| significant(r)).count())
}

/// The rows of `section` as text at `width`, and whether each is significant.
fn section_rows(
    report: &Why,
    section: WhySection,
    shown: usize,
    width: usize,
    wide: bool,
) -> Vec<(String, bool)> {
    match section {
        WhySection::Shared => tabled(shared_rows(report, shown, wide), width),
        WhySection::Bottleneck => tabled(bottleneck_rows(report, shown, wide), width),
        WhySection::Patterns => pattern_rows(report, shown, width, wide),
        WhySection::Movers => tabled(mover_rows(report, shown), width),
        WhySection::Impact => report.impact.commands[..shown]
            .iter()
            .map(|c| {
                let text = format!(
                    "  command {} {}  {} of {} failing ({:.0} %)",
                    one_line(&c.service, 60),
                    one_line(&c.operation, 60),
                    c.failing,
                    c.total,
                    percent(c.failing, c.total)
                );
                (format!("{:<width$}", safe_line(&text, width)), false)
            })
            .collect(),
    }
}

/// `text` after its row's mark, cut and padded to `width`.
fn marked(text: &str, significant: bool, width: usize) -> String {
    let line = format!("{}{text}", mark(significant));
    format!("{:<width$}", safe_line(&line, width))
}

/// Rows of a left and a right text as two columns (the left as wide as its widest, as room
/// allows), marked.
fn tabled(rows: Vec<(String, String, bool)>, width: usize) -> Vec<(String, bool)> {
    let inner = width.saturating_sub(2);
    let lefts: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let right_w = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    let lw = left_width(&lefts, right_w, inner);
    rows.into_iter()
        .map(|(l, r, sig)| (marked(&columns(&l, lw, &r, inner), sig, width), sig))
        .collect()
}

/// `rover.wheel=LM` | `31 of 33 failing (94 %) · 2 of 140 others (1 %)`; wide, the kind first.
fn shared_rows(report: &Why, shown: usize, wide: bool) -> Vec<(String, String, bool)> {
    report.shared[..shown]
        .iter()
        .map(|r| {
            let kv = format!("{}={}", one_line(&r.key, 80), one_line(&r.value, 80));
            let left = if wide {
                format!("{:<9} {kv}", r.kind.word())
            } else {
                kv
            };
            let right = format!(
                "{} of {} failing ({:.0} %) · {} of {} others ({:.0} %)",
                r.failing,
                r.failing_total,
                percent(r.failing, r.failing_total),
                r.others,
                r.others_total,
                percent(r.others, r.others_total)
            );
            (left, right, r.significant)
        })
        .collect()
}

/// `mobility drive.segment` | `62 % of failing critical path · 4.1× the others`; wide, the
/// seconds a trace too.
fn bottleneck_rows(report: &Why, shown: usize, wide: bool) -> Vec<(String, String, bool)> {
    report.bottleneck[..shown]
        .iter()
        .map(|r| {
            let left = format!(
                "{} {}",
                one_line(&r.service, 60),
                one_line(&r.operation, 60)
            );
            let ratio = if r.others_per_trace > 0.0 {
                format!(
                    "{:.1}× the others",
                    r.failing_per_trace / r.others_per_trace
                )
            } else {
                "none in the others".to_owned()
            };
            let seconds = if wide {
                format!(
                    " · {} vs {} a trace",
                    seconds(r.failing_per_trace),
                    seconds(r.others_per_trace)
                )
            } else {
                String::new()
            };
            let right = format!(
                "{:.0} % of failing critical path · {ratio}{seconds}",
                100.0 * r.failing_share
            );
            (left, right, r.significant)
        })
        .collect()
}

/// `NEW   9 vs 0      wheel slip detected on LM: stalled after ‹*› m`; wide, first and
/// last seen before the template.
fn pattern_rows(report: &Why, shown: usize, width: usize, wide: bool) -> Vec<(String, bool)> {
    report.patterns[..shown]
        .iter()
        .map(|r| {
            let change = if r.new {
                "NEW".to_owned()
            } else {
                format!("×{:.1}", r.growth)
            };
            let counts = format!("{} vs {}", r.window, r.baseline);
            let seen = if wide {
                format!("{}–{}  ", clock(r.first_seen), clock(r.last_seen))
            } else {
                String::new()
            };
            let text = format!(
                "{change:<5} {counts:<11} {seen}{}",
                template_text(&r.template)
            );
            (marked(&text, r.significant, width), r.significant)
        })
        .collect()
}

/// `motor LM{wheel="LM"}` | `▁▁▁███  41.6 → 63.6  ↑ 34.6σ`.
fn mover_rows(report: &Why, shown: usize) -> Vec<(String, String, bool)> {
    // A label every mover carries with one value (`job`, `instance`) tells none apart.
    let common = |k: &str, v: &str| {
        report.movers.len() > 1
            && report
                .movers
                .iter()
                .all(|m| m.labels.iter().any(|(k2, v2)| k2 == k && v2 == v))
    };
    report.movers[..shown]
        .iter()
        .map(|r| {
            let labels: Vec<String> = r
                .labels
                .iter()
                .filter(|(k, v)| *k != "__name__" && !common(k, v))
                .map(|(k, v)| format!("{k}=\"{v}\""))
                .collect();
            let name = if labels.is_empty() {
                r.name.clone()
            } else {
                format!("{}{{{}}}", r.name, labels.join(","))
            };
            let way = match r.direction {
                Direction::Up => "↑",
                Direction::Down => "↓",
                Direction::Flat => "=",
            };
            let right = format!(
                "{}  {} → {}  {way} {:.1}σ",
                sparkline(&r.spark),
                short(r.before),
                short(r.after),
                r.score
            );
            (one_line(&name, 200), right, r.significant)
        })
        .collect()
}

/// The impact section's lines that are not rows: failing traces, services, budget.
fn impact_lines(report: &Why, width: usize) -> Vec<String> {
    let i = &report.impact;
    let mut out = vec![format!(
        "  failing: {} of {} ({:.0} %)",
        plural(i.failing, "trace"),
        i.total,
        percent(i.failing, i.total)
    )];
    if !i.services.is_empty() {
        let services: Vec<String> = i
            .services
            .iter()
            .map(|(s, n)| format!("{} {n}", one_line(s, 40)))
            .collect();
        out.push(format!("  services touched: {}", services.join(" · ")));
    }
    match &i.budget {
        Some(b) => out.push(format!(
            "  budget: {:.1} % of the period's spent in the window · burn ×{:.1} · {} bad",
            100.0 * b.spent,
            b.burn_rate,
            short(b.bad)
        )),
        None => out.push("  budget: not an SLO's window".to_owned()),
    }
    out.into_iter().map(|l| safe_line(&l, width)).collect()
}

/// Draws the Why view over `area`.
pub fn render(app: &App, view: &WhyView, area: Rect, buf: &mut Buffer) {
    let keys = " j k rows · Tab section · Enter open · Esc back ";
    Clear.render(area, buf);
    let title = format!(
        " {} ",
        safe_line(&title(view), usize::from(area.width).saturating_sub(4))
    );
    let block = crate::ui::overlay::panel(app, BorderType::Thick, title, keys);
    let inner = block.inner(area);
    block.render(area, buf);
    let width = usize::from(inner.width);
    let height = usize::from(inner.height);
    let lines = document(app, view, width);
    let items = view.items().len();
    let sel = view.selected.min(items.saturating_sub(1));
    let at = lines.iter().position(|(_, t)| *t == Some(sel)).unwrap_or(0);
    // The selection in sight, with its section's heading when there is room; the last row
    // selected shows the end of the report.
    let first = if items > 0 && sel + 1 == items {
        lines.len().saturating_sub(height)
    } else if at + 2 > height {
        (at + 2 - height).min(lines.len().saturating_sub(height))
    } else {
        0
    };
    let shown: Vec<Line> = lines
        .into_iter()
        .skip(first)
        .take(height)
        .map(|(l, _)| l)
        .collect();
    Paragraph::new(shown).render(inner, buf);
}

/// Draws a row's traces over `area`: one line each, failing ones marked.
pub fn traces(app: &App, list: &WhyTraces, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let failing = list.failing.iter().filter(|f| **f).count();
    let title = format!(
        " why · {} · {} ({failing} failing) ",
        one_line(&list.what, 60),
        plural(list.traces.len(), "trace")
    );
    let keys = " j k select · Enter waterfall · Esc back ";
    Clear.render(area, buf);
    let block = crate::ui::overlay::panel(app, BorderType::Thick, title, keys);
    let inner = block.inner(area);
    block.render(area, buf);
    let width = usize::from(inner.width);
    let height = usize::from(inner.height).max(1);
    let first = (list.selected + 1).saturating_sub(height);
    let rows: Vec<Line> = list
        .traces
        .iter()
        .zip(&list.failing)
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(i, (t, &fails))| {
            let s = crate::model::traces::TraceSummary::of(t);
            // Short as Jaeger UI shows it, without the zeros a 64-bit id is padded with.
            let id: String = s
                .trace_id
                .trim_start_matches('0')
                .chars()
                .take(12)
                .collect();
            let text = format!(
                "{} {}  {:<12}  {:>8}  {} {}  {}",
                if fails { "✗" } else { " " },
                clock(Some(s.start)),
                one_line(&id, 12),
                crate::app::format_duration(s.duration),
                one_line(&s.root_service, 30),
                one_line(&s.root_operation, 40),
                plural(s.spans, "span"),
            );
            let style = if i == list.selected {
                theme.selection
            } else if fails {
                theme.text
            } else {
                theme.dim
            };
            Line::styled(format!("{:<width$}", safe_line(&text, width)), style)
        })
        .collect();
    Paragraph::new(rows).render(inner, buf);
}
