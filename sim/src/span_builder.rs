//! Assembles one simulated trace: deterministic trace and span ids drawn from the seed, spans
//! timed in whole microseconds since the sol's start, and every service's resource. It only
//! builds values; what the traces contain is decided in `traces`.

use super::rng::Rng;
use capcom::model::span::{AttrValue, Attribute, Link, LinkKind, Span, SpanEvent, SpanKind, Trace};

/// One microsecond-grid time or duration: microseconds since the sol's start.
pub type Micros = i64;

/// One second in microseconds.
pub const SECOND: Micros = 1_000_000;

/// Which trace of the sol: the key its id is drawn from, so the events can name a trace
/// without building it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceKey {
    /// The command and execution of drive `DRIVE_SEQ_nnn`.
    Drive(u32),
    /// The capture and downlink of `NavCam` image `img_nnnn`.
    Image(u32),
    /// The `n`th periodic telemetry downlink.
    Telemetry(u32),
    /// The uplink attempted while the link was lost.
    FailedUplink,
    /// The same command sent again after the link came back.
    RetriedUplink,
    /// The rover's response to the dust devil.
    DustDevil,
    /// The `NavCam` right camera's image at the stop of drive `n`.
    ImageRight(u32),
    /// The mobility slip check at look `n` (every 30 s while driving).
    SlipCheck(u32),
    /// The hazard camera capture `n` (per drive step, front and rear).
    Hazcam(u32),
}

impl TraceKey {
    fn code(self) -> u64 {
        match self {
            Self::Drive(n) => 1 << 32 | u64::from(n),
            Self::Image(n) => 2 << 32 | u64::from(n),
            Self::Telemetry(n) => 3 << 32 | u64::from(n),
            Self::FailedUplink => 4 << 32,
            Self::RetriedUplink => 5 << 32,
            Self::DustDevil => 6 << 32,
            Self::ImageRight(n) => 7 << 32 | u64::from(n),
            Self::SlipCheck(n) => 8 << 32 | u64::from(n),
            Self::Hazcam(n) => 9 << 32 | u64::from(n),
        }
    }

    fn rng(self, seed: u64, salt: u64) -> Rng {
        Rng::new(seed.rotate_left(17) ^ self.code().wrapping_mul(0x9FB2_1C65_1E98_DF25) ^ salt)
    }
}

/// The id (32 hex digits) of the trace `key` of the sol of `seed`.
#[must_use]
pub fn trace_id(seed: u64, key: TraceKey) -> String {
    let mut r = key.rng(seed, 0x7AC3_0000_0000_0001);
    format!("{:016x}{:016x}", r.next_u64(), r.next_u64())
}

/// A uniform draw in `[0, 1)` of the trace `key` of the sol of `seed`, apart from the ones
/// its builder makes: for deciding before building (or without building) what it holds.
#[must_use]
pub fn draw(seed: u64, key: TraceKey) -> f64 {
    key.rng(seed, 0xFA11_0000_0000_0004).next_f64()
}

/// Service name, `service.version` and `host.name` of every simulated service.
const SERVICES: [(&str, &str, &str); 7] = [
    ("ground-station", "4.2.1", "dsn-canberra-gds-1"),
    ("telecom", "2.8.0", "rover-1"),
    ("rover-fsw", "7.1.3", "rover-1"),
    ("nav", "3.4.0", "rover-1"),
    ("mobility", "5.0.2", "rover-1"),
    ("camera", "1.9.4", "rover-1"),
    ("power", "2.3.1", "rover-1"),
];

/// The resource attributes of `service`.
fn resource(service: &str) -> Vec<Attribute> {
    let (version, host) = SERVICES
        .iter()
        .find(|(name, _, _)| *name == service)
        .map_or(("0.0.0", "rover-1"), |&(_, v, h)| (v, h));
    vec![
        str_attr("service.name", service),
        str_attr("service.namespace", "rover"),
        str_attr("service.version", version),
        str_attr("host.name", host),
    ]
}

/// Seconds of a microsecond time.
fn secs(us: Micros) -> f64 {
    us as f64 / 1e6
}

/// A string attribute.
pub fn str_attr(key: &str, value: impl AsRef<str>) -> Attribute {
    (key.into(), AttrValue::Str(value.as_ref().into()))
}

/// An integer attribute.
pub fn int_attr(key: &str, value: i64) -> Attribute {
    (key.into(), AttrValue::Int(value))
}

/// A double attribute, rounded to `decimals` places so the body stays short and readable.
pub fn num_attr(key: &str, value: f64, decimals: i32) -> Attribute {
    let scale = 10_f64.powi(decimals);
    (
        key.into(),
        AttrValue::Double((value * scale).round() / scale),
    )
}

/// A boolean attribute.
pub fn bool_attr(key: &str, value: bool) -> Attribute {
    (key.into(), AttrValue::Bool(value))
}

/// A trace under construction.
pub struct Builder {
    trace_id: std::sync::Arc<str>,
    ids: Rng,
    /// Timing jitter and other draws of this trace.
    pub rng: Rng,
    spans: Vec<Span>,
}

impl Builder {
    /// Starts the trace `key` of the sol of `seed`.
    pub fn new(seed: u64, key: TraceKey) -> Self {
        Self {
            trace_id: trace_id(seed, key).into(),
            ids: key.rng(seed, 0x5BA2_0000_0000_0002),
            rng: key.rng(seed, 0xD1CE_0000_0000_0003),
            spans: Vec::new(),
        }
    }

    /// A duration drawn uniformly in `[lo_ms, hi_ms)` milliseconds, in microseconds.
    pub fn ms(&mut self, lo_ms: f64, hi_ms: f64) -> Micros {
        (self.rng.range(lo_ms, hi_ms) * 1000.0).round() as Micros
    }

    /// Adds a span from `start` to `end` and returns its index.
    pub fn span(
        &mut self,
        parent: Option<usize>,
        service: &str,
        name: impl Into<String>,
        kind: SpanKind,
        (start, end): (Micros, Micros),
    ) -> usize {
        let parent_id = parent.map(|p| self.spans[p].span_id.clone());
        self.spans.push(Span {
            trace_id: self.trace_id.clone(),
            span_id: format!("{:016x}", self.ids.next_u64()),
            parent_id,
            links: Vec::new(),
            name: name.into(),
            service: Some(service.into()),
            kind,
            error: false,
            status_message: String::new(),
            start: secs(start),
            duration: secs(end - start.min(end)),
            attributes: Vec::new(),
            events: Vec::new(),
            resource: resource(service).into(),
        });
        self.spans.len() - 1
    }

    /// Adds attributes to span `i`.
    pub fn attrs(&mut self, i: usize, attrs: impl IntoIterator<Item = Attribute>) {
        self.spans[i].attributes.extend(attrs);
    }

    /// Adds `extra` to span `i`'s resource (its service's own attributes first): a camera's
    /// id and firmware, say.
    pub fn resource(&mut self, i: usize, extra: impl IntoIterator<Item = Attribute>) {
        let service = self.spans[i].service.clone().unwrap_or_default();
        let mut attrs = resource(&service);
        attrs.extend(extra);
        self.spans[i].resource = attrs.into();
    }

    /// Marks span `i` failed with `message`.
    pub fn fail(&mut self, i: usize, message: impl Into<String>) {
        self.spans[i].error = true;
        self.spans[i].status_message = message.into();
    }

    /// Adds an event at `t` to span `i`.
    pub fn event(&mut self, i: usize, t: Micros, name: &str, attributes: Vec<Attribute>) {
        self.spans[i].events.push(SpanEvent {
            t: secs(t),
            name: name.to_owned(),
            attributes,
        });
    }

    /// Links span `i` to another trace's span.
    pub fn link(&mut self, i: usize, trace_id: String, span_id: String) {
        self.spans[i].links.push(Link {
            trace_id,
            span_id,
            kind: LinkKind::Link,
        });
    }

    /// The trace, its spans grouped by service in order of first appearance: the order in
    /// which a Jaeger v3 body, one `resourceSpans` per service, sends them back.
    pub fn finish(self) -> Trace {
        let mut order: Vec<Option<std::sync::Arc<str>>> = Vec::new();
        for s in &self.spans {
            if !order.contains(&s.service) {
                order.push(s.service.clone());
            }
        }
        let mut spans = self.spans;
        spans.sort_by_key(|s| order.iter().position(|o| *o == s.service));
        Trace {
            trace_id: self.trace_id,
            spans,
            warnings: Vec::new(),
        }
    }
}
