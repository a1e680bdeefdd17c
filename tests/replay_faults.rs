//! Faults in a replay: the recorded Alertmanager snapshots are released as display time
//! reaches them, shifted like every replayed time, and an operator's silences are carried out
//! by the replay itself (nothing leaves it): created, matched against the alerts, expired.
//! Driven through the replay task, on a recording folder made in a tempdir from a real
//! Alertmanager's answers (tests/fixtures/alertmanager).

use std::path::Path;
use std::time::Duration;

use capcom::model::fault::SilenceWrite;
use capcom::model::fault::{
    AlertState, Fault, FaultSnapshot, Matcher, NewSilence, Silence, SilenceState,
};
use capcom::source::SourceUpdate;
use capcom::source::recording::{Recording, Replay, ReplayClock, ReplayInputs};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

/// `alerts_firing.json`'s alerts start at this time (2026-12-02T02:33:05.616Z).
const MOTOR_STARTS: f64 = 1_796_178_785.616;
/// The recording's first snapshot (firing, no silence) and second (silenced by `8d6d08b1…`).
const FIRST: f64 = 1_796_178_790.0;
const SECOND: f64 = 1_796_178_800.0;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/alertmanager")
            .join(name),
    )
    .expect("fixture")
}

/// A recording of two Alertmanager polls (its dashboard any: the Faults pane kind is parsed elsewhere).
fn recording(dir: &Path) {
    std::fs::create_dir_all(dir.join("alertmanager")).expect("dir");
    for (file, fixture_name) in [
        ("alerts-1.json", "alerts_firing.json"),
        ("alerts-2.json", "alerts_silenced.json"),
        ("silences-1.json", "silences.json"),
    ] {
        std::fs::write(dir.join("alertmanager").join(file), fixture(fixture_name)).expect("body");
    }
    std::fs::write(dir.join("alertmanager/silences-0.json"), "[]").expect("body");
    std::fs::write(
        dir.join("capcom.toml"),
        "[[layout.column]]\npanes = [{ id = \"f\" }]\n[[pane]]\nid = \"f\"\nkind = \"slo\"\n",
    )
    .expect("dashboard");
    std::fs::write(
        dir.join("recording.toml"),
        format!(
            "format = 1\nname = \"faults\"\nstarted = {s}\nended = {e}\n\n\
             [[alertmanager]]\nat = {FIRST}\nalerts = \"alertmanager/alerts-1.json\"\n\
             silences = \"alertmanager/silences-0.json\"\n\n\
             [[alertmanager]]\nat = {SECOND}\nalerts = \"alertmanager/alerts-2.json\"\n\
             silences = \"alertmanager/silences-1.json\"\n",
            s = FIRST - 60.0,
            e = SECOND + 3600.0,
        ),
    )
    .expect("manifest");
}

fn clock(original: bool, wall_origin: f64) -> ReplayClock {
    ReplayClock {
        wall_origin,
        rec_origin: FIRST,
        speed: 1.0,
        original,
    }
}

fn snapshot(updates: &[SourceUpdate]) -> Option<&FaultSnapshot> {
    updates.iter().rev().find_map(|u| match u {
        SourceUpdate::FaultsFetched { result, .. } => Some(result.as_ref().expect("faults")),
        _ => None,
    })
}

#[test]
fn the_newest_snapshot_display_time_has_reached_is_sent_shifted() {
    let dir = tempfile::tempdir().expect("tempdir");
    recording(dir.path());
    let rec = Recording::open(dir.path()).expect("opens");
    let config = rec.config().expect("dashboard");
    // Shifted: the first snapshot is shown as happening at the wall origin.
    let now = 2_000_000_000.0;
    let (mut replay, errors) = Replay::new(&rec, &config, clock(false, now));
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        snapshot(&replay.poll(now - 1.0)).is_none(),
        "nothing before the first poll"
    );
    let first = replay.poll(now).clone();
    let first = snapshot(&first).expect("the first snapshot");
    assert_eq!(first.alerts.len(), 2);
    assert!(first.silences.is_empty());
    let shift = now - FIRST;
    assert!((first.alerts[0].starts_at - (MOTOR_STARTS + shift)).abs() < 1e-3);
    let later = replay.poll(now + (SECOND - FIRST));
    let later = snapshot(&later).expect("the second");
    assert_eq!(later.alerts[0].state, AlertState::Suppressed);
    assert_eq!(later.silences.len(), 2);
    assert!(
        later.silences[0].ends_at > now,
        "the silence's times shifted too"
    );
    // At the original times nothing moves.
    let (mut original, _) = Replay::new(&rec, &config, clock(true, now));
    let at = original.poll(FIRST);
    assert!((snapshot(&at).expect("first").alerts[0].starts_at - MOTOR_STARTS).abs() < 1e-3);
    // A new clock re-times what the replay holds, silences included.
    original.retime(shift);
    let at = original.poll(now + 1.0);
    assert!(
        (snapshot(&at).expect("first").alerts[0].starts_at - (MOTOR_STARTS + shift)).abs() < 1e-3
    );
}

fn alert<'a>(faults: &'a FaultSnapshot, name: &str) -> &'a Fault {
    faults
        .alerts
        .iter()
        .find(|a| a.name() == name)
        .expect("the alert")
}

fn silence<'a>(faults: &'a FaultSnapshot, id: &str) -> &'a Silence {
    faults
        .silences
        .iter()
        .find(|s| s.id == id)
        .expect("the silence")
}

/// Sends `write` to the replay task and returns what it answers, at once.
async fn ask(
    writes: &mpsc::Sender<SilenceWrite>,
    rx: &mut mpsc::Receiver<SourceUpdate>,
    write: SilenceWrite,
) -> (Result<String, String>, FaultSnapshot) {
    writes.send(write.clone()).await.expect("send");
    let mut written = None;
    loop {
        let update = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .expect("an answer at once")
            .expect("the task runs");
        match update {
            SourceUpdate::SilenceWritten { write: w, result } => {
                assert_eq!(w, write);
                written = Some(result.map_err(|e| e.to_string()));
            }
            SourceUpdate::FaultsFetched { result, .. } if written.is_some() => {
                return (written.expect("written"), result.expect("faults"));
            }
            _ => {}
        }
    }
}

/// The replay task on a recording in `dir`, display time its own just after the second
/// snapshot: where to send silence writes, what it answers, and how to stop it.
fn spawn_replay(
    dir: &Path,
) -> (
    mpsc::Sender<SilenceWrite>,
    mpsc::Receiver<SourceUpdate>,
    CancellationToken,
    tokio::task::JoinHandle<()>,
) {
    recording(dir);
    let rec = Recording::open(dir).expect("opens");
    let config = rec.config().expect("dashboard");
    let wall = capcom::wall_now();
    // Display time is the recording's: just after the second snapshot.
    let clock = ReplayClock {
        wall_origin: wall,
        rec_origin: SECOND + 1.0,
        speed: 1.0,
        original: true,
    };
    let (replay, _) = Replay::new(&rec, &config, clock);
    let (tx, rx) = mpsc::channel(64);
    let (writes, writes_rx) = mpsc::channel(4);
    let (_clock_tx, clock_rx) = watch::channel(None);
    let (_until_tx, until_rx) = watch::channel(None);
    let (_query_tx, query_rx) = watch::channel(capcom::model::traces::TraceQuery::default());
    let (_fetch_tx, fetch_rx) = mpsc::channel(4);
    let (_chart_tx, chart_rx) = watch::channel(None);
    let inputs = ReplayInputs {
        clock: clock_rx,
        events_until: until_rx,
        trace_query: query_rx,
        trace_fetch: fetch_rx,
        silence_writes: writes_rx,
        chart_query: chart_rx,
        why: mpsc::channel(1).1,
    };
    let cancel = CancellationToken::new();
    let task = tokio::spawn(capcom::source::recording::run(
        replay,
        clock,
        Duration::from_secs(3600),
        inputs,
        tx,
        cancel.clone(),
    ));
    (writes, rx, cancel, task)
}

#[tokio::test]
async fn silences_written_during_a_replay_act_locally() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (writes, mut rx, cancel, task) = spawn_replay(dir.path());
    let now = SECOND + 1.0;
    // Shelve the battery alert for ten minutes.
    let shelve = NewSilence {
        matchers: vec![
            Matcher::equal("alertname", "BatteryLow"),
            Matcher::equal("service", "power"),
        ],
        starts_at: now - 5.0,
        ends_at: now + 600.0,
        created_by: "flight".into(),
        comment: "capcom shelve 10m: on the heaters".into(),
    };
    let (id, faults) = ask(&writes, &mut rx, SilenceWrite::Create(shelve.clone())).await;
    assert_eq!(id.as_deref(), Ok("local-1"));
    let battery = alert(&faults, "BatteryLow");
    assert_eq!(battery.state, AlertState::Suppressed);
    assert_eq!(battery.silenced_by, ["local-1"]);
    let motor = alert(&faults, "MotorHot");
    assert!(
        !motor.silenced_by.contains(&"local-1".to_owned()),
        "not matched"
    );
    let local = silence(&faults, "local-1");
    assert_eq!(local.state, SilenceState::Active);
    assert_eq!(local.created_by, "flight");
    assert!(
        local.starts_at >= now - 1.0,
        "a start in the past is now, as Alertmanager does"
    );

    // Expire the recorded acknowledgement of the motor: it fires again.
    let recorded = "8d6d08b1-9257-4846-9555-30b1294772cf".to_owned();
    let (id, faults) = ask(&writes, &mut rx, SilenceWrite::Expire(recorded.clone())).await;
    assert_eq!(id, Ok(recorded.clone()));
    let motor = alert(&faults, "MotorHot");
    assert_eq!(motor.state, AlertState::Active);
    assert!(motor.silenced_by.is_empty());
    let ack = silence(&faults, &recorded);
    assert_eq!(ack.state, SilenceState::Expired);

    // Un-shelve: the battery alert is active again; a second expiry is refused.
    let (id, faults) = ask(&writes, &mut rx, SilenceWrite::Expire("local-1".into())).await;
    assert_eq!(id.as_deref(), Ok("local-1"));
    let battery = alert(&faults, "BatteryLow");
    assert_eq!(battery.state, AlertState::Active);
    let local = silence(&faults, "local-1");
    assert_eq!(local.state, SilenceState::Expired);
    let (again, _) = ask(&writes, &mut rx, SilenceWrite::Expire("local-1".into())).await;
    assert!(again.expect_err("refused").contains("already expired"));

    // A silence Alertmanager would refuse is refused; the next one is local-2.
    let past = NewSilence {
        ends_at: now - 1.0,
        ..shelve.clone()
    };
    let (refused, _) = ask(&writes, &mut rx, SilenceWrite::Create(past)).await;
    assert!(refused.is_err());
    let (id, _) = ask(&writes, &mut rx, SilenceWrite::Create(shelve)).await;
    assert_eq!(id.as_deref(), Ok("local-2"));
    cancel.cancel();
    task.await.expect("task ends");
}

#[test]
fn a_shelf_ends_on_time_and_the_alert_comes_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    recording(dir.path());
    let rec = Recording::open(dir.path()).expect("opens");
    let config = rec.config().expect("dashboard");
    let (mut replay, _) = Replay::new(&rec, &config, clock(true, 0.0));
    let now = SECOND + 10.0;
    let updates = replay.write_silence(
        SilenceWrite::Create(NewSilence {
            matchers: vec![Matcher::equal("alertname", "BatteryLow")],
            starts_at: now,
            ends_at: now + 300.0,
            created_by: "flight".into(),
            comment: "capcom shelve 5m".into(),
        }),
        now,
    );
    let battery = |s: &FaultSnapshot| alert(s, "BatteryLow").state;
    assert_eq!(
        battery(snapshot(&updates).expect("at once")),
        AlertState::Suppressed
    );
    let during = replay.poll(now + 299.0);
    assert_eq!(
        battery(snapshot(&during).expect("during")),
        AlertState::Suppressed
    );
    let after = replay.poll(now + 300.0);
    let after = snapshot(&after).expect("after");
    assert_eq!(battery(after), AlertState::Active);
    assert_eq!(
        after.silences.last().expect("local").state,
        SilenceState::Expired
    );
}
