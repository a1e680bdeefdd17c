//! Ground truth: the rover world knows its causes, so `why` on the bundled recording must find
//! them — for the demo's page (`capcom why --slo "mobility commands"` at the replay's start) the
//! LM wheel ranks first among what the failing traces share, the wheel-slip template is new,
//! the LM motor's temperature and wear are among the top movers and the drive segments lead
//! the bottleneck; and a quiet window ranks nothing as significant. Run through the binary,
//! as scripts run it, and read back from its JSON.

use serde_json::Value;

fn capcom(args: &[&str]) -> std::process::Output {
    let xdg = tempfile::tempdir().expect("tmp");
    std::process::Command::new(env!("CARGO_BIN_EXE_capcom"))
        .args(args)
        .env_remove("CAPCOM_CONFIG")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("XDG_DATA_HOME", xdg.path())
        .env("XDG_STATE_HOME", xdg.path())
        .output()
        .expect("capcom runs")
}

/// `capcom why ARGS --json`, parsed; it must exit 0.
fn why_json(args: &[&str]) -> Value {
    let mut all = vec!["why"];
    all.extend_from_slice(args);
    all.push("--json");
    let o = capcom(&all);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("one JSON document")
}

fn rows<'a>(report: &'a Value, section: &str) -> &'a [Value] {
    report[section].as_array().expect(section)
}

fn significant(report: &Value, section: &str) -> usize {
    rows(report, section)
        .iter()
        .filter(|r| r["significant"] == true)
        .count()
}

#[test]
fn the_demos_page_ranks_the_lm_wheel_first_the_slip_as_new_the_motor_and_wear_as_movers() {
    let report = why_json(&["--slo", "mobility commands"]);
    let shared = rows(&report, "shared");
    let first = shared.first().expect("a shared row");
    assert_eq!(
        (first["key"].as_str(), first["value"].as_str()),
        (Some("rover.wheel"), Some("LM")),
        "what the failing traces share, first: {first}"
    );
    assert_eq!(first["significant"], true, "{first}");
    assert!(
        rows(&report, "patterns").iter().any(|p| p["new"] == true
            && p["significant"] == true
            && p["template"]
                .as_str()
                .is_some_and(|t| t.contains("wheel LM slip"))),
        "the wheel slip, new: {}",
        report["patterns"]
    );
    let top: Vec<&str> = rows(&report, "movers")
        .iter()
        .take(5)
        .filter(|m| m["significant"] == true)
        .filter_map(|m| m["name"].as_str())
        .collect();
    for want in ["motor LM", "wear LM"] {
        assert!(top.contains(&want), "{want} among the top movers: {top:?}");
    }
    let lead = rows(&report, "bottleneck")
        .first()
        .expect("a bottleneck row");
    assert_eq!(
        lead["operation"].as_str(),
        Some("drive.segment"),
        "the drive leads the bottleneck: {lead}"
    );
    assert!(
        report["impact"]["budget"].is_object(),
        "{}",
        report["impact"]
    );
}

#[test]
fn a_quiet_window_ranks_nothing_as_significant() {
    // Early on the recorded sol, hours before the page: the rover idles, before the sun's
    // rise moves power and UV (other hours' movers flag those, truly: they moved).
    let report = why_json(&["--from", "-6h", "--to", "-5h"]);
    assert!(report["looked_at"]["traces"].as_u64() > Some(0), "{report}");
    for section in ["shared", "bottleneck", "patterns", "movers"] {
        assert_eq!(
            significant(&report, section),
            0,
            "{section}: {}",
            report[section]
        );
    }
}

#[test]
fn the_report_is_ranked_and_says_what_it_looked_at() {
    let report = why_json(&["--slo", "mobility commands"]);
    assert_eq!(report["slo"], "mobility commands");
    assert_eq!(report["service"], "mobility");
    let looked = &report["looked_at"];
    for field in ["traces", "spans", "events", "series"] {
        assert!(looked[field].as_u64() > Some(0), "{field}: {looked}");
    }
    for section in ["shared", "bottleneck", "patterns", "movers"] {
        let ranks: Vec<u64> = rows(&report, section)
            .iter()
            .filter_map(|r| r["rank"].as_u64())
            .collect();
        let want: Vec<u64> = (1..=ranks.len() as u64).collect();
        assert_eq!(ranks, want, "{section}");
    }
    let len =
        |w: &Value| w["to_unix"].as_f64().unwrap_or(0.0) - w["from_unix"].as_f64().unwrap_or(0.0);
    assert!(
        (len(&report["window"]) - 3600.0).abs() < 1e-6,
        "the page's long window"
    );
    assert!((len(&report["baseline"]) - 3600.0).abs() < 1e-6);
    // The same, as text: the sections with their counts, significant rows marked.
    let o = capcom(&["why", "--slo", "mobility commands"]);
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).expect("utf8");
    assert!(text.starts_with("Why: mobility commands\n"), "{text}");
    for heading in [
        "What the failing traces share (",
        "Where the time goes (",
        "Log patterns new or growing (",
        "Metrics that moved (",
        "Impact: ",
    ] {
        assert!(text.contains(heading), "{heading} in {text}");
    }
}

#[test]
fn an_unknown_slo_lists_the_slos_and_a_missing_window_says_what_to_give() {
    let o = capcom(&["why", "--slo", "nope"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "no SLO \"nope\" in this dashboard; its SLOs are: \"mobility commands\", \"downlink latency\""
        ),
        "{err}"
    );
    let o = capcom(&["why", "--json"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--slo") && err.contains("--from"), "{err}");
}
