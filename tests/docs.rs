//! The README cannot drift from the code: every key binding and every theme role is in it.

use capcom::keymap::BINDINGS;
use capcom::theme::ROLE_NAMES;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md")
}

#[test]
fn every_binding_is_documented() {
    let readme = readme();
    for b in BINDINGS {
        assert!(
            readme.contains(b.what),
            "README lacks the binding {:?}: {}",
            b.keys,
            b.what
        );
    }
}

#[test]
fn every_theme_role_is_documented() {
    let readme = readme();
    for role in ROLE_NAMES {
        assert!(
            readme.contains(&format!("`{role}`")),
            "README lacks the theme role `{role}`"
        );
    }
}
