//! Rebuilds when the bundled recording changes: `include_dir!` embeds `fixtures/mars-rover`, and
//! cargo does not otherwise notice files added to or removed from it.

fn main() {
    println!("cargo:rerun-if-changed=fixtures/mars-rover");
    println!("cargo:rerun-if-changed=fixtures/mars-rover/prometheus");
}
