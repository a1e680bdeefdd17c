//! The Why view as an operator sees it: `w` asks for the right analysis, a report from
//! `model::why::analyse` on a purpose-built rover-like incident (wheel LM slipping: its drive
//! commands fail, their drive segments drag, a new "wheel slip" log line, the LM motor heats)
//! drawn whole at 80×24 and 160×48, its keys through the keymap, and `Enter` on each kind of
//! row. Hostile text in attributes and log lines is drawn sanitized.

mod screen;

use std::sync::Arc;

use capcom::action::{Action, Effect};
use capcom::app::{App, View, WhySection};
use capcom::config::PaneKind;
use capcom::model::event::{Event, Level};
use capcom::model::series::{Labels, Point};
use capcom::model::span::{AttrValue, Span, Trace};
use capcom::model::why::{Budget, FailRule, Input, NamedSeries, Window, analyse};
use capcom::source::SourceUpdate;
use capcom::source::why::Request;

const WHEELS: [&str; 6] = ["LF", "LM", "LR", "RF", "RM", "RR"];
/// 09:00–10:00 UTC on the snapshots' day.
const WINDOW: Window = Window {
    from: 1_800_003_600.0,
    to: 1_800_007_200.0,
};

fn span(trace: &str, id: &str, parent: Option<&str>, svc: &str, op: &str, start: f64) -> Span {
    let mut s = Span::bare(id, parent, start, 1.0);
    s.trace_id = trace.into();
    s.name = op.into();
    s.service = Some(svc.into());
    s
}

/// A drive command on `wheel`: plan, drive segment (slow and failing when `slip`), image;
/// `extra` adds one more attribute to the root (hostile text in one test).
fn command(i: usize, wheel: &str, slip: bool, extra: Option<(&str, &str)>) -> Arc<Trace> {
    let id = format!("{:032x}", 0xabc0_0000 + i);
    let t0 = WINDOW.from + 15.0 * i as f64;
    let drive = if slip { 9.0 } else { 1.0 };
    let mut root = span(&id, "r", None, "mobility", "drive", t0);
    root.duration = 2.0 + drive;
    root.attributes = vec![
        ("rover.wheel".into(), AttrValue::Str(wheel.into())),
        ("command.seq".into(), AttrValue::Int(i as i64)),
    ];
    if let Some((k, v)) = extra {
        root.attributes.push((k.into(), AttrValue::Str(v.into())));
    }
    let plan = span(&id, "p", Some("r"), "rover-fsw", "plan", t0);
    let mut seg = span(&id, "d", Some("r"), "mobility", "drive.segment", t0 + 0.5);
    seg.duration = drive;
    seg.error = slip;
    let mut image = span(&id, "i", Some("r"), "hazcam", "image", t0 + 0.6 + drive);
    image.resource = vec![("firmware".into(), AttrValue::Str("4.2.1".into()))].into();
    Arc::new(Trace {
        trace_id: id.into(),
        spans: vec![root, plan, seg, image],
        warnings: Vec::new(),
    })
}

fn event(t: f64, message: String) -> Event {
    Event {
        t: Some(t),
        level: Level::Info,
        level_text: "info".into(),
        message,
        service: Some("rover-fsw".into()),
        trace_id: None,
        id: format!("e{t}"),
        index: "rover-events".into(),
        doc: serde_json::Value::Null.into(),
    }
}

fn housekeeping(from: f64) -> Vec<Event> {
    (0..60)
        .map(|i| {
            event(
                from + 60.0 * f64::from(i),
                format!("housekeeping: SoC {} %, bus 28.{:02} V", 90 - i / 4, i),
            )
        })
        .collect()
}

fn slips(hostile: bool) -> Vec<Event> {
    (0..9)
        .map(|i| {
            let tail = if hostile { "\u{1b}\u{7}\u{202e}" } else { "" };
            event(
                WINDOW.from + 300.0 * f64::from(i),
                format!(
                    "wheel slip detected on LM{tail}: stalled after {i}.{} m",
                    i + 1
                ),
            )
        })
        .collect()
}

/// The wheels' motor temperatures (LM jumps from 41 to 63 °C in the window) and wear.
fn series() -> Vec<NamedSeries> {
    let mut out = Vec::new();
    for (k, wheel) in WHEELS.iter().enumerate() {
        let curve = |base: f64, jump: f64| -> Vec<Point> {
            (0..120)
                .map(|j| {
                    let t = WINDOW.before().from + 60.0 * f64::from(j);
                    let hot = *wheel == "LM" && t >= WINDOW.from;
                    let wobble = f64::from((j * 37 + k as u32 * 11) % 7) * 0.2;
                    Point {
                        t,
                        v: base + if hot { jump } else { 0.0 } + wobble,
                    }
                })
                .collect()
        };
        let labels = Labels::from([("wheel".to_owned(), (*wheel).to_owned())]);
        out.push(NamedSeries {
            name: format!("motor {wheel}"),
            labels: labels.clone(),
            points: curve(41.0, 22.0),
        });
        out.push(NamedSeries {
            name: "rover_wheel_wear_percent".into(),
            labels,
            points: curve(18.0, 9.0),
        });
    }
    out
}

fn input(hostile: bool) -> Input {
    let traces = (0..180)
        .map(|i| {
            let slip = i % 5 == 0;
            let wheel = if slip {
                "LM"
            } else {
                WHEELS[[0, 2, 3, 4, 5][i % 5]]
            };
            let extra =
                (hostile && slip).then_some(("rover.note", "\u{1b}]52;c;AAAA\u{7}\u{202e}evil"));
            command(i, wheel, slip, extra)
        })
        .collect();
    let mut events = housekeeping(WINDOW.from);
    events.extend(slips(hostile));
    Input {
        window: WINDOW,
        baseline: WINDOW.before(),
        traces,
        rule: FailRule::Error,
        events,
        baseline_events: housekeeping(WINDOW.before().from),
        series: series(),
        budget: Some(Budget {
            objective: 0.995,
            good: 144.0,
            total: 180.0,
            period: 30.0 * 86_400.0,
        }),
        missing: vec!["jaeger: 2 traces could not be fetched (timeout)".into()],
    }
}

fn request() -> Request {
    let mut r = Request::for_window("mobility commands", WINDOW);
    r.service = Some("mobility".into());
    r.slo = Some("mobility commands".into());
    r
}

/// The bundled replay at `size` with the report of `input` shown.
fn shown(size: (u16, u16), input: &Input) -> App {
    let mut app = screen::app_at(60.0, size);
    app.update(Action::Source(SourceUpdate::WhyAnalysed {
        request: Box::new(request()),
        result: Ok(Box::new(analyse(input))),
    }));
    app
}

/// Presses `keys` through the keymap as `screen::press` does, with `\t` as Tab.
fn press(app: &mut App, keys: &str) -> Vec<Effect> {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut effects = Vec::new();
    for part in keys.split_inclusive('\t') {
        let (text, tab) = match part.strip_suffix('\t') {
            Some(text) => (text, true),
            None => (part, false),
        };
        effects.extend(screen::press(app, text));
        if tab {
            let key = KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE);
            if let Some(action) = capcom::keymap::key_action(app, key) {
                effects.extend(app.update(action));
            }
        }
    }
    effects
}

fn why_view(app: &App) -> &capcom::app::WhyView {
    match app.views.last() {
        Some(View::Why(v)) => v,
        other => panic!("not the Why view: {other:?}"),
    }
}

#[test]
fn the_view_at_80x24() {
    let app = shown((80, 24), &input(false));
    insta::assert_snapshot!(screen::text(&app));
}

#[test]
fn the_view_at_160x48() {
    let app = shown((160, 48), &input(false));
    insta::assert_snapshot!(screen::text(&app));
}

#[test]
fn the_view_at_80x24_scrolled_to_the_movers() {
    let mut app = shown((80, 24), &input(false));
    press(&mut app, "\t\t\t");
    let item = why_view(&app).selected_item().expect("a row");
    assert_eq!(item.section, WhySection::Movers);
    insta::assert_snapshot!(screen::text(&app));
}

#[test]
fn w_on_the_demos_slo_asks_for_that_slo_at_the_conductors_end() {
    let mut app = screen::app_at(60.0, (120, 40));
    screen::focus(&mut app, App::slo_focused);
    let effects = press(&mut app, "w");
    let slo = app.config.slos[0].clone();
    assert_eq!(slo.name, "mobility commands");
    let want = Request::for_slo(&slo, app.conductor.end(app.now));
    assert!(
        effects.contains(&Effect::Why(Box::new(want))),
        "{effects:?}"
    );
    assert_eq!(app.notice.as_deref(), Some("analysing mobility commands…"));
    // On a chart, it is the conductor's window.
    screen::focus(&mut app, |a| {
        matches!(a.config.panes[a.focus].kind, PaneKind::Chart(_))
    });
    let effects = press(&mut app, "w");
    let window = Window {
        from: app.conductor.start(app.now),
        to: app.conductor.end(app.now),
    };
    let want = Request::for_window("the window", window);
    assert!(
        effects.contains(&Effect::Why(Box::new(want))),
        "{effects:?}"
    );
}

#[test]
fn w_on_a_fault_asks_from_its_start_over_its_service() {
    let mut app = screen::app_at(60.0, (120, 40));
    screen::focus(&mut app, App::faults_focused);
    let fault = app.selected_fault().expect("the replay has faults");
    let end = app.conductor.end(app.now);
    let effects = press(&mut app, "w");
    let Some(Effect::Why(request)) = effects.iter().find(|e| matches!(e, Effect::Why(_))) else {
        panic!("no Effect::Why: {effects:?}");
    };
    assert_eq!(request.title, fault.name);
    let want = Window {
        from: fault.since.min(end - 900.0),
        to: end,
    };
    assert_eq!(request.window, want);
    assert!(request.window.len() >= 900.0);
    assert_eq!(request.baseline, request.window.before());
    assert_eq!(request.service, fault.labels.get("service").cloned());
    // The same from its detail.
    press(&mut app, "\n");
    assert!(matches!(app.views.last(), Some(View::FaultDetail { .. })));
    let again = press(&mut app, "w");
    assert!(again.contains(&Effect::Why(request.clone())), "{again:?}");
}

#[test]
fn an_error_says_why_in_the_status_bar_and_opens_nothing() {
    let mut app = screen::app_at(60.0, (80, 24));
    app.update(Action::Source(SourceUpdate::WhyAnalysed {
        request: Box::new(request()),
        result: Err("jaeger: connection refused\u{1b}[31m".into()),
    }));
    assert!(app.views.is_empty());
    let notice = app.notice.clone().expect("a notice");
    assert!(notice.starts_with("why mobility commands: jaeger: connection refused"));
    assert!(!notice.contains('\u{1b}'), "{notice:?}");
}

#[test]
fn keys_move_across_rows_and_sections_and_esc_closes() {
    let mut app = shown((80, 24), &input(false));
    let view = why_view(&app);
    let first = view.selected_item().expect("rows");
    assert_eq!(first.section, WhySection::Shared);
    let shared = view.rows_in(WhySection::Shared);
    press(&mut app, "j");
    assert_eq!(why_view(&app).selected, 1);
    press(&mut app, "k");
    assert_eq!(why_view(&app).selected, 0);
    press(&mut app, "\t");
    let item = why_view(&app).selected_item().expect("a row");
    assert_eq!((item.section, item.index), (WhySection::Bottleneck, 0));
    assert_eq!(why_view(&app).selected, shared);
    press(&mut app, "G");
    let last = why_view(&app).items().len() - 1;
    assert_eq!(why_view(&app).selected, last);
    press(&mut app, "g");
    assert_eq!(why_view(&app).selected, 0);
    press(&mut app, "\x1b");
    assert!(app.views.is_empty());
}

#[test]
fn w_in_the_view_asks_for_the_same_analysis_again() {
    let mut app = shown((80, 24), &input(false));
    let effects = press(&mut app, "w");
    assert!(
        effects.contains(&Effect::Why(Box::new(request()))),
        "{effects:?}"
    );
}

#[test]
fn enter_on_the_shared_wheel_lists_exactly_its_traces_and_enter_opens_one() {
    let input = input(false);
    let mut app = shown((80, 24), &input);
    let row = &why_view(&app).report.shared[0];
    assert_eq!(
        (row.key.as_str(), row.value.as_str()),
        ("rover.wheel", "LM")
    );
    let mut want: Vec<Arc<str>> = input
        .traces
        .iter()
        .filter(|t| {
            t.spans.iter().any(|s| {
                s.attributes
                    .iter()
                    .any(|(k, v)| &**k == "rover.wheel" && *v == AttrValue::Str("LM".into()))
            })
        })
        .map(|t| t.trace_id.clone())
        .collect();
    press(&mut app, "\n");
    let Some(View::WhyTraces(list)) = app.views.last() else {
        panic!("no trace list: {:?}", app.views.last());
    };
    let mut got: Vec<Arc<str>> = list.traces.iter().map(|t| t.trace_id.clone()).collect();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    assert_eq!(want.len(), 36);
    insta::assert_snapshot!("shared_row_traces_80x24", screen::text(&app));
    press(&mut app, "j\n");
    let Some(View::Trace(t)) = app.views.last() else {
        panic!("no waterfall: {:?}", app.views.last());
    };
    assert_eq!(t.trace.trace_id, got_second(&app));
    press(&mut app, "\x1b\x1b");
    assert!(matches!(app.views.last(), Some(View::Why(_))));
}

/// The second trace the list shows.
fn got_second(app: &App) -> Arc<str> {
    app.views
        .iter()
        .find_map(|v| match v {
            View::WhyTraces(l) => Some(l.traces[1].trace_id.clone()),
            _ => None,
        })
        .expect("the list beneath")
}

#[test]
fn enter_on_the_bottleneck_lists_the_traces_through_the_drive_segment() {
    let mut app = shown((80, 24), &input(false));
    press(&mut app, "\t");
    let row = &why_view(&app).report.bottleneck[0];
    assert_eq!(
        (row.service.as_str(), row.operation.as_str()),
        ("mobility", "drive.segment")
    );
    press(&mut app, "\n");
    let Some(View::WhyTraces(list)) = app.views.last() else {
        panic!("no trace list: {:?}", app.views.last());
    };
    // Every command drives a segment: all 180 traces, the 36 failing ones first.
    assert_eq!(list.traces.len(), 180);
    assert!(list.failing[..36].iter().all(|f| *f));
    assert!(list.failing[36..].iter().all(|f| !*f));
}

#[test]
fn enter_on_a_failing_command_lists_its_traces() {
    let mut app = shown((80, 24), &input(false));
    press(&mut app, "G");
    let item = why_view(&app).selected_item().expect("a row");
    assert_eq!(item.section, WhySection::Impact);
    press(&mut app, "\n");
    let Some(View::WhyTraces(list)) = app.views.last() else {
        panic!("no trace list: {:?}", app.views.last());
    };
    assert_eq!(list.what, "command mobility drive");
    assert_eq!(list.traces.len(), 180);
    assert_eq!(list.failing.iter().filter(|f| **f).count(), 36);
    assert!(list.failing[..36].iter().all(|f| *f));
}

#[test]
fn enter_on_the_new_pattern_filters_events_to_its_template() {
    let input = input(false);
    let mut app = shown((80, 24), &input);
    // The Events pane holds the window's events (the slips among the housekeeping).
    app.events.arrive(input.events.clone());
    let before = app.events.visible_len();
    press(&mut app, "\t\t");
    let item = why_view(&app).selected_item().expect("a row");
    assert_eq!(item.section, WhySection::Patterns);
    let row = why_view(&app).report.patterns[0].clone();
    assert!(row.new);
    press(&mut app, "\n");
    assert!(app.views.is_empty(), "the view closes: {:?}", app.views);
    assert!(app.events_focused());
    let shown: Vec<&str> = app.events.visible().map(|e| e.message.as_str()).collect();
    let expected = (app.events.log.iter())
        .filter(|e| row.template.matches(&e.message))
        .count();
    assert!(expected >= 9, "the nine slips at least");
    assert_eq!(shown.len(), expected, "{shown:?}");
    assert!(
        shown
            .iter()
            .all(|m| m.starts_with("wheel slip detected on"))
    );
    assert!(before > shown.len());
    insta::assert_snapshot!("events_filtered_to_the_pattern_80x24", screen::text(&app));
    // `/` then Esc clears it.
    press(&mut app, "/\x1b");
    assert_eq!(app.events.visible_len(), before);
}

#[test]
fn enter_on_a_mover_charts_its_query_or_says_why_not() {
    let mut app = shown((80, 24), &input(false));
    press(&mut app, "\t\t\t");
    let row = why_view(&app).report.movers[0].clone();
    assert_eq!(row.name, "motor LM");
    press(&mut app, "\n");
    let Some(View::AlertChart(chart)) = app.views.last() else {
        panic!("no chart: {:?} {:?}", app.views.last(), app.notice);
    };
    assert_eq!(chart.query.promql, "rover_motor_temperature_celsius");
    press(&mut app, "\x1b");
    assert!(matches!(app.views.last(), Some(View::Why(_))));
    // A series the dashboard does not query: a notice.
    let mut other = input(false);
    for s in &mut other.series {
        s.name = format!("elsewhere {}", s.name);
    }
    let mut app = shown((80, 24), &other);
    press(&mut app, "\t\t\t\n");
    assert!(matches!(app.views.last(), Some(View::Why(_))));
    let notice = app.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("none of the dashboard's queries"),
        "{notice}"
    );
}

#[test]
fn hostile_attributes_and_templates_are_drawn_sanitized() {
    let mut app = shown((160, 48), &input(true));
    let frame = screen::text(&app);
    for bad in ['\u{1b}', '\u{7}', '\u{202e}'] {
        assert!(!frame.contains(bad), "{bad:?} drawn raw:\n{frame}");
    }
    assert!(frame.contains("wheel slip detected on LM␛�:"), "{frame}");
    // The hostile attribute's row, selected and drawn.
    let at = why_view(&app)
        .report
        .shared
        .iter()
        .position(|r| r.key == "rover.note")
        .expect("the hostile attribute is ranked");
    for _ in 0..at {
        press(&mut app, "j");
    }
    let frame = screen::text(&app);
    assert!(frame.contains("rover.note=␛]52;c;AAAA"), "{frame}");
    let terminal = screen::draw(&app);
    for cell in terminal.backend().buffer().content() {
        let s = cell.symbol();
        assert!(
            !s.contains(['\u{1b}', '\u{7}', '\u{202e}']),
            "a raw control in a cell: {s:?}"
        );
    }
}

/// `w` on an SLO's alert fails its traces as the SLO does: a latency SLO's are the slow ones.
#[test]
fn w_on_a_latency_slos_alert_asks_for_its_slow_traces() {
    let mut app = screen::app_at(60.0, (120, 40));
    screen::focus(&mut app, App::faults_focused);
    let latency = |app: &App| {
        app.selected_fault().is_some_and(
            |f| matches!(&f.origin, capcom::app::Origin::Slo(n) if n == "downlink latency"),
        )
    };
    for _ in 0..app.fault_rows().len() {
        if latency(&app) {
            break;
        }
        press(&mut app, "j");
    }
    assert!(latency(&app), "the demo's downlink latency alert is listed");
    let effects = press(&mut app, "w");
    let Some(Effect::Why(request)) = effects.iter().find(|e| matches!(e, Effect::Why(_))) else {
        panic!("no Effect::Why: {effects:?}");
    };
    assert_eq!(request.slo.as_deref(), Some("downlink latency"));
    assert!(
        matches!(request.rule, FailRule::SlowerThan(t) if (t - 0.5).abs() < 1e-9),
        "{:?}",
        request.rule
    );
}
