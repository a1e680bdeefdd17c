//! `capcom record` keeps every event exactly once, against a local `_search` server on
//! 127.0.0.1 that keeps receiving events several times a second, some sharing a timestamp, and
//! makes each searchable only a second after its time (as OpenSearch's refresh does).
//!
//! The default chunk size (a minute) is tested without taking minutes: the recorder reads its
//! time from a `Clock`, and here that clock is the server's own. Waiting moves it forward at
//! once, and each request moves it 150 ms, as if the request took that long. The server makes
//! an event searchable once the clock has passed its time by the refresh delay. A real-time
//! run of the binary covers the small chunks the issue measured. Alertmanager's alerts and
//! silences are recorded on the same clock.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use capcom::cli::OpenArgs;
use capcom::cmd::record::{Clock, Plan};
use capcom::session::Session;
use capcom::source::SourceUpdate;
use capcom::source::recording::{Recording, Replay, ReplayClock};
use common::{Reply, Server, Store};

/// A search makes an event visible this long after its time.
const REFRESH_MS: i64 = 1_000;
/// What each request costs on the test clock.
const LATENCY_MS: i64 = 150;

/// Event `n`'s time in ms from the schedule's origin: five a second, every third sharing the
/// previous one's time.
fn offset_ms(n: i64) -> i64 {
    let k = n - n / 3;
    k * 200
}

/// A Prometheus `query_range` with no series, and OpenSearch `_search` over `store`.
fn answer(store: &Store, head: &str) -> Reply {
    let (path, _) = common::target(head);
    if path.ends_with("/query_range") {
        let body = r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#;
        return Reply::With(200, "application/json", body.as_bytes().to_vec());
    }
    common::opensearch_answer(store, head)
}

/// A dashboard reading Prometheus and OpenSearch at `url`, pages of `page_size` events.
fn config(dir: &Path, url: &str, page_size: usize) -> std::path::PathBuf {
    let text = format!(
        "window = \"5m\"\n[prometheus]\nurl = \"{url}\"\n[opensearch]\nurl = \"{url}\"\n\
         index = \"ev-*\"\npage-size = {page_size}\n\
         [[layout.column]]\npanes = [{{ id = \"ev\" }}, {{ id = \"t\" }}]\n\
         [[pane]]\nid = \"ev\"\nkind = \"events\"\n\
         [[pane]]\nid = \"t\"\nkind = \"table\"\n[[pane.series]]\nquery = \"up\"\nlegend = \"up\"\n"
    );
    let path = dir.join("capcom.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

fn session(config: &Path) -> Session {
    let open = OpenArgs {
        config: Some(config.to_owned()),
        ..OpenArgs::default()
    };
    Session::prepare_bundled(&open).expect("session")
}

/// Every event id the replay of `dir` shows, with how many times each appears.
fn replayed(dir: &Path) -> BTreeMap<String, usize> {
    let rec = Recording::open(dir).expect("the recording opens");
    let config = rec.config().expect("its dashboard");
    let clock = ReplayClock {
        wall_origin: 0.0,
        rec_origin: 0.0,
        speed: 1.0,
        original: false,
    };
    let (mut replay, errors) = Replay::new(&rec, &config, clock);
    assert!(errors.is_empty(), "{errors:?}");
    let mut seen = BTreeMap::new();
    for update in replay.poll(f64::INFINITY) {
        if let SourceUpdate::EventsFetched { result, .. } = update {
            for e in result.expect("events").events {
                *seen.entry(e.id).or_insert(0) += 1;
            }
        }
    }
    seen
}

/// The server's clock, in ms, shared with the recorder.
#[derive(Clone)]
struct TestClock(Arc<AtomicI64>);

impl Clock for TestClock {
    fn now(&self) -> f64 {
        self.0.load(Ordering::SeqCst) as f64 / 1000.0
    }

    async fn sleep_until(&self, t: f64) {
        self.0
            .fetch_max((t * 1000.0).ceil() as i64, Ordering::SeqCst);
        tokio::task::yield_now().await;
    }
}

/// Records `plan` from a server whose events follow the schedule from `origin_ms` (the
/// clock's start) minus `history_ms`; returns what the replay holds and what the server had
/// in the recorded span `[manifest start, end of recording)`.
fn record_on_test_clock(
    plan: &Plan,
    page_size: usize,
    history_ms: i64,
) -> (BTreeMap<String, usize>, Vec<String>) {
    let origin_ms: i64 = 1_800_000_000_000;
    let ms = Arc::new(AtomicI64::new(origin_ms));
    let store: Store = Arc::default();
    let first = origin_ms - history_ms;
    let schedule = move |n: i64| (first + offset_ms(n), format!("e{n:06}"));
    let (clock_ms, shared) = (Arc::clone(&ms), Arc::clone(&store));
    let published = Arc::new(Mutex::new(0_i64));
    let server = Server::start(move |head, _| {
        let now = clock_ms.fetch_add(LATENCY_MS, Ordering::SeqCst) + LATENCY_MS;
        let mut next = published.lock().expect("lock");
        let mut s = shared.lock().expect("lock");
        while schedule(*next).0 + REFRESH_MS <= now {
            s.push(schedule(*next));
            *next += 1;
        }
        drop(s);
        answer(&shared, head)
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let session = session(&config(dir.path(), &server.url, page_size));
    let out = dir.path().join("rec");
    capcom::cmd::record::run_with(&session, &out, plan, &TestClock(Arc::clone(&ms)))
        .expect("record");
    let rec = Recording::open(&out).expect("open");
    let started_ms = (rec.manifest.started * 1000.0).round() as i64;
    let stop_ms = origin_ms + (plan.duration * 1000.0) as i64;
    let want = (0..i64::MAX)
        .map(schedule)
        .take_while(|(t, _)| *t < stop_ms)
        .filter(|(t, _)| *t >= started_ms)
        .map(|(_, id)| id)
        .collect();
    (replayed(&out), want)
}

/// Every wanted event exactly once, and nothing else.
fn assert_exactly_once(got: &BTreeMap<String, usize>, want: &[String]) {
    let missing: Vec<&String> = want.iter().filter(|id| !got.contains_key(*id)).collect();
    let twice: Vec<(&String, &usize)> = got.iter().filter(|(_, n)| **n > 1).collect();
    let extra = got.len() + missing.len() - want.len();
    eprintln!(
        "server had {} in the recorded span; the recording holds {} ({} missing, {} \
         repeated, {extra} outside the span)",
        want.len(),
        got.len(),
        missing.len(),
        twice.len()
    );
    assert!(missing.is_empty(), "missing: {missing:?}");
    assert!(twice.is_empty(), "repeated: {twice:?}");
    assert_eq!(extra, 0, "events outside the recorded span");
}

#[test]
fn the_default_chunk_size_records_every_event_once() {
    let plan = Plan {
        duration: 600.0,
        since: Some(300.0),
        step: 15.0,
        chunk: 60.0,
    };
    // Pages of 100: a minute's 300 events take several pages within one chunk.
    let (got, want) = record_on_test_clock(&plan, 100, 400_000);
    assert!(want.len() > 4_000, "{}", want.len());
    assert_exactly_once(&got, &want);
}

#[test]
fn small_chunks_and_pages_ending_among_equal_timestamps_record_every_event_once() {
    let plan = Plan {
        duration: 60.0,
        since: Some(20.0),
        step: 10.0,
        chunk: 2.0,
    };
    let (got, want) = record_on_test_clock(&plan, 7, 30_000);
    assert!(want.len() > 300, "{}", want.len());
    assert_exactly_once(&got, &want);
}

#[test]
fn recording_in_real_time_with_small_chunks_keeps_every_event_once() {
    // The issue's measurement: `--chunk 2s --step 10s` against a tail receiving a few events
    // a second. Events arrive for 6 s of the 8 s recorded, plus 15 s of history.
    let store: Store = Arc::default();
    let now_ms = || (capcom::wall_now() * 1000.0) as i64;
    let start = now_ms();
    {
        let mut s = store.lock().expect("lock");
        for n in 0..75 {
            s.push((start - 15_000 + offset_ms(n), format!("h{n:04}")));
        }
    }
    let shared = Arc::clone(&store);
    let server = Server::start(move |head, _| answer(&shared, head));
    let feeder = Arc::clone(&store);
    let feed = std::thread::spawn(move || {
        let mut n = 0;
        while now_ms() < start + 6_000 {
            let t = now_ms();
            let mut s = feeder.lock().expect("lock");
            s.push((t, format!("e{n:04}")));
            if n % 2 == 0 {
                s.push((t, format!("e{n:04}b")));
            }
            drop(s);
            n += 1;
            std::thread::sleep(Duration::from_millis(250));
        }
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config(dir.path(), &server.url, 5);
    let out = dir.path().join("rec");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_capcom"))
        .arg("record")
        .arg("--config")
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .args([
            "--duration",
            "8s",
            "--chunk",
            "2s",
            "--step",
            "10s",
            "--since",
            "20s",
        ])
        .env("XDG_STATE_HOME", dir.path())
        .output()
        .expect("run capcom record");
    feed.join().expect("feeder");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let want: Vec<String> = store
        .lock()
        .expect("lock")
        .iter()
        .map(|(_, id)| id.clone())
        .collect();
    assert!(want.len() > 100, "{}", want.len());
    assert_exactly_once(&replayed(&out), &want);
}

/// Trace `n`'s start in ms from the schedule's origin: one every 700 ms, each 0.5 s long.
fn trace_ms(n: i64) -> i64 {
    n * 700
}

/// A scripted Jaeger v3 on `clock_ms`: each request costs [`LATENCY_MS`]; a search returns
/// (newest first, at most its depth) the traces that started in its range and ended at least
/// [`REFRESH_MS`] ago.
fn jaeger(clock_ms: Arc<AtomicI64>, first: i64) -> Server {
    Server::start(move |head, _| {
        let now = clock_ms.fetch_add(LATENCY_MS, Ordering::SeqCst) + LATENCY_MS;
        let (path, params) = common::target(head);
        if path == "/api/v3/services" {
            return Reply::With(
                200,
                "application/json",
                br#"{"services":["rover"]}"#.to_vec(),
            );
        }
        let param = |k: &str| {
            params
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let micros = |k: &str| {
            chrono::DateTime::parse_from_rfc3339(&param(k))
                .expect("rfc3339")
                .timestamp_micros()
        };
        let (min, max) = (
            micros("query.start_time_min"),
            micros("query.start_time_max"),
        );
        let depth: usize = param("query.search_depth").parse().expect("depth");
        let mut found: Vec<(String, f64)> = (0..i64::MAX)
            .map(|n| (n, first + trace_ms(n)))
            .take_while(|(_, t)| t * 1000 <= max)
            .filter(|(_, t)| t * 1000 >= min && t + 500 + REFRESH_MS <= now)
            .map(|(n, t)| (format!("{:032x}", n + 1), t as f64 / 1000.0))
            .collect();
        found.reverse();
        found.truncate(depth);
        if found.is_empty() {
            let body = br#"{"error":{"httpCode":404,"message":"No traces found"}}"#;
            return Reply::With(404, "application/json", body.to_vec());
        }
        let list: Vec<(&str, f64, &str)> = found
            .iter()
            .map(|(id, t)| (id.as_str(), *t, "auto"))
            .collect();
        Reply::With(200, "application/json", common::otlp("rover", &list))
    })
}

/// Every trace id in the recording's Jaeger bodies, with how many bodies hold it.
fn recorded_traces(dir: &Path) -> BTreeMap<String, usize> {
    let rec = Recording::open(dir).expect("open");
    let mut seen = BTreeMap::new();
    for entry in &rec.manifest.jaeger {
        let body = std::fs::read(dir.join(&entry.file)).expect("body");
        let doc: serde_json::Value = serde_json::from_slice(&body).expect("json");
        let mut ids = std::collections::BTreeSet::new();
        let mut stack = vec![&doc];
        while let Some(v) = stack.pop() {
            match v {
                serde_json::Value::Object(m) => {
                    if let Some(id) = m.get("traceId").and_then(serde_json::Value::as_str) {
                        ids.insert(id.to_owned());
                    }
                    stack.extend(m.values());
                }
                serde_json::Value::Array(a) => stack.extend(a),
                _ => {}
            }
        }
        for id in ids {
            *seen.entry(id).or_insert(0) += 1;
        }
    }
    seen
}

/// Ten minutes in chunks of a minute (the default), `since` seconds of history before.
fn ten_minutes(since: f64) -> Plan {
    Plan {
        duration: 600.0,
        since: Some(since),
        step: 15.0,
        chunk: 60.0,
    }
}

#[test]
fn traces_are_recorded_once_each_at_the_default_chunk_size() {
    let plan = ten_minutes(120.0);
    let origin_ms: i64 = 1_800_000_000_000;
    let ms = Arc::new(AtomicI64::new(origin_ms));
    let first = origin_ms - 200_000;
    let store: Store = Arc::default();
    let (clock_ms, shared) = (Arc::clone(&ms), Arc::clone(&store));
    let prometheus = Server::start(move |head, _| {
        clock_ms.fetch_add(LATENCY_MS, Ordering::SeqCst);
        answer(&shared, head)
    });
    let jaeger = jaeger(Arc::clone(&ms), first);
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!(
        "[prometheus]\nurl = \"{}\"\n[jaeger]\nurl = \"{}\"\napi = \"v3\"\nlimit = 1000\n\
         [[layout.column]]\npanes = [{{ id = \"t\" }}]\n\
         [[pane]]\nid = \"t\"\nkind = \"table\"\n[[pane.series]]\nquery = \"up\"\nlegend = \"up\"\n",
        prometheus.url, jaeger.url
    );
    let config = dir.path().join("capcom.toml");
    std::fs::write(&config, text).expect("config");
    let out = dir.path().join("rec");
    capcom::cmd::record::run_with(&session(&config), &out, &plan, &TestClock(Arc::clone(&ms)))
        .expect("record");
    let rec = Recording::open(&out).expect("open");
    let started_ms = (rec.manifest.started * 1000.0).round() as i64;
    let stop_ms = origin_ms + (plan.duration * 1000.0) as i64;
    let want: Vec<String> = (0..i64::MAX)
        .map(|n| (n, first + trace_ms(n)))
        .take_while(|(_, t)| *t < stop_ms)
        .filter(|(_, t)| *t >= started_ms)
        .map(|(n, _)| format!("{:032x}", n + 1))
        .collect();
    assert!(want.len() > 800, "{}", want.len());
    assert_exactly_once(&recorded_traces(&out), &want);
}

/// A real Alertmanager's answer from tests/fixtures/alertmanager.
fn am_fixture(name: &str) -> Vec<u8> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/alertmanager");
    std::fs::read(dir.join(name)).expect("fixture")
}

/// Alertmanager on the test clock: no alerts, then the motor firing from `+200 s`, then
/// silenced from `+400 s`; a 500 at `+300 s`; every request costs [`LATENCY_MS`].
fn alertmanager(clock_ms: Arc<AtomicI64>, origin_ms: i64) -> Server {
    let (firing, acked, silences) = (
        am_fixture("alerts_firing.json"),
        am_fixture("alerts_silenced.json"),
        am_fixture("silences.json"),
    );
    Server::start(move |head, _| {
        let now = clock_ms.fetch_add(LATENCY_MS, Ordering::SeqCst) + LATENCY_MS - origin_ms;
        let (path, _) = common::target(head);
        let body = match (path.as_str(), now) {
            (_, 300_000..=359_999) => {
                return Reply::With(500, "text/plain", b"busy".to_vec());
            }
            ("/api/v2/alerts", ..200_000) | ("/api/v2/silences", ..400_000) => b"[]".to_vec(),
            ("/api/v2/alerts", ..400_000) => firing.clone(),
            ("/api/v2/alerts", _) => acked.clone(),
            ("/api/v2/silences", _) => silences.clone(),
            _ => return answer(&Store::default(), head),
        };
        Reply::With(200, "application/json", body)
    })
}

#[test]
fn alerts_and_silences_are_recorded_verbatim_only_when_they_change() {
    let plan = ten_minutes(60.0);
    let origin_ms: i64 = 1_800_000_000_000;
    let ms = Arc::new(AtomicI64::new(origin_ms));
    let server = alertmanager(Arc::clone(&ms), origin_ms);
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!(
        "[prometheus]\nurl = \"{}\"\n[[layout.column]]\npanes = [{{ id = \"t\" }}]\n\
         [[pane]]\nid = \"t\"\nkind = \"table\"\n[[pane.series]]\nquery = \"up\"\nlegend = \"up\"\n",
        server.url
    );
    let config = dir.path().join("capcom.toml");
    std::fs::write(&config, text).expect("config");
    let mut session = session(&config);
    // [alertmanager] is parsed by the Alertmanager source's config; built here meanwhile.
    let connection = session
        .config
        .prometheus
        .clone()
        .expect("prometheus")
        .connection;
    session.config.alertmanager = Some(capcom::config::AlertmanagerConfig {
        connection,
        interval: 15.0,
        operator: "flight".into(),
        severity: Vec::new(),
    });
    let out = dir.path().join("rec");
    capcom::cmd::record::run_with(&session, &out, &plan, &TestClock(Arc::clone(&ms)))
        .expect("record");
    let rec = Recording::open(&out).expect("open");
    let entries = &rec.manifest.alertmanager;
    let origin = origin_ms as f64 / 1000.0;
    let at: Vec<f64> = entries.iter().map(|e| e.at - origin).collect();
    assert_eq!(entries.len(), 3, "the start and two changes only: {at:?}");
    assert!(at[0] < 1.0, "at the start: {at:?}");
    assert!((200.0..270.0).contains(&at[1]), "{at:?}");
    assert!(
        (420.0..490.0).contains(&at[2]),
        "the first poll after the failure: {at:?}"
    );
    let body = |file: &str| std::fs::read(out.join(file)).expect("body");
    assert_eq!(body(&entries[0].alerts), b"[]");
    assert_eq!(
        body(&entries[1].alerts),
        am_fixture("alerts_firing.json"),
        "verbatim"
    );
    assert_eq!(body(&entries[2].alerts), am_fixture("alerts_silenced.json"));
    assert_eq!(
        entries[1].silences, entries[0].silences,
        "an unchanged body is not written again"
    );
    assert_eq!(body(&entries[2].silences), am_fixture("silences.json"));
    let files = std::fs::read_dir(out.join("alertmanager"))
        .expect("dir")
        .count();
    assert_eq!(files, 5, "three alerts bodies, two silences bodies");
    // The replay releases them as display time reaches them.
    let config = rec.config().expect("dashboard");
    let clock = ReplayClock {
        wall_origin: 0.0,
        rec_origin: origin,
        speed: 1.0,
        original: true,
    };
    let (mut replay, _) = Replay::new(&rec, &config, clock);
    let alerts_at = |replay: &mut Replay, t: f64| {
        replay.poll(origin + t).into_iter().find_map(|u| match u {
            SourceUpdate::FaultsFetched { result, .. } => {
                Some(result.expect("faults").alerts.len())
            }
            _ => None,
        })
    };
    assert_eq!(alerts_at(&mut replay, 10.0), Some(0));
    assert_eq!(alerts_at(&mut replay, at[1] + 1.0), Some(2));
}
