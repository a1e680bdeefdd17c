//! SLOs against a real Prometheus (Debian's package) holding four days of backfilled counters
//! with known rates: `capcom slo --json` and the SLO pane give the burn rates, budget and alert
//! the SRE Workbook's maths predicts. Skipped, saying so, where prometheus is not installed;
//! CI installs it and requires this.

mod common;

use std::fmt::Write as _;

use capcom::cli::OpenArgs;
use capcom::session::{Session, frame_text};
use common::Prometheus;

/// Requests a second, always.
const RATE: f64 = 10.0;
/// The bad share for the last `HOT_MINUTES`, and before.
const HOT: f64 = 0.2;
const COLD: f64 = 0.005;
const HOT_MINUTES: i64 = 70;
/// Minutes of history.
const MINUTES: i64 = 4 * 24 * 60;

/// Two counters, sampled every minute up to a minute ago: good and bad requests.
fn history(now: i64) -> String {
    let end = now - 60;
    let start = end - MINUTES * 60;
    let mut out =
        String::from("# HELP capcom_slo_requests Requests.\n# TYPE capcom_slo_requests counter\n");
    for result in ["ok", "error"] {
        let mut count = 0.0;
        for m in 0..=MINUTES {
            let t = start + m * 60;
            let hot = end - t < HOT_MINUTES * 60;
            let bad = if hot { HOT } else { COLD };
            let share = if result == "ok" { 1.0 - bad } else { bad };
            if m > 0 {
                count += RATE * 60.0 * share;
            }
            let _ = writeln!(
                out,
                "capcom_slo_requests_total{{result=\"{result}\"}} {count} {t}"
            );
        }
    }
    out.push_str("# EOF\n");
    out
}

/// The error ratio over the last `minutes` (up to the last sample), as the rates give it.
fn expected_ratio(minutes: i64) -> f64 {
    let hot = minutes.min(HOT_MINUTES) as f64;
    let cold = (minutes - HOT_MINUTES).max(0) as f64;
    (hot * HOT + cold * COLD) / (hot + cold)
}

fn config(url: &str) -> String {
    format!(
        r#"[prometheus]
url = "{url}"

[[slo]]
name = "requests"
service = "api"
objective = 0.99
sli = {{ kind = "ratio", good = 'capcom_slo_requests_total{{result="ok"}}', total = "capcom_slo_requests_total" }}

[[layout.column]]
panes = [{{ id = "slo" }}]

[[pane]]
id = "slo"
title = "SLOs"
kind = "slo"
"#
    )
}

#[test]
fn burn_rates_and_the_alert_match_the_workbook_maths() {
    let now = capcom::wall_now() as i64;
    let Some(prom) = Prometheus::start_with_history(&history(now)) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("capcom.toml");
    std::fs::write(&path, config(&prom.url)).expect("config");
    prom.wait_for("capcom_slo_requests_total");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_capcom"))
        .args(["slo", "--json", "--config"])
        .arg(&path)
        .env("XDG_STATE_HOME", dir.path())
        .output()
        .expect("run capcom slo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a page exits 2: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let slo = &report[0];
    assert_eq!(slo["alert"], "page");
    assert_eq!(slo["sli"], "ratio");
    assert_eq!(slo["period"], "30d");
    for (window, minutes) in [
        ("5m", 5),
        ("30m", 30),
        ("1h", 60),
        ("2h", 120),
        ("6h", 360),
        ("1d", 1_440),
        ("3d", 4_320),
    ] {
        let want = expected_ratio(minutes) / 0.01;
        let got = slo["burn_rate"][window].as_f64().expect("a number");
        assert!(
            (got - want).abs() < 0.05 * want,
            "{window}: burn {got}, the maths says {want}"
        );
    }
    // Four days of data in a 30-day period: the budget left is that of the four days.
    let budget = slo["error_budget_remaining"].as_f64().expect("a number");
    let want = 1.0 - expected_ratio(MINUTES) / 0.01;
    assert!(
        (budget - want).abs() < 0.05,
        "budget {budget}, the maths says {want}"
    );

    // The pane and the status bar say the same.
    let open = OpenArgs {
        config: Some(path.clone()),
        speed: 1.0,
        ..OpenArgs::default()
    };
    let session = Session::prepare_bundled(&open).expect("session");
    let app = session
        .settled((100, 12), capcom::wall_now())
        .expect("settled");
    let frame = frame_text(&app, (100, 12));
    assert!(
        frame.contains("PAGE  requests · api · 99% over 30d"),
        "{frame}"
    );
    assert!(frame.contains("SLO PAGE requests"), "{frame}");
}
