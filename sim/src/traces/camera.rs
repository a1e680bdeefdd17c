//! The cameras, each its own resource of the `camera` service (`camera.id`,
//! `camera.firmware.version`): the `NavCam` stereo pair images every drive stop, one trace a
//! camera, and the two hazard cameras capture once a drive step. During the camera firmware
//! incident, navcam-right and hazcam-front (camera board B) run firmware 2.1.3, and some of
//! their captures time out; nothing in the spans names the firmware.

use super::{Drive, STEP_US, STEPS, Sol, look_us};
use crate::span_builder::{Builder, Micros, SECOND, TraceKey, draw, num_attr, str_attr};
use crate::world::IncidentKind;
use capcom::model::span::{Attribute, SpanKind, Trace};

/// A camera: its id (the resource's `camera.id`) and the name the spans call it by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Camera {
    pub id: &'static str,
    pub name: &'static str,
    /// On camera board B, which the firmware update goes to.
    board_b: bool,
}

pub(crate) const NAVCAM_LEFT: Camera = Camera {
    id: "navcam-left",
    name: "NAVCAM_LEFT",
    board_b: false,
};
pub(crate) const NAVCAM_RIGHT: Camera = Camera {
    id: "navcam-right",
    name: "NAVCAM_RIGHT",
    board_b: true,
};
const HAZCAMS: [Camera; 2] = [
    Camera {
        id: "hazcam-front",
        name: "HAZCAM_FRONT",
        board_b: true,
    },
    Camera {
        id: "hazcam-rear",
        name: "HAZCAM_REAR",
        board_b: false,
    },
];

/// Firmware every camera runs, and the update the incident loads on board B.
const FIRMWARE: &str = "2.1.2";
pub(crate) const FIRMWARE_UPDATE: &str = "2.1.3";
/// Share of the updated cameras' captures that time out.
const FAIL_SHARE: f64 = 0.4;
/// A capture's sensor readout timeout (ms).
pub(crate) const TIMEOUT_MS: f64 = 2000.0;

impl Camera {
    /// The firmware it runs at `t`.
    pub(crate) fn firmware(self, sol: &Sol, t: Micros) -> &'static str {
        let t = t as f64 / 1e6;
        let updated = sol
            .incident(IncidentKind::CameraFirmware)
            .is_some_and(|i| t >= i.start && t < i.end);
        if self.board_b && updated {
            FIRMWARE_UPDATE
        } else {
            FIRMWARE
        }
    }

    /// Its resource's own attributes at `t`.
    pub(crate) fn resource(self, sol: &Sol, t: Micros) -> [Attribute; 2] {
        [
            str_attr("camera.id", self.id),
            str_attr("camera.firmware.version", self.firmware(sol, t)),
        ]
    }

    /// Whether its capture of trace `key` at `t` times out: some do, on the faulty firmware.
    pub(crate) fn times_out(self, sol: &Sol, key: TraceKey, t: Micros) -> bool {
        self.firmware(sol, t) == FIRMWARE_UPDATE && draw(sol.seed, key) < FAIL_SHARE
    }
}

/// One hazard camera capture.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Capture {
    pub key: TraceKey,
    pub camera: Camera,
    pub at: Micros,
    pub image: (u32, i64),
    pub failed: bool,
}

impl Capture {
    pub(crate) fn image_name(&self) -> String {
        let side = if self.camera == HAZCAMS[0] { 'f' } else { 'r' };
        format!("hz{side}_{:04}_{}", self.image.0, self.image.1)
    }
}

/// The hazard cameras' captures of drive `d`: front and rear at the start of each step it
/// drove.
pub(crate) fn hazcam_captures(sol: &Sol, d: &Drive) -> Vec<Capture> {
    let mut out = Vec::new();
    for step in 0..STEPS {
        let at = look_us(d.ack) + step * STEP_US + 2 * SECOND;
        if d.stopped && at >= look_us(d.stop) {
            break;
        }
        for (side, camera) in HAZCAMS.into_iter().enumerate() {
            let n = d.seq * 8 + step as u32 * 2 + side as u32;
            let key = TraceKey::Hazcam(n);
            out.push(Capture {
                key,
                camera,
                at,
                image: (d.seq, step + 1),
                failed: camera.times_out(sol, key, at),
            });
        }
    }
    out
}

/// A hazard camera capture's trace: one span, timed out on the faulty firmware.
pub(super) fn hazcam(sol: &Sol, c: &Capture) -> Trace {
    let mut b = Builder::new(sol.seed, c.key);
    let start = c.at + b.ms(0.0, 400.0);
    let took = if c.failed {
        b.ms(TIMEOUT_MS + 5.0, TIMEOUT_MS + 30.0)
    } else {
        b.ms(120.0, 380.0)
    };
    let span = b.span(
        None,
        "camera",
        "hazcam.capture",
        SpanKind::Internal,
        (start, start + took),
    );
    b.resource(span, c.camera.resource(sol, c.at));
    let at = sol.at(c.at);
    b.attrs(
        span,
        [
            str_attr("code.function", "camera::hazcam::capture"),
            str_attr("rover.camera", c.camera.name),
            str_attr("rover.image", c.image_name()),
            num_attr("rover.air_temp_c", at.air_temp_c, 1),
        ],
    );
    if c.failed {
        timed_out(&mut b, span, c.camera, start + took);
    }
    b.finish()
}

/// What a timed-out capture says.
pub(crate) fn timeout_message(camera: Camera, image: &str) -> String {
    format!(
        "{} capture timed out after {TIMEOUT_MS:.0} ms: no frame from the sensor ({image})",
        camera.id
    )
}

/// Fails `span` (ending at `end`) with the sensor readout timeout of `camera`.
pub(super) fn timed_out(b: &mut Builder, span: usize, camera: Camera, end: Micros) {
    let text = format!("capture timed out after {TIMEOUT_MS:.0} ms: no frame from the sensor");
    let attrs = vec![
        str_attr("exception.type", "CaptureTimeout"),
        str_attr("exception.message", &text),
        str_attr("rover.camera", camera.name),
    ];
    b.event(span, end - 1_000, "exception", attrs);
    b.fail(span, text);
}
