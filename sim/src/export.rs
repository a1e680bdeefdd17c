//! The rover's traces live over OTLP: `capcom simulate --otlp-endpoint URL` sends each span
//! of the sol's traces (`sim::traces`) through OpenTelemetry's SDK and OTLP/HTTP exporter
//! when the world's clock passes its end, as an instrumented program does: one tracer
//! provider per service with its resource (`service.name`, `service.namespace`, …), spans
//! with their parents, kinds, attributes, events, links and error status, and the trace ids
//! the events carry, so a trace found in Jaeger matches its events in OpenSearch. A backend
//! that refuses is said on stderr and retried with backoff; meanwhile spans wait in the
//! batch processor's bounded queue.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use opentelemetry::trace::{
    Event, Link, SpanBuilder, SpanContext, SpanId, SpanKind, Status, TraceContextExt as _,
    TraceFlags, TraceId, TraceState, Tracer as _, TracerProvider as _,
};
use opentelemetry::{Context, KeyValue, Value};
use opentelemetry_http::{Bytes, HttpError, Request, Response};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, SdkTracerProvider, SpanData, SpanExporter,
};

use capcom::model::span::{AttrValue, Attribute, LinkKind, Span, SpanKind as Kind, Trace};
use capcom::text::{one_line, plural};

/// Tries per batch before it is given up (with waits of 1, 2, 4, 8 s between).
const TRIES: u32 = 5;
/// How long one request to the collector may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// While the output stays down with the same cause, how often stderr is reminded.
const REMIND: Duration = Duration::from_secs(30);

/// The OTLP output as one thing, shared by every service's exporter: stderr gets one line
/// when the output starts failing, when the cause changes, when it comes back, and a reminder
/// every [`REMIND`] while it stays down; not a line per service per retry. Stopping wakes
/// every retry wait at once.
#[derive(Debug)]
struct Output {
    endpoint: String,
    state: Mutex<State>,
    wake: Condvar,
}

/// What the output has said, and what is waiting or was lost.
#[derive(Debug, Default)]
struct State {
    stopping: bool,
    /// The cause of the failure last said, while failing.
    failing: Option<String>,
    said: Option<Instant>,
    /// Spans in a batch being retried, by service.
    waiting: BTreeMap<String, usize>,
    /// Spans given up, since the output last worked.
    dropped: usize,
}

impl State {
    /// A service's batch of `spans` failed with `cause`; `gave_up` when it will not be tried
    /// again. The line to print, if this is news.
    fn failed(
        &mut self,
        endpoint: &str,
        service: &str,
        cause: &str,
        spans: usize,
        gave_up: bool,
        now: Instant,
    ) -> Option<String> {
        if gave_up {
            self.waiting.remove(service);
            self.dropped += spans;
        } else {
            self.waiting.insert(service.to_owned(), spans);
        }
        let news = self.failing.as_deref() != Some(cause)
            || self.said.is_none_or(|t| now.duration_since(t) >= REMIND);
        if self.stopping || !news {
            return None;
        }
        self.failing = Some(cause.to_owned());
        self.said = Some(now);
        let waiting: usize = self.waiting.values().sum();
        let dropped = if self.dropped > 0 {
            format!(
                ", {} dropped after {TRIES} tries",
                plural(self.dropped, "span")
            )
        } else {
            String::new()
        };
        Some(format!(
            "otlp {endpoint}: {cause}; retrying each batch after 1, 2, 4, 8 s ({} waiting{dropped})",
            plural(waiting, "span")
        ))
    }

    /// A service's batch went out. The line to print if the output was failing.
    fn sent(&mut self, endpoint: &str, service: &str) -> Option<String> {
        self.waiting.remove(service);
        self.failing.take()?;
        self.said = None;
        let dropped = std::mem::take(&mut self.dropped);
        Some(if dropped > 0 {
            format!(
                "otlp {endpoint}: sending again ({} lost meanwhile)",
                plural(dropped, "span")
            )
        } else {
            format!("otlp {endpoint}: sending again")
        })
    }

    /// What stopping left unsent, if anything.
    fn stopped(&self, endpoint: &str) -> Option<String> {
        let lost = self.dropped + self.waiting.values().sum::<usize>();
        let cause = self.failing.as_deref()?;
        Some(format!(
            "otlp {endpoint}: stopped while failing ({cause}); {} not sent",
            plural(lost, "span")
        ))
    }
}

impl Output {
    fn new(endpoint: &str) -> Self {
        Self {
            endpoint: endpoint.to_owned(),
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn failed(&self, service: &str, cause: &str, spans: usize, gave_up: bool) {
        let line = self.state().failed(
            &self.endpoint,
            service,
            cause,
            spans,
            gave_up,
            Instant::now(),
        );
        if let Some(line) = line {
            eprintln!("{line}");
        }
    }

    fn sent(&self, service: &str) {
        let line = self.state().sent(&self.endpoint, service);
        if let Some(line) = line {
            eprintln!("{line}");
        }
    }

    fn stopping(&self) -> bool {
        self.state().stopping
    }

    /// Waits `wait`, or less if stopping begins; whether stopping began.
    fn sleep(&self, wait: Duration) -> bool {
        let guard = self.state();
        let (guard, _) = self
            .wake
            .wait_timeout_while(guard, wait, |s| !s.stopping)
            .unwrap_or_else(PoisonError::into_inner);
        guard.stopping
    }

    /// From now on every batch gets one try, and no retry waits.
    fn stop(&self) {
        self.state().stopping = true;
        self.wake.notify_all();
    }
}

/// An exporter that reports its failures to the shared [`Output`] and tries again with
/// backoff, until it gives up or stopping begins.
#[derive(Debug)]
struct Retrying<E> {
    inner: E,
    service: String,
    output: Arc<Output>,
}

impl<E: SpanExporter> SpanExporter for Retrying<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let mut wait = Duration::from_secs(1);
        let mut attempt = 1;
        loop {
            let Err(e) = self.inner.export(batch.clone()).await else {
                self.output.sent(&self.service);
                return Ok(());
            };
            let cause = cause(&e);
            let last = attempt == TRIES || self.output.stopping();
            self.output.failed(&self.service, &cause, batch.len(), last);
            // The batch processor runs exports on its own thread: waiting here holds only
            // that thread, while new spans queue (bounded) behind it.
            if last {
                return Err(e);
            }
            if self.output.sleep(wait) {
                self.output.failed(&self.service, &cause, batch.len(), true);
                return Err(e);
            }
            wait *= 2;
            attempt += 1;
        }
    }

    fn shutdown_with_timeout(&mut self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// An export failure in words: [`Http`] already made the text; the SDK's own errors as they say.
fn cause(e: &OTelSdkError) -> String {
    let text = match e {
        OTelSdkError::InternalFailure(m) => m.clone(),
        OTelSdkError::Timeout(d) => format!("no answer within {} s", d.as_secs()),
        OTelSdkError::AlreadyShutdown => "already shut down".to_owned(),
    };
    one_line(&text, 160)
}

/// The OTLP exporter's HTTP client: reqwest's blocking client (made and dropped outside any
/// async runtime), with a failure said as its cause ("cannot connect: Connection refused")
/// rather than a debug dump, and an answer other than 2xx as an error with its status.
#[derive(Debug)]
struct Http {
    client: reqwest::blocking::Client,
}

/// A failure already in words: its `Debug` (which the OTLP exporter prints) is the text.
struct Failure(String);

impl std::fmt::Debug for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failure {}

fn transport(e: &reqwest::Error) -> Failure {
    Failure(super::request_failure(e, REQUEST_TIMEOUT))
}

impl Http {
    fn new() -> color_eyre::Result<Self> {
        Ok(Self {
            client: reqwest::blocking::Client::builder()
                .timeout(REQUEST_TIMEOUT)
                .build()?,
        })
    }

    fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, Failure> {
        let request: reqwest::blocking::Request = request
            .try_into()
            .map_err(|e: reqwest::Error| transport(&e))?;
        let response = self.client.execute(request).map_err(|e| transport(&e))?;
        let status = response.status();
        let body = response.bytes().map_err(|e| transport(&e))?;
        if !status.is_success() {
            let said = one_line(&String::from_utf8_lossy(&body), 120);
            return Err(Failure(if said.is_empty() {
                format!("HTTP {status}")
            } else {
                format!("HTTP {status}: {said}")
            }));
        }
        Response::builder()
            .status(status)
            .body(body)
            .map_err(|e| Failure(e.to_string()))
    }
}

impl opentelemetry_http::HttpClient for Http {
    // The trait is `#[async_trait]`; this is the signature it expands to. The request is
    // made at once (blocking), on the batch processor's own thread.
    fn send_bytes<'life0, 'async_trait>(
        &'life0 self,
        request: Request<Bytes>,
    ) -> Pin<Box<dyn Future<Output = Result<Response<Bytes>, HttpError>> + Send + 'async_trait>>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        let result = self.send(request).map_err(|e| Box::new(e) as HttpError);
        Box::pin(std::future::ready(result))
    }
}

fn value(v: &AttrValue) -> Value {
    match v {
        AttrValue::Str(s) => Value::from(s.to_string()),
        AttrValue::Bytes(s) | AttrValue::Other(s) => Value::from(s.clone()),
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
    output: Arc<Output>,
}

impl Exporter {
    /// An exporter to the OTLP/HTTP `endpoint` (e.g. `http://jaeger:4318`) for the traces of
    /// the world with `seed`, starting at world time `clock.from`.
    ///
    /// # Errors
    /// The exporter cannot be built.
    pub fn new(endpoint: &str, seed: u64, clock: Clock) -> color_eyre::Result<Self> {
        let traces = super::traces::traces(seed);
        let url = format!("{}/v1/traces", endpoint.trim_end_matches('/'));
        let output = Arc::new(Output::new(&url));
        let mut providers = BTreeMap::new();
        let mut pending = Vec::new();
        for (ti, t) in traces.iter().enumerate() {
            for (si, s) in t.spans.iter().enumerate() {
                let end = s.start + s.duration;
                if end > clock.from {
                    pending.push((end, ti, si));
                }
                let service = s.service.as_deref().unwrap_or("rover").to_owned();
                if let std::collections::btree_map::Entry::Vacant(slot) = providers.entry(service) {
                    let made = provider(&url, slot.key(), &s.resource, &output)?;
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
            output,
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
        let service = s.service.as_deref().unwrap_or("rover");
        let Some(provider) = self.providers.get(service) else {
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

    /// Sends what is queued and stops, within `grace` whatever the collector is doing: a
    /// batch waiting to be retried gets no more tries, every service's queue is flushed at
    /// the same time, and one that does not answer in time is left behind (said on stderr).
    pub fn shutdown(&self, grace: Duration) {
        self.output.stop();
        std::thread::scope(|scope| {
            for p in self.providers.values() {
                scope.spawn(move || p.shutdown_with_timeout(grace));
            }
        });
        let line = self.output.state().stopped(&self.output.endpoint);
        if let Some(line) = line {
            eprintln!("{line}");
        }
    }
}

fn provider(
    url: &str,
    service: &str,
    resource: &[Attribute],
    output: &Arc<Output>,
) -> color_eyre::Result<SdkTracerProvider> {
    use opentelemetry_otlp::{WithExportConfig as _, WithHttpConfig as _};
    let inner = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(Http::new()?)
        .with_endpoint(url)
        .with_timeout(REQUEST_TIMEOUT)
        .build()?;
    let exporter = Retrying {
        inner,
        service: service.to_owned(),
        output: Arc::clone(output),
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

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "http://127.0.0.1:4318/v1/traces";

    #[test]
    fn seven_services_failing_alike_make_one_line_with_the_cause() {
        let mut st = State::default();
        let t0 = Instant::now();
        let cause = "cannot connect: Connection refused (os error 111)";
        let lines: Vec<String> = ["mobility", "nav", "camera", "power", "telecom", "rover-fsw"]
            .iter()
            .enumerate()
            .filter_map(|(i, s)| st.failed(URL, s, cause, i + 1, false, t0))
            .collect();
        assert_eq!(
            lines,
            [format!(
                "otlp {URL}: {cause}; retrying each batch after 1, 2, 4, 8 s (1 span waiting)"
            )]
        );
        // The same cause again, within the reminder period: nothing; a new cause: a line.
        assert_eq!(
            st.failed(URL, "nav", cause, 2, false, t0 + Duration::from_secs(5)),
            None
        );
        let timeout = st
            .failed(
                URL,
                "nav",
                "no answer within 10 s",
                2,
                false,
                t0 + Duration::from_secs(6),
            )
            .expect("a new cause is news");
        assert!(
            timeout.contains("no answer within 10 s; retrying"),
            "{timeout}"
        );
        assert!(timeout.contains("(21 spans waiting)"), "{timeout}");
        // Given up: counted; a reminder after REMIND says so.
        assert_eq!(
            st.failed(
                URL,
                "mobility",
                "no answer within 10 s",
                1,
                true,
                t0 + Duration::from_secs(7)
            ),
            None
        );
        let later = st
            .failed(
                URL,
                "nav",
                "no answer within 10 s",
                2,
                false,
                t0 + Duration::from_secs(40),
            )
            .expect("a reminder");
        assert!(
            later.ends_with("(20 spans waiting, 1 span dropped after 5 tries)"),
            "{later}"
        );
        assert_eq!(
            st.sent(URL, "nav"),
            Some(format!("otlp {URL}: sending again (1 span lost meanwhile)"))
        );
        assert_eq!(st.sent(URL, "camera"), None, "said once");
        assert_eq!(st.stopped(URL), None, "not failing: nothing to say");
    }

    #[test]
    fn stopping_says_what_was_not_sent_and_wakes_a_retry_wait() {
        let output = Arc::new(Output::new(URL));
        output.failed("nav", "HTTP 503 Service Unavailable", 3, false);
        let waiter = {
            let output = Arc::clone(&output);
            std::thread::spawn(move || {
                let t = Instant::now();
                (output.sleep(Duration::from_secs(30)), t.elapsed())
            })
        };
        std::thread::sleep(Duration::from_millis(50));
        output.stop();
        let (stopped, slept) = waiter.join().expect("joins");
        assert!(stopped && slept < Duration::from_secs(5), "{slept:?}");
        assert_eq!(
            output.state().stopped(URL).as_deref(),
            Some(&*format!(
                "otlp {URL}: stopped while failing (HTTP 503 Service Unavailable); 3 spans not sent"
            ))
        );
    }
}
