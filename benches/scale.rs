//! `scale`: what a frame costs as the work grows (issue 18 item 5; the figures are in
//! ARCHITECTURE.md, "Cost as the work grows"):
//!
//! - `scale/events_filter_key`: the bundled demo holding 1,000, 10,000 (the default
//!   `max-events`) and 100,000 events, the local filter open (`/`): one key typed through
//!   `App::update`, then the frame drawn — what the operator waits for per key. Measured for
//!   the first key of a filter (half the events still match) and the fifth (an eighth do).
//! - `scale/panes`: a dashboard of 20 chart panes, one series of 300 points each (a 5-minute
//!   window at 1 s), drawn at 160×48 and at 80×24.
//! - `scale/series`: 10, 100 and 500 series of 300 points over five chart panes at 160×48.
//!
//! Frames are drawn through the real render path (`ui::render` on a `TestBackend`).
//! Run: `cargo bench --bench scale`.

// Synthetic data only: the float functions the binary keeps out (clippy.toml) are fine here.
#![allow(clippy::disallowed_methods)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use capcom::action::Action;
use capcom::app::{App, Clock};
use capcom::cli::OpenArgs;
use capcom::config::theme::Theme;
use capcom::model::event::{Event, EventLog, Level};
use capcom::model::{Labels, Point, Series};
use capcom::session::Session;
use capcom::source::{EventBatch, SourceUpdate};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

mod common;

const NOW: f64 = 1_800_000_000.0;
/// Points per series: a 5-minute window at 1 s.
const POINTS: usize = 300;

/// What the rover's services log, with numbers that vary; about one in eight mentions a wheel.
const TEMPLATES: [&str; 8] = [
    "drive segment {n} complete, odometry {n} m",
    "image {n} captured by NAVCAM, {n} bytes queued",
    "downlink pass {n}: {n} frames sent",
    "battery state of charge {n} %",
    "heater {n} cycled on for {n} s",
    "wheel LM current {n} mA above nominal",
    "command {n} accepted from ground",
    "thermal margin {n} C on RCE-A",
];

fn events(n: usize) -> Vec<Event> {
    (0..n)
        .map(|i| {
            let message =
                TEMPLATES[i % TEMPLATES.len()].replace("{n}", &(i * 37 % 1000).to_string());
            let level = if i % 50 == 0 {
                Level::Warn
            } else {
                Level::Info
            };
            Event {
                t: Some(NOW - (n - i) as f64 * 0.5),
                level,
                level_text: level.word().to_owned(),
                message,
                service: Some(["rover-fsw", "mobility", "camera", "comms"][i % 4].to_owned()),
                trace_id: (i % 3 == 0).then(|| format!("{i:032x}")),
                id: format!("ev-{i}"),
                index: "rover-logs".to_owned(),
                doc: serde_json::Value::Null.into(),
            }
        })
        .collect()
}

/// The bundled demo at 160×48 holding `n` events, the filter prompt open with `typed`.
fn events_app(n: usize, typed: &str) -> App {
    let session = Session::prepare_bundled(&OpenArgs {
        speed: 1.0,
        theme: Some("dark".into()),
        ..OpenArgs::default()
    })
    .expect("the bundled recording opens");
    let (mut app, _) = session.start(NOW);
    app.update(Action::Resize {
        width: 160,
        height: 48,
    });
    // As `max-events = n` would make it.
    app.events.log = EventLog::new(n);
    app.update(Action::Source(SourceUpdate::EventsFetched {
        fetched_at: app.now,
        result: Ok(EventBatch {
            events: events(n),
            warnings: vec![],
        }),
        replace: true,
    }));
    assert_eq!(app.events.log.len(), n, "the log holds them all");
    app.update(Action::Filter);
    for c in typed.chars() {
        app.update(Action::TextInput(c));
    }
    app
}

/// Times `key` typed then the frame drawn; Backspace (untimed) undoes it for the next round.
fn per_key(c: &mut Criterion, n: usize, name: &str, typed: &str, key: char) {
    let mut app = events_app(n, typed);
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
    terminal
        .draw(|f| capcom::ui::render(&app, f))
        .expect("draw");
    let mut g = c.benchmark_group("scale/events_filter_key");
    g.bench_function(BenchmarkId::new(name, n), |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                black_box(app.update(Action::TextInput(key)));
                terminal
                    .draw(|f| capcom::ui::render(&app, f))
                    .expect("draw");
                spent += start.elapsed();
                app.update(Action::TextBackspace);
            }
            spent
        });
    });
    g.finish();
    app.update(Action::TextInput(key));
    println!(
        "scale/events_filter_key/{name}/{n}: filter {:?} shows {} of {} events",
        app.events.filter,
        app.events.visible_len(),
        app.events.log.len()
    );
}

/// A dashboard of `panes` chart panes in `columns` columns; pane `p` draws query `p`.
fn charts_config(panes: usize, columns: usize) -> String {
    let mut t = String::from("window = \"5m\"\n");
    let per = panes.div_ceil(columns);
    for col in 0..columns {
        let ids: Vec<String> = (col * per..((col + 1) * per).min(panes))
            .map(|p| format!("{{ id = \"p{p}\" }}"))
            .collect();
        let _ = writeln!(t, "[[layout.column]]\npanes = [{}]", ids.join(", "));
    }
    for p in 0..panes {
        let _ = writeln!(
            t,
            "[[pane]]\nid = \"p{p}\"\ntitle = \"pane {p}\"\nkind = \"chart\"\n[[pane.series]]\nquery = \"q{p}\"\nunit = \"B/s\""
        );
    }
    t
}

/// An app on `config` at `size`, each query answered with `per_query` series of `POINTS`.
fn charts_app(config: &str, per_query: usize, size: (u16, u16)) -> App {
    let config = capcom::config::parse(config, "bench").expect("bench config");
    let theme = Theme::builtin("dark").expect("theme");
    let mut app = App::new(config, theme, Clock::Live, None, NOW);
    let series = |q: usize| {
        (0..per_query)
            .map(|s| Series {
                labels: Labels::from([("instance".to_owned(), format!("host-{s}"))]),
                points: (0..POINTS)
                    .map(|k| Point {
                        t: NOW - (POINTS - k) as f64,
                        v: ((k as f64 / 30.0 + (q * per_query + s) as f64).sin() + 1.0) * 1e6,
                    })
                    .collect(),
            })
            .collect()
    };
    common::answered(&mut app, NOW, series, size);
    app
}

fn frame(c: &mut Criterion, group: &str, id: BenchmarkId, app: &App) {
    let mut g = c.benchmark_group(group);
    g.bench_function(id, |b| {
        let mut terminal =
            Terminal::new(TestBackend::new(app.size.0, app.size.1)).expect("terminal");
        b.iter(|| {
            terminal
                .draw(|f| capcom::ui::render(black_box(app), f))
                .expect("draw");
        });
    });
    g.finish();
}

fn bench(c: &mut Criterion) {
    for n in [1_000, 10_000, 100_000] {
        per_key(c, n, "first", "", 'w');
        per_key(c, n, "fifth", "whee", 'l');
    }

    let twenty = charts_config(20, 4);
    for size in [(160, 48), (80, 24)] {
        let app = charts_app(&twenty, 1, size);
        frame(
            c,
            "scale/panes",
            BenchmarkId::new("20_charts", format!("{}x{}", size.0, size.1)),
            &app,
        );
    }

    let five = charts_config(5, 2);
    for series in [10, 100, 500] {
        let app = charts_app(&five, series / 5, (160, 48));
        frame(c, "scale/series", BenchmarkId::new("160x48", series), &app);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
