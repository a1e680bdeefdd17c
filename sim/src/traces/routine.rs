//! The routine traces: each `NavCam` image taken at a drive's stop (expose, compress, queue for
//! downlink) and the periodic telemetry downlink (battery readout, packets, relay to ground).

use super::camera::{Camera, NAVCAM_LEFT, TIMEOUT_MS, timed_out, timeout_message};
use super::{Drive, Sol, look_us};
use crate::span_builder::{Builder, Micros, TraceKey, bool_attr, int_attr, num_attr, str_attr};
use capcom::model::span::{SpanKind, Trace};

/// Battery state of charge (%) below which the power service flags its readout.
const SOC_LIMIT: f64 = 25.0;

/// The `NavCam` image `camera` took when `drive` stopped (`img_nnnn` has the drive's number;
/// the right camera's `img_nnnn_r`). On the faulty firmware its exposure may time out.
pub(super) fn image(sol: &Sol, drive: &Drive, camera: Camera) -> Trace {
    let (key, name) = if camera == NAVCAM_LEFT {
        (TraceKey::Image(drive.seq), format!("img_{:04}", drive.seq))
    } else {
        (
            TraceKey::ImageRight(drive.seq),
            format!("img_{:04}_r", drive.seq),
        )
    };
    let failed = camera.times_out(sol, key, look_us(drive.stop));
    let mut b = Builder::new(sol.seed, key);
    let at = &sol.looks[drive.stop];
    let start = look_us(drive.stop) - b.ms(3000.0, 4500.0);
    let expose = (start + b.ms(30.0, 80.0), b.ms(20.0, 200.0));
    let expose = if failed {
        (
            expose.0,
            expose.0 + (TIMEOUT_MS * 1000.0) as Micros + expose.1 / 10,
        )
    } else {
        (expose.0, expose.0 + expose.1)
    };
    let compress = expose.1 + b.ms(50.0, 150.0);
    let compress = (compress, compress + b.ms(800.0, 2500.0));
    let queue = compress.1 + b.ms(10.0, 40.0);
    let queue = (queue, queue + b.ms(5.0, 30.0));
    let end = if failed {
        expose.1 + b.ms(5.0, 20.0)
    } else {
        queue.1 + b.ms(5.0, 20.0)
    };
    let root = b.span(
        None,
        "camera",
        "navcam.capture",
        SpanKind::Internal,
        (start, end),
    );
    b.attrs(
        root,
        [
            str_attr("code.function", "camera::navcam::capture"),
            str_attr("rover.image", &name),
            str_attr("rover.camera", camera.name),
            num_attr("rover.position_x_m", at.x_m, 2),
            num_attr("rover.position_y_m", at.y_m, 2),
            num_attr("rover.heading_deg", at.heading_deg, 1),
        ],
    );
    let exposure = b.span(
        Some(root),
        "camera",
        "sensor.expose",
        SpanKind::Internal,
        expose,
    );
    for span in [root, exposure] {
        b.resource(span, camera.resource(sol, look_us(drive.stop)));
    }
    b.attrs(
        exposure,
        [
            num_attr(
                "rover.exposure_ms",
                (expose.1 - expose.0) as f64 / 1000.0,
                1,
            ),
            bool_attr("rover.daylight", at.uv_index > 0.0),
            num_attr("rover.air_temp_c", at.air_temp_c, 1),
        ],
    );
    if failed {
        timed_out(&mut b, exposure, camera, expose.1);
        b.fail(root, timeout_message(camera, &name));
        return b.finish();
    }
    let bytes = (b.rng.range(0.9, 1.6) * 1_048_576.0).floor() as i64;
    let ratio = b.rng.range(6.0, 12.0);
    let compression = b.span(
        Some(root),
        "camera",
        "image.compress",
        SpanKind::Internal,
        compress,
    );
    b.resource(compression, camera.resource(sol, look_us(drive.stop)));
    b.attrs(
        compression,
        [
            str_attr("code.function", "camera::icer::compress"),
            str_attr("rover.image.codec", "ICER"),
            int_attr("rover.image.bytes", (bytes as f64 / ratio) as i64),
            num_attr("rover.compression_ratio", ratio, 2),
        ],
    );
    let queued = b.span(
        Some(root),
        "telecom",
        "downlink.queue",
        SpanKind::Producer,
        queue,
    );
    b.attrs(
        queued,
        [
            str_attr("messaging.system", "ccsds"),
            str_attr("messaging.operation.type", "publish"),
            str_attr("messaging.destination.name", "vc-2-images"),
            int_attr("messaging.message.body.size", (bytes as f64 / ratio) as i64),
            str_attr("rover.image", &name),
            bool_attr("rover.comms_up", at.comms_up),
        ],
    );
    b.finish()
}

/// The `index`th telemetry downlink, at `time`: the sequencer collects the power readout and
/// housekeeping, packetises them, and telecom relays them to the ground station.
pub(super) fn telemetry(sol: &Sol, index: u32, time: Micros) -> Trace {
    let mut b = Builder::new(sol.seed, TraceKey::Telemetry(index));
    let at = sol.at(time);
    let read = time + b.ms(5.0, 20.0);
    let read = (read, read + b.ms(40.0, 120.0));
    let pack = read.1 + b.ms(5.0, 20.0);
    let pack = (pack, pack + b.ms(150.0, 600.0));
    let send = pack.1 + b.ms(10.0, 30.0);
    let send = (send, send + b.ms(900.0, 2200.0));
    let recv = send.0 + b.ms(600.0, 800.0);
    let recv = (recv, (recv + b.ms(40.0, 120.0)).min(send.1));
    let root = (time, send.1 + b.ms(5.0, 20.0));
    let root = b.span(
        None,
        "rover-fsw",
        "telemetry.collect",
        SpanKind::Internal,
        root,
    );
    let packets = 40 + b.rng.range(0.0, 80.0).floor() as i64;
    b.attrs(
        root,
        [
            str_attr("code.function", "fsw::telemetry::collect"),
            int_attr("rover.downlink", i64::from(index)),
            num_attr("rover.cpu_load_pct", at.cpu_load_pct, 1),
        ],
    );
    let power = b.span(
        Some(root),
        "power",
        "battery.read",
        SpanKind::Internal,
        read,
    );
    b.attrs(
        power,
        [
            str_attr("code.function", "power::battery::read"),
            num_attr("rover.battery_soc_pct", at.battery_soc_pct, 1),
            num_attr("rover.bus_voltage_v", at.bus_voltage_v, 2),
            num_attr("rover.power_in_w", at.power_in_w, 1),
            num_attr("rover.power_out_w", at.power_out_w, 1),
            bool_attr("rover.heaters_on", at.air_temp_c < -30.0),
        ],
    );
    if at.battery_soc_pct < SOC_LIMIT {
        let attrs = vec![
            num_attr("rover.battery_soc_pct", at.battery_soc_pct, 1),
            num_attr("rover.limit_pct", SOC_LIMIT, 1),
        ];
        b.event(power, read.0 + 15_000, "soc below limit", attrs);
    }
    let packetize = b.span(
        Some(root),
        "rover-fsw",
        "telemetry.packetize",
        SpanKind::Internal,
        pack,
    );
    b.attrs(packetize, [int_attr("rover.packets", packets)]);
    let send_span = b.span(
        Some(root),
        "telecom",
        "downlink.send",
        SpanKind::Producer,
        send,
    );
    b.attrs(
        send_span,
        [
            str_attr("messaging.system", "ccsds"),
            str_attr("messaging.operation.type", "send"),
            str_attr("messaging.destination.name", "vc-0-telemetry"),
            int_attr("messaging.message.body.size", packets * 1024),
        ],
    );
    let receive = b.span(
        Some(send_span),
        "ground-station",
        "telemetry.receive",
        SpanKind::Consumer,
        recv,
    );
    b.attrs(
        receive,
        [
            str_attr("messaging.system", "ccsds"),
            str_attr("messaging.operation.type", "receive"),
            int_attr("rover.packets", packets),
        ],
    );
    b.finish()
}
