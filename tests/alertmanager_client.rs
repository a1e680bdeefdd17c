//! The Alertmanager client against real answers: the bodies Debian's Alertmanager 0.25 sent
//! (`tests/fixtures/alertmanager/`), and a real Alertmanager on 127.0.0.1 fed by a real
//! Prometheus whose alerting rules fire, in which a silence is made, suppresses its alert,
//! and is expired again — the round trip capcom's acknowledge and shelve are built on.

use std::time::{Duration, Instant};

use capcom::config::Connection;
use capcom::model::fault::{AlertState, Matcher, NewSilence, SilenceState};
use capcom::source::alertmanager::{
    AlertmanagerClient, parse_alerts, parse_created, parse_error, parse_silences,
};

mod common;

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/alertmanager/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("sample")
}

#[test]
fn firing_alerts_parse_with_labels_annotations_times_and_state() {
    let faults = parse_alerts(&sample("alerts_firing.json")).expect("parse");
    assert_eq!(faults.len(), 2);
    let motor = faults
        .iter()
        .find(|f| f.name() == "MotorHot")
        .expect("MotorHot");
    assert_eq!(motor.labels["severity"], "critical");
    assert_eq!(
        motor.annotations["summary"],
        "Left-middle motor above 60 °C"
    );
    assert_eq!(motor.state, AlertState::Active);
    assert!(motor.silenced_by.is_empty());
    assert!(motor.starts_at.is_finite() && motor.ends_at > motor.starts_at);
    assert!(motor.generator_url.contains("g0.expr=up"));
}

#[test]
fn a_silenced_alert_is_suppressed_by_the_silence_that_lists_it() {
    let faults = parse_alerts(&sample("alerts_silenced.json")).expect("parse");
    let silences = parse_silences(&sample("silences.json")).expect("parse");
    let motor = faults
        .iter()
        .find(|f| f.name() == "MotorHot")
        .expect("MotorHot");
    assert_eq!(motor.state, AlertState::Suppressed);
    let by = silences
        .iter()
        .find(|s| s.id == motor.silenced_by[0])
        .expect("the silence");
    assert_eq!(by.state, SilenceState::Active);
    assert_eq!(by.created_by, "flight");
    assert_eq!(by.comment, "capcom ack: swapping to the spare");
    assert_eq!(by.matchers, [Matcher::equal("alertname", "MotorHot")]);
    assert!(silences.iter().any(|s| s.state == SilenceState::Expired));
}

#[test]
fn a_created_silence_answers_its_id_and_a_refusal_its_reason() {
    let id = parse_created(&sample("silence_post_active.json")).expect("id");
    assert_eq!(id.len(), 36, "{id}");
    assert_eq!(
        parse_error(&sample("silence_post_error_no_matchers.json")).as_deref(),
        Some("matchers in body should have at least 1 items")
    );
}

#[test]
fn status_is_not_alerts() {
    assert!(parse_alerts(&sample("status.json")).is_err());
}

/// Polls `check` every 200 ms for up to 30 s.
fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "{what} within 30 s");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_silence_made_on_a_real_alertmanager_suppresses_its_alert_until_expired() {
    let Some((am, _prometheus)) = common::firing(
        "MotorHot",
        "vector(72)",
        "{severity: critical, service: mobility}",
        "Left-middle motor above 60 °C",
    ) else {
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = AlertmanagerClient::new(&Connection::to_url(&am.url)).expect("client");
    let alerts = || rt.block_on(client.alerts()).expect("alerts");
    let motor = eventually("MotorHot fires", || {
        alerts().into_iter().find(|f| f.name() == "MotorHot")
    });
    assert_eq!(motor.state, AlertState::Active);
    assert_eq!(motor.labels["service"], "mobility");

    let now = capcom::wall_now();
    let id = rt
        .block_on(client.create_silence(&NewSilence {
            matchers: vec![Matcher::equal("alertname", "MotorHot")],
            starts_at: now - 1.0,
            ends_at: now + 600.0,
            created_by: "flight".into(),
            comment: "capcom shelve 10m: swapping to the spare".into(),
        }))
        .expect("silence");
    eventually("the alert is suppressed by the silence", || {
        alerts()
            .into_iter()
            .find(|f| f.name() == "MotorHot" && f.silenced_by == [id.clone()])
            .filter(|f| f.state == AlertState::Suppressed)
    });
    let silences = rt.block_on(client.silences()).expect("silences");
    let made = silences.iter().find(|s| s.id == id).expect("listed");
    assert_eq!(made.state, SilenceState::Active);
    assert_eq!(made.comment, "capcom shelve 10m: swapping to the spare");

    rt.block_on(client.expire_silence(&id)).expect("expire");
    eventually("the alert is active again", || {
        alerts()
            .into_iter()
            .find(|f| f.name() == "MotorHot" && f.state == AlertState::Active)
    });
    let expired = rt.block_on(client.silences()).expect("silences");
    assert_eq!(
        expired.iter().find(|s| s.id == id).map(|s| s.state),
        Some(SilenceState::Expired)
    );

    // Alertmanager's own refusal, in its words.
    let refused = rt
        .block_on(client.create_silence(&NewSilence {
            matchers: vec![],
            starts_at: now,
            ends_at: now + 60.0,
            created_by: "flight".into(),
            comment: String::new(),
        }))
        .expect_err("no matchers");
    assert!(
        refused
            .to_string()
            .contains("matchers in body should have at least 1 items"),
        "{refused}"
    );
}
