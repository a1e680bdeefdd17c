//! The Faults pane as operators see and work it: whole frames on `TestBackend` fed real
//! Alertmanager 0.25 answers (`tests/fixtures/alertmanager/`, through the parsers), and
//! keys pressed through the keymap down to the exact silence write each one asks for —
//! live, read-only, without an `[alertmanager]`, and in the bundled replay.

#![allow(
    clippy::float_cmp,
    reason = "silence lengths are whole seconds, compared exactly"
)]

use capcom::action::{Action, Effect};
use capcom::app::{App, Clock, View};
use capcom::config::{AlertmanagerConfig, Connection};
use capcom::model::fault::{FaultSnapshot, Matcher, NewSilence, SilenceWrite};
use capcom::source::alertmanager::{parse_alerts, parse_silences};
use capcom::source::{SourceError, SourceId, SourceUpdate};

mod screen;

use screen::{draw, press, text};

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/alertmanager/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("sample")
}

/// 02:33:20 UTC on the day the samples were taken, a few seconds after they were.
const NOW: f64 = 1_796_178_800.0;

fn alertmanager() -> AlertmanagerConfig {
    AlertmanagerConfig {
        connection: Connection::to_url("http://127.0.0.1:9093"),
        interval: 5.0,
        operator: "flight".into(),
        severity: Vec::new(),
    }
}

/// What Alertmanager answered: `MotorHot` (critical, under a silence someone made outside
/// capcom) and `BatteryLow` (warning), both firing.
fn answer() -> SourceUpdate {
    SourceUpdate::FaultsFetched {
        fetched_at: NOW,
        result: Ok(FaultSnapshot {
            alerts: parse_alerts(&sample("alerts_firing.json")).expect("alerts"),
            silences: parse_silences(&sample("silences.json")).expect("silences"),
        }),
    }
}

/// A live session on the demo's dashboard with an `[alertmanager]` (operator `flight`),
/// sized `w`×`h`, after Alertmanager's answer, the Faults pane focused.
fn live(size: (u16, u16), configure: impl FnOnce(&mut capcom::config::Config)) -> App {
    let mut config = capcom::config::parse(capcom::DASHBOARD_TOML, "capcom.toml").expect("ok");
    config.alertmanager = Some(alertmanager());
    configure(&mut config);
    let theme = capcom::config::theme::Theme::builtin("dark").expect("theme");
    let mut app = App::new(config, theme, Clock::Live, None, NOW);
    app.update(Action::Resize {
        width: size.0,
        height: size.1,
    });
    app.update(Action::Source(answer()));
    screen::focus(&mut app, App::faults_focused);
    app
}

/// The silence write in `effects`, which must hold only it and the notebook's entry of it.
fn the_write(effects: &[Effect]) -> SilenceWrite {
    match effects {
        [Effect::WriteSilence(w), Effect::WriteNote { .. }] => w.clone(),
        other => panic!("one silence write and its notebook entry, not {other:?}"),
    }
}

/// The status bar, or the notice or prompt in its place.
fn status(app: &App) -> String {
    text(app).lines().last().expect("a status bar").to_owned()
}

/// Alertmanager answers a write: the id it gave a new silence.
fn written(app: &mut App, write: SilenceWrite, id: &str) {
    app.update(Action::Source(SourceUpdate::SilenceWritten {
        write,
        result: Ok(id.into()),
    }));
}

#[test]
fn firing_faults_most_severe_first_with_who_silenced_them_160x48() {
    let app = live((160, 48), |_| {});
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn firing_faults_80x24() {
    let app = live((80, 24), |_| {});
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn the_severity_is_a_word_in_the_ladders_colour() {
    let app = live((160, 48), |_| {});
    let term = draw(&app);
    let buf = term.backend().buffer();
    let (x, y) = (0..48)
        .flat_map(|y| (0..150).map(move |x| (x, y)))
        .find(|&(x, y)| (0..4).map(|i| buf[(x + i, y)].symbol()).collect::<String>() == "CRIT")
        .expect("MotorHot is shown as CRIT");
    assert_eq!(buf[(x, y)].fg, app.theme.limit_critical.fg.expect("colour"));
}

/// The closing note's path: `BatteryLow` firing → `s`, 10 min, a comment → shelved by
/// `flight` for 10 minutes, out of the default list, listed under `f` shelved.
#[test]
fn battery_low_firing_to_shelved_for_ten_minutes_with_a_comment() {
    let mut app = live((160, 48), |_| {});
    app.update(Action::ToggleZoom);
    assert!(status(&app).contains("FAULTS 1 "), "{}", status(&app));
    press(&mut app, "j");
    assert_eq!(app.selected_fault().expect("a fault").name, "BatteryLow");
    press(&mut app, "s");
    assert!(matches!(app.views.last(), Some(View::ShelveChoice { .. })));
    let chooser = draw(&app);
    press(&mut app, "j\n");
    let prompt = draw(&app);
    assert!(press(&mut app, "swapping to the spare battery").is_empty());
    let typed = draw(&app);
    let write = the_write(&press(&mut app, "\n"));
    assert_eq!(
        write,
        SilenceWrite::Create(NewSilence {
            matchers: parse_alerts(&sample("alerts_firing.json")).expect("alerts")[1]
                .labels
                .iter()
                .map(|(k, v)| Matcher::equal(k, v))
                .collect(),
            starts_at: NOW,
            ends_at: NOW + 600.0,
            created_by: "flight".into(),
            comment: "shelve: swapping to the spare battery".into(),
        })
    );
    written(&mut app, write, "5d2f5f0e-shelf");
    assert_eq!(status(&app), " shelved BatteryLow for 10 min");
    let shelved = draw(&app);
    press(&mut app, "fff");
    let under_f = draw(&app);
    insta::assert_snapshot!("path_1_chooser", chooser.backend());
    insta::assert_snapshot!("path_2_prompt", prompt.backend());
    insta::assert_snapshot!("path_3_comment", typed.backend());
    insta::assert_snapshot!("path_4_shelved_out_of_the_list", shelved.backend());
    insta::assert_snapshot!("path_5_the_shelved_filter", under_f.backend());
    app.update(Action::Tick { wall: NOW + 600.0 });
    press(&mut app, "ff");
    let names: Vec<String> = app.shown_faults().into_iter().map(|r| r.name).collect();
    assert_eq!(
        names,
        ["MotorHot", "BatteryLow"],
        "back when the shelf ends"
    );
}

#[test]
fn a_acknowledges_for_a_day_and_the_pane_shows_by_whom_and_why() {
    let mut app = live((160, 48), |_| {});
    app.update(Action::ToggleZoom);
    press(&mut app, "ja");
    assert_eq!(
        status(&app).trim_end(),
        " acknowledge BatteryLow for 24 h, comment:    Enter apply · Esc cancel"
    );
    let write = the_write(&press(&mut app, "on it\n"));
    let SilenceWrite::Create(s) = &write else {
        panic!("{write:?}")
    };
    assert_eq!(
        (
            s.ends_at - s.starts_at,
            s.comment.as_str(),
            s.created_by.as_str()
        ),
        (86_400.0, "ack: on it", "flight")
    );
    assert_eq!(status(&app), " acknowledged BatteryLow for 24 h: sending…");
    written(&mut app, write, "ack-1");
    assert!(!status(&app).contains("FAULTS"), "nothing unacknowledged");
    insta::assert_snapshot!(draw(&app).backend());
    press(&mut app, "f");
    let names: Vec<String> = app.shown_faults().into_iter().map(|r| r.name).collect();
    assert!(names.is_empty(), "unacknowledged: none; {names:?}");
    press(&mut app, "f");
    assert_eq!(app.shown_faults()[0].name, "BatteryLow", "acknowledged");
}

#[test]
fn u_expires_capcoms_shelf_then_its_ack_but_not_someone_elses_silence() {
    let mut app = live((160, 48), |_| {});
    press(&mut app, "ja");
    let ack = the_write(&press(&mut app, "mine\n"));
    written(&mut app, ack, "ack-1");
    press(&mut app, "s\n");
    let shelf = the_write(&press(&mut app, "later\n"));
    written(&mut app, shelf, "shelf-1");
    press(&mut app, "ffff");
    press(&mut app, "j");
    assert_eq!(app.selected_fault().expect("a fault").name, "BatteryLow");
    let undo = the_write(&press(&mut app, "u"));
    assert_eq!(undo, SilenceWrite::Expire("shelf-1".into()));
    written(&mut app, undo, "shelf-1");
    assert_eq!(status(&app), " un-shelved BatteryLow");
    assert_eq!(
        the_write(&press(&mut app, "u")),
        SilenceWrite::Expire("ack-1".into())
    );
    press(&mut app, "k");
    assert!(press(&mut app, "u").is_empty());
    assert_eq!(
        status(&app),
        " MotorHot is silenced by flight outside capcom: expire that in Alertmanager"
    );
}

#[test]
fn a_custom_shelf_reads_durations_as_the_config_does() {
    let mut app = live((160, 48), |_| {});
    press(&mut app, "sjjj\n");
    assert_eq!(
        status(&app).trim_end(),
        " shelve MotorHot for (20m, 1h):    Enter apply · Esc cancel"
    );
    press(&mut app, "1h30m\n");
    let SilenceWrite::Create(s) = the_write(&press(&mut app, "long job\n")) else {
        panic!("a create")
    };
    assert_eq!(s.ends_at - s.starts_at, 5_400.0);
    press(&mut app, "sjjj\nsoon\n");
    assert!(app.views.is_empty());
    assert_eq!(
        status(&app),
        " shelve for `soon`: not a length up to a week; write e.g. 20m, 1h"
    );
    assert!(app.faults.pending.is_none(), "nothing waits for a comment");
}

#[test]
fn a_failed_write_says_why() {
    let mut app = live((160, 48), |_| {});
    let write = the_write(&press(&mut app, "a\n"));
    app.update(Action::Source(SourceUpdate::SilenceWritten {
        write,
        result: Err(SourceError::Connect(
            SourceId::Alertmanager,
            "refused".into(),
        )),
    }));
    assert_eq!(
        status(&app),
        " could not acknowledge MotorHot: alertmanager: cannot connect: refused"
    );
}

#[test]
fn read_only_keys_write_nothing_and_say_why_and_the_status_bar_says_read_only() {
    let mut app = live((160, 48), |c| c.read_only = true);
    let before = status(&app);
    assert!(before.starts_with(" LIVE  READ-ONLY  "), "{before}");
    assert!(before.contains(" FAULTS 1 "), "{before}");
    insta::assert_snapshot!(before);
    for key in ["a", "s", "u"] {
        assert!(press(&mut app, key).is_empty(), "{key} writes nothing");
        assert!(app.views.is_empty(), "{key} opens nothing");
        assert!(status(&app).starts_with(" read-only: "), "{}", status(&app));
    }
}

#[test]
fn without_an_alertmanager_the_keys_say_so_and_the_pane_says_it_is_not_configured() {
    let mut app = live((160, 48), |c| c.alertmanager = None);
    assert!(press(&mut app, "a").is_empty());
    assert_eq!(
        status(&app),
        " no [alertmanager] configured: acknowledging needs one to write its silence to"
    );
    let frame = text(&app);
    let border = frame
        .lines()
        .find(|l| l.contains(" Faults "))
        .expect("the Faults pane");
    assert!(
        border.contains(" no [alertmanager] configured ┓"),
        "{border}"
    );
}

/// In the bundled replay the SLO alerts are the faults; shelving one acts locally, on the
/// silence shared by every capcom (`capcom_slo="<name>"`), and says so.
#[test]
fn in_the_replay_an_slo_fault_is_shelved_locally_and_says_so() {
    let mut app = screen::app_at(2.0, (160, 48));
    screen::focus(&mut app, App::faults_focused);
    let rows = app.fault_rows();
    // The LM motor's alert (critical, firing since the replay began) sorts above it.
    let at = rows.iter().position(|r| r.name == "SLO mobility commands");
    for _ in 0..at.expect("the paging SLO is a fault") {
        press(&mut app, "j");
    }
    let unacknowledged = app.unacknowledged_faults().0;
    press(&mut app, "s\n");
    let write = the_write(&press(&mut app, "known slip\n"));
    let SilenceWrite::Create(s) = &write else {
        panic!("{write:?}")
    };
    assert_eq!(
        s.matchers,
        [Matcher::equal("capcom_slo", "mobility commands")]
    );
    assert_eq!(s.ends_at - s.starts_at, 300.0);
    assert_eq!(
        status(&app),
        " replay: shelved SLO mobility commands locally for 5 min, not sent"
    );
    written(&mut app, write, "local-1");
    assert_eq!(
        status(&app),
        " replay: shelved SLO mobility commands locally for 5 min, not sent"
    );
    let mobility = app
        .fault_rows()
        .into_iter()
        .find(|r| r.name == "SLO mobility commands");
    assert_eq!(
        mobility.map(|r| (r.state, r.shelf.map(|n| n.by))),
        Some((capcom::app::FaultState::Shelved, Some("you".into())))
    );
    assert_eq!(
        app.unacknowledged_faults().0,
        unacknowledged - 1,
        "the shelved SLO fault no longer counts"
    );
}

#[test]
fn enter_opens_a_faults_labels_annotations_silences_and_expression() {
    let mut app = live((160, 48), |_| {});
    press(&mut app, "j\n");
    assert!(matches!(app.views.last(), Some(View::FaultDetail { .. })));
    let frame = text(&app);
    assert!(
        frame.contains("expression  prometheus_build_info > 0"),
        "{frame}"
    );
    insta::assert_snapshot!(draw(&app).backend());
}

#[test]
fn t_on_a_faults_detail_lists_its_services_failed_traces_and_esc_comes_back() {
    let mut app = live((160, 48), |_| {});
    let faults_pane = app.focus;
    press(&mut app, "j\n");
    let searches: Vec<_> = press(&mut app, "t")
        .into_iter()
        .filter_map(|e| match e {
            Effect::SearchTraces(q) => Some(q),
            _ => None,
        })
        .collect();
    let [q] = searches.as_slice() else {
        panic!("one search: {searches:?}")
    };
    assert_eq!(q.services, ["power"]);
    assert_eq!(q.attributes, [("error".to_owned(), "true".to_owned())]);
    assert_eq!(q.lookback, 3_600.0);
    assert!(app.traces_focused(), "the Traces pane, full screen");
    assert_eq!(app.full_screen(), Some(app.focus));
    press(&mut app, "\x1b");
    assert!(matches!(app.views.last(), Some(View::FaultDetail { .. })));
    assert_eq!(app.focus, faults_pane);
}

/// At 80×24 the filter's corner mark is wider than the pane: it is cut at the right, never
/// drawn over the pane's left border.
#[test]
fn a_corner_mark_wider_than_the_pane_keeps_inside_it_80x24() {
    let mut app = live((80, 24), |_| {});
    press(&mut app, "j");
    press(&mut app, "s");
    press(&mut app, "j\n");
    let write = the_write(&press(&mut app, "spare battery\n"));
    written(&mut app, write, "5d2f5f0e-shelf");
    let frame = text(&app);
    let bottom = frame
        .lines()
        .find(|l| l.contains("not shelved"))
        .expect("the filter's mark");
    assert!(
        bottom.starts_with('┃') || bottom.starts_with('│'),
        "the left border stays: {bottom:?}\n{frame}"
    );
}

/// A live session as [`live`] with a `[prometheus]` to chart from.
fn charting() -> App {
    live((120, 30), |c| {
        c.prometheus = Some(capcom::config::PrometheusConfig {
            connection: Connection::to_url("http://127.0.0.1:9090"),
            interval: 5.0,
        });
    })
}

/// The rule's left side over the last hour, one point a minute, crossing its threshold (0)
/// half-way: what Prometheus answers the runtime slot.
fn rule_answer(app: &App) -> SourceUpdate {
    let points = (0..=60)
        .map(|i| capcom::model::Point {
            t: NOW - 3_600.0 + f64::from(i) * 60.0,
            v: f64::from(i - 30) / 10.0,
        })
        .collect();
    let mut labels = capcom::model::Labels::new();
    labels.insert("instance".into(), "vm:19090".into());
    SourceUpdate::MetricsFetched {
        query: app.chart_slot(),
        fetched_at: NOW,
        result: Ok(capcom::source::prometheus::QueryResult {
            series: vec![capcom::model::Series { labels, points }],
            warnings: vec![],
        }),
        replace: true,
    }
}

/// The one `ChartQuery` among `effects`.
fn chart_query(effects: &[Effect]) -> Option<String> {
    let asked: Vec<&Option<String>> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::ChartQuery(q) => Some(q),
            _ => None,
        })
        .collect();
    let [q] = asked.as_slice() else {
        panic!("one ChartQuery: {effects:?}")
    };
    (*q).clone()
}

/// `c` on `BatteryLow`'s detail (rule `prometheus_build_info > 0` in the samples) runs the
/// rule's left side in the runtime slot over the last hour and charts it full screen, the
/// 0 a dotted limit line at the fault's severity; `Esc` empties the slot.
#[test]
fn c_on_a_faults_detail_charts_its_rule_with_the_threshold_as_a_limit_line() {
    let mut app = charting();
    press(&mut app, "j\n");
    let effects = press(&mut app, "c");
    assert_eq!(
        chart_query(&effects).as_deref(),
        Some("prometheus_build_info")
    );
    assert!(matches!(app.views.last(), Some(View::AlertChart(_))));
    let slot = app.chart_slot();
    let capcom::source::prometheus::poller::Want::Range { window, .. } = app.fetch_plan()[slot]
    else {
        panic!("a range for the slot: {:?}", app.fetch_plan()[slot])
    };
    assert!(window >= 3_600.0, "at least the last hour: {window}");
    let frame = text(&app);
    assert!(frame.contains("waiting for data"), "{frame}");
    app.update(Action::Source(rule_answer(&app)));
    let frame = text(&app);
    assert!(
        frame.contains("chart: prometheus_build_info > 0"),
        "{frame}"
    );
    assert!(frame.contains("fires above 0 (WARN, dotted)"), "{frame}");
    assert!(frame.contains("{instance=\"vm:19090\"}"), "{frame}");
    insta::assert_snapshot!(draw(&app).backend());

    let effects = press(&mut app, "\x1b");
    assert_eq!(chart_query(&effects), None);
    assert!(matches!(app.views.last(), Some(View::FaultDetail { .. })));
    assert_eq!(
        app.fetch_plan()[slot],
        capcom::source::prometheus::poller::Want::Nothing
    );
}

/// A query the source cannot answer (a replay that did not record it) is said in the chart,
/// made safe, and counts against no configured query.
#[test]
fn a_chart_the_source_cannot_answer_says_why() {
    let mut app = charting();
    press(&mut app, "j\nc");
    let slot = app.chart_slot();
    app.update(Action::Source(SourceUpdate::MetricsFetched {
        query: slot,
        fetched_at: NOW,
        result: Err(SourceError::NotRecorded(
            "prometheus_build_info\u{1b}[2J".into(),
        )),
        replace: true,
    }));
    let frame = text(&app);
    assert!(
        frame.contains("not in the recording: prometheus_build_info␛[2J"),
        "{frame}"
    );
    assert_eq!(app.source_health().1, 0, "no configured query fails");
    press(&mut app, "\x1b");
    app.update(Action::Source(rule_answer(&app)));
    assert!(
        app.queries[slot].set.is_empty(),
        "an answer for a chart already closed is dropped"
    );
}

/// Without a `[prometheus]` (and not replaying) there is nothing to chart with: `c` says so
/// and opens nothing.
#[test]
fn c_without_a_prometheus_says_there_is_nothing_to_chart_with() {
    let mut app = live((120, 30), |_| {});
    press(&mut app, "j\n");
    assert!(press(&mut app, "c").is_empty());
    assert!(matches!(app.views.last(), Some(View::FaultDetail { .. })));
    assert!(status(&app).contains("no [prometheus]"), "{}", status(&app));
}

/// The threshold is the point of the chart: when the last hour never came near it, the value
/// axis still reaches it, so its dotted line is drawn.
#[test]
fn the_threshold_line_is_drawn_even_where_the_data_never_reaches_it() {
    let mut app = charting();
    press(&mut app, "j\nc");
    let SourceUpdate::MetricsFetched {
        query,
        fetched_at,
        result: Ok(mut answer),
        replace,
    } = rule_answer(&app)
    else {
        panic!("an answer")
    };
    for p in &mut answer.series[0].points {
        p.v += 8.0;
    }
    assert!(answer.series[0].points.iter().all(|p| p.v > 4.0));
    app.update(Action::Source(SourceUpdate::MetricsFetched {
        query,
        fetched_at,
        result: Ok(answer),
        replace,
    }));
    let frame = text(&app);
    // A limit line is one braille dot per cell, at the row's height for its value.
    let dotted = ["⠁", "⠂", "⠄", "⡀"].map(|d| d.repeat(10));
    assert!(
        frame.contains("   0.00 ") && dotted.iter().any(|line| frame.contains(line.as_str())),
        "the axis reaches 0 and the line at 0 is drawn:\n{frame}"
    );
}
