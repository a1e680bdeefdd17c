//! Jaeger v1's query API, `/api`: the pure parser of its bodies (the
//! `{data,total,limit,offset,errors}` envelope, or a bare trace object) and the parameters of
//! its requests.

use std::sync::Arc;

use serde_json::Value;

use super::{Names, TraceError, attributes_json, go_duration, id, string_list};
use crate::model::span::{AttrValue, Attribute, Link, LinkKind, Span, SpanEvent, SpanKind, Trace};
use crate::model::traces::TraceQuery;
use crate::source::MESSAGE_MAX;
use crate::text::one_line;

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

/// A number that may be written as a JSON number or a string (OTLP's 64-bit fields).
fn big(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// A v1 tag: `{"key","type","value"}`, where an int64 may be written as a string.
fn v1_tag(t: &Value, names: &mut Names) -> Attribute {
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
        (_, Value::String(s)) => AttrValue::Str(names.get(s)),
        (_, other) => AttrValue::Other(other.to_string()),
    };
    (names.get(&text(t, "key")), typed)
}

fn v1_tags(v: Option<&Value>, names: &mut Names) -> Vec<Attribute> {
    v.and_then(Value::as_array)
        .map(|l| l.iter().map(|t| v1_tag(t, names)).collect())
        .unwrap_or_default()
}

fn v1_span(s: &Value, processes: Option<&Value>, names: &mut Names) -> Span {
    let process = processes
        .and_then(|p| p.get(text(s, "processID")))
        .or_else(|| s.get("process"));
    let mut resource = v1_tags(process.and_then(|p| p.get("tags")), names);
    let service = process
        .map(|p| text(p, "serviceName"))
        .filter(|s| !s.is_empty())
        .map(|name| {
            let name = names.get(&name);
            let value = AttrValue::Str(Arc::clone(&name));
            resource.insert(0, (names.get("service.name"), value));
            name
        });
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
    let attributes = v1_tags(s.get("tags"), names);
    let error = attributes
        .iter()
        .any(|(k, v)| &**k == "error" && matches!(v, AttrValue::Bool(true)));
    let events: Vec<SpanEvent> = s
        .get("logs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|l| {
            let fields = v1_tags(l.get("fields"), names);
            let name = fields
                .iter()
                .find(|(k, _)| &**k == "event")
                .map(|(_, v)| v.to_string())
                .unwrap_or_default();
            SpanEvent {
                t: big(l.get("timestamp")).unwrap_or(0.0) / 1e6,
                name,
                attributes: fields,
            }
        })
        .collect();
    Span {
        trace_id: trace_id.into(),
        span_id: id(&text(s, "spanID")),
        parent_id: parent,
        links: refs,
        name: text(s, "operationName"),
        service,
        kind: match attributes
            .iter()
            .find(|(k, _)| &**k == "span.kind")
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
        events,
        resource: resource.into(),
    }
}

fn v1_trace(t: &Value, names: &mut Names) -> Trace {
    let processes = t.get("processes");
    let mut spans: Vec<Span> = t
        .get("spans")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|s| v1_span(s, processes, names))
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
    let trace_id: Arc<str> = if trace_id.is_empty() {
        spans
            .first()
            .map_or_else(|| "".into(), |s| Arc::clone(&s.trace_id))
    } else {
        trace_id.into()
    };
    // Every span of the trace holds one copy of its id.
    for s in &mut spans {
        if s.trace_id == trace_id {
            s.trace_id = Arc::clone(&trace_id);
        }
    }
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
    let mut names = Names::default();
    if v.get("spans").is_some() {
        return Ok(vec![v1_trace(&v, &mut names)]);
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
        Some(traces) => Ok(traces.iter().map(|t| v1_trace(t, &mut names)).collect()),
        None if !errors.is_empty() => {
            Err(TraceError::Api(one_line(&errors.join("; "), MESSAGE_MAX)))
        }
        None if data.is_some_and(Value::is_null) => Ok(Vec::new()),
        None => Err(TraceError::Malformed(
            "neither a trace nor a {data: [...]} envelope".into(),
        )),
    }
}

/// The v1 `/api/traces` parameters: times in microseconds, tags as a JSON object.
#[must_use]
pub fn v1_params(service: &str, q: &TraceQuery, now: f64) -> Vec<(&'static str, String)> {
    let micros = |t: f64| ((t * 1e6).round() as i64).to_string();
    let mut p = vec![
        ("service", service.to_owned()),
        ("start", micros(now - q.lookback)),
        ("end", micros(now + 1.0)),
        ("limit", q.limit.to_string()),
    ];
    if !q.operation.is_empty() {
        p.push(("operation", q.operation.clone()));
    }
    if let Some(d) = q.min_duration {
        p.push(("minDuration", go_duration(d)));
    }
    if let Some(d) = q.max_duration {
        p.push(("maxDuration", go_duration(d)));
    }
    if let Some(a) = attributes_json(q) {
        p.push(("tags", a));
    }
    p
}

pub(super) fn services_v1(body: &[u8]) -> Result<Vec<String>, TraceError> {
    string_list(body, "data").or_else(|e| {
        // `{"data": null}` is an empty list.
        let v: Value = serde_json::from_slice(body).map_err(|_| e.clone())?;
        if v.get("data").is_some_and(Value::is_null) {
            Ok(Vec::new())
        } else {
            Err(e)
        }
    })
}
