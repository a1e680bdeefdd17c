//! SLOs against a real Prometheus (Debian's package) holding four days of backfilled counters
//! with known rates: `capcom slo --json` and the SLO pane give the burn rates, budget and alert
//! the SRE Workbook's maths predicts, the same at every dashboard window; on five minutes of
//! data, or a freshly started Prometheus, every window gets its value at once but the SLO is
//! unknown for insufficient data, never a page. Skipped, saying so, where prometheus is not
//! installed; CI installs it and requires this.

mod common;

use std::fmt::Write as _;

use capcom::cli::OpenArgs;
use capcom::cmd::snapshot::{frame_text, settled};
use capcom::session::Session;
use common::{Exporter, Prometheus};

/// The counter of requests, labelled by result.
const METRIC: &str = "capcom_slo_requests_total";
/// Requests a second, always.
const RATE: f64 = 10.0;
/// The bad share for the last `HOT_MINUTES`, and before.
const HOT: f64 = 0.2;
const COLD: f64 = 0.005;
/// Just over the hour: an hour's burn rate read more than about three minutes before the end
/// takes in a cold minute.
const HOT_MINUTES: i64 = 61;
/// Minutes of history.
const MINUTES: i64 = 4 * 24 * 60;

/// Two counters, sampled every minute up to a minute ago: good and bad requests.
fn history(now: i64) -> String {
    history_of(now, MINUTES)
}

/// The counters over the last `minutes` only, up to a minute ago.
fn history_of(now: i64, minutes: i64) -> String {
    counters_of("capcom_slo_requests", now, minutes)
}

/// The counters of the family `family` (`<family>_total{result}`) over the last `minutes`.
fn counters_of(family: &str, now: i64, minutes: i64) -> String {
    let end = now - 60;
    let start = end - minutes * 60;
    let mut out = format!("# HELP {family} Requests.\n# TYPE {family} counter\n");
    for result in ["ok", "error"] {
        let mut count = 0.0;
        for m in 0..=minutes {
            let t = start + m * 60;
            let hot = end - t < HOT_MINUTES * 60;
            let bad = if hot { HOT } else { COLD };
            let share = if result == "ok" { 1.0 - bad } else { bad };
            if m > 0 {
                count += RATE * 60.0 * share;
            }
            let _ = writeln!(out, "{family}_total{{result=\"{result}\"}} {count} {t}");
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

/// A dashboard of one SLO pane over `url`, at a time window of `window`.
fn config(url: &str, window: &str) -> String {
    format!(
        r#"window = "{window}"

[prometheus]
url = "{url}"

[[slo]]
name = "requests"
service = "api"
objective = 0.99
sli = {{ kind = "ratio", good = '{METRIC}{{result="ok"}}', total = "{METRIC}" }}

{SLO_PANE}"#
    )
}

/// `capcom slo` said unknown for insufficient data (exit 3) of `slo`.
fn assert_insufficient(code: Option<i32>, slo: &serde_json::Value) {
    let said = (
        code,
        slo["alert"].as_str(),
        slo["insufficient_data"].as_bool(),
    );
    assert_eq!(said, (Some(3), Some("unknown"), Some(true)), "{slo}");
}

/// The layout of one SLO pane, closing a test's dashboard.
const SLO_PANE: &str = "[[layout.column]]
panes = [{ id = \"slo\" }]

[[pane]]
id = \"slo\"
title = \"SLOs\"
kind = \"slo\"
";

/// Runs `capcom slo --json` on the config at `path`: its exit status and report.
fn capcom_slo_json(
    path: &std::path::Path,
    state: &std::path::Path,
) -> (Option<i32>, serde_json::Value) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_capcom"))
        .args(["slo", "--json", "--config"])
        .arg(path)
        .env("XDG_STATE_HOME", state)
        .output()
        .expect("run capcom slo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), report)
}

/// The dashboard of the config at `path`, settled now, as text at 100×12.
fn pane_frame(path: std::path::PathBuf) -> String {
    let open = OpenArgs {
        config: Some(path),
        speed: 1.0,
        ..OpenArgs::default()
    };
    let session = Session::prepare_bundled(&open).expect("session");
    let app = settled(&session, (100, 12), capcom::wall_now()).expect("settled");
    frame_text(&app, (100, 12))
}

/// The windows of the Workbook's rules, and their length in minutes.
const WINDOWS: [(&str, i64); 7] = [
    ("5m", 5),
    ("30m", 30),
    ("1h", 60),
    ("2h", 120),
    ("6h", 360),
    ("1d", 1_440),
    ("3d", 4_320),
];

#[test]
fn burn_rates_and_the_alert_match_the_workbook_maths_at_every_window() {
    let now = capcom::wall_now() as i64;
    let Some(prom) = Prometheus::start_with_history(&history(now)) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    prom.wait_for(METRIC);
    // The burn rates are instants at the window's end: the chart's window (and with it the
    // sparkline's step) must not change them. It did: 20.00 at 15m, 4.00 at 7d for the hour.
    let mut seen: Vec<(&str, Vec<f64>)> = Vec::new();
    for window in ["15m", "6h", "1d", "7d"] {
        let path = dir.path().join(format!("capcom-{window}.toml"));
        std::fs::write(&path, config(&prom.url, window)).expect("config");
        let (code, report) = capcom_slo_json(&path, dir.path());
        assert_eq!(code, Some(2), "a page exits 2: {report}");
        let slo = &report[0];
        assert_eq!(slo["alert"], "page", "{window}: {slo}");
        assert_eq!(slo["sli"], "ratio");
        assert_eq!(slo["period"], "30d");
        let mut burns = Vec::new();
        for (name, minutes) in WINDOWS {
            let want = expected_ratio(minutes) / 0.01;
            let got = slo["burn_rate"][name]
                .as_f64()
                .unwrap_or_else(|| panic!("{window}: no {name} burn rate: {slo}"));
            assert!(
                (got - want).abs() < 0.02 * want,
                "at a {window} window, {name}: burn {got}, the maths says {want}"
            );
            burns.push(got);
        }
        // Four days of data in a 30-day period: the budget left is that of the four days, and
        // every window has data enough.
        let age = slo["data_seconds"].as_f64().expect("an age");
        // Found to a 2,000th of the period (1,296 s): the age errs short by at most that.
        let true_age = (MINUTES * 60 + 60) as f64;
        assert!(
            (true_age - 1_400.0..=true_age + 60.0).contains(&age),
            "{window}: data reaches back {age} s, truly {true_age} s"
        );
        assert_eq!(slo["insufficient_windows"], serde_json::json!([]), "{slo}");
        let budget = slo["error_budget_remaining"].as_f64().expect("a number");
        let want = 1.0 - expected_ratio(MINUTES) / 0.01;
        assert!(
            (budget - want).abs() < 0.05,
            "{window}: budget {budget}, the maths says {want}"
        );
        seen.push((window, burns));
    }
    let (_, first) = &seen[0];
    for (window, burns) in &seen[1..] {
        for ((name, _), (a, b)) in WINDOWS.iter().zip(first.iter().zip(burns)) {
            assert!(
                // 2 %: each `capcom slo` runs a few seconds after the last, over history that
                // ends at the test's start, so its windows slide a little; the bug this guards
                // against was a factor of five.
                (a - b).abs() < 0.02 * a.max(1.0),
                "{name}: {a} at 15m but {b} at {window}"
            );
        }
    }

    // The pane and the status bar say the same, at the widest window too.
    for window in ["15m", "7d"] {
        let frame = pane_frame(dir.path().join(format!("capcom-{window}.toml")));
        assert!(
            frame.contains("PAGE  requests · api · 99% over 30d"),
            "{frame}"
        );
        assert!(frame.contains("SLO PAGE requests"), "{frame}");
        assert!(
            frame.contains("5m 20  30m 20  1h 20  2h "),
            "{window}: {frame}"
        );
        assert!(
            // Four days to within the age's 1,296 s grain: `4d` (whole days drop their
            // hours) or just short of it. The test read `4d00h` and failed when the age
            // landed on a whole day.
            frame.contains("(over 4d of 30d)") || frame.contains("(over 3d23h of 30d)"),
            "{window}: {frame}"
        );
    }
}

#[test]
fn five_minutes_of_data_is_unknown_for_insufficient_data_and_exits_3() {
    let now = capcom::wall_now() as i64;
    let Some(prom) = Prometheus::start_with_history(&history_of(now, 5)) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    prom.wait_for(METRIC);
    let path = dir.path().join("capcom.toml");
    std::fs::write(&path, config(&prom.url, "15m")).expect("config");
    let (code, report) = capcom_slo_json(&path, dir.path());
    let slo = &report[0];
    // Before: every window read 20 (the five hot minutes as an hour, a day, three days), the
    // budget -1900 %, and it paged (exit 2).
    assert_insufficient(code, slo);
    let burn_5m = slo["burn_rate"]["5m"].as_f64().expect("the 5m window");
    assert!((burn_5m - 20.0).abs() < 1.0, "{slo}");
    assert_eq!(
        slo["insufficient_windows"],
        serde_json::json!(["30m", "1h", "2h", "6h", "1d", "3d"]),
        "five minutes of data cover the 5m window only: {slo}"
    );
    let age = slo["data_seconds"].as_f64().expect("an age");
    assert!((300.0..=480.0).contains(&age), "{age}");

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_capcom"))
        .args(["slo", "--config"])
        .arg(&path)
        .env("XDG_STATE_HOME", dir.path())
        .output()
        .expect("run capcom slo");
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{table}");
    let row = table.lines().nth(1).expect("a row");
    assert!(row.starts_with("unknown requests"), "{table}");
    assert!(row.ends_with("(insufficient data)"), "{table}");
    assert!(row.contains(" 20.00      –      –"), "{table}");

    let frame = pane_frame(path);
    assert!(
        frame.contains("UNKNOWN (insufficient data)  requests · api"),
        "{frame}"
    );
    assert!(frame.contains("burn  5m 20  30m –  1h –"), "{frame}");
    // Five minutes of samples ending a minute ago: about six minutes back, found to 15 s.
    assert!(
        frame.contains("(over 5m") || frame.contains("(over 6m"),
        "{frame}"
    );
    assert!(!frame.contains("PAGE"), "{frame}");
}

/// The exposition of the fresh counters after `seconds`: 10 requests a second, one in ten
/// failing (a burn rate of 10 against 99 %).
fn fresh_counters(seconds: f64) -> String {
    format!(
        "# TYPE {METRIC} counter\n{METRIC}{{result=\"ok\"}} {}\n{METRIC}{{result=\"error\"}} {}\n",
        9.0 * seconds,
        1.0 * seconds
    )
}

#[test]
fn a_fresh_prometheus_shows_every_window_at_once() {
    let exporter = Exporter::start(&fresh_counters(0.0));
    let body = std::sync::Arc::clone(&exporter.body);
    let started = std::time::Instant::now();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop = std::sync::Arc::clone(&done);
    let counting = std::thread::spawn(move || {
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            *body.lock().expect("lock") = fresh_counters(started.elapsed().as_secs_f64());
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    });
    let Some(prom) = Prometheus::start(&[&exporter.target]) else {
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    // The widest window: its sparkline's step is longest, and the hour was read off it.
    let path = dir.path().join("capcom.toml");
    std::fs::write(&path, config(&prom.url, "7d")).expect("config");
    // Until three runs know every window and one also knows the data's age (found to 15 s).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut runs = Vec::new();
    let mut known_runs = 0;
    let mut aged_runs = 0;
    while known_runs < 3 || aged_runs < 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "no run with every window and the data's age known within 60 s: {runs:#?}"
        );
        let (code, report) = capcom_slo_json(&path, dir.path());
        let slo = &report[0];
        let burns: Vec<(&str, Option<f64>)> = WINDOWS
            .iter()
            .map(|(w, _)| (*w, slo["burn_rate"][w].as_f64()))
            .collect();
        let known = burns.iter().filter(|(_, b)| b.is_some()).count();
        assert!(
            known == 0 || known == WINDOWS.len(),
            "some windows unknown while others have values: {burns:?}"
        );
        assert_eq!(
            slo["error_budget_remaining"].is_number(),
            known > 0,
            "the period with the windows: {slo}"
        );
        if known > 0 {
            known_runs += 1;
            if slo["data_seconds"].is_number() {
                aged_runs += 1;
            }
            for (w, b) in &burns {
                let b = b.expect("known");
                assert!((b - 10.0).abs() < 0.5, "{w}: burn {b}, the counters say 10");
            }
            // Seconds of data, read as an hour, used to page at once (exit 2).
            assert_insufficient(code, slo);
        } else {
            assert_eq!(
                (code, slo["alert"].as_str()),
                (Some(3), Some("unknown")),
                "{slo}"
            );
        }
        runs.push(burns);
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    counting.join().expect("the counting thread");
}

/// Pyrra's rules for the rover's mobility commands as Pyrra writes them (`slo/rules.go`): a
/// `<metric>:burnrate<window>` error ratio per window, labelled with the SLO's name, and the
/// period's `increase`, here for the windows capcom's rules read.
fn pyrra_rules() -> String {
    let mut out = String::from("groups:\n  - name: mobility-commands\n    rules:\n");
    out.push_str(
        "      - record: rover_mobility_commands:increase30d\n        expr: sum by (result) \
         (increase(rover_mobility_commands_total[30d]))\n        labels:\n          slo: \
         mobility-commands\n",
    );
    for (w, _) in WINDOWS {
        let _ = write!(
            out,
            "      - record: rover_mobility_commands:burnrate{w}\n        expr: \
             sum(rate(rover_mobility_commands_total{{result=\"error\"}}[{w}])) / \
             sum(rate(rover_mobility_commands_total[{w}]))\n        labels:\n          slo: \
             mobility-commands\n"
        );
    }
    out
}

#[test]
fn sloth_and_pyrra_rules_running_give_the_burn_rates_of_the_raw_counters() {
    let now = capcom::wall_now() as i64;
    let sloth = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/deploy/prometheus/rules/slo.yml"
    ))
    .expect("Sloth's rules");
    let pyrra = pyrra_rules();
    let history = counters_of("rover_mobility_commands", now, MINUTES);
    let Some(prom) = Prometheus::start_with_history_and_rules(&history, &[&sloth, &pyrra]) else {
        return;
    };
    prom.wait_for("slo:sli_error:ratio_rate3d");
    prom.wait_for("rover_mobility_commands:burnrate3d");
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("capcom.toml");
    let total = "rover_mobility_commands_total";
    std::fs::write(
        &path,
        format!(
            r#"[prometheus]
url = "{url}"

[[slo]]
name = "raw"
objective = 0.99
sli = {{ kind = "ratio", good = '{total}{{result="ok"}}', total = "{total}" }}

[[slo]]
name = "sloth"
objective = 0.99
sli = {{ kind = "sloth", sloth-id = "rover-mobility-commands" }}

[[slo]]
name = "pyrra"
objective = 0.99
sli = {{ kind = "pyrra", metric = "rover_mobility_commands", slo = "mobility-commands" }}

{SLO_PANE}"#,
            url = prom.url
        ),
    )
    .expect("config");
    // The rules run from Prometheus's start; capcom reads a settled instant up to a poll
    // interval back, so wait until that instant has every recording.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let report = loop {
        let (_, report) = capcom_slo_json(&path, dir.path());
        let known = (0..3).all(|i| {
            WINDOWS
                .iter()
                .all(|(w, _)| report[i]["burn_rate"][w].is_number())
        });
        if known {
            break report;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no run with every recording within 60 s: {report:#}"
        );
        std::thread::sleep(std::time::Duration::from_millis(500));
    };
    for (w, minutes) in WINDOWS {
        let raw = report[0]["burn_rate"][w].as_f64().expect("raw");
        let want = expected_ratio(minutes) / 0.01;
        assert!(
            (raw - want).abs() < 0.02 * want,
            "{w}: raw {raw}, maths {want}"
        );
        for (i, kind) in [(1, "sloth"), (2, "pyrra")] {
            let got = report[i]["burn_rate"][w].as_f64().expect("a number");
            assert!(
                (got - raw).abs() < 0.005 * raw,
                "{w}: {kind} reads {got}, the raw counters {raw}"
            );
        }
    }
    assert_eq!(report[0]["alert"], "page", "{report:#}");
    // The recordings began when Prometheus started seconds ago: capcom finds how far back an
    // SLI's data reaches from its shortest window's recording, so the rules' SLOs wait for
    // data enough (UNKNOWN (insufficient data)) although their rates read the raw history.
    for i in [1, 2] {
        assert_eq!(
            (
                report[i]["alert"].as_str(),
                report[i]["insufficient_data"].as_bool()
            ),
            (Some("unknown"), Some(true)),
            "{report:#}"
        );
    }
}
