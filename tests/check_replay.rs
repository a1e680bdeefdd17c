//! `capcom check --replay`: a recording must answer what its dashboard asks — every Prometheus
//! query, the events, traces or faults when a pane shows them — and
//! `check` fails naming each answer that is missing. The recordings are the bundled one, copied
//! into a temporary folder and cut down.

use std::path::Path;

use capcom::source::recording::{Manifest, parse_manifest};

/// The bundled recording copied into a temporary folder, its manifest changed by `edit`.
fn recording(edit: impl FnOnce(&mut Manifest)) -> tempfile::TempDir {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/mars-rover");
    let dir = tempfile::tempdir().expect("tempdir");
    for sub in ["prometheus", "opensearch", "jaeger", "alertmanager"] {
        std::fs::create_dir(dir.path().join(sub)).expect("mkdir");
        for f in std::fs::read_dir(committed.join(sub)).expect("read dir") {
            let f = f.expect("entry").path();
            let name = f.file_name().expect("name");
            std::fs::copy(&f, dir.path().join(sub).join(name)).expect("copy");
        }
    }
    std::fs::copy(
        committed.join("capcom.toml"),
        dir.path().join("capcom.toml"),
    )
    .expect("copy");
    let path = committed.join("recording.toml");
    let mut manifest =
        parse_manifest(&std::fs::read(&path).expect("manifest"), &path).expect("parses");
    edit(&mut manifest);
    let text = toml::to_string(&manifest).expect("serializes");
    std::fs::write(dir.path().join("recording.toml"), text).expect("write");
    dir
}

/// `capcom check` with `args`: exit status and standard output.
fn check(args: &[&str]) -> (Option<i32>, String) {
    let home = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_capcom"))
        .arg("check")
        .args(args)
        .env_remove("CAPCOM_CONFIG")
        .env("XDG_CONFIG_HOME", home.path())
        .env("HOME", home.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("runs capcom");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "{stderr}");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn check_dir(dir: &tempfile::TempDir) -> (Option<i32>, String) {
    check(&["--replay", dir.path().to_str().expect("utf-8")])
}

fn fails(out: &str) -> Vec<&str> {
    out.lines().filter(|l| l.starts_with("FAIL")).collect()
}

#[test]
fn the_bundled_recording_answers_everything_its_dashboard_asks() {
    let (status, out) = check(&[]);
    assert_eq!(status, Some(0), "{out}");
    assert!(fails(&out).is_empty(), "{out}");
    assert!(
        out.contains(
            "ok   recording bundled:mars-rover: answers all 33 queries, the events, the traces and the faults"
        ),
        "{out}"
    );
}

#[test]
fn a_copy_of_the_bundled_recording_passes_too() {
    let dir = recording(|_| {});
    let (status, out) = check_dir(&dir);
    assert_eq!(status, Some(0), "{out}");
    assert!(fails(&out).is_empty(), "{out}");
}

#[test]
fn a_query_without_an_answer_fails_naming_it_and_its_pane() {
    let dir = recording(|m| {
        m.prometheus
            .retain(|e| e.query != "rover_cpu_load_percent" && e.query != "rover_heading_degrees");
    });
    let (status, out) = check_dir(&dir);
    assert_eq!(status, Some(1), "{out}");
    assert_eq!(
        fails(&out),
        [
            "FAIL recording: no answer for query rover_cpu_load_percent (pane internal)",
            "FAIL recording: no answer for query rover_heading_degrees (pane path)",
        ],
        "{out}"
    );
}

#[test]
fn an_slo_query_without_an_answer_names_its_slo() {
    let dir = recording(|m| m.prometheus.retain(|e| !e.query.contains("[30d]")));
    let (status, out) = check_dir(&dir);
    assert_eq!(status, Some(1), "{out}");
    let fails = fails(&out);
    assert_eq!(fails.len(), 2, "{out}");
    assert!(
        fails
            .iter()
            .all(|l| l.contains("[30d]") && l.contains("(slo ")),
        "{out}"
    );
}

#[test]
fn a_body_file_that_is_gone_is_no_answer() {
    let dir = recording(|_| {});
    std::fs::remove_file(dir.path().join("prometheus/rover_uv_index.json")).expect("rm");
    let (status, out) = check_dir(&dir);
    assert_eq!(status, Some(1), "{out}");
    assert_eq!(
        fails(&out),
        [
            "FAIL recording: no answer for query rover_uv_index (pane environment): \
             prometheus/rover_uv_index.json is missing"
        ],
        "{out}"
    );
}

#[test]
fn no_events_no_traces_or_no_faults_fail_naming_the_pane_that_shows_them() {
    let dir = recording(|m| {
        m.opensearch.clear();
        m.jaeger.clear();
        m.alertmanager.clear();
    });
    let (status, out) = check_dir(&dir);
    assert_eq!(status, Some(1), "{out}");
    assert_eq!(
        fails(&out),
        [
            "FAIL recording: no answer for events (pane events)",
            "FAIL recording: no answer for traces (pane traces)",
            "FAIL recording: no answer for faults (pane faults)",
        ],
        "{out}"
    );
}
