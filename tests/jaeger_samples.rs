//! Jaeger's v3 (OTLP JSON) and v1 parsers on every real response in `tests/fixtures/jaeger/`
//! (copied from `shared/samples/`; provenance in `tests/fixtures/SAMPLES-README.md`), and on
//! thousands of mutations of them: whatever bytes arrive, the parsers answer and never panic.
//! (Toward issue 4: the trace model and parsers; the client, pane and waterfall come next.)

#![allow(
    clippy::float_cmp,
    reason = "exact values from the samples are the point"
)]

mod common;

use std::path::Path;

use capcom::model::span::{AttrValue, LinkKind, SpanKind};
use capcom::source::jaeger::{TraceError, parse_v1, parse_v3};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/jaeger")
            .join(name),
    )
    .expect(name)
}

#[test]
fn v3_gettrace_with_an_error_status_and_an_empty_resource() {
    let traces = parse_v3(&fixture("v3_gettrace_snapshot_error_status.json")).expect("parses");
    assert_eq!(traces.len(), 1);
    let t = &traces[0];
    assert_eq!(&*t.trace_id, "00000000000000000000000000000001");
    let s = &t.spans[0];
    assert_eq!(
        (s.name.as_str(), s.span_id.as_str()),
        ("foobar", "0000000000000002")
    );
    assert_eq!(s.kind, SpanKind::Server);
    assert!(s.error, "status code 2 is an error");
    assert_eq!(s.service, None, "a resource with no service.name");
    assert_eq!(s.parent_id, None);
}

/// How many allocations hold the attribute keys, string values and service names of
/// `traces` (spans, events, resources), and how many distinct ones there are; and whether
/// every span holds its trace's own copy of the trace id.
fn name_copies(traces: &[capcom::model::span::Trace]) -> (usize, usize, bool) {
    let mut held: Vec<std::sync::Arc<str>> = Vec::new();
    for s in traces.iter().flat_map(|t| &t.spans) {
        let events = s.events.iter().flat_map(|e| &e.attributes);
        let attributes = s.attributes.iter().chain(s.resource.iter()).chain(events);
        let texts = attributes.flat_map(|(k, v)| match v {
            AttrValue::Str(v) => vec![k, v],
            _ => vec![k],
        });
        for k in texts.chain(&s.service) {
            if !held.iter().any(|h| std::sync::Arc::ptr_eq(h, k)) {
                held.push(std::sync::Arc::clone(k));
            }
        }
    }
    let mut names: Vec<&str> = held.iter().map(|k| &**k).collect();
    names.sort_unstable();
    names.dedup();
    let ids_shared = traces.iter().all(|t| {
        t.spans
            .iter()
            .all(|s| std::sync::Arc::ptr_eq(&s.trace_id, &t.trace_id))
    });
    (held.len(), names.len(), ids_shared)
}

#[test]
fn names_values_and_ids_are_held_once_per_body_in_either_api() {
    // The bundled sol: 11,056 span attributes naming 61 keys, 4,966 of them a string of 540
    // distinct ones; 2,148 spans in 1,222 traces.
    let sol = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/mars-rover/jaeger/traces.json"),
    )
    .expect("the sol's traces");
    let traces = parse_v3(&sol).expect("parses");
    assert!(traces.iter().any(|t| t.spans.len() > 1));
    let (copies, names, ids_shared) = name_copies(&traces);
    assert!(names > 500, "{names} names");
    assert_eq!(copies, names, "one allocation per key, value or service");
    assert!(ids_shared, "a span's trace id is its trace's");
    let v1 = parse_v1(&fixture("v1_selftrace_small_jaeger_query.json")).expect("parses");
    assert!(v1.iter().any(|t| t.spans.len() > 1));
    let (copies, names, ids_shared) = name_copies(&v1);
    assert!(names > 5, "{names} names");
    assert_eq!(copies, names, "one allocation per key, value or service");
    assert!(ids_shared, "a span's trace id is its trace's");
}

#[test]
fn spans_of_equal_resources_share_one_copy_and_different_ones_do_not() {
    // Three batches as a collector sends them: the same resource twice, then another.
    let batch = |service: &str, span: &str| {
        format!(
            r#"{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"{service}"}}}}]}},
              "scopeSpans":[{{"spans":[{{"traceId":"01","spanId":"{span}","name":"op"}}]}}]}}"#
        )
    };
    let body = format!(
        r#"{{"result":{{"resourceSpans":[{},{},{}]}}}}"#,
        batch("rover-fsw", "0a"),
        batch("rover-fsw", "0b"),
        batch("ground", "0c")
    );
    let traces = parse_v3(body.as_bytes()).expect("parses");
    let spans = &traces[0].spans;
    assert_eq!(spans.len(), 3);
    assert_eq!(
        spans.capacity(),
        3,
        "no room left from pushing one at a time"
    );
    assert!(std::sync::Arc::ptr_eq(
        &spans[0].resource,
        &spans[1].resource
    ));
    assert!(!std::sync::Arc::ptr_eq(
        &spans[1].resource,
        &spans[2].resource
    ));
    let services: Vec<_> = spans.iter().map(|s| s.service.as_deref()).collect();
    assert_eq!(
        services,
        [Some("rover-fsw"), Some("rover-fsw"), Some("ground")]
    );
    assert_eq!(
        spans[2].resource[0],
        ("service.name".into(), AttrValue::Str("ground".into()))
    );
}

#[test]
fn v1_envelope_of_a_real_selftrace() {
    let traces = parse_v1(&fixture("v1_selftrace_small_jaeger_query.json")).expect("parses");
    let t = &traces[0];
    assert_eq!(&*t.trace_id, "2db17286b3e6b148");
    assert_eq!(t.spans.len(), 2);
    let (root, child) = (&t.spans[0], &t.spans[1]);
    assert_eq!(root.service.as_deref(), Some("jaeger-query"));
    assert_eq!(root.kind, SpanKind::Server);
    assert_eq!(
        child.span_id, "ec2b4e0bcea566d",
        "a span id without its leading zero is kept"
    );
    assert_eq!(child.parent_id.as_deref(), Some("2db17286b3e6b148"));
    assert!(
        root.attributes
            .iter()
            .any(|(k, v)| &**k == "sampler.param" && matches!(v, AttrValue::Double(_)))
    );
    assert!(
        root.resource.iter().any(|(k, _)| &**k == "hostname"),
        "process tags become the resource"
    );
    assert!(root.duration > 0.0 && root.start > 1.0e9);
}

#[test]
fn v1_bare_trace_with_logs_warnings_and_every_tag_type() {
    let traces = parse_v1(&fixture("v1_trace_object_logs_warnings_ui_01.json")).expect("parses");
    let t = &traces[0];
    assert!(
        t.warnings.contains(&"some trace warning".to_owned())
            && t.warnings.contains(&"some span warning".to_owned())
    );
    assert_eq!(t.spans[0].events.len(), 2);
    assert_eq!(t.spans[0].events[0].name, "some-event");
    let tags = &t.spans[1].attributes;
    let get = |k: &str| {
        tags.iter()
            .find(|(key, _)| &**key == k)
            .map(|(_, v)| v.clone())
            .expect(k)
    };
    assert_eq!(get("peer.ipv4"), AttrValue::Int(23_456));
    assert_eq!(get("error"), AttrValue::Bool(true));
    assert_eq!(get("temperature"), AttrValue::Double(72.5));
    assert_eq!(
        get("javascript_limit"),
        AttrValue::Int(9_223_372_036_854_775_222),
        "an int64 written as a string"
    );
    assert_eq!(get("blob"), AttrValue::Bytes("AAAwOQ==".into()));
    assert!(t.spans[1].error);
    let outside = &t.spans[3];
    assert_eq!(
        outside.parent_id.as_deref(),
        Some("0000000000000002"),
        "the parent is the in-trace CHILD_OF"
    );
    assert!(
        outside
            .links
            .iter()
            .any(|l| l.trace_id == "00000000000000ff"),
        "a reference outside the trace is kept"
    );
    assert!(
        outside
            .links
            .iter()
            .any(|l| l.kind == LinkKind::FollowsFrom)
    );
}

#[test]
fn errors_and_empty_results_are_told_apart() {
    let e = parse_v1(br#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]}"#);
    assert_eq!(e, Err(TraceError::Api("trace not found".into())));
    assert_eq!(
        parse_v1(br#"{"data":[],"total":0,"limit":0,"offset":0,"errors":null}"#),
        Ok(vec![])
    );
    let e = parse_v3(br#"{"error":{"grpcCode":5,"httpCode":404,"message":"trace not found"}}"#);
    assert_eq!(e, Err(TraceError::Api("trace not found".into())));
    assert!(matches!(parse_v3(b"<html>"), Err(TraceError::Malformed(_))));
}

#[test]
fn no_input_makes_either_parser_panic() {
    for bytes in common::mutants("jaeger", 6_000, 7) {
        let _ = parse_v3(&bytes);
        let _ = parse_v1(&bytes);
    }
}
