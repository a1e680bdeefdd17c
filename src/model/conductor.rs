//! The time conductor, after Open MCT's: one time window for every pane, either following now
//! (real-time) or fixed at a chosen end (paused), which can be scrubbed and zoomed.

/// The windows `+` and `-` step through, in seconds: 5m, 15m, 1h, 6h, 1d, 7d.
pub const WINDOWS: [f64; 6] = [300.0, 900.0, 3_600.0, 21_600.0, 86_400.0, 604_800.0];

/// The shared time window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Conductor {
    /// Window length, seconds.
    pub window: f64,
    /// The fixed window end while paused; `None` follows now.
    pub paused_at: Option<f64>,
}

impl Conductor {
    /// Following now with a window of `window` seconds.
    #[must_use]
    pub fn new(window: f64) -> Self {
        Self {
            window,
            paused_at: None,
        }
    }

    /// The window's end at time `now`.
    #[must_use]
    pub fn end(&self, now: f64) -> f64 {
        self.paused_at.map_or(now, |p| p.min(now))
    }

    /// The window's start at time `now`.
    #[must_use]
    pub fn start(&self, now: f64) -> f64 {
        self.end(now) - self.window
    }

    /// Pauses at `now`, or follows now again.
    pub fn toggle_pause(&mut self, now: f64) {
        self.paused_at = match self.paused_at {
            Some(_) => None,
            None => Some(now),
        };
    }

    /// Moves the window by `fraction` of its length (negative is back), pausing first. Moving
    /// forward up to now stays paused at now; the user follows again with `GoLive`.
    pub fn scrub(&mut self, fraction: f64, now: f64) {
        let end = self.end(now) + fraction * self.window;
        self.paused_at = Some(end.min(now));
    }

    /// Pauses at what a jump-to-time line asked for: an end (the window keeps its length) or
    /// fixed bounds (the window becomes exactly that range).
    pub fn jump(&mut self, jump: Jump, now: f64) {
        match jump {
            Jump::End(end) => self.paused_at = Some(end.min(now)),
            Jump::Bounds { start, end } => {
                self.window = end - start;
                self.paused_at = Some(end.min(now));
            }
        }
    }

    /// The next longer (`wider`) or shorter window on the [`WINDOWS`] ladder.
    pub fn zoom(&mut self, wider: bool) {
        self.window = if wider {
            WINDOWS
                .iter()
                .copied()
                .find(|&w| w > self.window)
                .unwrap_or(self.window)
        } else {
            WINDOWS
                .iter()
                .rev()
                .copied()
                .find(|&w| w < self.window)
                .unwrap_or(self.window)
        };
    }
}

/// What a jump-to-time line asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Jump {
    /// Pause with the window ending here (Unix s).
    End(f64),
    /// Pause with the window exactly this range (Unix s).
    Bounds {
        /// The window's start.
        start: f64,
        /// The window's end.
        end: f64,
    },
}

/// Reads a jump-to-time line at display time `now`: an instant, or `START..END` for fixed
/// bounds. An instant is relative (`-3h`, `-90m`, `-1h30m`: before now), a time of day (`09:05`,
/// `09:05:30`: UTC, on the date of `day_of`, the display's end), or a date and time
/// (`2026-11-26T09:05Z`, `2026-11-26 09:05:30`, `2026-11-26`), all UTC.
///
/// # Errors
/// What could not be read, in one line for the status bar.
pub fn parse_jump(text: &str, now: f64, day_of: f64) -> Result<Jump, String> {
    let text = text.trim();
    if let Some((a, b)) = text.split_once("..") {
        let start = parse_instant(a, now, day_of)?;
        let end = parse_instant(b, now, day_of)?;
        if end <= start {
            return Err(format!("{text:?}: the end must come after the start"));
        }
        if end > now + 1.0 {
            return Err(format!("{text:?}: the end is after now"));
        }
        return Ok(Jump::Bounds { start, end });
    }
    parse_instant(text, now, day_of).map(Jump::End)
}

/// One instant of a jump-to-time line (see [`parse_jump`]).
fn parse_instant(text: &str, now: f64, day_of: f64) -> Result<f64, String> {
    use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
    let text = text.trim();
    let bad = || {
        format!("cannot read {text:?} as a time: try 09:05, 2026-11-26T09:05Z, -3h or 09:00..09:30")
    };
    if let Some(ago) = text.strip_prefix('-') {
        let d = humantime::parse_duration(ago.trim()).map_err(|_| bad())?;
        return Ok(now - d.as_secs_f64());
    }
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(d.timestamp_millis() as f64 / 1000.0);
    }
    let naive = text.strip_suffix(['Z', 'z']).unwrap_or(text);
    let secs = |d: NaiveDateTime| d.and_utc().timestamp_millis() as f64 / 1000.0;
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(naive, fmt) {
            return Ok(secs(d));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(naive, "%Y-%m-%d") {
        return Ok(secs(d.and_time(NaiveTime::MIN)));
    }
    let day = chrono::DateTime::from_timestamp(day_of.floor() as i64, 0)
        .map(|d| d.date_naive())
        .ok_or_else(bad)?;
    for fmt in ["%H:%M:%S%.f", "%H:%M"] {
        if let Ok(t) = NaiveTime::parse_from_str(naive, fmt) {
            return Ok(secs(day.and_time(t)));
        }
    }
    Err(bad())
}

/// Whether times in a list need their date: the window `start..end` spans more than one UTC
/// day, or it is not on `today`'s date.
#[must_use]
pub fn needs_date(start: f64, end: f64, today: f64) -> bool {
    let day = |t: f64| (t / 86_400.0).floor() as i64;
    day(start) != day(end) || day(end) != day(today)
}

/// A window length as people write it: `5m`, `1h`, `7d`, `90s`.
#[must_use]
pub fn format_span(secs: f64) -> String {
    let s = secs.round() as i64;
    match s {
        s if s % 86_400 == 0 && s > 0 => format!("{}d", s / 86_400),
        s if s % 3_600 == 0 && s > 0 => format!("{}h", s / 3_600),
        s if s % 60 == 0 && s > 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// An age as a short word: `4s`, `12m`, `3h`, `2d`.
#[must_use]
pub fn format_age(secs: f64) -> String {
    let s = secs.max(0.0).floor() as i64;
    match s {
        s if s < 120 => format!("{s}s"),
        s if s < 7_200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3_600),
        s => format!("{}d", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn following_tracks_now_and_pausing_freezes_the_end() {
        let mut c = Conductor::new(900.0);
        assert_eq!(c.end(100.0), 100.0);
        c.toggle_pause(100.0);
        assert_eq!(c.end(200.0), 100.0);
        assert_eq!(c.start(200.0), 100.0 - 900.0);
        c.toggle_pause(200.0);
        assert_eq!(c.end(300.0), 300.0);
    }

    #[test]
    fn scrubbing_pauses_and_never_passes_now() {
        let mut c = Conductor::new(1000.0);
        c.scrub(-0.25, 5000.0);
        assert_eq!(c.paused_at, Some(4750.0));
        c.scrub(1.0, 5000.0);
        assert_eq!(c.paused_at, Some(5000.0));
    }

    #[test]
    fn zoom_walks_the_ladder_and_stops_at_its_ends() {
        let mut c = Conductor::new(900.0);
        c.zoom(true);
        assert_eq!(c.window, 3600.0);
        c.zoom(false);
        c.zoom(false);
        c.zoom(false);
        assert_eq!(c.window, 300.0);
        let mut odd = Conductor::new(1200.0);
        odd.zoom(false);
        assert_eq!(odd.window, 900.0);
    }

    #[test]
    fn a_jump_reads_relative_clock_dated_and_bounded_times() {
        // 2026-11-26T21:01:16Z
        let now = 1_795_726_876.0;
        let day = 1_795_651_200.0;
        assert_eq!(parse_jump("-3h", now, now), Ok(Jump::End(now - 10_800.0)));
        assert_eq!(
            parse_jump(" -1h30m ", now, now),
            Ok(Jump::End(now - 5_400.0))
        );
        assert_eq!(parse_jump("09:05", now, now), Ok(Jump::End(day + 32_700.0)));
        assert_eq!(
            parse_jump("09:05:30", now, now),
            Ok(Jump::End(day + 32_730.0))
        );
        for dated in [
            "2026-11-26T09:05Z",
            "2026-11-26T09:05:00Z",
            "2026-11-26 09:05",
        ] {
            assert_eq!(
                parse_jump(dated, now, 0.0),
                Ok(Jump::End(day + 32_700.0)),
                "{dated}"
            );
        }
        assert_eq!(
            parse_jump("2026-11-26T10:05:00+01:00", now, 0.0),
            Ok(Jump::End(day + 32_700.0))
        );
        assert_eq!(parse_jump("2026-11-26", now, 0.0), Ok(Jump::End(day)));
        assert_eq!(
            parse_jump("09:00..09:30", now, now),
            Ok(Jump::Bounds {
                start: day + 32_400.0,
                end: day + 34_200.0
            })
        );
        for bad in [
            "",
            "soon",
            "25:00",
            "-3 parsecs",
            "09:30..09:00",
            "09:00..23:00",
        ] {
            let e = parse_jump(bad, now, now).expect_err(bad);
            assert!(!e.contains('\n') && e.contains(bad.trim()), "{e}");
        }
    }

    #[test]
    fn a_jump_pauses_at_its_end_or_sets_exact_bounds() {
        let mut c = Conductor::new(900.0);
        c.jump(Jump::End(500.0), 1000.0);
        assert_eq!((c.paused_at, c.window), (Some(500.0), 900.0));
        c.jump(Jump::End(5000.0), 1000.0);
        assert_eq!(c.paused_at, Some(1000.0), "never past now");
        c.jump(
            Jump::Bounds {
                start: 100.0,
                end: 400.0,
            },
            1000.0,
        );
        assert_eq!((c.start(1000.0), c.end(1000.0)), (100.0, 400.0));
    }

    #[test]
    fn lists_need_dates_across_midnight_or_away_from_today() {
        let d = 86_400.0 * 20_000.0;
        assert!(!needs_date(d + 3600.0, d + 7200.0, d + 7300.0));
        assert!(needs_date(d - 60.0, d + 60.0, d + 60.0), "across midnight");
        assert!(
            needs_date(d + 3600.0, d + 7200.0, d + 86_400.0 * 7.0),
            "another day"
        );
    }

    #[test]
    fn spans_and_ages_read_naturally() {
        assert_eq!(format_span(900.0), "15m");
        assert_eq!(format_span(604_800.0), "7d");
        assert_eq!(format_span(90.0), "90s");
        assert_eq!(format_age(41.7), "41s");
        assert_eq!(format_age(600.0), "10m");
        assert_eq!(format_age(-3.0), "0s");
    }
}
