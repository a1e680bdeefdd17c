//! The mobility slip check: every look (30 s) while driving, mobility compares the wheels'
//! odometry with the ground actually covered and reads the six drive motors' currents. A
//! slipping wheel digs in and draws the most current, so the check names the wheel drawing
//! the most (`rover.wheel`) — in soft sand the LM, otherwise whichever the terrain loads most
//! at that moment — and fails when the slip ratio passes [`SLIP_LIMIT`].

use super::{Drive, STEP_US, Sol, look_us};
use crate::rng::Rng;
use crate::span_builder::{Builder, TraceKey, int_attr, num_attr, str_attr};
use crate::world::{Telemetry, WHEELS};
use capcom::model::span::{SpanKind, Trace};

/// Slip ratio (wheel turns against ground covered) past which the check fails.
pub const SLIP_LIMIT: f64 = 0.3;

/// One slip check.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Check {
    /// The look it ran at.
    pub look: usize,
    /// The drive it ran in.
    pub seq: u32,
    /// The drive's step (1…4).
    pub step: i64,
    /// The wheel drawing the most current (index into `WHEELS`).
    pub wheel: usize,
    /// Its current (A).
    pub current: f64,
    /// Slip ratio over the last look, 0…1.
    pub ratio: f64,
}

impl Check {
    pub fn failed(&self) -> bool {
        self.ratio > SLIP_LIMIT
    }

    pub fn wheel(&self) -> &'static str {
        WHEELS[self.wheel]
    }
}

/// Slip ratio between two looks: the share of the wheels' turning that did not move the
/// rover (0 when it barely turned).
pub(crate) fn slip_ratio(prev: &Telemetry, now: &Telemetry) -> f64 {
    let turned = now.odometry_m - prev.odometry_m;
    if turned < 0.05 {
        return 0.0;
    }
    let moved = (now.x_m - prev.x_m).hypot(now.y_m - prev.y_m).min(turned);
    (1.0 - moved / turned).clamp(0.0, 1.0)
}

/// The six drive motors' currents (A) at look `k`: terrain noise on each, and the slipping
/// LM wheel (whose slip is `lm_slip`) digging in and drawing more once it slips more than a
/// tenth.
pub(crate) fn currents(seed: u64, k: usize, lm_slip: f64) -> [f64; 6] {
    let mut r = Rng::new(seed ^ (k as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F) ^ 0xC022_E47);
    let mut out = [0.0; 6];
    for (i, c) in out.iter_mut().enumerate() {
        // A little slip is the normal give of the ground; digging in draws current.
        let dig = if WHEELS[i] == "LM" {
            2.5 * (lm_slip - 0.25).max(0.0)
        } else {
            0.0
        };
        *c = (1.1 + 0.15 * r.normal() + dig).max(0.0);
    }
    out
}

/// The wheel drawing the most current, and its current.
pub(crate) fn busiest(currents: &[f64; 6]) -> (usize, f64) {
    let mut best = (0, currents[0]);
    for (i, &c) in currents.iter().enumerate() {
        if c > best.1 {
            best = (i, c);
        }
    }
    best
}

/// The look's currents, reading the slip off the looks before and at `k`.
pub(crate) fn currents_at(sol: &Sol, k: usize) -> [f64; 6] {
    let ratio = if k > 0 {
        slip_ratio(&sol.looks[k - 1], &sol.looks[k])
    } else {
        0.0
    };
    currents(sol.seed, k, ratio)
}

/// Every slip check of the sol: at each look that ends a whole look of driving.
pub(crate) fn checks(sol: &Sol) -> Vec<Check> {
    let mut out = Vec::new();
    for k in 1..sol.looks.len() {
        if !(sol.looks[k - 1].driving && sol.looks[k].driving) {
            continue;
        }
        let Some(d) = sol.drive_at(k) else { continue };
        let ratio = slip_ratio(&sol.looks[k - 1], &sol.looks[k]);
        let (wheel, current) = busiest(&currents(sol.seed, k, ratio));
        out.push(Check {
            look: k,
            seq: d.seq,
            step: step_of(d, k),
            wheel,
            current,
            ratio,
        });
    }
    out
}

/// The step (1…4) of drive `d` look `k` falls in.
fn step_of(d: &Drive, k: usize) -> i64 {
    let since = look_us(k) - look_us(d.ack);
    (since / STEP_US + 1).clamp(1, super::STEPS)
}

/// What the check says when it fails, in its span status and in the event stream.
pub(crate) fn message(c: &Check) -> String {
    format!(
        "wheel {} slip {:.0} % over the {:.0} % limit on DRIVE_SEQ_{:03} step {}",
        c.wheel(),
        100.0 * c.ratio,
        100.0 * SLIP_LIMIT,
        c.seq,
        c.step
    )
}

/// The check's trace: one mobility span, failed with an exception event past the limit.
pub(super) fn trace(sol: &Sol, c: &Check) -> Trace {
    let mut b = Builder::new(sol.seed, TraceKey::SlipCheck(c.look as u32));
    let start = look_us(c.look) + b.ms(200.0, 800.0);
    let end = start + b.ms(30.0, 90.0);
    let span = b.span(
        None,
        "mobility",
        "slip.check",
        SpanKind::Internal,
        (start, end),
    );
    b.attrs(
        span,
        [
            str_attr("code.function", "mobility::slip::check"),
            str_attr("rover.wheel", c.wheel()),
            num_attr("rover.motor_current_a", c.current, 3),
            num_attr("rover.slip_ratio", c.ratio, 3),
            num_attr("rover.slip_limit", SLIP_LIMIT, 2),
            int_attr("rover.step", c.step),
        ],
    );
    if c.failed() {
        let text = message(c);
        let attrs = vec![
            str_attr("exception.type", "SlipLimitExceeded"),
            str_attr("exception.message", &text),
        ];
        b.event(span, start + (end - start) / 2, "exception", attrs);
        b.fail(span, text);
    }
    b.finish()
}
