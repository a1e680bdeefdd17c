//! Against a real Prometheus (Debian's package, started by the test on a free 127.0.0.1 port
//! with its own storage), scraping a `/metrics` endpoint the test serves: live charts, tail
//! polling, a bad query failing alone, an outage and recovery, record then replay, and check.
//! Skipped, saying so, where prometheus is not installed; CI installs it and requires them.

#![allow(
    clippy::float_cmp,
    reason = "exact values from the exporter are the point"
)]

mod common;

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use capcom::action::Action;
use capcom::app::{App, Freshness};
use capcom::cli::OpenArgs;
use capcom::cmd::snapshot::frame_text;
use capcom::cmd::sources;
use capcom::session::Session;
use capcom::source::SourceUpdate;
use capcom::source::prometheus::PrometheusClient;
use capcom::source::prometheus::poller::{self, Plan, Want};
use common::{Exporter, Prometheus};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

const METRICS: &str =
    "# TYPE capcom_test_temperature gauge\ncapcom_test_temperature{sensor=\"a\"} 21.5\n";

fn dashboard(url: &str, extra_query: Option<&str>) -> String {
    let mut text = format!(
        "window = \"5m\"\n[prometheus]\nurl = \"{url}\"\ninterval = \"1s\"\ntimeout = \"2s\"\n\
         [[layout.column]]\npanes = [{{ id = \"lad\" }}]\n[[layout.column]]\npanes = [{{ id = \"chart\" }}]\n\
         [[pane]]\nid = \"lad\"\nkind = \"table\"\n[[pane.series]]\nquery = \"capcom_test_temperature\"\nlegend = \"lad {{{{sensor}}}}\"\n\
         [[pane]]\nid = \"chart\"\nkind = \"chart\"\n[[pane.series]]\nquery = \"capcom_test_temperature\"\nlegend = \"chart {{{{sensor}}}}\"\nunit = \"°C\"\n"
    );
    if let Some(q) = extra_query {
        let _ = write!(
            text,
            "[[pane.series]]
query = \"{q}\"
legend = \"extra\"
"
        );
    }
    text
}

fn write_config(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("capcom.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

fn session(config: &Path) -> Session {
    let open = OpenArgs {
        config: Some(config.to_owned()),
        theme: Some("mono".into()),
        ..OpenArgs::default()
    };
    Session::prepare_bundled(&open).expect("a live session")
}

/// Runs the session's sources for `secs`, feeding the app; calls `during` after each update.
fn run_for(session: &Session, app: &mut App, secs: f64, mut during: impl FnMut(&App) -> bool) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt")
        .block_on(async {
            let mut sources = sources::spawn(session, app, None).expect("sources");
            let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(secs);
            while let Ok(Some(u)) = tokio::time::timeout_at(deadline, sources.rx.recv()).await {
                app.update(Action::Source(u));
                app.update(Action::Tick {
                    wall: capcom::wall_now(),
                });
                if during(app) {
                    break;
                }
            }
            sources.cancel.cancel();
        });
}

fn start_live(
    extra_query: Option<&str>,
) -> Option<(Prometheus, Exporter, tempfile::TempDir, std::path::PathBuf)> {
    let exporter = Exporter::start(METRICS);
    let prom = Prometheus::start(&[&exporter.target])?;
    prom.wait_for("capcom_test_temperature");
    let dir = tempfile::tempdir().expect("tmp");
    let config = write_config(dir.path(), &dashboard(&prom.url, extra_query));
    Some((prom, exporter, dir, config))
}

#[test]
fn a_chart_and_a_table_fill_from_a_live_prometheus() {
    let Some((_prom, _exporter, _dir, config)) = start_live(None) else {
        return;
    };
    let session = session(&config);
    let (mut app, _) = session.start(capcom::wall_now());
    app.update(Action::Resize {
        width: 100,
        height: 20,
    });
    run_for(&session, &mut app, 10.0, |a| {
        a.queries[..a.chart_slot()]
            .iter()
            .all(|q| !q.set.is_empty())
    });
    for q in &app.queries[..app.chart_slot()] {
        let (labels, series) = q.set.iter().next().expect("a series");
        assert_eq!(labels["sensor"], "a");
        assert_eq!(series.points().last().expect("a point").v, 21.5);
    }
    let frame = frame_text(&app, (100, 20));
    assert!(frame.contains("LIVE"), "{frame}");
    assert!(frame.contains("lad a") && frame.contains("21.5"), "{frame}");
    assert!(frame.contains("chart a °C"), "{frame}");
    assert!(frame.contains("prometheus ok"), "{frame}");
}

#[test]
fn after_the_first_fetch_only_the_tail_is_asked_for() {
    let Some((prom, _exporter, _dir, _config)) = start_live(None) else {
        return;
    };
    // Let more scrapes land, so the first window holds more than a tail's worth.
    std::thread::sleep(Duration::from_secs(8));
    let client =
        PrometheusClient::new(&capcom::config::Connection::to_url(&prom.url)).expect("client");
    let updates = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt")
        .block_on(async {
            let want = Want::Range {
                window: 300.0,
                step: 1.0,
                paused_end: None,
            };
            let (_plan_tx, plan_rx) = watch::channel(Plan::new(vec![want]));
            let (tx, mut rx) = mpsc::channel(64);
            let cancel = CancellationToken::new();
            poller::spawn(
                &client,
                &["capcom_test_temperature".to_owned()],
                &plan_rx,
                Duration::from_secs(1),
                &tx,
                &cancel,
            );
            let mut got = Vec::new();
            while got.len() < 5 {
                let Some(SourceUpdate::MetricsFetched {
                    result, replace, ..
                }) = rx.recv().await
                else {
                    break;
                };
                let points: usize = result
                    .expect("ok")
                    .series
                    .iter()
                    .map(|s| s.points.len())
                    .sum();
                got.push((replace, points));
            }
            cancel.cancel();
            got
        });
    let (first_replace, first_points) = updates[0];
    assert!(
        first_replace && first_points >= 8,
        "a whole window first: {updates:?}"
    );
    // A tail is a step's overlap and what is new: one or two points, a few more when a busy
    // machine delays a poll — never the whole window again.
    for &(replace, points) in &updates[1..] {
        assert!(
            !replace && points <= 5 && points < first_points,
            "then a tail of a step's overlap and what is new: {updates:?}"
        );
    }
    let requests = client
        .stats
        .requests
        .load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(
        requests, 5,
        "one request per poll, none in parallel or repeated"
    );
}

#[test]
fn a_bad_query_fails_in_its_pane_while_the_others_work() {
    let Some((_prom, _exporter, _dir, config)) = start_live(Some("rate((")) else {
        return;
    };
    let session = session(&config);
    let (mut app, _) = session.start(capcom::wall_now());
    app.update(Action::Resize {
        width: 120,
        height: 20,
    });
    run_for(&session, &mut app, 10.0, |a| {
        a.queries[2].error.is_some() && !a.queries[1].set.is_empty()
    });
    let failure = app.queries[2].error.as_ref().expect("the bad query failed");
    assert!(
        failure.reason.to_string().contains("bad_data") && failure.query_only,
        "{failure:?}"
    );
    assert!(!app.queries[0].set.is_empty() && !app.queries[1].set.is_empty());
    let (health, failing) = app.source_health();
    assert!(
        matches!(health, Freshness::Ok { .. }),
        "the source itself is fine: {health:?}"
    );
    assert_eq!(failing, 1);
    let frame = frame_text(&app, (120, 20));
    assert!(
        frame.contains("1 query failing") && frame.contains("STALE"),
        "{frame}"
    );
}

#[test]
fn an_outage_shows_stale_with_its_reason_and_recovers_without_a_restart() {
    let Some((mut prom, _exporter, _dir, config)) = start_live(None) else {
        return;
    };
    let session = session(&config);
    let (mut app, _) = session.start(capcom::wall_now());
    app.update(Action::Resize {
        width: 100,
        height: 20,
    });
    let mut phase = 0;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt")
        .block_on(async {
            let mut sources = sources::spawn(&session, &app, None).expect("sources");
            let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
            while let Ok(Some(u)) = tokio::time::timeout_at(deadline, sources.rx.recv()).await {
                app.update(Action::Source(u));
                app.update(Action::Tick {
                    wall: capcom::wall_now(),
                });
                let (health, _) = app.source_health();
                match (phase, &health) {
                    // (A brand-new series shows in a range only once an evaluation step has passed
                    // it, so wait for data in every query, not just answers.)
                    (0, Freshness::Ok { .. })
                        if app.queries[..app.chart_slot()]
                            .iter()
                            .all(|q| !q.set.is_empty()) =>
                    {
                        prom.stop();
                        phase = 1;
                    }
                    (1, Freshness::Stale { reason, .. }) => {
                        assert!(reason.to_string().contains("cannot connect"), "{reason}");
                        let frame = frame_text(&app, (100, 20));
                        assert!(frame.contains("STALE"), "{frame}");
                        let kept: Vec<usize> = app.queries[..app.chart_slot()]
                            .iter()
                            .map(|q| q.set.len())
                            .collect();
                        assert!(
                            kept.iter().all(|n| *n > 0),
                            "the last data is kept: {kept:?} series"
                        );
                        prom.restart();
                        phase = 2;
                    }
                    (2, Freshness::Ok { .. }) if app.queries.iter().all(|q| q.error.is_none()) => {
                        phase = 3;
                        break;
                    }
                    _ => {}
                }
            }
            sources.cancel.cancel();
        });
    assert_eq!(phase, 3, "went ok → stale → ok within a minute");
}

fn capcom(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_capcom"))
        .args(args)
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join("capcom-live-test"),
        )
        .env_remove("CAPCOM_CONFIG")
        .output()
        .expect("run capcom")
}

#[test]
fn record_then_replay_shows_the_same_data() {
    let Some((_prom, _exporter, dir, config)) = start_live(None) else {
        return;
    };
    // A few seconds of history before recording starts: the replay opens on them.
    std::thread::sleep(Duration::from_secs(3));
    // Events from a scripted OpenSearch, stamped over the last minute, recorded alongside.
    let now_ms = (capcom::wall_now() * 1000.0) as i64;
    let store: common::Store = std::sync::Arc::new(std::sync::Mutex::new(
        (0..12)
            .map(|i| (now_ms - 50_000 + i * 4_000, format!("ev{i:02}")))
            .collect(),
    ));
    let shared = std::sync::Arc::clone(&store);
    let opensearch = common::Server::start(move |req, _| common::opensearch_answer(&shared, req));
    let (jaeger, rover) = scripted_jaeger();
    let mut text = std::fs::read_to_string(&config).expect("config");
    let _ = write!(
        text,
        "[[layout.column]]\npanes = [{{ id = \"ev\" }}]\n[[pane]]\nid = \"ev\"\nkind = \"events\"\n[opensearch]\nurl = \"{}\"\nindex = \"ev-*\"\npage-size = 5\n[jaeger]\nurl = \"{}\"\n",
        opensearch.url, jaeger.url
    );
    std::fs::write(&config, text).expect("write");
    let out = dir.path().join("incident");
    let config = config.to_str().expect("utf-8");
    let rec = capcom(&[
        "record",
        "--config",
        config,
        "--out",
        out.to_str().expect("utf-8"),
        "--duration",
        "4s",
        "--chunk",
        "2s",
        "--step",
        "1s",
        "--since",
        "1m",
    ]);
    assert!(
        rec.status.success(),
        "{}",
        String::from_utf8_lossy(&rec.stderr)
    );
    let manifest = std::fs::read_to_string(out.join("recording.toml")).expect("manifest");
    assert!(
        manifest.matches("[[prometheus]]").count() >= 2,
        "chunks were written: {manifest}"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("capcom.toml")).expect("dashboard"),
        std::fs::read_to_string(config).expect("config")
    );
    let shot = capcom(&[
        "snapshot",
        "--replay",
        out.to_str().expect("utf-8"),
        "--size",
        "120x20",
        "--theme",
        "mono",
    ]);
    let frame = String::from_utf8_lossy(&shot.stdout);
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    assert!(
        frame.contains("REPLAY") && frame.contains("incident"),
        "{frame}"
    );
    assert!(frame.contains("lad a") && frame.contains("21.5"), "{frame}");
    assert!(
        manifest.contains("[[opensearch]]"),
        "events were recorded: {manifest}"
    );
    assert!(
        frame.contains("ev00") && frame.contains("ev11"),
        "and replayed: {frame}"
    );
    check_recorded_traces(&out, &manifest, &rover, &jaeger);
}

/// A scripted Jaeger (v3): rover has one trace from half a minute ago, camera none. Returns
/// the server and the body rover's searches get.
fn scripted_jaeger() -> (common::Server, Vec<u8>) {
    let rover = common::otlp(
        "rover",
        &[(
            "4bf92f3577b34da6a3ce929d0e0e4736",
            capcom::wall_now() - 30.0,
            "auto",
        )],
    );
    let served = rover.clone();
    let jaeger = common::Server::start(move |head, _| {
        let (path, p) = common::target(head);
        let service = p.iter().find(|(k, _)| k == "query.service_name");
        match (path.as_str(), service.map(|(_, v)| v.as_str())) {
            ("/api/v3/services", _) => common::Reply::With(
                200,
                "application/json",
                br#"{"services":["rover","camera"]}"#.to_vec(),
            ),
            ("/api/v3/traces", Some("rover")) => {
                common::Reply::With(200, "application/json", served.clone())
            }
            _ => common::Reply::With(
                404,
                "text/plain",
                br#"{"error":{"httpCode":404,"message":"No traces found"}}"#.to_vec(),
            ),
        }
    });
    (jaeger, rover)
}

/// Every chunk searched Jaeger over its own time range, the ranges tiling the recording; the
/// rover answers are in the manifest as v3, verbatim; camera's "no traces" wrote nothing.
fn check_recorded_traces(out: &Path, manifest: &str, rover: &[u8], jaeger: &common::Server) {
    let parsed: capcom::source::recording::Manifest = toml::from_str(manifest).expect("manifest");
    assert!(
        parsed.jaeger.len() >= 2,
        "a rover answer per chunk: {manifest}"
    );
    for (chunk, entry) in parsed.jaeger.iter().enumerate() {
        assert_eq!((entry.api.name(), entry.service.as_str()), ("v3", "rover"));
        assert_eq!(entry.file, format!("jaeger/{chunk:04}-rover.json"));
        assert_eq!(std::fs::read(out.join(&entry.file)).expect("file"), rover);
    }
    let windows: Vec<(f64, f64)> = jaeger
        .targets()
        .iter()
        .filter(|(path, p)| {
            path == "/api/v3/traces"
                && p.iter()
                    .any(|(k, v)| k == "query.service_name" && v == "rover")
        })
        .map(|(_, p)| {
            let time = |key: &str| {
                let v = &p.iter().find(|(k, _)| k == key).expect(key).1;
                chrono::DateTime::parse_from_rfc3339(v)
                    .expect("RFC 3339")
                    .timestamp_micros() as f64
                    / 1e6
            };
            (time("query.start_time_min"), time("query.start_time_max"))
        })
        .collect();
    assert_eq!(windows.len(), parsed.jaeger.len(), "{windows:?}");
    assert_eq!(windows[0].0, parsed.started, "from the recording's start");
    // Jaeger includes both ends: each chunk's search ends a microsecond before the next one
    // starts, so the ranges meet without overlapping and no trace is in two chunks.
    for w in windows.windows(2) {
        assert_eq!(
            ((w[1].0 - w[0].1) * 1e6).round(),
            1.0,
            "each chunk starts just after the last ended: {windows:?}"
        );
    }
}

#[test]
fn check_reports_each_probe_and_fails_on_a_bad_query() {
    let Some((_prom, _exporter, dir, config)) = start_live(None) else {
        return;
    };
    let good = capcom(&["check", "--config", config.to_str().expect("utf-8")]);
    let text = String::from_utf8_lossy(&good.stdout);
    assert_eq!(good.status.code(), Some(0), "{text}");
    assert!(
        text.contains("ok   config:") && text.contains("version 2."),
        "{text}"
    );
    assert!(
        text.contains("ok   query capcom_test_temperature: 1 series"),
        "{text}"
    );
    let bad_config = dir.path().join("bad.toml");
    let url = std::fs::read_to_string(&config).expect("read");
    let url = url
        .lines()
        .find(|l| l.starts_with("url"))
        .expect("url")
        .to_owned();
    std::fs::write(
        &bad_config,
        dashboard(
            url.trim_start_matches("url = \"").trim_end_matches('"'),
            Some("rate(("),
        ),
    )
    .expect("write");
    let bad = capcom(&["check", "--config", bad_config.to_str().expect("utf-8")]);
    let text = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1), "{text}");
    assert!(
        text.contains("FAIL query rate((: prometheus: bad_data"),
        "{text}"
    );
    let down = capcom(&[
        "check",
        "--config",
        config.to_str().expect("utf-8"),
        "--prometheus",
        &format!("http://127.0.0.1:{}", common::free_port()),
    ]);
    let text = String::from_utf8_lossy(&down.stdout);
    assert_eq!(down.status.code(), Some(1), "{text}");
    assert!(
        text.contains("FAIL prometheus") && text.contains("cannot connect"),
        "{text}"
    );
}

/// The runtime query slot's poller fetches whatever `PromQL` the app sets while running: none
/// at first, a new one whole at once (replacing what the last one held), and nothing again
/// once it is cleared.
#[test]
fn the_runtime_slot_fetches_the_promql_set_while_running() {
    let Some((prom, _exporter, _dir, _config)) = start_live(None) else {
        return;
    };
    let client =
        PrometheusClient::new(&capcom::config::Connection::to_url(&prom.url)).expect("client");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt")
        .block_on(async {
            let want = Want::Range {
                window: 300.0,
                step: 1.0,
                paused_end: None,
            };
            // The slot is QueryId 1, after one configured query that wants nothing.
            let (_plan_tx, plan_rx) = watch::channel(Plan::new(vec![Want::Nothing, want]));
            let (promql_tx, promql_rx) = watch::channel(None);
            let (tx, mut rx) = mpsc::channel(64);
            let cancel = CancellationToken::new();
            poller::spawn_slot(
                &client,
                1,
                promql_rx,
                &plan_rx,
                Duration::from_secs(1),
                &tx,
                &cancel,
            );
            let quiet = |rx: &mut mpsc::Receiver<SourceUpdate>| {
                let got = rx.try_recv();
                assert!(got.is_err(), "nothing is fetched without a query: {got:?}");
            };
            tokio::time::sleep(Duration::from_millis(1_500)).await;
            quiet(&mut rx);
            let next = async |rx: &mut mpsc::Receiver<SourceUpdate>| {
                let update = tokio::time::timeout(Duration::from_secs(10), rx.recv())
                    .await
                    .expect("an answer in time")
                    .expect("the poller runs");
                let SourceUpdate::MetricsFetched {
                    query,
                    result,
                    replace,
                    ..
                } = update
                else {
                    panic!("metrics: {update:?}")
                };
                let series = result.expect("ok").series;
                let last = series.first().and_then(|s| s.points.last()).map(|p| p.v);
                (query, replace, last)
            };
            promql_tx.send_replace(Some("capcom_test_temperature".into()));
            assert_eq!(next(&mut rx).await, (1, true, Some(21.5)));
            promql_tx.send_replace(Some("capcom_test_temperature * 2".into()));
            // A tail of the first query may have been in flight: the new one's answer follows.
            let mut answer = next(&mut rx).await;
            if answer.2 == Some(21.5) {
                answer = next(&mut rx).await;
            }
            assert_eq!(answer, (1, true, Some(43.0)), "the new query, whole");
            promql_tx.send_replace(None);
            tokio::time::sleep(Duration::from_millis(300)).await;
            while rx.try_recv().is_ok() {} // what was in flight when it was cleared
            tokio::time::sleep(Duration::from_millis(2_500)).await;
            quiet(&mut rx);
            cancel.cancel();
        });
}
