//! Bundles `fixtures/mars-rover` compressed: every file gzipped into `$OUT_DIR/mars-rover`,
//! which `include_dir!` embeds. The recording is 3.9 MB of JSON that a replay reads once; kept
//! plain in the binary, those pages stay resident (a third of capcom's memory), while gzipped
//! they are a tenth of the size and each body is inflated, parsed and freed in turn. Reruns
//! when the recording changes.

use std::io::Write as _;
use std::path::Path;

fn gzip_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    let mut entries: Vec<_> = std::fs::read_dir(from)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            gzip_tree(&path, &to.join(&name))?;
        } else {
            let data = std::fs::read(&path)?;
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            gz.write_all(&data)?;
            let mut out = name.clone();
            out.push(".gz");
            std::fs::write(to.join(out), gz.finish()?)?;
        }
    }
    Ok(())
}

fn main() {
    println!("cargo:rerun-if-changed=fixtures/mars-rover");
    // Relative relocations packed (DT_RELR: GNU ld 2.38, glibc 2.36) rather than one 24-byte
    // entry each: the position-independent binary's 22,000 of them were 536 KB that the loader
    // read at every start. The binary stays PIE (ASLR kept).
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu")
    {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
        // The functions the demo runs, placed together (scripts/hot-text, which writes the
        // script, says why): GNU ld and LLD both read it, and INSERT leaves the rest of the
        // layout theirs. Every profile, so the tests' builds of the binary link with it too.
        let hot = Path::new("link/hot-text.ld");
        println!("cargo:rerun-if-changed={}", hot.display());
        if hot.exists() {
            let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
            let script = Path::new(&dir).join(hot);
            // As two arguments, not `-Wl,-T,PATH`: a comma in the checkout's path would split it.
            for arg in ["-Xlinker", "-T", "-Xlinker", &script.display().to_string()] {
                println!("cargo:rustc-link-arg-bins={arg}");
            }
        }
    }
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    let to = Path::new(&out).join("mars-rover");
    let _ = std::fs::remove_dir_all(&to);
    if let Err(e) = gzip_tree(Path::new("fixtures/mars-rover"), &to) {
        panic!("bundling fixtures/mars-rover: {e}");
    }
}
