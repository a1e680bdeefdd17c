//! The live stack's files hold together: `deploy/capcom.toml` is the bundled dashboard plus
//! the stack's sources on the ports `docker-compose.yml` publishes; Prometheus' config and
//! rules pass `promtool check`, Alertmanager's `amtool check-config`; the compose file passes `docker-compose config` (Debian's
//! docker-compose: no engine needed). No container is started here: these machines have no
//! Docker engine. Checks whose tool is missing say they were skipped, unless CI requires them.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Whether `tool` runs; when it does not and `require` is set in the environment, fail.
fn have(tool: &str, require: &str) -> bool {
    let ok = Command::new(tool).arg("--version").output().is_ok();
    if !ok {
        assert!(
            std::env::var_os(require).is_none(),
            "{require} is set but {tool} is not installed"
        );
        eprintln!("SKIPPED: {tool} is not installed; CI runs this check");
    }
    ok
}

#[test]
fn the_stacks_config_is_the_recorded_dashboard_on_the_published_ports() {
    let text = std::fs::read_to_string(root().join("deploy/capcom.toml")).expect("read");
    assert!(
        text.starts_with(capcom::DASHBOARD_TOML),
        "deploy/capcom.toml must begin with src/dashboard.toml, unchanged"
    );
    let config = capcom::config::parse(&text, "deploy/capcom.toml").expect("parses");
    let compose = std::fs::read_to_string(root().join("docker-compose.yml")).expect("compose");
    for (url, port) in [
        (config.prometheus.as_ref().map(|p| &p.connection.url), 9090),
        (config.opensearch.as_ref().map(|o| &o.connection.url), 9200),
        (config.jaeger.as_ref().map(|j| &j.connection.url), 16686),
    ] {
        assert_eq!(
            url.map(String::as_str),
            Some(format!("http://127.0.0.1:{port}").as_str())
        );
        assert!(
            compose.contains(&format!("\"127.0.0.1:{port}:{port}\"")),
            "docker-compose.yml publishes {port} on 127.0.0.1"
        );
    }
    assert_eq!(
        config.opensearch.as_ref().map(|o| o.index.as_str()),
        Some("rover-events-*")
    );
    assert!(
        compose.contains("\"127.0.0.1:9093:9093\"") && text.contains("\"http://127.0.0.1:9093\""),
        "Alertmanager is published on 9093 and deploy/capcom.toml names it"
    );
}

#[test]
fn promtool_accepts_the_config_and_the_rules() {
    if !have("promtool", "CAPCOM_REQUIRE_PROMETHEUS") {
        return;
    }
    for args in [
        vec!["check", "config", "deploy/prometheus/prometheus.yml"],
        vec!["check", "rules", "deploy/prometheus/rules/slo.yml"],
        vec!["check", "rules", "deploy/prometheus/rules/rover-alerts.yml"],
    ] {
        succeeds("promtool", &args);
    }
}

/// Runs `tool args` in the repository and fails with its output unless it succeeds.
fn succeeds(tool: &str, args: &[&str]) {
    let out = Command::new(tool)
        .args(args)
        .current_dir(root())
        .output()
        .expect(tool);
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn amtool_accepts_the_alertmanager_config() {
    if !have("amtool", "CAPCOM_REQUIRE_ALERTMANAGER") {
        return;
    }
    succeeds(
        "amtool",
        &["check-config", "deploy/alertmanager/alertmanager.yml"],
    );
}

#[test]
fn docker_compose_accepts_the_stack() {
    if !have("docker-compose", "CAPCOM_REQUIRE_COMPOSE") {
        return;
    }
    let out = Command::new("docker-compose")
        .args(["-f", "docker-compose.yml", "config", "-q"])
        .current_dir(root())
        .output()
        .expect("docker-compose");
    assert!(
        out.status.success(),
        "docker-compose config: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
