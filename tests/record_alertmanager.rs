//! `capcom record` against a real Alertmanager (Debian's `prometheus-alertmanager`) that a real
//! Prometheus fires an alert into: the recording holds the alert, then the silence made while
//! recording and the alert suppressed by it, and its replay shows them and expires the
//! silence locally. Skipped where the binaries are missing, unless `CAPCOM_REQUIRE_*` is set.

mod common;

use std::time::{Duration, Instant};

use capcom::cli::OpenArgs;
use capcom::config::{AlertmanagerConfig, Connection};
use capcom::model::fault::{AlertState, Matcher, NewSilence, SilenceWrite};
use capcom::session::Session;
use capcom::source::SourceUpdate;
use capcom::source::alertmanager::AlertmanagerClient;
use capcom::source::recording::{Recording, Replay, ReplayClock};

/// A dashboard of one query on `prometheus`, recording the Alertmanager at `alertmanager`.
fn session(dir: &std::path::Path, prometheus: &str, alertmanager: &str) -> Session {
    let config = dir.join("capcom.toml");
    std::fs::write(
        &config,
        format!(
            "[prometheus]\nurl = \"{prometheus}\"\n[[layout.column]]\npanes = [{{ id = \"t\" }}]\n\
             [[pane]]\nid = \"t\"\nkind = \"table\"\n[[pane.series]]\nquery = \"up\"\n"
        ),
    )
    .expect("config");
    let open = OpenArgs {
        config: Some(config),
        ..OpenArgs::default()
    };
    let mut session = Session::prepare_bundled(&open).expect("session");
    // [alertmanager] is parsed by the Alertmanager source's config; built here meanwhile.
    session.config.alertmanager = Some(AlertmanagerConfig {
        connection: Connection::to_url(alertmanager),
        interval: 1.0,
        operator: "flight".into(),
        severity: Vec::new(),
    });
    session
}

/// After `wait`, someone shelves the alert for ten minutes; the handle answers the silence's
/// id. (A client of its own: a pooled connection belongs to the runtime that made it.)
fn shelve_in(wait: Duration, url: String) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        std::thread::sleep(wait);
        let client = AlertmanagerClient::new(&Connection::to_url(&url)).expect("client");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let now = capcom::wall_now();
        rt.block_on(client.create_silence(&NewSilence {
            matchers: vec![Matcher::equal("alertname", "RoverMotorHot")],
            starts_at: now,
            ends_at: now + 600.0,
            created_by: "flight".into(),
            comment: "capcom shelve 10m: swapping to the spare".into(),
        }))
        .expect("silence")
    })
}

#[test]
fn a_real_alertmanagers_alerts_and_silences_are_recorded_and_replayed() {
    let Some(am) = common::Alertmanager::start() else {
        return;
    };
    let rules = "groups:\n  - name: rover\n    interval: 1s\n    rules:\n      \
                 - alert: RoverMotorHot\n        expr: vector(54.7)\n        \
                 labels: {severity: critical, service: mobility, wheel: LM}\n        \
                 annotations: {summary: \"LM drive motor above 50 °C\"}\n";
    let Some(prometheus) = common::Prometheus::start_alerting(rules, &am.addr) else {
        return;
    };
    let client = AlertmanagerClient::new(&Connection::to_url(&am.url)).expect("client");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let deadline = Instant::now() + Duration::from_secs(30);
    while rt.block_on(client.alerts()).expect("alerts").is_empty() {
        assert!(Instant::now() < deadline, "the alert fires within 30 s");
        std::thread::sleep(Duration::from_millis(200));
    }

    let dir = tempfile::tempdir().expect("tempdir");
    let session = session(dir.path(), &prometheus.url, &am.url);
    let shelver = shelve_in(Duration::from_secs(2), am.url.clone());
    let out = dir.path().join("rec");
    let plan = capcom::cmd::record::Plan {
        duration: 5.0,
        since: Some(2.0),
        step: 1.0,
        chunk: 1.0,
    };
    capcom::cmd::record::run(&session, &out, &plan).expect("record");
    let id = shelver.join().expect("shelver");

    let rec = Recording::open(&out).expect("the recording opens");
    let entries = &rec.manifest.alertmanager;
    assert!(entries.len() >= 2, "{entries:?}");
    let config = rec.config().expect("dashboard");
    let clock = ReplayClock {
        wall_origin: 0.0,
        rec_origin: rec.manifest.started,
        speed: 1.0,
        original: true,
    };
    let (mut replay, errors) = Replay::new(&rec, &config, clock);
    assert!(errors.is_empty(), "{errors:?}");
    let faults_at = |updates: Vec<SourceUpdate>| {
        updates.into_iter().find_map(|u| match u {
            SourceUpdate::FaultsFetched { result, .. } => Some(result.expect("faults")),
            _ => None,
        })
    };
    let first = faults_at(replay.poll(entries[0].at)).expect("the first snapshot");
    assert_eq!(first.alerts.len(), 1);
    assert_eq!(first.alerts[0].name(), "RoverMotorHot");
    assert_eq!(first.alerts[0].labels["wheel"], "LM");
    assert_eq!(first.alerts[0].state, AlertState::Active);
    let end = entries.last().expect("entries").at;
    let last = faults_at(replay.poll(end)).expect("the last snapshot");
    assert_eq!(last.alerts[0].state, AlertState::Suppressed);
    assert_eq!(last.alerts[0].silenced_by, std::slice::from_ref(&id));
    assert!(
        last.silences
            .iter()
            .any(|s| s.id == id && s.created_by == "flight")
    );
    // Un-shelving in the replay acts on the replay only.
    let after = replay.write_silence(SilenceWrite::Expire(id.clone()), end + 1.0);
    let SourceUpdate::SilenceWritten { result, .. } = &after[0] else {
        panic!("{after:?}")
    };
    assert_eq!(result.as_deref().ok(), Some(id.as_str()));
    let now = faults_at(after).expect("at once");
    assert_eq!(now.alerts[0].state, AlertState::Active);
}
