//! A strip chart: one series as a braille line over a time range, drawn straight into the
//! buffer. However many points the series holds, the work is one pass over the points in range
//! plus one over the columns: each braille dot column keeps only the lowest and highest value the
//! line passes through in it (the min/max per column that lets 10,000 points draw as fast as 100).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::config::theme::Theme;
use crate::model::{LimitLevel, Limits, Point};

/// Braille dot bits, indexed by [dot row 0..4][dot column 0..2].
const DOTS: [[u8; 2]; 4] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]];

/// One series to draw.
pub struct Strip<'a> {
    /// The points, sorted by time; one either side of the range is used to reach its edges.
    pub points: &'a [Point],
    /// Time at the left edge (Unix s).
    pub start: f64,
    /// Time at the right edge (Unix s).
    pub end: f64,
    /// Value at the bottom and top edges.
    pub y_range: (f64, f64),
    /// Points further apart than this (seconds) are not joined: a gap in the data shows.
    pub max_gap: f64,
    /// Limits, to colour the cells where the line crosses them.
    pub limits: &'a Limits,
    /// The line's style when nominal.
    pub style: Style,
}

impl Strip<'_> {
    /// Draws the line into `area` of `buf`.
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        if area.is_empty() || self.end <= self.start {
            return;
        }
        let cols = usize::from(area.width) * 2;
        let mut lo = vec![f64::INFINITY; cols];
        let mut hi = vec![f64::NEG_INFINITY; cols];
        let mut level: Vec<Option<LimitLevel>> = vec![None; usize::from(area.width)];
        self.rasterize(&mut lo, &mut hi, &mut level);
        let rows = usize::from(area.height) * 4;
        let (y0, y1) = self.y_range;
        let span = if y1 > y0 { y1 - y0 } else { 1.0 };
        let to_row = |v: f64| {
            (((y1 - v) / span) * (rows - 1) as f64)
                .round()
                .clamp(0.0, (rows - 1) as f64) as usize
        };
        self.render_limit_lines(area, buf, theme, &to_row);
        for (cx, &cell_level) in level.iter().enumerate() {
            let mut spans = [(usize::MAX, 0usize); 2];
            for (k, s) in spans.iter_mut().enumerate() {
                let c = cx * 2 + k;
                if lo[c] <= hi[c] {
                    *s = (to_row(hi[c]), to_row(lo[c]));
                }
            }
            if spans.iter().all(|s| s.0 == usize::MAX) {
                continue;
            }
            let style = theme.limit(cell_level, self.style);
            for cy in 0..usize::from(area.height) {
                let mut bits = 0u8;
                for (k, &(top, bottom)) in spans.iter().enumerate() {
                    if top == usize::MAX {
                        continue;
                    }
                    for (r, row_bits) in DOTS.iter().enumerate() {
                        let dot = cy * 4 + r;
                        if dot >= top && dot <= bottom {
                            bits |= row_bits[k];
                        }
                    }
                }
                if bits != 0 {
                    let pos = (area.x + cx as u16, area.y + cy as u16);
                    if let Some(cell) = buf.cell_mut(pos) {
                        cell.set_char(char::from_u32(0x2800 + u32::from(bits)).unwrap_or(' '))
                            .set_style(style);
                    }
                }
            }
        }
    }

    /// A dotted line (one braille dot per cell, so it never reads as a series) at each limit
    /// bound inside the value range, in the level's colour; the series is drawn over it.
    fn render_limit_lines(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: &Theme,
        to_row: &dyn Fn(f64) -> usize,
    ) {
        let (y0, y1) = self.y_range;
        for (level, v) in self.limits.bounds().filter(|&(_, v)| v >= y0 && v <= y1) {
            let dot = to_row(v);
            let (cy, r) = (dot / 4, dot % 4);
            let limit = theme.limit(Some(level), theme.dim);
            let style = limit.fg.map_or(theme.dim, |c| Style::new().fg(c));
            let glyph = char::from_u32(0x2800 + u32::from(DOTS[r][0])).unwrap_or('·');
            for cx in 0..area.width {
                if let Some(cell) = buf.cell_mut((area.x + cx, area.y + cy as u16)) {
                    cell.set_char(glyph).set_style(style);
                }
            }
        }
    }

    /// Fills per-dot-column value ranges, then per-cell worst limit levels. Dense data (many
    /// points per column) stays in registers; only a line crossing columns is interpolated.
    fn rasterize(&self, lo: &mut [f64], hi: &mut [f64], level: &mut [Option<LimitLevel>]) {
        let cols = lo.len() as i64;
        let dt = (self.end - self.start) / cols as f64;
        let per_dt = 1.0 / dt;
        // Truncation, not `floor` (a libm call on baseline x86-64): negative means "before".
        let col_of = |t: f64| {
            let x = (t - self.start) * per_dt;
            if x < 0.0 { -1 } else { x as i64 }
        };
        let mut include = |c: i64, a: f64, b: f64| {
            if (0..cols).contains(&c) {
                let c = c as usize;
                lo[c] = lo[c].min(a.min(b));
                hi[c] = hi[c].max(a.max(b));
            }
        };
        // The column being accumulated and the range of values in it so far.
        let (mut cur, mut cur_lo, mut cur_hi) = (i64::MIN, f64::INFINITY, f64::NEG_INFINITY);
        let mut prev: Option<Point> = None;
        for &p in self.points {
            if !p.v.is_finite() {
                prev = None;
                continue;
            }
            let c = col_of(p.t);
            match prev {
                Some(_) if c == cur => {}
                Some(q) if p.t - q.t <= self.max_gap => {
                    // The line leaves column `cur` and crosses to `c`: close `cur` at its right
                    // edge, fill the columns between, and enter `c` at its left edge.
                    let slope = (p.v - q.v) / (p.t - q.t).max(f64::MIN_POSITIVE);
                    let at = |col: i64| q.v + slope * (self.start + col as f64 * dt - q.t);
                    include(cur, cur_lo.min(at(cur + 1)), cur_hi.max(at(cur + 1)));
                    for col in (cur + 1).max(0)..c.min(cols) {
                        include(col, at(col), at(col + 1));
                    }
                    (cur_lo, cur_hi) = (at(c), at(c));
                    cur = c;
                }
                _ => {
                    include(cur, cur_lo, cur_hi);
                    (cur, cur_lo, cur_hi) = (c, f64::INFINITY, f64::NEG_INFINITY);
                }
            }
            cur_lo = cur_lo.min(p.v);
            cur_hi = cur_hi.max(p.v);
            prev = Some(p);
        }
        include(cur, cur_lo, cur_hi);
        // The worst level in a cell is at its lowest or highest value (the ladder is monotonic).
        for (cell, l) in level.iter_mut().enumerate() {
            let (a, b) = (cell * 2, cell * 2 + 1);
            let (min, max) = (lo[a].min(lo[b]), hi[a].max(hi[b]));
            if min <= max {
                *l = self.limits.level(min).max(self.limits.level(max));
            }
        }
    }
}

/// The value range of the finite points between `start` and `end`, widened when flat so a
/// constant line sits mid-strip. `None` when there is no finite point.
#[must_use]
pub fn value_range(points: &[Point], start: f64, end: f64) -> Option<(f64, f64)> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for p in points
        .iter()
        .filter(|p| p.t >= start && p.t <= end && p.v.is_finite())
    {
        lo = lo.min(p.v);
        hi = hi.max(p.v);
    }
    if lo > hi {
        return None;
    }
    if hi - lo < f64::EPSILON * hi.abs().max(1.0) * 8.0 {
        let pad = (hi.abs() * 0.01).max(0.5);
        return Some((lo - pad, hi + pad));
    }
    Some((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw(points: &[Point], w: u16, h: u16, max_gap: f64) -> Vec<String> {
        draw_with(points, w, h, max_gap, &Limits::default())
    }

    fn draw_with(points: &[Point], w: u16, h: u16, max_gap: f64, limits: &Limits) -> Vec<String> {
        let theme = Theme::builtin("mono").expect("mono");
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        let strip = Strip {
            points,
            start: 0.0,
            end: 100.0,
            y_range: (0.0, 10.0),
            max_gap,
            limits,
            style: Style::new(),
        };
        strip.render(area, &mut buf, &theme);
        (0..h)
            .map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_owned()).collect())
            .collect()
    }

    fn p(t: f64, v: f64) -> Point {
        Point { t, v }
    }

    #[test]
    fn a_rising_line_goes_from_bottom_left_to_top_right() {
        let rows = draw(&[p(0.0, 0.0), p(100.0, 10.0)], 4, 2, 1000.0);
        let cell = |r: usize, c: usize| rows[r].chars().nth(c).expect("cell");
        assert_eq!(cell(0, 0), ' ', "{rows:?}");
        assert_ne!(cell(1, 0), ' ', "{rows:?}");
        assert_ne!(cell(0, 3), ' ', "{rows:?}");
        assert_eq!(cell(1, 3), ' ', "{rows:?}");
        assert!(rows.iter().all(|r| {
            r.chars()
                .all(|c| c == ' ' || ('\u{2800}'..='\u{28ff}').contains(&c))
        }));
    }

    #[test]
    fn a_gap_longer_than_max_gap_is_not_joined() {
        let joined = draw(&[p(0.0, 5.0), p(99.0, 5.0)], 10, 1, 1000.0);
        let gapped = draw(&[p(0.0, 5.0), p(99.0, 5.0)], 10, 1, 10.0);
        assert!(!joined[0].contains(' '), "{joined:?}");
        assert_eq!(
            gapped[0].chars().filter(|c| *c != ' ').count(),
            2,
            "{gapped:?}"
        );
    }

    #[test]
    fn nan_breaks_the_line() {
        let rows = draw(
            &[p(0.0, 5.0), p(50.0, f64::NAN), p(99.0, 5.0)],
            10,
            1,
            1000.0,
        );
        assert_eq!(rows[0].chars().filter(|c| *c != ' ').count(), 2, "{rows:?}");
    }

    #[test]
    fn limit_bounds_in_range_are_dotted_lines_under_the_series() {
        use crate::model::limits::Band;
        let limits = Limits {
            warning: Some(Band {
                low: Some(-50.0),
                high: Some(7.5),
            }),
            critical: Some(Band {
                low: None,
                high: Some(10.0),
            }),
            ..Limits::default()
        };
        // Range 0..10 over 2 rows (8 dot rows): 7.5 is dot row 2 (row 0), 10 is dot row 0.
        let rows = draw_with(&[p(0.0, 2.0), p(99.0, 2.0)], 6, 2, 1000.0, &limits);
        assert_eq!(
            rows[0],
            "⠁".repeat(6),
            "critical at 10 over warning at 7.5: {rows:?}"
        );
        assert!(
            !rows[1].contains('⠁'),
            "the series row keeps its line: {rows:?}"
        );
        let only_warning = Limits {
            critical: None,
            ..limits
        };
        let rows = draw_with(&[p(0.0, 2.0), p(99.0, 2.0)], 6, 2, 1000.0, &only_warning);
        assert_eq!(
            rows[0],
            "⠄".repeat(6),
            "warning at 7.5 is the third dot row: {rows:?}"
        );
    }

    #[test]
    fn flat_ranges_are_widened_and_empty_is_none() {
        assert_eq!(value_range(&[p(1.0, 3.0)], 0.0, 2.0), Some((2.5, 3.5)));
        assert_eq!(value_range(&[p(1.0, f64::NAN)], 0.0, 2.0), None);
        assert_eq!(
            value_range(&[p(1.0, 1.0), p(2.0, 4.0)], 0.0, 5.0),
            Some((1.0, 4.0))
        );
    }
}
