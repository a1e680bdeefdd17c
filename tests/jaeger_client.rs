//! The Jaeger client against a scripted server on 127.0.0.1 speaking v3 (`/api/v3`, OTLP JSON)
//! or v1 (`/api`): the parameters each search sends, decoded; the camelCase retry; finding
//! which API a server has; Jaeger's "nothing found" answers, errors and timeouts; services,
//! operations and traces by id; the merged search over every service; the source task; and
//! `capcom check`'s Jaeger line. Bodies are the recorded samples in `tests/fixtures/jaeger/`
//! and small ones written in the exact shapes Jaeger sends.

#![allow(
    clippy::float_cmp,
    reason = "exact values are the point of these checks"
)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use capcom::config::{Connection, JaegerApi};
use capcom::model::traces::TraceQuery;
use capcom::source::jaeger::{self, Api, JaegerClient};
use capcom::source::{SourceError, SourceId, SourceUpdate};
use common::{Reply, Server, otlp, target};
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

/// 2023-11-14T22:13:20.25Z.
const NOW: f64 = 1_700_000_000.25;
const JSON: &str = "application/json";
const V3_SERVICES: &str = r#"{"services":["rover","ground-station","camera"]}"#;
const V3_NO_TRACES: &str = r#"{"error":{"httpCode":404,"message":"No traces found"}}"#;
const V1_SERVICES: &str =
    r#"{"data":["rover","ground-station"],"total":2,"limit":0,"offset":0,"errors":null}"#;
const V1_NOT_FOUND: &str = r#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]}"#;

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/jaeger/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("sample")
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

fn client(url: &str, api: JaegerApi) -> JaegerClient {
    let mut conn = Connection::to_url(url);
    conn.timeout = 5.0;
    JaegerClient::new(&conn, api).expect("client")
}

fn ok(body: impl Into<Vec<u8>>) -> Reply {
    Reply::With(200, JSON, body.into())
}

fn path(head: &str) -> String {
    target(head).0
}

/// A param's value, if sent (once).
fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    let found: Vec<&str> = params
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect();
    assert!(found.len() <= 1, "{key} sent {} times", found.len());
    found.first().copied()
}

/// Every filter the search form has.
fn full_query() -> TraceQuery {
    TraceQuery {
        services: vec!["rover".into()],
        operation: "drive to waypoint".into(),
        attributes: vec![
            ("mode".into(), "auto".into()),
            ("error".into(), "true".into()),
        ],
        min_duration: Some(1.5),
        max_duration: Some(20.0),
        lookback: 600.0,
        end: None,
        limit: 20,
    }
}

#[test]
fn a_v3_search_sends_the_snake_case_parameters_jaeger_reads() {
    let server = Server::start(|_, _| ok(sample("v3_gettrace_snapshot_error_status.json")));
    let c = client(&server.url, JaegerApi::V3);
    let (answer, traces) = block_on(c.search("rover", &full_query(), NOW)).expect("ok");
    assert_eq!(
        answer.body,
        sample("v3_gettrace_snapshot_error_status.json"),
        "verbatim"
    );
    assert_eq!(answer.service, "rover");
    assert_eq!(traces.len(), 1);
    assert_eq!(traces[0].spans[0].name, "foobar");
    assert!(traces[0].spans[0].error, "status.code 2 is an error");

    let targets = server.targets();
    assert_eq!(targets.len(), 1, "api = v3 asks nothing first: {targets:?}");
    let (path, p) = &targets[0];
    assert_eq!(path, "/api/v3/traces");
    let mut keys: Vec<&str> = p.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "query.attributes",
            "query.duration_max",
            "query.duration_min",
            "query.num_traces",
            "query.operation_name",
            "query.search_depth",
            "query.service_name",
            "query.start_time_max",
            "query.start_time_min",
        ]
    );
    assert_eq!(param(p, "query.service_name"), Some("rover"));
    assert_eq!(param(p, "query.operation_name"), Some("drive to waypoint"));
    assert_eq!(
        param(p, "query.start_time_min"),
        Some("2023-11-14T22:03:20.250000Z"),
        "now - lookback, RFC 3339"
    );
    assert_eq!(
        param(p, "query.start_time_max"),
        Some("2023-11-14T22:13:21.250000Z"),
        "now + 1 s: a trace that started this second is in"
    );
    let parsed = |k: &str| {
        chrono::DateTime::parse_from_rfc3339(param(p, k).expect(k))
            .expect("RFC 3339")
            .timestamp_micros()
    };
    assert_eq!(parsed("query.start_time_min"), 1_699_999_400_250_000);
    assert_eq!(param(p, "query.search_depth"), Some("20"));
    assert_eq!(param(p, "query.num_traces"), Some("20"), "the older name");
    // Go's time.ParseDuration reads "us" as microseconds.
    assert_eq!(param(p, "query.duration_min"), Some("1500000us"));
    assert_eq!(param(p, "query.duration_max"), Some("20000000us"));
    let attrs: Value =
        serde_json::from_str(param(p, "query.attributes").expect("attributes")).expect("JSON");
    assert_eq!(attrs, json!({"mode": "auto", "error": "true"}));
}

#[test]
fn a_v1_search_sends_microseconds_a_limit_and_tags() {
    let server = Server::start(|_, _| ok(sample("v1_selftrace_small_jaeger_query.json")));
    let c = client(&server.url, JaegerApi::V1);
    let (answer, traces) = block_on(c.search("rover", &full_query(), NOW)).expect("ok");
    assert_eq!(answer.body, sample("v1_selftrace_small_jaeger_query.json"));
    assert_eq!(traces.len(), 1);
    assert_eq!(&*traces[0].trace_id, "2db17286b3e6b148");
    assert_eq!(traces[0].spans.len(), 2);

    let targets = server.targets();
    assert_eq!(targets.len(), 1, "{targets:?}");
    let (path, p) = &targets[0];
    assert_eq!(path, "/api/traces");
    let mut keys: Vec<&str> = p.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "end",
            "limit",
            "maxDuration",
            "minDuration",
            "operation",
            "service",
            "start",
            "tags"
        ]
    );
    assert_eq!(param(p, "service"), Some("rover"));
    assert_eq!(param(p, "operation"), Some("drive to waypoint"));
    assert_eq!(param(p, "start"), Some("1699999400250000"), "µs");
    assert_eq!(param(p, "end"), Some("1700000001250000"));
    assert_eq!(param(p, "limit"), Some("20"));
    assert_eq!(param(p, "minDuration"), Some("1500000us"));
    assert_eq!(param(p, "maxDuration"), Some("20000000us"));
    let tags: Value = serde_json::from_str(param(p, "tags").expect("tags")).expect("JSON");
    assert_eq!(tags, json!({"mode": "auto", "error": "true"}));
}

#[test]
fn a_search_without_filters_sends_only_what_it_must() {
    let server = Server::start(|_, _| ok(V3_NO_TRACES));
    let c = client(&server.url, JaegerApi::V3);
    let q = TraceQuery::default();
    let _ = block_on(c.search("rover", &q, NOW));
    let (_, p) = &server.targets()[0];
    let keys: Vec<&str> = p.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "query.service_name",
            "query.start_time_min",
            "query.start_time_max",
            "query.search_depth",
            "query.num_traces"
        ]
    );
    assert_eq!(
        param(p, "query.start_time_min"),
        Some("2023-11-14T21:13:20.250000Z"),
        "1 h"
    );
    assert_eq!(param(p, "query.search_depth"), Some("50"));
}

#[test]
fn a_camel_case_only_server_gets_camel_case_on_the_retry_and_from_then_on() {
    // As a server whose gateway reads only JSON names: the snake_case times look missing.
    let server = Server::start(|head, _| {
        let (_, p) = target(head);
        if param(&p, "query.startTimeMin").is_none() {
            let msg = r#"{"error":{"httpCode":400,"message":"query.start_time_min and query.start_time_max are required"}}"#;
            Reply::With(400, JSON, msg.into())
        } else {
            ok(otlp(
                "rover",
                &[("0af7651916cd43dd8448eb211c80319c", NOW - 5.0, "auto")],
            ))
        }
    });
    let c = client(&server.url, JaegerApi::V3);
    let q = full_query();
    let (_, first) = block_on(c.search("rover", &q, NOW)).expect("the retry works");
    assert_eq!(first.len(), 1);
    let (_, again) = block_on(c.search("rover", &q, NOW)).expect("ok");
    assert_eq!(again.len(), 1);

    let targets = server.targets();
    assert_eq!(targets.len(), 3, "one retry, then camelCase at once");
    assert!(param(&targets[0].1, "query.service_name").is_some());
    for (_, p) in &targets[1..] {
        assert_eq!(param(p, "query.serviceName"), Some("rover"));
        assert_eq!(
            param(p, "query.startTimeMin"),
            Some("2023-11-14T22:03:20.250000Z")
        );
        assert_eq!(
            param(p, "query.startTimeMax"),
            Some("2023-11-14T22:13:21.250000Z")
        );
        assert_eq!(param(p, "query.searchDepth"), Some("20"));
        assert_eq!(param(p, "query.operationName"), Some("drive to waypoint"));
        assert_eq!(param(p, "query.durationMin"), Some("1500000us"));
        assert_eq!(param(p, "query.durationMax"), Some("20000000us"));
        assert!(
            p.iter().all(|(k, _)| !k.contains('_')),
            "no snake_case left: {p:?}"
        );
    }
}

#[test]
fn a_400_that_the_retry_does_not_cure_is_the_servers_message_and_is_not_remembered() {
    let body = r#"{"error":{"httpCode":400,"message":"malformed parameter query.duration_min: time: unknown unit"}}"#;
    let server = Server::start(move |_, _| Reply::With(400, JSON, body.into()));
    let c = client(&server.url, JaegerApi::V3);
    let err = block_on(c.search("rover", &full_query(), NOW)).expect_err("400");
    assert_eq!(
        err.to_string(),
        "jaeger: malformed parameter query.duration_min: time: unknown unit"
    );
    let _ = block_on(c.search("rover", &full_query(), NOW));
    let targets = server.targets();
    assert_eq!(targets.len(), 4);
    assert!(
        param(&targets[2].1, "query.service_name").is_some(),
        "snake_case again: {:?}",
        targets[2]
    );
}

fn detect(reply: impl Fn(&str) -> Reply + Send + 'static) -> (Result<Api, SourceError>, Server) {
    let server = Server::start(move |head, _| reply(head));
    let c = client(&server.url, JaegerApi::Auto);
    let first = block_on(c.api());
    if first.is_ok() {
        let before = server.requests.lock().expect("lock").len();
        assert_eq!(block_on(c.api()), first, "remembered");
        assert_eq!(
            server.requests.lock().expect("lock").len(),
            before,
            "found once, asked once"
        );
    }
    (first, server)
}

#[test]
fn auto_finds_a_v3_server_with_one_request() {
    let (api, server) = detect(|head| {
        if path(head) == "/api/v3/services" {
            ok(V3_SERVICES)
        } else {
            Reply::With(404, "text/plain", b"404 page not found\n".to_vec())
        }
    });
    assert_eq!(api, Ok(Api::V3));
    assert_eq!(server.paths(), ["/api/v3/services"]);
}

#[test]
fn auto_falls_back_to_v1_when_v3_is_404() {
    let (api, server) = detect(|head| match path(head).as_str() {
        "/api/services" => ok(V1_SERVICES),
        _ => Reply::With(404, "text/plain", b"404 page not found\n".to_vec()),
    });
    assert_eq!(api, Ok(Api::V1));
    assert_eq!(server.paths(), ["/api/v3/services", "/api/services"]);
}

#[test]
fn auto_falls_back_to_v1_when_v3_is_the_uis_html_page() {
    // Jaeger v1's query service answers unknown paths with the UI's index.html and a 200.
    let (api, _server) = detect(|head| match path(head).as_str() {
        "/api/services" => ok(r#"{"data":null,"total":0,"limit":0,"offset":0,"errors":null}"#),
        _ => Reply::With(
            200,
            "text/html; charset=utf-8",
            b"<!doctype html><html><head><title>Jaeger UI</title></head></html>".to_vec(),
        ),
    });
    assert_eq!(api, Ok(Api::V1));
}

#[test]
fn a_server_that_is_neither_says_so_naming_both_paths() {
    let (api, server) = detect(|_| Reply::With(404, "text/plain", b"not here".to_vec()));
    let text = api.expect_err("neither").to_string();
    assert!(text.starts_with("jaeger: "), "{text}");
    assert!(
        text.contains(&server.url)
            && text.contains("/api/v3/services (HTTP 404)")
            && text.contains("/api/services (HTTP 404)"),
        "{text}"
    );
    assert!(text.contains("api = \"v3\""), "says how to skip: {text}");
}

#[test]
fn a_configured_api_skips_detection() {
    // A server with both APIs: what is asked shows which one the client speaks.
    let both = |head: &str, _| match path(head).as_str() {
        "/api/v3/services" => ok(V3_SERVICES),
        "/api/services" => ok(V1_SERVICES),
        _ => Reply::With(404, JSON, V3_NO_TRACES.into()),
    };
    let server = Server::start(both);
    let c = client(&server.url, JaegerApi::V1);
    assert_eq!(block_on(c.api()), Ok(Api::V1));
    assert_eq!(
        block_on(c.services()).expect("ok"),
        ["ground-station", "rover"]
    );
    assert_eq!(server.paths(), ["/api/services"]);

    let server = Server::start(both);
    let c = client(&server.url, JaegerApi::V3);
    assert_eq!(block_on(c.api()), Ok(Api::V3));
    let _ = block_on(c.search("rover", &TraceQuery::default(), NOW));
    assert_eq!(server.paths(), ["/api/v3/traces"]);
}

#[test]
fn no_traces_found_is_an_empty_answer() {
    for (api, body) in [(JaegerApi::V3, V3_NO_TRACES), (JaegerApi::V1, V1_NOT_FOUND)] {
        let server = Server::start(move |_, _| Reply::With(404, "text/plain", body.into()));
        let c = client(&server.url, api);
        let (answer, traces) =
            block_on(c.search("rover", &TraceQuery::default(), NOW)).expect("empty, not an error");
        assert!(traces.is_empty() && answer.body.is_empty(), "{api:?}");
        assert_eq!(answer.service, "rover");
    }
}

#[test]
fn a_404_that_is_not_jaegers_is_an_error() {
    // A wrong path prefix or a proxy: not "no traces", which would hide the mistake.
    let server =
        Server::start(|_, _| Reply::With(404, "text/plain", b"404 page not found\n".to_vec()));
    let c = client(&server.url, JaegerApi::V3);
    let err = block_on(c.search("rover", &TraceQuery::default(), NOW)).expect_err("404");
    assert_eq!(
        err.to_string(),
        "jaeger: HTTP 404 Not Found: 404 page not found"
    );
    let err = block_on(c.trace("0af7651916cd43dd8448eb211c80319c")).expect_err("404");
    assert!(err.to_string().contains("HTTP 404"), "{err}");
}

#[test]
fn a_500_with_a_plain_body_names_the_status() {
    let server = Server::start(|_, _| {
        Reply::With(500, "text/plain", b"storage unavailable\x1b[0m\n".to_vec())
    });
    let c = client(&server.url, JaegerApi::V3);
    let err = block_on(c.search("rover", &TraceQuery::default(), NOW)).expect_err("500");
    assert_eq!(
        err.to_string(),
        "jaeger: HTTP 500 Internal Server Error: storage unavailable␛[0m"
    );
    assert!(matches!(
        err,
        SourceError::Http {
            backend: SourceId::Jaeger,
            ..
        }
    ));
}

#[test]
fn the_error_envelope_is_its_message() {
    let v3 = r#"{"error":{"httpCode":500,"message":"elasticsearch: index rover-spans not found"}}"#;
    let v1 = r#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":500,"msg":"cassandra: unavailable"}]}"#;
    for (api, body, want) in [
        (
            JaegerApi::V3,
            v3,
            "jaeger: elasticsearch: index rover-spans not found",
        ),
        (JaegerApi::V1, v1, "jaeger: cassandra: unavailable"),
    ] {
        let server = Server::start(move |_, _| Reply::With(500, JSON, body.into()));
        let c = client(&server.url, api);
        let err = block_on(c.search("rover", &TraceQuery::default(), NOW)).expect_err("500");
        assert_eq!(err.to_string(), want);
        let err = block_on(c.services()).expect_err("500");
        assert_eq!(err.to_string(), want);
    }
}

#[test]
fn a_server_that_never_answers_times_out_after_the_configured_timeout() {
    let server = Server::start(|_, _| Reply::Hang);
    let mut conn = Connection::to_url(&server.url);
    conn.timeout = 0.5;
    let c = JaegerClient::new(&conn, JaegerApi::Auto).expect("client");
    let started = std::time::Instant::now();
    let err = block_on(c.search("rover", &TraceQuery::default(), NOW)).expect_err("timeout");
    let took = started.elapsed();
    assert!(
        matches!(err, SourceError::Timeout(SourceId::Jaeger, _)),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with("jaeger: timeout after"),
        "{err}"
    );
    assert!(
        took >= Duration::from_millis(500) && took < Duration::from_secs(3),
        "{took:?}"
    );
}

#[test]
fn a_trace_by_id_on_v3_and_v1_and_404_is_none() {
    let server = Server::start(|head, _| match path(head).as_str() {
        "/api/v3/traces/00000000000000000000000000000001" => {
            ok(sample("v3_gettrace_snapshot_error_status.json"))
        }
        "/api/traces/2db17286b3e6b148" => ok(sample("v1_selftrace_small_jaeger_query.json")),
        p if p.starts_with("/api/v3/") => Reply::With(
            404,
            "text/plain",
            br#"{"error":{"httpCode":404,"message":"trace not found"}}"#.to_vec(),
        ),
        _ => Reply::With(404, JSON, V1_NOT_FOUND.into()),
    });
    let v3 = client(&server.url, JaegerApi::V3);
    let (body, trace) = block_on(v3.trace("00000000000000000000000000000001")).expect("ok");
    assert_eq!(body, sample("v3_gettrace_snapshot_error_status.json"));
    let trace = trace.expect("found");
    assert_eq!(&*trace.trace_id, "00000000000000000000000000000001");
    assert_eq!(trace.spans.len(), 1);
    assert_eq!(
        block_on(v3.trace("00000000000000000000000000000099"))
            .expect("ok")
            .1,
        None
    );

    let v1 = client(&server.url, JaegerApi::V1);
    // As pasted from a log line.
    let trace = block_on(v1.trace(" 2DB17286B3E6B148\n"))
        .expect("ok")
        .1
        .expect("found");
    assert_eq!(&*trace.trace_id, "2db17286b3e6b148");
    assert_eq!(trace.spans.len(), 2);
    assert_eq!(block_on(v1.trace("00000000000000ff")).expect("ok").1, None);
    assert!(
        server
            .paths()
            .contains(&"/api/traces/2db17286b3e6b148".to_owned())
    );
}

#[test]
fn services_and_operations_on_both_apis() {
    let server = Server::start(|head, _| {
        let (path, p) = target(head);
        match path.as_str() {
            "/api/v3/services" => ok(V3_SERVICES),
            "/api/v3/operations" if param(&p, "service") == Some("ground station") => ok(
                r#"{"operations":[{"name":"uplink","spanKind":"client"},{"name":"downlink","spanKind":"server"},{"name":"uplink","spanKind":"server"}]}"#,
            ),
            "/api/services" => ok(V1_SERVICES),
            "/api/services/ground%20station/operations" => {
                ok(r#"{"data":["uplink","downlink"],"total":2,"limit":0,"offset":0,"errors":null}"#)
            }
            _ => Reply::With(404, "text/plain", b"404 page not found".to_vec()),
        }
    });
    let v3 = client(&server.url, JaegerApi::V3);
    assert_eq!(
        block_on(v3.services()).expect("ok"),
        ["camera", "ground-station", "rover"],
        "sorted"
    );
    assert_eq!(
        block_on(v3.operations("ground station")).expect("ok"),
        ["downlink", "uplink"],
        "sorted, one per name whatever the span kinds"
    );
    let v1 = client(&server.url, JaegerApi::V1);
    assert_eq!(
        block_on(v1.services()).expect("ok"),
        ["ground-station", "rover"]
    );
    assert_eq!(
        block_on(v1.operations("ground station")).expect("ok"),
        ["downlink", "uplink"]
    );
}

/// A v3 server: three services; rover and ground-station share one trace; camera has none.
fn v3_fleet() -> Server {
    Server::start(|head, _| {
        let (path, p) = target(head);
        if path == "/api/v3/services" {
            return ok(V3_SERVICES);
        }
        let traces: &[(&str, f64, &str)] = match param(&p, "query.service_name") {
            Some("rover") => &[
                ("000000000000000000000000000000a1", NOW - 300.0, "auto"),
                ("000000000000000000000000000000a2", NOW - 50.0, "manual"),
                ("000000000000000000000000000000c0", NOW - 20.0, "auto"),
            ],
            Some("ground-station") => &[
                ("000000000000000000000000000000b1", NOW - 10.0, "manual"),
                ("000000000000000000000000000000c0", NOW - 20.0, "auto"),
                // Just inside the window the request asked for.
                ("000000000000000000000000000000b2", NOW - 3_599.5, "auto"),
            ],
            _ => return Reply::With(404, "text/plain", V3_NO_TRACES.into()),
        };
        let service = param(&p, "query.service_name").unwrap_or_default();
        ok(otlp(service, traces))
    })
}

fn ids(list: &[capcom::model::traces::Listed]) -> Vec<String> {
    list.iter()
        .map(|l| l.summary.trace_id.trim_start_matches('0').to_owned())
        .collect()
}

#[test]
fn search_all_asks_every_service_and_merges_newest_first() {
    let server = v3_fleet();
    let c = client(&server.url, JaegerApi::Auto);
    let (answers, list) = block_on(c.search_all(&TraceQuery::default(), NOW)).expect("ok");
    assert_eq!(
        ids(&list),
        ["b1", "c0", "a2", "a1", "b2"],
        "once each, newest first"
    );
    let searched: Vec<&str> = answers.iter().map(|a| a.service.as_str()).collect();
    assert_eq!(searched, ["camera", "ground-station", "rover"]);
    assert!(answers[0].body.is_empty(), "camera had none");
    assert!(!answers[1].body.is_empty() && !answers[2].body.is_empty());
    assert_eq!(
        server.paths(),
        [
            "/api/v3/services",
            "/api/v3/services",
            "/api/v3/traces",
            "/api/v3/traces",
            "/api/v3/traces"
        ]
    );

    let bounded = TraceQuery {
        limit: 2,
        ..TraceQuery::default()
    };
    let (_, list) = block_on(c.search_all(&bounded, NOW)).expect("ok");
    assert_eq!(ids(&list), ["b1", "c0"], "the newest 2 of all services");
}

#[test]
fn search_all_drops_what_an_attribute_filter_excludes_as_older_servers_ignore_it() {
    let server = v3_fleet();
    let c = client(&server.url, JaegerApi::V3);
    let q = TraceQuery {
        attributes: vec![("mode".into(), "auto".into())],
        ..TraceQuery::default()
    };
    let (_, list) = block_on(c.search_all(&q, NOW)).expect("ok");
    assert_eq!(ids(&list), ["c0", "a1", "b2"]);
    let q = TraceQuery {
        services: vec!["rover".into()],
        lookback: 100.0,
        ..TraceQuery::default()
    };
    let before = server.paths().len();
    let (answers, list) = block_on(c.search_all(&q, NOW)).expect("ok");
    assert_eq!(answers.len(), 1, "only the service named");
    assert_eq!(ids(&list), ["c0", "a2"], "and only within the lookback");
    assert_eq!(
        server.paths()[before..],
        ["/api/v3/traces"],
        "a named service needs no list"
    );
}

#[test]
fn search_all_on_v1_reads_the_recorded_sample() {
    let server = Server::start(|head, _| match path(head).as_str() {
        "/api/services" => {
            ok(r#"{"data":["jaeger-query"],"total":1,"limit":0,"offset":0,"errors":null}"#)
        }
        "/api/traces" => ok(sample("v1_selftrace_small_jaeger_query.json")),
        _ => Reply::With(404, "text/plain", b"404 page not found".to_vec()),
    });
    let c = client(&server.url, JaegerApi::Auto);
    // A minute after the sample was recorded (2019-10-17).
    let (answers, list) =
        block_on(c.search_all(&TraceQuery::default(), 1_571_326_834.0)).expect("ok");
    assert_eq!(block_on(c.api()), Ok(Api::V1));
    assert_eq!(answers.len(), 1);
    assert_eq!(ids(&list), ["2db17286b3e6b148"]);
    assert_eq!(&*list[0].summary.root_service, "jaeger-query");
    assert_eq!(list[0].summary.spans, 2);
}

#[test]
fn the_source_task_lists_fetches_by_id_and_recovers_from_a_failure() {
    let server = Server::start(|head, n| {
        let (path, p) = target(head);
        match path.as_str() {
            "/api/v3/services" => ok(V3_SERVICES),
            // The first search fails; the task backs off and tries again.
            "/api/v3/traces" if n == 0 => Reply::With(503, "text/plain", b"starting".to_vec()),
            "/api/v3/traces" => ok(otlp(
                param(&p, "query.service_name").unwrap_or_default(),
                &[(
                    "0af7651916cd43dd8448eb211c80319c",
                    capcom::wall_now() - 5.0,
                    "auto",
                )],
            )),
            "/api/v3/traces/0af7651916cd43dd8448eb211c80319c" => ok(otlp(
                "rover",
                &[(
                    "0af7651916cd43dd8448eb211c80319c",
                    capcom::wall_now() - 5.0,
                    "auto",
                )],
            )),
            _ => Reply::With(404, "text/plain", V3_NO_TRACES.into()),
        }
    });
    let got = block_on(async {
        let c = Arc::new(client(&server.url, JaegerApi::V3));
        let q = TraceQuery {
            services: vec!["rover".into()],
            ..TraceQuery::default()
        };
        let (_query_tx, query_rx) = watch::channel(q);
        let (fetch_tx, fetch_rx) = mpsc::channel(4);
        let (tx, mut rx) = mpsc::channel(16);
        let cancel = CancellationToken::new();
        tokio::spawn(jaeger::search::run(
            c,
            0.2,
            query_rx,
            fetch_rx,
            tx,
            cancel.clone(),
        ));
        let mut got = Vec::new();
        let mut asked = false;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while let Ok(Some(u)) = tokio::time::timeout_at(deadline, rx.recv()).await {
            match u {
                SourceUpdate::TracesFetched { result, .. } => {
                    let line = result.map(|l| ids(&l)).map_err(|e| e.to_string());
                    if line.is_ok() && !asked {
                        asked = true;
                        fetch_tx
                            .send("0af7651916cd43dd8448eb211c80319c".into())
                            .await
                            .expect("send");
                        fetch_tx.send("ffff".into()).await.expect("send");
                    }
                    got.push(format!("list {line:?}"));
                }
                SourceUpdate::TraceFetched { trace_id, result } => {
                    let r = result.map(|t| t.spans.len()).map_err(|e| e.to_string());
                    got.push(format!("trace {trace_id} {r:?}"));
                }
                other => panic!("{other:?}"),
            }
            if got.iter().filter(|g| g.starts_with("trace")).count() == 2 {
                break;
            }
        }
        cancel.cancel();
        got
    });
    assert_eq!(
        got[..2],
        [
            "list Err(\"jaeger: HTTP 503 Service Unavailable: starting\")",
            "list Ok([\"af7651916cd43dd8448eb211c80319c\"])"
        ],
        "{got:#?}"
    );
    let traces: Vec<&String> = got.iter().filter(|g| g.starts_with("trace")).collect();
    assert_eq!(
        traces,
        [
            "trace 0af7651916cd43dd8448eb211c80319c Ok(1)",
            "trace ffff Err(\"jaeger: trace ffff not found\")"
        ]
    );
}

/// A config with a scripted OpenSearch (check needs a metrics or events source) and `[jaeger]`.
fn check_config(dir: &std::path::Path, jaeger: &str, extra: &str) -> std::path::PathBuf {
    let store: common::Store = Arc::default();
    let opensearch = Server::start(move |req, _| common::opensearch_answer(&store, req));
    let text = format!(
        "[opensearch]\nurl = \"{}\"\nindex = \"ev-*\"\n[jaeger]\nurl = \"{jaeger}\"\ntimeout = \"2s\"\n{extra}\n[[layout.column]]\npanes = [{{ id = \"ev\" }}]\n[[pane]]\nid = \"ev\"\nkind = \"events\"\n",
        opensearch.url
    );
    // Its thread keeps serving after the handle is dropped, until the test process ends.
    let path = dir.join(format!("check-{}.toml", common::free_port()));
    std::fs::write(&path, text).expect("write");
    path
}

fn check(config: &std::path::Path) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_capcom"))
        .arg("check")
        .arg("--config")
        .arg(config)
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env_remove("CAPCOM_CONFIG")
        .output()
        .expect("run capcom");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn check_probes_jaeger_and_fails_when_it_cannot() {
    let dir = tempfile::tempdir().expect("tmp");
    let jaeger = v3_fleet();
    let now_fleet = Server::start(|head, _| {
        let (path, p) = target(head);
        match path.as_str() {
            "/api/services" => ok(V1_SERVICES),
            "/api/traces" if param(&p, "service") == Some("ground-station") => {
                let now = capcom::wall_now();
                ok(json!({"data": [
                    {"traceID": "b1", "spans": [{"traceID": "b1", "spanID": "1", "operationName": "uplink", "references": [], "startTime": ((now - 60.0) * 1e6) as i64, "duration": 1000, "tags": [], "processID": "p1"}], "processes": {"p1": {"serviceName": "ground-station", "tags": []}}}
                ], "total": 0, "limit": 0, "offset": 0, "errors": null})
                .to_string())
            }
            _ => Reply::With(404, "text/plain", b"404 page not found".to_vec()),
        }
    });

    let (code, text) = check(&check_config(dir.path(), &jaeger.url, ""));
    assert_eq!(code, Some(0), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("jaeger"))
        .unwrap_or_else(|| panic!("a jaeger line: {text}"));
    assert_eq!(
        line,
        format!(
            "ok   jaeger {}: API v3, 3 services; camera: no traces in the last 1h",
            jaeger.url
        ),
        "the first service listed"
    );

    let (code, text) = check(&check_config(
        dir.path(),
        &now_fleet.url,
        "services = [\"ground-station\"]",
    ));
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains(&format!(
            "ok   jaeger {}: API v1, 2 services; ground-station: 1 trace in the last 1h",
            now_fleet.url
        )),
        "the configured service: {text}"
    );

    let down = format!("http://127.0.0.1:{}", common::free_port());
    let (code, text) = check(&check_config(dir.path(), &down, ""));
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains(&format!("FAIL jaeger {down}: jaeger: cannot connect")),
        "{text}"
    );
    assert!(
        text.contains("ok   opensearch"),
        "the other probes still run: {text}"
    );
}

#[test]
fn the_source_task_stops_at_once_when_cancelled_mid_search() {
    let server = Server::start(|_, _| Reply::Hang);
    let stopped_in = block_on(async {
        let c = Arc::new(client(&server.url, JaegerApi::V3));
        let (_query_tx, query_rx) = watch::channel(TraceQuery::default());
        let (_fetch_tx, fetch_rx) = mpsc::channel(1);
        let (tx, _rx) = mpsc::channel(1);
        let cancel = CancellationToken::new();
        let task = tokio::spawn(jaeger::search::run(
            c,
            15.0,
            query_rx,
            fetch_rx,
            tx,
            cancel.clone(),
        ));
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!task.is_finished(), "searching");
        let started = std::time::Instant::now();
        cancel.cancel();
        tokio::time::timeout(Duration::from_secs(2), task)
            .await
            .expect("stops before the 5 s timeout")
            .expect("no panic");
        started.elapsed()
    });
    assert!(stopped_in < Duration::from_secs(1), "{stopped_in:?}");
}
