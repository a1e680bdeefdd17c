//! Jaeger's query APIs: pure parsers of `/api/v3/traces…` bodies (OTLP JSON:
//! `resourceSpans` → `scopeSpans` → `spans`) and of v1 `/api/traces…` bodies (the
//! `{data,total,limit,offset,errors}` envelope, or a bare trace object), both onto one
//! OpenTelemetry-shaped trace model. Malformed or partial traces still parse: a span missing a
//! field gets a default, and nothing here panics on any input.

use crate::source::MESSAGE_MAX;
use crate::text::one_line;
use serde::Deserialize;
use serde_json::Value;

use crate::model::span::{AttrValue, Attribute, Link, LinkKind, Span, SpanEvent, SpanKind, Trace};

/// Why a Jaeger body could not be read.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TraceError {
    /// Jaeger answered with an error (v1 `errors`, v3 `error`).
    #[error("{0}")]
    Api(String),
    /// The body is not what the API sends.
    #[error("malformed response: {0}")]
    Malformed(String),
}

fn read(body: &[u8]) -> Result<Value, TraceError> {
    serde_json::from_slice(body)
        .or_else(|e| serde_json::from_str(&String::from_utf8_lossy(body)).map_err(|_| e))
        .map_err(|e| TraceError::Malformed(one_line(&e.to_string(), MESSAGE_MAX)))
}

fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// Ids as lower-case hex, without the leading zeros some v1 servers drop or keep.
fn id(s: &str) -> String {
    s.trim().to_ascii_lowercase()
}

/// A number that may be written as a JSON number or a string (OTLP's 64-bit fields).
fn big(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

// ---- v3: OTLP JSON, read into typed structs (a 5,000-span trace in a few ms) ----

/// What a v3 body holds, read in one pass: each `resourceSpans` element is turned into spans
/// as soon as it is read, so a large answer never exists twice (typed and converted) at once.
#[derive(Default)]
struct V3Read {
    traces: Vec<Trace>,
    found: bool,
    error: Option<Value>,
}

/// Reads an object whose `resourceSpans`, `result` (holding the same) and `error` matter.
struct BodySeed<'a>(&'a mut V3Read);

impl<'de> serde::de::DeserializeSeed<'de> for BodySeed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for BodySeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an OTLP JSON object")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "resourceSpans" => {
                    self.0.found = true;
                    map.next_value_seed(SpansSeed(&mut self.0.traces))?;
                }
                "result" => {
                    self.0.found = true;
                    map.next_value_seed(BodySeed(&mut *self.0))?;
                }
                "error" => self.0.error = Some(map.next_value()?),
                _ => drop(map.next_value::<serde::de::IgnoredAny>()?),
            }
        }
        Ok(())
    }
}

/// Reads the `resourceSpans` list one element at a time into traces.
struct SpansSeed<'a>(&'a mut Vec<Trace>);

impl<'de> serde::de::DeserializeSeed<'de> for SpansSeed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for SpansSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of resourceSpans")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(rs) = seq.next_element::<ResourceSpans>()? {
            let resource: std::sync::Arc<[Attribute]> =
                otlp_attributes(&rs.resource.attributes).into();
            let service = service_of(&resource);
            for s in rs.scope_spans.iter().flat_map(|ss| &ss.spans) {
                push_span(self.0, otlp_span(s, &resource, service.as_ref()));
            }
        }
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(()) // `null`: no spans
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ResourceSpans {
    resource: Resource,
    scope_spans: Vec<ScopeSpans>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Resource {
    attributes: Vec<KeyValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ScopeSpans {
    spans: Vec<OtlpSpan>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct OtlpSpan {
    trace_id: String,
    span_id: String,
    parent_span_id: String,
    name: String,
    kind: Option<NumOrText>,
    start_time_unix_nano: Option<NumOrText>,
    end_time_unix_nano: Option<NumOrText>,
    attributes: Vec<KeyValue>,
    events: Vec<OtlpEvent>,
    links: Vec<OtlpLink>,
    status: Option<OtlpStatus>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct OtlpEvent {
    time_unix_nano: Option<NumOrText>,
    name: String,
    attributes: Vec<KeyValue>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct OtlpLink {
    trace_id: String,
    span_id: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OtlpStatus {
    code: Option<NumOrText>,
    message: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct KeyValue {
    key: String,
    value: AnyValue,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
#[expect(clippy::struct_field_names, reason = "the names are OTLP's JSON keys")]
struct AnyValue {
    string_value: Option<String>,
    bool_value: Option<bool>,
    int_value: Option<NumOrText>,
    double_value: Option<NumOrText>,
    bytes_value: Option<String>,
    array_value: Option<ArrayValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ArrayValue {
    values: Vec<AnyValue>,
}

/// OTLP JSON writes 64-bit numbers as strings, and enums as numbers or names. Read with a
/// visitor rather than `#[serde(untagged)]`, which buffers every value first (a third of the
/// time of a large trace).
enum NumOrText {
    Int(i64),
    Float(f64),
    Text(String),
}

impl<'de> Deserialize<'de> for NumOrText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl serde::de::Visitor<'_> for Visit {
            type Value = NumOrText;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number or a string")
            }
            fn visit_i64<E>(self, v: i64) -> Result<NumOrText, E> {
                Ok(NumOrText::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<NumOrText, E> {
                Ok(i64::try_from(v).map_or(NumOrText::Float(v as f64), NumOrText::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<NumOrText, E> {
                Ok(NumOrText::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<NumOrText, E> {
                Ok(NumOrText::Text(v.to_owned()))
            }
        }
        d.deserialize_any(Visit)
    }
}

impl NumOrText {
    fn f64(&self) -> Option<f64> {
        match self {
            Self::Int(i) => Some(*i as f64),
            Self::Float(f) => Some(*f),
            Self::Text(s) => s.parse().ok(),
        }
    }

    fn text(&self) -> String {
        match self {
            Self::Int(i) => i.to_string(),
            Self::Float(f) => f.to_string(),
            Self::Text(s) => s.clone(),
        }
    }
}

fn otlp_value(v: &AnyValue) -> AttrValue {
    if let Some(s) = &v.string_value {
        return AttrValue::Str(s.clone());
    }
    if let Some(b) = v.bool_value {
        return AttrValue::Bool(b);
    }
    if let Some(i) = &v.int_value {
        return i
            .text()
            .parse()
            .map_or_else(|_| AttrValue::Other(i.text()), AttrValue::Int);
    }
    if let Some(d) = v.double_value.as_ref().and_then(NumOrText::f64) {
        return AttrValue::Double(d);
    }
    if let Some(b) = &v.bytes_value {
        return AttrValue::Bytes(b.clone());
    }
    if let Some(a) = &v.array_value {
        return AttrValue::Array(a.values.iter().map(otlp_value).collect());
    }
    AttrValue::Other(String::new())
}

fn otlp_attributes(list: &[KeyValue]) -> Vec<Attribute> {
    list.iter()
        .map(|kv| (kv.key.clone(), otlp_value(&kv.value)))
        .collect()
}

fn otlp_kind(v: Option<&NumOrText>) -> SpanKind {
    let n = match v {
        Some(NumOrText::Int(n)) => *n,
        Some(NumOrText::Text(s)) => match s.as_str() {
            "SPAN_KIND_INTERNAL" => 1,
            "SPAN_KIND_SERVER" => 2,
            "SPAN_KIND_CLIENT" => 3,
            "SPAN_KIND_PRODUCER" => 4,
            "SPAN_KIND_CONSUMER" => 5,
            _ => 0,
        },
        Some(NumOrText::Float(_)) | None => 0,
    };
    match n {
        1 => SpanKind::Internal,
        2 => SpanKind::Server,
        3 => SpanKind::Client,
        4 => SpanKind::Producer,
        5 => SpanKind::Consumer,
        _ => SpanKind::Unspecified,
    }
}

fn otlp_span(
    s: &OtlpSpan,
    resource: &std::sync::Arc<[Attribute]>,
    service: Option<&String>,
) -> Span {
    let nanos = |v: &Option<NumOrText>| v.as_ref().and_then(NumOrText::f64);
    let start = nanos(&s.start_time_unix_nano).unwrap_or(0.0) / 1e9;
    let end = nanos(&s.end_time_unix_nano).map_or(start, |e| e / 1e9);
    let code = s
        .status
        .as_ref()
        .and_then(|st| st.code.as_ref())
        .map(NumOrText::text);
    let parent = id(&s.parent_span_id);
    Span {
        trace_id: id(&s.trace_id),
        span_id: id(&s.span_id),
        parent_id: (!parent.is_empty()).then_some(parent),
        links: s
            .links
            .iter()
            .map(|l| Link {
                trace_id: id(&l.trace_id),
                span_id: id(&l.span_id),
                kind: LinkKind::Link,
            })
            .collect(),
        name: s.name.clone(),
        service: service.cloned(),
        kind: otlp_kind(s.kind.as_ref()),
        error: matches!(code.as_deref(), Some("2" | "STATUS_CODE_ERROR")),
        status_message: s
            .status
            .as_ref()
            .map(|st| st.message.clone())
            .unwrap_or_default(),
        start,
        duration: (end - start).max(0.0),
        attributes: otlp_attributes(&s.attributes),
        events: s
            .events
            .iter()
            .map(|e| SpanEvent {
                t: nanos(&e.time_unix_nano).unwrap_or(0.0) / 1e9,
                name: e.name.clone(),
                attributes: otlp_attributes(&e.attributes),
            })
            .collect(),
        resource: std::sync::Arc::clone(resource),
    }
}

fn service_of(resource: &[Attribute]) -> Option<String> {
    resource
        .iter()
        .find(|(k, _)| k == "service.name")
        .map(|(_, v)| v.to_string())
}

/// Parses a v3 body (`/api/v3/traces/{id}` or a search): every span of every trace in it,
/// grouped by trace id in first-seen order.
///
/// # Errors
/// An error body, or a body that is not OTLP JSON.
pub fn parse_v3(body: &[u8]) -> Result<Vec<Trace>, TraceError> {
    use serde::de::DeserializeSeed as _;
    let read = |text: &[u8]| {
        let mut out = V3Read::default();
        let mut de = serde_json::Deserializer::from_slice(text);
        BodySeed(&mut out)
            .deserialize(&mut de)
            .and_then(|()| de.end())
            .map(|()| out)
    };
    let v = read(body)
        .or_else(|e| read(String::from_utf8_lossy(body).as_bytes()).map_err(|_| e))
        .map_err(|e| TraceError::Malformed(one_line(&e.to_string(), MESSAGE_MAX)))?;
    if let Some(err) = v.error {
        let msg = err
            .get("message")
            .and_then(Value::as_str)
            .map_or_else(|| err.to_string(), str::to_owned);
        return Err(TraceError::Api(one_line(&msg, MESSAGE_MAX)));
    }
    if !v.found {
        return Err(TraceError::Malformed("no `resourceSpans`".into()));
    }
    Ok(v.traces)
}

fn push_span(traces: &mut Vec<Trace>, span: Span) {
    // Spans of one trace come together: look at the last trace first.
    match traces
        .iter_mut()
        .rev()
        .find(|t| t.trace_id == span.trace_id)
    {
        Some(t) => t.spans.push(span),
        None => traces.push(Trace {
            trace_id: span.trace_id.clone(),
            spans: vec![span],
            warnings: Vec::new(),
        }),
    }
}

// ---- v1: Jaeger's own JSON ----

/// A v1 tag: `{"key","type","value"}`, where an int64 may be written as a string.
fn v1_tag(t: &Value) -> Attribute {
    let value = t.get("value").cloned().unwrap_or(Value::Null);
    let typed = match (t.get("type").and_then(Value::as_str).unwrap_or(""), &value) {
        ("bool", Value::Bool(b)) => AttrValue::Bool(*b),
        ("bool", Value::String(s)) => AttrValue::Bool(s == "true"),
        ("int64", Value::Number(n)) => n
            .as_i64()
            .map_or_else(|| AttrValue::Other(n.to_string()), AttrValue::Int),
        ("int64", Value::String(s)) => s
            .parse()
            .map_or_else(|_| AttrValue::Other(s.clone()), AttrValue::Int),
        ("float64", v) => {
            big(Some(v)).map_or_else(|| AttrValue::Other(v.to_string()), AttrValue::Double)
        }
        ("binary", Value::String(s)) => AttrValue::Bytes(s.clone()),
        (_, Value::String(s)) => AttrValue::Str(s.clone()),
        (_, other) => AttrValue::Other(other.to_string()),
    };
    (text(t, "key"), typed)
}

fn v1_tags(v: Option<&Value>) -> Vec<Attribute> {
    v.and_then(Value::as_array)
        .map(|l| l.iter().map(v1_tag).collect())
        .unwrap_or_default()
}

fn v1_span(s: &Value, processes: Option<&Value>) -> Span {
    let process = processes
        .and_then(|p| p.get(text(s, "processID")))
        .or_else(|| s.get("process"));
    let mut resource = v1_tags(process.and_then(|p| p.get("tags")));
    let service = process
        .map(|p| text(p, "serviceName"))
        .filter(|s| !s.is_empty());
    if let Some(name) = &service {
        resource.insert(0, ("service.name".into(), AttrValue::Str(name.clone())));
    }
    let refs: Vec<Link> = s
        .get("references")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| Link {
            trace_id: id(&text(r, "traceID")),
            span_id: id(&text(r, "spanID")),
            kind: if text(r, "refType") == "FOLLOWS_FROM" {
                LinkKind::FollowsFrom
            } else {
                LinkKind::ChildOf
            },
        })
        .collect();
    let trace_id = id(&text(s, "traceID"));
    let parent = refs
        .iter()
        .find(|r| r.kind == LinkKind::ChildOf && r.trace_id == trace_id)
        .map(|r| r.span_id.clone());
    let attributes = v1_tags(s.get("tags"));
    let error = attributes
        .iter()
        .any(|(k, v)| k == "error" && matches!(v, AttrValue::Bool(true)));
    let events = s
        .get("logs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|l| {
            let fields = v1_tags(l.get("fields"));
            let name = fields
                .iter()
                .find(|(k, _)| k == "event")
                .map(|(_, v)| v.to_string())
                .unwrap_or_default();
            SpanEvent {
                t: big(l.get("timestamp")).unwrap_or(0.0) / 1e6,
                name,
                attributes: fields,
            }
        });
    Span {
        trace_id,
        span_id: id(&text(s, "spanID")),
        parent_id: parent,
        links: refs,
        name: text(s, "operationName"),
        service,
        kind: match attributes
            .iter()
            .find(|(k, _)| k == "span.kind")
            .map(|(_, v)| v.to_string())
            .as_deref()
        {
            Some("server") => SpanKind::Server,
            Some("client") => SpanKind::Client,
            Some("producer") => SpanKind::Producer,
            Some("consumer") => SpanKind::Consumer,
            Some("internal") => SpanKind::Internal,
            _ => SpanKind::Unspecified,
        },
        error,
        status_message: String::new(),
        start: big(s.get("startTime")).unwrap_or(0.0) / 1e6,
        duration: big(s.get("duration")).unwrap_or(0.0) / 1e6,
        attributes,
        events: events.collect(),
        resource: resource.into(),
    }
}

fn v1_trace(t: &Value) -> Trace {
    let processes = t.get("processes");
    let spans: Vec<Span> = t
        .get("spans")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|s| v1_span(s, processes))
        .collect();
    let mut warnings: Vec<String> = t
        .get("warnings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|w| w.as_str().map(str::to_owned))
        .collect();
    for s in t
        .get("spans")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        warnings.extend(
            s.get("warnings")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|w| w.as_str().map(str::to_owned)),
        );
    }
    let trace_id = id(&text(t, "traceID"));
    let trace_id = if trace_id.is_empty() {
        spans
            .first()
            .map(|s| s.trace_id.clone())
            .unwrap_or_default()
    } else {
        trace_id
    };
    Trace {
        trace_id,
        spans,
        warnings,
    }
}

/// Parses a v1 body: the `{data,…,errors}` envelope of `/api/traces…`, or a bare trace object.
///
/// # Errors
/// The envelope's `errors` with no data, or a body that is neither shape.
pub fn parse_v1(body: &[u8]) -> Result<Vec<Trace>, TraceError> {
    let v = read(body)?;
    if v.get("spans").is_some() {
        return Ok(vec![v1_trace(&v)]);
    }
    let data = v.get("data");
    let errors: Vec<String> = v
        .get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| {
            e.get("msg")
                .and_then(Value::as_str)
                .map_or_else(|| e.to_string(), str::to_owned)
        })
        .collect();
    match data.and_then(Value::as_array) {
        Some(traces) => Ok(traces.iter().map(v1_trace).collect()),
        None if !errors.is_empty() => {
            Err(TraceError::Api(one_line(&errors.join("; "), MESSAGE_MAX)))
        }
        None if data.is_some_and(Value::is_null) => Ok(Vec::new()),
        None => Err(TraceError::Malformed(
            "neither a trace nor a {data: [...]} envelope".into(),
        )),
    }
}
