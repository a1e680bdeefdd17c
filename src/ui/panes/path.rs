//! The rover path pane: the x/y track on a braille map at equal scale in both axes, the part
//! inside the time window brighter than the older track, the current position with its heading,
//! and a scale bar.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use ratatui::widgets::canvas::{Canvas, Points};

use crate::app::App;
use crate::config::QueryId;
use crate::model::{Point, SeriesBuf};

/// Heading arrows, clockwise from north, one per 45°.
const ARROWS: [&str; 8] = ["↑", "↗", "→", "↘", "↓", "↙", "←", "↖"];

/// Draws the path from queries `x`, `y` (and `heading`) into `area`.
pub fn render(
    app: &App,
    x: QueryId,
    y: QueryId,
    heading: Option<QueryId>,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = &app.theme;
    let first = |q: QueryId| app.queries[q].set.iter().next().map(|(_, b)| b);
    let (Some(xs), Some(ys)) = (first(x), first(y)) else {
        Line::styled("waiting for data…", theme.dim).render(area, buf);
        return;
    };
    let end = app.conductor.end(app.now);
    let start = end - app.conductor.window;
    let track = join(xs, ys, end);
    let Some(&(_, cx, cy)) = track.last() else {
        Line::styled("no position yet", theme.dim).render(area, buf);
        return;
    };
    let hdg = heading
        .and_then(first)
        .and_then(|b| b.latest_at(end))
        .map(|p| p.v);
    let header = Rect { height: 1, ..area };
    let mut spans = vec![Span::styled(format!("({cx:.1}, {cy:.1}) m"), theme.text)];
    if let Some(h) = hdg {
        spans.push(Span::styled(
            format!(" {}{:.0}°", arrow(h), h.rem_euclid(360.0)),
            theme.path_current,
        ));
    }
    Line::from(spans).render(header, buf);
    let map = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(2),
        ..area
    };
    if map.height < 2 || map.width < 4 {
        return;
    }
    let (xb, yb, metres_per_col) = bounds(&track, map);
    let old: Vec<(f64, f64)> = track
        .iter()
        .filter(|p| p.0 < start)
        .map(|p| (p.1, p.2))
        .collect();
    let recent: Vec<(f64, f64)> = track
        .iter()
        .filter(|p| p.0 >= start)
        .map(|p| (p.1, p.2))
        .collect();
    let color = |s: Style| s.fg.unwrap_or(Color::Reset);
    Canvas::default()
        .marker(Marker::Braille)
        .x_bounds(xb)
        .y_bounds(yb)
        .paint(|ctx| {
            ctx.draw(&Points {
                coords: &old,
                color: color(theme.path_old),
            });
            ctx.draw(&Points {
                coords: &recent,
                color: color(theme.path_recent),
            });
        })
        .render(map, buf);
    mark_position(app, (cx, cy), hdg, (xb, yb), map, buf);
    render_scale(
        app,
        metres_per_col,
        Rect {
            y: area.bottom() - 1,
            height: 1,
            ..area
        },
        buf,
    );
}

/// Writes `●` in the cell holding the track's last point (found as the braille grid finds it)
/// and the heading's arrow in the neighbouring cell it points to, clamped inside the map.
fn mark_position(
    app: &App,
    (east, north): (f64, f64),
    heading: Option<f64>,
    (xb, yb): ([f64; 2], [f64; 2]),
    map: Rect,
    buf: &mut Buffer,
) {
    let (cols, rows) = (f64::from(map.width), f64::from(map.height));
    let dot_x = ((east - xb[0]) / (xb[1] - xb[0]) * (cols * 2.0 - 1.0)).max(0.0);
    let dot_y = ((yb[1] - north) / (yb[1] - yb[0]) * (rows * 4.0 - 1.0)).max(0.0);
    let (col, row) = ((dot_x / 2.0) as i32, (dot_y / 4.0) as i32);
    let style = app.theme.path_current;
    let mut put = |c: i32, r: i32, symbol: &str| {
        let c = c.clamp(0, i32::from(map.width) - 1) as u16;
        let r = r.clamp(0, i32::from(map.height) - 1) as u16;
        if let Some(cell) = buf.cell_mut((map.x + c, map.y + r)) {
            cell.set_symbol(symbol).set_style(style);
        }
    };
    if let Some(hd) = heading {
        let (dx, dy) = STEPS[octant(hd)];
        put(col + dx, row + dy, arrow(hd));
    }
    put(col, row, "●");
}

/// The track up to `end`: x and y samples joined on their timestamps.
fn join(xs: &SeriesBuf, ys: &SeriesBuf, end: f64) -> Vec<(f64, f64, f64)> {
    let (xs, ys) = (xs.points(), ys.points());
    let mut out = Vec::with_capacity(xs.len().min(ys.len()));
    let (mut i, mut j) = (0, 0);
    while i < xs.len() && j < ys.len() {
        let (a, b): (Point, Point) = (xs[i], ys[j]);
        if a.t > end || b.t > end {
            break;
        }
        if a.t < b.t {
            i += 1;
        } else if b.t < a.t {
            j += 1;
        } else {
            if a.v.is_finite() && b.v.is_finite() {
                out.push((a.t, a.v, b.v));
            }
            i += 1;
            j += 1;
        }
    }
    out
}

/// Canvas bounds showing the whole track with a margin, at equal metres per braille dot in x
/// and y (a dot is as wide as it is tall: 2 across and 4 down per cell of about 1:2), and the
/// metres one cell column spans.
fn bounds(track: &[(f64, f64, f64)], map: Rect) -> ([f64; 2], [f64; 2], f64) {
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for &(_, x, y) in track {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    let (dots_x, dots_y) = (f64::from(map.width) * 2.0, f64::from(map.height) * 4.0);
    // A margin of two cells each side, so the heading arrow beside the position always fits.
    let (room_x, room_y) = ((dots_x - 8.0).max(2.0), (dots_y - 16.0).max(2.0));
    let span = ((x1 - x0) / room_x).max((y1 - y0) / room_y).max(0.05) * 1.05;
    let (mx, my) = (f64::midpoint(x0, x1), f64::midpoint(y0, y1));
    let (hx, hy) = (span * dots_x / 2.0, span * dots_y / 2.0);
    ([mx - hx, mx + hx], [my - hy, my + hy], span * 2.0)
}

/// A scale bar of a round length (1, 2 or 5 × 10ⁿ m) about a quarter of the pane wide.
fn render_scale(app: &App, metres_per_col: f64, area: Rect, buf: &mut Buffer) {
    let target = metres_per_col * f64::from(area.width) / 4.0;
    let Some(magnitude) = crate::num::decade(target) else {
        return;
    };
    let length = [5.0, 2.0, 1.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|&l| l <= target)
        .unwrap_or(magnitude);
    let cols = ((length / metres_per_col).round() as usize).max(2);
    let label = if length >= 1000.0 {
        format!(" {} km", length / 1000.0)
    } else {
        format!(" {length} m")
    };
    let bar = format!("├{}┤{label}", "─".repeat(cols - 2));
    Line::styled(bar, app.theme.dim)
        .right_aligned()
        .render(area, buf);
}

/// The arrow nearest a heading in degrees.
/// The cell a step towards each of `ARROWS`, as (column, row).
const STEPS: [(i32, i32); 8] = [
    (0, -1),
    (1, -1),
    (1, 0),
    (1, 1),
    (0, 1),
    (-1, 1),
    (-1, 0),
    (-1, -1),
];

/// Which of the eight compass points (0 north, clockwise) a heading in degrees is nearest.
fn octant(heading: f64) -> usize {
    ((heading.rem_euclid(360.0) + 22.5) / 45.0) as usize % 8
}

fn arrow(heading: f64) -> &'static str {
    ARROWS[octant(heading)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_point_the_way_of_the_heading_and_sit_that_way() {
        let arrow = |hd: f64| (arrow(hd), STEPS[octant(hd)]);
        assert_eq!(arrow(0.0), ("↑", (0, -1)));
        assert_eq!(arrow(29.0), ("↗", (1, -1)));
        assert_eq!(arrow(44.0), ("↗", (1, -1)));
        assert_eq!(arrow(90.0), ("→", (1, 0)));
        assert_eq!(arrow(200.0), ("↓", (0, 1)));
        assert_eq!(arrow(350.0), ("↑", (0, -1)));
        assert_eq!(arrow(-90.0), ("←", (-1, 0)));
        assert_eq!(arrow(-44.0), ("↖", (-1, -1)));
    }

    #[test]
    fn bounds_keep_metres_equal_in_both_axes() {
        let track = [(0.0, 0.0, 0.0), (1.0, 100.0, 10.0)];
        let (xb, yb, _) = bounds(&track, Rect::new(0, 0, 50, 25));
        let per_dot_x = (xb[1] - xb[0]) / 100.0;
        let per_dot_y = (yb[1] - yb[0]) / 100.0;
        assert!((per_dot_x - per_dot_y).abs() < 1e-9);
        assert!(xb[0] < 0.0 && xb[1] > 100.0);
    }
}
