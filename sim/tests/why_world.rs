//! Ground truth for Why: the simulated world knows its causes, so each injected incident,
//! analysed from the simulator's own output (traces, events, metrics of the sol) over the
//! incident's window against the window before, must rank its true cause first; and a quiet
//! window must rank nothing as significant.

use std::sync::Arc;

use capcom::model::event::{Event, Level};
use capcom::model::series::{Labels, Point};
use capcom::model::span::Trace;
use capcom::model::why::{self, FailRule, Input, NamedSeries, Why, Window, shared};
use capcom_sim::world::{Incident, IncidentKind, World};

const SEED: u64 = 1;
/// A quiet stretch of the sol of `SEED` (s), and the same length before it: parked, no
/// incident.
const QUIET: (f64, f64) = (9_700.0, 12_500.0);

/// The sol of `SEED` as Why's inputs take it: traces, events, series (times since sol start).
struct Sol {
    traces: Vec<Arc<Trace>>,
    events: Vec<Event>,
    series: Vec<NamedSeries>,
    incidents: Vec<Incident>,
}

fn sol() -> Sol {
    let traces = capcom_sim::traces::traces(SEED);
    let events = capcom_sim::events::events(SEED)
        .into_iter()
        .enumerate()
        .map(|(i, e)| Event {
            t: Some(e.t),
            level: Level::parse(e.level),
            level_text: e.level.to_owned(),
            message: e.message,
            service: Some(e.service.to_owned()),
            trace_id: e.trace_id,
            id: i.to_string(),
            index: "rover-events".into(),
            doc: serde_json::Value::Null.into(),
        })
        .collect();
    let mut world = World::new(SEED);
    let step = capcom_sim::recording::STEP;
    let n = (capcom_sim::world::SOL_SECONDS / step) as usize;
    let looks: Vec<_> = (0..=n).map(|k| world.sample(k as f64 * step)).collect();
    let mut series = Vec::new();
    for (name, all) in capcom_sim::metrics::catalogue() {
        for s in all {
            let labels: Labels = s
                .labels
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            let points = looks
                .iter()
                .map(|tel| Point {
                    t: tel.t,
                    v: capcom_sim::metrics::round((s.read)(tel, s.index), s.decimals),
                })
                .collect();
            series.push(NamedSeries {
                name: name.to_owned(),
                labels,
                points,
            });
        }
    }
    Sol {
        traces: traces.into_iter().map(Arc::new).collect(),
        events,
        series,
        incidents: World::new(SEED).incidents().to_vec(),
    }
}

fn start_of(t: &Trace) -> f64 {
    t.spans
        .iter()
        .map(|s| s.start)
        .fold(f64::INFINITY, f64::min)
}

impl Sol {
    fn incident(&self, kind: IncidentKind) -> Window {
        let i = self
            .incidents
            .iter()
            .find(|i| i.kind == kind)
            .expect("each kind");
        Window {
            from: i.start,
            to: i.end,
        }
    }

    /// Why over `window` against the window before, the traces of `service` (or all).
    fn why(&self, window: Window, service: Option<&str>) -> Why {
        let baseline = window.before();
        let traces = self
            .traces
            .iter()
            .filter(|t| window.contains(start_of(t)))
            .filter(|t| {
                service.is_none_or(|s| t.spans.iter().any(|sp| sp.service.as_deref() == Some(s)))
            })
            .cloned()
            .collect();
        let events_in = |w: Window| {
            let e = self
                .events
                .iter()
                .filter(|e| e.t.is_some_and(|t| w.contains(t)));
            e.cloned().collect::<Vec<_>>()
        };
        let series = self
            .series
            .iter()
            .map(|s| NamedSeries {
                points: s
                    .points
                    .iter()
                    .filter(|p| p.t >= baseline.from && p.t < window.to)
                    .copied()
                    .collect(),
                ..s.clone()
            })
            .collect();
        why::analyse(&Input {
            window,
            baseline,
            traces,
            rule: FailRule::Error,
            events: events_in(window),
            baseline_events: events_in(baseline),
            series,
            budget: None,
            missing: Vec::new(),
        })
    }
}

/// The first significant row's text of each section, for failure messages.
fn summary(why: &Why) -> String {
    let first = |rows: Vec<String>| rows.into_iter().take(3).collect::<Vec<_>>().join(" | ");
    format!(
        "shared: {}\nbottleneck: {}\npatterns: {}\nmovers: {}",
        first(
            why.shared
                .iter()
                .map(|r| format!("{r} ({:.2})", r.score))
                .collect()
        ),
        first(why.bottleneck.iter().map(ToString::to_string).collect()),
        first(why.patterns.iter().map(ToString::to_string).collect()),
        first(
            why.movers
                .iter()
                .map(|r| format!("{} {:?} {:.1}", r.name, r.labels, r.score))
                .collect()
        ),
    )
}

fn is_lm(r: &why::movers::Row, name: &str) -> bool {
    r.name == name && r.labels.get("wheel").map(String::as_str) == Some("LM")
}

/// Asserts what the wheel slip's analysis must find: `rover.wheel=LM` first and significant,
/// the slip check's template new and first.
fn slip_found(why: &Why) {
    let text = summary(why);
    let top = &why.shared[0];
    assert_eq!(
        (top.key.as_str(), top.value.as_str()),
        ("rover.wheel", "LM"),
        "{text}"
    );
    assert!(
        top.significant && top.failing >= shared::MIN_FAILING,
        "{text}"
    );
    assert!(
        top.others < top.others_total / 4,
        "LM is rare among the others: {text}"
    );
    let p = &why.patterns[0];
    assert!(p.new && p.significant, "{text}");
    assert!(
        p.template
            .to_string()
            .starts_with("wheel LM slip <*> % over the"),
        "{text}"
    );
}

#[test]
fn the_mobility_page_finds_the_lm_wheel_its_pattern_its_movers_and_the_drive() {
    let sol = sol();
    // What `w` on the demo's page analyses: the SLO's page rule's long window ending at the
    // replay's start, the mobility service's traces.
    let rules = capcom::model::slo::workbook_rules(30.0 * 86_400.0);
    let page = rules
        .iter()
        .find(|r| r.alert == capcom::model::slo::Alert::Page);
    let len = page.expect("a page rule").long;
    let end = capcom_sim::recording::REPLAY_FROM;
    let why = sol.why(
        Window {
            from: end - len,
            to: end,
        },
        Some("mobility"),
    );
    let text = summary(&why);
    slip_found(&why);
    let movers: Vec<_> = why
        .movers
        .iter()
        .filter(|r| r.significant)
        .take(3)
        .collect();
    for name in [
        "rover_motor_temperature_celsius",
        "rover_wheel_wear_percent",
    ] {
        assert!(
            movers.iter().any(|r| is_lm(r, name)),
            "{name} LM in the top 3: {text}"
        );
    }
    let b = &why.bottleneck[0];
    assert_eq!(
        (b.service.as_str(), b.operation.as_str()),
        ("mobility", "drive.segment"),
        "{text}"
    );
    assert!(b.significant, "{text}");
}

#[test]
fn the_wheel_slip_window_finds_the_lm_wheel_its_pattern_and_its_motor() {
    let sol = sol();
    let why = sol.why(sol.incident(IncidentKind::WheelSlip), None);
    let text = summary(&why);
    slip_found(&why);
    let top = &why.movers[..3];
    assert!(
        top.iter()
            .any(|r| is_lm(r, "rover_motor_temperature_celsius") && r.significant),
        "{text}"
    );
}

#[test]
fn the_camera_firmware_is_found_only_in_the_resource() {
    let sol = sol();
    let window = sol.incident(IncidentKind::CameraFirmware);
    let why = sol.why(window, None);
    let text = summary(&why);
    let top = &why.shared[0];
    assert_eq!(top.kind, shared::Kind::Resource, "{text}");
    assert_eq!(
        (top.key.as_str(), top.value.as_str()),
        ("camera.firmware.version", "2.1.3"),
        "{text}"
    );
    assert!(
        top.significant && top.failing == top.failing_total,
        "{text}"
    );
    // The cause is in no span attribute: nothing but the resource names the firmware.
    for t in sol.traces.iter().filter(|t| window.contains(start_of(t))) {
        for s in &t.spans {
            assert!(
                s.attributes.iter().all(|(k, _)| !k.contains("firmware")),
                "{s:?}"
            );
        }
    }
    // Its captures' timeouts are the window's new log pattern, and their wait the bottleneck.
    let p = &why.patterns[0];
    assert!(p.new && p.significant, "{text}");
    assert!(
        p.template.to_string().contains("capture timed out"),
        "{text}"
    );
    let b = &why.bottleneck[0];
    assert_eq!(b.service, "camera", "{text}");
    assert!(b.significant, "{text}");
}

/// COUNTER-EXAMPLE: the dust devil fails one trace (its hazard assessment times out), and one
/// trace is below every trace section's significance bar (`MIN_FAILING`, 5): Why ranks the
/// timeout first in the bottleneck but calls nothing in the traces significant. Its movers
/// find it: dust opacity first.
#[test]
fn the_dust_devil_moves_the_dust_but_one_failing_trace_is_not_significant() {
    let sol = sol();
    let why = sol.why(sol.incident(IncidentKind::DustDevil), None);
    let text = summary(&why);
    assert_eq!(why.looked_at.failing, 1, "{text}");
    assert!(why.shared.iter().all(|r| !r.significant), "{text}");
    let b = &why.bottleneck[0];
    assert_eq!(
        (b.service.as_str(), b.operation.as_str()),
        ("nav", "hazard.assess"),
        "{text}"
    );
    assert!(!b.significant, "{text}");
    let m = &why.movers[0];
    assert_eq!(m.name, "rover_dust_opacity_tau", "{text}");
    assert!(m.significant, "{text}");
}

/// COUNTER-EXAMPLE: the comms loss fails one uplink: the relay's wait is first in the
/// bottleneck but nothing is significant in the traces, and its one `LOS` event is below the
/// new-pattern bar (`NEW_MIN`, 5). Nothing in the metrics says "link": the rover's series carry
/// no link state (the live exporter's `up` does, not the recording).
#[test]
fn the_comms_loss_is_one_failed_uplink_below_every_bar() {
    let sol = sol();
    let why = sol.why(sol.incident(IncidentKind::CommsLoss), None);
    let text = summary(&why);
    assert_eq!(why.looked_at.failing, 1, "{text}");
    assert!(why.shared.iter().all(|r| !r.significant), "{text}");
    let b = &why.bottleneck[0];
    assert_eq!(
        (b.service.as_str(), b.operation.as_str()),
        ("telecom", "relay.forward"),
        "{text}"
    );
    assert!(!b.significant, "{text}");
    assert!(why.patterns.iter().all(|p| !p.significant), "{text}");
}

#[test]
fn a_quiet_window_ranks_nothing_as_significant() {
    let sol = sol();
    let quiet = Window {
        from: QUIET.0,
        to: QUIET.1,
    };
    for i in &sol.incidents {
        assert!(i.end <= quiet.before().from || i.start >= quiet.to, "{i:?}");
    }
    let why = sol.why(quiet, None);
    let text = summary(&why);
    assert!(
        why.looked_at.traces > 0 && why.looked_at.events > 0,
        "{text}"
    );
    assert!(why.shared.iter().all(|r| !r.significant), "{text}");
    assert!(why.bottleneck.iter().all(|r| !r.significant), "{text}");
    assert!(why.patterns.iter().all(|r| !r.significant), "{text}");
    assert!(why.movers.iter().all(|r| !r.significant), "{text}");
}
