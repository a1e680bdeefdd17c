//! The README's simulator command lines (`capcom simulate …`, which runs `capcom-sim` with the
//! same arguments, and `cargo run … -p capcom-sim -- …`) parse as `capcom-sim`'s. The
//! dashboard's own lines are checked by the dashboard's `tests/docs.rs`.

use clap::Parser as _;

/// A shell line's words up to a comment, a redirection or `&`.
fn words(line: &str) -> Vec<&str> {
    line.split_whitespace()
        .take_while(|w| !w.starts_with('#') && !w.starts_with("2>") && *w != "&")
        .collect()
}

/// The simulator's arguments on each README line that runs it.
fn simulator_lines() -> Vec<Vec<String>> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let mut out = Vec::new();
    for line in readme.lines() {
        let shell = words(line.trim().trim_start_matches("$ "));
        let passed = match shell.as_slice() {
            ["capcom", "simulate", given @ ..] => given,
            ["cargo", "run", rest @ ..] if rest.contains(&"capcom-sim") => {
                let dashes = rest
                    .iter()
                    .position(|w| *w == "--")
                    .map_or(rest.len(), |i| i + 1);
                &rest[dashes..]
            }
            _ => continue,
        };
        let mut argv = vec!["capcom-sim".to_owned()];
        argv.extend(passed.iter().map(|w| (*w).to_owned()));
        out.push(argv);
    }
    out
}

#[test]
fn every_simulator_command_line_in_the_readme_parses() {
    let lines = simulator_lines();
    assert!(
        lines.len() >= 6,
        "{} simulator lines found: {lines:?}",
        lines.len()
    );
    for argv in &lines {
        if let Err(e) = capcom_sim::cli::Cli::try_parse_from(argv) {
            panic!("the README's `{}` does not parse:\n{e}", argv.join(" "));
        }
    }
}
