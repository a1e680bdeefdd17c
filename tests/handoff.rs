//! Hand-offs as operators use them: `:` charts an ad-hoc query (a real Prometheus, a bad
//! query's error, a replay that did not record it, `Esc` freeing the slot), `y` copies the
//! selection (OSC 52, refused for text with control characters), `o` shows its link or the
//! key to set, the web UIs' config keys, and the binary in tmux putting a trace id in tmux's
//! buffer.

mod common;
mod screen;

use std::time::Duration;

use capcom::action::{Action, Effect};
use capcom::app::{App, Clock, View};
use capcom::config::{Connection, PrometheusConfig};
use capcom::source::prometheus::poller::Want;
use capcom::source::{SourceError, SourceUpdate};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use screen::{draw, press, text};

/// 02:33:20 UTC on 2026-12-02.
const NOW: f64 = 1_796_178_800.0;

/// The demo's dashboard live, with a Prometheus at `url`, sized `size`.
fn live(url: &str, size: (u16, u16)) -> App {
    let mut config = capcom::config::parse(capcom::DASHBOARD_TOML, "capcom.toml").expect("ok");
    config.prometheus = Some(PrometheusConfig {
        connection: Connection::to_url(url),
        interval: 1.0,
    });
    let theme = capcom::config::theme::Theme::builtin("dark").expect("theme");
    let mut app = App::new(config, theme, Clock::Live, None, NOW);
    app.update(Action::Resize {
        width: size.0,
        height: size.1,
    });
    app
}

fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
    capcom::keymap::key_action(app, key)
        .map(|a| app.update(a))
        .unwrap_or_default()
}

/// The `ChartQuery` among `effects`: `Ok` with its query, `Err` when there is none.
fn chart_query(effects: &[Effect]) -> Result<Option<String>, ()> {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::ChartQuery(q) => Some(q.clone()),
            _ => None,
        })
        .ok_or(())
}

/// The status bar's row of the frame.
fn status(app: &App) -> String {
    text(app).lines().last().unwrap_or_default().to_owned()
}

/// Two series of a query with spaces and braces, 15 minutes to `NOW`, one point a minute.
fn answer(app: &App) -> SourceUpdate {
    let series = ["a", "b"]
        .iter()
        .enumerate()
        .map(|(k, sensor)| {
            let mut labels = capcom::model::Labels::new();
            labels.insert("sensor".into(), (*sensor).into());
            capcom::model::Series {
                labels,
                points: (0..=15)
                    .map(|i| capcom::model::Point {
                        t: NOW - 900.0 + f64::from(i) * 60.0,
                        v: f64::from(i) * (k as f64 + 1.0),
                    })
                    .collect(),
            }
        })
        .collect();
    SourceUpdate::MetricsFetched {
        query: app.chart_slot(),
        fetched_at: NOW,
        result: Ok(capcom::source::prometheus::QueryResult {
            series,
            warnings: vec![],
        }),
        replace: true,
    }
}

#[test]
fn colon_charts_a_query_full_screen_over_the_window_and_esc_frees_the_slot() {
    for size in [(80, 24), (160, 48)] {
        let mut app = live("http://127.0.0.1:9", size);
        press(&mut app, ":");
        assert!(matches!(
            app.prompt(),
            Some((capcom::app::Editing::AdHoc, ""))
        ));
        let effects = press(&mut app, "sum by (sensor) (temp{rover=\"r1\"})\n");
        assert_eq!(
            chart_query(&effects),
            Ok(Some("sum by (sensor) (temp{rover=\"r1\"})".into()))
        );
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::SaveQueryHistory(h) if h.len() == 1)),
            "{effects:?}"
        );
        let slot = app.chart_slot();
        let Want::Range { window, .. } = app.fetch_plan()[slot] else {
            panic!("a range: {:?}", app.fetch_plan()[slot]);
        };
        assert!(
            (window - app.conductor.window * 1.1).abs() < 1.0,
            "the conductor's window: {window}"
        );
        assert!(text(&app).contains("waiting for data"));
        app.update(Action::Source(answer(&app)));
        let frame = text(&app);
        assert!(
            frame.contains("query: sum by (sensor) (temp{rover=\"r1\"})"),
            "{frame}"
        );
        assert!(frame.contains("{sensor=\"a\"}") && frame.contains("{sensor=\"b\"}"));
        assert!(frame.contains("2 series"), "{frame}");
        insta::assert_snapshot!(
            format!("ad_hoc_{}x{}", size.0, size.1),
            draw(&app).backend()
        );
        // The conductor moves it: a wider window is asked for.
        press(&mut app, "+");
        let Want::Range { window: wider, .. } = app.fetch_plan()[slot] else {
            panic!("a range");
        };
        assert!(wider > window, "{wider} > {window}");
        let effects = press(&mut app, "\x1b");
        assert_eq!(chart_query(&effects), Ok(None));
        assert!(app.views.is_empty());
        assert_eq!(app.fetch_plan()[slot], Want::Nothing);
    }
}

#[test]
fn colon_on_an_ad_hoc_chart_edits_its_query_in_place_and_up_recalls_earlier_ones() {
    let mut app = live("http://127.0.0.1:9", (100, 30));
    press(&mut app, ":up\n");
    press(&mut app, ":");
    assert_eq!(app.prompt().map(|p| p.1), Some("up"), "the chart's query");
    ctrl(&mut app, 'u');
    press(&mut app, "rate(x[1m])\n");
    assert_eq!(app.views.len(), 1, "replaced, not stacked: {:?}", app.views);
    press(&mut app, ":");
    ctrl(&mut app, 'u');
    let up = |app: &mut App| {
        let key = KeyEvent::new(KeyCode::Up, KeyModifiers::NONE);
        let action = capcom::keymap::key_action(app, key).expect("bound");
        app.update(action);
        app.prompt().map(|p| p.1.to_owned())
    };
    assert_eq!(up(&mut app).as_deref(), Some("rate(x[1m])"));
    assert_eq!(up(&mut app).as_deref(), Some("up"));
}

#[test]
fn a_replay_says_a_query_it_did_not_record_is_not_in_the_recording() {
    let mut app = screen::app_at(60.0, (100, 30));
    press(&mut app, ":rover_battery_soc_percent * 2\n");
    app.update(Action::Source(SourceUpdate::MetricsFetched {
        query: app.chart_slot(),
        fetched_at: app.now,
        result: Err(SourceError::NotRecorded(
            "rover_battery_soc_percent * 2".into(),
        )),
        replace: true,
    }));
    let frame = text(&app);
    assert!(
        frame.contains("not in the recording: rover_battery_soc_percent * 2"),
        "{frame}"
    );
    assert!(frame.contains("a replay answers only the queries it recorded"));
}

#[test]
fn y_copies_the_selected_trace_id_and_refuses_one_with_control_characters() {
    let mut app = screen::app_at(120.0, (160, 48));
    screen::focus(&mut app, App::traces_focused);
    let id = app
        .traces
        .selected_trace()
        .expect("a trace listed")
        .trace
        .trace_id
        .to_string();
    let effects = press(&mut app, "y");
    assert_eq!(effects, vec![Effect::Clipboard(id.clone())]);
    assert!(status(&app).contains(&format!("copied trace id: {id}")));
    // In the waterfall too; in a span's detail, the span's id.
    press(&mut app, "\n");
    assert!(matches!(app.views.last(), Some(View::Trace(_))));
    assert_eq!(press(&mut app, "y"), vec![Effect::Clipboard(id.clone())]);
    press(&mut app, "\n");
    let effects = press(&mut app, "y");
    assert!(status(&app).contains("copied span id"), "{}", status(&app));
    assert!(matches!(&effects[..], [Effect::Clipboard(s)] if *s != id));

    // A hostile id (a server's answer) never reaches the terminal.
    let mut app = screen::app_at(120.0, (160, 48));
    screen::focus(&mut app, App::traces_focused);
    let listed = app.traces.list.first_mut().expect("listed");
    let mut trace = (*listed.trace).clone();
    trace.trace_id = "ab\x1b]52;c;aGk=\x07".into();
    listed.trace = std::sync::Arc::new(trace);
    app.traces.selected = 0;
    let effects = press(&mut app, "y");
    assert!(effects.is_empty(), "{effects:?}");
    let bar = status(&app);
    assert!(bar.contains("not copied") && bar.contains('␛'), "{bar}");
}

#[test]
fn y_copies_a_charts_query_and_an_events_id() {
    let mut app = screen::app_at(120.0, (160, 48));
    let query = app.config.queries[0].promql.clone();
    let effects = press(&mut app, "y");
    assert!(
        matches!(&effects[..], [Effect::Clipboard(q)] if q.starts_with(&query)),
        "{effects:?}"
    );
    screen::focus(&mut app, App::events_focused);
    let id = app.events.selected_event().expect("an event").id.clone();
    assert_eq!(press(&mut app, "y"), vec![Effect::Clipboard(id)]);
}

#[test]
fn o_in_a_replay_without_web_uis_says_which_key_to_set() {
    let mut app = screen::app_at(120.0, (160, 48));
    screen::focus(&mut app, App::traces_focused);
    let effects = press(&mut app, "o");
    assert!(effects.is_empty());
    let bar = status(&app);
    assert!(
        bar.contains("no link: set [jaeger] ui to a UI holding the recording's traces"),
        "{bar}"
    );
    // Live, a chart's query with no Prometheus to link to names the key and an example.
    let mut app = live("http://127.0.0.1:9", (160, 48));
    app.config.prometheus = None;
    assert!(press(&mut app, "o").is_empty());
    let bar = status(&app);
    assert!(
        bar.contains("no link: set [prometheus] ui = \"http://…:9090\" in the config"),
        "{bar}"
    );
}

#[test]
fn o_links_to_the_configured_web_uis_and_copies_the_link() {
    let mut app = screen::app_at(120.0, (200, 48));
    app.config.links.jaeger = Some("http://127.0.0.1:16686".into());
    app.config.links.prometheus = Some("http://127.0.0.1:9090".into());
    screen::focus(&mut app, App::traces_focused);
    let id = app
        .traces
        .selected_trace()
        .expect("a trace")
        .trace
        .trace_id
        .clone();
    let link = format!("http://127.0.0.1:16686/trace/{id}");
    assert_eq!(press(&mut app, "o"), vec![Effect::Clipboard(link.clone())]);
    assert!(status(&app).contains(&link), "{}", status(&app));
    screen::focus(&mut app, |a| a.focus == a.focus_order()[0]);
    match &press(&mut app, "o")[..] {
        [Effect::Clipboard(l)] => {
            assert!(l.starts_with("http://127.0.0.1:9090/graph?g0.expr="), "{l}");
            assert!(l.contains("&g0.range_input=900s&g0.end_input="), "{l}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn web_ui_keys_are_checked_like_urls_and_prometheus_defaults_to_its_own() {
    let base =
        "[[layout.column]]\npanes = [{ id = \"e\" }]\n[[pane]]\nid = \"e\"\nkind = \"events\"\n";
    let ok = format!(
        "[prometheus]\nurl = \"http://127.0.0.1:9090/\"\n[jaeger]\nurl = \"http://127.0.0.1:16685\"\nui = \"http://127.0.0.1:16686/\"\n[opensearch]\nurl = \"http://127.0.0.1:9200\"\nindex = \"ev\"\ndashboards = \"http://127.0.0.1:5601\"\n{base}"
    );
    let c = capcom::config::parse(&ok, "capcom.toml").expect("ok");
    assert_eq!(c.links.prometheus.as_deref(), Some("http://127.0.0.1:9090"));
    assert_eq!(c.links.jaeger.as_deref(), Some("http://127.0.0.1:16686"));
    assert_eq!(c.links.dashboards.as_deref(), Some("http://127.0.0.1:5601"));
    let bad = format!("[jaeger]\nurl = \"http://127.0.0.1:16685\"\nui = \"ftp://x/\"\n{base}");
    let e = capcom::config::parse(&bad, "capcom.toml")
        .expect_err("refused")
        .to_string();
    assert!(
        e.contains("capcom.toml:3:") && e.contains("not an http"),
        "{e}"
    );
}

/// Presses `keys` and carries out the effects that reach the pollers.
fn run(app: &mut App, outlets: &capcom::event::Outlets, keys: &str) {
    for e in press(app, keys) {
        if matches!(e, Effect::ChartQuery(_) | Effect::PlanChanged(_)) {
            let _ = capcom::event::carry_out(e, outlets);
        }
    }
}

/// Against a real Prometheus (skipped, saying so, where it is not installed): a query is
/// charted from its answer, a bad one shows Prometheus' own error, `Esc` empties the slot.
#[test]
fn an_ad_hoc_query_on_a_real_prometheus_and_a_bad_ones_error() {
    let exporter = common::Exporter::start(
        "# TYPE capcom_test_temperature gauge\ncapcom_test_temperature{sensor=\"a\"} 21.5\n",
    );
    let Some(prom) = common::Prometheus::start(&[&exporter.target]) else {
        eprintln!("skipped: prometheus is not installed");
        return;
    };
    prom.wait_for("capcom_test_temperature");
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("capcom.toml");
    let config = format!(
        "window = \"5m\"\n[prometheus]\nurl = \"{}\"\ninterval = \"1s\"\n\
         [[layout.column]]\npanes = [{{ id = \"c\" }}]\n[[pane]]\nid = \"c\"\nkind = \"chart\"\n\
         [[pane.series]]\nquery = \"capcom_test_temperature\"\n",
        prom.url
    );
    std::fs::write(&path, config).expect("config");
    let session = capcom::session::Session::prepare_bundled(&capcom::cli::OpenArgs {
        config: Some(path),
        theme: Some("mono".into()),
        ..capcom::cli::OpenArgs::default()
    })
    .expect("a live session");
    let (mut app, _) = session.start(capcom::wall_now());
    app.update(Action::Resize {
        width: 100,
        height: 24,
    });
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt")
        .block_on(async {
            let mut sources = capcom::cmd::sources::spawn(&session, &app, None).expect("sources");
            // Typed with a mistake, fixed at the cursor.
            run(&mut app, &sources.outlets, ":capcom_test_temperature * 3");
            ctrl(&mut app, 'w');
            run(&mut app, &sources.outlets, "2\n");
            let slot = app.chart_slot();
            let until = |app: &App| !app.queries[slot].set.is_empty();
            let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
            while !until(&app) {
                let Ok(Some(u)) = tokio::time::timeout_at(deadline, sources.rx.recv()).await else {
                    panic!("no answer for the ad-hoc query");
                };
                app.update(Action::Source(u));
            }
            let (labels, series) = app.queries[slot].set.iter().next().expect("a series");
            assert_eq!(labels["sensor"], "a");
            assert!((series.points().last().expect("a point").v - 43.0).abs() < 1e-9);
            let frame = text(&app);
            assert!(
                frame.contains("query: capcom_test_temperature * 2"),
                "{frame}"
            );
            assert!(frame.contains("sensor=\"a\""), "{frame}");

            run(&mut app, &sources.outlets, ":");
            ctrl(&mut app, 'u');
            run(
                &mut app,
                &sources.outlets,
                "rate(capcom_test_temperature[1m]\n",
            );
            let failed = |app: &App| app.queries[slot].error.is_some();
            let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
            while !failed(&app) {
                let Ok(Some(u)) = tokio::time::timeout_at(deadline, sources.rx.recv()).await else {
                    panic!("no answer for the bad query");
                };
                app.update(Action::Source(u));
            }
            let frame = text(&app);
            assert!(
                frame.contains("bad_data") || frame.contains("parse error"),
                "{frame}"
            );
            assert_eq!(app.source_health().1, 0, "no configured query fails");
            run(&mut app, &sources.outlets, "\x1b");
            assert_eq!(app.fetch_plan()[slot], Want::Nothing);
            assert!(
                sources.outlets.chart_query.borrow().is_none(),
                "the slot is freed"
            );
            sources.cancel.cancel();
        });
}
