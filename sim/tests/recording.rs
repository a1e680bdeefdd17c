//! The bundled recording is what the simulator writes: regenerating it with the documented
//! command reproduces the committed files byte for byte.

use std::collections::BTreeMap;
use std::path::Path;

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .expect("prefix")
                    .display()
                    .to_string();
                out.insert(rel, std::fs::read(&path).expect("read"));
            }
        }
    }
    out
}

#[test]
fn regenerating_the_bundled_recording_reproduces_it_exactly() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/mars-rover");
    let fresh = tempfile::tempdir().expect("tempdir");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_capcom-sim"))
        .arg("--write-recording")
        .arg(fresh.path())
        .args(["--seed", "1"])
        .status()
        .expect("run capcom-sim");
    assert!(status.success());
    let (want, got) = (files(&committed), files(fresh.path()));
    assert_eq!(
        want.keys().collect::<Vec<_>>(),
        got.keys().collect::<Vec<_>>(),
        "same files"
    );
    for (name, bytes) in &want {
        assert!(
            got[name] == *bytes,
            "{name} differs from what the simulator writes"
        );
    }
}

#[test]
fn another_seed_gives_another_world() {
    let a = tempfile::tempdir().expect("tempdir");
    capcom_sim::recording::write(a.path(), 2).expect("write");
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/mars-rover");
    let name = "prometheus/rover_air_temperature_celsius.json";
    assert_ne!(
        std::fs::read(a.path().join(name)).expect("a"),
        std::fs::read(committed.join(name)).expect("b")
    );
}
