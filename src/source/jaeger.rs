//! Jaeger's query APIs: pure parsers of `/api/v3/traces…` bodies (OTLP JSON:
//! `resourceSpans` → `scopeSpans` → `spans`) and of v1 `/api/traces…` bodies (the
//! `{data,total,limit,offset,errors}` envelope, or a bare trace object), both onto one
//! OpenTelemetry-shaped trace model. Malformed or partial traces still parse: a span missing a
//! field gets a default, and nothing here panics on any input.

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
        .map_err(|e| TraceError::Malformed(e.to_string()))
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

// ---- v3: OTLP JSON ----

/// One OTLP `AnyValue`: `{"stringValue": …}`, `{"intValue": "…"}`, …
fn otlp_value(v: &Value) -> AttrValue {
    if let Some(s) = v.get("stringValue").and_then(Value::as_str) {
        return AttrValue::Str(s.to_owned());
    }
    if let Some(b) = v.get("boolValue").and_then(Value::as_bool) {
        return AttrValue::Bool(b);
    }
    if let Some(i) = v.get("intValue") {
        return match i {
            Value::Number(n) => n
                .as_i64()
                .map_or_else(|| AttrValue::Other(n.to_string()), AttrValue::Int),
            Value::String(s) => s
                .parse()
                .map_or_else(|_| AttrValue::Other(s.clone()), AttrValue::Int),
            other => AttrValue::Other(other.to_string()),
        };
    }
    if let Some(d) = big(v.get("doubleValue")) {
        return AttrValue::Double(d);
    }
    if let Some(b) = v.get("bytesValue").and_then(Value::as_str) {
        return AttrValue::Bytes(b.to_owned());
    }
    if let Some(items) = v.pointer("/arrayValue/values").and_then(Value::as_array) {
        return AttrValue::Array(items.iter().map(otlp_value).collect());
    }
    AttrValue::Other(v.to_string())
}

fn otlp_attributes(v: Option<&Value>) -> Vec<Attribute> {
    v.and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|a| {
                    (
                        text(a, "key"),
                        a.get("value")
                            .map_or(AttrValue::Other(String::new()), otlp_value),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn otlp_kind(v: Option<&Value>) -> SpanKind {
    let n = match v {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::String(s)) => match s.as_str() {
            "SPAN_KIND_INTERNAL" => 1,
            "SPAN_KIND_SERVER" => 2,
            "SPAN_KIND_CLIENT" => 3,
            "SPAN_KIND_PRODUCER" => 4,
            "SPAN_KIND_CONSUMER" => 5,
            _ => 0,
        },
        _ => 0,
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

fn otlp_span(s: &Value, resource: &[Attribute]) -> Span {
    let start = big(s.get("startTimeUnixNano")).unwrap_or(0.0) / 1e9;
    let end = big(s.get("endTimeUnixNano")).map_or(start, |e| e / 1e9);
    let status = s.get("status");
    let code = status.and_then(|st| st.get("code"));
    let error = matches!(code, Some(Value::Number(n)) if n.as_i64() == Some(2))
        || matches!(code, Some(Value::String(c)) if c == "STATUS_CODE_ERROR");
    let parent = id(&text(s, "parentSpanId"));
    let links = s.get("links").and_then(Value::as_array).map(|l| {
        l.iter()
            .map(|l| Link {
                trace_id: id(&text(l, "traceId")),
                span_id: id(&text(l, "spanId")),
                kind: LinkKind::Link,
            })
            .collect()
    });
    let events = s.get("events").and_then(Value::as_array).map(|ev| {
        ev.iter()
            .map(|e| SpanEvent {
                t: big(e.get("timeUnixNano")).unwrap_or(0.0) / 1e9,
                name: text(e, "name"),
                attributes: otlp_attributes(e.get("attributes")),
            })
            .collect()
    });
    Span {
        trace_id: id(&text(s, "traceId")),
        span_id: id(&text(s, "spanId")),
        parent_id: (!parent.is_empty()).then_some(parent),
        links: links.unwrap_or_default(),
        name: text(s, "name"),
        service: service_of(resource),
        kind: otlp_kind(s.get("kind")),
        error,
        status_message: status.map(|st| text(st, "message")).unwrap_or_default(),
        start,
        duration: (end - start).max(0.0),
        attributes: otlp_attributes(s.get("attributes")),
        events: events.unwrap_or_default(),
        resource: resource.to_vec(),
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
    let v = read(body)?;
    if let Some(err) = v.get("error") {
        let msg = err
            .get("message")
            .and_then(Value::as_str)
            .map_or_else(|| err.to_string(), str::to_owned);
        return Err(TraceError::Api(msg));
    }
    let root = v.get("result").unwrap_or(&v);
    let resource_spans = root
        .get("resourceSpans")
        .and_then(Value::as_array)
        .ok_or_else(|| TraceError::Malformed("no `resourceSpans`".into()))?;
    let mut traces: Vec<Trace> = Vec::new();
    for rs in resource_spans {
        let resource = otlp_attributes(rs.pointer("/resource/attributes"));
        for ss in rs
            .get("scopeSpans")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for s in ss
                .get("spans")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                push_span(&mut traces, otlp_span(s, &resource));
            }
        }
    }
    Ok(traces)
}

fn push_span(traces: &mut Vec<Trace>, span: Span) {
    match traces.iter_mut().find(|t| t.trace_id == span.trace_id) {
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
        resource,
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
        None if !errors.is_empty() => Err(TraceError::Api(errors.join("; "))),
        None if data.is_some_and(Value::is_null) => Ok(Vec::new()),
        None => Err(TraceError::Malformed(
            "neither a trace nor a {data: [...]} envelope".into(),
        )),
    }
}
