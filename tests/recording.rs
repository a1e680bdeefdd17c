//! Recordings are untrusted input: each attack below on a recording directory must end
//! `capcom snapshot --replay` promptly, with one line on stderr naming what was refused, and
//! never show what the refused file holds. (That the bundled recording is what the simulator
//! writes is checked in `sim/tests/recording.rs`.)

use std::path::Path;

/// A small recording: the bundled dashboard and manifest, each body pointing at the file
/// `battery` names for the first entry; the others are left missing (their panes say so).
/// Beside it, `outside/x.json`, a battery body whose every value is 777.7.
fn recording(battery: &str) -> tempfile::TempDir {
    let top = tempfile::tempdir().expect("tempdir");
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/mars-rover");
    let name = "prometheus/rover_battery_soc_percent.json";
    let body = std::fs::read_to_string(committed.join(name)).expect("body");
    let mut doc: serde_json::Value = serde_json::from_str(&body).expect("json");
    for point in doc["data"]["result"][0]["values"]
        .as_array_mut()
        .expect("values")
    {
        point[1] = "777.7".into();
    }
    std::fs::create_dir_all(top.path().join("outside")).expect("mkdir");
    std::fs::write(top.path().join("outside/x.json"), doc.to_string()).expect("write");
    let rec = top.path().join("rec");
    std::fs::create_dir_all(rec.join("prometheus")).expect("mkdir");
    std::fs::copy(committed.join(name), rec.join(name)).expect("copy");
    std::fs::copy(committed.join("capcom.toml"), rec.join("capcom.toml")).expect("copy");
    let manifest = std::fs::read_to_string(committed.join("recording.toml")).expect("manifest");
    let manifest = manifest.replacen(
        &format!("file = \"{name}\""),
        &format!("file = {}", toml::Value::from(battery)),
        1,
    );
    std::fs::write(rec.join("recording.toml"), manifest).expect("write");
    top
}

/// `capcom snapshot --replay DIR`: exit status, stdout, stderr; a run over 10 s fails.
fn snapshot(dir: &Path) -> (Option<i32>, String, String) {
    use std::io::Read as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_capcom"))
        .args([
            "snapshot", "--size", "120x30", "--theme", "mono", "--replay",
        ])
        .arg(dir)
        .env("XDG_CONFIG_HOME", "/nonexistent-capcom-test")
        .env("HOME", "/nonexistent-capcom-test")
        .env_remove("CAPCOM_CONFIG")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run capcom");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("capcom snapshot --replay {} hangs", dir.display());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let (mut out, mut err) = (String::new(), String::new());
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut out)
        .expect("read");
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("read");
    (status.code(), out, err)
}

/// The snapshot of `top/rec` fails with one line containing each of `words`.
fn refused(top: &tempfile::TempDir, words: &[&str]) {
    let (code, out, err) = snapshot(&top.path().join("rec"));
    assert_eq!(code, Some(2), "refused, not shown: {out}{err}");
    assert!(!out.contains("777.7"), "{out}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.len() < 400, "short: {err}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
    for w in words {
        assert!(err.contains(w), "{w:?} in {err}");
    }
}

#[test]
fn the_untouched_small_recording_replays_its_battery() {
    let top = recording("prometheus/rover_battery_soc_percent.json");
    let (code, out, err) = snapshot(&top.path().join("rec"));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("battery") && !out.contains("777.7"), "{out}");
}

#[test]
fn a_body_above_the_directory_is_refused() {
    let top = recording("../outside/x.json");
    refused(
        &top,
        &["[[prometheus]] 1", "../outside/x.json", "refused", ".."],
    );
}

#[test]
fn an_absolute_body_path_is_refused() {
    let top = recording("absolute");
    let outside = top.path().join("outside/x.json");
    let manifest = top.path().join("rec/recording.toml");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    let absolute = toml::Value::from(outside.to_str().expect("utf-8")).to_string();
    std::fs::write(&manifest, text.replace("\"absolute\"", &absolute)).expect("write");
    refused(&top, &["[[prometheus]] 1", "refused: an absolute path"]);
    let top = recording("/proc/self/environ");
    refused(&top, &["/proc/self/environ", "refused: an absolute path"]);
}

#[test]
fn a_body_linked_outside_is_refused_and_one_linked_inside_is_read() {
    let top = recording("link.json");
    let rec = top.path().join("rec");
    std::os::unix::fs::symlink(top.path().join("outside/x.json"), rec.join("link.json"))
        .expect("symlink");
    refused(&top, &["\"link.json\"", "refused: a symbolic link"]);
    std::fs::remove_file(rec.join("link.json")).expect("rm");
    std::os::unix::fs::symlink(
        "prometheus/rover_battery_soc_percent.json",
        rec.join("link.json"),
    )
    .expect("symlink");
    let (code, out, err) = snapshot(&rec);
    assert_eq!(
        code,
        Some(0),
        "a link inside the recording is followed: {err}"
    );
    assert!(out.contains("battery"), "{out}");
}

#[test]
fn a_body_in_a_folder_linked_outside_is_refused() {
    let top = recording("dir/x.json");
    std::os::unix::fs::symlink(top.path().join("outside"), top.path().join("rec/dir"))
        .expect("symlink");
    refused(&top, &["\"dir/x.json\"", "refused: a symbolic link"]);
}

#[test]
fn a_fifo_body_is_refused_without_hanging() {
    let top = recording("fifo.json");
    let made = std::process::Command::new("mkfifo")
        .arg(top.path().join("rec/fifo.json"))
        .status()
        .expect("mkfifo");
    assert!(made.success());
    refused(&top, &["\"fifo.json\"", "refused: a FIFO"]);
}

#[test]
fn a_fifo_manifest_is_refused_without_hanging() {
    let top = recording("prometheus/rover_battery_soc_percent.json");
    let manifest = top.path().join("rec/recording.toml");
    std::fs::remove_file(&manifest).expect("rm");
    let made = std::process::Command::new("mkfifo")
        .arg(&manifest)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    refused(&top, &["recording.toml: refused: a FIFO"]);
}

#[test]
fn a_body_linked_to_dev_zero_is_refused() {
    let top = recording("zero.json");
    std::os::unix::fs::symlink("/dev/zero", top.path().join("rec/zero.json")).expect("symlink");
    refused(&top, &["\"zero.json\"", "refused: a symbolic link"]);
}

#[test]
fn a_sparse_two_gigabyte_body_is_refused_unread() {
    let top = recording("big.json");
    let big = std::fs::File::create(top.path().join("rec/big.json")).expect("create");
    big.set_len(2 << 30).expect("sparse");
    refused(
        &top,
        &["\"big.json\"", "refused: 2147483648 bytes", "256 MiB"],
    );
}

#[test]
fn a_control_sequence_in_a_file_name_is_not_echoed() {
    let top = recording("\u{1b}]0;owned\u{7}/../x.json");
    refused(&top, &["␛]0;owned", "refused"]);
}

#[test]
fn a_manifest_error_is_one_line_with_its_line_and_column() {
    let top = recording("prometheus/rover_battery_soc_percent.json");
    let manifest = top.path().join("rec/recording.toml");
    let huge = "x".repeat(70_000);
    std::fs::write(&manifest, format!("format = 1\nname = \"{huge}\n")).expect("write");
    refused(&top, &["recording.toml:2:"]);
    let (_, _, err) = snapshot(&top.path().join("rec"));
    assert!(
        !err.contains("xxxxxxxxxx"),
        "the value is not echoed: {err}"
    );
    // A raw ESC is not TOML; an escaped one in a key reaches toml's message, made visible.
    std::fs::write(&manifest, "format = 1\nbogus = \"\u{1b}[2J\"\n").expect("write");
    refused(&top, &["recording.toml:2:10: invalid basic string"]);
    std::fs::write(&manifest, "format = 1\n\"x\\u001b[2J\" = 1\n").expect("write");
    refused(&top, &["recording.toml:2:1: unknown field `x␛[2J`"]);
}
