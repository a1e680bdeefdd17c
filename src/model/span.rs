//! Traces after OpenTelemetry's model, which both of Jaeger's APIs map onto: spans with ids,
//! a parent, links, kind, status, timing, attributes of every type, events, and the resource
//! (`service.name`). Plain values; nothing here draws or fetches.

use std::sync::Arc;

/// An attribute value, of any of the types OTLP and Jaeger tags carry.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrValue {
    /// A string (one copy per distinct value of a body: the parsers intern them).
    Str(Arc<str>),
    /// A boolean.
    Bool(bool),
    /// A 64-bit integer (also when the wire wrote it as a string).
    Int(i64),
    /// A double.
    Double(f64),
    /// Bytes, as the wire's base64 text.
    Bytes(String),
    /// A list.
    Array(Vec<AttrValue>),
    /// Anything else, as JSON text.
    Other(String),
}

impl std::fmt::Display for AttrValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Str(s) => f.write_str(s),
            Self::Bytes(s) | Self::Other(s) => f.write_str(s),
            Self::Bool(b) => write!(f, "{b}"),
            Self::Int(i) => write!(f, "{i}"),
            Self::Double(d) => write!(f, "{d}"),
            Self::Array(items) => {
                let parts: Vec<String> = items.iter().map(ToString::to_string).collect();
                write!(f, "[{}]", parts.join(", "))
            }
        }
    }
}

/// A key and its value.
pub type Attribute = (Arc<str>, AttrValue);

/// The relation a span has to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// The other span is its parent (Jaeger `CHILD_OF`).
    ChildOf,
    /// It follows the other span (Jaeger `FOLLOWS_FROM`).
    FollowsFrom,
    /// An OTLP link.
    Link,
}

/// A reference to another span, possibly in another trace.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// Its trace.
    pub trace_id: String,
    /// The span.
    pub span_id: String,
    /// How it relates.
    pub kind: LinkKind,
}

/// OTLP's span kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanKind {
    /// Not said.
    Unspecified,
    /// Internal work.
    Internal,
    /// Serving a request.
    Server,
    /// Making a request.
    Client,
    /// Sending a message.
    Producer,
    /// Receiving a message.
    Consumer,
}

impl SpanKind {
    /// The kind's number in OTLP (`SPAN_KIND_*`).
    #[must_use]
    pub fn otlp_code(self) -> u8 {
        match self {
            Self::Unspecified => 0,
            Self::Internal => 1,
            Self::Server => 2,
            Self::Client => 3,
            Self::Producer => 4,
            Self::Consumer => 5,
        }
    }
}

/// Something that happened during a span (Jaeger: a log).
#[derive(Debug, Clone, PartialEq)]
pub struct SpanEvent {
    /// Unix time, seconds.
    pub t: f64,
    /// Its name (Jaeger: the `event` field, when there is one).
    pub name: String,
    /// Its attributes.
    pub attributes: Vec<Attribute>,
}

/// One span.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// Trace id, lower-case hex.
    pub trace_id: Arc<str>,
    /// Span id, lower-case hex.
    pub span_id: String,
    /// The parent span's id, if any.
    pub parent_id: Option<String>,
    /// Other references.
    pub links: Vec<Link>,
    /// The operation.
    pub name: String,
    /// The service, from the resource's `service.name` (or Jaeger's process).
    pub service: Option<Arc<str>>,
    /// Its kind.
    pub kind: SpanKind,
    /// Whether it failed (OTLP status code 2, or Jaeger's `error` tag).
    pub error: bool,
    /// The status message, if any.
    pub status_message: String,
    /// Start, Unix seconds.
    pub start: f64,
    /// Duration, seconds.
    pub duration: f64,
    /// Its attributes (Jaeger: tags).
    pub attributes: Vec<Attribute>,
    /// Its events (Jaeger: logs).
    pub events: Vec<SpanEvent>,
    /// The resource's attributes (Jaeger: the process's tags and service).
    /// (Shared by every span of one resource: a trace of thousands of spans from a handful of
    /// services keeps a handful of copies.)
    pub resource: Arc<[Attribute]>,
}

impl Span {
    /// A span with only its identity and timing: named after its id, internal, in trace `t`,
    /// with no service, status, attributes or events. Tests and tools fill in the rest.
    #[must_use]
    pub fn bare(span_id: &str, parent_id: Option<&str>, start: f64, duration: f64) -> Self {
        Self {
            trace_id: "t".into(),
            span_id: span_id.into(),
            parent_id: parent_id.map(str::to_owned),
            links: Vec::new(),
            name: span_id.into(),
            service: None,
            kind: SpanKind::Internal,
            error: false,
            status_message: String::new(),
            start,
            duration,
            attributes: Vec::new(),
            events: Vec::new(),
            resource: Vec::new().into(),
        }
    }
}

/// A trace: its spans as sent, and warnings about it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trace {
    /// Trace id, lower-case hex.
    pub trace_id: Arc<str>,
    /// Spans in the order the backend sent them (parents may come after children).
    pub spans: Vec<Span>,
    /// Warnings the backend attached, or found while reading.
    pub warnings: Vec<String>,
}
