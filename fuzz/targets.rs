//! The fuzz targets' bodies, in one file that two crates compile: the cargo-fuzz crate (its
//! library, `fuzz/Cargo.toml`, which each `fuzz_targets/*.rs` calls) and the stable smoke test
//! (`tests/fuzz_smoke.rs`, through `#[path]`), so libFuzzer and `cargo test` run the same code.
//! Each target feeds untrusted bytes through a parser exactly as capcom receives them, then
//! through what the app does next with the result (merging series, laying out a waterfall,
//! mapping hits to events), and shows every text that would reach the screen through the one
//! sanitizer, asserting that nothing unsafe survives it. A panic anywhere is a finding.
//!
//! Only `capcom`'s public API is used, so nothing here ships in the dashboard.

use std::collections::HashSet;
use std::path::Path;

use capcom::config::theme::Theme;
use capcom::model::event::EventLog;
use capcom::model::traces::Listed;
use capcom::model::{SeriesSet, waterfall};
use capcom::source::opensearch::{self, FieldMap};
use capcom::source::{alertmanager, jaeger, prometheus, recording};
use capcom::text;

/// A target: takes any bytes, panics on a finding.
pub type Target = fn(&[u8]);

/// Every target by name: the names of `fuzz/fuzz_targets/*.rs` and of `fuzz/corpus/*/`.
pub const TARGETS: [(&str, Target); 8] = [
    ("prometheus", prometheus),
    ("jaeger_v1", jaeger_v1),
    ("jaeger_v3", jaeger_v3),
    ("opensearch", opensearch),
    ("config", config),
    ("manifest", manifest),
    ("theme", theme),
    ("alertmanager", alertmanager),
];

/// Width of the lines shown; wide enough that most texts are not cut.
const WIDTH: usize = 120;

/// Shows `s` as the dashboard would, and checks that no control, bidirectional or zero-width
/// character reaches the terminal.
fn show(s: &str) {
    for out in [text::one_line(s, WIDTH), text::safe_line(s, WIDTH)] {
        assert!(
            !out.chars().any(unsafe_char),
            "the sanitizer let through {out:?}"
        );
    }
    assert!(
        !text::safe_text(s)
            .chars()
            .any(|c| c != '\n' && unsafe_char(c)),
        "safe_text let something through for {s:?}"
    );
}

/// Characters that must never reach a terminal from outside.
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A body of `/api/v1/query_range` or `/api/v1/query`, merged into a bounded series set.
pub fn prometheus(data: &[u8]) {
    for parsed in [
        prometheus::parse_query_range(data),
        prometheus::parse_query(data),
    ] {
        match parsed {
            Ok(result) => {
                let mut set = SeriesSet::new(64);
                set.merge(result.series.clone());
                set.merge(result.series);
                for (labels, buf) in set.iter() {
                    assert!(buf.points().len() <= 64, "a series kept more than its cap");
                    for (k, v) in labels {
                        show(k);
                        show(v);
                    }
                }
                result.warnings.iter().for_each(|w| show(w));
            }
            Err(e) => show(&e.to_string()),
        }
    }
}

/// An Alertmanager `/api/v2/alerts`, `/api/v2/silences` or created-silence body: every label,
/// annotation, id, name and comment shown.
pub fn alertmanager(data: &[u8]) {
    if let Ok(faults) = alertmanager::parse_alerts(data) {
        for f in &faults {
            show(f.name());
            show(&f.fingerprint);
            show(&f.generator_url);
            f.silenced_by
                .iter()
                .chain(&f.inhibited_by)
                .for_each(|s| show(s));
            for (k, v) in f.labels.iter().chain(&f.annotations) {
                show(k);
                show(v);
            }
        }
    }
    if let Ok(silences) = alertmanager::parse_silences(data) {
        for s in &silences {
            show(&s.id);
            show(&s.created_by);
            show(&s.comment);
            for m in &s.matchers {
                show(&m.name);
                show(&m.value);
            }
        }
    }
    if let Ok(id) = alertmanager::parse_created(data) {
        show(&id);
    }
    if let Some(message) = alertmanager::parse_error(data) {
        show(&message);
    }
}

/// A Jaeger v1 `/api/traces…` body.
pub fn jaeger_v1(data: &[u8]) {
    traces(jaeger::parse_v1(data));
}

/// A Jaeger v3 `/api/v3/traces…` body (OTLP JSON).
pub fn jaeger_v3(data: &[u8]) {
    traces(jaeger::parse_v3(data));
}

/// Summarises each trace and lays it out as a waterfall, open and with every span collapsed.
fn traces(parsed: Result<Vec<capcom::model::span::Trace>, jaeger::TraceError>) {
    let traces = match parsed {
        Ok(t) => t,
        Err(e) => return show(&e.to_string()),
    };
    for trace in traces {
        let listed = Listed::new(trace);
        let trace = &listed.trace;
        let n = trace.spans.len();
        let rows = waterfall::layout(trace, &HashSet::new());
        let mut shown = vec![false; n];
        let placeholders = rows.iter().filter(|r| r.span.is_none()).count();
        assert_eq!(
            placeholders,
            usize::from(listed.summary.running),
            "one placeholder root exactly when the trace is running"
        );
        for i in rows.iter().filter_map(|r| r.span) {
            assert!(
                !std::mem::replace(&mut shown[i], true),
                "a span shown twice"
            );
        }
        assert!(
            shown.iter().all(|s| *s),
            "an open waterfall leaves a span out"
        );
        let all: HashSet<usize> = (0..n).collect();
        assert!(waterfall::layout(trace, &all).len() <= n + placeholders);
        show(&listed.summary.root_service);
        show(&listed.summary.root_operation);
        trace.warnings.iter().for_each(|w| show(w));
        for span in &trace.spans {
            show(&span.name);
            show(&span.status_message);
            span.service.iter().for_each(|s| show(s));
            for (k, v) in &span.attributes {
                show(k);
                show(&v.to_string());
            }
        }
    }
}

/// An OpenSearch `_search` body, each hit mapped to an event by the default field names and
/// by dotted names taken from the document itself, then kept in a bounded log.
pub fn opensearch(data: &[u8]) {
    let page = match opensearch::parse_search(data) {
        Ok(p) => p,
        Err(e) => return show(&e.to_string()),
    };
    page.warnings.iter().for_each(|w| show(w));
    let mut log = EventLog::new(8);
    for hit in &page.hits {
        for map in [FieldMap::default(), dotted_map(&hit.source)] {
            let event = opensearch::to_event(hit, &map);
            show(&event.message);
            show(&event.level_text);
            event.service.iter().for_each(|s| show(s));
            event.trace_id.iter().for_each(|s| show(s));
            show(&text::safe_text(&event.doc.to_string()));
            log.extend([event]);
        }
    }
    assert!(log.len() <= 8, "the event log grew past its cap");
}

/// A field map whose every role is a dotted path down the document's first keys (at most
/// eight deep), as a configuration naming nested fields would.
fn dotted_map(doc: &serde_json::Value) -> FieldMap {
    let mut path = Vec::new();
    let mut at = doc;
    while let Some((k, v)) = at.as_object().and_then(|o| o.iter().next()) {
        path.push(k.as_str());
        at = v;
        if path.len() == 8 {
            break;
        }
    }
    let name = vec![path.join(".")];
    FieldMap {
        timestamp: name.clone(),
        level: name.clone(),
        message: name.clone(),
        service: name.clone(),
        trace_id: name,
    }
}

/// A `capcom.toml`, as `capcom::config::load` reads it once the file is read.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match capcom::config::parse(text, "fuzz/capcom.toml") {
        Ok(config) => show(&config.title),
        Err(e) => show(&e.to_string()),
    }
}

/// A recording's `recording.toml`.
pub fn manifest(data: &[u8]) {
    match recording::parse_manifest(data, Path::new("fuzz/recording.toml")) {
        Ok(m) => {
            show(&m.name);
            show(&m.description);
        }
        Err(e) => show(&e.to_string()),
    }
}

/// A user's theme file.
pub fn theme(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Theme::from_file_text(text, Path::new("fuzz/theme.toml")) {
        Ok(t) => assert!(!t.series.is_empty(), "a theme without a series style"),
        Err(e) => show(&e),
    }
}
