//! Events as NDJSON, and a trace as Jaeger JSON (the `{"data":[{traceID, spans, processes}]}`
//! body of Jaeger's `/api/traces/{id}`, which Jaeger UI's "upload trace" opens) and as OTLP
//! JSON (`resourceSpans`, as an OTLP/HTTP receiver or Jaeger v2 takes it).
//!
//! What capcom keeps of a span (`model::span`) is what goes out: ids, parent, links, name,
//! service and resource, kind, error and status message, timing (microseconds in Jaeger,
//! nanoseconds in OTLP), attributes and events. What it does not keep cannot be exported:
//! instrumentation scopes (all spans go under one scope named `capcom`), trace state, flags,
//! dropped counts, and links' own attributes. A Jaeger `FOLLOWS_FROM` and an OTLP link are
//! both written as `FOLLOWS_FROM` in Jaeger JSON (Jaeger has no other kind) and as a link in
//! OTLP.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::model::span::{AttrValue, Attribute, LinkKind, Span, SpanKind, Trace};

/// One document per line, each as the source sent it.
#[must_use]
pub fn ndjson(docs: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for d in docs {
        // A `Value` always serialises.
        if serde_json::to_writer(&mut out, d).is_ok() {
            out.push(b'\n');
        }
    }
    out
}

fn micros(t: f64) -> i64 {
    (t * 1e6).round() as i64
}

fn nanos(t: f64) -> String {
    format!("{}", (t * 1e9).round() as i128)
}

/// A Jaeger tag.
fn tag((key, value): &Attribute) -> Value {
    let (ty, v) = match value {
        AttrValue::Str(s) => ("string", json!(s)),
        AttrValue::Other(s) => ("string", json!(s)),
        AttrValue::Bool(b) => ("bool", json!(b)),
        AttrValue::Int(i) => ("int64", json!(i)),
        AttrValue::Double(d) => ("float64", json!(d)),
        AttrValue::Bytes(b) => ("binary", json!(b)),
        AttrValue::Array(_) => ("string", json!(value.to_string())),
    };
    json!({"key": &**key, "type": ty, "value": v})
}

fn kind_word(kind: SpanKind) -> Option<&'static str> {
    match kind {
        SpanKind::Unspecified => None,
        SpanKind::Internal => Some("internal"),
        SpanKind::Server => Some("server"),
        SpanKind::Client => Some("client"),
        SpanKind::Producer => Some("producer"),
        SpanKind::Consumer => Some("consumer"),
    }
}

/// A span's tags: its attributes, with `span.kind`, `error` and the status message added as
/// Jaeger's own tags when the attributes do not already say them.
fn span_tags(s: &Span) -> Vec<Value> {
    let has = |k: &str| s.attributes.iter().any(|(key, _)| &**key == k);
    let mut tags: Vec<Value> = s.attributes.iter().map(tag).collect();
    if let Some(kind) = kind_word(s.kind).filter(|_| !has("span.kind")) {
        tags.push(json!({"key": "span.kind", "type": "string", "value": kind}));
    }
    if s.error && !has("error") {
        tags.push(json!({"key": "error", "type": "bool", "value": true}));
    }
    if !s.status_message.is_empty() && !has("otel.status_description") {
        tags.push(
            json!({"key": "otel.status_description", "type": "string", "value": s.status_message}),
        );
    }
    tags
}

/// The trace as Jaeger's `/api/traces/{id}` answers it.
#[must_use]
pub fn jaeger_json(t: &Trace) -> Vec<u8> {
    // One process per service and resource, numbered in order of first use as Jaeger does.
    let mut processes: Vec<(Option<Arc<str>>, Vec<Attribute>)> = Vec::new();
    let mut spans = Vec::with_capacity(t.spans.len());
    for s in &t.spans {
        let tags: Vec<Attribute> = s
            .resource
            .iter()
            .filter(|(k, _)| &**k != "service.name")
            .cloned()
            .collect();
        let key = (s.service.clone(), tags);
        let at = processes.iter().position(|p| *p == key).unwrap_or_else(|| {
            processes.push(key);
            processes.len() - 1
        });
        let mut references = Vec::new();
        if let Some(parent) = &s.parent_id {
            references
                .push(json!({"refType": "CHILD_OF", "traceID": s.trace_id, "spanID": parent}));
        }
        for l in &s.links {
            let is_parent = l.kind == LinkKind::ChildOf
                && s.parent_id.as_deref() == Some(l.span_id.as_str())
                && *l.trace_id == *s.trace_id;
            if is_parent {
                continue;
            }
            let ref_type = match l.kind {
                LinkKind::ChildOf => "CHILD_OF",
                LinkKind::FollowsFrom | LinkKind::Link => "FOLLOWS_FROM",
            };
            references
                .push(json!({"refType": ref_type, "traceID": l.trace_id, "spanID": l.span_id}));
        }
        let logs: Vec<Value> = s
            .events
            .iter()
            .map(|e| {
                let mut fields: Vec<Value> = e.attributes.iter().map(tag).collect();
                if !e.name.is_empty() && !e.attributes.iter().any(|(k, _)| &**k == "event") {
                    fields.insert(
                        0,
                        json!({"key": "event", "type": "string", "value": e.name}),
                    );
                }
                json!({"timestamp": micros(e.t), "fields": fields})
            })
            .collect();
        spans.push(json!({
            "traceID": s.trace_id,
            "spanID": s.span_id,
            "operationName": s.name,
            "references": references,
            "startTime": micros(s.start),
            "duration": micros(s.duration),
            "tags": span_tags(s),
            "logs": logs,
            "processID": format!("p{}", at + 1),
            "warnings": Value::Null,
        }));
    }
    let processes: BTreeMap<String, Value> = processes
        .iter()
        .enumerate()
        .map(|(i, (service, tags))| {
            (
                format!("p{}", i + 1),
                json!({
                    "serviceName": service.as_deref().unwrap_or_default(),
                    "tags": tags.iter().map(tag).collect::<Vec<_>>(),
                }),
            )
        })
        .collect();
    let warnings: Value = if t.warnings.is_empty() {
        Value::Null
    } else {
        json!(t.warnings)
    };
    let body = json!({
        "data": [{
            "traceID": t.trace_id,
            "spans": spans,
            "processes": processes,
            "warnings": warnings,
        }],
        "total": 0,
        "limit": 0,
        "offset": 0,
        "errors": Value::Null,
    });
    serde_json::to_vec_pretty(&body).unwrap_or_default()
}

/// An OTLP `AnyValue`.
fn any_value(v: &AttrValue) -> Value {
    match v {
        AttrValue::Str(s) => json!({"stringValue": s}),
        AttrValue::Other(s) => json!({"stringValue": s}),
        AttrValue::Bool(b) => json!({"boolValue": b}),
        AttrValue::Int(i) => json!({"intValue": i.to_string()}),
        AttrValue::Double(d) => json!({"doubleValue": d}),
        AttrValue::Bytes(b) => json!({"bytesValue": b}),
        AttrValue::Array(items) => {
            json!({"arrayValue": {"values": items.iter().map(any_value).collect::<Vec<_>>()}})
        }
    }
}

fn key_values(attrs: &[Attribute]) -> Vec<Value> {
    attrs
        .iter()
        .map(|(k, v)| json!({"key": &**k, "value": any_value(v)}))
        .collect()
}

/// The trace as OTLP JSON: one `resourceSpans` per resource, its spans under one scope.
#[must_use]
pub fn otlp_json(t: &Trace) -> Vec<u8> {
    let mut resources: Vec<(Vec<Attribute>, Vec<Value>)> = Vec::new();
    for s in &t.spans {
        let mut resource: Vec<Attribute> = s.resource.to_vec();
        if let Some(service) = &s.service
            && !resource.iter().any(|(k, _)| &**k == "service.name")
        {
            resource.insert(
                0,
                ("service.name".into(), AttrValue::Str(Arc::clone(service))),
            );
        }
        let links: Vec<Value> = s
            .links
            .iter()
            .filter(|l| {
                !(l.kind == LinkKind::ChildOf && s.parent_id.as_deref() == Some(l.span_id.as_str()))
            })
            .map(|l| json!({"traceId": l.trace_id, "spanId": l.span_id}))
            .collect();
        let status = if s.error {
            json!({"code": 2, "message": s.status_message})
        } else {
            json!({})
        };
        let span = json!({
            "traceId": s.trace_id,
            "spanId": s.span_id,
            "parentSpanId": s.parent_id.clone().unwrap_or_default(),
            "name": s.name,
            "kind": s.kind.otlp_code(),
            "startTimeUnixNano": nanos(s.start),
            "endTimeUnixNano": nanos(s.start + s.duration),
            "attributes": key_values(&s.attributes),
            "events": s.events.iter().map(|e| json!({
                "timeUnixNano": nanos(e.t),
                "name": e.name,
                "attributes": key_values(&e.attributes),
            })).collect::<Vec<_>>(),
            "links": links,
            "status": status,
        });
        match resources.iter_mut().find(|(r, _)| *r == resource) {
            Some((_, spans)) => spans.push(span),
            None => resources.push((resource, vec![span])),
        }
    }
    let body = json!({
        "resourceSpans": resources.iter().map(|(r, spans)| json!({
            "resource": {"attributes": key_values(r)},
            "scopeSpans": [{"scope": {"name": "capcom"}, "spans": spans}],
        })).collect::<Vec<_>>(),
    });
    serde_json::to_vec_pretty(&body).unwrap_or_default()
}
