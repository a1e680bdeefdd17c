//! The Prometheus parsers on every real recorded response in `tests/fixtures/prometheus/`
//! (copied from `shared/samples/`; provenance in `tests/fixtures/SAMPLES-README.md`). Each body's
//! `.query.txt` says which endpoint answered and with what HTTP status, and so what the parser
//! must make of it.

#![allow(
    clippy::float_cmp,
    reason = "exact values are the point of these checks"
)]

use std::path::{Path, PathBuf};

use capcom::source::prometheus::{ParseError, QueryResult, parse_query, parse_query_range};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/prometheus")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn parse(name: &str) -> Result<QueryResult, ParseError> {
    let meta = String::from_utf8(fixture(&name.replace(".json", ".query.txt"))).expect("utf-8");
    let body = fixture(name);
    if meta.contains("endpoint: /api/v1/query_range") {
        parse_query_range(&body)
    } else {
        assert!(
            meta.contains("endpoint: /api/v1/query\n"),
            "{name}: unknown endpoint"
        );
        parse_query(&body)
    }
}

#[test]
fn every_recorded_body_parses_as_its_status_says() {
    let mut seen = 0;
    for entry in std::fs::read_dir(dir()).expect("fixtures dir") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if Path::new(&name).extension().is_none_or(|e| e != "json") {
            continue;
        }
        seen += 1;
        let meta = String::from_utf8(fixture(&name.replace(".json", ".query.txt"))).expect("meta");
        let result = parse(&name);
        if meta.contains("http_status: 200") {
            let r = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            for s in &r.series {
                let sorted = s.points.windows(2).all(|w| w[0].t < w[1].t);
                assert!(sorted, "{name}: points in time order");
            }
        } else {
            let e = result.expect_err(&name);
            assert!(matches!(e, ParseError::Api { .. }), "{name}: {e}");
        }
    }
    assert!(seen >= 8, "all the recorded samples were read ({seen})");
}

#[test]
fn a_range_query_by_label_gives_one_series_per_label_value() {
    let r = parse("range_rate_cpu_by_mode.json").expect("parses");
    let modes: Vec<&str> = r.series.iter().map(|s| s.labels["mode"].as_str()).collect();
    assert!(
        modes.contains(&"idle") && modes.contains(&"user"),
        "{modes:?}"
    );
    let idle = &r.series[0];
    assert_eq!(idle.points.len(), 13);
    assert_eq!(idle.points[0].t, 1_795_662_823.0);
    assert_eq!(idle.points[3].v, 0.000_181_818_181_818_016_44);
}

#[test]
fn a_gauge_range_keeps_its_name_label() {
    let r = parse("range_gauge_memavailable.json").expect("parses");
    assert_eq!(r.series.len(), 1);
    assert_eq!(
        r.series[0].labels["__name__"],
        "node_memory_MemAvailable_bytes"
    );
    assert!(r.series[0].points.iter().all(|p| p.v > 0.0));
}

#[test]
fn an_empty_result_is_no_series_not_an_error() {
    assert_eq!(
        parse("range_empty_result.json").expect("parses").series,
        vec![]
    );
}

#[test]
fn instant_vectors_and_scalars_become_one_point_series() {
    let up = parse("instant_vector_up.json").expect("parses");
    assert!(!up.series.is_empty());
    assert!(
        up.series
            .iter()
            .all(|s| s.points.len() == 1 && s.labels["__name__"] == "up")
    );
    let scalar = parse("instant_scalar.json").expect("parses");
    assert_eq!(scalar.series.len(), 1);
    assert_eq!(scalar.series[0].points[0].v, 2.0);
}

#[test]
fn a_bad_query_is_prometheus_own_message_in_one_line() {
    let e = parse("range_error_bad_promql.json").expect_err("an error");
    assert_eq!(
        e.to_string(),
        "bad_data: 1:32: parse error: unclosed left parenthesis"
    );
    let e = parse("instant_error_bad_promql.json").expect_err("an error");
    assert!(e.to_string().starts_with("bad_data: "), "{e}");
}

#[test]
fn truncated_or_foreign_bodies_are_errors_not_panics() {
    let body = fixture("range_rate_cpu_by_mode.json");
    for cut in [0, 1, 10, body.len() / 2, body.len() - 1] {
        assert!(parse_query_range(&body[..cut]).is_err(), "cut at {cut}");
    }
    assert!(
        parse_query_range(&fixture("instant_vector_up.json")).is_err(),
        "vector for a range"
    );
    assert!(
        parse_query(&fixture("range_rate_cpu_by_mode.json")).is_err(),
        "matrix for an instant"
    );
    assert!(parse_query_range(b"<html><body>502 Bad Gateway</body></html>").is_err());
}
