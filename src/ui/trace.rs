//! The drill-down into a trace, drawn over the dashboard: the waterfall (the span tree on the
//! left, a bar per span on one time axis on the right, the critical path and errors marked by
//! a sign as well as a colour; a running trace's root, not arrived, as a placeholder row), one
//! span's detail, and the trace search form.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Widget};

use crate::app::{App, SEARCH_FIELDS, SearchForm, TraceView};
use crate::model::span::{LinkKind, Span as TraceSpan, SpanKind, Trace};
use crate::model::traces::TraceSummary;
use crate::text::safe_line;
use crate::ui::layout::centered;
use crate::ui::panes::traces::short_duration;

fn frame<'a>(app: &App, title: String, keys: &'a str) -> Block<'a> {
    crate::ui::overlay::panel(app, BorderType::Thick, title, keys)
}

fn clock(t: f64) -> String {
    let millis = (t * 1000.0).round() as i64;
    chrono::DateTime::from_timestamp_millis(millis)
        .map_or_else(|| "?".to_owned(), |d| d.format("%H:%M:%S%.3f").to_string())
}

/// The waterfall of the trace on top of the view stack.
pub fn waterfall(app: &App, view: &TraceView, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let trace = &view.trace;
    let s = TraceSummary::of(trace);
    let running = if s.running { " ⋯ running" } else { "" };
    let title = format!(
        " trace {} · {}{running} ",
        safe_line(&s.trace_id, 32),
        safe_line(&format!("{}: {}", s.root_service, s.root_operation), 60)
    );
    let block = frame(
        app,
        title,
        " j k move · ← → collapse/expand · Enter span · Esc back ",
    );
    Clear.render(area, buf);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height < 3 || inner.width < 20 {
        return;
    }
    let errors = if s.errors > 0 {
        Span::styled(format!("✗ {} failed", s.errors), theme.limit_critical)
    } else {
        Span::styled("no errors", theme.dim)
    };
    let mut head = vec![
        Span::styled(
            format!(
                "{} UTC · {} · {} · {} · ",
                clock(s.start),
                short_duration(s.duration),
                crate::text::plural(s.spans, "span"),
                crate::text::plural(s.services.len(), "service")
            ),
            theme.text,
        ),
        errors,
        Span::styled(" · ◆ critical path", theme.key),
    ];
    let orphans = view.rows.iter().filter(|r| r.orphan).count();
    if s.running {
        head.push(Span::styled(
            format!(" · ⋯ running: the root has not arrived, {orphans} without their parent"),
            theme.status_stale,
        ));
    } else if orphans > 0 {
        head.push(Span::styled(
            format!(" · {orphans} without their parent: incomplete"),
            theme.status_stale,
        ));
    }
    for w in trace.warnings.iter().take(1) {
        head.push(Span::styled(
            format!(" · warning: {}", safe_line(w, 60)),
            theme.status_stale,
        ));
    }
    Line::from(head).render(Rect { height: 1, ..inner }, buf);
    let width = usize::from(inner.width);
    let left = (width * 45 / 100).clamp(20, 70);
    let bar_w = width.saturating_sub(left + 1);
    axis(
        app,
        s.duration,
        Rect::new(inner.x + left as u16 + 1, inner.y + 1, bar_w as u16, 1),
        buf,
    );
    let body = crate::layout::waterfall_body(area);
    let height = usize::from(body.height);
    let start = crate::layout::first_shown(view.selected, height);
    for (i, row) in view.rows.iter().enumerate().skip(start).take(height) {
        let y = body.y + (i - start) as u16;
        let bar_area = Rect::new(body.x + left as u16 + 1, y, bar_w as u16, 1);
        let line = draw_row(app, trace, row, &s, left, bar_area, buf);
        let line = if i == view.selected {
            line.patch_style(theme.selection)
        } else {
            line
        };
        line.render(Rect::new(body.x, y, left as u16, 1), buf);
    }
}

/// Draws one row's bar into `bar_area` and returns its tree cell, `left` columns wide.
fn draw_row(
    app: &App,
    trace: &Trace,
    row: &crate::model::waterfall::Row,
    s: &TraceSummary,
    left: usize,
    bar_area: Rect,
    buf: &mut Buffer,
) -> Line<'static> {
    let theme = &app.theme;
    let axis = (s.start, s.duration);
    let Some(index) = row.span else {
        bar(axis, ("┄", theme.status_stale), axis, bar_area, buf);
        return placeholder_cell(app, s, left);
    };
    let span = &trace.spans[index];
    let look = match (span.error, row.critical) {
        (true, true) => ("█", theme.limit_critical),
        (true, false) => ("━", theme.limit_critical),
        (false, true) => ("█", theme.key),
        (false, false) => ("━", theme.dim),
    };
    bar((span.start, span.duration), look, axis, bar_area, buf);
    tree_cell(app, row, span, left)
}

/// The row of a running trace's root, which has not arrived: the service and operation the
/// Traces list shows for the trace, marked running, over the whole trace so far.
fn placeholder_cell(app: &App, s: &TraceSummary, width: usize) -> Line<'static> {
    let theme = &app.theme;
    let dur = short_duration(s.duration);
    let label = format!("{}: {}", s.root_service, s.root_operation);
    let used = 3 + dur.chars().count() + 1;
    let long = " ⋯ running, root not arrived";
    let mark = if width >= used + label.chars().count() + long.chars().count() {
        long
    } else {
        " ⋯ running"
    };
    let name = safe_line(&label, width.saturating_sub(used + mark.chars().count()));
    let pad = width.saturating_sub(used + Span::raw(name.as_str()).width() + mark.chars().count());
    Line::from(vec![
        Span::raw(" "),
        Span::styled("▾ ", theme.dim),
        Span::styled(name, theme.text),
        Span::styled(mark, theme.status_stale),
        Span::raw(" ".repeat(pad + 1)),
        Span::styled(dur, theme.dim),
    ])
}

/// Tick labels at 0, ¼, ½, ¾ and the whole duration.
fn axis(app: &App, total: f64, area: Rect, buf: &mut Buffer) {
    let w = usize::from(area.width);
    if w < 10 {
        return;
    }
    let mut line = vec![' '; w];
    for k in 0..=4 {
        let label = if k == 0 {
            "0".to_owned()
        } else {
            short_duration(total * f64::from(k) / 4.0)
        };
        let at = (w - 1) * k as usize / 4;
        let from = if k == 4 {
            w.saturating_sub(label.chars().count())
        } else {
            at
        };
        // Labels that would overlap the previous are skipped.
        if line[from..]
            .iter()
            .take(label.chars().count() + 1)
            .all(|c| *c == ' ')
            || k == 0
        {
            for (j, c) in label.chars().enumerate() {
                if let Some(cell) = line.get_mut(from + j) {
                    *cell = c;
                }
            }
        }
    }
    Line::styled(line.into_iter().collect::<String>(), app.theme.dim).render(area, buf);
}

fn tree_cell(
    app: &App,
    row: &crate::model::waterfall::Row,
    span: &TraceSpan,
    width: usize,
) -> Line<'static> {
    let theme = &app.theme;
    let dur = short_duration(span.duration);
    // Deep trees compress their indent so names stay readable.
    let max_indent = width.saturating_sub(24) / 2;
    let indent = " ".repeat(row.depth.min(max_indent) * 2);
    let toggle = match (row.has_children, row.collapsed) {
        (true, true) => "▸ ",
        (true, false) => "▾ ",
        _ => "  ",
    };
    let mark = if row.critical {
        Span::styled("◆", theme.key)
    } else {
        Span::raw(" ")
    };
    let err = if span.error {
        Span::styled("✗ ", theme.limit_critical)
    } else {
        Span::raw("")
    };
    // Under a running trace's placeholder, a missing parent is the root the header explains.
    let orphan = if row.orphan && row.depth == 0 {
        " (parent missing)"
    } else {
        ""
    };
    let service = span.service.as_deref().unwrap_or("?");
    let used = 1 + indent.len() + 2 + usize::from(span.error) * 2 + dur.chars().count() + 1;
    let name = safe_line(
        &format!("{service}: {}{orphan}", span.name),
        width.saturating_sub(used),
    );
    let pad = width.saturating_sub(used + Span::raw(name.as_str()).width());
    let name_style = if span.error {
        theme.limit_critical
    } else {
        theme.text
    };
    Line::from(vec![
        mark,
        Span::raw(indent),
        Span::styled(toggle, theme.dim),
        err,
        Span::styled(name, name_style),
        Span::raw(" ".repeat(pad + 1)),
        Span::styled(dur, theme.dim),
    ])
}

/// A bar from `start` for `duration` on the trace's time axis, in `glyph` and `style` (a span:
/// `█` on the critical path, `━` off it, red when it failed; the placeholder root: `┄`); at
/// least one cell, so the shortest span still shows where it happened.
fn bar(
    (start, duration): (f64, f64),
    (glyph, style): (&str, Style),
    (t0, total): (f64, f64),
    area: Rect,
    buf: &mut Buffer,
) {
    let w = f64::from(area.width);
    if area.width == 0 {
        return;
    }
    let scale = if total > 0.0 { w / total } else { 0.0 };
    let x0 = ((start - t0) * scale).floor().clamp(0.0, w - 1.0);
    let x1 = ((start + duration - t0) * scale).ceil().clamp(x0 + 1.0, w);
    for x in x0 as u16..x1 as u16 {
        buf[(area.x + x, area.y)].set_symbol(glyph).set_style(style);
    }
}

fn kind_word(k: SpanKind) -> &'static str {
    match k {
        SpanKind::Unspecified => "unspecified",
        SpanKind::Internal => "internal",
        SpanKind::Server => "server",
        SpanKind::Client => "client",
        SpanKind::Producer => "producer",
        SpanKind::Consumer => "consumer",
    }
}

fn status_text(span: &TraceSpan) -> String {
    match (span.error, span.status_message.is_empty()) {
        (false, _) => "ok".to_owned(),
        (true, true) => "ERROR".to_owned(),
        (true, false) => format!("ERROR: {}", span.status_message),
    }
}

fn parent_text(trace: &Trace, span: &TraceSpan) -> String {
    match &span.parent_id {
        None => "none (a root)".to_owned(),
        Some(p) if trace.spans.iter().any(|s| &s.span_id == p) => p.clone(),
        Some(p) => format!("{p} (missing from the trace)"),
    }
}

/// One `key  value` line of a span's detail, `width` columns at most.
fn field_line(app: &App, width: usize, k: &str, v: &str, style: Style) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!(" {k:<10} "), app.theme.dim),
        Span::styled(safe_line(v, width.saturating_sub(13)), style),
    ])
}

/// What the detail of a running trace's root says: it has not arrived, which id the spans
/// below name as their parent, and the trace so far.
fn placeholder_lines(app: &App, trace: &Trace, width: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let s = TraceSummary::of(trace);
    let named = crate::model::waterfall::tree(trace)
        .placeholder
        .and_then(|p| p.span_id);
    let field = |k: &str, v: String, style: Style| field_line(app, width, k, &v, style);
    vec![
        Line::styled(
            safe_line(
                " ⋯ running: the root span has not arrived (it is sent when the command ends)",
                width,
            ),
            theme.status_stale,
        ),
        Line::raw(""),
        field(
            "shown as",
            format!(
                "{}: {} (the earliest span's, as the list shows it)",
                s.root_service, s.root_operation
            ),
            theme.title,
        ),
        field(
            "span id",
            named.map_or_else(
                || "? (the arrived spans name different parents)".to_owned(),
                |id| format!("{id} (the parent the arrived spans name)"),
            ),
            theme.dim,
        ),
        field("start", format!("{} UTC", clock(s.start)), theme.text),
        field(
            "so far",
            format!(
                "{} · {}",
                short_duration(s.duration),
                crate::text::plural(s.spans, "span")
            ),
            theme.text,
        ),
    ]
}

/// The lines of one span's detail; `None` is a running trace's placeholder root.
#[must_use]
pub fn span_lines(
    app: &App,
    trace: &Trace,
    index: Option<usize>,
    width: usize,
) -> Vec<Line<'static>> {
    match index {
        Some(index) => arrived_span_lines(app, trace, index, width),
        None => placeholder_lines(app, trace, width),
    }
}

/// The lines of the detail of span `index`.
fn arrived_span_lines(app: &App, trace: &Trace, index: usize, width: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let Some(span) = trace.spans.get(index) else {
        return Vec::new();
    };
    let t0 = trace
        .spans
        .iter()
        .map(|s| s.start)
        .fold(f64::INFINITY, f64::min);
    let field = |k: &str, v: String, style: Style| field_line(app, width, k, &v, style);
    let (status, parent) = (status_text(span), parent_text(trace, span));
    let mut lines = vec![
        field("operation", span.name.clone(), theme.title),
        field(
            "service",
            span.service
                .as_deref()
                .unwrap_or("? (no service.name)")
                .to_owned(),
            theme.text,
        ),
        field("kind", kind_word(span.kind).to_owned(), theme.text),
        field(
            "status",
            status,
            if span.error {
                theme.limit_critical
            } else {
                theme.status_ok
            },
        ),
        field(
            "start",
            format!(
                "{} UTC (+{} into the trace)",
                clock(span.start),
                short_duration(span.start - t0)
            ),
            theme.text,
        ),
        field("duration", short_duration(span.duration), theme.text),
        field("span id", span.span_id.clone(), theme.dim),
        field("parent", parent, theme.dim),
    ];
    for l in &span.links {
        let kind = match l.kind {
            LinkKind::ChildOf => "child of",
            LinkKind::FollowsFrom => "follows from",
            LinkKind::Link => "link",
        };
        lines.push(field(
            "link",
            format!("{kind} {}/{}", l.trace_id, l.span_id),
            theme.dim,
        ));
    }
    let section = |title: &str, n: usize| {
        vec![
            Line::raw(""),
            Line::styled(format!(" {title} ({n})"), theme.title),
        ]
    };
    let attr = |indent: usize, k: &str, v: String| {
        Line::from(vec![
            Span::styled(
                format!("{}{} = ", " ".repeat(indent), safe_line(k, 48)),
                theme.dim,
            ),
            Span::styled(
                safe_line(&v, width.saturating_sub(indent + k.chars().count() + 4)),
                theme.text,
            ),
        ])
    };
    lines.extend(section("attributes", span.attributes.len()));
    lines.extend(
        span.attributes
            .iter()
            .map(|(k, v)| attr(3, k, v.to_string())),
    );
    lines.extend(section("events", span.events.len()));
    for e in &span.events {
        lines.push(Line::from(vec![
            Span::styled(
                format!("   +{:<8} ", short_duration(e.t - span.start)),
                theme.dim,
            ),
            Span::styled(safe_line(&e.name, width.saturating_sub(16)), theme.text),
        ]));
        lines.extend(e.attributes.iter().map(|(k, v)| attr(6, k, v.to_string())));
    }
    lines.extend(section("resource", span.resource.len()));
    lines.extend(span.resource.iter().map(|(k, v)| attr(3, k, v.to_string())));
    lines
}

/// One span's detail (`None`: a running trace's placeholder root), scrolled `scroll` lines
/// down.
pub fn span_detail(
    app: &App,
    trace: &Trace,
    index: Option<usize>,
    scroll: usize,
    area: Rect,
    buf: &mut Buffer,
) {
    let lines: Vec<Line> = span_lines(app, trace, index, usize::from(area.width.saturating_sub(2)))
        .into_iter()
        .skip(scroll)
        .collect();
    let title = match index {
        None => " root not arrived · ⋯ running ".to_owned(),
        Some(i) => trace.spans.get(i).map_or_else(String::new, |s| {
            format!(
                " span {} · {} ",
                safe_line(&s.span_id, 16),
                safe_line(&s.name, 50)
            )
        }),
    };
    Clear.render(area, buf);
    Paragraph::new(lines)
        .style(app.theme.overlay)
        .block(frame(
            app,
            title,
            " j k scroll · Esc back to the waterfall ",
        ))
        .render(area, buf);
}

/// The trace search form, centred.
pub fn search_form(app: &App, form: &SearchForm, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let hints = [
        "all services (names, space-separated)",
        "any operation",
        "key=value …, e.g. error=true",
        "e.g. 100ms",
        "e.g. 10s",
        "e.g. 1h",
        "1 to 1000",
    ];
    let width: u16 = 72;
    let value_w = usize::from(width).saturating_sub(20);
    let mut lines = Vec::with_capacity(SEARCH_FIELDS.len() + 4);
    for (i, name) in SEARCH_FIELDS.iter().enumerate() {
        let active = i == form.at;
        let text = form.fields.get(i);
        let value = if active {
            crate::ui::status::edited_spans(text, form.cursor, value_w, theme.text)
        } else if text.is_empty() {
            vec![Span::styled(hints[i], theme.dim)]
        } else {
            vec![Span::styled(safe_line(text, value_w), theme.text)]
        };
        let mut line = vec![Span::styled(
            format!(" {}{name:>13}  ", if active { "›" } else { " " }),
            if active { theme.key } else { theme.dim },
        )];
        line.extend(value);
        lines.push(Line::from(line));
    }
    lines.push(Line::raw(""));
    lines.push(match &form.error {
        Some(e) => Line::styled(
            format!(" {}", safe_line(e, value_w + 16)),
            theme.status_stale,
        ),
        None => Line::styled(
            " Jaeger searches one service at a time; durations are the whole trace's",
            theme.dim,
        ),
    });
    let rect = centered(area, width, lines.len() as u16 + 2);
    Clear.render(rect, buf);
    Paragraph::new(lines)
        .style(theme.overlay)
        .block(crate::ui::overlay::panel(
            app,
            BorderType::Rounded,
            " search traces ".into(),
            " Tab ↑↓ field · Enter search · Esc cancel ",
        ))
        .render(rect, buf);
}
