//! `render`: the full dashboard drawn at 200×60 with 12 series of 10,000 points each, all inside
//! the time window (the worst case: nothing to skip). Target (issue 2): median under 2 ms per
//! frame; DESIGN.md aims for 1 ms. Run: `cargo bench --bench render`.

// Synthetic data only: the float functions the binary keeps out (clippy.toml) are fine here.
#![allow(clippy::disallowed_methods)]
#![allow(
    clippy::float_cmp,
    reason = "exact values are the point of these checks"
)]

use std::fmt::Write as _;
use std::hint::black_box;

use capcom::app::{App, Clock};
use capcom::config::theme::Theme;
use capcom::model::{Labels, Point, Series};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

mod common;

const POINTS: usize = 10_000;
const NOW: f64 = 1_800_000_000.0;
const WINDOW: f64 = 86_400.0;

fn config_text() -> String {
    let mut t = String::from(
        "window = \"1d\"\n\
         [[layout.column]]\npanes = [{ id = \"table\" }]\n\
         [[layout.column]]\nwidth = 2\npanes = [{ id = \"chart\" }]\n\
         [[layout.column]]\npanes = [{ id = \"path\" }]\n\
         [[pane]]\nid = \"chart\"\nkind = \"chart\"\n",
    );
    for i in 0..8 {
        let _ = write!(
            t,
            "[[pane.series]]\nquery = \"c{i}\"\nunit = \"°C\"\nlimits = {{ warning = {{ high = 0.8 }} }}\n"
        );
    }
    t.push_str("[[pane]]\nid = \"table\"\nkind = \"table\"\n");
    for i in 0..2 {
        let _ = write!(t, "[[pane.series]]\nquery = \"t{i}\"\nmax = 1\n");
    }
    t.push_str("[[pane]]\nid = \"path\"\nkind = \"path\"\nx = \"x\"\ny = \"y\"\n");
    t
}

fn app() -> App {
    let config = capcom::config::parse(&config_text(), "bench").expect("bench config");
    let theme = Theme::builtin("dark").expect("theme");
    let mut app = App::new(config, theme, Clock::Live, None, NOW);
    let step = WINDOW / POINTS as f64;
    let series = |q: usize| {
        let points = (0..POINTS)
            .map(|k| {
                let t = NOW - WINDOW + k as f64 * step;
                let v = ((k as f64 / 300.0 + q as f64).sin() + (k as f64 * 0.37).cos() * 0.1) * 0.5
                    + 0.5;
                Point {
                    t,
                    v: v * 100.0 * q as f64,
                }
            })
            .collect();
        vec![Series {
            labels: Labels::new(),
            points,
        }]
    };
    common::answered(&mut app, NOW, series, (200, 60));
    app
}

fn bench(c: &mut Criterion) {
    let app = app();
    let area = Rect::new(0, 0, 200, 60);
    c.bench_function("render/full_frame_200x60_12x10k", |b| {
        let mut buf = Buffer::empty(area);
        b.iter(|| {
            buf.reset();
            capcom::ui::draw(black_box(&app), area, &mut buf);
        });
    });
    c.bench_function("render/terminal_draw_200x60_12x10k", |b| {
        let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
        b.iter(|| {
            terminal
                .draw(|f| capcom::ui::render(black_box(&app), f))
                .expect("draw");
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
