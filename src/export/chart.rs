//! Charts for a report, drawn with plotters in the light theme's colours on white: a title, the
//! window in UTC with its date, one panel per query sharing a UTC time axis, each with its
//! unit, its limit ladder as tinted bands bounded by lines, its series as lines broken where
//! the data has gaps, and a legend column naming every series and limit. The same drawing goes
//! to a PNG (pixels, encoded here with `png`) and an SVG; text is set in the bundled `DejaVu
//! Sans`, so a headless ground station draws the same PNG as a desk.

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use ratatui::style::Color as TermColor;

mod axes;

use axes::{TimeAxis, ValueAxis, axis_value};

use super::{Chart, ExportError, Panel, Path, runs};
use crate::config::theme::Theme;
use crate::model::{LimitLevel, Limits, Point};

/// The bundled font (`DejaVu Sans`; its licence is beside it in `assets/fonts/`).
const FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// The name text is set in (also what an SVG asks its viewer for).
pub const FONT: &str = "DejaVu Sans";

/// Pixels of the legend column at the right of each panel.
const LEGEND_W: u32 = 340;
/// Pixels left of each plot for the value labels.
const Y_LABELS_W: u32 = 90;
/// Pixels under the last plot for the time labels.
const X_LABELS_H: u32 = 56;

/// Registers the bundled font with plotters, once per process.
fn fonts() -> Result<(), ExportError> {
    static ONCE: Once = Once::new();
    let mut ok = true;
    ONCE.call_once(|| {
        for name in [FONT, "sans-serif"] {
            for style in [FontStyle::Normal, FontStyle::Bold] {
                ok &= plotters::style::register_font(name, style, FONT_BYTES).is_ok();
            }
        }
    });
    if ok {
        Ok(())
    } else {
        Err(ExportError::Draw("the bundled font did not load".into()))
    }
}

/// The report's colours, from the built-in light theme.
struct Ink {
    background: RGBColor,
    text: RGBColor,
    muted: RGBColor,
    grid: RGBColor,
    series: Vec<RGBColor>,
    theme: Theme,
}

impl Ink {
    fn light() -> Self {
        let theme = Theme::builtin("light")
            .unwrap_or_else(|_| Theme::builtin("mono").unwrap_or_else(|_| unreachable_theme()));
        let fg = |c: Option<TermColor>, d: RGBColor| rgb(c).unwrap_or(d);
        Self {
            background: fg(theme.background.bg, WHITE),
            text: fg(theme.text.fg, BLACK),
            muted: fg(theme.dim.fg, RGBColor(0x65, 0x6d, 0x76)),
            grid: fg(theme.border.fg, RGBColor(0xaf, 0xb8, 0xc1)),
            series: theme
                .series
                .iter()
                .filter_map(|s| rgb(s.fg))
                .collect::<Vec<_>>(),
            theme,
        }
    }

    fn series(&self, i: usize) -> RGBColor {
        if self.series.is_empty() {
            self.text
        } else {
            self.series[i % self.series.len()]
        }
    }

    fn limit(&self, level: LimitLevel) -> RGBColor {
        rgb(self.theme.limit(Some(level), self.theme.text).fg).unwrap_or(RED)
    }
}

#[expect(
    clippy::panic,
    reason = "the built-in themes are compiled in and tested"
)]
fn unreachable_theme() -> Theme {
    panic!("no built-in theme")
}

/// A terminal colour as RGB; named colours as xterm draws them.
fn rgb(c: Option<TermColor>) -> Option<RGBColor> {
    Some(match c? {
        TermColor::Rgb(r, g, b) => RGBColor(r, g, b),
        TermColor::Black => BLACK,
        TermColor::Red | TermColor::LightRed => RGBColor(0xcd, 0x00, 0x00),
        TermColor::Green | TermColor::LightGreen => RGBColor(0x00, 0x80, 0x00),
        TermColor::Yellow | TermColor::LightYellow => RGBColor(0x99, 0x67, 0x00),
        TermColor::Blue | TermColor::LightBlue => RGBColor(0x00, 0x00, 0xee),
        TermColor::Magenta | TermColor::LightMagenta => RGBColor(0xcd, 0x00, 0xcd),
        TermColor::Cyan | TermColor::LightCyan => RGBColor(0x00, 0x80, 0x80),
        TermColor::Gray | TermColor::DarkGray => RGBColor(0x66, 0x66, 0x66),
        TermColor::White => WHITE,
        _ => return None,
    })
}

/// The day or days of a window: `2026-11-26`, or `2026-11-26 – 2026-11-27`.
fn day_words(from: f64, to: f64) -> String {
    let day = |t: f64| {
        chrono::DateTime::from_timestamp(t.round() as i64, 0)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    let (a, b) = (day(from), day(to));
    if a == b { a } else { format!("{a} – {b}") }
}

/// The window in words: `2026-11-26 09:10:30 – 09:25:30 UTC (15 min)`.
fn window_words(from: f64, to: f64) -> String {
    let at = |t: f64, fmt: &str| {
        chrono::DateTime::from_timestamp(t.round() as i64, 0)
            .map(|d| d.format(fmt).to_string())
            .unwrap_or_default()
    };
    let same_day = (from / 86_400.0).floor() as i64 == (to / 86_400.0).floor() as i64;
    let end = if same_day {
        at(to, "%H:%M:%S")
    } else {
        at(to, "%Y-%m-%d %H:%M:%S")
    };
    format!(
        "{} – {end} UTC ({})",
        at(from, "%Y-%m-%d %H:%M:%S"),
        crate::model::conductor::format_span(to - from)
    )
}

/// The value range a panel shows: its data (padded), and the limit bounds near it — or all of
/// them for an alert's threshold.
fn value_range(panel: &Panel, from: f64, to: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for line in &panel.lines {
        for p in line.points.iter().filter(|p| p.v.is_finite()) {
            if p.t >= from && p.t <= to {
                lo = lo.min(p.v);
                hi = hi.max(p.v);
            }
        }
    }
    if lo > hi {
        (lo, hi) = (0.0, 1.0);
    }
    let span = (hi - lo).max(hi.abs().max(1.0) * 0.02);
    for (_, bound) in panel.limits.bounds() {
        let near = bound >= lo - span * 0.5 && bound <= hi + span * 0.5;
        if panel.show_all_limits || near {
            lo = lo.min(bound);
            hi = hi.max(bound);
        }
    }
    let pad = (hi - lo).max(span) * 0.08;
    (lo - pad, hi + pad)
}

/// The value bands of a limit ladder inside `(lo, hi)`: each level's band runs from its bound
/// outwards to the next more severe level's bound (or the edge), so a value's band is its level.
fn bands(limits: &Limits, (lo, hi): (f64, f64)) -> Vec<(LimitLevel, f64, f64)> {
    let mut highs: Vec<(LimitLevel, f64)> = Vec::new();
    let mut lows: Vec<(LimitLevel, f64)> = Vec::new();
    for level in LimitLevel::ALL {
        for (l, v) in limits.bounds().filter(|(l, _)| *l == level) {
            // A level's high bound is at or above the nominal range; its low bound below.
            let (nom_lo, nom_hi) = limits.nominal_range();
            if v >= nom_hi {
                highs.push((l, v));
            } else if v <= nom_lo {
                lows.push((l, v));
            }
        }
    }
    let mut out = Vec::new();
    for (i, &(l, v)) in highs.iter().enumerate() {
        let next = highs.get(i + 1).map_or(hi, |n| n.1);
        let (a, b) = (v.max(lo), next.min(hi));
        if a < b {
            out.push((l, a, b));
        }
    }
    for (i, &(l, v)) in lows.iter().enumerate() {
        let next = lows.get(i + 1).map_or(lo, |n| n.1);
        let (a, b) = (next.max(lo), v.min(hi));
        if a < b {
            out.push((l, a, b));
        }
    }
    out
}

type DrawResult<T> = Result<T, ExportError>;

fn err<E: std::fmt::Debug>(e: E) -> ExportError {
    ExportError::Draw(format!("{e:?}"))
}

/// Draws the title and the window's words; returns the area left below.
fn heading<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ink: &Ink,
    title: &str,
    sub: &str,
) -> DrawResult<DrawingArea<DB, Shift>> {
    root.fill(&ink.background).map_err(err)?;
    let (top, rest) = root.split_vertically(78);
    let title_style = (FONT, 30, FontStyle::Bold).into_font().color(&ink.text);
    top.draw_text(title, &title_style, (24, 14)).map_err(err)?;
    let sub_style = (FONT, 18).into_font().color(&ink.muted);
    top.draw_text(sub, &sub_style, (24, 50)).map_err(err)?;
    Ok(rest)
}

/// A chart as a PNG of `size` pixels.
///
/// # Errors
/// Drawing or encoding failed.
pub fn chart_png(chart: &Chart, size: (u32, u32)) -> DrawResult<Vec<u8>> {
    png_of(size, |root| draw_chart(&root, chart))
}

/// A chart as an SVG document of `size` pixels.
///
/// # Errors
/// Drawing failed.
pub fn chart_svg(chart: &Chart, size: (u32, u32)) -> DrawResult<Vec<u8>> {
    svg_of(size, |root| draw_chart(&root, chart))
}

/// The path as a PNG.
///
/// # Errors
/// Drawing or encoding failed.
pub fn path_png(path: &Path, size: (u32, u32)) -> DrawResult<Vec<u8>> {
    png_of(size, |root| draw_path(&root, path))
}

/// The path as an SVG document.
///
/// # Errors
/// Drawing failed.
pub fn path_svg(path: &Path, size: (u32, u32)) -> DrawResult<Vec<u8>> {
    svg_of(size, |root| draw_path(&root, path))
}

fn png_of(
    (w, h): (u32, u32),
    draw: impl FnOnce(DrawingArea<BitMapBackend<'_>, Shift>) -> DrawResult<()>,
) -> DrawResult<Vec<u8>> {
    fonts()?;
    let mut pixels = vec![0u8; (w as usize) * (h as usize) * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
        draw(root.clone())?;
        root.present().map_err(err)?;
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().map_err(err)?;
    writer.write_image_data(&pixels).map_err(err)?;
    writer.finish().map_err(err)?;
    Ok(out)
}

fn svg_of(
    size: (u32, u32),
    draw: impl FnOnce(DrawingArea<SVGBackend<'_>, Shift>) -> DrawResult<()>,
) -> DrawResult<Vec<u8>> {
    fonts()?;
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
        draw(root.clone())?;
        root.present().map_err(err)?;
    }
    Ok(text.into_bytes())
}

/// Where a panel's plot is, for tests: the pixel rectangle of panel `i` of `n` in a chart of
/// `size`, as `draw_chart` lays it out (left, top, right, bottom; inclusive).
#[must_use]
pub fn plot_rect(size: (u32, u32), i: usize, n: usize) -> (i32, i32, i32, i32) {
    let (left, top, right, bottom) = panel_rect(size, i, n);
    (
        left + Y_LABELS_W as i32,
        top + PANEL_PAD_TOP,
        right - LEGEND_W as i32 - PANEL_PAD_RIGHT,
        bottom - if i + 1 == n { X_LABELS_H as i32 } else { 0 } - PANEL_PAD_BOTTOM,
    )
}

/// The pixel at which `draw_chart` draws value `v` at time `t` in panel `panel` of `chart`
/// drawn at `size`: the same axes, for tests that check a point is where the data says.
#[must_use]
pub fn pixel(chart: &Chart, size: (u32, u32), panel: usize, (t, v): (f64, f64)) -> (i32, i32) {
    let (left, top, right, bottom) = plot_rect(size, panel, chart.panels.len());
    let axis = TimeAxis {
        from: chart.from,
        to: chart.to,
    };
    let (y0, y1) = value_range(&chart.panels[panel], chart.from, chart.to);
    let x = axis.map(&t, (left, right));
    let y = bottom - ((v - y0) / (y1 - y0) * f64::from(bottom - top)).round() as i32;
    (x, y)
}

/// The colour a limit level's band is filled with (its level's colour, a tenth on white).
#[must_use]
pub fn band_colour(level: LimitLevel) -> (u8, u8, u8) {
    let c = Ink::light().limit(level);
    let mix = |a: u8| (f64::from(a) * BAND_ALPHA + 255.0 * (1.0 - BAND_ALPHA)).round() as u8;
    (mix(c.0), mix(c.1), mix(c.2))
}

/// The colour of series `i` (in drawing order across panels).
#[must_use]
pub fn series_colour(i: usize) -> (u8, u8, u8) {
    let c = Ink::light().series(i);
    (c.0, c.1, c.2)
}

/// How opaque a limit band's tint is.
const BAND_ALPHA: f64 = 0.10;

const HEADING_H: i32 = 78;
const PANEL_PAD_TOP: i32 = 8;
const PANEL_PAD_BOTTOM: i32 = 8;
const PANEL_PAD_RIGHT: i32 = 16;

fn panel_rect((w, h): (u32, u32), i: usize, n: usize) -> (i32, i32, i32, i32) {
    let body = h as i32 - HEADING_H - X_LABELS_H as i32;
    let n = n.max(1) as i32;
    let each = body / n;
    let top = HEADING_H + each * i as i32;
    let bottom = if i as i32 + 1 == n {
        h as i32
    } else {
        top + each
    };
    (0, top, w as i32, bottom)
}

fn draw_chart<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, chart: &Chart) -> DrawResult<()> {
    let ink = Ink::light();
    let size = root.dim_in_pixel();
    let _ = heading(
        root,
        &ink,
        &chart.title,
        &window_words(chart.from, chart.to),
    )?;
    let n = chart.panels.len();
    if n == 0 {
        let style = (FONT, 20).into_font().color(&ink.muted);
        root.draw_text("no data in the window", &style, (24, 100))
            .map_err(err)?;
        return Ok(());
    }
    let axis = TimeAxis {
        from: chart.from,
        to: chart.to,
    };
    let mut colour = 0;
    for (i, panel) in chart.panels.iter().enumerate() {
        let (left, top, right, bottom) = panel_rect(size, i, n);
        let area = root
            .clone()
            .shrink((left, top), ((right - left) as u32, (bottom - top) as u32));
        let last = i + 1 == n;
        draw_panel(&area, &ink, panel, &axis, last, &mut colour)?;
    }
    Ok(())
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ink: &Ink,
    panel: &Panel,
    axis: &TimeAxis,
    last: bool,
    colour: &mut usize,
) -> DrawResult<()> {
    let (w, _) = area.dim_in_pixel();
    let (plot_area, legend_area) = area.split_horizontally(w.saturating_sub(LEGEND_W));
    let (y0, y1) = value_range(panel, axis.from, axis.to);
    let mut ctx = ChartBuilder::on(&plot_area)
        .margin_top(PANEL_PAD_TOP)
        .margin_bottom(PANEL_PAD_BOTTOM)
        .margin_right(PANEL_PAD_RIGHT)
        .x_label_area_size(if last { X_LABELS_H } else { 0 })
        .y_label_area_size(Y_LABELS_W)
        .build_cartesian_2d(axis.clone(), ValueAxis::new(y0..y1, panel.precision))
        .map_err(err)?;
    let labels = (FONT, 15).into_font().color(&ink.muted);
    let precision = panel.precision;
    let unit = panel.unit.clone();
    // A short unit goes on every value label; a long one only in the legend.
    let y_fmt = move |v: &f64| {
        let n = axis_value(*v, precision);
        match unit.as_str() {
            "" => n,
            u if u.starts_with('°') || u == "%" => format!("{n}{u}"),
            u if u.chars().count() <= 4 => format!("{n} {u}"),
            _ => n,
        }
    };
    let mut mesh = ctx.configure_mesh();
    let (_, plot_h) = plot_area.dim_in_pixel();
    mesh.x_labels(12)
        .y_labels((plot_h / 36).clamp(2, 10) as usize)
        .label_style(labels.clone())
        .axis_style(ink.grid)
        .bold_line_style(ink.grid.mix(0.5))
        .light_line_style(TRANSPARENT)
        .y_label_formatter(&y_fmt);
    let x_desc = format!("time (UTC, {})", day_words(axis.from, axis.to));
    if last {
        mesh.x_desc(x_desc.as_str());
        mesh.axis_desc_style((FONT, 15).into_font().color(&ink.muted));
    } else {
        mesh.x_label_formatter(&|_| String::new());
    }
    mesh.draw().map_err(err)?;
    // Limit bands first, lines at their bounds, then the data over them.
    for (level, a, b) in bands(&panel.limits, (y0, y1)) {
        let c = ink.limit(level);
        ctx.draw_series(std::iter::once(Rectangle::new(
            [(axis.from, a), (axis.to, b)],
            c.mix(BAND_ALPHA).filled(),
        )))
        .map_err(err)?;
    }
    // Dashes of 10 px every 16, laid out here: plotters' dashed series measures its segments
    // with `hypot`, a call into libm (`num.rs`).
    let (plot_w, _) = ctx.plotting_area().dim_in_pixel();
    let period = (axis.to - axis.from) / f64::from(plot_w.max(1)) * 16.0;
    for (level, v) in panel.limits.bounds().filter(|&(_, v)| v > y0 && v < y1) {
        let style = ink.limit(level).stroke_width(2);
        let dashes = crate::num::multiples(0.0, axis.to - axis.from, period).map(|d| {
            let t = axis.from + d;
            PathElement::new(
                [(t, v), ((t + period * 10.0 / 16.0).min(axis.to), v)],
                style,
            )
        });
        ctx.draw_series(dashes).map_err(err)?;
    }
    let mut legend: Vec<(RGBColor, String)> = Vec::new();
    for line in &panel.lines {
        let c = ink.series(*colour);
        *colour += 1;
        for run in runs(&line.points, line.step) {
            let run: Vec<(f64, f64)> = clip(&run, axis.from, axis.to)
                .into_iter()
                .map(|(t, v)| (t, v.clamp(y0, y1)))
                .collect();
            if run.is_empty() {
                continue;
            }
            if run.len() == 1 {
                ctx.draw_series(run.iter().map(|&p| Circle::new(p, 2, c.filled())))
                    .map_err(err)?;
            } else {
                ctx.draw_series(LineSeries::new(run, c.stroke_width(2)))
                    .map_err(err)?;
            }
        }
        legend.push((c, line.legend.clone()));
    }
    draw_legend(&legend_area, ink, panel, &legend, (y0, y1))
}

/// A run of points cut at `from` and `to`: a point outside is moved along the line to the edge
/// (the points either side of the window are held to draw the line up to its edges).
fn clip(run: &[(f64, f64)], from: f64, to: f64) -> Vec<(f64, f64)> {
    let at = |(t0, v0): (f64, f64), (t1, v1): (f64, f64), t: f64| {
        let f = if t1 > t0 { (t - t0) / (t1 - t0) } else { 0.0 };
        (t, v0 + (v1 - v0) * f)
    };
    let mut out = Vec::with_capacity(run.len());
    for (i, &p) in run.iter().enumerate() {
        if p.0 < from {
            if let Some(&next) = run.get(i + 1).filter(|n| n.0 >= from) {
                out.push(at(p, next, from));
            }
        } else if p.0 > to {
            if let Some(&prev) = i
                .checked_sub(1)
                .and_then(|j| run.get(j))
                .filter(|q| q.0 <= to)
            {
                out.push(at(prev, p, to));
            }
        } else {
            out.push(p);
        }
    }
    out
}

/// One entry of a legend: a swatch (a series' line, or a limit's tinted band with its line)
/// and its words.
struct Entry {
    colour: RGBColor,
    band: bool,
    text: String,
    note: Option<String>,
}

/// The legend column: the query in bold with its unit, then each series and each limit bound
/// (its level's word, `≥`/`≤`, the value, "above chart" when off the value axis), flowed left to
/// right and wrapped, so six wheels and a five-level ladder still fit a short panel; what still
/// does not fit is counted, never drawn over.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    ink: &Ink,
    panel: &Panel,
    series: &[(RGBColor, String)],
    (y0, y1): (f64, f64),
) -> DrawResult<()> {
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32 - 8, h as i32);
    let line_h = 19;
    let bold = (FONT, 16, FontStyle::Bold).into_font().color(&ink.text);
    let head = if panel.unit.is_empty() {
        panel.name.clone()
    } else {
        format!("{} ({})", panel.name, panel.unit)
    };
    let mut y = PANEL_PAD_TOP + 2;
    area.draw_text(&fit(&head, 30), &bold, (8, y))
        .map_err(err)?;
    y += line_h + 3;
    let (_, nom_hi) = panel.limits.nominal_range();
    let unit = if panel.unit.is_empty() {
        String::new()
    } else {
        format!(" {}", panel.unit)
    };
    let mut entries: Vec<Entry> = series
        .iter()
        .map(|(c, name)| Entry {
            colour: *c,
            band: false,
            text: fit(name, 30),
            note: None,
        })
        .collect();
    for (level, v) in panel.limits.bounds() {
        let side = if v >= nom_hi { "≥" } else { "≤" };
        entries.push(Entry {
            colour: ink.limit(level),
            band: true,
            text: format!(
                "{} {side} {}{unit}",
                level.word(),
                axis_value(v, panel.precision.max(1))
            ),
            note: (v <= y0 || v >= y1)
                .then(|| format!("({} chart)", if v >= y1 { "above" } else { "below" })),
        });
    }
    let plain = (FONT, 14).into_font();
    let small = (FONT, 12).into_font().color(&ink.muted);
    let width_of = |text: &str, font: &TextStyle| {
        area.estimate_text_size(text, font)
            .map_or(text.chars().count() as i32 * 8, |(w, _)| w as i32)
    };
    let mut x = 8;
    for (i, e) in entries.iter().enumerate() {
        let style = plain.color(if e.band { &e.colour } else { &ink.text });
        let note_w = e.note.as_ref().map_or(0, |n| width_of(n, &small) + 4);
        let text_w = width_of(&e.text, &style);
        let item_w = 26 + text_w + note_w + 14;
        if x > 8 && x + item_w > w {
            x = 8;
            y += line_h;
        }
        if y + 2 * line_h > h && i + 1 < entries.len() {
            let more = format!("+{} more", entries.len() - i);
            area.draw_text(&more, &small, (x, y + 2)).map_err(err)?;
            break;
        }
        if e.band {
            area.draw(&Rectangle::new(
                [(x, y + 2), (x + 20, y + 14)],
                e.colour.mix(BAND_ALPHA * 2.5).filled(),
            ))
            .map_err(err)?;
        }
        area.draw(&PathElement::new(
            vec![(x, y + 8), (x + 20, y + 8)],
            e.colour.stroke_width(if e.band { 2 } else { 3 }),
        ))
        .map_err(err)?;
        area.draw_text(&e.text, &style, (x + 26, y)).map_err(err)?;
        if let Some(note) = &e.note {
            let at = x + 26 + text_w + 4;
            area.draw_text(note, &small, (at, y + 2)).map_err(err)?;
        }
        x += item_w;
    }
    Ok(())
}

/// `text` cut to `width` characters, an ellipsis saying so.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// The rover's path: north against east, equal metres on both axes, the track broken where the
/// data has gaps, its start and end marked.
fn draw_path<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, path: &Path) -> DrawResult<()> {
    let ink = Ink::light();
    let rest = heading(root, &ink, &path.title, &window_words(path.from, path.to))?;
    // (t, x) with y at the same time: the position samples.
    let track: Vec<Fix> = path
        .x
        .iter()
        .filter(|p| p.t >= path.from && p.t <= path.to)
        .filter_map(|x| {
            let i = path.y.partition_point(|q| q.t < x.t);
            let y = path.y.get(i).filter(|q| q.t.total_cmp(&x.t).is_eq())?;
            Some((x.t, x.v, y.v))
        })
        .filter(|(_, x, y)| x.is_finite() && y.is_finite())
        .map(|(t, x, y)| Fix { t, x, y })
        .collect();
    let (w, h) = rest.dim_in_pixel();
    let (plot_area, legend_area) = rest.split_horizontally(w.saturating_sub(LEGEND_W));
    let xs = track.iter().map(|p| p.x);
    let ys = track.iter().map(|p| p.y);
    let (x0, x1) = min_max(xs).unwrap_or((0.0, 1.0));
    let (y0, y1) = min_max(ys).unwrap_or((0.0, 1.0));
    // Equal scales: widen the narrower range to the plot's aspect.
    let (pw, ph) = (
        f64::from(w.saturating_sub(LEGEND_W + Y_LABELS_W + 20)),
        f64::from(h.saturating_sub(X_LABELS_H + 20)),
    );
    let (cx, cy) = (f64::midpoint(x0, x1), f64::midpoint(y0, y1));
    let per_px = ((x1 - x0).max(1.0) / pw).max((y1 - y0).max(1.0) / ph) * 1.1;
    let (hx, hy) = (per_px * pw / 2.0, per_px * ph / 2.0);
    let north = ValueAxis::new(cy - hy..cy + hy, 0);
    let mut ctx = ChartBuilder::on(&plot_area)
        .margin(10)
        .x_label_area_size(X_LABELS_H)
        .y_label_area_size(Y_LABELS_W)
        .build_cartesian_2d(ValueAxis::new(cx - hx..cx + hx, 0), north)
        .map_err(err)?;
    let fmt = |v: &f64| axis_value(*v, 0);
    ctx.configure_mesh()
        .label_style((FONT, 15).into_font().color(&ink.muted))
        .axis_desc_style((FONT, 15).into_font().color(&ink.muted))
        .axis_style(ink.grid)
        .bold_line_style(ink.grid.mix(0.5))
        .light_line_style(TRANSPARENT)
        .x_desc("east (m)")
        .y_desc("north (m)")
        .x_label_formatter(&fmt)
        .y_label_formatter(&fmt)
        .draw()
        .map_err(err)?;
    let c = ink.series(0);
    let as_t: Vec<Point> = track.iter().map(|p| Point { t: p.t, v: 0.0 }).collect();
    let mut start = 0;
    for run in runs(&as_t, path.step) {
        let n = run.len();
        let seg: Vec<(f64, f64)> = track[start..start + n].iter().map(|p| (p.x, p.y)).collect();
        start += n;
        ctx.draw_series(LineSeries::new(seg, c.stroke_width(2)))
            .map_err(err)?;
    }
    let ok = ink.limit(LimitLevel::Watch);
    let end = ink.text;
    if let (Some(first), Some(last)) = (track.first(), track.last()) {
        ctx.draw_series([Circle::new((first.x, first.y), 7, ok.filled())])
            .map_err(err)?;
        ctx.draw_series([TriangleMarker::new((last.x, last.y), 9, end.filled())])
            .map_err(err)?;
    }
    let plain = (FONT, 15).into_font().color(&ink.text);
    let bold = (FONT, 16, FontStyle::Bold).into_font().color(&ink.text);
    legend_area
        .draw_text("rover path", &bold, (8, 12))
        .map_err(err)?;
    legend_area
        .draw(&PathElement::new(
            vec![(8, 42), (28, 42)],
            c.stroke_width(3),
        ))
        .map_err(err)?;
    legend_area
        .draw_text("track", &plain, (36, 34))
        .map_err(err)?;
    legend_area
        .draw(&Circle::new((18, 64), 7, ok.filled()))
        .map_err(err)?;
    legend_area
        .draw_text(
            &format!("start {}", hhmmss(track.first().map(|p| p.t))),
            &plain,
            (36, 56),
        )
        .map_err(err)?;
    legend_area
        .draw(&TriangleMarker::new((18, 86), 9, end.filled()))
        .map_err(err)?;
    legend_area
        .draw_text(
            &format!("end {}", hhmmss(track.last().map(|p| p.t))),
            &plain,
            (36, 78),
        )
        .map_err(err)?;
    Ok(())
}

fn hhmmss(t: Option<f64>) -> String {
    t.and_then(|t| chrono::DateTime::from_timestamp(t.round() as i64, 0))
        .map_or_else(|| "—".into(), |d| d.format("%H:%M:%S UTC").to_string())
}

fn min_max(v: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    v.fold(None, |acc, x| match acc {
        None => Some((x, x)),
        Some((a, b)) => Some((a.min(x), b.max(x))),
    })
}

/// A position sample: its time, east and north.
#[derive(Clone, Copy)]
struct Fix {
    t: f64,
    x: f64,
    y: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_run_from_each_bound_to_the_next_level_outwards() {
        let limits = Limits {
            watch: Some(crate::model::limits::Band {
                low: None,
                high: Some(6.0),
            }),
            warning: Some(crate::model::limits::Band {
                low: None,
                high: Some(8.0),
            }),
            ..Limits::default()
        };
        assert_eq!(
            bands(&limits, (0.0, 10.0)),
            vec![
                (LimitLevel::Watch, 6.0, 8.0),
                (LimitLevel::Warning, 8.0, 10.0)
            ]
        );
        assert_eq!(bands(&limits, (0.0, 5.0)), vec![]);
    }
}
