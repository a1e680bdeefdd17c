//! Configuration as users write it: the recorded dashboard parses, and every file in
//! `tests/invalid_configs/` fails with a message that names the file, says where, and says what
//! is wrong. Each invalid file's first line is `# expect: <text the message must contain>`.

#![allow(
    clippy::float_cmp,
    reason = "exact values are the point of these checks"
)]

use std::path::Path;

use capcom::config;

/// The message's `LINE:COL: ` right after the file name, if it is there.
fn line_col(err: &str, path: &str) -> Option<(usize, usize)> {
    let rest = err.strip_prefix(path)?.strip_prefix(':')?;
    let (line, rest) = rest.split_once(':')?;
    let (col, rest) = rest.split_once(':')?;
    rest.starts_with(' ').then_some(())?;
    Some((line.parse().ok()?, col.parse().ok()?))
}

/// Whether `c` would act on a terminal or hide or reorder text: a control or a bidi character.
fn hostile(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[test]
fn every_invalid_config_fails_with_a_readable_message() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid_configs");
    let mut seen = 0;
    let mut wrong = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("dir") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .expect("# expect: line");
        let err = config::load(&path)
            .expect_err(&path.display().to_string())
            .to_string();
        let shown = path.display().to_string();
        if !err.contains(expect) {
            wrong.push(format!("{shown}:\n  got: {err}\n  want: {expect}"));
        }
        assert!(
            line_col(&err, &shown).is_some(),
            "FILE:LINE:COL: first: {err}"
        );
        assert!(!err.chars().any(hostile), "made safe: {err:?}");
        assert!(
            err.chars().count() <= shown.chars().count() + 12 + config::MESSAGE_WIDTH,
            "cut to a sane width: {} characters",
            err.chars().count()
        );
        seen += 1;
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(seen >= 38, "{seen} invalid configs");
}

#[test]
fn a_syntax_error_is_one_line_with_line_and_column_not_the_echoed_source() {
    let text = "[[layout.column]]\npanes = [{ id = \"env\" }]\ntitle = \"\u{1b}]0;x\u{7}\"\n";
    let err = config::parse(text, "c.toml")
        .expect_err("fails")
        .to_string();
    assert_eq!(line_col(&err, "c.toml"), Some((3, 10)), "{err}");
    assert!(!err.contains('\n') && !err.contains('|'), "{err}");
    assert!(!err.chars().any(hostile), "{err:?}");
}

#[test]
fn out_of_range_values_are_errors_and_the_bounds_are_accepted() {
    let series = |extra: &str| {
        format!(
            "{extra}\n[[layout.column]]\npanes = [{{ id = \"e\" }}]\n[[pane]]\nid = \"e\"\nkind = \"table\"\n[[pane.series]]\nquery = \"up\"\n"
        )
    };
    for ok in [
        "max-points = 100",
        "max-points = 1000000",
        "window = \"10s\"",
        "window = \"366d\"",
    ] {
        config::parse(&series(ok), "t").expect(ok);
    }
    for bad in [
        "max-points = 99",
        "max-points = 1000001",
        "window = \"9s\"",
        "window = \"367d\"",
    ] {
        let err = config::parse(&series(bad), "t").expect_err(bad).to_string();
        assert!(err.starts_with("t:1:"), "{bad}: {err}");
        assert!(err.contains("out of range: give"), "{bad}: {err}");
    }
    let precision = |p: usize| {
        let text = series("").replace(
            "query = \"up\"",
            &format!("query = \"up\"\nprecision = {p}"),
        );
        config::parse(&text, "t")
    };
    assert_eq!(precision(12).expect("12").queries[0].precision, 12);
    assert!(precision(13).is_err());
}

#[test]
fn semantic_errors_point_at_line_and_column() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid_configs");
    let err = config::load(&dir.join("unknown_pane.toml"))
        .expect_err("fails")
        .to_string();
    assert!(err.contains("unknown_pane.toml:3:"), "{err}");
}

#[test]
fn a_missing_explicit_file_is_an_error_naming_it() {
    let err = config::load(Path::new("/nonexistent/capcom.toml"))
        .expect_err("fails")
        .to_string();
    assert!(err.starts_with("/nonexistent/capcom.toml: "), "{err}");
}

#[test]
fn the_recorded_dashboard_is_the_simulator_dashboard() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let recorded =
        std::fs::read_to_string(root.join("fixtures/mars-rover/capcom.toml")).expect("read");
    assert_eq!(recorded, capcom::DASHBOARD_TOML);
    let c = config::parse(&recorded, "capcom.toml").expect("parses");
    let ids: Vec<&str> = c.panes.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "internal",
            "environment",
            "faults",
            "events",
            "slo",
            "traces",
            "path"
        ]
    );
    let slos: Vec<&str> = c.slos.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(slos, ["mobility commands", "downlink latency"]);
    assert_eq!(c.window, 900.0);
}

#[test]
fn no_configuration_opens_the_bundled_dashboard_and_recording() {
    let open = capcom::cli::OpenArgs::default();
    let session = capcom::session::Session::prepare_bundled(&open).expect("opens");
    let bundled = config::parse(capcom::DASHBOARD_TOML, "capcom.toml").expect("ok");
    assert_eq!(session.config, bundled);
    let capcom::session::Data::Replay(rec) = &session.data else {
        panic!("a replay")
    };
    assert_eq!(rec.origin, "bundled:mars-rover");
    assert_eq!(session.speed, 1.0);
}

#[test]
fn an_explicit_config_is_used_with_a_replay() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let open = capcom::cli::OpenArgs {
        config: Some(root.join("tests/invalid_configs/unknown_key.toml")),
        replay: Some(root.join("fixtures/mars-rover")),
        ..capcom::cli::OpenArgs::default()
    };
    let err = capcom::session::Session::prepare_bundled(&open).expect_err("a bad config stops it");
    assert!(
        format!("{err:#}").contains("unknown field `widht`"),
        "{err:#}"
    );
}

#[test]
fn prometheus_flags_set_up_a_live_session_over_the_bundled_dashboard() {
    let mut open = capcom::cli::OpenArgs {
        prometheus: Some("https://ops.example/prometheus/".into()),
        ..capcom::cli::OpenArgs::default()
    };
    open.prometheus_flags.prometheus_token_env = Some("PROM_TOKEN".into());
    open.prometheus_flags.prometheus_timeout = Some(3.0);
    open.prometheus_flags.prometheus_header = vec![("X-Scope-OrgID".into(), "mission-7".into())];
    let session = capcom::session::Session::prepare_bundled(&open).expect("opens");
    let capcom::session::Data::Live(Some(p)) = &session.data else {
        panic!("live")
    };
    assert_eq!(p.connection.url, "https://ops.example/prometheus");
    assert_eq!(p.connection.timeout, 3.0);
    assert_eq!(
        p.connection.auth,
        Some(config::Auth::Bearer(config::Secret::Env(
            "PROM_TOKEN".into()
        )))
    );
    assert_eq!(
        p.connection.headers,
        vec![("X-Scope-OrgID".to_owned(), "mission-7".to_owned())]
    );
    assert_eq!(session.config.panes.len(), 7, "the bundled rover dashboard");
}

#[test]
fn credentials_in_a_url_are_refused() {
    let text = "[prometheus]\nurl = \"http://admin:hunter2@127.0.0.1:9090\"\n[[layout.column]]\npanes = [{ id = \"a\" }]\n[[pane]]\nid = \"a\"\nkind = \"table\"\n[[pane.series]]\nquery = \"up\"\n";
    let err = config::parse(text, "t.toml")
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("credentials do not belong in the URL"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn credentials_in_a_url_point_at_the_auth_of_the_section_they_came_from() {
    for (section, required) in [
        ("prometheus", ""),
        ("jaeger", ""),
        ("opensearch", "index = \"rover-*\"\n"),
    ] {
        let text = format!(
            "[{section}]\nurl = \"http://admin:hunter2@127.0.0.1:9090\"\n{required}[[layout.column]]\npanes = [{{ id = \"a\" }}]\n[[pane]]\nid = \"a\"\nkind = \"table\"\n[[pane.series]]\nquery = \"up\"\n"
        );
        let err = config::parse(&text, "t.toml")
            .expect_err("refused")
            .to_string();
        assert!(err.contains(&format!("use [{section}.auth] with")), "{err}");
        assert_eq!(line_col(&err, "t.toml"), Some((2, 7)), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }
}

#[test]
fn an_sli_takes_its_kinds_keys_and_a_latency_bound_is_a_number() {
    let slo = |sli: &str| {
        let text = format!(
            "[[layout.column]]\npanes = [{{ id = \"slo\" }}]\n[[pane]]\nid = \"slo\"\nkind = \"slo\"\n[[slo]]\nname = \"s\"\nobjective = 0.99\n{sli}"
        );
        config::parse(&text, "t.toml").map_err(|e| e.to_string())
    };
    for (sli, want) in [
        (
            "sli = { kind = \"latency\", metric = \"m\", le = \"fast\" }",
            "t.toml:9:46: le = \"fast\" is not a bucket bound",
        ),
        (
            "[slo.sli]\nkind = \"latency\"\nmetric = \"m\"\nle = \"+Inf\"",
            "t.toml:12:6: le = \"+Inf\" is not a bucket bound",
        ),
        (
            "sli = { kind = \"latency\", metric = \"m\" }",
            "t.toml:9:7: a latency SLI needs le",
        ),
        (
            "sli = { kind = \"ratio\", good = \"a\", total = \"b\", le = \"1\" }",
            "t.toml:9:7: a ratio SLI takes good, total, not le",
        ),
        (
            "sli = { kind = \"apdex\" }",
            "t.toml:9:16: SLI kind \"apdex\": write",
        ),
    ] {
        let err = slo(sli).expect_err(sli);
        assert!(err.starts_with(want), "{sli}\n  got: {err}\n  want: {want}");
    }
    let c = slo("sli = { kind = \"latency\", metric = \"m\", le = \"0.25\" }").expect("parses");
    assert!(matches!(
        &c.slos[0].sli,
        config::Sli::Latency { le, le_secs, .. } if le == "0.25" && *le_secs == 0.25
    ));
}

const TRACES_PANE: &str = "[[layout.column]]\npanes = [{ id = \"traces\" }]\n[[pane]]\nid = \"traces\"\nkind = \"traces\"\n";

#[test]
fn a_jaeger_section_with_only_a_url_takes_the_defaults() {
    let text = format!("[jaeger]\nurl = \"http://127.0.0.1:16686/\"\n{TRACES_PANE}");
    let c = config::parse(&text, "t.toml").expect("parses");
    let j = c.jaeger.expect("[jaeger]");
    assert_eq!(j.api, config::JaegerApi::Auto);
    assert_eq!(
        j.connection,
        config::Connection::to_url("http://127.0.0.1:16686")
    );
    assert_eq!(j.interval, 15.0);
    assert_eq!(j.query, capcom::model::traces::TraceQuery::default());
    assert_eq!((j.query.lookback, j.query.limit), (3_600.0, 50));
    assert!(j.query.services.is_empty() && j.query.operation.is_empty());
}

#[test]
fn a_jaeger_section_with_every_key() {
    let text = format!(
        r#"[jaeger]
url = "https://ops.example/jaeger"
api = "v1"
services = ["rover", "ground-station"]
operation = "drive"
lookback = "30m"
limit = 200
interval = "1m"
timeout = "3s"
headers = {{ "X-Scope-OrgID" = "mission-7" }}
ca-file = "/etc/ssl/ops.pem"
insecure-skip-verify = true
[jaeger.auth]
token-env = "JAEGER_TOKEN"
{TRACES_PANE}"#
    );
    let c = config::parse(&text, "t.toml").expect("parses");
    let j = c.jaeger.expect("[jaeger]");
    assert_eq!(j.api, config::JaegerApi::V1);
    assert_eq!(j.query.services, ["rover", "ground-station"]);
    assert_eq!(j.query.operation, "drive");
    assert_eq!((j.query.lookback, j.query.limit), (1_800.0, 200));
    assert_eq!(j.interval, 60.0);
    let conn = &j.connection;
    assert_eq!(conn.url, "https://ops.example/jaeger");
    assert_eq!(conn.timeout, 3.0);
    assert_eq!(
        conn.headers,
        [("X-Scope-OrgID".to_owned(), "mission-7".to_owned())]
    );
    assert_eq!(conn.ca_file.as_deref(), Some(Path::new("/etc/ssl/ops.pem")));
    assert!(conn.insecure_skip_verify);
    assert_eq!(
        conn.auth,
        Some(config::Auth::Bearer(config::Secret::Env(
            "JAEGER_TOKEN".into()
        )))
    );
    for api in ["auto", "v3"] {
        let text = text.replace("api = \"v1\"", &format!("api = \"{api}\""));
        let j = config::parse(&text, "t.toml")
            .expect(api)
            .jaeger
            .expect("j");
        let want = if api == "v3" {
            config::JaegerApi::V3
        } else {
            config::JaegerApi::Auto
        };
        assert_eq!(j.api, want);
    }
}

#[test]
fn jaeger_mistakes_point_at_file_line_and_column() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid_configs");
    for (file, at) in [
        ("jaeger_api_v2.toml", "jaeger_api_v2.toml:4:7: "),
        ("jaeger_limit_zero.toml", "jaeger_limit_zero.toml:4:9: "),
        (
            "jaeger_lookback_soon.toml",
            "jaeger_lookback_soon.toml:5:12: ",
        ),
        ("jaeger_unknown_key.toml", "jaeger_unknown_key.toml:4:1: "),
    ] {
        let path = dir.join(file);
        let err = config::load(&path).expect_err(file).to_string();
        assert!(err.starts_with(&path.display().to_string()), "{err}");
        assert!(err.contains(at), "{file}: want {at:?} in {err}");
    }
}

/// Runs the real binary with no configuration of whoever runs the tests, stdout to `stdout`.
fn capcom(args: &[&str], stdout: std::process::Stdio) -> std::process::Output {
    let home = tempfile::tempdir().expect("tempdir");
    std::process::Command::new(env!("CARGO_BIN_EXE_capcom"))
        .args(args)
        .env_remove("CAPCOM_CONFIG")
        .env("XDG_CONFIG_HOME", home.path())
        .env("HOME", home.path())
        .env("RUST_BACKTRACE", "1")
        .stdin(std::process::Stdio::null())
        .stdout(stdout)
        .output()
        .expect("runs capcom")
}

#[test]
fn the_binary_prints_a_hostile_config_error_as_one_safe_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let layout = "[[layout.column]]\npanes = [{ id = \"e\" }]\n[[pane]]\nid = \"e\"\nkind = \"table\"\n[[pane.series]]\nquery = \"up\"\n";
    for (name, text, at) in [
        (
            "raw-osc.toml",
            format!("title = \"\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}]52;c;aGk=\u{7}\"\n{layout}"),
            "1:",
        ),
        (
            "escaped-in-key.toml",
            format!("\"t\\u001b]0;x\\u0007\" = 1\n{layout}"),
            "1:1: ",
        ),
        (
            "huge.toml",
            format!("window = \"{}\"\n{layout}", "9".repeat(70_000)),
            "1:10: ",
        ),
        (
            "precision.toml",
            format!("{layout}precision = 65535\n"),
            "8:13: ",
        ),
        (
            "bidi\u{202e}.toml",
            layout.replace("{ id = \"e\" }", "{ id = \"e\u{202e}x\" }"),
            "2:",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, &text).expect("write");
        for command in ["snapshot", "slo"] {
            let out = capcom(
                &[command, "--config", path.to_str().expect("utf-8")],
                std::process::Stdio::null(),
            );
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!out.stderr.contains(&0x1b), "{name} {command}: {stderr:?}");
            let line = stderr.strip_suffix('\n').expect("ends its line");
            assert!(!line.chars().any(hostile), "{name} {command}: {stderr:?}");
            assert_eq!(stderr.lines().count(), 1, "{name} {command}: {stderr:?}");
            let shown = dir.path().join(name.replace('\u{202e}', ""));
            let want = format!("capcom: {}:{at}", shown.display());
            assert!(stderr.starts_with(&want), "{name} {command}: {stderr:?}");
            assert!(
                stderr.len() < 600,
                "{name} {command}: {} bytes",
                stderr.len()
            );
            assert!(!stderr.contains("panicked"), "{stderr}");
            assert_eq!(
                out.status.code(),
                Some(if command == "slo" { 3 } else { 2 })
            );
        }
    }
}

#[test]
fn a_reader_gone_ends_check_snapshot_and_slo_quietly() {
    for args in [&["check"][..], &["snapshot"], &["slo"], &["slo", "--json"]] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let out = capcom(args, writer.into());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(101), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
        if args == ["check"] || args == ["snapshot"] {
            assert_eq!(out.status.code(), Some(0), "{args:?}: the normal status");
        }
    }
}

#[test]
fn a_hostile_recording_manifest_is_one_safe_line_on_stderr_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("recording.toml"),
        "format = 1\nname = \"\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}]52;c;aGk=\u{7}\"\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("capcom.toml"), capcom::DASHBOARD_TOML).expect("write");
    let out = capcom(
        &["snapshot", "--replay", dir.path().to_str().expect("utf-8")],
        std::process::Stdio::null(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!out.stderr.contains(&0x1b), "{stderr:?}");
    let line = stderr.strip_suffix('\n').expect("ends its line");
    assert!(!line.chars().any(hostile), "{stderr:?}");
    assert!(line.starts_with("capcom: "), "{stderr:?}");
    assert!(
        line.contains("recording.toml"),
        "names the file: {stderr:?}"
    );
}
