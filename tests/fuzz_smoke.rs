//! The fuzz targets on stable Rust, so `cargo test` runs them everywhere: every seed in
//! `fuzz/corpus/<target>/` and every committed finding in `fuzz/regressions/<target>/`, plus a
//! bounded number of deterministic mutations of the seeds (byte flips, truncations, splices of
//! two seeds, dictionary tokens, invalid UTF-8, deep nesting), through the same target bodies
//! cargo-fuzz runs (`fuzz/targets.rs`). No input may panic or take more than `SLOW` to answer.
//! `fuzz/ci.sh` runs the real fuzzer when a nightly toolchain is there.

#[path = "../fuzz/targets.rs"]
mod targets;

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant};

/// Mutations per seed file.
const ROUNDS: usize = 300;
/// Longer than any input takes in a debug build on a busy machine; a hang is far longer.
const SLOW: Duration = Duration::from_secs(10);
/// Depths of nesting tried: around `serde_json`'s limit of 128, and far beyond it.
const DEPTHS: [usize; 5] = [64, 127, 129, 1_000, 20_000];

/// The files of `fuzz/<dir>/<target>/`, by name; none when the folder does not exist.
fn files(dir: &str, target: &str) -> Vec<(String, Vec<u8>)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(dir)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&path) else {
        return Vec::new();
    };
    let mut out: Vec<_> = entries
        .map(|e| {
            let p = e.expect("a directory entry").path();
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            (name.unwrap_or_default(), std::fs::read(&p).expect("a file"))
        })
        .collect();
    out.sort();
    out
}

/// The tokens of the target's dictionary (`fuzz/dict/*.dict`), unescaped.
fn dictionary(target: &str) -> Vec<Vec<u8>> {
    let file = if matches!(target, "config" | "manifest" | "theme") {
        "toml.dict"
    } else {
        "json.dict"
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/dict")
        .join(file);
    let text = std::fs::read_to_string(path).expect("the dictionary");
    text.lines()
        .filter_map(|l| l.strip_prefix('"')?.strip_suffix('"'))
        .map(unescape)
        .collect()
}

/// libFuzzer's dictionary escapes: `\\`, `\"` and `\xAB`.
fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match (b[i], b.get(i + 1)) {
            (b'\\', Some(b'x')) => {
                let hex = s.get(i + 2..i + 4);
                out.push(
                    hex.and_then(|h| u8::from_str_radix(h, 16).ok())
                        .unwrap_or(b'?'),
                );
                i += 4;
            }
            (b'\\', Some(&c)) => {
                out.push(c);
                i += 2;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// One mutation of `seed`: a few edits, or a splice with `other`.
fn mutate(seed: &[u8], other: &[u8], dict: &[Vec<u8>], state: &mut u64) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    let mut r = || common::next(state) as usize;
    if r() % 8 == 0 {
        let (a, b) = (r() % (seed.len() + 1), r() % (other.len() + 1));
        bytes.truncate(a);
        bytes.extend_from_slice(&other[b..]);
        return bytes;
    }
    for _ in 0..=(r() % 6) {
        let i = r() % (bytes.len() + 1);
        match r() % 6 {
            0 if i < bytes.len() => bytes[i] ^= 1 << (r() % 8),
            1 if i < bytes.len() => bytes[i] = r() as u8,
            2 => bytes.truncate(i),
            3 => drop(bytes.splice(i..i, dict[r() % dict.len()].iter().copied())),
            4 => drop(bytes.splice(i..i, [0xff, 0xc3, 0x28].into_iter().take(1 + r() % 3))),
            _ if i < bytes.len() => drop(bytes.remove(i)),
            _ => {}
        }
    }
    bytes
}

/// `seed` with a value nested `depth` deep put where a value fits: for JSON after each
/// object's first `:` (replacing nothing: the old value follows in an array), for TOML as new keys.
fn nested(target: &str, seed: &[u8], depth: usize) -> Vec<Vec<u8>> {
    if matches!(target, "config" | "manifest" | "theme") {
        let arrays = format!("deep = {}{}\n", "[".repeat(depth), "]".repeat(depth));
        let tables = format!("deep = {}1{}\n", "{ a = ".repeat(depth), " }".repeat(depth));
        let dotted = format!("{} = 1\n", vec!["a"; depth].join("."));
        let header = format!("[{}]\nb = 1\n", vec!["a"; depth].join("."));
        return [arrays, tables, dotted, header]
            .into_iter()
            .map(|deep| [deep.as_bytes(), seed].concat())
            .collect();
    }
    let open = "{\"a\":[".repeat(depth);
    let close = "]}".repeat(depth);
    let mut out = vec![[open.as_bytes(), seed, close.as_bytes()].concat()];
    // Inside the document: `"key":V` becomes `"key":{"a":[{"a":[…V…]}]}`, at the first few keys.
    let mut from = 0;
    for _ in 0..4 {
        let Some(at) = seed[from..].windows(2).position(|w| w == b"\":") else {
            break;
        };
        let at = from + at + 2;
        let end = seed[at..]
            .iter()
            .position(|b| matches!(b, b',' | b'}'))
            .map_or(seed.len(), |e| at + e);
        let value = &seed[at..end];
        out.push(
            [
                &seed[..at],
                open.as_bytes(),
                value,
                close.as_bytes(),
                &seed[end..],
            ]
            .concat(),
        );
        from = at;
    }
    out
}

/// Runs `f` on `input`; a panic or a slow answer is described, to be reported.
fn check(target: &str, what: &str, f: fn(&[u8]), input: &[u8]) -> Option<String> {
    let started = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| f(input)));
    let took = started.elapsed();
    let head = String::from_utf8_lossy(&input[..input.len().min(160)]).into_owned();
    match outcome {
        Err(_) => Some(format!("{target}: {what} panicked; input starts {head:?}")),
        Ok(()) if took > SLOW => Some(format!("{target}: {what} took {took:?}; input {head:?}")),
        Ok(()) => None,
    }
}

/// Every seed, every committed finding and their mutations through one target.
fn smoke(target: &str) -> usize {
    let f = targets::TARGETS
        .iter()
        .find(|(n, _)| *n == target)
        .map(|(_, f)| *f)
        .expect("a target of that name");
    let seeds = files("corpus", target);
    assert!(!seeds.is_empty(), "no seeds in fuzz/corpus/{target}");
    let dict = dictionary(target);
    let mut failures = Vec::new();
    let mut runs = 0;
    let mut state = 0x5eed_u64 ^ target.len() as u64;
    let mut run = |what: String, input: &[u8]| {
        runs += 1;
        failures.extend(check(target, &what, f, input));
    };
    for (name, bytes) in files("regressions", target).iter().chain(&seeds) {
        run(format!("{name} as committed"), bytes);
    }
    for (i, (name, seed)) in seeds.iter().enumerate() {
        let other = &seeds[(i + 1) % seeds.len()].1;
        for round in 0..ROUNDS {
            let input = mutate(seed, other, &dict, &mut state);
            run(format!("{name} mutation {round}"), &input);
        }
        for depth in DEPTHS {
            for (k, input) in nested(target, seed, depth).iter().enumerate() {
                run(format!("{name} nested {depth} deep (#{k})"), input);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    runs
}

#[test]
fn prometheus() {
    assert!(smoke("prometheus") > ROUNDS);
}

#[test]
fn jaeger_v1() {
    assert!(smoke("jaeger_v1") > ROUNDS);
}

#[test]
fn jaeger_v3() {
    assert!(smoke("jaeger_v3") > ROUNDS);
}

#[test]
fn opensearch() {
    assert!(smoke("opensearch") > ROUNDS);
}

#[test]
fn config() {
    assert!(smoke("config") > ROUNDS);
}

#[test]
fn manifest() {
    assert!(smoke("manifest") > ROUNDS);
}

#[test]
fn theme() {
    assert!(smoke("theme") > ROUNDS);
}

#[test]
fn alertmanager() {
    assert!(smoke("alertmanager") > ROUNDS);
}

/// The list of targets, the cargo-fuzz binaries and the seed folders name the same targets.
#[test]
fn every_target_has_a_fuzz_binary_and_seeds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    for (name, _) in targets::TARGETS {
        assert!(
            root.join(format!("fuzz_targets/{name}.rs")).is_file(),
            "{name}"
        );
        assert!(!files("corpus", name).is_empty(), "{name}");
    }
    assert_eq!(
        std::fs::read_dir(root.join("fuzz_targets"))
            .expect("fuzz_targets")
            .count(),
        targets::TARGETS.len()
    );
}
