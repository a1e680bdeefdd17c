//! The SLO pane in each alert state, and the walk from a paging SLO to its failed traces, a
//! waterfall, and the trace's events — on the bundled recording, drawn on `TestBackend`.

use capcom::action::{Action, Effect};
use capcom::app::{App, View};
use capcom::cli::OpenArgs;
use capcom::cmd::snapshot::{feed, frame_text};
use capcom::model::slo::Alert;
use capcom::session::Session;

mod screen;

use screen::{bundled, draw, press, replay_at as app_at};

/// Seconds into the replay when the slip and the hot motor are over, and no longer page.
const AFTER_THE_SLIP: f64 = 2_700.0;

fn session(open: &OpenArgs) -> Session {
    Session::prepare_bundled(open).expect("the session opens")
}

fn focus_slo(app: &mut App) {
    screen::focus(app, App::slo_focused);
}

fn alerts(app: &App) -> Vec<Alert> {
    app.config
        .slos
        .iter()
        .map(|s| app.slo_status(s).alert)
        .collect()
}

#[test]
fn the_demo_opens_with_the_slip_paging_and_the_cold_night_on_a_ticket_160x48() {
    let (mut app, _, _) = app_at(&bundled(), 2.0, (160, 48));
    assert_eq!(alerts(&app), [Alert::Page, Alert::Ticket]);
    let frame = frame_text(&app, (160, 48));
    let status = frame.lines().last().expect("status bar");
    assert!(status.contains("SLO PAGE mobility commands"), "{status}");
    focus_slo(&mut app);
    app.update(Action::ToggleZoom);
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn after_the_slip_the_page_stops_and_the_days_budget_tickets_160x48() {
    let (mut app, _, _) = app_at(&bundled(), AFTER_THE_SLIP, (160, 48));
    assert_eq!(alerts(&app), [Alert::Ticket, Alert::Ticket]);
    focus_slo(&mut app);
    app.update(Action::ToggleZoom);
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn the_worst_alert_shows_at_80_columns_whatever_has_focus() {
    let (app, _, _) = app_at(&bundled(), 2.0, (80, 24));
    let frame = frame_text(&app, (80, 24));
    let status = frame.lines().last().expect("status bar");
    assert!(status.contains("SLO PAGE mobility commands"), "{status}");
}

#[test]
fn an_slo_without_data_is_unknown_never_ok_100x12() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("capcom.toml");
    std::fs::write(
        &path,
        r#"[[slo]]
name = "not recorded"
service = "nav"
objective = 0.999
sli = { kind = "sloth", sloth-id = "nav-availability" }

[[layout.column]]
panes = [{ id = "slo" }]

[[pane]]
id = "slo"
title = "SLOs"
kind = "slo"
"#,
    )
    .expect("write");
    let s = session(&OpenArgs {
        config: Some(path),
        replay: Some(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/mars-rover").into()),
        speed: 1.0,
        theme: Some("mono".into()),
        ..OpenArgs::default()
    });
    let (app, _, _) = app_at(&s, 2.0, (100, 12));
    assert_eq!(alerts(&app), [Alert::Unknown]);
    insta::assert_snapshot!(frame_text(&app, (100, 12)));
}

#[test]
fn three_keys_from_a_paging_slo_reach_a_failed_span_and_one_more_its_events() {
    let (mut app, mut replay, now) = app_at(&bundled(), 2.0, (160, 48));
    focus_slo(&mut app);
    // Enter: the paging SLO's service's failed traces over the firing rule's long window.
    let effects = app.update(Action::DrillIn);
    let [Effect::SearchTraces(q)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(q.services, ["mobility"]);
    assert_eq!(q.attributes, [("error".to_owned(), "true".to_owned())]);
    assert!((q.lookback - 3_600.0).abs() < 1e-9, "the 1 h rule fires");
    replay.trace_query = q.clone();
    feed(&mut app, replay.search(now).into_iter().collect());
    assert!(app.traces_focused());
    let listed = app.traces.shown();
    assert!(!listed.is_empty(), "the slipping drive's trace");
    assert!(listed.iter().all(|l| l.summary.errors > 0));
    insta::assert_snapshot!("slo_traces", draw(&app).backend());
    // Enter: its waterfall, the failing span selected. Enter: that span.
    app.update(Action::DrillIn);
    let Some(View::Trace(v)) = app.views.last() else {
        panic!("{:?}", app.views)
    };
    let failing = &v.trace.spans[v.rows[v.selected].span.expect("a span")];
    assert!(failing.error, "{failing:?}");
    let trace_id = v.trace.trace_id.clone();
    app.update(Action::DrillIn);
    let detail = frame_text(&app, (160, 48));
    assert!(detail.contains("wheel slip"), "{detail}");
    // l: the events carrying the trace id.
    app.update(Action::TraceEvents);
    let shown: Vec<String> = app.events.visible().map(|e| e.message.clone()).collect();
    assert!(
        shown.iter().any(|m| m.contains("wheel slip detected")),
        "{shown:?}"
    );
    assert!(
        app.events
            .visible()
            .all(|e| e.trace_id.as_deref() == Some(&*trace_id)),
        "only the trace's events"
    );
    insta::assert_snapshot!("trace_events", draw(&app).backend());
    // Esc walks back: events, span, waterfall, the SLO's traces, the SLO pane.
    app.update(Action::DrillOut);
    assert!(app.events.filter.is_empty(), "the Events filter as it was");
    app.update(Action::DrillOut);
    app.update(Action::DrillOut);
    let back = app.update(Action::DrillOut);
    assert!(matches!(back.as_slice(), [Effect::SearchTraces(q)] if q.attributes.is_empty()));
    assert!(app.views.is_empty() && app.slo_focused());
}

/// `Enter` on the paging SLO (the first), its search answered by the replay at `now`.
fn open_paging_slos_traces(
    app: &mut App,
    replay: &mut capcom::source::recording::Replay,
    now: f64,
) {
    focus_slo(app);
    let effects = press(app, "\n");
    let [Effect::SearchTraces(q)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    replay.trace_query = q.clone();
    feed(app, replay.search(now).into_iter().collect());
}

#[test]
fn a_local_filter_does_not_hide_a_paging_slos_traces_and_esc_or_z_restores_it() {
    let (mut app, mut replay, now) = app_at(&bundled(), 2.0, (160, 48));
    screen::focus(&mut app, App::traces_focused);
    press(&mut app, "/camera\n");
    assert_eq!(app.traces.filter, "camera");
    for leave in ["\x1b", "z"] {
        open_paging_slos_traces(&mut app, &mut replay, now);
        let frame = frame_text(&app, (160, 48));
        assert!(frame.contains("nav: plan.path"), "{frame}");
        assert!(!frame.contains("no trace matches"), "{frame}");
        press(&mut app, leave);
        assert!(app.views.is_empty() && app.slo_focused(), "{leave:?}");
        assert_eq!(app.traces.filter, "camera", "{leave:?} restores the filter");
        assert!(
            app.traces.query.attributes.is_empty(),
            "{leave:?} restores the search"
        );
    }
}

#[test]
fn z_on_a_traces_events_restores_the_events_filter_as_esc_does() {
    let (mut app, mut replay, now) = app_at(&bundled(), 2.0, (160, 48));
    screen::focus(&mut app, App::events_focused);
    press(&mut app, "/slip\n");
    open_paging_slos_traces(&mut app, &mut replay, now);
    press(&mut app, "\nl");
    assert!(matches!(app.views.last(), Some(View::TraceEvents { .. })));
    press(&mut app, "z");
    assert_eq!(app.events.filter, "slip", "z restores the Events filter");
    assert!(matches!(app.views.last(), Some(View::Trace(_))));
}

fn status_line(app: &App) -> String {
    let frame = frame_text(app, app.size);
    frame.lines().last().expect("status bar").to_owned()
}

#[test]
fn scrubbed_back_90m_the_status_bar_still_says_the_live_page_and_then_the_shown_times() {
    let (mut app, _, _) = app_at(&bundled(), 2.0, (160, 48));
    press(&mut app, "+hhhhhhhhhhhh");
    assert!(app.conductor.paused_at.is_some());
    let status = status_line(&app);
    assert!(
        status.starts_with(" REPLAY  SLO PAGE mobility commands "),
        "{status}"
    );
    assert!(
        status.contains("· at 06:30: TICKET downlink latency"),
        "{status}"
    );
    insta::assert_snapshot!(status);
}

#[test]
fn a_blip_keeps_the_page_marked_stale_and_only_a_minute_without_data_makes_it_unknown() {
    use capcom::source::{SourceError, SourceId, SourceUpdate};
    let (mut app, _, now) = app_at(&bundled(), 2.0, (160, 48));
    let fail = |app: &mut App, at: f64| {
        for q in 0..app.queries.len() {
            app.update(Action::Source(SourceUpdate::MetricsFetched {
                query: q,
                fetched_at: at,
                result: Err(SourceError::Connect(SourceId::Prometheus, "refused".into())),
                replace: false,
            }));
        }
    };
    fail(&mut app, now + 5.0);
    app.update(Action::Tick {
        wall: screen::WALL + 7.0,
    });
    let status = status_line(&app);
    assert!(
        status.starts_with(" REPLAY  SLO PAGE mobility commands (stale 5s) "),
        "{status}"
    );
    app.update(Action::Tick {
        wall: screen::WALL + 2.0 + app.slo_hold_secs() + 1.0,
    });
    let later = app.now;
    fail(&mut app, later);
    let status = status_line(&app);
    assert!(status.starts_with(" REPLAY  SLO UNKNOWN "), "{status}");
}

#[test]
fn a_latency_slo_lists_slow_traces_rather_than_failed_ones() {
    let (mut app, _, _) = app_at(&bundled(), 2.0, (160, 48));
    focus_slo(&mut app);
    app.update(Action::SelectNext);
    let effects = app.update(Action::DrillIn);
    let [Effect::SearchTraces(q)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(q.services, ["telecom"]);
    assert!(q.attributes.is_empty());
    assert_eq!(q.min_duration, Some(0.5));
    assert!(
        (q.lookback - 3.0 * 86_400.0).abs() < 1e-9,
        "the 3 d ticket rule fires (the cold night is past the 1 d rule's 2 h short window)"
    );
}

#[test]
fn j_past_the_last_slo_stays_on_it_and_enter_still_opens_its_traces() {
    let (mut app, _, _) = app_at(&bundled(), 2.0, (160, 48));
    focus_slo(&mut app);
    for _ in 0..5 {
        app.update(Action::SelectNext);
    }
    assert_eq!(app.selected[app.focus], app.config.slos.len() - 1);
    let effects = app.update(Action::DrillIn);
    let [Effect::SearchTraces(q)] = effects.as_slice() else {
        panic!("Enter on the last SLO: {effects:?}")
    };
    assert_eq!(q.services, ["telecom"]);
}

fn capcom_slo(args: &[&str]) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_capcom"))
        .arg("slo")
        .args(args)
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env_remove("CAPCOM_CONFIG")
        .output()
        .expect("run capcom slo");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn capcom_slo_on_the_bundled_recording_pages_and_exits_2() {
    let (code, stdout) = capcom_slo(&["--json"]);
    assert_eq!(code, Some(2), "{stdout}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let alerts: Vec<&str> = report
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| s["alert"].as_str().expect("a word"))
        .collect();
    assert_eq!(alerts, ["page", "ticket"]);
    let (code, table) = capcom_slo(&[]);
    assert_eq!(code, Some(2));
    assert!(
        table
            .lines()
            .nth(2)
            .is_some_and(|l| l.starts_with("ticket  downlink latency")),
        "{table}"
    );
}

#[test]
fn capcom_slo_without_slos_is_unknown_and_exits_3() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("capcom.toml");
    std::fs::write(
        &path,
        "[prometheus]\nurl = \"http://127.0.0.1:9\"\n[[layout.column]]\npanes = [{ id = \"e\" }]\n[[pane]]\nid = \"e\"\nkind = \"events\"\n",
    )
    .expect("write");
    let (code, _) = capcom_slo(&["--config", path.to_str().expect("utf-8")]);
    assert_eq!(code, Some(3));
}

/// A Prometheus that began scraping 5 minutes before the replay starts, recorded: one SLO
/// whose every window reads an error ratio of 0.2 (a burn of 20 against 99 %), and whose data
/// age grows from 0 at the recording's start. Its folder, to `--replay`.
fn five_minutes_of_data() -> tempfile::TempDir {
    use capcom::source::recording::{DASHBOARD, MANIFEST, Manifest, PrometheusEntry};
    const START: f64 = 1_795_651_200.0;
    const STEP: f64 = 30.0;
    let dashboard = r#"[prometheus]
url = "http://127.0.0.1:9"

[[slo]]
name = "requests"
service = "api"
objective = 0.99
sli = { kind = "ratio", good = 'requests_total{result="ok"}', total = "requests_total" }
"#;
    // The same one-pane layout as the unrecorded SLO's dashboard above.
    let dashboard = format!(
        "{dashboard}\n[[layout.column]]\npanes = [{{ id = \"slo\" }}]\n\n[[pane]]\nid = \"slo\"\ntitle = \"SLOs\"\nkind = \"slo\"\n"
    );
    let dashboard = dashboard.as_str();
    let config = capcom::config::parse(dashboard, "capcom.toml").expect("config");
    let slo = &config.slos[0];
    let dir = tempfile::tempdir().expect("tmp");
    let end = START + 3_600.0;
    let mut entries = Vec::new();
    for (q, query) in config.queries.iter().enumerate() {
        let values: Vec<String> = (0..=120)
            .map(|k| {
                let t = START + f64::from(k) * STEP;
                let v = if q == slo.data_query { t - START } else { 0.2 };
                format!(r#"[{t},"{v}"]"#)
            })
            .collect();
        let file = format!("q{q}.json");
        std::fs::write(
            dir.path().join(&file),
            format!(
                r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{}},"values":[{}]}}]}}}}"#,
                values.join(",")
            ),
        )
        .expect("body");
        entries.push(PrometheusEntry {
            endpoint: "query_range".into(),
            query: query.promql.clone(),
            start: START,
            end,
            step: STEP,
            file,
        });
    }
    let manifest = Manifest {
        format: 1,
        name: "fresh".into(),
        description: "a Prometheus 5 minutes old".into(),
        started: START,
        ended: end,
        replay_from: 301.0,
        prometheus: entries,
        opensearch: Vec::new(),
        jaeger: Vec::new(),
        alertmanager: Vec::new(),
    };
    std::fs::write(
        dir.path().join(MANIFEST),
        toml::to_string(&manifest).expect("manifest"),
    )
    .expect("manifest");
    std::fs::write(dir.path().join(DASHBOARD), dashboard).expect("dashboard");
    dir
}

#[test]
fn five_minutes_of_data_is_unknown_for_insufficient_data_never_a_page_100x12() {
    let dir = five_minutes_of_data();
    let s = session(&OpenArgs {
        replay: Some(dir.path().to_owned()),
        speed: 1.0,
        theme: Some("mono".into()),
        ..OpenArgs::default()
    });
    let (app, _, _) = app_at(&s, 2.0, (100, 12));
    let slo = &app.config.slos[0];
    let status = app.slo_status(slo);
    assert_eq!((status.alert, status.insufficient), (Alert::Unknown, true));
    let frame = frame_text(&app, (100, 12));
    assert!(frame.contains("SLO UNKNOWN"), "never a page: {frame}");
    insta::assert_snapshot!(frame);

    let (code, table) = capcom_slo(&["--replay", &dir.path().display().to_string()]);
    assert_eq!(code, Some(3), "insufficient data exits 3: {table}");
    insta::assert_snapshot!("capcom_slo_on_five_minutes_of_data", table);
}
