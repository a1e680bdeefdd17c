//! Jaeger v2's query API, `/api/v3`: the pure parser of its bodies (OTLP JSON:
//! `resourceSpans` → `scopeSpans` → `spans`) and the parameters of its requests.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use super::{Names, TraceError, attributes_json, go_duration, id, string_list};
use crate::model::span::{AttrValue, Attribute, Link, LinkKind, Span, SpanEvent, SpanKind, Trace};
use crate::model::traces::TraceQuery;
use crate::source::MESSAGE_MAX;
use crate::text::one_line;

// ---- v3: OTLP JSON, read into typed structs (a 5,000-span trace in a few ms) ----

/// What a v3 body holds, read in one pass: each `resourceSpans` element is turned into spans
/// as soon as it is read, so a large answer never exists twice (typed and converted) at once.
#[derive(Default)]
struct V3Read {
    traces: Vec<Trace>,
    names: Names,
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
                    map.next_value_seed(SpansSeed(&mut *self.0))?;
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

/// How many distinct resources one body's spans share copies of; past it, each further
/// resource is its own (compared against the kept ones, so a body of many resources costs at
/// most this many comparisons each).
const RESOURCES_SHARED: usize = 32;

/// A resource's attributes and its service, shared by its spans.
type SharedResource = (Arc<[Attribute]>, Option<Arc<str>>);

/// Reads the `resourceSpans` list one element at a time into traces.
struct SpansSeed<'a>(&'a mut V3Read);

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
        // A collector batches by resource, so one body repeats the same few resources many
        // times (the bundled sol: 1,644 `resourceSpans`, one resource). Each distinct one is
        // kept once and shared, up to `RESOURCES_SHARED` of them.
        let mut seen: Vec<SharedResource> = Vec::new();
        while let Some(rs) = seq.next_element::<ResourceSpans>()? {
            let names = &mut self.0.names;
            let attributes = otlp_attributes(&rs.resource.attributes, names);
            let shared = seen.iter().find(|(r, _)| **r == *attributes).cloned();
            let (resource, service) = shared.unwrap_or_else(|| {
                let resource: Arc<[Attribute]> = attributes.into();
                let service = service_of(&resource).map(|s| names.get(&s));
                if seen.len() < RESOURCES_SHARED {
                    seen.push((Arc::clone(&resource), service.clone()));
                }
                (resource, service)
            });
            for s in rs.scope_spans.iter().flat_map(|ss| &ss.spans) {
                let span = otlp_span(s, &resource, service.as_ref(), &mut self.0.names);
                push_span(&mut self.0.traces, span);
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

fn otlp_value(v: &AnyValue, names: &mut Names) -> AttrValue {
    if let Some(s) = &v.string_value {
        return AttrValue::Str(names.get(s));
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
        return AttrValue::Array(a.values.iter().map(|v| otlp_value(v, names)).collect());
    }
    AttrValue::Other(String::new())
}

fn otlp_attributes(list: &[KeyValue], names: &mut Names) -> Vec<Attribute> {
    list.iter()
        .map(|kv| (names.get(&kv.key), otlp_value(&kv.value, names)))
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
    resource: &Arc<[Attribute]>,
    service: Option<&Arc<str>>,
    names: &mut Names,
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
        trace_id: id(&s.trace_id).into(),
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
        attributes: otlp_attributes(&s.attributes, names),
        events: s
            .events
            .iter()
            .map(|e| SpanEvent {
                t: nanos(&e.time_unix_nano).unwrap_or(0.0) / 1e9,
                name: e.name.clone(),
                attributes: otlp_attributes(&e.attributes, names),
            })
            .collect(),
        resource: Arc::clone(resource),
    }
}

fn service_of(resource: &[Attribute]) -> Option<String> {
    resource
        .iter()
        .find(|(k, _)| &**k == "service.name")
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
    let mut traces = v.traces;
    // Spans were pushed one at a time: a trace of two spans had room for four.
    for t in &mut traces {
        t.spans.shrink_to_fit();
    }
    Ok(traces)
}

fn push_span(traces: &mut Vec<Trace>, mut span: Span) {
    // Spans of one trace come together: look at the last trace first.
    match traces
        .iter_mut()
        .rev()
        .find(|t| t.trace_id == span.trace_id)
    {
        Some(t) => {
            // Every span of a trace holds one copy of its id.
            span.trace_id = Arc::clone(&t.trace_id);
            t.spans.push(span);
        }
        None => traces.push(Trace {
            trace_id: span.trace_id.clone(),
            spans: vec![span],
            warnings: Vec::new(),
        }),
    }
}

/// The `/api/v3/traces` parameters, snake_case (every v3 server reads them) or camelCase.
#[must_use]
pub fn v3_params(
    service: &str,
    q: &TraceQuery,
    now: f64,
    camel: bool,
) -> Vec<(&'static str, String)> {
    let name =
        |snake: &'static str, camel_name: &'static str| if camel { camel_name } else { snake };
    let mut p = vec![
        (
            name("query.service_name", "query.serviceName"),
            service.to_owned(),
        ),
        (
            name("query.start_time_min", "query.startTimeMin"),
            rfc3339(now - q.lookback),
        ),
        (
            name("query.start_time_max", "query.startTimeMax"),
            rfc3339(now + 1.0),
        ),
        (
            name("query.search_depth", "query.searchDepth"),
            q.limit.to_string(),
        ),
    ];
    if !camel {
        // Servers before `search_depth` named it `num_traces`.
        p.push(("query.num_traces", q.limit.to_string()));
    }
    if !q.operation.is_empty() {
        p.push((
            name("query.operation_name", "query.operationName"),
            q.operation.clone(),
        ));
    }
    if let Some(d) = q.min_duration {
        p.push((
            name("query.duration_min", "query.durationMin"),
            go_duration(d),
        ));
    }
    if let Some(d) = q.max_duration {
        p.push((
            name("query.duration_max", "query.durationMax"),
            go_duration(d),
        ));
    }
    if let Some(a) = attributes_json(q) {
        p.push(("query.attributes", a));
    }
    p
}

pub(super) fn services_v3(body: &[u8]) -> Result<Vec<String>, TraceError> {
    string_list(body, "services")
}

fn rfc3339(t: f64) -> String {
    chrono::DateTime::from_timestamp_micros((t * 1e6).round() as i64)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .unwrap_or_default()
}
