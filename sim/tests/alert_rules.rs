//! The stack's alerting rules (deploy/prometheus/rules/rover-alerts.yml) fire, in a real
//! Prometheus rule evaluation (`promtool test rules`), exactly the alerts the simulator wrote
//! into the bundled demo: fed the world's series over the sol as Prometheus scrapes them (no
//! samples but stale markers while the link is down, `up` 0 then), at every moment the
//! simulator's firing set changes — the demo's key moment (`replay-from`) among them — each
//! rule has the alerts, labels and annotations the simulator says. Skipped, saying so, where
//! promtool is not installed; CI requires it.

use std::path::Path;
use std::process::Command;

use capcom_sim::alerts::{RULES, evaluate, firing_after};
use capcom_sim::metrics::{INSTANCE, JOB, catalogue, round};
use capcom_sim::recording::{EPOCH, REPLAY_FROM, STEP};
use capcom_sim::world::{Telemetry, World};
use serde_json::{Value, json};

/// The world's series as Prometheus scraped them, one value every `STEP` from the epoch:
/// the battery and motor temperatures (stale while the link is down), and `up`.
fn input_series(samples: &[(f64, Telemetry)]) -> Vec<Value> {
    let mut series = Vec::new();
    for (name, all) in catalogue() {
        if !matches!(
            name,
            "rover_battery_soc_percent" | "rover_motor_temperature_celsius"
        ) {
            continue;
        }
        for s in all {
            let wheel = s
                .labels
                .first()
                .map(|(k, v)| format!(",{k}=\"{v}\""))
                .unwrap_or_default();
            let values: Vec<String> = samples
                .iter()
                .map(|(_, tel)| {
                    if tel.comms_up {
                        round((s.read)(tel, s.index), s.decimals).to_string()
                    } else {
                        "stale".to_owned()
                    }
                })
                .collect();
            series.push(json!({
                "series": format!("{name}{{instance=\"{INSTANCE}\",job=\"{JOB}\"{wheel}}}"),
                "values": values.join(" "),
            }));
        }
    }
    let up: Vec<&str> = samples
        .iter()
        .map(|(_, tel)| if tel.comms_up { "1" } else { "0" })
        .collect();
    series.push(json!({
        "series": format!("up{{instance=\"{INSTANCE}\",job=\"{JOB}\"}}"),
        "values": up.join(" "),
    }));

    series
}

#[test]
fn prometheus_fires_what_the_simulator_wrote() {
    if Command::new("promtool").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CAPCOM_REQUIRE_PROMETHEUS").is_none(),
            "CAPCOM_REQUIRE_PROMETHEUS is set but promtool is not installed"
        );
        eprintln!("SKIPPED: promtool is not installed; CI runs this check");
        return;
    }
    // Past the comms loss, which ends the sol's last alert.
    let until = 66_000.0;
    let mut world = World::new(1);
    let samples: Vec<_> = (0..=(until / STEP) as usize)
        .map(|k| {
            let t = k as f64 * STEP;
            (EPOCH + t, world.sample(t))
        })
        .collect();
    let series = input_series(&samples);
    let changes = evaluate(&samples);
    assert!(changes.len() >= 6, "several alerts fire and resolve");
    let mut times: Vec<f64> = changes.iter().map(|(t, _)| t - EPOCH).collect();
    times.push(REPLAY_FROM);
    let mut tests = Vec::new();
    let mut firing_at_key_moment = 0;
    for at in times {
        // The firing set at `at`, each alert's values up to then.
        let upto = (at / STEP).round() as usize;
        let firing = firing_after(&samples[..=upto]);
        if at == REPLAY_FROM {
            firing_at_key_moment = firing.len();
        }
        for (i, rule) in RULES.iter().enumerate() {
            let exp: Vec<Value> = firing
                .iter()
                .filter(|f| f.rule == i)
                .map(|f| {
                    let labels: serde_json::Map<String, Value> = f
                        .labels()
                        .into_iter()
                        .filter(|(k, _)| *k != "alertname")
                        .map(|(k, v)| (k.to_owned(), json!(v)))
                        .collect();
                    // The value at `at`: the last sample then.
                    let value = f.values.last().map_or(0.0, |(_, v)| *v);
                    let (summary, description) = f.annotations(value);
                    json!({
                        "exp_labels": labels,
                        "exp_annotations": {"summary": summary, "description": description},
                    })
                })
                .collect();
            tests.push(json!({
                "eval_time": format!("{at}s"),
                "alertname": rule.name,
                "exp_alerts": exp,
            }));
        }
    }
    assert!(firing_at_key_moment >= 1, "a fault fires at replay-from");
    let rules =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/prometheus/rules/rover-alerts.yml");
    let dir = tempfile::tempdir().expect("tempdir");
    let test = json!({
        "rule_files": [rules.display().to_string()],
        "evaluation_interval": format!("{STEP}s"),
        "tests": [{"interval": format!("{STEP}s"), "input_series": series, "alert_rule_test": tests}],
    });
    let file = dir.path().join("rover-alerts.test.yml");
    std::fs::write(&file, test.to_string()).expect("write");
    let out = Command::new("promtool")
        .args(["test", "rules"])
        .arg(&file)
        .output()
        .expect("promtool");
    assert!(
        out.status.success(),
        "promtool test rules: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
