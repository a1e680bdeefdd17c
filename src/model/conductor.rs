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
    fn spans_and_ages_read_naturally() {
        assert_eq!(format_span(900.0), "15m");
        assert_eq!(format_span(604_800.0), "7d");
        assert_eq!(format_span(90.0), "90s");
        assert_eq!(format_age(41.7), "41s");
        assert_eq!(format_age(600.0), "10m");
        assert_eq!(format_age(-3.0), "0s");
    }
}
