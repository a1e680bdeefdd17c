//! Alertmanager as a live source: the session's sources against a recording server on
//! 127.0.0.1 (read-only mode sends no write, whichever of its guards is asked), and against a
//! real Alertmanager fed by a real Prometheus whose rule fires — the alert arrives within an
//! interval, one operator's silence is what a second operator's capcom sees, and expiring it
//! ends it. `capcom check` and `capcom snapshot` with an `[alertmanager]`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use capcom::action::{Action, Effect};
use capcom::cli::OpenArgs;
use capcom::cmd::sources;
use capcom::config::Connection;
use capcom::event::{Carried, Outlets, carry_out};
use capcom::model::fault::{
    AlertState, FaultSnapshot, Matcher, NewSilence, SilenceState, SilenceWrite,
};
use capcom::session::Session;
use capcom::source::alertmanager::{AlertmanagerClient, FaultError, task};
use capcom::source::{SourceError, SourceUpdate};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

mod common;
use common::{Reply, Server};

const SILENCE_ID: &str = "9a3b4c5d-0000-4000-8000-00000000c0de";

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/alertmanager/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("sample")
}

/// A recording stand-in for Alertmanager: firing alerts, no silences, and a write accepted.
fn alertmanager_stand_in() -> Server {
    let alerts = sample("alerts_firing.json");
    let status = sample("status.json");
    Server::start(move |head, _| {
        let json = "application/json";
        let (path, _) = common::target(head);
        match (head.split(' ').next().unwrap_or(""), path.as_str()) {
            ("GET", "/api/v2/alerts") => Reply::With(200, json, alerts.clone()),
            ("GET", "/api/v2/silences") => Reply::With(200, json, b"[]".to_vec()),
            ("GET", "/api/v2/status") => Reply::With(200, json, status.clone()),
            ("POST", "/api/v2/silences") => Reply::With(
                200,
                json,
                format!("{{\"silenceID\":\"{SILENCE_ID}\"}}").into_bytes(),
            ),
            ("DELETE", _) => Reply::With(200, json, Vec::new()),
            _ => Reply::With(404, "text/plain", b"no".to_vec()),
        }
    })
}

/// The method and path of each request the server received.
fn requests(server: &Server) -> Vec<String> {
    server
        .requests
        .lock()
        .expect("lock")
        .iter()
        .map(|h| {
            let method = h.split(' ').next().unwrap_or("").to_owned();
            format!("{method} {}", common::target(h).0)
        })
        .collect()
}

fn faults_config(dir: &Path, url: &str, extra: &str) -> PathBuf {
    let text = format!(
        "{extra}[alertmanager]\nurl = \"{url}\"\ninterval = \"1m\"\noperator = \"flight\"\n\
         [[layout.column]]\npanes = [{{ id = \"faults\" }}]\n[[pane]]\nid = \"faults\"\nkind = \"faults\"\n"
    );
    let path = dir.join("capcom.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

fn shelve(alertname: &str, created_by: &str) -> SilenceWrite {
    let now = capcom::wall_now();
    SilenceWrite::Create(NewSilence {
        matchers: vec![Matcher::equal("alertname", alertname)],
        starts_at: now,
        ends_at: now + 600.0,
        created_by: created_by.into(),
        comment: "capcom shelve 10m: swapping to the spare".into(),
    })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// The next update within `secs`, if any.
async fn next(rx: &mut mpsc::Receiver<SourceUpdate>, secs: f64) -> Option<SourceUpdate> {
    tokio::time::timeout(Duration::from_secs_f64(secs), rx.recv())
        .await
        .ok()
        .flatten()
}

/// What one session did: the effects' outcomes as the loop met them, and every update.
struct Ran {
    carried: Vec<Carried>,
    updates: Vec<SourceUpdate>,
}

/// Starts `open`'s sources as the dashboard does, waits for the first faults, asks for a
/// shelve and an undo the way the loop carries out `update`'s effects, and collects what
/// comes back for a second.
fn run_session(open: &OpenArgs) -> Ran {
    let session = Session::prepare_bundled(open).expect("a live session");
    let (app, _) = session.start(capcom::wall_now());
    runtime().block_on(async {
        let mut s = sources::spawn(&session, &app, None).expect("sources");
        let first = next(&mut s.rx, 10.0).await.expect("the first poll");
        assert!(
            matches!(&first, SourceUpdate::FaultsFetched { result: Ok(f), .. } if f.alerts.len() == 2),
            "{first:?}"
        );
        let outlets: &Outlets = &s.outlets;
        let carried = vec![
            carry_out(Effect::WriteSilence(shelve("MotorHot", "flight")), outlets),
            carry_out(
                Effect::WriteSilence(SilenceWrite::Expire(SILENCE_ID.into())),
                outlets,
            ),
        ];
        let mut updates = vec![first];
        while let Some(u) = next(&mut s.rx, 1.0).await {
            updates.push(u);
        }
        s.cancel.cancel();
        Ran { carried, updates }
    })
}

#[test]
fn read_only_mode_sends_no_write_and_writable_mode_does() {
    let dir = tempfile::tempdir().expect("tmp");
    let refused = Carried::Then(Action::ShowNotice(
        "read-only: nothing is written to Alertmanager".into(),
    ));
    // Read-only from the file's key, then from the flag (CAPCOM_READ_ONLY is the flag's
    // environment variable: see check_says_read_only_from_the_environment).
    for (how, extra, flag) in [("key", "read-only = true\n", false), ("flag", "", true)] {
        let server = alertmanager_stand_in();
        let open = OpenArgs {
            config: Some(faults_config(dir.path(), &server.url, extra)),
            read_only: flag,
            ..OpenArgs::default()
        };
        let ran = run_session(&open);
        assert_eq!(ran.carried, [refused.clone(), refused.clone()], "{how}");
        assert!(
            !ran.updates
                .iter()
                .any(|u| matches!(u, SourceUpdate::SilenceWritten { .. })),
            "{how}: {:?}",
            ran.updates
        );
        let seen = requests(&server);
        assert!(seen.contains(&"GET /api/v2/alerts".to_owned()), "{seen:?}");
        assert!(
            seen.iter().all(|r| r.starts_with("GET ")),
            "{how}: only reads leave: {seen:?}"
        );
    }

    // The same session, writable: the shelve and the undo reach the server, each answered,
    // each followed at once (not an interval later) by a fresh read.
    let server = alertmanager_stand_in();
    let open = OpenArgs {
        config: Some(faults_config(dir.path(), &server.url, "")),
        ..OpenArgs::default()
    };
    let ran = run_session(&open);
    assert_eq!(ran.carried, [Carried::Done, Carried::Done]);
    let seen = requests(&server);
    assert!(
        seen.contains(&"POST /api/v2/silences".to_owned()),
        "{seen:?}"
    );
    assert!(
        seen.contains(&format!("DELETE /api/v2/silence/{SILENCE_ID}")),
        "{seen:?}"
    );
    let post = server
        .requests
        .lock()
        .expect("lock")
        .iter()
        .find(|h| h.starts_with("POST "))
        .cloned()
        .expect("the POST");
    assert!(post.contains("\"createdBy\":\"flight\""), "{post}");
    let kinds: Vec<&str> = ran
        .updates
        .iter()
        .map(|u| match u {
            SourceUpdate::FaultsFetched { result: Ok(_), .. } => "faults",
            SourceUpdate::SilenceWritten {
                write: SilenceWrite::Create(_),
                result: Ok(id),
            } if id == SILENCE_ID => "created",
            SourceUpdate::SilenceWritten {
                write: SilenceWrite::Expire(_),
                result: Ok(id),
            } if id == SILENCE_ID => "expired",
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    // The interval is a minute: every read after the first is one a write asked for.
    assert_eq!(kinds, ["faults", "created", "faults", "expired", "faults"]);
}

#[test]
fn a_read_only_client_refuses_writes_before_any_request() {
    let server = alertmanager_stand_in();
    let client = AlertmanagerClient::new(&Connection::to_url(&server.url))
        .expect("client")
        .read_only();
    assert!(client.is_read_only());
    let rt = runtime();
    let SilenceWrite::Create(silence) = shelve("MotorHot", "flight") else {
        unreachable!("a create")
    };
    let refused = SourceError::Fault(FaultError::ReadOnly);
    assert_eq!(
        rt.block_on(client.create_silence(&silence)),
        Err(refused.clone())
    );
    assert_eq!(
        rt.block_on(client.expire_silence(SILENCE_ID)),
        Err(refused.clone())
    );
    assert_eq!(
        refused.to_string(),
        "alertmanager: read-only: nothing is written to Alertmanager"
    );
    // Even a task wrongly handed a way to receive writes cannot send one through it.
    let (writes, writes_rx) = mpsc::channel(4);
    let (tx, mut rx) = mpsc::channel(16);
    let cancel = CancellationToken::new();
    let answer = rt.block_on(async {
        tokio::spawn(task::run(client, 60.0, Some(writes_rx), tx, cancel.clone()));
        next(&mut rx, 10.0).await.expect("the first poll");
        writes
            .send(shelve("MotorHot", "flight"))
            .await
            .expect("sent");
        let answer = next(&mut rx, 10.0).await.expect("an answer");
        cancel.cancel();
        answer
    });
    assert!(
        matches!(&answer, SourceUpdate::SilenceWritten { result: Err(e), .. } if *e == refused),
        "{answer:?}"
    );
    let seen = requests(&server);
    assert!(seen.iter().all(|r| r.starts_with("GET ")), "{seen:?}");
}

/// Runs the real binary with no configuration of whoever runs the tests.
fn capcom(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let home = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_capcom"))
        .args(args)
        .env_remove("CAPCOM_CONFIG")
        .env_remove("CAPCOM_READ_ONLY")
        .envs(env.iter().copied())
        .env("XDG_CONFIG_HOME", home.path())
        .env("HOME", home.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("runs capcom");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code(), text)
}

#[test]
fn check_probes_alertmanager_and_says_read_only_from_the_environment() {
    let server = alertmanager_stand_in();
    let dir = tempfile::tempdir().expect("tmp");
    let config = faults_config(dir.path(), &server.url, "");
    let config = config.to_str().expect("utf-8");
    let (code, out) = capcom(&["check", "--config", config], &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("ok   config: 1 pane, 0 queries, theme "),
        "{out}"
    );
    assert!(!out.contains("read-only"), "{out}");
    assert!(
        out.contains(&format!(
            "ok   alertmanager {}: version 0.25.0, cluster disabled; silences made by flight",
            server.url
        )),
        "{out}"
    );
    assert!(requests(&server).contains(&"GET /api/v2/status".to_owned()));

    for (value, on) in [("1", true), ("true", true), ("0", false)] {
        let (code, out) = capcom(
            &["check", "--config", config],
            &[("CAPCOM_READ_ONLY", value)],
        );
        assert_eq!(code, Some(0), "{out}");
        assert_eq!(
            out.contains(", read-only\n"),
            on,
            "CAPCOM_READ_ONLY={value}: {out}"
        );
        assert_eq!(
            out.contains("; read-only: acknowledging and shelving are off"),
            on,
            "CAPCOM_READ_ONLY={value}: {out}"
        );
    }
    // A weaker place cannot turn off what a stronger one turned on, nor the other way round.
    let config_ro = faults_config(dir.path(), &server.url, "read-only = true\n");
    let (_, out) = capcom(
        &["check", "--config", config_ro.to_str().expect("utf-8")],
        &[("CAPCOM_READ_ONLY", "0")],
    );
    assert!(out.contains(", read-only\n"), "{out}");

    // Nothing listening: a failure like the other sources'; the exit status says so.
    let closed = format!("http://127.0.0.1:{}", common::free_port());
    let config = faults_config(dir.path(), &closed, "");
    let (code, out) = capcom(&["check", "--config", config.to_str().expect("utf-8")], &[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(&format!(
            "FAIL alertmanager {closed}: alertmanager: cannot connect"
        )),
        "{out}"
    );

    // A Faults pane with no [alertmanager]: a warning, not a failure.
    let text = std::fs::read_to_string(&config).expect("read").replace(
        &format!("[alertmanager]\nurl = \"{closed}\"\ninterval = \"1m\"\noperator = \"flight\"\n"),
        "[jaeger]\nurl = \"http://127.0.0.1:1\"\n",
    );
    std::fs::write(&config, text).expect("write");
    let (_, out) = capcom(&["check", "--config", config.to_str().expect("utf-8")], &[]);
    assert!(
        out.contains("warn pane faults: no [alertmanager] configured; it stays empty"),
        "{out}"
    );
}

#[test]
fn snapshot_waits_for_the_faults() {
    let server = alertmanager_stand_in();
    let dir = tempfile::tempdir().expect("tmp");
    let open = OpenArgs {
        config: Some(faults_config(dir.path(), &server.url, "")),
        ..OpenArgs::default()
    };
    let session = Session::prepare_bundled(&open).expect("a live session");
    capcom::cmd::snapshot::snapshot(&session, (80, 24), capcom::wall_now()).expect("a frame");
    let seen = requests(&server);
    assert_eq!(seen, ["GET /api/v2/alerts", "GET /api/v2/silences"]);
}

/// The next successful faults snapshot of `rx` within `secs` that `want` accepts, skipping
/// others.
async fn faults_where(
    rx: &mut mpsc::Receiver<SourceUpdate>,
    secs: f64,
    want: impl Fn(&FaultSnapshot) -> bool,
) -> Option<FaultSnapshot> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(secs);
    while let Ok(Some(u)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        if let SourceUpdate::FaultsFetched { result: Ok(f), .. } = u
            && want(&f)
        {
            return Some(f);
        }
    }
    None
}

/// The live test's polling interval: short, so the test takes seconds.
const INTERVAL: f64 = 2.0;

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one story, told in order: fire, shelve, a second operator sees it, undo"
)]
fn a_firing_alert_arrives_and_one_operators_shelf_is_what_another_sees() {
    let Some((am, _prometheus)) = common::firing(
        "BatteryLow",
        "vector(18)",
        "{severity: warning, service: power}",
        "Battery below 20 %",
    ) else {
        return;
    };
    let conn = Connection::to_url(&am.url);
    let rt = runtime();
    let cancel = CancellationToken::new();
    let (writes, writes_rx) = mpsc::channel(4);
    let (tx_a, mut a) = mpsc::channel(64);
    let (tx_b, mut b) = mpsc::channel(64);
    let client = AlertmanagerClient::new(&conn).expect("client");
    let battery = |f: &FaultSnapshot| f.alerts.iter().find(|x| x.name() == "BatteryLow").cloned();

    rt.block_on(async {
        // Operator A's capcom (it may write) starts before the rule has fired.
        tokio::spawn(task::run(
            client.clone(),
            INTERVAL,
            Some(writes_rx),
            tx_a,
            cancel.clone(),
        ));
        // When Alertmanager first holds the alert, seen directly.
        let held = tokio::spawn(common::first_held(client.clone(), "BatteryLow"));
        let first = faults_where(&mut a, 20.0, |f| battery(f).is_some())
            .await
            .expect("the firing alert arrives");
        let arrived = Instant::now();
        let held = held.await.expect("probe");
        let late = arrived.saturating_duration_since(held).as_secs_f64();
        assert!(
            late <= INTERVAL + 0.5,
            "within one interval of Alertmanager holding it: {late:.2} s"
        );
        let fault = battery(&first).expect("BatteryLow");
        assert_eq!(fault.state, AlertState::Active);
        assert_eq!(fault.labels["severity"], "warning");
        assert_eq!(fault.annotations["summary"], "Battery below 20 %");

        // A shelves it through the channel the loop writes on.
        writes
            .send(shelve("BatteryLow", "flight"))
            .await
            .expect("sent");
        let asked = Instant::now();
        let id = loop {
            match next(&mut a, 10.0).await.expect("an answer") {
                SourceUpdate::SilenceWritten {
                    write: SilenceWrite::Create(s),
                    result,
                } => {
                    assert_eq!(s.created_by, "flight");
                    break result.expect("created");
                }
                SourceUpdate::FaultsFetched { .. } => {}
                other => panic!("unexpected {other:?}"),
            }
        };
        // A's own view follows at once, not an interval later: the silence is listed and the
        // alert suppressed by it.
        let mine = faults_where(&mut a, INTERVAL, |f| f.silences.iter().any(|s| s.id == id))
            .await
            .expect("A reads its silence back at once");
        assert!(
            asked.elapsed().as_secs_f64() < INTERVAL,
            "{:?}",
            asked.elapsed()
        );
        let made = mine.silences.iter().find(|s| s.id == id).expect("listed");
        assert_eq!(
            (made.state, made.created_by.as_str()),
            (SilenceState::Active, "flight")
        );
        assert_eq!(
            battery(&mine).map(|f| (f.state, f.silenced_by)),
            Some((AlertState::Suppressed, vec![id.clone()]))
        );

        // Operator B's capcom, read-only, on the same Alertmanager.
        let theirs = AlertmanagerClient::new(&conn).expect("client").read_only();
        tokio::spawn(task::run(theirs, INTERVAL, None, tx_b, cancel.clone()));
        let seen = faults_where(&mut b, 10.0, |f| {
            battery(f).is_some_and(|x| x.state == AlertState::Suppressed)
        })
        .await
        .expect("B sees the alert shelved");

        let silence = seen
            .silences
            .iter()
            .find(|s| s.id == id)
            .expect("B lists A's silence");
        assert_eq!(silence.created_by, "flight");
        assert_eq!(silence.comment, "capcom shelve 10m: swapping to the spare");
        assert_eq!(silence.state, SilenceState::Active);
        assert!((silence.ends_at - silence.starts_at - 600.0).abs() < 2.0);
        assert_eq!(
            battery(&seen).expect("BatteryLow").silenced_by,
            std::slice::from_ref(&id)
        );

        // A undoes it; both see the alert active again and the silence expired.
        writes
            .send(SilenceWrite::Expire(id.clone()))
            .await
            .expect("sent");
        let expired = loop {
            match next(&mut a, 10.0).await.expect("an answer") {
                SourceUpdate::SilenceWritten { result, .. } => break result.expect("expired"),
                SourceUpdate::FaultsFetched { .. } => {}
                other => panic!("unexpected {other:?}"),
            }
        };
        assert_eq!(expired, id);
        let ended = |f: &FaultSnapshot| {
            battery(f).is_some_and(|x| x.state == AlertState::Active)
                && f.silences
                    .iter()
                    .any(|s| s.id == id && s.state == SilenceState::Expired)
        };
        faults_where(&mut a, INTERVAL, ended)
            .await
            .expect("A sees it ended at once");
        faults_where(&mut b, 10.0, ended)
            .await
            .expect("B sees it ended");
        cancel.cancel();
    });
}
