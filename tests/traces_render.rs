//! Whole-frame snapshots of the traces drill-down: the Traces pane, a waterfall with a deep
//! tree, an error and an orphan, a span's detail and the search form — on a hand-made trace
//! with known shape — and the walk from the bundled recording's failed command to its span.

use std::sync::Arc;

use capcom::action::Action;
use capcom::app::{App, View};
use capcom::model::span::{AttrValue, Span, SpanEvent, SpanKind, Trace};
use capcom::model::traces::Listed;
use capcom::source::SourceUpdate;

mod screen;

use screen::{app_at, draw, text};

fn focus_traces(app: &mut App) {
    screen::focus(app, App::traces_focused);
}

fn span(id: &str, parent: Option<&str>, service: &str, start: f64, duration: f64) -> Span {
    Span {
        trace_id: "4bf92f3577b34da6a3ce929d0e0e4736".into(),
        name: format!("step.{id}"),
        service: Some(service.into()),
        resource: vec![("service.name".into(), AttrValue::Str(service.into()))].into(),
        ..Span::bare(id, parent, start, duration)
    }
}

/// A command whose chain runs twelve deep, with a failing span at the bottom, a slow sibling,
/// an orphan and a span starting before its parent (clock skew). Listed children-first.
fn deep_trace(t0: f64) -> Trace {
    let mut spans = Vec::new();
    for d in (1..12).rev() {
        let parent = format!("d{}", d - 1);
        spans.push(span(
            &format!("d{d}"),
            Some(&parent),
            if d % 2 == 0 { "rover-fsw" } else { "mobility" },
            t0 + 0.1 * f64::from(d),
            2.0 - 0.15 * f64::from(d),
        ));
    }
    let mut root = span("d0", None, "ground-station", t0, 2.5);
    root.name = "uplink DRIVE_SEQ_007".into();
    root.kind = SpanKind::Client;
    spans.push(root);
    let last = spans.first_mut().expect("spans");
    last.error = true;
    last.status_message = "wheel slip: LM progress stalled".into();
    last.attributes = vec![
        ("rover.segment".into(), AttrValue::Int(7)),
        ("rover.wheel".into(), AttrValue::Str("LM".into())),
        ("rover.slip_ratio".into(), AttrValue::Double(0.62)),
        ("rover.autonav".into(), AttrValue::Bool(true)),
    ];
    last.events = vec![SpanEvent {
        t: t0 + 1.5,
        name: "slip detected".into(),
        attributes: vec![("wheel".into(), AttrValue::Str("LM".into()))],
    }];
    spans.push(span("slow", Some("d0"), "telecom", t0 + 0.05, 2.3));
    spans.push(span("skew", Some("d1"), "nav", t0 - 0.05, 0.2));
    spans.push(span("lost", Some("gone"), "camera", t0 + 1.0, 0.4));
    Trace {
        trace_id: "4bf92f3577b34da6a3ce929d0e0e4736".into(),
        spans,
        warnings: vec![],
    }
}

/// The bundled replay with the Traces pane holding the deep trace and two plain ones.
fn with_deep_trace(size: (u16, u16)) -> App {
    let mut app = app_at(2.0, size);
    let now = app.now;
    let plain = |id: &str, ago: f64, d: f64| {
        let mut s = span("p", None, "ground-station", now - ago, d);
        s.trace_id = id.into();
        s.name = "downlink.receive".into();
        Listed::new(Trace {
            trace_id: id.into(),
            spans: vec![s],
            warnings: vec![],
        })
    };
    let list = vec![
        plain("0af7651916cd43dd8448eb211c80319c", 20.0, 0.31),
        Listed::new(deep_trace(now - 60.0)),
        plain("b7ad6b7169203331b7ad6b7169203331", 300.0, 0.0125),
    ];
    app.update(Action::Source(SourceUpdate::TracesFetched {
        fetched_at: now,
        result: Ok(list),
    }));
    focus_traces(&mut app);
    app
}

#[test]
fn traces_pane_zoomed_160x48() {
    let mut app = with_deep_trace((160, 48));
    app.update(Action::ToggleZoom);
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn waterfall_of_a_deep_tree_with_an_error_160x48() {
    let mut app = with_deep_trace((160, 48));
    app.update(Action::SelectNext);
    app.update(Action::DrillIn);
    let shown = text(&app);
    assert!(shown.contains("✗ mobility: step.d11"), "{shown}");
    assert!(shown.contains("(parent missing)"), "{shown}");
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn a_one_span_trace_says_1_span_and_1_service() {
    let mut app = with_deep_trace((160, 48));
    app.update(Action::DrillIn);
    let shown = text(&app);
    assert!(shown.contains("· 1 span · 1 service ·"), "{shown}");
    assert!(
        !shown.contains("1 spans") && !shown.contains("1 services"),
        "{shown}"
    );
}

#[test]
fn waterfall_at_80x24_keeps_names_readable() {
    let mut app = with_deep_trace((80, 24));
    app.update(Action::SelectNext);
    app.update(Action::DrillIn);
    insta::assert_snapshot!(text(&app));
}

#[test]
fn span_detail_shows_attributes_events_and_resource_160x48() {
    let mut app = with_deep_trace((160, 48));
    app.update(Action::SelectNext);
    app.update(Action::DrillIn);
    app.update(Action::DrillIn);
    let shown = text(&app);
    for want in [
        "ERROR: wheel slip: LM progress stalled",
        "rover.slip_ratio = 0.62",
        "slip detected",
        "service.name = mobility",
    ] {
        assert!(shown.contains(want), "{want:?} not in\n{shown}");
    }
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn search_form_with_a_mistake_160x48() {
    let mut app = with_deep_trace((160, 48));
    app.update(Action::EditQuery);
    for c in "ground-station".chars() {
        app.update(Action::TextInput(c));
    }
    app.update(Action::FocusNext);
    app.update(Action::FocusNext);
    for c in "error".chars() {
        app.update(Action::TextInput(c));
    }
    app.update(Action::TextCommit);
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn collapsing_hides_a_subtree_and_keeps_the_span_selected() {
    let mut app = with_deep_trace((160, 48));
    app.update(Action::SelectNext);
    app.update(Action::DrillIn);
    for _ in 0..20 {
        app.update(Action::SelectPrev);
    }
    app.update(Action::SelectNext); // d1, under the root
    app.update(Action::SelectNext);
    app.update(Action::Collapse);
    let Some(View::Trace(v)) = app.views.last() else {
        panic!("{:?}", app.views)
    };
    let trace = Arc::clone(&v.trace);
    let selected = &trace.spans[v.rows[v.selected].span.expect("a span")];
    assert_eq!(selected.span_id, "d1");
    assert!(v.rows[v.selected].collapsed);
    assert!(
        v.rows.len() < trace.spans.len() - 5,
        "{} rows",
        v.rows.len()
    );
    assert!(text(&app).contains("▸ mobility: step.d1"));
}

#[test]
fn on_the_bundled_recording_a_failed_command_opens_at_its_failing_span_160x48() {
    let mut app = app_at(2.0, (160, 48));
    focus_traces(&mut app);
    let failed = app
        .traces
        .shown()
        .iter()
        .position(|l| l.summary.errors > 0)
        .expect("a failed command is listed when the demo opens");
    for _ in 0..failed {
        app.update(Action::SelectNext);
    }
    app.update(Action::DrillIn);
    let Some(View::Trace(v)) = app.views.last() else {
        panic!("{:?}", app.views)
    };
    let span = &v.trace.spans[v.rows[v.selected].span.expect("a span")];
    assert!(span.error, "the failing span is selected: {span:?}");
    assert!(v.rows.iter().any(|r| r.critical), "a critical path");
    insta::assert_snapshot!("bundled_waterfall", draw(&app).backend());
    let event = span
        .events
        .first()
        .map(|e| e.name.clone())
        .expect("the failure's event");
    app.update(Action::DrillIn);
    let shown = text(&app);
    assert!(shown.contains(&event), "{event:?} not in\n{shown}");
    assert!(shown.contains("ERROR: "), "{shown}");
    insta::assert_snapshot!("bundled_span", draw(&app).backend());
    app.update(Action::DrillOut);
    app.update(Action::DrillOut);
    assert!(app.views.is_empty());
}

#[test]
fn the_demos_running_drive_reads_as_running_and_its_open_waterfall_takes_new_spans() {
    let (mut app, mut replay, now) = screen::replay_at(&screen::bundled(), 2.0, (160, 48));
    focus_traces(&mut app);
    let at = app
        .traces
        .shown()
        .iter()
        .position(|l| l.summary.running)
        .expect("the drive still running when the demo opens");
    for _ in 0..at {
        app.update(Action::SelectNext);
    }
    let shown = text(&app);
    assert!(shown.contains("nav: plan.path ⋯ running"), "{shown}");
    let listed = app.traces.shown()[at].summary.clone();
    app.update(Action::DrillIn);
    let Some(View::Trace(v)) = app.views.last() else {
        panic!("{:?}", app.views)
    };
    let (id, before) = (v.trace.trace_id.clone(), v.trace.spans.len());
    let shown = text(&app);
    assert!(shown.contains("⋯ running: the root has not arrived"));
    let agree = format!(
        "{} · {} spans ·",
        capcom::ui::panes::traces::short_duration(listed.duration),
        listed.spans
    );
    assert!(shown.contains(&agree), "{agree:?} not in\n{shown}");
    assert!(
        shown.contains("▾ nav: plan.path ⋯ running, root not arrived"),
        "one placeholder root row, named as the list names the trace:\n{shown}"
    );
    assert_eq!(shown.matches("(parent missing)").count(), 0, "{shown}");
    for _ in 0..10 {
        app.update(Action::SelectPrev);
    }
    app.update(Action::DrillIn);
    assert!(
        matches!(app.views.last(), Some(View::Span { span: None, .. })),
        "{:?}",
        app.views.last()
    );
    let shown = text(&app);
    assert!(
        shown.contains("⋯ running: the root span has not arrived"),
        "{shown}"
    );
    insta::assert_snapshot!("bundled_placeholder_detail", text(&app));
    app.update(Action::DrillOut);
    let later = (1..=60)
        .map(|i| now + 10.0 * f64::from(i))
        .find(|&t| {
            capcom::cmd::snapshot::feed(&mut app, replay.poll(t));
            app.traces
                .find(&id)
                .is_some_and(|l| l.trace.spans.len() > before)
        })
        .expect("a span of the drive arrives within 10 minutes");
    let Some(View::Trace(v)) = app.views.last() else {
        panic!("{:?}", app.views)
    };
    let listed = app.traces.find(&id).expect("listed");
    assert_eq!(
        v.trace.spans.len(),
        listed.summary.spans,
        "at {later}: the open waterfall agrees with the list"
    );
}

/// The rover's camera commands, as recorded: `image.compress` (about 1.5 s) ends just before the
/// 16 ms `downlink.queue` that ends last. Jaeger UI's walk puts both on the critical path; the
/// old "last-ending child" chain marked only the queue.
#[test]
fn the_long_compress_before_the_downlink_is_on_the_critical_path() {
    use capcom::model::waterfall::layout;
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/mars-rover/jaeger/traces.json"
    ))
    .expect("bundled traces");
    let traces = capcom::source::jaeger::parse_v3(&body).expect("parse");
    let captures: Vec<&Trace> = traces
        .iter()
        .filter(|t| {
            t.spans
                .iter()
                .any(|s| s.name == "navcam.capture" && s.parent_id.is_none())
        })
        // A capture that timed out (the camera firmware incident) never compresses its image.
        .filter(|t| !t.spans.iter().any(|s| s.error))
        .collect();
    assert!(captures.len() > 10, "{} camera commands", captures.len());
    for t in captures {
        let rows = layout(t, &std::collections::HashSet::new());
        let critical: Vec<&str> = rows
            .iter()
            .filter(|r| r.critical)
            .filter_map(|r| r.span.map(|i| t.spans[i].name.as_str()))
            .collect();
        for name in ["navcam.capture", "image.compress", "downlink.queue"] {
            assert!(
                critical.contains(&name),
                "{name} in {}: {critical:?}",
                t.trace_id
            );
        }
    }
}
