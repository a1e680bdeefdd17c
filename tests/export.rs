//! Exports (`e`, `capcom export`): the PNG decoded and its pixels checked against the data and
//! the limit band, the SVG's elements, the CSV against the values held from the bundled
//! recording, the Jaeger JSON read back by capcom's own v1 parser, file names that cannot
//! leave the folder, and the key, the status bar and the binary end to end.

#![allow(
    clippy::float_cmp,
    reason = "exact values are the point of these checks"
)]

use std::path::PathBuf;

use capcom::action::{Action, Effect};
use capcom::app::App;
use capcom::export::chart::{band_colour, pixel, series_colour};
use capcom::export::{Chart, Content, Format, Line, Panel, Request, render};
use capcom::model::limits::Band;
use capcom::model::{Labels, LimitLevel, Limits, Point};
use capcom::source::SourceUpdate;

mod screen;

const SIZE: (u32, u32) = (1600, 900);
const T0: f64 = 1_764_148_200.0; // 2025-11-26T09:10:00Z

/// A UV index over ten minutes at 10 s steps, rising from 2 to 9.5 through its watch (6) and
/// warning (8) bounds, with a minute missing in the middle.
fn uv_chart() -> Chart {
    let points: Vec<Point> = (0..=60)
        .filter(|i| !(25..31).contains(i))
        .map(|i| Point {
            t: T0 + f64::from(i) * 10.0,
            v: 2.0 + f64::from(i) * 0.125,
        })
        .collect();
    Chart {
        title: "Mars rover · UV".into(),
        from: T0,
        to: T0 + 600.0,
        panels: vec![Panel {
            name: "UV index".into(),
            unit: String::new(),
            precision: 1,
            limits: Limits {
                watch: Some(Band {
                    low: None,
                    high: Some(6.0),
                }),
                warning: Some(Band {
                    low: None,
                    high: Some(8.0),
                }),
                ..Limits::default()
            },
            show_all_limits: false,
            lines: vec![Line {
                legend: "UV index".into(),
                labels: Labels::new(),
                points,
                step: Some(10.0),
            }],
        }],
    }
}

struct Image {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

impl Image {
    fn decode(bytes: &[u8]) -> Self {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().expect("a PNG");
        let mut rgb = vec![0; reader.output_buffer_size().expect("a size")];
        let info = reader.next_frame(&mut rgb).expect("a frame");
        assert_eq!(info.color_type, png::ColorType::Rgb);
        Self {
            width: info.width,
            height: info.height,
            rgb,
        }
    }

    fn at(&self, x: i32, y: i32) -> (u8, u8, u8) {
        let i = (y as usize * self.width as usize + x as usize) * 3;
        (self.rgb[i], self.rgb[i + 1], self.rgb[i + 2])
    }

    /// Whether `colour` is within `r` pixels of `(x, y)`.
    fn near(&self, (x, y): (i32, i32), r: i32, colour: (u8, u8, u8)) -> bool {
        (-r..=r).any(|dx| (-r..=r).any(|dy| self.at(x + dx, y + dy) == colour))
    }

    /// Whether row `y` holds `colour` (give or take the rounding of a blend) from `x0` to `x1`.
    fn row_has(&self, y: i32, x0: i32, x1: i32, colour: (u8, u8, u8)) -> bool {
        let close = |a: u8, b: u8| a.abs_diff(b) <= 2;
        (x0..x1).any(|x| {
            let c = self.at(x, y);
            close(c.0, colour.0) && close(c.1, colour.1) && close(c.2, colour.2)
        })
    }
}

#[test]
fn the_png_is_report_sized_and_its_line_is_where_the_data_says() {
    let chart = uv_chart();
    let png = render(&Content::Chart(chart.clone()), Format::Png).expect("a PNG");
    let img = Image::decode(&png);
    assert_eq!((img.width, img.height), SIZE);
    let ink = series_colour(0);
    // Known points: the first, one before the gap, one after it, and one in the warning band.
    for i in [0u32, 24, 31, 50] {
        let (t, v) = (T0 + f64::from(i) * 10.0, 2.0 + f64::from(i) * 0.125);
        let at = pixel(&chart, SIZE, 0, (t, v));
        assert!(
            img.near(at, 2, ink),
            "the line passes {at:?} for ({t}, {v})"
        );
    }
    // The gap: no line half way through the missing minute.
    let (t, v) = (T0 + 280.0, 2.0 + 28.0 * 0.125);
    let (gx, gy) = pixel(&chart, SIZE, 0, (t, v));
    assert!(
        !(gy - 60..gy + 60).any(|y| img.at(gx, y) == ink),
        "nothing drawn across the gap at x = {gx}"
    );
}

#[test]
fn the_png_tints_the_warning_band_above_its_bound_and_nothing_below_the_watch_one() {
    let chart = uv_chart();
    let img = Image::decode(&render(&Content::Chart(chart.clone()), Format::Png).expect("png"));
    let band = band_colour(LimitLevel::Warning);
    let watch = band_colour(LimitLevel::Watch);
    assert_ne!(band, watch);
    let (x0, _) = pixel(&chart, SIZE, 0, (T0 + 5.0, 0.0));
    let (x1, _) = pixel(&chart, SIZE, 0, (T0 + 595.0, 0.0));
    let (_, warn_row) = pixel(&chart, SIZE, 0, (T0, 8.8));
    let (_, watch_row) = pixel(&chart, SIZE, 0, (T0, 7.3));
    let (_, nominal_row) = pixel(&chart, SIZE, 0, (T0, 4.3));
    assert!(
        img.row_has(warn_row, x0, x1, band),
        "the warning band's tint at 8.8"
    );
    assert!(
        img.row_has(watch_row, x0, x1, watch),
        "the watch band's tint {watch:?} at 7.3: {:?}",
        (x0..x1)
            .step_by(100)
            .map(|x| img.at(x, watch_row))
            .collect::<Vec<_>>()
    );
    assert!(!img.row_has(nominal_row, x0, x1, watch), "no tint at 4.3");
    assert!(!img.row_has(nominal_row, x0, x1, band), "no tint at 4.3");
}

#[test]
fn the_svg_has_the_title_the_legend_and_a_line_per_run_of_data() {
    let svg = render(&Content::Chart(uv_chart()), Format::Svg).expect("an SVG");
    let svg = String::from_utf8(svg).expect("text");
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains(r#"width="1600" height="900""#));
    let texts: Vec<&str> = svg
        .split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>').and_then(|(_, r)| r.split_once("</text>")))
        .map(|(inner, _)| inner.trim())
        .collect();
    for want in [
        "Mars rover · UV",
        "2025-11-26 09:10:00 – 09:20:00 UTC (10m)",
        "UV index",
        "WATCH ≥ 6.0",
        "WARN ≥ 8.0",
        "time (UTC, 2025-11-26)",
        "09:12:00",
        "4.0",
    ] {
        assert!(texts.contains(&want), "{want:?} in {texts:?}");
    }
    let ink = series_colour(0);
    let stroke = format!("stroke=\"#{:02X}{:02X}{:02X}\"", ink.0, ink.1, ink.2);
    let lines = svg
        .split("<polyline")
        .skip(1)
        .filter(|p| {
            p.split_once("/>")
                .is_some_and(|(attrs, _)| attrs.contains(&stroke))
        })
        .count();
    assert_eq!(
        lines, 3,
        "the series in two runs either side of its gap, and its legend's swatch"
    );
    assert!(svg.contains(r#"font-family="DejaVu Sans""#));
}

#[test]
fn the_csv_holds_exactly_the_points_held_from_the_bundled_recording() {
    let mut app = screen::app_at(600.0, (160, 48));
    screen::focus(&mut app, |a| a.config.panes[a.focus].id == "environment");
    let request = app.export_shown().expect("environment exports");
    let Content::Chart(chart) = &request.content else {
        panic!("a chart")
    };
    let csv = String::from_utf8(render(&request.content, Format::Csv).expect("csv")).expect("utf8");
    let mut rows = csv.lines();
    assert_eq!(rows.next(), Some("time,series,labels,value,unit"));
    let rows: Vec<&str> = rows.collect();
    let capcom::config::PaneKind::Chart(queries) = &app.config.panes[app.focus].kind else {
        panic!("a chart pane")
    };
    let (from, to) = (chart.from, chart.to);
    let mut want = Vec::new();
    for &q in queries {
        let query = &app.config.queries[q];
        for (labels, buf) in app.queries[q].set.iter() {
            for p in buf.points().iter().filter(|p| p.t >= from && p.t <= to) {
                want.push((
                    capcom::export::csv::rfc3339(p.t),
                    capcom::config::fill_legend(&query.legend, labels),
                    p.v,
                ));
            }
        }
    }
    assert!(want.len() > 100, "a window of data: {}", want.len());
    assert_eq!(rows.len(), want.len());
    for (row, (time, series, value)) in rows.iter().zip(&want) {
        assert!(row.starts_with(&format!("{time},{series},")), "{row}");
        let v: f64 = row
            .rsplit(',')
            .nth(1)
            .expect("a value")
            .parse()
            .expect("a number");
        assert_eq!(v, *value, "{row}");
    }
}

#[test]
fn the_jaeger_json_reads_back_through_capcoms_v1_parser_with_the_same_spans() {
    let (app, replay, now) = screen::replay_at(&screen::bundled(), 600.0, (160, 48));
    let id = app
        .traces
        .list
        .iter()
        .find(|t| t.summary.spans > 1)
        .expect("a trace of several spans")
        .trace
        .trace_id
        .clone();
    let SourceUpdate::TraceFetched {
        result: Ok(trace), ..
    } = replay.trace(&id, now)
    else {
        panic!("the trace is recorded")
    };
    assert!(trace.spans.len() > 1);
    let json = render(&Content::Trace(trace.clone()), Format::Jaeger).expect("json");
    let back = capcom::source::jaeger::parse_v1(&json).expect("v1 reads it");
    assert_eq!(back.len(), 1);
    let back = &back[0];
    assert_eq!(back.trace_id, trace.trace_id);
    assert_eq!(back.spans.len(), trace.spans.len());
    for (a, b) in trace.spans.iter().zip(&back.spans) {
        assert_eq!(
            (
                &a.span_id,
                &a.parent_id,
                &a.name,
                &a.service,
                a.error,
                a.kind
            ),
            (
                &b.span_id,
                &b.parent_id,
                &b.name,
                &b.service,
                b.error,
                b.kind
            )
        );
        assert!((a.start - b.start).abs() < 1e-6 && (a.duration - b.duration).abs() < 1e-6);
        for attr in &a.attributes {
            assert!(b.attributes.contains(attr), "{attr:?} kept");
        }
        assert_eq!(a.events.len(), b.events.len());
        let resource = |s: &capcom::model::span::Span| {
            let mut r = s.resource.to_vec();
            r.sort_by(|x, y| x.0.cmp(&y.0));
            r
        };
        assert_eq!(resource(a), resource(b));
    }
    let otlp = render(&Content::Trace(trace.clone()), Format::Otlp).expect("otlp");
    let back = capcom::source::jaeger::parse_v3(&otlp).expect("v3 reads OTLP JSON");
    assert_eq!(back[0].spans.len(), trace.spans.len());
    assert_eq!(back[0].spans[0].span_id, trace.spans[0].span_id);
}

#[test]
fn a_pane_id_that_climbs_cannot_leave_the_folder() {
    let dir = tempfile::tempdir().expect("tmp");
    let folder = dir.path().join("exports");
    let paths = capcom::export::files::write_all(
        &folder,
        "../../escape",
        T0,
        &[(Format::Csv, b"x\n".to_vec())],
    )
    .expect("written");
    assert_eq!(paths.len(), 1);
    assert_eq!(paths[0].parent(), Some(folder.as_path()));
    assert_eq!(
        paths[0].file_name().and_then(|n| n.to_str()),
        Some("______escape-20251126T091000Z.csv")
    );
    // The same name again is numbered, never written over.
    let again = capcom::export::files::write_all(
        &folder,
        "../../escape",
        T0,
        &[(Format::Csv, b"y\n".to_vec())],
    )
    .expect("written");
    assert!(again[0].ends_with("______escape-20251126T091000Z-2.csv"));
    assert_eq!(std::fs::read(&paths[0]).expect("read"), b"x\n");
    let entries = std::fs::read_dir(dir.path()).expect("ls").count();
    assert_eq!(entries, 1, "nothing written beside the folder");
}

fn exported(app: &mut App, result: Result<Vec<PathBuf>, String>) -> String {
    app.update(Action::Source(SourceUpdate::Exported {
        pane: "environment".into(),
        result,
    }));
    screen::text(app)
}

#[test]
fn e_on_environment_asks_for_its_export_and_the_status_bar_says_where_it_went_80x24() {
    let mut app = screen::app_at(600.0, (80, 24));
    screen::focus(&mut app, |a| a.config.panes[a.focus].id == "environment");
    let effects = screen::press(&mut app, "e");
    let request: Vec<&Request> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Export(r) => Some(r.as_ref()),
            _ => None,
        })
        .collect();
    assert_eq!(request.len(), 1, "{effects:?}");
    assert_eq!(request[0].pane, "environment");
    let Content::Chart(chart) = &request[0].content else {
        panic!("a chart")
    };
    assert_eq!(chart.panels.len(), 5);
    assert!(screen::text(&app).contains("exporting environment…"));
    let folder = "/home/operator/.local/share/capcom/exports";
    let files = ["png", "svg", "csv"]
        .map(|e| PathBuf::from(format!("{folder}/environment-20270115T080000Z.{e}")));
    let text = exported(&mut app, Ok(files.to_vec()));
    let status = text.lines().last().expect("a status bar");
    assert!(
        status.contains("exported environment → /home")
            && status.contains("…")
            && status.contains("environment-20270115T080000Z.png, .svg, .csv"),
        "{status}"
    );
    let text = exported(
        &mut app,
        Err("cannot create /ro/x: Read-only file system".into()),
    );
    assert!(
        text.contains("export of environment failed: cannot create /ro/x: Read-only"),
        "{text}"
    );
}

#[test]
fn e_on_a_pane_with_nothing_to_export_says_why() {
    let mut app = screen::app_at(600.0, (160, 48));
    screen::focus(&mut app, |a| a.config.panes[a.focus].id == "slo");
    screen::press(&mut app, "e");
    assert!(
        screen::text(&app)
            .contains("nothing to export in SLOs: e takes a chart, table, path, events or a trace")
    );
}

fn capcom(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_capcom"))
        .args(args)
        .env_remove("CAPCOM_CONFIG")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .output()
        .expect("capcom runs")
}

#[test]
fn capcom_export_writes_the_file_and_says_clearly_what_it_cannot() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("env.png");
    let o = capcom(&[
        "export",
        "--pane",
        "environment",
        "--from",
        "-10m",
        "--format",
        "png",
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let img = Image::decode(&std::fs::read(&out).expect("written"));
    assert_eq!((img.width, img.height), SIZE);
    let o = capcom(&[
        "export",
        "--pane",
        "environment",
        "--format",
        "csv",
        "--out",
        "-",
    ]);
    assert!(o.status.success());
    let csv = String::from_utf8(o.stdout).expect("utf8");
    assert!(csv.starts_with("time,series,labels,value,unit\n") && csv.lines().count() > 100);
    let o = capcom(&["export", "--pane", "nope", "--format", "png", "--out", "-"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no pane \"nope\" in this dashboard; its panes are: internal, environment"),
        "{err}"
    );
    let o = capcom(&[
        "export", "--pane", "events", "--format", "png", "--out", "-",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("the events cannot be exported as png; it gives ndjson"),
        "{err}"
    );
    let o = capcom(&[
        "export", "--pane", "events", "--format", "ndjson", "--out", "-",
    ]);
    assert!(o.status.success());
    let docs = String::from_utf8(o.stdout).expect("utf8");
    assert!(
        docs.lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
    );
    assert!(!docs.is_empty());
}

#[test]
fn e_on_the_traces_pane_and_in_the_waterfall_exports_the_selected_trace() {
    let mut app = screen::app_at(600.0, (160, 48));
    screen::focus(&mut app, |a| a.config.panes[a.focus].id == "traces");
    let selected = app.traces.selected_trace().expect("a trace").trace.clone();
    let trace_of = |effects: Vec<Effect>| {
        effects.into_iter().find_map(|e| match e {
            Effect::Export(r) => match r.content {
                Content::Trace(t) => Some((r.pane, t)),
                _ => None,
            },
            _ => None,
        })
    };
    let (pane, trace) = trace_of(screen::press(&mut app, "e")).expect("the trace exported");
    assert_eq!(trace.trace_id, selected.trace_id);
    assert_eq!(pane, format!("trace-{}", selected.trace_id));
    screen::press(&mut app, "\n");
    assert!(
        matches!(app.views.last(), Some(capcom::app::View::Trace(_))),
        "Enter opens the waterfall"
    );
    let (_, trace) = trace_of(screen::press(&mut app, "e")).expect("exported from the waterfall");
    assert_eq!(trace.trace_id, selected.trace_id);
}
