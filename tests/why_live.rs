//! `source::why::Live`: what a live Why analysis gathers — Jaeger's search over the window
//! (the SLO's service), OpenSearch's events of the window and of the baseline, every pane's
//! series over both from a real Prometheus (Debian's package, backfilled history), and the
//! SLO's error ratio over the window — and that a source that fails is said in `missing`,
//! safely, while the rest is still gathered. Jaeger and OpenSearch are scripted servers on
//! 127.0.0.1. The Prometheus half is skipped, saying so, where prometheus is not installed.

mod common;

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use capcom::model::why::analyse;
use capcom::source::why::{Live, Request, SERIES_POINTS};
use common::{Prometheus, Reply, Server, Store, opensearch_answer, otlp};

/// A gauge that sat at 20 and rose to 40 for the last hour, and the SLO's counters: 0.5 %
/// errors, then 20 % for the last hour; sampled every minute for six hours up to a minute ago.
fn history(now: i64) -> String {
    let end = now - 60;
    let start = end - 6 * 3600;
    let mut out = String::from("# HELP capcom_why_temp A gauge.\n# TYPE capcom_why_temp gauge\n");
    for t in (start..=end).step_by(60) {
        let v = if end - t < 3600 { 40.0 } else { 20.0 };
        let _ = writeln!(out, "capcom_why_temp{{sensor=\"a\"}} {v} {t}");
    }
    out.push_str("# HELP capcom_why_requests Requests.\n# TYPE capcom_why_requests counter\n");
    for result in ["ok", "error"] {
        let mut count = 0.0;
        for t in (start..=end).step_by(60) {
            let bad = if end - t < 3600 { 0.2 } else { 0.005 };
            let share = if result == "ok" { 1.0 - bad } else { bad };
            if t > start {
                count += 600.0 * share;
            }
            let _ = writeln!(
                out,
                "capcom_why_requests_total{{result=\"{result}\"}} {count} {t}"
            );
        }
    }
    out.push_str("# EOF\n");
    out
}

/// A dashboard over the three sources: one chart of the gauge, the events, the traces, one SLO.
fn config(prometheus: &str, opensearch: &str, jaeger: &str) -> capcom::config::Config {
    let text = format!(
        r#"[prometheus]
url = "{prometheus}"
[opensearch]
url = "{opensearch}"
index = "ev-*"
[jaeger]
url = "{jaeger}"
api = "v3"
timeout = "2s"

[[slo]]
name = "requests"
service = "api"
objective = 0.99
sli = {{ kind = "ratio", good = 'capcom_why_requests_total{{result="ok"}}', total = "capcom_why_requests_total" }}

[[layout.column]]
panes = [{{ id = "temp" }}, {{ id = "ev" }}, {{ id = "tr" }}]
[[pane]]
id = "temp"
kind = "chart"
[[pane.series]]
query = "capcom_why_temp"
legend = "temp {{{{sensor}}}}"
[[pane]]
id = "ev"
kind = "events"
[[pane]]
id = "tr"
kind = "traces"
"#
    );
    capcom::config::parse(&text, "why_live").expect("the dashboard parses")
}

/// An OpenSearch holding `events` (Unix s, id).
fn opensearch(events: &[(f64, &str)]) -> Server {
    let store: Store = Arc::new(Mutex::new(
        events
            .iter()
            .map(|(t, id)| ((t * 1000.0) as i64, (*id).to_owned()))
            .collect(),
    ));
    Server::start(move |head, _| opensearch_answer(&store, head))
}

#[tokio::test]
async fn a_live_analysis_gathers_the_windows_traces_events_series_and_budget() {
    let now = capcom::wall_now().floor();
    let Some(prom) = Prometheus::start_with_history(&history(now as i64)) else {
        return;
    };
    prom.wait_for("capcom_why_temp");
    let end = now - 60.0;
    let traces = otlp(
        "api",
        &[
            ("000000000000000000000000000000a1", end - 600.0, "in"),
            ("000000000000000000000000000000a2", end - 5000.0, "before"),
            // Half a second before the window: Jaeger's search reaches a second further.
            ("000000000000000000000000000000a3", end - 3600.5, "edge"),
        ],
    );
    let jaeger = Server::start(move |_, _| Reply::With(200, "application/json", traces.clone()));
    let events = opensearch(&[
        (end - 7000.0, "baseline-1"),
        (end - 4000.0, "baseline-2"),
        (end - 1200.0, "window-1"),
        (end - 30.0, "window-2"),
        (end + 30.0, "after"),
    ]);
    let config = config(&prom.url, &events.url, &jaeger.url);
    let live = Live::new(&config).expect("clients");
    let request = Request::for_slo(&config.slos[0], end);
    let input = live.input(&request).await;
    assert!(input.missing.is_empty(), "{:?}", input.missing);

    let ids: Vec<&str> = input.traces.iter().map(|t| &*t.trace_id).collect();
    assert_eq!(
        ids,
        ["000000000000000000000000000000a1"],
        "the window's only"
    );
    let (path, params) = &jaeger.targets()[0];
    assert_eq!(path, "/api/v3/traces");
    assert!(
        params.contains(&("query.service_name".into(), "api".into())),
        "the SLO's service: {params:?}"
    );

    let message = |e: &capcom::model::event::Event| e.message.clone();
    assert_eq!(
        input.events.iter().map(message).collect::<Vec<_>>(),
        ["window-1", "window-2"]
    );
    assert_eq!(
        input
            .baseline_events
            .iter()
            .map(message)
            .collect::<Vec<_>>(),
        ["baseline-1", "baseline-2"]
    );

    assert_eq!(input.series.len(), 1, "the chart's one series");
    let s = &input.series[0];
    assert_eq!(s.name, "temp a");
    assert_eq!(s.labels.get("sensor").map(String::as_str), Some("a"));
    assert!(s.points.len() > 100 && s.points.len() as f64 <= SERIES_POINTS + 1.0);
    assert!(
        s.points
            .iter()
            .all(|p| p.t >= request.baseline.from && p.t < request.window.to)
    );

    let budget = input.budget.expect("the SLO's error ratio over the hour");
    let ratio = 1.0 - budget.good / budget.total;
    assert!((ratio - 0.2).abs() < 0.02, "20 % errors: {ratio}");

    let why = analyse(&input);
    let top = why.movers.first().expect("a mover");
    assert_eq!(top.name, "temp a");
    assert!(top.significant && top.after > top.before, "{top}");
}

#[tokio::test]
async fn a_failing_source_is_said_safely_and_the_rest_still_gathered() {
    let jaeger = Server::start(|_, _| {
        Reply::With(
            500,
            "text/plain",
            b"storage down \x1b[2J\x1b]0;owned\x07 try later".to_vec(),
        )
    });
    let now = capcom::wall_now();
    let events = opensearch(&[(now - 100.0, "window-1")]);
    // No Prometheus answers on port 1.
    let config = config("http://127.0.0.1:1", &events.url, &jaeger.url);
    let live = Live::new(&config).expect("clients");
    let request = Request::for_slo(&config.slos[0], now);
    let input = live.input(&request).await;
    assert_eq!(input.events.len(), 1, "the events still came");
    let said = input.missing.join("\n");
    for want in [
        "traces: ",
        "storage down",
        "series capcom_why_temp: ",
        "budget: ",
    ] {
        assert!(said.contains(want), "{want:?} in {said}");
    }
    assert!(
        !said.contains('\u{1b}') && !said.contains('\u{7}'),
        "no control characters reach a screen: {said:?}"
    );
    let why = analyse(&input);
    assert_eq!(why.looked_at.events, 1);
    assert!(why.unused.iter().any(|u| u.starts_with("traces: ")));
}
