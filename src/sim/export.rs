//! The rover's traces live over OTLP: `capcom simulate --otlp-endpoint URL` sends each span
//! of the sol's traces (`sim::traces`) through OpenTelemetry's SDK and OTLP/HTTP exporter
//! when the world's clock passes its end, as an instrumented program does: one tracer
//! provider per service with its resource (`service.name`, `service.namespace`, …), spans
//! with their parents, kinds, attributes, events, links and error status, and the trace ids
//! the events carry, so a trace found in Jaeger matches its events in OpenSearch. A backend
//! that refuses is said on stderr and retried with backoff; meanwhile spans wait in the
//! batch processor's bounded queue.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use opentelemetry::trace::{
    Event, Link, SpanBuilder, SpanContext, SpanId, SpanKind, Status, TraceContextExt as _,
    TraceFlags, TraceId, TraceState, Tracer as _, TracerProvider as _,
};
use opentelemetry::{Context, KeyValue, Value};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, SdkTracerProvider, SpanData, SpanExporter,
};

use crate::model::span::{AttrValue, Attribute, LinkKind, Span, SpanKind as Kind, Trace};

/// Tries per batch before it is given up (with waits of 1, 2, 4, 8 s between).
const TRIES: u32 = 5;

/// An exporter that says its failures on stderr and tries again with backoff.
#[derive(Debug)]
struct Retrying<E> {
    inner: E,
    service: String,
}

impl<E: SpanExporter> SpanExporter for Retrying<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let mut wait = Duration::from_secs(1);
        for attempt in 1..=TRIES {
            match self.inner.export(batch.clone()).await {
                Ok(()) => {
                    if attempt > 1 {
                        eprintln!("otlp ({}): sent after {attempt} tries", self.service);
                    }
                    return Ok(());
                }
                Err(e) if attempt < TRIES => {
                    eprintln!(
                        "otlp ({}): {}; retrying in {} s ({} spans waiting)",
                        self.service,
                        crate::text::one_line(&e.to_string(), 120),
                        wait.as_secs(),
                        batch.len()
                    );
                    // The batch processor runs exports on its own thread: waiting here
                    // holds only that thread, while new spans queue (bounded) behind it.
                    std::thread::sleep(wait);
                    wait *= 2;
                }
                Err(e) => {
                    eprintln!(
                        "otlp ({}): {} spans dropped after {TRIES} tries: {e}",
                        self.service,
                        batch.len()
                    );
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    fn shutdown_with_timeout(&mut self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

fn value(v: &AttrValue) -> Value {
    match v {
        AttrValue::Str(s) | AttrValue::Bytes(s) | AttrValue::Other(s) => Value::from(s.clone()),
        AttrValue::Bool(b) => Value::Bool(*b),
        AttrValue::Int(i) => Value::I64(*i),
        AttrValue::Double(d) => Value::F64(*d),
        AttrValue::Array(items) => Value::Array(opentelemetry::Array::String(
            items.iter().map(|i| i.to_string().into()).collect(),
        )),
    }
}

fn key_values(attrs: &[Attribute]) -> Vec<KeyValue> {
    attrs
        .iter()
        .map(|(k, v)| KeyValue::new(k.clone(), value(v)))
        .collect()
}

fn kind(k: Kind) -> SpanKind {
    match k {
        Kind::Server => SpanKind::Server,
        Kind::Client => SpanKind::Client,
        Kind::Producer => SpanKind::Producer,
        Kind::Consumer => SpanKind::Consumer,
        Kind::Internal | Kind::Unspecified => SpanKind::Internal,
    }
}

fn trace_id(hex: &str) -> TraceId {
    TraceId::from_hex(hex).unwrap_or(TraceId::INVALID)
}

fn span_id(hex: &str) -> SpanId {
    SpanId::from_hex(hex).unwrap_or(SpanId::INVALID)
}

fn context(trace: &str, span: &str) -> SpanContext {
    SpanContext::new(
        trace_id(trace),
        span_id(span),
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    )
}

/// Maps world time to wall-clock time.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    /// Wall-clock Unix seconds at world time `from`.
    pub wall: f64,
    /// The world time the run started at.
    pub from: f64,
    /// World seconds per wall second.
    pub speed: f64,
}

impl Clock {
    fn at(&self, world: f64) -> SystemTime {
        let unix = self.wall + (world - self.from) / self.speed;
        UNIX_EPOCH + Duration::from_secs_f64(unix.max(0.0))
    }
}

/// The sol's spans, sent as the world's clock passes their ends.
pub struct Exporter {
    providers: BTreeMap<String, SdkTracerProvider>,
    /// (end, trace index, span index), in order of end.
    pending: Vec<(f64, usize, usize)>,
    next: usize,
    traces: Vec<Trace>,
    clock: Clock,
}

impl Exporter {
    /// An exporter to the OTLP/HTTP `endpoint` (e.g. `http://jaeger:4318`) for the traces of
    /// the world with `seed`, starting at world time `clock.from`.
    ///
    /// # Errors
    /// The exporter cannot be built.
    pub fn new(endpoint: &str, seed: u64, clock: Clock) -> color_eyre::Result<Self> {
        let traces = super::traces::traces(seed);
        let mut providers = BTreeMap::new();
        let mut pending = Vec::new();
        for (ti, t) in traces.iter().enumerate() {
            for (si, s) in t.spans.iter().enumerate() {
                let end = s.start + s.duration;
                if end > clock.from {
                    pending.push((end, ti, si));
                }
                let service = s.service.clone().unwrap_or_else(|| "rover".to_owned());
                if let std::collections::btree_map::Entry::Vacant(slot) = providers.entry(service) {
                    let made = provider(endpoint, slot.key(), &s.resource)?;
                    slot.insert(made);
                }
            }
        }
        pending.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(Self {
            providers,
            pending,
            next: 0,
            traces,
            clock,
        })
    }

    /// Sends every span that has ended by world time `t`.
    pub fn advance(&mut self, t: f64) {
        while let Some(&(end, ti, si)) = self.pending.get(self.next) {
            if end > t {
                break;
            }
            self.next += 1;
            let span = &self.traces[ti].spans[si];
            self.send(span);
        }
    }

    fn send(&self, s: &Span) {
        let service = s.service.clone().unwrap_or_else(|| "rover".to_owned());
        let Some(provider) = self.providers.get(&service) else {
            return;
        };
        let tracer = provider.tracer("rover-sim");
        let mut b = SpanBuilder::from_name(s.name.clone())
            .with_kind(kind(s.kind))
            .with_start_time(self.clock.at(s.start))
            .with_trace_id(trace_id(&s.trace_id))
            .with_span_id(span_id(&s.span_id))
            .with_attributes(key_values(&s.attributes))
            .with_events(
                s.events
                    .iter()
                    .map(|e| {
                        Event::new(
                            e.name.clone(),
                            self.clock.at(e.t),
                            key_values(&e.attributes),
                            0,
                        )
                    })
                    .collect(),
            )
            .with_links(
                s.links
                    .iter()
                    .filter(|l| l.kind == LinkKind::Link)
                    .map(|l| Link::with_context(context(&l.trace_id, &l.span_id)))
                    .collect(),
            );
        if s.error {
            b = b.with_status(Status::error(s.status_message.clone()));
        }
        let parent = match &s.parent_id {
            Some(p) => Context::new().with_remote_span_context(context(&s.trace_id, p)),
            None => Context::new(),
        };
        let mut span = tracer.build_with_context(b, &parent);
        opentelemetry::trace::Span::end_with_timestamp(
            &mut span,
            self.clock.at(s.start + s.duration),
        );
    }

    /// Sends what is queued and stops.
    pub fn shutdown(&self) {
        for p in self.providers.values() {
            let _ = p.shutdown();
        }
    }
}

fn provider(
    endpoint: &str,
    service: &str,
    resource: &[Attribute],
) -> color_eyre::Result<SdkTracerProvider> {
    use opentelemetry_otlp::WithExportConfig as _;
    let inner = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
        .with_timeout(Duration::from_secs(10))
        .build()?;
    let exporter = Retrying {
        inner,
        service: service.to_owned(),
    };
    let processor = BatchSpanProcessor::builder(exporter)
        .with_batch_config(
            BatchConfigBuilder::default()
                .with_scheduled_delay(Duration::from_secs(1))
                .with_max_queue_size(8_192)
                .build(),
        )
        .build();
    let resource = Resource::builder_empty()
        .with_attributes(key_values(resource))
        .build();
    Ok(SdkTracerProvider::builder()
        .with_span_processor(processor)
        .with_resource(resource)
        .build())
}
