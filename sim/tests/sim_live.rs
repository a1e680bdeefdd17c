//! The rover world live, end to end with a real Prometheus (Debian's package): the
//! simulator serves `/metrics`, Prometheus scrapes it every second, and capcom's own
//! Prometheus client reads back the values the world produced at the world time the same
//! scrape carried. Skipped, saying so, where prometheus is not installed; CI requires it.

#![allow(
    clippy::float_cmp,
    reason = "the exporter rounds as the recording does: exact values are the point"
)]

#[path = "../../tests/common/mod.rs"]
mod common;

use std::process::{Child, Command, Stdio};

use capcom::config::Connection;
use capcom::source::prometheus::PrometheusClient;
use capcom_sim::metrics::round;
use capcom_sim::world::World;
use common::{Prometheus, free_port};

struct Simulator(Child);

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn prometheus_scrapes_the_worlds_values_and_capcom_reads_them_back() {
    if common::prometheus_binary().is_none() {
        return;
    }
    let port = free_port();
    let _sim = Simulator(
        Command::new(env!("CARGO_BIN_EXE_capcom-sim"))
            .args(["--metrics-listen"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["--sim-speed", "30"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the simulator"),
    );
    let Some(prom) = Prometheus::start(&[&format!("127.0.0.1:{port}")]) else {
        return;
    };
    prom.wait_for("rover_sim_time_seconds");
    prom.wait_for("rover_mobility_commands_total");
    let client = PrometheusClient::new(&Connection::to_url(&prom.url)).expect("client");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // One scrape carries the clock and the readings together.
    let fetched = runtime
        .block_on(client.query(
            r#"{__name__=~"rover_sim_time_seconds|rover_battery_soc_percent|rover_air_temperature_celsius"}"#,
            None,
        ))
        .expect("query");
    let value = |name: &str| {
        fetched
            .result
            .series
            .iter()
            .find(|s| s.labels.get("__name__").is_some_and(|n| n == name))
            .and_then(|s| s.points.last())
            .unwrap_or_else(|| panic!("no {name} in {:?}", fetched.result.series))
    };
    let t = value("rover_sim_time_seconds");
    let soc = value("rover_battery_soc_percent");
    let air = value("rover_air_temperature_celsius");
    assert!((t.t - soc.t).abs() < 1e-6, "the same scrape");
    let world = World::new(1).sample(t.v);
    assert_eq!(
        soc.v,
        round(world.battery_soc_pct, 2),
        "at world time {}",
        t.v
    );
    assert_eq!(air.v, round(world.air_temp_c, 2));
    let labels = |name: &str| {
        fetched
            .result
            .series
            .iter()
            .find(|s| s.labels.get("__name__").is_some_and(|n| n == name))
            .map(|s| s.labels.clone())
            .expect("series")
    };
    assert_eq!(labels("rover_battery_soc_percent")["job"], "test");
    // The SLI counters the SLOs read, and the latency histogram's bucket.
    let sli = runtime
        .block_on(client.query(
            r#"rover_mobility_commands_total or rover_downlink_latency_seconds_bucket{le="0.5"}"#,
            None,
        ))
        .expect("query");
    assert_eq!(sli.result.series.len(), 3, "{:?}", sli.result.series);
}

#[test]
fn events_go_to_opensearch_after_the_template_and_survive_an_outage() {
    use common::{Reply, Server};
    let server = Server::start(|head, n| {
        if head.starts_with("PUT /_index_template/rover-events") && n == 0 {
            return Reply::With(503, "application/json", br#"{"error":"starting"}"#.to_vec());
        }
        if head.starts_with("PUT ") {
            return Reply::With(
                200,
                "application/json",
                br#"{"acknowledged":true}"#.to_vec(),
            );
        }
        Reply::With(
            200,
            "application/json",
            br#"{"took":1,"errors":false,"items":[]}"#.to_vec(),
        )
    });
    let mut sim = Simulator(
        Command::new(env!("CARGO_BIN_EXE_capcom-sim"))
            .args(["--opensearch", &server.url])
            .args(["--sim-speed", "2000"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the simulator"),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let bulks = || {
        server
            .requests
            .lock()
            .expect("lock")
            .iter()
            .filter(|h| h.starts_with("POST /_bulk"))
            .cloned()
            .collect::<Vec<_>>()
    };
    while bulks().len() < 2 {
        assert!(std::time::Instant::now() < deadline, "no _bulk within 20 s");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let _ = sim.0.kill();
    let mut stderr = String::new();
    if let Some(mut pipe) = sim.0.stderr.take() {
        use std::io::Read as _;
        let _ = pipe.read_to_string(&mut stderr);
    }
    let requests = server.requests.lock().expect("lock").clone();
    let puts: Vec<&String> = requests.iter().filter(|h| h.starts_with("PUT ")).collect();
    assert_eq!(puts.len(), 2, "the template again after the 503");
    let template = puts[1].split("\r\n\r\n").nth(1).expect("a body");
    let template: serde_json::Value = serde_json::from_str(template).expect("JSON");
    let props = &template["template"]["mappings"]["properties"];
    assert_eq!(props["@timestamp"]["type"], "date");
    assert_eq!(props["level"]["type"], "keyword");
    assert_eq!(props["trace_id"]["type"], "keyword");
    assert_eq!(props["message"]["type"], "text");
    assert_eq!(template["index_patterns"][0], "rover-events-*");
    let first_bulk = requests
        .iter()
        .position(|h| h.starts_with("POST /_bulk"))
        .expect("a bulk");
    assert!(first_bulk > 1, "events only after the template is in");
    let mut docs = 0;
    for bulk in bulks() {
        assert!(
            bulk.to_ascii_lowercase()
                .contains("content-type: application/x-ndjson")
        );
        let body = bulk.split("\r\n\r\n").nth(1).expect("a body");
        let lines: Vec<serde_json::Value> = body
            .lines()
            .map(|l| serde_json::from_str(l).expect("NDJSON"))
            .collect();
        for pair in lines.chunks(2) {
            let index = pair[0]["index"]["_index"].as_str().expect("an index");
            assert!(index.starts_with("rover-events-20"), "{index}");
            for field in ["@timestamp", "level", "service", "message"] {
                assert!(pair[1].get(field).is_some(), "{field} in {}", pair[1]);
            }
            docs += 1;
        }
    }
    assert!(docs >= 2, "{docs} events");
    assert!(stderr.contains("HTTP 503"), "the outage is said: {stderr}");
}

/// A local OTLP/HTTP receiver: keeps each request's protobuf body; answers the first with
/// 503 (a collector starting up) and the rest with 200.
fn otlp_receiver() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>) {
    use std::io::{BufRead as _, BufReader, Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let bodies = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = std::sync::Arc::clone(&bodies);
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            let status = if n == 0 {
                "503 Service Unavailable"
            } else {
                kept.lock().expect("lock").push(body);
                "200 OK"
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    (url, bodies)
}

fn hex(b: &[u8]) -> String {
    use std::fmt::Write as _;
    b.iter().fold(String::new(), |mut out, x| {
        let _ = write!(out, "{x:02x}");
        out
    })
}

/// The requests received once they hold at least `min` spans and a failed one (30 s at most).
fn wait_for_spans(
    bodies: &std::sync::Mutex<Vec<Vec<u8>>>,
    min: usize,
) -> Vec<opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest> {
    use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
    use prost::Message as _;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let reqs: Vec<ExportTraceServiceRequest> = bodies
            .lock()
            .expect("lock")
            .iter()
            .map(|b| ExportTraceServiceRequest::decode(b.as_slice()).expect("protobuf"))
            .collect();
        let spans: Vec<_> = reqs
            .iter()
            .flat_map(|r| &r.resource_spans)
            .flat_map(|rs| rs.scope_spans.iter().flat_map(|ss| &ss.spans))
            .collect();
        let failed = spans
            .iter()
            .any(|s| s.status.as_ref().is_some_and(|st| st.code == 2));
        if spans.len() >= min && failed {
            return reqs;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} spans within 30 s, failed: {failed}",
            spans.len()
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

#[test]
fn traces_go_over_otlp_with_parents_attributes_status_and_the_events_trace_ids() {
    use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
    let (url, bodies) = otlp_receiver();
    let mut sim = Simulator(
        Command::new(env!("CARGO_BIN_EXE_capcom-sim"))
            .args(["--otlp-endpoint", &url])
            .args(["--sim-speed", "600", "--from", "32600"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the simulator"),
    );
    let reqs = wait_for_spans(&bodies, 40);
    let _ = sim.0.kill();
    let mut stderr = String::new();
    if let Some(mut pipe) = sim.0.stderr.take() {
        use std::io::Read as _;
        let _ = pipe.read_to_string(&mut stderr);
    }
    assert!(
        stderr.contains("retrying"),
        "the 503 is said and retried: {stderr}"
    );
    let known: std::collections::HashSet<String> = capcom_sim::traces::traces(1)
        .into_iter()
        .map(|t| t.trace_id.to_string())
        .collect();
    let mut ids = std::collections::HashSet::new();
    let mut parented = 0;
    let mut typed = false;
    for rs in reqs.iter().flat_map(|r| &r.resource_spans) {
        let resource = rs.resource.as_ref().expect("a resource");
        let attr = |k: &str| {
            resource
                .attributes
                .iter()
                .find(|a| a.key == k)
                .and_then(|a| a.value.as_ref())
                .and_then(|v| v.value.clone())
        };
        assert!(matches!(attr("service.name"), Some(Any::StringValue(_))));
        assert_eq!(
            attr("service.namespace"),
            Some(Any::StringValue("rover".into()))
        );
        for s in rs.scope_spans.iter().flat_map(|ss| &ss.spans) {
            let trace = hex(&s.trace_id);
            assert!(
                known.contains(&trace),
                "{trace} is one of the world's traces"
            );
            ids.insert((trace, hex(&s.span_id)));
            parented += usize::from(!s.parent_span_id.is_empty());
            typed |= s.attributes.iter().any(|a| {
                a.key == "rover.segment"
                    && matches!(
                        a.value.as_ref().and_then(|v| v.value.clone()),
                        Some(Any::IntValue(_))
                    )
            });
            assert!(s.end_time_unix_nano >= s.start_time_unix_nano);
        }
    }
    assert!(parented > 0, "children carry their parent's id");
    assert!(typed, "an int attribute, as an int");
    // A child's parent arrives too (spans end, and so are sent, children first).
    let spans: Vec<_> = reqs
        .iter()
        .flat_map(|r| &r.resource_spans)
        .flat_map(|rs| rs.scope_spans.iter().flat_map(|ss| &ss.spans))
        .collect();
    assert!(spans.iter().any(|s| !s.parent_span_id.is_empty()
        && ids.contains(&(hex(&s.trace_id), hex(&s.parent_span_id)))));
}

/// Starts the simulator with `args` at ×600, lets it run `run_for`, sends SIGTERM and returns
/// how long it took to exit (at most `limit`: past that it is killed) and what it said on
/// stderr.
fn stop_after(
    args: &[&str],
    run_for: std::time::Duration,
    limit: std::time::Duration,
) -> (Option<std::time::Duration>, String) {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    let mut sim = Simulator(
        Command::new(env!("CARGO_BIN_EXE_capcom-sim"))
            .args(args)
            .args(["--sim-speed", "600", "--from", "32600"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the simulator"),
    );
    // Read stderr as it comes, so a full pipe never holds the simulator up.
    let mut pipe = sim.0.stderr.take().expect("stderr");
    let said = std::thread::spawn(move || {
        use std::io::Read as _;
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        text
    });
    std::thread::sleep(run_for);
    assert!(sim.0.try_wait().expect("wait").is_none(), "still running");
    let pid = Pid::from_raw(i32::try_from(sim.0.id()).expect("a pid"));
    let sent = std::time::Instant::now();
    kill(pid, Signal::SIGTERM).expect("SIGTERM");
    let took = loop {
        if sim.0.try_wait().expect("wait").is_some() {
            break Some(sent.elapsed());
        }
        if sent.elapsed() > limit {
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    drop(sim);
    (took, said.join().expect("stderr"))
}

/// A port nobody listens on.
fn dead_port() -> String {
    format!("http://127.0.0.1:{}", free_port())
}

#[test]
fn with_its_otlp_receiver_down_the_simulator_ends_within_2_s_of_sigterm() {
    let url = dead_port();
    let (took, stderr) = stop_after(
        &["--otlp-endpoint", &url],
        std::time::Duration::from_secs(4),
        std::time::Duration::from_secs(5),
    );
    let took = took.unwrap_or_else(|| panic!("not ended 5 s after SIGTERM; said:\n{stderr}"));
    assert!(
        took < std::time::Duration::from_secs(2),
        "{took:?} to end; said:\n{stderr}"
    );
    // One readable line for the output, with the cause: not one per service, not a dump.
    let failing: Vec<&str> = stderr.lines().filter(|l| l.contains("retrying")).collect();
    assert_eq!(failing.len(), 1, "{stderr}");
    assert!(
        failing[0].starts_with(&format!("otlp {url}/v1/traces: cannot connect: ")),
        "{stderr}"
    );
    assert!(failing[0].contains("refused"), "the cause: {stderr}");
    assert!(!stderr.contains("1 spans"), "plurals: {stderr}");
    assert!(
        !stderr.contains("reqwest::Error {"),
        "no debug dump: {stderr}"
    );
    assert!(stderr.contains("stopped while failing"), "{stderr}");
}

#[test]
fn with_every_output_hanging_the_simulator_ends_within_2_s_of_sigterm() {
    // Accepts connections (the kernel's backlog) but never reads or answers them.
    let hole = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", hole.local_addr().expect("addr"));
    let metrics = format!("127.0.0.1:{}", free_port());
    let (took, stderr) = stop_after(
        &[
            "--otlp-endpoint",
            &url,
            "--opensearch",
            &url,
            "--metrics-listen",
            &metrics,
        ],
        std::time::Duration::from_secs(4),
        std::time::Duration::from_secs(15),
    );
    let took = took.unwrap_or_else(|| panic!("not ended 15 s after SIGTERM; said:\n{stderr}"));
    assert!(
        took < std::time::Duration::from_secs(2),
        "{took:?} to end; said:\n{stderr}"
    );
    drop(hole);
}
