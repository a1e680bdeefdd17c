//! The drive command's trace: the ground station's uplink relayed to the sequencer, which
//! plans, checks for hazards, acknowledges and drives in steps; the wheel slip and the LM
//! motor's over-temperature fail the step they happen in.

use super::{
    Drive, HOT_C, LOOK_US, STEP_US, STEPS, Sol, ack, look_after, look_us, uplink_chain, us,
};
use crate::span_builder::{Builder, Micros, TraceKey, bool_attr, int_attr, num_attr, str_attr};
use crate::world::{IncidentKind, WHEELS};
use capcom::model::span::{SpanKind, Trace};

/// A drive command: uplink, relay, the sequencer planning, checking hazards, acknowledging,
/// then driving in steps. The wheel slip and the motor's over-temperature fail their step.
pub(super) fn drive(sol: &Sol, d: &Drive) -> Trace {
    let mut b = Builder::new(sol.seed, TraceKey::Drive(d.seq));
    let command = format!("DRIVE_SEQ_{:03}", d.seq);
    let (at_ack, at_stop) = (&sol.looks[d.ack], &sol.looks[d.stop]);
    let ack_end = look_us(d.ack) - b.ms(200.0, 1500.0);
    let ack_start = ack_end - b.ms(20.0, 80.0);
    let plan = b.ms(2000.0, 6000.0);
    // Hazard assessment slows down as the air gets dustier.
    let hazard = (b.ms(1500.0, 3500.0) as f64 * at_ack.dust_opacity_tau / 0.6) as Micros;
    let exec_start = ack_start - (plan + 200_000).max(hazard + 500_000) - b.ms(100.0, 300.0);
    let first = ack_end + b.ms(100.0, 400.0);
    let steps: Vec<(Micros, Micros)> = (0..STEPS)
        .map(|k| {
            let s = first + k * STEP_US;
            (s, s + b.ms(117_000.0, 119_500.0))
        })
        .collect();
    let exec_end = steps[steps.len() - 1].1 + b.ms(150.0, 400.0);
    let (_, relay) = uplink_chain(&mut b, &command, (exec_start, exec_end));
    let exec = b.span(
        Some(relay),
        "rover-fsw",
        "sequence.execute",
        SpanKind::Server,
        (exec_start, exec_end),
    );
    b.attrs(
        exec,
        [
            str_attr("rpc.system", "ccsds"),
            str_attr("rpc.method", "Execute"),
            str_attr("code.function", "fsw::sequencer::execute"),
            str_attr("rover.command", &command),
            int_attr("rover.segment", i64::from(d.seq)),
            num_attr("rover.cpu_load_pct", at_ack.cpu_load_pct, 1),
        ],
    );
    let p = b.span(
        Some(exec),
        "nav",
        "plan.path",
        SpanKind::Internal,
        (exec_start + 200_000, exec_start + 200_000 + plan),
    );
    let waypoints = 3 + b.rng.range(0.0, 6.0).floor() as i64;
    b.attrs(
        p,
        [
            str_attr("code.function", "nav::planner::plan_path"),
            int_attr("rover.waypoints", waypoints),
            num_attr(
                "rover.path_length_m",
                at_stop.odometry_m - at_ack.odometry_m,
                2,
            ),
            num_attr("rover.heading_deg", at_stop.heading_deg, 1),
        ],
    );
    let h = b.span(
        Some(exec),
        "nav",
        "hazard.assess",
        SpanKind::Internal,
        (exec_start + 500_000, exec_start + 500_000 + hazard),
    );
    let hazards = b.rng.range(0.0, 3.0).floor() as i64;
    let rock = sol.hazard_seq == Some(d.seq);
    b.attrs(
        h,
        [
            str_attr("code.function", "nav::hazard::assess"),
            num_attr("rover.dust_tau", at_ack.dust_opacity_tau, 3),
            int_attr("rover.hazards", hazards + i64::from(rock)),
            bool_attr("rover.safe", !rock),
        ],
    );
    if rock {
        rock_ahead(&mut b, (h, exec), exec_start + 500_000 + hazard, plan);
    }
    ack(&mut b, exec, &command, (ack_start, ack_end));
    drive_steps(&mut b, sol, d, exec, &steps);
    b.finish()
}

/// The drive's mobility steps, with the wheel slip and the over-temperature where they fall.
fn drive_steps(b: &mut Builder, sol: &Sol, drive: &Drive, exec: usize, steps: &[(Micros, Micros)]) {
    let slip = sol.incident(IncidentKind::WheelSlip).filter(|slip| {
        let current = sol.drive_at(look_after(slip.start));
        current.is_some_and(|other| other.seq == drive.seq)
    });
    let slip = slip.map(|slip| (us(slip.start), us(slip.end)));
    let step_at = |t: Micros| {
        let step = steps.iter().position(|step| step.1 > t);
        step.unwrap_or(steps.len() - 1)
    };
    let mut ids = Vec::new();
    for (n, &(start, end)) in steps.iter().enumerate() {
        let (first, last) = (sol.at(start), sol.at(end));
        let dist = last.odometry_m - first.odometry_m;
        let moved = (last.x_m - first.x_m).hypot(last.y_m - first.y_m);
        let slipping = slip.is_some_and(|(from, to)| from < end && to > start);
        // The wheel that drew the most current over the step, summed over its looks.
        let mut amps = [0.0; 6];
        for k in look_after(start as f64 / 1e6)..=(end / LOOK_US) as usize {
            let now = super::slip::currents_at(sol, k.min(sol.looks.len() - 1));
            amps.iter_mut().zip(now).for_each(|(a, c)| *a += c);
        }
        let wheel = WHEELS[super::slip::busiest(&amps).0];
        let span = b.span(
            Some(exec),
            "mobility",
            "drive.segment",
            SpanKind::Internal,
            (start, end),
        );
        b.attrs(
            span,
            [
                str_attr("code.function", "mobility::drive::segment"),
                int_attr("rover.segment", i64::from(drive.seq)),
                int_attr("rover.step", n as i64 + 1),
                num_attr("rover.distance_m", dist, 2),
                num_attr("rover.progress_m", moved.min(dist.max(0.0)), 2),
                num_attr("rover.motor_temp_c", last.motor_temp_c[1], 1),
                bool_attr("rover.slip_detected", slipping),
                str_attr("rover.wheel", wheel),
            ],
        );
        ids.push(span);
        if let Some((from, to)) = slip {
            if step_at(from) == n {
                slip_detected(b, sol, span, from.clamp(start, end));
            }
            if (start..end).contains(&to) {
                let attrs = vec![
                    str_attr("rover.wheel", "LM"),
                    bool_attr("rover.traction_nominal", true),
                ];
                b.event(span, to, "slip cleared", attrs);
            }
        }
    }
    for &look in sol
        .hot
        .iter()
        .filter(|&&k| k >= drive.ack && k < drive.stop)
    {
        let step = step_at(look_us(look));
        let at = look_us(look) - b.ms(50.0, 150.0);
        let start = at.clamp(steps[step].0, steps[step].1 - 100_000);
        over_temperature(b, ids[step], sol.looks[look].motor_temp_c[1], start);
    }
}

/// Fails the hazard assessment `h` (ending at `end`) on a rock the planned path crosses, and
/// plans again under the sequence `exec`, taking `plan` µs as the first plan did.
fn rock_ahead(b: &mut Builder, (h, exec): (usize, usize), end: Micros, plan: Micros) {
    b.fail(
        h,
        "hazard: rock 0.42 m high on the planned path, over the 0.35 m limit",
    );
    let attrs = vec![
        num_attr("rover.rock_height_m", 0.42, 2),
        num_attr("rover.rock_range_m", 3.8, 1),
        num_attr("rover.limit_m", 0.35, 2),
    ];
    let seen = end - b.ms(100.0, 300.0);
    b.event(h, seen, "rock detected", attrs);
    let replan = (end + 50_000, end + 50_000 + plan / 2);
    let p = b.span(Some(exec), "nav", "plan.path", SpanKind::Internal, replan);
    b.attrs(
        p,
        [
            str_attr("code.function", "nav::planner::plan_path"),
            bool_attr("rover.replan", true),
            str_attr("rover.avoid", "rock 0.42 m"),
        ],
    );
}

/// Fails the drive step `span` with the wheel slip that set in at `t`.
fn slip_detected(b: &mut Builder, sol: &Sol, span: usize, t: Micros) {
    // Slip over the minute after it set in: wheel turns against ground covered.
    let (at, later) = (sol.at(t + LOOK_US), sol.at(t + 3 * LOOK_US));
    let turned = later.odometry_m - at.odometry_m;
    let moved = (later.x_m - at.x_m).hypot(later.y_m - at.y_m).min(turned);
    b.fail(span, "wheel slip: LM progress stalled");
    let attrs = vec![
        str_attr("rover.wheel", "LM"),
        num_attr("rover.slip_ratio", 1.0 - moved / turned.max(1e-6), 3),
        num_attr("rover.odometry_m", at.odometry_m, 2),
        num_attr("rover.motor_temp_c", at.motor_temp_c[1], 1),
    ];
    b.event(span, t, "slip detected", attrs);
}

/// A failed thermal check of the LM motor at `lm` °C under the drive step `parent`.
fn over_temperature(b: &mut Builder, parent: usize, lm: f64, start: Micros) {
    let check = (start, start + b.ms(20.0, 60.0));
    let name = "motor.thermal_check";
    let span = b.span(Some(parent), "mobility", name, SpanKind::Internal, check);
    b.attrs(
        span,
        [
            str_attr("code.function", "mobility::thermal::check"),
            str_attr("rover.wheel", "LM"),
            num_attr("rover.motor_temp_c", lm, 1),
            num_attr("rover.limit_c", HOT_C, 1),
        ],
    );
    b.fail(span, format!("motor LM over temperature: {lm:.1} °C"));
    let attrs = vec![
        int_attr("rover.derate_pct", 50),
        bool_attr("rover.drive_continues", true),
    ];
    b.event(span, start + 10_000, "derate applied", attrs);
}
