//! The rover's SLIs over the sol, as counters a live exporter would serve and as the error
//! ratios Prometheus would answer for an SLO's windows. Two SLIs:
//!
//! - **mobility commands** (`rover_mobility_commands_total{result}`): about two commands a
//!   second while driving, a fifth of one parked; the wheel slip fails nine in ten for its
//!   five to seven minutes, and an over-temperature motor three in ten: fast enough to page.
//! - **downlink latency** (`rover_downlink_latency_seconds`, a histogram with a 0.5 s
//!   bucket): a frame a second while the link is up; the cold night slows a quarter of them
//!   for hours, the dust devil a third for minutes: slowly enough for a ticket.
//!
//! For [`COUNTED_BEFORE`] (thirty days) before the sol the rover ran at its base rates, so
//! windows reaching back before the recording (a day, three days, thirty) have data, and data
//! enough: an SLO's data-age query answers that its counters began that long before the sol.

use super::world::{IncidentKind, SOL_SECONDS, Telemetry, World};

/// How long before the sol the SLIs' counters began, seconds: the thirty-day period is
/// covered from the sol's start.
pub const COUNTED_BEFORE: f64 = 30.0 * 86_400.0;

/// One of the simulated SLIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sli {
    /// Mobility commands that succeed.
    MobilityCommands,
    /// Downlink frames faster than 0.5 s.
    DownlinkLatency,
}

impl Sli {
    /// The SLI a query's metric names, if it is one of the rover's.
    #[must_use]
    pub fn named_in(promql: &str) -> Option<Self> {
        if promql.contains("rover_mobility_commands_total") {
            Some(Self::MobilityCommands)
        } else if promql.contains("rover_downlink_latency_seconds") {
            Some(Self::DownlinkLatency)
        } else {
            None
        }
    }

    /// Events a second, and the share that are bad, at time `t` of the world with
    /// `incidents` whose telemetry is `tel`.
    #[must_use]
    pub fn rates_at(
        self,
        tel: &Telemetry,
        incidents: &[super::world::Incident],
        t: f64,
    ) -> (f64, f64) {
        let during = |kind: IncidentKind| {
            incidents
                .iter()
                .any(|i| i.kind == kind && i.start <= t && t < i.end)
        };
        self.rates(
            tel,
            during(IncidentKind::WheelSlip),
            during(IncidentKind::LowBattery),
            during(IncidentKind::DustDevil),
        )
    }

    /// Events a second, and the share that are bad, at one moment of the world.
    fn rates(self, t: &Telemetry, slipping: bool, cold: bool, devil: bool) -> (f64, f64) {
        match self {
            Self::MobilityCommands => {
                let rate = if t.driving { 2.0 } else { 0.2 };
                let bad = if slipping {
                    0.9
                } else if t.motor_temp_c[1] > 60.0 {
                    0.3
                } else {
                    0.001
                };
                (rate, bad)
            }
            Self::DownlinkLatency => {
                let rate = if t.comms_up { 1.0 } else { 0.0 };
                let bad = if devil {
                    0.33
                } else if cold {
                    0.25
                } else {
                    0.002
                };
                (rate, bad)
            }
        }
    }

    /// Events a second and the bad share before the sol (parked, link up, nothing wrong).
    fn base(self) -> (f64, f64) {
        match self {
            Self::MobilityCommands => (0.2, 0.001),
            Self::DownlinkLatency => (1.0, 0.002),
        }
    }
}

/// Cumulative counts of one SLI every `step` seconds over the sol: all events and bad ones.
#[derive(Debug, Clone)]
pub struct Counts {
    step: f64,
    total: Vec<f64>,
    bad: Vec<f64>,
    base: (f64, f64),
}

impl Counts {
    /// The counts of `sli` over one sol of the world with `seed`, sampled every `step`.
    #[must_use]
    pub fn of(sli: Sli, seed: u64, step: f64) -> Self {
        let mut world = World::new(seed);
        let incidents = world.incidents().to_vec();
        let during = |kind: IncidentKind, t: f64| {
            incidents
                .iter()
                .any(|i| i.kind == kind && i.start <= t && t < i.end)
        };
        let n = (SOL_SECONDS / step).floor() as usize;
        let (mut total, mut bad) = (vec![0.0; n + 1], vec![0.0; n + 1]);
        for k in 1..=n {
            let t = k as f64 * step;
            let tel = world.sample(t);
            let (rate, share) = sli.rates(
                &tel,
                during(IncidentKind::WheelSlip, t),
                during(IncidentKind::LowBattery, t),
                during(IncidentKind::DustDevil, t),
            );
            total[k] = total[k - 1] + rate * step;
            bad[k] = bad[k - 1] + rate * share * step;
        }
        Self {
            step,
            total,
            bad,
            base: sli.base(),
        }
    }

    /// Cumulative (all, bad) at `t` seconds after the sol's start; before it, base rates
    /// counted backwards (negative), from [`COUNTED_BEFORE`] before the sol.
    fn at(&self, t: f64) -> (f64, f64) {
        if t <= 0.0 {
            let t = t.max(-COUNTED_BEFORE);
            let (rate, share) = self.base;
            return (rate * t, rate * share * t);
        }
        let k = ((t / self.step).floor() as usize).min(self.total.len() - 1);
        (self.total[k], self.bad[k])
    }

    /// The error ratio over the `window` seconds before `t`, as `1 - rate(good)/rate(all)`
    /// would give it; `None` when nothing happened in the window.
    #[must_use]
    pub fn error_ratio(&self, t: f64, window: f64) -> Option<f64> {
        let (total1, bad1) = self.at(t);
        let (total0, bad0) = self.at(t - window);
        let all = total1 - total0;
        (all > 0.0).then(|| ((bad1 - bad0) / all).clamp(0.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::REPLAY_FROM;
    use capcom::model::slo::{Alert, evaluate, workbook_rules};

    fn alert(c: &Counts, objective: f64, t: f64) -> Alert {
        evaluate(objective, &workbook_rules(30.0 * 86_400.0), |w| {
            c.error_ratio(t, w)
        })
    }

    #[test]
    fn the_slip_pages_and_the_cold_night_tickets() {
        let world = World::new(1);
        let slip = world
            .incidents()
            .iter()
            .find(|i| i.kind == IncidentKind::WheelSlip)
            .expect("a slip")
            .clone();
        let mobility = Counts::of(Sli::MobilityCommands, 1, 30.0);
        assert_eq!(alert(&mobility, 0.995, slip.start - 60.0), Alert::Ok);
        assert_eq!(alert(&mobility, 0.995, slip.start + 240.0), Alert::Page);
        assert_eq!(
            alert(&mobility, 0.995, REPLAY_FROM),
            Alert::Page,
            "the demo opens paging"
        );
        assert_eq!(
            alert(&mobility, 0.995, slip.end + 3_600.0),
            Alert::Ticket,
            "an hour on, the burst no longer pages but the day's budget still tickets"
        );
        let downlink = Counts::of(Sli::DownlinkLatency, 1, 30.0);
        assert_eq!(
            alert(&downlink, 0.99, REPLAY_FROM),
            Alert::Ticket,
            "the cold night still burns the day's budget when the replay starts"
        );
        assert_eq!(alert(&downlink, 0.99, 100.0), Alert::Ok, "before the night");
    }

    #[test]
    fn windows_before_the_sol_use_the_base_rates() {
        let c = Counts::of(Sli::DownlinkLatency, 1, 30.0);
        let r = c.error_ratio(60.0, 3.0 * 86_400.0).expect("data");
        assert!((r - 0.002).abs() < 1e-4, "{r}");
    }
}
