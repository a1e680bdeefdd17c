//! The rover's event stream, read off the world: drives starting and stopping, images taken,
//! command acknowledgements carrying the trace id of the command's trace (ids shared with
//! `traces`, which the incidents' failing traces carry too), and the incidents —
//! wheel slip and an over-temperature motor, a dust devil, comms loss and reacquisition, a
//! low battery — each raised and cleared, lined up with the metrics.

use super::traces::{HAZARD_AFTER, LOOK, TraceKey, trace_id};
use super::world::{Incident, IncidentKind, SOL_SECONDS, Telemetry, World};

/// One event as the simulator emits it.
#[derive(Debug, Clone, PartialEq)]
pub struct SimEvent {
    /// Seconds since the sol's start.
    pub t: f64,
    /// `info`, `warn`, `error`, `debug`.
    pub level: &'static str,
    /// The emitting service.
    pub service: &'static str,
    /// What happened.
    pub message: String,
    /// The trace of the command behind it, if any (32 hex digits).
    pub trace_id: Option<String>,
}

/// What the event watcher remembers between looks at the world.
struct Watcher {
    seed: u64,
    out: Vec<SimEvent>,
    t: f64,
    segment: u32,
    image: u32,
    drive_from: f64,
    hot: bool,
    /// 0 nominal, 1 below 25 %, 2 below 20 %.
    battery: u8,
    /// The morning's rock on the planned path has been reported.
    rock: bool,
}

impl Watcher {
    fn emit(
        &mut self,
        level: &'static str,
        service: &'static str,
        message: String,
        trace: Option<TraceKey>,
    ) {
        let trace_id = trace.map(|key| trace_id(self.seed, key));
        self.out.push(SimEvent {
            t: self.t,
            level,
            service,
            message,
            trace_id,
        });
    }

    fn drives(&mut self, prev: &Telemetry, now: &Telemetry) {
        if now.driving && !prev.driving {
            self.segment += 1;
            self.drive_from = now.odometry_m;
            let seg = self.segment;
            self.emit(
                "info",
                "rover-fsw",
                format!("command acknowledged: DRIVE_SEQ_{seg:03}"),
                Some(TraceKey::Drive(seg)),
            );
            if self.t >= HAZARD_AFTER && !self.rock {
                self.rock = true;
                self.emit(
                    "warn",
                    "nav",
                    format!("hazard on the planned path of DRIVE_SEQ_{seg:03}: rock 0.42 m, route replanned"),
                    Some(TraceKey::Drive(seg)),
                );
            }
            self.emit(
                "info",
                "mobility",
                format!(
                    "drive started: segment {seg}, heading {:.0}°",
                    now.heading_deg
                ),
                None,
            );
        }
        if !now.driving && prev.driving {
            let d = now.odometry_m - self.drive_from;
            self.emit(
                "info",
                "mobility",
                format!(
                    "drive stopped after {d:.1} m (odometry {:.0} m)",
                    now.odometry_m
                ),
                None,
            );
            self.image += 1;
            let img = self.image;
            self.emit(
                "info",
                "camera",
                format!(
                    "NavCam image captured: img_{img:04} ({:.1}, {:.1})",
                    now.x_m, now.y_m
                ),
                Some(TraceKey::Image(img)),
            );
        }
    }

    fn faults(&mut self, now: &Telemetry) {
        let lm = now.motor_temp_c[1];
        if lm > 60.0 && !self.hot {
            self.hot = true;
            self.emit(
                "error",
                "mobility",
                format!("motor LM over temperature: {lm:.1} °C"),
                now.driving.then_some(TraceKey::Drive(self.segment)),
            );
        } else if self.hot && lm < 45.0 {
            self.hot = false;
            self.emit(
                "info",
                "mobility",
                format!("motor LM temperature nominal: {lm:.1} °C"),
                None,
            );
        }
        let soc = now.battery_soc_pct;
        let level = u8::from(soc < 25.0) + u8::from(soc < 20.0);
        if level > self.battery {
            let (lvl, what) = if level == 2 {
                ("error", "critical")
            } else {
                ("warn", "low")
            };
            self.emit(
                lvl,
                "power",
                format!("battery {what}: state of charge {soc:.1} %"),
                None,
            );
            self.battery = level;
        } else if self.battery > 0 && soc > 30.0 {
            self.emit(
                "info",
                "power",
                format!("battery recovered: state of charge {soc:.1} %"),
                None,
            );
            self.battery = 0;
        }
    }

    fn incidents(&mut self, incidents: &[Incident], now: &Telemetry) {
        let t = self.t;
        for i in incidents
            .iter()
            .filter(|i| i.start > t - LOOK && i.start <= t)
        {
            let (level, service, message) = match i.kind {
                IncidentKind::WheelSlip => (
                    "warn",
                    "mobility",
                    "wheel slip detected on LM: progress stalled while odometry counts".to_owned(),
                ),
                IncidentKind::DustDevil => (
                    "warn",
                    "nav",
                    format!(
                        "dust devil detected: wind {:.1} m/s, τ {:.2}",
                        now.wind_mps, now.dust_opacity_tau
                    ),
                ),
                IncidentKind::CommsLoss => {
                    ("warn", "ground-station", "LOS: downlink lost".to_owned())
                }
                IncidentKind::LowBattery => (
                    "info",
                    "power",
                    "heaters on: cold night, higher load".to_owned(),
                ),
                IncidentKind::CameraFirmware => (
                    "info",
                    "camera",
                    "camera firmware 2.1.3 loaded on navcam-right and hazcam-front".to_owned(),
                ),
            };
            // The incident's failing trace: the drive it stalls, the lost uplink, the hazard
            // assessment the dust defeats.
            let trace = match i.kind {
                IncidentKind::WheelSlip => {
                    (self.segment > 0).then_some(TraceKey::Drive(self.segment))
                }
                IncidentKind::CommsLoss => Some(TraceKey::FailedUplink),
                IncidentKind::DustDevil => Some(TraceKey::DustDevil),
                IncidentKind::LowBattery | IncidentKind::CameraFirmware => None,
            };
            self.emit(level, service, message, trace);
        }
        for i in incidents.iter().filter(|i| i.end > t - LOOK && i.end <= t) {
            let (service, message) = match i.kind {
                IncidentKind::WheelSlip => (
                    "rover-fsw",
                    "wheel slip cleared: LM traction nominal".to_owned(),
                ),
                IncidentKind::DustDevil => ("nav", "dust devil passed".to_owned()),
                IncidentKind::CommsLoss => (
                    "ground-station",
                    format!(
                        "AOS: downlink reacquired after {:.0} min",
                        (i.end - i.start) / 60.0
                    ),
                ),
                IncidentKind::LowBattery => ("power", "heaters off".to_owned()),
                IncidentKind::CameraFirmware => (
                    "camera",
                    "camera firmware rolled back to 2.1.2 on navcam-right and hazcam-front"
                        .to_owned(),
                ),
            };
            self.emit("info", service, message, None);
        }
    }
}

/// Every event of one sol of the world with `seed`, in time order.
#[must_use]
pub fn events(seed: u64) -> Vec<SimEvent> {
    let mut world = World::new(seed);
    let incidents = world.incidents().to_vec();
    let mut w = Watcher {
        seed,
        out: Vec::new(),
        t: 0.0,
        segment: 0,
        image: 0,
        drive_from: 0.0,
        hot: false,
        battery: 0,
        rock: false,
    };
    let mut prev: Option<Telemetry> = None;
    for k in 0..=(SOL_SECONDS / LOOK).floor() as usize {
        w.t = k as f64 * LOOK;
        let now = world.sample(w.t);
        if let Some(p) = &prev {
            w.drives(p, &now);
            w.faults(&now);
        }
        if k % 40 == 0 {
            let text = format!(
                "housekeeping: SoC {:.0} %, bus {:.2} V, CPU {:.0} %",
                now.battery_soc_pct, now.bus_voltage_v, now.cpu_load_pct
            );
            w.emit("debug", "rover-fsw", text, None);
        }
        w.incidents(&incidents, &now);
        prev = Some(now);
    }
    // The traces' alarms, each where it happened (a stable sort keeps the looks' order).
    for a in crate::traces::alarms(seed) {
        w.t = a.t;
        let level = if a.service == "mobility" {
            "error"
        } else {
            "warn"
        };
        w.emit(level, a.service, a.message, Some(a.key));
    }
    w.out.sort_by(|a, b| a.t.total_cmp(&b.t));
    w.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sol_has_its_incidents_raised_and_cleared_in_time_order() {
        let ev = events(1);
        assert!(ev.windows(2).all(|w| w[0].t <= w[1].t));
        let has = |needle: &str| ev.iter().any(|e| e.message.contains(needle));
        for needle in [
            "wheel slip detected",
            "wheel slip cleared",
            "over temperature",
            "LOS:",
            "AOS:",
            "dust devil detected",
            "battery critical",
            "battery recovered",
            "drive started",
            "image captured",
        ] {
            assert!(has(needle), "no {needle:?}");
        }
        let acks: Vec<_> = ev
            .iter()
            .filter(|e| e.message.starts_with("command acknowledged"))
            .collect();
        assert!(
            !acks.is_empty()
                && acks
                    .iter()
                    .all(|e| e.trace_id.as_ref().is_some_and(|t| t.len() == 32))
        );
        assert_eq!(events(1), ev, "deterministic");
    }

    #[test]
    fn every_trace_id_names_a_trace_of_the_sol() {
        for seed in [1, 2, 5] {
            let ids: Vec<String> = crate::traces::traces(seed)
                .into_iter()
                .map(|t| t.trace_id.to_string())
                .collect();
            let ev = events(seed);
            let with_id: Vec<_> = ev.iter().filter(|e| e.trace_id.is_some()).collect();
            for e in &with_id {
                let id = e.trace_id.as_deref().unwrap_or_default();
                assert!(ids.iter().any(|t| t == id), "seed {seed}: {e:?}");
            }
            for needle in [
                "wheel slip detected",
                "LOS:",
                "dust devil detected",
                "image captured",
            ] {
                assert!(
                    with_id.iter().any(|e| e.message.contains(needle)),
                    "seed {seed}: {needle:?} carries no trace id"
                );
            }
        }
    }
}
