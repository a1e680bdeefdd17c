//! The incidents' own traces: the uplink attempted during the comms loss (the relay retries and
//! gives up: no link), the same command sent again after the link is back, and the rover's
//! response to the dust devil, whose hazard assessment times out.

use super::camera::NAVCAM_LEFT;
use super::{NIGHT_COMMAND, Sol, ack, look_after, look_us, uplink_chain};
use crate::span_builder::{
    Builder, Micros, SECOND, TraceKey, bool_attr, int_attr, num_attr, str_attr, trace_id,
};
use crate::world::Incident;
use capcom::model::span::{SpanKind, Trace};

/// Link acquisition attempts before the relay gives up, and the backoff after each (s).
const BACKOFF_S: [f64; 3] = [15.0, 30.0, 60.0];

/// The uplink tried during the comms loss `los`, and its successful retry after it.
pub(super) fn uplinks(sol: &Sol, los: &Incident) -> [Trace; 2] {
    let failed = failed_uplink(sol, los);
    let root = failed
        .spans
        .iter()
        .find(|s| s.parent_id.is_none())
        .map(|s| s.span_id.clone())
        .unwrap_or_default();
    [failed, retried_uplink(sol, los, root)]
}

fn failed_uplink(sol: &Sol, los: &Incident) -> Trace {
    let mut b = Builder::new(sol.seed, TraceKey::FailedUplink);
    let start = look_us(look_after(los.start)) + b.ms(45_000.0, 120_000.0);
    let relay_start = start + b.ms(80.0, 250.0);
    let mut t = relay_start + b.ms(5.0, 20.0);
    let mut attempts = Vec::new();
    for backoff in BACKOFF_S {
        let end = t + b.ms(8000.0, 12_000.0);
        attempts.push(((t, end), backoff));
        t = end + (backoff * 1e6) as Micros;
    }
    let last = attempts[attempts.len() - 1].0.1;
    let relay_end = last + b.ms(5.0, 20.0);
    let end = relay_end + b.ms(80.0, 250.0);
    let up = b.span(
        None,
        "ground-station",
        format!("uplink {NIGHT_COMMAND}"),
        SpanKind::Client,
        (start, end),
    );
    b.attrs(
        up,
        [
            str_attr("rpc.system", "ccsds"),
            str_attr("rpc.service", "rover.Sequencer"),
            str_attr("rpc.method", "Uplink"),
            str_attr("server.address", "mro-relay.dsn"),
            int_attr("server.port", 7301),
            str_attr("rover.command", NIGHT_COMMAND),
            int_attr("rover.attempt", 1),
            bool_attr("rover.retry", false),
        ],
    );
    b.fail(up, "uplink failed: relay reported no link");
    let relay = b.span(
        Some(up),
        "telecom",
        "relay.forward",
        SpanKind::Server,
        (relay_start, relay_end),
    );
    b.attrs(
        relay,
        [
            str_attr("rpc.system", "ccsds"),
            str_attr("rpc.method", "Forward"),
            str_attr("network.protocol.name", "proximity-1"),
            str_attr("rover.command", NIGHT_COMMAND),
            str_attr("error.type", "no_link"),
        ],
    );
    b.fail(relay, "no link: LOS");
    let n = attempts.len();
    for (k, ((s, e), backoff)) in attempts.into_iter().enumerate() {
        let a = b.span(
            Some(relay),
            "telecom",
            "link.acquire",
            SpanKind::Client,
            (s, e),
        );
        let margin = b.rng.range(-9.0, -3.0);
        b.attrs(
            a,
            [
                str_attr("server.address", "mro"),
                int_attr("rover.attempt", k as i64 + 1),
                num_attr("rover.link_margin_db", margin, 2),
            ],
        );
        b.fail(a, "no carrier lock");
        if k + 1 < n {
            let attrs = vec![
                int_attr("rover.retry.attempt", k as i64 + 2),
                num_attr("rover.retry.backoff_s", backoff, 1),
                str_attr("error.type", "no_carrier"),
            ];
            b.event(relay, e, "retry", attrs);
        } else {
            let attrs = vec![int_attr("rover.attempts", k as i64 + 1)];
            b.event(relay, e, "giving up", attrs);
        }
    }
    b.finish()
}

/// The command sent again after the link came back: it reaches the sequencer, which loads
/// the night's heater table, and links to the failed attempt.
fn retried_uplink(sol: &Sol, los: &Incident, failed_root: String) -> Trace {
    let mut b = Builder::new(sol.seed, TraceKey::RetriedUplink);
    let exec_start = look_us(look_after(los.end)) + b.ms(60_000.0, 180_000.0);
    let load = exec_start + b.ms(50.0, 150.0);
    let load = (load, load + b.ms(300.0, 900.0));
    let ack_span = load.1 + b.ms(20.0, 60.0);
    let ack_span = (ack_span, ack_span + b.ms(20.0, 80.0));
    let exec_end = ack_span.1 + b.ms(20.0, 60.0);
    let (up, relay) = uplink_chain(&mut b, NIGHT_COMMAND, (exec_start, exec_end));
    b.attrs(
        up,
        [int_attr("rover.attempt", 2), bool_attr("rover.retry", true)],
    );
    b.link(up, trace_id(sol.seed, TraceKey::FailedUplink), failed_root);
    let exec = b.span(
        Some(relay),
        "rover-fsw",
        "sequence.execute",
        SpanKind::Server,
        (exec_start, exec_end),
    );
    let at = sol.at(exec_start);
    b.attrs(
        exec,
        [
            str_attr("rpc.system", "ccsds"),
            str_attr("rpc.method", "Execute"),
            str_attr("code.function", "fsw::sequencer::execute"),
            str_attr("rover.command", NIGHT_COMMAND),
            num_attr("rover.cpu_load_pct", at.cpu_load_pct, 1),
        ],
    );
    let h = b.span(
        Some(exec),
        "power",
        "heater.table.load",
        SpanKind::Internal,
        load,
    );
    b.attrs(
        h,
        [
            str_attr("code.function", "power::heaters::load_table"),
            int_attr("rover.heaters", 6),
            num_attr("rover.setpoint_c", -40.0, 1),
            num_attr("rover.battery_soc_pct", at.battery_soc_pct, 1),
        ],
    );
    ack(&mut b, exec, NIGHT_COMMAND, ack_span);
    b.finish()
}

/// The rover's response to the dust devil `devil`: brakes on, a `NavCam` image of it, and a
/// hazard assessment that cannot see through the dust and times out.
pub(super) fn dust_devil(sol: &Sol, devil: &Incident) -> Trace {
    let mut b = Builder::new(sol.seed, TraceKey::DustDevil);
    let look = look_after(devil.start);
    let at = &sol.looks[look.min(sol.looks.len() - 1)];
    let start = look_us(look) + b.ms(2000.0, 8000.0);
    let brake = start + b.ms(50.0, 150.0);
    let brake = (brake, brake + b.ms(200.0, 500.0));
    let image = brake.1 + b.ms(100.0, 300.0);
    let image = (image, image + b.ms(1500.0, 3000.0));
    let timeout = 45 * SECOND;
    let hazard = image.1 + b.ms(50.0, 150.0);
    let hazard = (hazard, hazard + timeout + b.ms(10.0, 40.0));
    let end = hazard.1 + b.ms(50.0, 200.0);
    let root = b.span(
        None,
        "rover-fsw",
        "fault.response",
        SpanKind::Internal,
        (start, end),
    );
    b.attrs(
        root,
        [
            str_attr("code.function", "fsw::fault::respond"),
            str_attr("rover.fault", "DUST_DEVIL"),
            num_attr("rover.wind_mps", at.wind_mps, 1),
            num_attr("rover.dust_tau", at.dust_opacity_tau, 3),
        ],
    );
    let brakes = b.span(
        Some(root),
        "mobility",
        "brakes.engage",
        SpanKind::Internal,
        brake,
    );
    b.attrs(
        brakes,
        [
            str_attr("code.function", "mobility::brakes::engage"),
            bool_attr("rover.brakes", true),
        ],
    );
    let camera = b.span(
        Some(root),
        "camera",
        "navcam.capture",
        SpanKind::Internal,
        image,
    );
    b.resource(camera, NAVCAM_LEFT.resource(sol, image.0));
    b.attrs(
        camera,
        [
            str_attr("code.function", "camera::navcam::capture"),
            str_attr("rover.image", "dust_devil_01"),
            str_attr("rover.camera", "NAVCAM_LEFT"),
        ],
    );
    let assess = b.span(
        Some(root),
        "nav",
        "hazard.assess",
        SpanKind::Internal,
        hazard,
    );
    b.attrs(
        assess,
        [
            str_attr("code.function", "nav::hazard::assess"),
            num_attr("rover.dust_tau", at.dust_opacity_tau, 3),
            num_attr("rover.timeout_s", 45.0, 1),
            bool_attr("rover.safe", false),
        ],
    );
    let seen = vec![
        num_attr("rover.dust_tau", at.dust_opacity_tau, 3),
        num_attr("rover.wind_mps", at.wind_mps, 1),
        int_attr("rover.features_tracked", 3),
    ];
    b.event(assess, hazard.0 + 5 * SECOND, "visibility degraded", seen);
    b.fail(
        assess,
        format!(
            "hazard assessment timed out: visibility too low (τ {:.2})",
            at.dust_opacity_tau
        ),
    );
    b.finish()
}
