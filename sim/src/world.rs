//! The rover's world: a deterministic physics simulation of a Mars rover over about one sol —
//! traverse, weather, power, thermal, wheel wear and a few seeded incidents. It owns the physics
//! only: no I/O, no clocks, no threads. Output is a pure function of `(seed, t)`.

use super::rng::{self, Rng};
use IncidentKind::{CameraFirmware, CommsLoss, DustDevil, LowBattery, WheelSlip};
use std::f64::consts::{PI, TAU};

/// Length of one Martian sol in seconds.
pub const SOL_SECONDS: f64 = 88_775.0;
/// Wheel names, in the order of the per-wheel telemetry arrays (left/right, front/middle/rear).
pub const WHEELS: [&str; 6] = ["LF", "LM", "LR", "RF", "RM", "RR"];

/// Integration step (s): the state lives on this fixed grid, whatever the call times.
const STEP: f64 = 10.0;
/// One Mars hour (1/24 sol) in seconds; the schedule is written in local mean solar hours.
const HOUR: f64 = SOL_SECONDS / 24.0;
/// Latest simulated time; later requests are clamped to it.
const MAX_T: f64 = 10.0 * SOL_SECONDS;
/// A drive window is made of cycles: drive for `DRIVE_PART` s, then stop to image.
const CYCLE: f64 = 600.0;
const DRIVE_PART: f64 = 480.0;
const LM: usize = 1;
const BATTERY_WH: f64 = 4000.0;
const PANEL_W: f64 = 1000.0;
/// Start hours of the orbiter relay passes (15 min each): more comms power and CPU.
const RELAY_PASSES: [f64; 4] = [2.2, 7.6, 15.1, 20.4];
/// Thermal time constant (s) of a drive motor and its housing.
const MOTOR_TAU: f64 = 450.0;
/// Per-wheel offset (°C) of the drive motors' running temperature.
const MOTOR_BIAS: [f64; 6] = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
/// Incident descriptions, in the order `Plan::new` creates the incidents.
const DETAILS: [&str; 5] = [
    "LM wheel slipping in soft sand; progress stalled",
    "relay link lost",
    "pre-dawn cold snap: heaters drain the battery",
    "dust devil passing the rover",
    "camera firmware 2.1.3 on navcam-right and hazcam-front: some captures time out",
];
/// How long before the wheel slip the rover drives in soft sand (s), and the LM's slip there.
const SAND_LEAD: f64 = 3600.0;
const SAND_SLIP: f64 = 0.2;
/// Extra wear of the LM wheel per unit of slip: a slipping wheel grinds its tread on the sand.
const SLIP_WEAR: f64 = 20.0;
/// Relative wear rate per wheel; the left-middle wheel has a damaged grouser and wears fastest.
const WEAR_RATE: [f64; 6] = [1.0, 1.8, 1.0, 0.95, 1.1, 1.0];

/// One instant of the rover's telemetry.
#[derive(Debug, Clone, PartialEq)]
pub struct Telemetry {
    /// Seconds since sol start (local mean solar midnight).
    pub t: f64,
    /// East position relative to the sol's start point (m).
    pub x_m: f64,
    /// North position relative to the sol's start point (m).
    pub y_m: f64,
    /// Heading in degrees, 0 = north (+y), clockwise, in `[0, 360)`.
    pub heading_deg: f64,
    /// Wheel odometry since sol start (m); counts wheel turns, so it keeps rising while slipping.
    pub odometry_m: f64,
    /// Whether the wheels are commanded to drive.
    pub driving: bool,
    /// Air temperature (°C): about -90 before dawn to -10 in the early afternoon.
    pub air_temp_c: f64,
    /// Atmospheric pressure (Pa): 700–900 with a diurnal swing of about 5 %.
    pub pressure_pa: f64,
    /// UV index: 0 at night, 6–9 near noon, reduced by dust opacity.
    pub uv_index: f64,
    /// Wind speed (m/s), gusty, stronger in the afternoon, within `[0, 20]`.
    pub wind_mps: f64,
    /// Dust optical depth tau, within `[0.4, 1.2]`, rising during a dust event.
    pub dust_opacity_tau: f64,
    /// Battery state of charge (%), within `[0, 100]`.
    pub battery_soc_pct: f64,
    /// Solar array input power (W); zero at night.
    pub power_in_w: f64,
    /// Load power (W): avionics, heaters (mostly at night), driving, imaging, comms.
    pub power_out_w: f64,
    /// Main bus voltage (V): about 28 V, sagging with low charge and high load.
    pub bus_voltage_v: f64,
    /// Cumulative wear per wheel (%), non-decreasing, in `WHEELS` order.
    pub wheel_wear_pct: [f64; 6],
    /// Drive motor temperature per wheel (°C), in `WHEELS` order.
    pub motor_temp_c: [f64; 6],
    /// Flight computer load (%), within `[0, 100]`.
    pub cpu_load_pct: f64,
    /// Whether the comms link is up (false during the comms-loss window).
    pub comms_up: bool,
}

/// A scripted anomaly window of the sol.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// What happens.
    pub kind: IncidentKind,
    /// Start time (s since sol start).
    pub start: f64,
    /// End time (s since sol start), after `start`.
    pub end: f64,
    /// One-line human description.
    pub detail: &'static str,
}

/// The kinds of incident a sol contains, exactly one of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentKind {
    /// The LM wheel slips while driving: progress stalls, its motor heats past +40 °C.
    WheelSlip,
    /// The comms link is down for 10–30 minutes.
    CommsLoss,
    /// Pre-dawn cold snap: heaters draw more and the battery falls below 25 %.
    LowBattery,
    /// A dust devil passes: gust above 15 m/s, pressure dip, dust opacity spike.
    DustDevil,
    /// Camera firmware 2.1.3 is loaded on two of the four cameras (navcam-right and
    /// hazcam-front, the cameras of camera board B) before a drive window, and some of their
    /// captures time out until the ground rolls it back. The physics does not change: the
    /// cause shows only in the cameras' resource (`camera.firmware.version`).
    CameraFirmware,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Parked,
    Driving,
    Imaging,
}

/// Everything the seed decides at construction.
#[derive(Debug, Clone)]
struct Plan {
    seed: u64,
    drives: [(f64, f64); 3], // (window start, number of cycles)
    speed: f64,
    bearing: f64,
    pressure0: f64,
    temp_offset: f64,
    tau0: f64,
    devil_peak: f64,
    incidents: Vec<Incident>,
}

/// The integrated state; `ou` holds the random processes listed in `OU`.
#[derive(Debug, Clone, Default)]
struct State {
    t: f64,
    x: f64,
    y: f64,
    heading: f64,
    odometry: f64,
    soc: f64,
    wear: [f64; 6],
    motor: [f64; 6],
    ou: [f64; 3],
    dust: f64,
}

/// Ornstein–Uhlenbeck processes (correlation time s, stationary std dev): wind gust (m/s),
/// weather temperature anomaly (°C), dust opacity drift.
const OU: [(f64, f64); 3] = [(90.0, 1.6), (2.0 * HOUR, 1.2), (4.0 * HOUR, 0.06)];

fn on(b: bool, v: f64) -> f64 {
    if b { v } else { 0.0 }
}

fn wrap360(deg: f64) -> f64 {
    let r = deg.rem_euclid(360.0);
    if r >= 360.0 { 0.0 } else { r }
}

/// Smooth 0 → 1 → 0 over incident progress `u` in `[0, 1]`.
fn bump(u: f64) -> f64 {
    rng::sin(PI * u)
}

/// Sun elevation factor in `[0, 1]`; zero below the horizon (sunrise ≈ 05:50, sunset ≈ 18:10).
fn sun(h: f64) -> f64 {
    ((rng::cos(TAU * (h - 12.0) / 24.0) + 0.03) / 1.03).max(0.0)
}

/// Mean air temperature at sol hour `h`: -86 °C at 05:48 warming to -14 °C at 14:00, then
/// cooling exponentially until dawn.
fn diurnal_air(h: f64) -> f64 {
    let (rise, peak, low, high) = (5.8, 14.0, -86.0, -14.0);
    if (rise..peak).contains(&h) {
        low + (high - low) * (1.0 - rng::cos(PI * (h - rise) / (peak - rise))) / 2.0
    } else {
        let since = (h - peak).rem_euclid(24.0);
        let span = 24.0 - (peak - rise);
        high - (high - low) * (1.0 - rng::exp(-since / 4.0)) / (1.0 - rng::exp(-span / 4.0))
    }
}

/// Mean wind: light night drainage flow, afternoon convection peaking around 13:30.
fn wind_base(h: f64) -> f64 {
    let convection = 5.5 * rng::sin(PI * (h - 9.0) / 9.0);
    2.5 + on((9.0..18.0).contains(&h), convection)
}

impl Plan {
    fn new(seed: u64) -> Self {
        let mut r = Rng::new(seed ^ 0x0005_EED0_F0A1_2B3C);
        let d1 = 8.5 * HOUR + r.range(-300.0, 300.0);
        let d2 = 13.5 * HOUR + r.range(-300.0, 300.0);
        let drives = [
            (0.25 * HOUR + r.range(0.0, 300.0), 9.0),
            (d1, 18.0),
            (d2, 18.0),
        ];
        // The slip starts early in the driving part of a cycle and ends before its imaging stop,
        // late in a drive window: after the soft sand's lead-in and an hour of driving before it.
        let slip_in_d1 = r.next_f64() < 0.5;
        let window = if slip_in_d1 { d1 } else { d2 };
        let slip = window + (14.0 + (r.next_f64() * 3.0).floor()) * CYCLE + r.range(30.0, 60.0);
        let slip = (WheelSlip, slip, slip + r.range(300.0, 400.0));
        let comms = r.range(17.0, 21.0) * HOUR;
        let comms = (CommsLoss, comms, comms + r.range(600.0, 1800.0));
        let cold = r.range(2.75, 3.75) * HOUR;
        let cold = (LowBattery, cold, r.range(7.3, 7.8) * HOUR);
        let devil = r.range(11.75, 13.25) * HOUR;
        let devil = (DustDevil, devil, devil + r.range(300.0, 480.0));
        let (speed, bearing) = (0.025 * r.range(0.9, 1.1), r.range(0.0, 360.0));
        let (pressure0, temp_offset) = (r.range(740.0, 860.0), r.range(-3.0, 3.0));
        let (tau0, devil_peak) = (r.range(0.5, 0.7), r.range(16.5, 19.0));
        // Drawn last, so the worlds before this incident existed keep their every number. The
        // firmware goes up before the drive window the slip is not in, and is rolled back a
        // few drive cycles into it.
        let other = if slip_in_d1 { d2 } else { d1 };
        let firmware = other - r.range(600.0, 1200.0);
        let firmware = (
            CameraFirmware,
            firmware,
            other + r.range(5.0, 7.0) * CYCLE - 60.0,
        );
        let incidents = [slip, comms, cold, devil, firmware]
            .into_iter()
            .zip(DETAILS);
        let incidents = incidents.map(|((kind, start, end), detail)| Incident {
            kind,
            start,
            end,
            detail,
        });
        Self {
            seed,
            drives,
            speed,
            bearing,
            pressure0,
            temp_offset,
            tau0,
            devil_peak,
            incidents: incidents.collect(),
        }
    }

    /// Progress in `[0, 1)` through the incident of `kind` if it is active at `t`.
    fn progress(&self, kind: IncidentKind, t: f64) -> Option<f64> {
        self.incidents
            .iter()
            .find(|i| i.kind == kind && t >= i.start && t < i.end)
            .map(|i| (t - i.start) / (i.end - i.start))
    }

    /// Slip fraction of the LM wheel at `t`: ramping up to 0.85 within the incident; before
    /// it, over the [`SAND_LEAD`] the rover spends crossing the soft sand, the LM's damaged
    /// grouser lets it slip a little (up to [`SAND_SLIP`], under the slip check's limit);
    /// otherwise 0.
    fn slip(&self, t: f64) -> f64 {
        let ramp = |u: f64| 0.85 * (u * 6.0).min(1.0);
        if let Some(slip) = self.progress(WheelSlip, t) {
            return ramp(slip);
        }
        let start = self.incidents.iter().find(|i| i.kind == WheelSlip);
        let since = start.map_or(-1.0, |i| t - (i.start - SAND_LEAD));
        if (0.0..SAND_LEAD).contains(&since) {
            SAND_SLIP * (since / 600.0).min(1.0) * (1.0 + 0.2 * rng::sin(since / 170.0))
        } else {
            0.0
        }
    }

    /// What the rover does at `t`, and the index of the drive cycle (counted over the sol).
    fn activity(&self, t: f64) -> (Act, f64) {
        let mut base = 0.0;
        for &(start, n) in &self.drives {
            let since = t - start;
            if since >= 0.0 && since < n * CYCLE {
                let c = (since / CYCLE).floor();
                let act = if since - c * CYCLE < DRIVE_PART {
                    Act::Driving
                } else {
                    Act::Imaging
                };
                return (act, base + c);
            }
            base += n;
        }
        (Act::Parked, 0.0)
    }

    /// Target heading of a drive cycle: a winding route around the traverse bearing.
    fn leg_heading(&self, cycle: f64) -> f64 {
        let mut r = Rng::new(self.seed ^ cycle.to_bits().wrapping_mul(0xA076_1D64_78BD_642F));
        self.bearing + 50.0 * rng::sin(cycle * 0.8) + 20.0 * r.normal()
    }

    /// Noise-free telemetry of state `s`: environment, activity and loads at its time.
    fn truth(&self, s: &State) -> Telemetry {
        let (t, h) = (s.t, (s.t % SOL_SECONDS) / HOUR);
        let (sun, slip) = (sun(h), self.slip(t));
        let devil = self.progress(DustDevil, t).map_or(0.0, bump);
        let cold = |u: f64| (6.0 * u).min(6.0 - 6.0 * u).min(1.0); // ramps in and out
        let cold = self.progress(LowBattery, t).map_or(0.0, cold);
        let tau = (self.tau0 + s.ou[2] + s.dust).clamp(0.4, 1.2);
        let air =
            diurnal_air(h) + self.temp_offset + s.ou[1] - 4.0 * cold - 6.0 * (tau - 0.6) * sun;
        let wind = wind_base(h) + s.ou[0] * (0.6 + 0.8 * (2.0 * sun).min(1.0));
        let daily = 0.022 * rng::cos(TAU * (h - 7.0) / 24.0) + 0.007 * rng::cos(TAU * h / 12.0);
        let act = self.activity(t).0;
        let (drive, imaging) = (act == Act::Driving, act == Act::Imaging);
        let relay = RELAY_PASSES.iter().any(|&p| h >= p && h < p + 900.0 / HOUR);
        let comms_up = self.progress(CommsLoss, t).is_none();
        let heater = 1.6 * (-30.0 - air).max(0.0) + 150.0 * cold;
        let motion = on(drive, 170.0 + 80.0 * slip) + on(imaging, 45.0);
        let p_out = 90.0 + heater + motion + on(relay && comms_up, 55.0);
        let cpu = 12.0 + on(drive, 45.0 + 18.0 * slip) + on(imaging, 38.0) + on(relay, 8.0);
        Telemetry {
            t,
            x_m: s.x,
            y_m: s.y,
            heading_deg: s.heading,
            odometry_m: s.odometry,
            driving: drive,
            air_temp_c: air,
            pressure_pa: self.pressure0 * (1.0 + daily) - 3.0 * devil,
            uv_index: 9.5 * sun * sun.sqrt() * rng::exp(-0.35 * tau),
            wind_mps: wind.max(self.devil_peak * devil).clamp(0.0, 20.0),
            dust_opacity_tau: tau,
            battery_soc_pct: s.soc,
            power_in_w: PANEL_W * sun * rng::exp(-0.6 * tau),
            power_out_w: p_out,
            bus_voltage_v: 25.5 + 3.4 * s.soc / 100.0 - 0.006 * (p_out - 120.0),
            wheel_wear_pct: s.wear,
            motor_temp_c: s.motor,
            cpu_load_pct: cpu,
            comms_up,
        }
    }
}

impl State {
    /// Advances the state by `dt` (≤ `STEP`); without `rng` the random processes hold still.
    fn step(&mut self, plan: &Plan, dt: f64, rng: Option<&mut Rng>) {
        let now = plan.truth(self);
        let n = rng.map_or([0.0; 3], |r| [r.normal(), r.normal(), r.normal()]);
        for (i, (theta, sigma)) in OU.into_iter().enumerate() {
            self.ou[i] += -self.ou[i] * dt / theta + sigma * (2.0 * dt / theta).sqrt() * n[i];
        }
        let devil = plan.progress(DustDevil, self.t).map_or(0.0, bump);
        self.dust += (0.0016 * devil - self.dust / 2400.0) * dt;
        let (slip, air) = (plan.slip(self.t), now.air_temp_c);
        if now.driving {
            self.drive(plan, slip, dt);
        }
        // Motors: first-order lag toward ambient when parked, or toward the (pre-heated) driving
        // temperature; the slipping LM motor draws high current and runs much hotter.
        for (i, m) in self.motor.iter_mut().enumerate() {
            let warm = 20.0 + 0.3 * (air + 40.0) + MOTOR_BIAS[i] + on(i == LM, 100.0 * slip);
            *m += (if now.driving { warm } else { air } - *m) * dt / MOTOR_TAU;
        }
        let net = now.power_in_w - now.power_out_w;
        let net = if net > 0.0 { 0.92 * net } else { net }; // charge efficiency
        self.soc = (self.soc + 100.0 * net * dt / (BATTERY_WH * 3600.0)).clamp(0.0, 100.0);
    }

    /// Moves the rover: steer toward the cycle's heading, roll, count odometry and wear.
    fn drive(&mut self, plan: &Plan, slip: f64, dt: f64) {
        let target = plan.leg_heading(plan.activity(self.t).1);
        let diff = (target - self.heading + 540.0).rem_euclid(360.0) - 180.0;
        self.heading = wrap360(self.heading + diff.clamp(-0.4 * dt, 0.4 * dt));
        let dist = plan.speed * (1.0 + 0.15 * rng::sin(self.t / 113.0)) * dt;
        let ahead = dist * (1.0 - slip);
        let rad = self.heading.to_radians();
        self.x += ahead * rng::sin(rad);
        self.y += ahead * rng::cos(rad);
        self.odometry += dist;
        for (i, w) in self.wear.iter_mut().enumerate() {
            *w += 0.0035 * WEAR_RATE[i] * (1.0 + on(i == LM, SLIP_WEAR * slip)) * dist;
        }
    }
}

/// The simulated rover and its surroundings.
///
/// Same seed and same (non-decreasing) call times give bit-identical telemetry on every
/// machine. The state advances on a fixed 10 s grid and sensor noise is drawn from `(seed, t)`,
/// so the value at `t` does not even depend on the earlier call times.
#[derive(Debug, Clone)]
pub struct World {
    plan: Plan,
    state: State,
    rng: Rng,
}

impl World {
    /// Creates the world of `seed`: its drive schedule, route, weather and incidents.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        let plan = Plan::new(seed);
        let mut r = Rng::new(seed ^ 0x0057_A7E0_1234_5678);
        let base = r.range(18.0, 24.0);
        let mut wear = [0.0; 6];
        for (i, w) in wear.iter_mut().enumerate() {
            *w = base + r.range(0.0, 2.0) + on(i == LM, 9.0);
        }
        let state = State {
            heading: wrap360(plan.bearing),
            soc: r.range(64.0, 70.0),
            wear,
            motor: [diurnal_air(0.0) + plan.temp_offset; 6],
            ..State::default()
        };
        Self {
            plan,
            state,
            rng: r,
        }
    }

    /// Advance the state to time `t` (seconds since sol start, non-decreasing between calls) and return the telemetry.
    ///
    /// `t` is clamped to `[0, 10 sols]` (NaN counts as 0). Going back in time is allowed but
    /// costly: the world is rebuilt from its seed and replayed.
    pub fn sample(&mut self, t: f64) -> Telemetry {
        let t = if t >= 0.0 { t.min(MAX_T) } else { 0.0 };
        if t < self.state.t {
            *self = Self::new(self.plan.seed);
        }
        while self.state.t + STEP <= t {
            self.state.step(&self.plan, STEP, Some(&mut self.rng));
            self.state.t += STEP; // exact: multiples of 10 well below 2^53
        }
        let mut s = self.state.clone();
        if t > s.t {
            s.step(&self.plan, t - s.t, None);
            s.t = t;
        }
        self.observe(&s)
    }

    /// The incidents of this world, for later features (events, traces) and tests.
    #[must_use]
    pub fn incidents(&self) -> &[Incident] {
        &self.plan.incidents
    }

    /// Telemetry of `s` with sensor noise drawn from `(seed, t)` alone. Odometry and wear are
    /// integrated estimates and stay noise-free, so they remain monotonic.
    fn observe(&self, s: &State) -> Telemetry {
        let mut m = self.plan.truth(s);
        let mut r = Rng::new(self.plan.seed ^ s.t.to_bits().rotate_left(29) ^ 0xD1CE);
        let mut n = |sigma: f64| sigma * r.normal();
        let day = m.uv_index > 0.0;
        for v in &mut m.motor_temp_c {
            *v += n(0.3);
        }
        m.x_m += n(0.01);
        m.y_m += n(0.01);
        m.heading_deg = wrap360(m.heading_deg + n(0.05));
        m.air_temp_c += n(0.25);
        m.pressure_pa += n(0.4);
        m.uv_index = (m.uv_index + on(day, n(0.05))).max(0.0);
        m.wind_mps = (m.wind_mps + n(0.3)).clamp(0.0, 20.0);
        m.dust_opacity_tau = (m.dust_opacity_tau + n(0.01)).clamp(0.4, 1.2);
        m.battery_soc_pct = (m.battery_soc_pct + n(0.1)).clamp(0.0, 100.0);
        m.power_in_w = (m.power_in_w + on(day, n(1.5))).max(0.0);
        m.power_out_w = (m.power_out_w + n(2.0)).max(0.0);
        m.bus_voltage_v += n(0.03);
        m.cpu_load_pct = (m.cpu_load_pct + n(2.0)).clamp(0.0, 100.0);
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole sol sampled every 30 s, as the fixture writer does.
    fn sol(seed: u64) -> (World, Vec<Telemetry>) {
        let mut w = World::new(seed);
        let v = (0..=2959).map(|i| w.sample(f64::from(i) * 30.0)).collect();
        (w, v)
    }

    fn during<'a>(v: &'a [Telemetry], w: &World, kind: IncidentKind) -> Vec<&'a Telemetry> {
        let i = w.incidents().iter().find(|i| i.kind == kind);
        let i = i.expect("incident of each kind");
        v.iter().filter(|s| s.t >= i.start && s.t < i.end).collect()
    }

    #[test]
    fn same_seed_same_telemetry_other_seed_differs() {
        assert_eq!(sol(1).1, sol(1).1);
        assert_ne!(sol(1).1, sol(2).1);
    }

    #[test]
    fn value_at_t_does_not_depend_on_call_times() {
        let (_, every30) = sol(3);
        let mut w = World::new(3);
        for s in every30.iter().step_by(7) {
            assert_eq!(&w.sample(s.t), s);
        }
        assert_eq!(w.sample(every30[5].t), every30[5], "going back replays");
        let (a, b) = (w.sample(1234.5), World::new(3).sample(1234.5));
        assert_eq!(a, b, "off-grid times are pure too");
    }

    #[test]
    fn bounds_hold_over_the_sol_for_many_seeds() {
        for seed in 1..=8 {
            let (_, v) = sol(seed);
            for s in &v {
                assert!((0.0..=100.0).contains(&s.battery_soc_pct), "{s:?}");
                assert!((0.0..=100.0).contains(&s.cpu_load_pct), "{s:?}");
                assert!((0.0..=20.0).contains(&s.wind_mps), "{s:?}");
                assert!((0.4..=1.2).contains(&s.dust_opacity_tau), "{s:?}");
                assert!((0.0..360.0).contains(&s.heading_deg), "{s:?}");
                assert!((700.0..=900.0).contains(&s.pressure_pa), "{s:?}");
                assert!((22.0..=30.0).contains(&s.bus_voltage_v), "{s:?}");
                assert!((0.0..=10.0).contains(&s.uv_index), "{s:?}");
                assert!(s.power_in_w >= 0.0 && s.power_out_w > 0.0, "{s:?}");
                assert!(s.motor_temp_c.iter().all(|m| (-100.0..=90.0).contains(m)));
            }
            for p in v.windows(2) {
                assert!(p[1].odometry_m >= p[0].odometry_m);
                assert!((0..6).all(|i| p[1].wheel_wear_pct[i] >= p[0].wheel_wear_pct[i]));
            }
            let worn = |s: &Telemetry| s.wheel_wear_pct[LM] - v[0].wheel_wear_pct[LM];
            assert!(worn(&v[2959]) > 1.0, "LM wears with driving");
        }
    }

    #[test]
    fn air_temperature_swings_between_night_and_day() {
        let (_, v) = sol(1);
        let air = v.iter().map(|s| s.air_temp_c);
        let (min, max) = air.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
        assert!(min < -70.0 && max > -30.0, "{min} {max}");
    }

    #[test]
    fn each_incident_kind_once_inside_the_sol() {
        for seed in 1..=20 {
            let w = World::new(seed);
            for kind in [WheelSlip, CommsLoss, LowBattery, DustDevil, CameraFirmware] {
                let of_kind: Vec<_> = w.incidents().iter().filter(|i| i.kind == kind).collect();
                assert_eq!(of_kind.len(), 1);
                let i = of_kind[0];
                assert!(
                    0.0 <= i.start && i.start < i.end && i.end <= SOL_SECONDS,
                    "{i:?}"
                );
            }
        }
    }

    #[test]
    fn rover_drives_hundreds_of_metres_starting_in_the_first_two_hours() {
        let (_, v) = sol(1);
        assert!(v[2959].odometry_m >= 200.0);
        assert!(v.iter().take_while(|s| s.t < 2.0 * HOUR).any(|s| s.driving));
        let (dx, dy) = (v[2959].x_m - v[0].x_m, v[2959].y_m - v[0].y_m);
        assert!(
            (dx * dx + dy * dy).sqrt() < v[2959].odometry_m * 0.95,
            "not a straight line"
        );
    }

    #[test]
    fn wheel_slip_stalls_progress_and_heats_the_lm_motor() {
        let (w, v) = sol(1);
        let slip = during(&v, &w, WheelSlip);
        let (a, b) = (slip[0], slip[slip.len() - 1]);
        let moved = ((b.x_m - a.x_m).powi(2) + (b.y_m - a.y_m).powi(2)).sqrt();
        assert!(slip.iter().all(|s| s.driving));
        assert!(moved < 0.4 * (b.odometry_m - a.odometry_m), "{moved}");
        assert!(slip.iter().any(|s| s.motor_temp_c[LM] > 40.0));
    }

    #[test]
    fn low_battery_dust_devil_and_comms_loss_show() {
        for seed in 1..=8 {
            let (w, v) = sol(seed);
            let cold = during(&v, &w, LowBattery);
            assert!(cold.iter().any(|s| s.battery_soc_pct < 25.0), "seed {seed}");
            let devil = during(&v, &w, DustDevil);
            assert!(devil.iter().any(|s| s.wind_mps > 15.0), "seed {seed}");
            assert!(
                devil
                    .iter()
                    .any(|s| s.dust_opacity_tau > v[0].dust_opacity_tau + 0.2)
            );
            assert!(during(&v, &w, CommsLoss).iter().all(|s| !s.comms_up));
            assert_eq!(
                v.iter().filter(|s| !s.comms_up).count(),
                during(&v, &w, CommsLoss).len()
            );
        }
    }
}
