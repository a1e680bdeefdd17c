//! `why`: compare an incident window with its baseline — 1,000 traces of 50 spans, 10,000
//! events (half in the baseline), 30 series of 300 points. Target (issue 17): under 200 ms,
//! on tokio's blocking pool, never on the thread that draws. Run: `cargo bench --bench why`.

use std::hint::black_box;
use std::sync::Arc;

use capcom::model::event::{Event, Level};
use capcom::model::series::{Labels, Point};
use capcom::model::span::{AttrValue, Attribute, Span, Trace};
use capcom::model::why::{
    FailRule, Input, NamedSeries, Window, analyse, bottleneck, impact, movers, patterns, shared,
};
use criterion::{Criterion, criterion_group, criterion_main};

const TRACES: usize = 1_000;
const SPANS: usize = 50;
const EVENTS: usize = 10_000;
const SERIES: usize = 30;
const POINTS: usize = 300;
const WHEELS: [&str; 6] = ["LF", "LM", "LR", "RF", "RM", "RR"];
const WINDOW: Window = Window {
    from: 3_600.0,
    to: 7_200.0,
};

fn attr(k: &str, v: AttrValue) -> Attribute {
    (k.into(), v)
}

/// Five services, each one resource shared by its spans.
fn resources() -> Vec<Arc<[Attribute]>> {
    ["rover-fsw", "mobility", "camera", "comms", "power"]
        .iter()
        .enumerate()
        .map(|(i, svc)| {
            let attrs = vec![
                attr("service.name", AttrValue::Str((*svc).into())),
                attr("host.name", AttrValue::Str(format!("rce-{}", i % 2).into())),
                attr(
                    "firmware.version",
                    AttrValue::Str(format!("2.1.{i}").into()),
                ),
            ];
            attrs.into()
        })
        .collect()
}

/// A command trace: a root and 49 steps under it, each with a handful of attributes (one of
/// them a per-trace id, one a per-span sequence number); every tenth fails on wheel LM.
fn trace(i: usize, res: &[Arc<[Attribute]>]) -> Arc<Trace> {
    let tid: std::sync::Arc<str> = format!("{i:032x}").into();
    let failing = i.is_multiple_of(10);
    let wheel = if failing { "LM" } else { WHEELS[i % 6] };
    let start = WINDOW.from + 3.0 * i as f64;
    let spans = (0..SPANS)
        .map(|k| {
            let id = format!("{:016x}", i * SPANS + k + 1);
            let parent = (k > 0).then(|| format!("{:016x}", i * SPANS + 1));
            let mut s = Span::bare(
                &id,
                parent.as_deref(),
                start + 0.05 * k as f64,
                if k == 0 { 2.6 } else { 0.04 },
            );
            s.trace_id.clone_from(&tid);
            let r = &res[k % res.len()];
            s.service = Some(r[0].1.to_string().into());
            s.resource = Arc::clone(r);
            s.name = format!("step-{}", k % 12);
            s.error = failing && k == 7;
            s.attributes = vec![
                attr("wheel", AttrValue::Str(wheel.into())),
                attr("command.id", AttrValue::Str(format!("cmd-{i}").into())),
                attr("seq", AttrValue::Int((i * SPANS + k) as i64)),
                attr("segment", AttrValue::Int((i % 40) as i64)),
                attr(
                    "terrain",
                    AttrValue::Str(["sand", "rock", "bedrock"][i % 3].into()),
                ),
            ];
            s
        })
        .collect();
    Arc::new(Trace {
        trace_id: tid,
        spans,
        warnings: Vec::new(),
    })
}

fn event(t: f64, i: usize) -> Event {
    let message = match i % 8 {
        0 => format!(
            "housekeeping: SoC {} %, bus {}.{:02} V, CPU {} %",
            90 - i % 30,
            27 + i % 2,
            i % 100,
            8 + i % 50
        ),
        1 => format!(
            "drive segment {} done in {}.{} s",
            i % 40,
            3 + i % 4,
            i % 10
        ),
        2 => format!(
            "uplink frame seq={} id=0x{:x} from 10.0.0.{}",
            i,
            4096 + i,
            i % 5
        ),
        3 => format!("hazard camera frame {i} processed in {} ms", 40 + i % 17),
        4 => format!(
            "motor {} temperature nominal: {}.{} °C",
            WHEELS[i % 6],
            35 + i % 9,
            i % 10
        ),
        5 => format!("command cmd-{i} accepted from 'ground station {}'", i % 3),
        6 => format!("trace 550e8400-e29b-41d4-a716-{i:012x} sampled"),
        _ if t >= WINDOW.from => format!(
            "wheel slip detected on LM: progress stalled at {}.{} m",
            i % 50,
            i % 10
        ),
        _ => format!("battery heater cycle {} on for {} s", i % 12, 30 + i % 20),
    };
    Event {
        t: Some(t),
        level: Level::Info,
        level_text: "info".into(),
        message,
        service: Some("rover-fsw".into()),
        trace_id: None,
        id: i.to_string(),
        index: "rover-events".into(),
        doc: serde_json::Value::Null.into(),
    }
}

fn input() -> Input {
    let res = resources();
    let baseline = WINDOW.before();
    let half = EVENTS / 2;
    let step = WINDOW.len() / half as f64;
    let series = (0..SERIES)
        .map(|k| NamedSeries {
            name: format!("metric {k}"),
            labels: Labels::from([("wheel".to_owned(), WHEELS[k % 6].to_owned())]),
            points: (0..POINTS)
                .map(|j| {
                    let t = baseline.from + (2.0 * WINDOW.len()) * j as f64 / POINTS as f64;
                    let jump = if k == 3 && t >= WINDOW.from {
                        20.0
                    } else {
                        0.0
                    };
                    Point {
                        t,
                        v: 10.0 * k as f64 + ((j * 7919 + k * 31) % 13) as f64 * 0.1 + jump,
                    }
                })
                .collect(),
        })
        .collect();
    Input {
        window: WINDOW,
        baseline,
        traces: (0..TRACES).map(|i| trace(i, &res)).collect(),
        rule: FailRule::Error,
        events: (0..half)
            .map(|i| event(WINDOW.from + step * i as f64, i))
            .collect(),
        baseline_events: (0..half)
            .map(|i| event(baseline.from + step * i as f64, i))
            .collect(),
        series,
        budget: None,
        missing: Vec::new(),
    }
}

fn bench(c: &mut Criterion) {
    let input = input();
    let why = analyse(&input);
    assert_eq!(why.looked_at.spans, TRACES * SPANS);
    assert_eq!(
        why.shared[0].to_string(),
        "wheel=LM — 100 of 100 failing (100 %), 167 of 900 others (19 %)"
    );
    assert!(why.patterns[0].new && why.patterns[0].template.tokens[0] == "wheel");
    assert_eq!(why.movers[0].name, "metric 3");
    c.bench_function("why/analyse_1000_traces_10000_events_30_series", |b| {
        b.iter(|| black_box(analyse(black_box(&input))));
    });
    // Each section alone, to see where the time goes.
    let failing: Vec<bool> = input.traces.iter().map(|t| input.rule.fails(t)).collect();
    let mut group = c.benchmark_group("why/section");
    group.sample_size(20);
    group.bench_function("shared", |b| {
        b.iter(|| black_box(shared::rank(&input.traces, &failing, &mut Vec::new())));
    });
    group.bench_function("bottleneck", |b| {
        b.iter(|| black_box(bottleneck::rank(&input.traces, &failing)));
    });
    group.bench_function("patterns", |b| {
        b.iter(|| {
            black_box(patterns::rank(
                &input.events,
                &input.baseline_events,
                input.window,
                input.baseline,
                &mut Vec::new(),
            ))
        });
    });
    group.bench_function("movers", |b| {
        b.iter(|| {
            black_box(movers::rank(
                &input.series,
                input.window,
                input.baseline,
                &mut Vec::new(),
            ))
        });
    });
    group.bench_function("impact", |b| {
        b.iter(|| black_box(impact::impact(&input.traces, &failing, None, 3_600.0)));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
