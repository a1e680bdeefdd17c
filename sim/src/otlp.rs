//! Writes traces as the body Jaeger v2's `/api/v3/traces` sends: OTLP JSON, one
//! `resourceSpans` per (trace, service), times as strings of integer Unix nanoseconds, 64-bit
//! integers as strings. Pure text building with a fixed key order, so the same traces always
//! give the same bytes.

use std::fmt::Write as _;

use capcom::model::span::{AttrValue, Attribute, Span, SpanEvent, Trace};

/// The instrumentation scope every span is written under.
pub const SCOPE: &str = "rover-sim";

/// A `/api/v3/traces` body holding `traces`, whose times are seconds since `epoch` (Unix s).
/// Times are written to the microsecond.
#[must_use]
pub fn v3_body(traces: &[Trace], epoch: f64) -> String {
    let epoch_us = micros(epoch);
    let mut out = String::from(r#"{"result":{"resourceSpans":["#);
    let mut first = true;
    for trace in traces {
        let mut services: Vec<&Option<std::sync::Arc<str>>> = Vec::new();
        for s in &trace.spans {
            if !services.contains(&&s.service) {
                services.push(&s.service);
            }
        }
        for service in services {
            let spans: Vec<&Span> = trace
                .spans
                .iter()
                .filter(|s| s.service == *service)
                .collect();
            out.push_str(if first { "" } else { "," });
            first = false;
            out.push_str(r#"{"resource":{"attributes":"#);
            attributes(&mut out, spans.first().map_or(&[][..], |s| &s.resource));
            let _ = write!(
                out,
                r#"}},"scopeSpans":[{{"scope":{{"name":{}}},"spans":["#,
                json_str(SCOPE)
            );
            for (i, s) in spans.iter().enumerate() {
                out.push_str(if i > 0 { "," } else { "" });
                span(&mut out, s, epoch_us);
            }
            out.push_str("]}]}");
        }
    }
    out.push_str("]}}");
    out
}

fn micros(t: f64) -> i64 {
    (t * 1e6).round() as i64
}

fn nanos(epoch_us: i64, t: f64) -> String {
    format!("{}", (epoch_us + micros(t)) * 1000)
}

fn span(out: &mut String, s: &Span, epoch_us: i64) {
    let _ = write!(
        out,
        r#"{{"traceId":{},"spanId":{}"#,
        json_str(&s.trace_id),
        json_str(&s.span_id)
    );
    if let Some(p) = &s.parent_id {
        let _ = write!(out, r#","parentSpanId":{}"#, json_str(p));
    }
    let end_us = micros(s.start) + micros(s.duration);
    let _ = write!(
        out,
        r#","name":{},"kind":{},"startTimeUnixNano":"{}","endTimeUnixNano":"{}","attributes":"#,
        json_str(&s.name),
        s.kind.otlp_code(),
        nanos(epoch_us, s.start),
        (epoch_us + end_us) * 1000,
    );
    attributes(out, &s.attributes);
    if !s.events.is_empty() {
        out.push_str(r#","events":["#);
        for (i, e) in s.events.iter().enumerate() {
            out.push_str(if i > 0 { "," } else { "" });
            event(out, e, epoch_us);
        }
        out.push(']');
    }
    if !s.links.is_empty() {
        out.push_str(r#","links":["#);
        for (i, l) in s.links.iter().enumerate() {
            let sep = if i > 0 { "," } else { "" };
            let _ = write!(
                out,
                r#"{sep}{{"traceId":{},"spanId":{}}}"#,
                json_str(&l.trace_id),
                json_str(&l.span_id)
            );
        }
        out.push(']');
    }
    if s.error {
        let _ = write!(
            out,
            r#","status":{{"code":2,"message":{}}}}}"#,
            json_str(&s.status_message)
        );
    } else {
        out.push_str(r#","status":{}}"#);
    }
}

fn event(out: &mut String, e: &SpanEvent, epoch_us: i64) {
    let _ = write!(
        out,
        r#"{{"timeUnixNano":"{}","name":{},"attributes":"#,
        nanos(epoch_us, e.t),
        json_str(&e.name)
    );
    attributes(out, &e.attributes);
    out.push('}');
}

fn attributes(out: &mut String, attrs: &[Attribute]) {
    out.push('[');
    for (i, (k, v)) in attrs.iter().enumerate() {
        let _ = write!(
            out,
            r#"{}{{"key":{},"value":"#,
            if i > 0 { "," } else { "" },
            json_str(k)
        );
        value(out, v);
        out.push('}');
    }
    out.push(']');
}

fn value(out: &mut String, v: &AttrValue) {
    let _ = match v {
        AttrValue::Str(s) => write!(out, r#"{{"stringValue":{}}}"#, json_str(s)),
        AttrValue::Other(s) => write!(out, r#"{{"stringValue":{}}}"#, json_str(s)),
        AttrValue::Bool(b) => write!(out, r#"{{"boolValue":{b}}}"#),
        AttrValue::Int(i) => write!(out, r#"{{"intValue":"{i}"}}"#),
        AttrValue::Double(d) if d.is_finite() => write!(out, r#"{{"doubleValue":{d}}}"#),
        AttrValue::Double(d) => write!(out, r#"{{"doubleValue":"{d}"}}"#),
        AttrValue::Bytes(s) => write!(out, r#"{{"bytesValue":{}}}"#, json_str(s)),
        AttrValue::Array(items) => {
            out.push_str(r#"{"arrayValue":{"values":["#);
            for (i, item) in items.iter().enumerate() {
                out.push_str(if i > 0 { "," } else { "" });
                value(out, item);
            }
            out.push_str("]}}");
            Ok(())
        }
    };
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::EPOCH;
    use crate::traces::traces;
    use capcom::source::jaeger::parse_v3;

    /// `traces` with every time shifted back by `shift` and rounded to the microsecond.
    fn at_micros(traces: &[Trace], shift: f64) -> Vec<Trace> {
        let round = |t: f64| ((t - shift) * 1e6).round();
        let mut out = traces.to_vec();
        for s in out.iter_mut().flat_map(|t| &mut t.spans) {
            let (start, end) = (round(s.start), round(s.start + s.duration));
            (s.start, s.duration) = (start, end - start);
            for e in &mut s.events {
                e.t = round(e.t);
            }
        }
        out
    }

    #[test]
    fn the_body_parses_back_to_the_same_traces() {
        let traces = traces(1);
        let body = v3_body(&traces, EPOCH);
        let parsed = parse_v3(body.as_bytes()).expect("parses");
        assert_eq!(parsed.len(), traces.len());
        assert_eq!(at_micros(&parsed, EPOCH), at_micros(&traces, 0.0));
    }

    #[test]
    fn values_of_every_type_are_written_as_otlp_does() {
        let mut out = String::new();
        let attrs = [
            ("s".into(), AttrValue::Str("a\"b".into())),
            ("i".into(), AttrValue::Int(-42)),
            ("d".into(), AttrValue::Double(62.5)),
            ("b".into(), AttrValue::Bool(true)),
        ];
        attributes(&mut out, &attrs);
        assert_eq!(
            out,
            r#"[{"key":"s","value":{"stringValue":"a\"b"}},{"key":"i","value":{"intValue":"-42"}},{"key":"d","value":{"doubleValue":62.5}},{"key":"b","value":{"boolValue":true}}]"#
        );
        assert_eq!(nanos(micros(EPOCH), 1.5), "1795651201500000000");
    }
}
