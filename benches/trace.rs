//! `trace`: opening a trace, as its cost grows — a body of 5,000, 20,000 and 50,000 spans parsed
//! from Jaeger v3 (OTLP JSON) and v1 JSON, then laid out as a waterfall (the tree, the critical
//! path, the rows). Target (issue 4): 5,000 spans under 20 ms, so opening a trace feels
//! instant; issue 18 item 5 records the 50,000-span figures in ARCHITECTURE.md ("Cost as the
//! work grows"). Run: `cargo bench --bench trace`.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use capcom::model::critical_path::sections;
use capcom::model::waterfall::{layout, tree};
use capcom::source::jaeger::{parse_v1, parse_v3};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

/// Span `i`'s parent in a tree with four children each (span 0 is the root), its start (ns)
/// and whether it failed; spans are listed children-first to make the parser's job no easier
/// than a real server's.
fn parent(i: usize) -> Option<usize> {
    (i > 0).then(|| (i - 1) / 4)
}

fn start_ns(i: usize) -> u64 {
    1_700_000_000_000_000_000u64 + i as u64 * 1_000_000
}

/// A v3 (OTLP JSON) body of `n` spans, each with two attributes and an event.
fn body_v3(n: usize) -> String {
    let mut spans = String::new();
    for i in (0..n).rev() {
        let parent = parent(i).map_or_else(String::new, |p| format!("{:016x}", p + 1));
        let start = start_ns(i);
        let _ = write!(
            spans,
            r#"{}{{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"{:016x}","parentSpanId":"{parent}","name":"op-{}","kind":2,"startTimeUnixNano":"{start}","endTimeUnixNano":"{}","attributes":[{{"key":"http.method","value":{{"stringValue":"GET"}}}},{{"key":"retry","value":{{"intValue":"3"}}}}],"events":[{{"timeUnixNano":"{start}","name":"ack","attributes":[]}}],"status":{{"code":{}}}}}"#,
            if i + 1 == n { "" } else { "," },
            i + 1,
            i % 50,
            start + 5_000_000,
            if i % 97 == 0 { 2 } else { 0 },
        );
    }
    format!(
        r#"{{"result":{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"rover-fsw"}}}}]}},"scopeSpans":[{{"scope":{{}},"spans":[{spans}]}}]}}]}}}}"#
    )
}

/// The same trace as a v1 `/api/traces/{id}` body: the same spans, tags and one log each.
fn body_v1(n: usize) -> String {
    let mut spans = String::new();
    for i in (0..n).rev() {
        let refs = parent(i).map_or_else(String::new, |p| {
            format!(r#"{{"refType":"CHILD_OF","traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"{:016x}"}}"#, p + 1)
        });
        let start = start_ns(i) / 1_000;
        let _ = write!(
            spans,
            r#"{}{{"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"{:016x}","operationName":"op-{}","references":[{refs}],"startTime":{start},"duration":5000,"tags":[{{"key":"span.kind","type":"string","value":"server"}},{{"key":"http.method","type":"string","value":"GET"}},{{"key":"retry","type":"int64","value":3}},{{"key":"error","type":"bool","value":{}}}],"logs":[{{"timestamp":{start},"fields":[{{"key":"event","type":"string","value":"ack"}}]}}],"processID":"p1","warnings":null}}"#,
            if i + 1 == n { "" } else { "," },
            i + 1,
            i % 50,
            i % 97 == 0,
        );
    }
    format!(
        r#"{{"data":[{{"traceID":"0af7651916cd43dd8448eb211c80319c","spans":[{spans}],"processes":{{"p1":{{"serviceName":"rover-fsw","tags":[]}}}},"warnings":null}}],"total":0,"limit":0,"offset":0,"errors":null}}"#
    )
}

fn bench(c: &mut Criterion) {
    // The figure issue 4's target is about, under its original name.
    let body = body_v3(5_000);
    c.bench_function("trace/parse_and_layout_5000_spans", |b| {
        b.iter(|| {
            let trace = parse_v3(black_box(body.as_bytes()))
                .expect("parses")
                .remove(0);
            black_box(layout(&trace, &HashSet::new()))
        });
    });

    let mut g = c.benchmark_group("trace/scale");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    for n in [5_000, 20_000, 50_000] {
        let v3 = body_v3(n);
        let v1 = body_v1(n);
        let trace = parse_v3(v3.as_bytes()).expect("v3 parses").remove(0);
        let from_v1 = parse_v1(v1.as_bytes()).expect("v1 parses").remove(0);
        assert_eq!(trace.spans.len(), n);
        assert_eq!(from_v1.spans.len(), n);
        assert_eq!(layout(&trace, &HashSet::new()).len(), n, "one row a span");
        assert_eq!(layout(&from_v1, &HashSet::new()).len(), n, "one row a span");
        g.bench_with_input(BenchmarkId::new("parse_v3", n), &v3, |b, body| {
            b.iter(|| parse_v3(black_box(body.as_bytes())).expect("parses"));
        });
        g.bench_with_input(BenchmarkId::new("parse_v1", n), &v1, |b, body| {
            b.iter(|| parse_v1(black_box(body.as_bytes())).expect("parses"));
        });
        g.bench_with_input(BenchmarkId::new("critical_path", n), &trace, |b, trace| {
            let t = tree(trace);
            b.iter(|| sections(black_box(trace), &t));
        });
        g.bench_with_input(BenchmarkId::new("layout", n), &trace, |b, trace| {
            b.iter(|| layout(black_box(trace), &HashSet::new()));
        });
        println!(
            "trace/scale/{n}: v3 body {:.1} MiB, v1 body {:.1} MiB",
            v3.len() as f64 / 1_048_576.0,
            v1.len() as f64 / 1_048_576.0
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
