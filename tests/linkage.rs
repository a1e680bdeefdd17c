//! What the release binary asks the dynamic loader for. Each shared library it names is mapped
//! and relocated at every start, so one needed for little is memory spent in every session:
//! libm was 650 KB resident for five float functions (`src/num.rs`). The tests are debug
//! builds, which keep code that the release build's LTO drops (plotters' unused markers call
//! `sin`), so this reads the release binary that `.ci/run` builds and names in
//! `CAPCOM_RELEASE_BIN`. CI also sets `CAPCOM_REQUIRE_RELEASE=1`, so there a missing binary
//! fails the test; elsewhere it says it was skipped.

use std::path::PathBuf;
use std::process::Command;

fn release_binary() -> Option<PathBuf> {
    let bin = std::env::var_os("CAPCOM_RELEASE_BIN").map(PathBuf::from);
    let found = bin.filter(|b| b.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CAPCOM_REQUIRE_RELEASE").is_none(),
            "CAPCOM_REQUIRE_RELEASE is set but CAPCOM_RELEASE_BIN names no file \
             (cargo build --release, then CAPCOM_RELEASE_BIN=target/release/capcom)"
        );
        eprintln!("SKIPPED: CAPCOM_RELEASE_BIN is not set to a release build; CI runs this test");
    }
    found
}

/// The `NEEDED` entries of `bin`'s dynamic section, as `readelf` (binutils) lists them.
fn needed(bin: &PathBuf) -> Vec<String> {
    let out = Command::new("readelf")
        .args(["--dynamic", "--wide"])
        .arg(bin)
        .output()
        .expect("run readelf (binutils)");
    assert!(out.status.success(), "readelf: {out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| Some(l.split_once('[')?.1.split_once(']')?.0.to_owned()))
        .collect()
}

#[test]
fn the_release_binary_does_not_load_libm() {
    let Some(bin) = release_binary() else {
        return;
    };
    let libs = needed(&bin);
    assert!(
        libs.iter().any(|l| l.starts_with("libc.so")),
        "no libc among {libs:?}: is {} a dynamically linked release build?",
        bin.display()
    );
    assert!(
        !libs.iter().any(|l| l.starts_with("libm.so")),
        "{} needs libm ({libs:?}): a float function that calls into it came in \
         (nm -D --undefined-only shows which; src/num.rs says why it stays out)",
        bin.display()
    );
}
