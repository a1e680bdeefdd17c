//! The rover's Jaeger traces over one sol, read off the world like the events: each drive
//! command from the ground station through the relay to the sequencer, nav and mobility; each
//! `NavCam` image; a telemetry downlink every half hour while the link is up; and the incidents'
//! failures — the wheel slip and over-temperature inside their drive, an uplink lost to the
//! comms loss (and its retry), the dust devil's hazard assessment. Times are seconds since the
//! sol's start on a whole-microsecond grid; ids come from the seed (`span_builder`).

mod camera;
mod drive;
mod incidents;
mod routine;
mod slip;

use super::span_builder::{Builder, Micros, SECOND, int_attr, num_attr, str_attr};
use super::world::{Incident, IncidentKind, SOL_SECONDS, Telemetry, World};
use capcom::model::span::{SpanKind, Trace};

pub use super::span_builder::{TraceKey, trace_id};
pub use slip::SLIP_LIMIT;

/// Seconds between looks at the world, as the events take them.
pub const LOOK: f64 = 30.0;
/// One look in microseconds.
const LOOK_US: Micros = 30 * SECOND;
/// Seconds between telemetry downlinks, and their offset from the half hour.
const TELEMETRY_EVERY: f64 = 1800.0;
const TELEMETRY_AT: f64 = 90.0;
/// Drive steps per drive command, and the length of one.
const STEPS: i64 = 4;
const STEP_US: Micros = 120 * SECOND;
/// The command uplinked during the comms loss, and sent again after it.
const NIGHT_COMMAND: &str = "NIGHT_OPS_001";
/// The first drive acknowledged at or after this time (s) meets a rock on its planned path:
/// its hazard assessment fails and the path is planned again. It falls in the hour before a
/// replay starts, so the bundled demo opens with a failed command in the Traces pane.
pub const HAZARD_AFTER: f64 = 10.4 * 3600.0;
/// Motor temperature limits (°C) of the LM wheel, as the events watch them.
const HOT_C: f64 = 60.0;
const COOL_C: f64 = 45.0;

/// One drive command: its number, the look it was acknowledged at and the look it stopped at
/// (the sol's last look if it never stopped).
#[derive(Debug, Clone, Copy)]
struct Drive {
    seq: u32,
    ack: usize,
    stop: usize,
    stopped: bool,
}

/// The sol seen every [`LOOK`] seconds, and what happened in it.
struct Sol {
    seed: u64,
    looks: Vec<Telemetry>,
    incidents: Vec<Incident>,
    drives: Vec<Drive>,
    /// Looks at which the LM motor went over temperature.
    hot: Vec<usize>,
    /// The drive that meets a rock (the first after [`HAZARD_AFTER`]).
    hazard_seq: Option<u32>,
}

fn look_us(k: usize) -> Micros {
    k as Micros * LOOK_US
}

/// The first look at or after `t` seconds: when the events notice something starting at `t`.
fn look_after(t: f64) -> usize {
    (t / LOOK).ceil().max(0.0) as usize
}

fn us(t: f64) -> Micros {
    (t * 1e6).round() as Micros
}

impl Sol {
    fn new(seed: u64) -> Self {
        let mut world = World::new(seed);
        let incidents = world.incidents().to_vec();
        let n = (SOL_SECONDS / LOOK).floor() as usize;
        let looks: Vec<Telemetry> = (0..=n).map(|k| world.sample(k as f64 * LOOK)).collect();
        let (mut drives, mut hot, mut is_hot) = (Vec::<Drive>::new(), Vec::new(), false);
        for k in 1..looks.len() {
            let (prev, now) = (&looks[k - 1], &looks[k]);
            if now.driving && !prev.driving {
                let seq = u32::try_from(drives.len() + 1).unwrap_or(u32::MAX);
                drives.push(Drive {
                    seq,
                    ack: k,
                    stop: n,
                    stopped: false,
                });
            }
            if let Some(d) = drives.last_mut().filter(|_| !now.driving && prev.driving) {
                d.stop = k;
                d.stopped = true;
            }
            let lm = now.motor_temp_c[1];
            if lm > HOT_C && !is_hot {
                is_hot = true;
                hot.push(k);
            } else if is_hot && lm < COOL_C {
                is_hot = false;
            }
        }
        let hazard_seq = drives
            .iter()
            .find(|d| d.ack as f64 * LOOK >= HAZARD_AFTER)
            .map(|d| d.seq);
        Self {
            seed,
            looks,
            incidents,
            drives,
            hot,
            hazard_seq,
        }
    }

    /// The telemetry last seen at `t`.
    fn at(&self, t: Micros) -> &Telemetry {
        let k = (t.max(0) / LOOK_US) as usize;
        &self.looks[k.min(self.looks.len() - 1)]
    }

    fn incident(&self, kind: IncidentKind) -> Option<&Incident> {
        self.incidents.iter().find(|i| i.kind == kind)
    }

    /// The latest drive acknowledged at or before look `k`.
    fn drive_at(&self, k: usize) -> Option<&Drive> {
        self.drives.iter().rev().find(|d| d.ack <= k)
    }
}

/// Every trace of one sol of the world with `seed`, in order of start time.
#[must_use]
pub fn traces(seed: u64) -> Vec<Trace> {
    let sol = Sol::new(seed);
    let mut out: Vec<Trace> = sol.drives.iter().map(|d| drive::drive(&sol, d)).collect();
    for d in sol.drives.iter().filter(|d| d.stopped) {
        out.push(routine::image(&sol, d, camera::NAVCAM_LEFT));
        out.push(routine::image(&sol, d, camera::NAVCAM_RIGHT));
    }
    for d in &sol.drives {
        let captures = camera::hazcam_captures(&sol, d);
        out.extend(captures.iter().map(|c| camera::hazcam(&sol, c)));
    }
    out.extend(slip::checks(&sol).iter().map(|c| slip::trace(&sol, c)));
    let mut j = 0;
    while f64::from(j) * TELEMETRY_EVERY + TELEMETRY_AT < SOL_SECONDS {
        let t = f64::from(j) * TELEMETRY_EVERY + TELEMETRY_AT;
        let lost = sol
            .incident(IncidentKind::CommsLoss)
            .is_some_and(|i| t >= i.start && t < i.end);
        if !lost {
            out.push(routine::telemetry(&sol, j, us(t)));
        }
        j += 1;
    }
    if let Some(los) = sol.incident(IncidentKind::CommsLoss) {
        out.extend(incidents::uplinks(&sol, los));
    }
    if let Some(devil) = sol.incident(IncidentKind::DustDevil) {
        out.push(incidents::dust_devil(&sol, devil));
    }
    out.sort_by(|a, b| start_of(a).total_cmp(&start_of(b)));
    out
}

/// An alarm the traces raise that the event stream reports too: a slip check over its limit,
/// a camera capture timed out.
#[derive(Debug, Clone)]
pub struct Alarm {
    /// Seconds since the sol's start.
    pub t: f64,
    /// The emitting service.
    pub service: &'static str,
    /// What happened.
    pub message: String,
    /// The trace that failed.
    pub key: TraceKey,
}

/// Every [`Alarm`] of one sol of the world with `seed`, in time order.
#[must_use]
pub fn alarms(seed: u64) -> Vec<Alarm> {
    let sol = Sol::new(seed);
    let mut out: Vec<Alarm> = slip::checks(&sol)
        .iter()
        .filter(|c| c.failed())
        .map(|c| Alarm {
            t: c.look as f64 * LOOK,
            service: "mobility",
            message: slip::message(c),
            key: TraceKey::SlipCheck(c.look as u32),
        })
        .collect();
    for d in &sol.drives {
        for c in camera::hazcam_captures(&sol, d).iter().filter(|c| c.failed) {
            out.push(Alarm {
                t: (c.at / SECOND) as f64,
                service: "camera",
                message: camera::timeout_message(c.camera, &c.image_name()),
                key: c.key,
            });
        }
        let right = TraceKey::ImageRight(d.seq);
        if d.stopped && camera::NAVCAM_RIGHT.times_out(&sol, right, look_us(d.stop)) {
            let name = format!("img_{:04}_r", d.seq);
            out.push(Alarm {
                t: d.stop as f64 * LOOK,
                service: "camera",
                message: camera::timeout_message(camera::NAVCAM_RIGHT, &name),
                key: right,
            });
        }
    }
    out.sort_by(|a, b| a.t.total_cmp(&b.t));
    out
}

fn start_of(t: &Trace) -> f64 {
    t.spans
        .iter()
        .map(|s| s.start)
        .fold(f64::INFINITY, f64::min)
}

/// The outer spans of a command: the ground station's uplink, and the relay's forwarding
/// (server, then client) around the rover's execution from `exec.0` to `exec.1`. Returns
/// the uplink's and the relay client's indices.
fn uplink_chain(b: &mut Builder, command: &str, exec: (Micros, Micros)) -> (usize, usize) {
    let light = b.ms(1200.0, 1400.0);
    let client = (exec.0 - light, exec.1 + light);
    let hop = b.ms(5.0, 30.0);
    let server = (client.0 - hop, client.1 + hop);
    let ground = b.ms(80.0, 250.0);
    let root = (server.0 - ground, server.1 + ground);
    let up = b.span(
        None,
        "ground-station",
        format!("uplink {command}"),
        SpanKind::Client,
        root,
    );
    let frames = b.rng.range(4.0, 40.0).floor() as i64;
    b.attrs(
        up,
        [
            str_attr("rpc.system", "ccsds"),
            str_attr("rpc.service", "rover.Sequencer"),
            str_attr("rpc.method", "Uplink"),
            str_attr("server.address", "mro-relay.dsn"),
            int_attr("server.port", 7301),
            str_attr("rover.command", command),
            int_attr("rover.frames", frames),
        ],
    );
    let relay = b.span(
        Some(up),
        "telecom",
        "relay.forward",
        SpanKind::Server,
        server,
    );
    let margin = b.rng.range(3.0, 9.0);
    b.attrs(
        relay,
        [
            str_attr("rpc.system", "ccsds"),
            str_attr("rpc.method", "Forward"),
            str_attr("network.protocol.name", "proximity-1"),
            num_attr("rover.link_margin_db", margin, 2),
            str_attr("rover.command", command),
        ],
    );
    let fwd = b.span(
        Some(relay),
        "telecom",
        "relay.forward",
        SpanKind::Client,
        client,
    );
    b.attrs(
        fwd,
        [
            str_attr("rpc.system", "ccsds"),
            str_attr("rpc.method", "Execute"),
            str_attr("server.address", "rover-fsw"),
        ],
    );
    (up, fwd)
}

/// The rover-fsw `ack.send` of `command` at `span`.
fn ack(b: &mut Builder, parent: usize, command: &str, span: (Micros, Micros)) -> usize {
    let a = b.span(
        Some(parent),
        "rover-fsw",
        "ack.send",
        SpanKind::Producer,
        span,
    );
    let size = 96 + b.rng.range(0.0, 64.0).floor() as i64;
    b.attrs(
        a,
        [
            str_attr("messaging.system", "ccsds"),
            str_attr("messaging.operation.type", "send"),
            str_attr("messaging.destination.name", "ground-station"),
            int_attr("messaging.message.body.size", size),
            str_attr("rover.command", command),
        ],
    );
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::{EPOCH, REPLAY_FROM};
    use capcom::model::span::{AttrValue, Span};

    fn is_hex(s: &str, len: usize) -> bool {
        s.len() == len
            && s.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    }

    fn failed(t: &Trace) -> bool {
        t.spans.iter().any(|s| s.error)
    }

    #[test]
    fn a_sol_has_a_modest_deterministic_set_of_well_formed_traces() {
        let traces = traces(1);
        assert_eq!(traces, super::traces(1), "deterministic");
        assert_ne!(traces, super::traces(2));
        assert!((600..=1500).contains(&traces.len()), "{}", traces.len());
        let mut ids: Vec<&str> = traces.iter().map(|t| &*t.trace_id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), traces.len(), "trace ids are unique");
        for t in &traces {
            assert!(is_hex(&t.trace_id, 32), "{}", t.trace_id);
            let roots: Vec<&Span> = t.spans.iter().filter(|s| s.parent_id.is_none()).collect();
            assert_eq!(roots.len(), 1, "one root in {}", t.trace_id);
            for s in &t.spans {
                assert!(is_hex(&s.span_id, 16) && s.trace_id == t.trace_id);
                assert!(s.start >= 0.0 && s.start + s.duration <= SOL_SECONDS + 600.0);
                assert!(s.resource.iter().any(|(k, _)| &**k == "service.namespace"));
                let Some(pid) = &s.parent_id else { continue };
                let parent = t.spans.iter().find(|p| &p.span_id == pid);
                let parent = parent.unwrap_or_else(|| panic!("parent of {s:?}"));
                assert!(
                    parent.start <= s.start
                        && s.start + s.duration <= parent.start + parent.duration,
                    "{} inside {}",
                    s.name,
                    parent.name
                );
                for e in &s.events {
                    assert!(e.t >= s.start && e.t <= s.start + s.duration, "{e:?}");
                }
            }
        }
        let starts: Vec<f64> = traces.iter().map(start_of).collect();
        assert!(starts.windows(2).all(|w| w[0] <= w[1]), "in time order");
    }

    #[test]
    fn times_are_whole_microseconds() {
        let whole = |t: f64| ((t * 1e6).round() / 1e6 - t).abs() < 1e-9;
        for s in traces(1).iter().flat_map(|t| &t.spans) {
            assert!(whole(s.start) && whole(s.duration), "{s:?}");
        }
    }

    #[test]
    fn incidents_fail_their_traces_and_one_fails_early_in_the_replay() {
        for seed in [1, 2, 3, 7] {
            let traces = traces(seed);
            let failing: Vec<&Trace> = traces.iter().filter(|t| failed(t)).collect();
            assert!(failing.len() >= 3, "seed {seed}: {}", failing.len());
            for (key, operation) in [
                (TraceKey::FailedUplink, "relay.forward"),
                (TraceKey::DustDevil, "hazard.assess"),
            ] {
                let id = trace_id(seed, key);
                let t = traces
                    .iter()
                    .find(|t| *t.trace_id == *id)
                    .expect("incident trace");
                assert!(t.spans.iter().any(|s| s.error && s.name == operation));
            }
            let slip = traces.iter().flat_map(|t| &t.spans).find(|s| {
                s.name == "drive.segment"
                    && s.error
                    && s.events.iter().any(|e| e.name == "slip detected")
            });
            assert!(slip.is_some(), "seed {seed}: no slipping drive step");
        }
        let early = traces(1).into_iter().find(|t| {
            failed(t) && (REPLAY_FROM - 1800.0..REPLAY_FROM + 1800.0).contains(&start_of(t))
        });
        assert!(
            early.is_some(),
            "a failure within half an hour of the replay's start"
        );
        // And one already on screen when it starts: a failed span that ended in the hour before.
        let before = traces(1).into_iter().find(|t| {
            t.spans.iter().any(|s| {
                s.error && (REPLAY_FROM - 3600.0..REPLAY_FROM).contains(&(s.start + s.duration))
            })
        });
        let before = before.expect("a failure in the hour before the replay starts");
        assert!(
            before
                .spans
                .iter()
                .any(|s| s.name == "hazard.assess" && s.error),
            "{before:?}"
        );
    }

    #[test]
    fn attributes_of_every_type_and_every_kind_of_span() {
        let traces = traces(1);
        let spans = || traces.iter().flat_map(|t| &t.spans);
        let values = || spans().flat_map(|s| &s.attributes).map(|(_, v)| v);
        assert!(values().any(|v| matches!(v, AttrValue::Str(_))));
        assert!(values().any(|v| matches!(v, AttrValue::Int(_))));
        assert!(values().any(|v| matches!(v, AttrValue::Double(_))));
        assert!(values().any(|v| matches!(v, AttrValue::Bool(_))));
        for kind in [
            SpanKind::Internal,
            SpanKind::Server,
            SpanKind::Client,
            SpanKind::Producer,
            SpanKind::Consumer,
        ] {
            assert!(spans().any(|s| s.kind == kind), "{kind:?}");
        }
        assert!(
            spans().any(|s| !s.links.is_empty()),
            "the retry links its failure"
        );
        let body = crate::otlp::v3_body(&traces, EPOCH);
        assert!(body.len() < 2_000_000, "{} bytes", body.len());
    }
}
