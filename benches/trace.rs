//! `trace`: parse a 5,000-span trace from a Jaeger v3 (OTLP JSON) body and lay it out as a
//! waterfall with its critical path. Target (issue 4): under 20 ms, so opening a trace feels
//! instant. Run: `cargo bench --bench trace`.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::hint::black_box;

use capcom::model::waterfall::layout;
use capcom::source::jaeger::parse_v3;
use criterion::{Criterion, criterion_group, criterion_main};

const SPANS: usize = 5_000;

/// A tree of `SPANS` spans, four children each, with attributes and an event apiece, listed
/// children-first to make the parser's job no easier than a real server's.
fn body() -> String {
    let mut spans = String::new();
    for i in (0..SPANS).rev() {
        let parent = if i == 0 {
            String::new()
        } else {
            format!("{:016x}", (i - 1) / 4 + 1)
        };
        let start = 1_700_000_000_000_000_000u64 + i as u64 * 1_000_000;
        let _ = write!(
            spans,
            r#"{}{{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"{:016x}","parentSpanId":"{parent}","name":"op-{}","kind":2,"startTimeUnixNano":"{start}","endTimeUnixNano":"{}","attributes":[{{"key":"http.method","value":{{"stringValue":"GET"}}}},{{"key":"retry","value":{{"intValue":"3"}}}}],"events":[{{"timeUnixNano":"{start}","name":"ack","attributes":[]}}],"status":{{"code":{}}}}}"#,
            if i + 1 == SPANS { "" } else { "," },
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

fn bench(c: &mut Criterion) {
    let body = body();
    let trace = parse_v3(body.as_bytes()).expect("parses").remove(0);
    assert_eq!(trace.spans.len(), SPANS);
    c.bench_function("trace/parse_and_layout_5000_spans", |b| {
        b.iter(|| {
            let trace = parse_v3(black_box(body.as_bytes()))
                .expect("parses")
                .remove(0);
            black_box(layout(&trace, &HashSet::new()))
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
