//! The `[alertmanager]` section and the read-only key as users write them: defaults, every
//! key, the severity table over the defaults, and mistakes at their file, line and column.

#![allow(
    clippy::float_cmp,
    reason = "exact values are the point of these checks"
)]

use std::path::PathBuf;

use capcom::config::{self, AlertmanagerConfig};
use capcom::model::LimitLevel::{self, Critical, Distress, Severe, Warning, Watch};

const FAULTS_PANE: &str = "[[layout.column]]\npanes = [{ id = \"faults\" }]\n[[pane]]\nid = \"faults\"\nkind = \"faults\"\n";

fn alertmanager(section: &str) -> Result<AlertmanagerConfig, String> {
    let text = format!("[alertmanager]\n{section}\n{FAULTS_PANE}");
    config::parse(&text, "t.toml")
        .map(|c| c.alertmanager.expect("[alertmanager]"))
        .map_err(|e| e.to_string())
}

fn levels(pairs: &[(&str, LimitLevel)]) -> Vec<(String, LimitLevel)> {
    pairs.iter().map(|(v, l)| ((*v).to_owned(), *l)).collect()
}

#[test]
fn a_section_with_only_a_url_takes_the_defaults() {
    let a = alertmanager("url = \"http://127.0.0.1:9093/\"").expect("parses");
    assert_eq!(
        a.connection,
        config::Connection::to_url("http://127.0.0.1:9093")
    );
    assert_eq!(a.interval, 10.0);
    assert_eq!(
        a.operator,
        config::default_operator(std::env::var("USER").ok().as_deref())
    );
    assert_eq!(
        a.severity,
        levels(&[
            ("critical", Critical),
            ("error", Distress),
            ("warning", Warning),
            ("info", Watch)
        ])
    );
    let c = config::parse(
        &format!("[alertmanager]\nurl = \"http://a:9093\"\n{FAULTS_PANE}"),
        "t",
    )
    .expect("parses");
    assert!(!c.read_only, "writes are allowed unless asked otherwise");
    assert!(c.panes.iter().any(|p| p.kind == config::PaneKind::Faults));
}

#[test]
fn the_operator_defaults_to_user_made_safe_else_capcom() {
    assert_eq!(config::default_operator(Some("flight")), "flight");
    assert_eq!(config::default_operator(None), "capcom");
    assert_eq!(config::default_operator(Some("  ")), "capcom");
    assert_eq!(
        config::default_operator(Some("ev\u{1b}]0;x\u{7}il")),
        "ev␛]0;x�il"
    );
    assert!(
        config::default_operator(Some(&"a".repeat(500)))
            .chars()
            .count()
            <= 64
    );
}

#[test]
fn a_section_with_every_key() {
    let a = alertmanager(
        r#"url = "https://ops.example/alertmanager"
interval = "30s"
timeout = "3s"
max-body = "1MiB"
headers = { "X-Scope-OrgID" = "mission-7" }
ca-file = "/etc/ssl/ops.pem"
insecure-skip-verify = true
operator = "flight  director\u001b[2J"
[alertmanager.auth]
username = "capcom"
password-file = "/run/secrets/am"
[alertmanager.severity]
page = "severe"
critical = "distress"
"#,
    )
    .expect("parses");
    assert_eq!(a.interval, 30.0);
    assert_eq!(a.operator, "flight director␛[2J", "made safe, one line");
    assert_eq!(
        a.connection,
        config::Connection {
            url: "https://ops.example/alertmanager".into(),
            timeout: 3.0,
            headers: vec![("X-Scope-OrgID".into(), "mission-7".into())],
            ca_file: Some(PathBuf::from("/etc/ssl/ops.pem")),
            insecure_skip_verify: true,
            auth: Some(config::Auth::Basic {
                username: "capcom".into(),
                password: config::Secret::File("/run/secrets/am".into()),
            }),
            max_body: 1 << 20,
        }
    );
    // The table's own entries first, then the defaults it does not name.
    assert_eq!(
        a.severity,
        levels(&[
            ("critical", Distress),
            ("page", Severe),
            ("error", Distress),
            ("warning", Warning),
            ("info", Watch)
        ])
    );
}

#[test]
fn read_only_is_a_top_level_key() {
    let c = config::parse(
        &format!("read-only = true\n[alertmanager]\nurl = \"http://a:9093\"\n{FAULTS_PANE}"),
        "t",
    )
    .expect("parses");
    assert!(c.read_only);
    let c = config::parse(&format!("read-only = false\n{FAULTS_PANE}"), "t").expect("parses");
    assert!(!c.read_only);
}

#[test]
fn alertmanager_mistakes_point_at_file_line_and_column() {
    for (section, at) in [
        (
            "url = \"http://a:9093\"\n[alertmanager.severity]\npage = \"urgent\"",
            "t.toml:4:8: severity \"page\": \"urgent\" is not a limit level; give one of watch, \
             warning, distress, critical, severe",
        ),
        (
            "url = \"http://a:9093\"\ninterval = \"10ms\"",
            "t.toml:3:12: interval \"10ms\" is out of range: give 1s to 1d",
        ),
        (
            "url = \"http://a:9093\"\noperator = \" \\u200b \"",
            "t.toml:3:12: operator is empty",
        ),
        (
            "url = \"http://flight:pw@a:9093\"",
            "t.toml:2:7: a: credentials do not belong in the URL, where screens and logs would \
             show them; use [alertmanager.auth]",
        ),
        (
            "url = \"http://a:9093\"\n[alertmanager.auth]\nusername = \"x\"",
            "t.toml:3:1: auth: username needs password-env or password-file",
        ),
    ] {
        let err = alertmanager(section).expect_err(section);
        assert!(err.starts_with(at), "{section}:\n  got: {err}\n want: {at}");
    }
}
