//! The Why engine end to end through its public API: one incident (wheel LM slipping: its
//! commands fail, their drive segments drag, a new "wheel slip" log line, the LM motor's
//! temperature jumps) must come out first in every section, with its counts; the same world
//! without the incident must rank nothing as significant; a latency SLO's rule splits by
//! duration; and what could not be used is said.

use std::sync::Arc;

use capcom::model::event::{Event, Level};
use capcom::model::series::{Labels, Point};
use capcom::model::span::{AttrValue, Span, Trace};
use capcom::model::why::{Budget, FailRule, Input, NamedSeries, Why, Window, analyse};

const WHEELS: [&str; 6] = ["LF", "LM", "LR", "RF", "RM", "RR"];
const WINDOW: Window = Window {
    from: 1_000.0,
    to: 1_600.0,
};

fn span(trace: &str, id: &str, parent: Option<&str>, op: &str, start: f64, len: f64) -> Span {
    let mut s = Span::bare(id, parent, start, len);
    s.trace_id = trace.into();
    s.name = op.into();
    s.service = Some("rover-fsw".into());
    s
}

/// A drive command: plan, drive segment, image; on a wheel; failing (a slow, erroring drive)
/// when `slip`.
fn command(i: usize, wheel: &str, slip: bool) -> Arc<Trace> {
    let id = format!("{i:032x}");
    let drive = if slip { 9.0 } else { 1.0 };
    let t0 = WINDOW.from + i as f64;
    let mut root = span(&id, "r", None, "drive", t0, 2.0 + drive);
    root.attributes = vec![
        ("wheel".into(), AttrValue::Str(wheel.into())),
        ("command.seq".into(), AttrValue::Int(i as i64)),
    ];
    let plan = span(&id, "p", Some("r"), "plan", t0, 0.4);
    let mut seg = span(&id, "d", Some("r"), "drive.segment", t0 + 0.5, drive);
    seg.error = slip;
    let image = span(&id, "i", Some("r"), "image", t0 + 0.6 + drive, 1.0);
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
        id: String::new(),
        index: "rover-events".into(),
        doc: serde_json::Value::Null.into(),
    }
}

fn housekeeping(from: f64) -> Vec<Event> {
    (0..60)
        .map(|i| {
            event(
                from + 10.0 * f64::from(i),
                format!("housekeeping: SoC {} %, bus 28.{:02} V", 90 - i / 4, i),
            )
        })
        .collect()
}

/// The motor temperatures, LM jumping from 41 to 63 °C in the window when `incident`.
fn temperatures(incident: bool) -> Vec<NamedSeries> {
    WHEELS
        .iter()
        .enumerate()
        .map(|(k, wheel)| NamedSeries {
            name: "motor temperature".into(),
            labels: Labels::from([("wheel".to_owned(), (*wheel).to_owned())]),
            points: (0..120)
                .map(|j| {
                    let t = WINDOW.before().from + 10.0 * f64::from(j);
                    let jump = incident && *wheel == "LM" && t >= WINDOW.from;
                    let wobble = f64::from((j * 37 + k as u32 * 11) % 7) * 0.2;
                    Point {
                        t,
                        v: if jump { 63.0 } else { 41.0 } + wobble,
                    }
                })
                .collect(),
        })
        .collect()
}

fn world(incident: bool) -> Input {
    let traces = (0..180)
        .map(|i| {
            let slip = incident && i % 5 == 0;
            let wheel = if slip {
                "LM"
            } else {
                WHEELS[[0, 2, 3, 4, 5][i % 5]]
            };
            command(i, wheel, slip)
        })
        .collect();
    let mut events = housekeeping(WINDOW.from);
    if incident {
        events.extend((0..9).map(|i| {
            event(
                WINDOW.from + 30.0 * f64::from(i),
                format!("wheel slip detected on LM: stalled after {}.{} m", i, i + 1),
            )
        }));
    }
    Input {
        window: WINDOW,
        baseline: WINDOW.before(),
        traces,
        rule: FailRule::Error,
        events,
        baseline_events: housekeeping(WINDOW.before().from),
        series: temperatures(incident),
        budget: Some(Budget {
            objective: 0.99,
            good: if incident { 144.0 } else { 180.0 },
            total: 180.0,
            period: 30.0 * 86_400.0,
        }),
        missing: vec!["2 traces could not be fetched".into()],
    }
}

fn significant(why: &Why) -> [usize; 4] {
    [
        why.shared.iter().filter(|r| r.significant).count(),
        why.bottleneck.iter().filter(|r| r.significant).count(),
        why.patterns.iter().filter(|r| r.significant).count(),
        why.movers.iter().filter(|r| r.significant).count(),
    ]
}

#[test]
fn the_incident_ranks_first_in_every_section_with_its_counts() {
    let why = analyse(&world(true));
    assert_eq!(
        why.shared[0].to_string(),
        "wheel=LM — 36 of 36 failing (100 %), 0 of 144 others (0 %)"
    );
    assert_eq!(
        why.bottleneck[0].to_string(),
        "rover-fsw drive.segment — 9.0 s a failing trace vs 1.0 s another, 82 % of the failing traces' critical path"
    );
    assert_eq!(
        why.patterns[0].to_string(),
        "NEW wheel slip detected on LM: stalled after <*> m — 9 in the window, 0 before"
    );
    assert_eq!(
        why.movers[0].to_string(),
        "motor temperature {wheel=\"LM\"} 41.600 → 63.600 (up, 34.6σ)"
    );
    assert_eq!(significant(&why), [1, 1, 1, 1]);
    let impact = &why.impact;
    assert_eq!((impact.failing, impact.total), (36, 180));
    assert_eq!(impact.commands[0].operation, "drive");
    assert_eq!(impact.services, [("rover-fsw".to_owned(), 36)]);
    let spent = impact.budget.expect("a budget");
    assert!((spent.error_ratio - 0.2).abs() < 1e-12);
    assert_eq!(why.looked_at.traces, 180);
    assert_eq!(why.looked_at.spans, 720);
    assert_eq!(
        (why.looked_at.events, why.looked_at.baseline_events),
        (69, 60)
    );
    assert_eq!(why.looked_at.series, 6);
    assert_eq!(
        why.unused,
        [
            "2 traces could not be fetched",
            "a value per trace (identifying), not compared: attribute command.seq",
        ]
    );
}

#[test]
fn the_same_world_without_the_incident_ranks_nothing_as_significant() {
    let why = analyse(&world(false));
    assert_eq!(why.looked_at.failing, 0);
    assert_eq!(significant(&why), [0, 0, 0, 0]);
    assert!(why.impact.commands.is_empty());
}

#[test]
fn a_latency_slo_splits_the_traces_by_duration() {
    let mut input = world(true);
    // No error statuses at all: the slow drives fail a 5 s latency objective instead.
    input.traces = input
        .traces
        .iter()
        .map(|t| {
            let mut t = (**t).clone();
            for s in &mut t.spans {
                s.error = false;
            }
            Arc::new(t)
        })
        .collect();
    assert_eq!(analyse(&input).looked_at.failing, 0);
    input.rule = FailRule::SlowerThan(5.0);
    let why = analyse(&input);
    assert_eq!(why.looked_at.failing, 36);
    assert_eq!(why.shared[0].value, "LM");
}
